"""lessons_py.mlp: hand-written backprop against finite differences, the finite-sum
interface, leading "runs" axes, the digits loader, and argument checks."""

import numpy as np
import pytest

from lessons_py import mlp, objectives, optim, run


def small_problem(n=12, d_in=5, hidden=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d_in))
    y = np.arange(n) % classes  # every class present
    return mlp.MLP(X, y, hidden=hidden, classes=classes)


def central_differences(f, theta, h=1e-6):
    return np.array(
        [(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in np.eye(len(theta))]
    )


@pytest.mark.parametrize(
    "shape",
    [(12, 5, 4, 3), (7, 3, 1, 2), (20, 8, 6, 10), (5, 2, 9, 4)],
    ids=lambda s: "n={},d_in={},H={},C={}".format(*s),
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_matches_central_differences(shape, seed):
    n, d_in, hidden, classes = shape
    net = small_problem(n, d_in, hidden, classes, seed)
    theta = (
        net.init(seed) * 3.0
    )  # larger weights: tanh and softmax away from their linear range
    np.testing.assert_allclose(
        net.grad(theta), central_differences(net.loss, theta), rtol=1e-6, atol=1e-8
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batch_gradient_matches_central_differences_of_the_batch_loss(seed):
    net = small_problem(seed=seed)
    idx = np.array(
        [3, 0, 7, 7, 11]
    )  # repeated indices count twice, as in a mean over the batch
    theta = net.init(seed + 10)

    def batch_loss(th):
        return net.cross_entropy(th, net.X[idx], net.y[idx])

    np.testing.assert_allclose(
        net.batch_grad(theta, idx),
        central_differences(batch_loss, theta),
        rtol=1e-6,
        atol=1e-8,
    )


def test_loss_is_the_mean_negative_log_probability_of_the_label():
    net = small_problem()
    theta = net.init(3)
    z = net.logits(theta, net.X)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        net.loss(theta), -np.mean(np.log(p[np.arange(net.n), net.y])), rtol=1e-13
    )


def test_softmax_is_stable_for_huge_logits():
    net = small_problem()
    theta = net.init(0) * 1e4
    assert np.isfinite(net.loss(theta)) and np.all(np.isfinite(net.grad(theta)))


@pytest.mark.parametrize("seed", range(5))
def test_loss_at_initialisation_is_close_to_log_classes(seed):
    X, y, _, _ = mlp.digits(n_train=500, seed=seed)
    net = mlp.MLP(X, y, hidden=32)
    assert abs(net.loss(net.init(seed)) - np.log(10)) < 0.1


def test_init_is_seeded_and_follows_torch_linear_bounds():
    net = small_problem(d_in=5, hidden=4)
    np.testing.assert_array_equal(net.init(7), net.init(7))
    assert not np.array_equal(net.init(7), net.init(8))
    parts = net.unpack(net.init(7))
    for name, fan_in in [("W1", 5), ("b1", 5), ("W2", 4), ("b2", 4)]:
        assert np.all(np.abs(parts[name]) <= 1 / np.sqrt(fan_in)), name


def test_unpack_splits_the_flat_vector_in_state_dict_order():
    net = small_problem(d_in=5, hidden=4, classes=3)
    assert net.dim == 5 * 4 + 4 + 4 * 3 + 3
    theta = np.arange(net.dim, dtype=float)
    parts = net.unpack(theta)
    assert [p.shape for p in parts.values()] == [(5, 4), (4,), (4, 3), (3,)]
    np.testing.assert_array_equal(
        np.concatenate([p.ravel() for p in parts.values()]), theta
    )
    mask = net.weight_mask()
    assert mask.sum() == 5 * 4 + 4 * 3
    np.testing.assert_array_equal(net.unpack(mask)["b1"], 0)
    np.testing.assert_array_equal(net.unpack(mask)["W2"], 1)


def test_is_a_finite_sum_whose_per_example_gradients_average_to_the_gradient():
    net = small_problem()
    assert isinstance(net, objectives.FiniteSum)
    theta = net.init(1)
    G = net.per_example_grads(theta)
    assert G.shape == (net.n, net.dim)
    np.testing.assert_allclose(G.mean(axis=0), net.grad(theta), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        net.batch_grad(theta, np.arange(net.n)), net.grad(theta), rtol=1e-12, atol=1e-15
    )
    idx = np.array([[0, 3, 5], [1, 1, 2]])  # two mini-batches at once
    np.testing.assert_allclose(
        net.batch_grad(theta, idx), G[idx].mean(axis=1), rtol=1e-12, atol=1e-15
    )


def test_leading_axes_are_independent_networks():
    net = small_problem()
    thetas = np.stack([net.init(s) for s in range(6)]).reshape(2, 3, net.dim)
    assert net.loss(thetas).shape == (2, 3) and net.grad(thetas).shape == (
        2,
        3,
        net.dim,
    )
    np.testing.assert_allclose(
        net.loss(thetas)[1, 2], net.loss(thetas[1, 2]), rtol=1e-13
    )
    np.testing.assert_allclose(
        net.grad(thetas)[0, 1], net.grad(thetas[0, 1]), rtol=1e-12, atol=1e-15
    )
    idx = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])  # one batch per run of a row
    got = net.batch_grad(thetas, idx)
    assert got.shape == (2, 3, net.dim)
    np.testing.assert_allclose(
        got[1, 2], net.batch_grad(thetas[1, 2], idx[2]), rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(
        net.accuracy(thetas, net.X, net.y)[0, 1],
        net.accuracy(thetas[0, 1], net.X, net.y),
    )
    np.testing.assert_allclose(
        net.cross_entropy(thetas, net.X[:4], net.y[:4])[1, 0],
        net.cross_entropy(thetas[1, 0], net.X[:4], net.y[:4]),
        rtol=1e-13,
    )


def test_predict_and_accuracy():
    net = small_problem()
    theta = net.init(0)
    pred = net.predict(theta, net.X)
    np.testing.assert_array_equal(pred, np.argmax(net.logits(theta, net.X), axis=1))
    assert net.accuracy(theta, net.X, net.y) == np.mean(pred == net.y)


def test_training_with_run_is_deterministic_and_learns_the_digits():
    X, y, X_val, y_val = mlp.digits(n_train=400, seed=0)
    net = mlp.MLP(X, y, hidden=16)
    records = [
        run(
            optim.AdamW(lr=1e-2),
            net,
            net.init(0),
            120,
            batch_size=40,
            rng=np.random.default_rng(0),
            record_every=40,
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(records[0].x, records[1].x)
    assert records[0].loss[-1] < 0.3 * records[0].loss[0]
    assert net.accuracy(records[0].x[-1], X_val, y_val) > 0.85


def test_digits_split_is_seeded_disjoint_and_standardised_with_training_statistics():
    X, y, X_val, y_val = mlp.digits(n_train=1000, seed=3)
    assert X.shape == (1000, 64) and X_val.shape == (797, 64) and y_val.shape == (797,)
    assert set(np.unique(y)) == set(range(10))
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    std = X.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-12) | (std == 0))
    again = mlp.digits(n_train=1000, seed=3)
    for a, b in zip((X, y, X_val, y_val), again):
        np.testing.assert_array_equal(a, b)
    other = mlp.digits(n_train=1000, seed=4)
    assert not np.array_equal(X, other[0])
    from sklearn.datasets import load_digits

    labels = load_digits().target  # a split of all 1797 images, not a resample
    np.testing.assert_array_equal(
        np.bincount(np.concatenate([y, y_val])), np.bincount(labels)
    )


def test_digits_are_scikit_learns_images_read_without_importing_it():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    table = mlp._digits_table()
    np.testing.assert_array_equal(table[:, :-1], X)
    np.testing.assert_array_equal(table[:, -1], y)
    assert not table.flags.writeable  # the cached copy cannot be changed by a caller
    X_train, y_train, X_val, y_val = mlp.digits(n_train=300, seed=1)
    order = np.random.default_rng(1).permutation(len(y))
    np.testing.assert_array_equal(y_train, y[order[:300]])
    np.testing.assert_array_equal(y_val, y[order[300:]])
    mean, std = X[order[:300]].mean(axis=0), X[order[:300]].std(axis=0)
    std[std == 0] = 1.0
    np.testing.assert_array_equal(X_train, (X[order[:300]] - mean) / std)
    np.testing.assert_array_equal(X_val, (X[order[300:]] - mean) / std)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: mlp.MLP(np.zeros((5, 3)), np.zeros(4, int)),  # y length
        lambda: mlp.MLP(np.zeros(5), np.zeros(5, int)),  # X not 2-D
        lambda: mlp.MLP(
            np.zeros((5, 3)), np.array([0, 1, 0, 1, 0.5])
        ),  # labels not integers
        lambda: mlp.MLP(np.zeros((5, 3)), np.array([0, 1, 0, 1, -1])),  # negative label
        lambda: mlp.MLP(np.zeros((5, 3)), np.zeros(5, int), hidden=0),
        lambda: mlp.MLP(np.zeros((5, 3)), np.array([0, 1, 2, 3, 4]), classes=3),
        lambda: mlp.digits(n_train=1797),
        lambda: mlp.digits(n_train=0),
    ],
    ids=[
        "y-length",
        "X-1d",
        "float-labels",
        "negative-label",
        "hidden-0",
        "label-too-big",
        "n_train-all",
        "n_train-0",
    ],
)
def test_bad_constructor_arguments_raise_value_error(bad):
    with pytest.raises(ValueError):
        bad()


