"""lessons_py.curvature: Hessian-vector products against finite differences, sharpness
against dense eigenvalues, the noise scale by hand, and the tracking loop against
lessons_py.run."""

import numpy as np
import pytest

from lessons_py import curvature, optim, run
from lessons_py.mlp import MLP, digits
from lessons_py.objectives import (
    LeastSquares,
    LogisticRegression,
    Quadratic,
    make_classification,
)


@pytest.fixture(scope="module")
def net():
    """A network small enough for dense Hessians: 60 examples, 12 pixels, 5 units."""
    X, y, _, _ = digits(n_train=60, seed=0)
    return MLP(X[:, 20:32], y, hidden=5)


def central_hvp(objective, x, v, h=1e-5):
    """(∇L(x + hv) − ∇L(x − hv)) / 2h: error O(h²), about 1e-10 relative here."""
    return (objective.grad(x + h * v) - objective.grad(x - h * v)) / (2 * h)


def dense_fd_hessian(objective, x, h=1e-5):
    eye = np.eye(objective.dim)
    H = np.stack([central_hvp(objective, x, e, h) for e in eye], axis=-1)
    return (H + H.T) / 2


def test_mlp_hvp_matches_central_differences_of_the_gradient(net):
    rng = np.random.default_rng(1)
    for seed in range(3):
        theta = net.init(seed=seed) * 3  # larger weights: tanh in its curved part
        v = rng.standard_normal(net.dim)
        exact = curvature.hvp(net, theta, v)
        fd = central_hvp(net, theta, v)
        assert np.linalg.norm(exact - fd) <= 1e-6 * np.linalg.norm(exact)


def test_mlp_hvp_broadcasts_points_against_directions(net):
    rng = np.random.default_rng(2)
    thetas = np.stack([net.init(seed=s) for s in range(3)])
    V = rng.standard_normal((4, net.dim))
    one_direction = curvature.hvp(net, thetas, V[0])  # (3, d) with (d,)
    many_directions = curvature.hvp(net, thetas[1], V)  # (d,) with (4, d)
    grid = curvature.hvp(net, thetas[:, None, :], V)  # (3, 1, d) with (4, d)
    assert one_direction.shape == (3, net.dim)
    assert many_directions.shape == (4, net.dim)
    assert grid.shape == (3, 4, net.dim)
    for i in range(3):
        for j in range(4):
            expected = curvature.hvp(net, thetas[i], V[j])
            np.testing.assert_allclose(grid[i, j], expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(one_direction[i], grid[i, 0], rtol=1e-12)
    np.testing.assert_allclose(many_directions, grid[1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_mlp_hvp_operator_reuses_one_forward_pass_for_many_directions(net, loss):
    net = MLP(net.X, net.y, hidden=5, loss=loss)
    rng = np.random.default_rng(5)
    thetas = np.stack([net.init(seed=s) * 2 for s in range(2)])
    product = net.hvp_operator(thetas)
    for _ in range(3):  # the same map, applied again and again, as Lanczos does
        V = rng.standard_normal((2, net.dim))
        np.testing.assert_array_equal(product(V), net.hvp(thetas, V))
        fd = central_hvp(net, thetas[0], V[0])
        assert np.linalg.norm(product(V)[0] - fd) <= 1e-6 * np.linalg.norm(fd)
    with pytest.raises(ValueError, match="v"):
        product(np.ones(net.dim + 1))
    with pytest.raises(ValueError, match="theta"):
        net.hvp_operator(np.ones(3))


def test_lanczos_on_the_mlp_uses_its_operator_and_agrees_with_plain_products(net):
    class PlainProducts:  # the same network without hvp_operator
        def __init__(self, net):
            self.net, self.dim, self.name = net, net.dim, "plain"

        def __getattr__(self, name):
            if name == "hvp_operator":
                raise AttributeError(name)
            return getattr(self.net, name)

    theta = net.init(seed=4) * 2
    plain = PlainProducts(net)
    assert not hasattr(plain, "hvp_operator")
    fast = curvature.top_eigenvalue(net, theta, iters=40, tol=1e-10)
    slow = curvature.top_eigenvalue(plain, theta, iters=40, tol=1e-10)
    assert abs(fast - slow) <= 1e-10 * abs(slow)


def test_mlp_dense_hessian_matches_finite_differences_and_is_symmetric(net):
    theta = net.init(seed=3) * 2
    H = curvature.hessian(net, theta)
    assert H.shape == (net.dim, net.dim)
    np.testing.assert_allclose(H, H.T, atol=1e-14)
    fd = dense_fd_hessian(net, theta)
    assert np.abs(H - fd).max() <= 1e-6 * np.abs(H).max()


def test_loss_and_grad_is_loss_and_grad_in_one_pass(net):
    theta = np.stack([net.init(seed=s) for s in range(2)])
    f, g = net.loss_and_grad(theta)
    np.testing.assert_allclose(f, net.loss(theta), rtol=1e-14)
    np.testing.assert_allclose(g, net.grad(theta), rtol=1e-14)


def test_objectives_with_a_hessian_multiply_by_it():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    quad = Quadratic(A)
    v = np.array([[1.0, 0.0], [0.5, -2.0]])
    np.testing.assert_allclose(curvature.hvp(quad, np.zeros(2), v), v @ A)
    X, y, _ = make_classification(n=50, dim=4, seed=0)
    logistic = LogisticRegression(X, y, l2=1e-2)
    x = np.linspace(-1, 1, 4)
    u = np.arange(4.0)
    np.testing.assert_allclose(
        curvature.hvp(logistic, x, u), logistic.hessian(x) @ u, rtol=1e-13
    )
    np.testing.assert_allclose(
        curvature.hessian(logistic, x), logistic.hessian(x), rtol=1e-13
    )


def test_top_eigenvalue_is_the_largest_dense_eigenvalue(net):
    thetas = np.stack([net.init(seed=s) * 2 for s in range(3)])
    lam = curvature.top_eigenvalue(net, thetas, iters=200, tol=1e-10)
    dense = [np.linalg.eigvalsh(curvature.hessian(net, t))[-1] for t in thetas]
    np.testing.assert_allclose(lam, dense, rtol=1e-8)
    one = curvature.top_eigenvalue(net, thetas[0], iters=200, tol=1e-10)
    assert isinstance(one, float)
    assert one == pytest.approx(dense[0], rel=1e-8)


def test_default_tolerance_gives_sharpness_to_about_1e_6(net):
    theta = net.init(seed=4) * 2
    dense = np.linalg.eigvalsh(curvature.hessian(net, theta))[-1]
    assert curvature.top_eigenvalue(net, theta) == pytest.approx(dense, rel=1e-6)


def test_top_eigenvalue_is_the_algebraic_largest_not_the_largest_in_size():
    quad = Quadratic(np.diag([-10.0, 1.0, 0.5]))  # |−10| is the largest magnitude
    assert curvature.top_eigenvalue(quad, np.zeros(3), iters=10) == pytest.approx(1.0)


def test_an_invariant_krylov_space_ends_the_iteration_exactly():
    quad = Quadratic(np.diag([4.0, 1.0]))  # two iterations span the whole space
    lam = curvature.top_eigenvalue(quad, np.zeros((3, 2)), iters=50, tol=1e-12)
    np.testing.assert_allclose(lam, 4.0, rtol=1e-14)


def test_a_warm_start_at_the_eigenvector_converges_in_one_product(net):
    theta = net.init(seed=5) * 2
    lam, vec = curvature.top_eigenvalue(
        net, theta, iters=200, tol=1e-12, return_vector=True
    )
    assert np.linalg.norm(vec) == pytest.approx(1.0)
    again = curvature.top_eigenvalue(net, theta, iters=1, v0=vec)
    assert again == pytest.approx(lam, rel=1e-10)


def test_preconditioned_sharpness_is_the_top_eigenvalue_of_p_inverse_h(net):
    theta = net.init(seed=6) * 2
    P = np.random.default_rng(3).uniform(0.1, 2.0, net.dim)
    lam = curvature.top_eigenvalue(net, theta, precond=P, iters=300, tol=1e-11)
    H = curvature.hessian(net, theta)
    expected = np.max(np.linalg.eigvals(H / P[:, None]).real)
    assert lam == pytest.approx(expected, rel=1e-8)


def test_adam_preconditioner_is_cohen_et_al_p_t():
    opt = optim.Adam(lr=0.1, betas=(0.9, 0.99), eps=1e-3)
    g = np.array([2.0, -0.5])
    opt.step(np.zeros(2), g)
    P = curvature.adam_preconditioner(opt)
    # after one step v = 0.01 g² and v̂ = g², so P = (1 − 0.9)(|g| + ε)
    np.testing.assert_allclose(P, 0.1 * (np.abs(g) + 1e-3), rtol=1e-14)
    # and the step taken is exactly lr P⁻¹ m
    x = opt.step(np.zeros(2), g)
    np.testing.assert_allclose(
        x, -0.1 * opt.m / curvature.adam_preconditioner(opt), rtol=1e-14
    )


def test_noise_scale_is_trace_of_covariance_over_squared_gradient_norm():
    X, y, _ = make_classification(n=40, dim=3, seed=1)
    objective = LogisticRegression(X, y, l2=0.0)
    x = np.array([0.3, -0.2, 0.1])
    g = objective.per_example_grads(x)
    G = g.mean(axis=0)
    by_hand = np.sum((g - G) ** 2) / len(g) / (G @ G)
    scale = curvature.gradient_noise_scale(objective, x)
    assert scale == pytest.approx(by_hand, rel=1e-13)
    assert scale == pytest.approx(objective.gradient_variance(x) / (G @ G), rel=1e-13)
    stacked = curvature.gradient_noise_scale(objective, np.stack([x, 2 * x]))
    assert stacked.shape == (2,)
    assert stacked[0] == pytest.approx(scale, rel=1e-13)


def test_noise_scale_is_infinite_where_the_mean_gradient_vanishes():
    # f₁ and f₂ pull in opposite directions at x = 0: G = 0, tr Σ = 1
    objective = LeastSquares(np.array([[1.0], [1.0]]), np.array([1.0, -1.0]))
    assert curvature.gradient_noise_scale(objective, np.zeros(1)) == np.inf
    # every example at its own minimum: no signal and no noise
    exact = LeastSquares(np.array([[1.0], [2.0]]), np.array([0.0, 0.0]))
    assert np.isnan(curvature.gradient_noise_scale(exact, np.zeros(1)))


def test_track_sharpness_trains_as_run_does(net):
    theta0 = net.init(seed=0)
    trace = curvature.track_sharpness(optim.SGD(lr=0.5), net, theta0, 30, every=10)
    record = run(optim.SGD(lr=0.5), net, theta0, 30)
    np.testing.assert_allclose(trace.loss, record.loss, rtol=1e-13)
    np.testing.assert_allclose(trace.x, record.x[-1], rtol=1e-13)
    assert trace.step.tolist() == [0, 10, 20, 30]
    dense = np.linalg.eigvalsh(curvature.hessian(net, record.x[20]))[-1]
    assert trace.sharpness[2] == pytest.approx(dense, rel=1e-6)
    assert trace.diverged is False
    assert "30 steps" in repr(trace)


def test_track_sharpness_mini_batches_are_those_of_run(net):
    theta0 = net.init(seed=1)
    kwargs = dict(batch_size=8, rng=4)
    trace = curvature.track_sharpness(
        optim.SGD(lr=0.3), net, theta0, 25, every=5, **kwargs
    )
    record = run(optim.SGD(lr=0.3), net, theta0, 25, **kwargs)
    np.testing.assert_allclose(trace.loss, record.loss, rtol=1e-13)


def test_a_sweep_tracks_each_run_as_alone_and_stops_only_the_diverged_one():
    quad = Quadratic(np.diag([2.0, 1.0]))
    lrs = np.array([[0.5], [0.9], [1.2]])  # 2/L = 1: the last one diverges
    trace = curvature.track_sharpness(
        optim.SGD(lr=lrs), quad, np.array([1.0, 1.0]), 400, every=50
    )
    assert trace.loss.shape == (401, 3)
    assert trace.sharpness.shape == (9, 3)
    assert trace.diverged.tolist() == [False, False, True]
    np.testing.assert_allclose(trace.sharpness[:, :2], 2.0, rtol=1e-12)
    assert np.isnan(trace.sharpness[-1, 2]) and np.isnan(trace.loss[-1, 2])
    for i, lr in enumerate(lrs[:2, 0]):
        alone = curvature.track_sharpness(
            optim.SGD(lr=lr), quad, np.array([1.0, 1.0]), 400, every=50
        )
        np.testing.assert_allclose(trace.loss[:, i], alone.loss, rtol=1e-13)


def test_preconditioned_tracking_reads_adam_state(net):
    opt = optim.Adam(lr=1e-2)
    trace = curvature.track_sharpness(
        opt,
        net,
        net.init(seed=2),
        20,
        every=10,
        precond=curvature.adam_preconditioner,
        tol=1e-8,
        iters=100,
    )
    assert np.isnan(trace.sharpness[0])  # no preconditioner before the first step
    P = curvature.adam_preconditioner(opt)  # the state after the 20th step
    expected = curvature.top_eigenvalue(net, trace.x, precond=P, iters=200, tol=1e-10)
    assert trace.sharpness[-1] == pytest.approx(expected, rel=1e-6)


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda n: curvature.hvp(n, np.full(n.dim, np.nan), np.ones(n.dim)), "x"),
        (lambda n: curvature.hvp(n, n.init(seed=0), np.ones(3)), "v"),
        (lambda n: curvature.hvp(n, n.init(seed=0), "up"), "v"),
        (lambda n: curvature.hvp(object(), np.ones(3), np.ones(3)), "objective"),
        (lambda n: curvature.top_eigenvalue(n, n.init(seed=0), iters=0), "iters"),
        (lambda n: curvature.top_eigenvalue(n, n.init(seed=0), tol=0), "tol"),
        (lambda n: curvature.top_eigenvalue(n, n.init(seed=0), tol="1"), "tol"),
        (
            lambda n: curvature.top_eigenvalue(n, n.init(seed=0), precond=np.ones(4)),
            "precond",
        ),
        (
            lambda n: curvature.top_eigenvalue(
                n, n.init(seed=0), precond=-np.ones(n.dim)
            ),
            "precond",
        ),
        (
            lambda n: curvature.top_eigenvalue(n, n.init(seed=0), v0=np.zeros(n.dim)),
            "v0",
        ),
        (lambda n: curvature.top_eigenvalue(n, n.init(seed=0), seed="a"), "seed"),
        (
            lambda n: curvature.top_eigenvalue(n, n.init(seed=0), return_vector=1),
            "return_vector",
        ),
        (
            lambda n: curvature.gradient_noise_scale(Quadratic(np.eye(2)), [0, 0]),
            "objective",
        ),
        (lambda n: curvature.adam_preconditioner(optim.SGD(lr=0.1)), "optimizer"),
        (lambda n: curvature.adam_preconditioner(optim.Adam()), "no step"),
        (
            lambda n: curvature.track_sharpness(
                optim.SGD(lr=0.1), n, n.init(seed=0), 0
            ),
            "steps",
        ),
        (
            lambda n: curvature.track_sharpness(
                optim.SGD(lr=0.1), n, n.init(seed=0), 5, every=0
            ),
            "every",
        ),
        (
            lambda n: curvature.track_sharpness(
                optim.SGD(lr=0.1), n, np.ones((2, 2, n.dim)), 5
            ),
            "x0",
        ),
        (
            lambda n: curvature.track_sharpness(
                optim.SGD(lr=np.ones((3, 1))), n, np.ones((2, n.dim)), 5
            ),
            "x0",
        ),
        (
            lambda n: curvature.track_sharpness(
                optim.SGD(lr=0.1), n, n.init(seed=0), 5, batch_size=0
            ),
            "batch_size",
        ),
        (
            lambda n: curvature.track_sharpness(
                optim.SGD(lr=0.1), n, n.init(seed=0), 5, precond=1.0
            ),
            "precond",
        ),
        (lambda n: curvature.track_sharpness("SGD", n, n.init(seed=0), 5), "optimizer"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(net, call, name):
    with pytest.raises(ValueError, match=name):
        call(net)


@pytest.fixture(scope="module")
def squared_net():
    X, y, _, _ = digits(n_train=60, seed=0)
    return MLP(X[:, 20:32], y, hidden=5, loss="mse")


def test_squared_loss_gradient_and_hvp_match_finite_differences(squared_net):
    net = squared_net
    theta = net.init(seed=1) * 2
    h = 1e-5
    fd_grad = np.array(
        [
            (net.loss(theta + h * e) - net.loss(theta - h * e)) / (2 * h)
            for e in np.eye(net.dim)
        ]
    )
    assert np.abs(fd_grad - net.grad(theta)).max() <= 1e-7 * np.abs(fd_grad).max()
    v = np.random.default_rng(5).standard_normal(net.dim)
    exact = curvature.hvp(net, theta, v)
    assert np.linalg.norm(exact - central_hvp(net, theta, v)) <= 1e-6 * np.linalg.norm(
        exact
    )


def test_squared_loss_is_half_the_squared_distance_to_the_one_hot_label(squared_net):
    net = squared_net
    theta = net.init(seed=2)
    z = net.logits(theta, net.X)
    onehot = np.eye(net.classes)[net.y]
    expected = 0.5 * np.mean(np.sum((z - onehot) ** 2, axis=1))
    assert net.loss(theta) == pytest.approx(expected, rel=1e-13)
    assert net.evaluate(theta, net.X, net.y)["loss"] == pytest.approx(
        expected, rel=1e-13
    )
    # cross_entropy stays the softmax cross-entropy, whatever the training loss
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    ce = -np.mean(log_p[np.arange(net.n), net.y])
    assert net.cross_entropy(theta, net.X, net.y) == pytest.approx(ce, rel=1e-12)


def test_an_unknown_loss_is_refused_naming_it():
    X, y, _, _ = digits(n_train=20, seed=0)
    with pytest.raises(ValueError, match="loss"):
        MLP(X, y, loss="hinge")