def test_bad_shapes_at_call_time_raise_value_error():
    net = small_problem(d_in=5)
    theta = net.init(0)
    with pytest.raises(ValueError, match="shape"):
        net.loss(theta[:-1])
    with pytest.raises(ValueError, match="shape"):
        net.grad(np.append(theta, 0.0))
    with pytest.raises(ValueError, match="X must have shape"):
        net.accuracy(theta, np.zeros((3, 4)), np.zeros(3, int))
    with pytest.raises(ValueError, match="y must have shape"):
        net.cross_entropy(theta, np.zeros((3, 5)), np.zeros(2, int))
    with pytest.raises(ValueError, match="idx"):
        net.batch_grad(theta, np.array([0, net.n]))
    with pytest.raises(ValueError, match="idx"):
        net.batch_grad(theta, np.array([0.0, 1.0]))


def test_evaluate_gives_the_loss_and_accuracy_of_one_forward_pass():
    net = small_problem()
    thetas = np.stack([net.init(s) for s in range(3)])
    X, y = net.X[:7], net.y[:7]
    got = net.evaluate(thetas, X, y)
    np.testing.assert_allclose(
        got["loss"], [net.cross_entropy(t, X, y) for t in thetas], rtol=1e-13
    )
    np.testing.assert_array_equal(
        got["accuracy"], [np.mean(net.predict(t, X) == y) for t in thetas]
    )
    np.testing.assert_allclose(
        net.evaluate(thetas[0], net.X, net.y)["loss"], net.loss(thetas[0]), rtol=1e-13
    )
