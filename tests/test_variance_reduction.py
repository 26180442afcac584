"""lessons_py.variance_reduction: SGD with importance sampling, SVRG, SAGA and SAG."""

import warnings

import numpy as np
import pytest

from lessons_py import Record, objectives
from lessons_py import variance_reduction as vr


@pytest.fixture(scope="module")
def logistic():
    X, y, _ = objectives.make_classification(n=1000, dim=10, seed=0)
    return objectives.LogisticRegression(X, y, l2=1e-2)


@pytest.fixture(scope="module")
def small():
    X, y, _ = objectives.make_classification(n=200, dim=4, seed=1)
    return objectives.LogisticRegression(X, y, l2=1e-2)


@pytest.fixture(scope="module")
def uneven():
    """Least squares whose rows have norms from 0.1 to 10: L_i spread over four
    decades."""
    rng = np.random.default_rng(0)
    n, d = 500, 5
    X = rng.normal(size=(n, d)) * np.geomspace(0.1, 10, n)[:, None]
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n)
    return objectives.LeastSquares(X, y, l2=1e-3)


@pytest.fixture(scope="module")
def runs(logistic):
    """The four methods at the same step 1/(3 L_max), about 25 passes over the data
    each."""
    n, x0 = logistic.n, np.zeros(logistic.dim)
    lr = 1 / (3 * logistic.example_smoothness().max())
    return {
        "svrg": vr.svrg(logistic, x0, lr, epochs=8, rng=0, record_every=n),
        "saga": vr.saga(logistic, x0, lr, steps=24 * n, rng=0, record_every=n),
        "sag": vr.sag(logistic, x0, lr, steps=30 * n, rng=0, record_every=n),
        "sgd": vr.sgd(logistic, x0, lr, steps=25 * n, rng=0, record_every=n),
    }


def suboptimality(objective, rec):
    return rec.loss - objective.loss(objective.minimizer)


def exact_mean_and_variance(estimates, probabilities, full_gradient):
    """E[g] and E||g - grad||^2 over the index distribution, summed exactly."""
    mean = probabilities @ estimates
    return mean, float(probabilities @ np.sum((estimates - full_gradient) ** 2, axis=1))


# -------------------------------------------------- linear convergence vs noise floor


def test_svrg_reaches_1e_10_suboptimality_in_eight_epochs(logistic, runs):
    rec = runs["svrg"]
    assert suboptimality(logistic, rec)[-1] < 1e-10
    assert rec.grad_evals[-1] == 8 * 3 * logistic.n  # n per snapshot + 2 per inner step


def test_saga_reaches_1e_10_suboptimality_in_25_passes(logistic, runs):
    rec = runs["saga"]
    assert suboptimality(logistic, rec)[-1] < 1e-10
    assert rec.grad_evals[-1] == 25 * logistic.n  # n for the table + 1 per step


def test_sag_converges_linearly_too(logistic, runs):
    assert suboptimality(logistic, runs["sag"])[-1] < 1e-10


def test_constant_step_sgd_stalls_far_above_with_the_same_budget(logistic, runs):
    sub = suboptimality(logistic, runs["sgd"])
    assert runs["sgd"].grad_evals[-1] == 25 * logistic.n
    assert np.all(
        sub[-10:] > 1e-3
    )  # measured: between 4e-3 and 3e-2 over the last 10 epochs


def test_variance_reduced_methods_fall_by_orders_of_magnitude_per_epoch(logistic, runs):
    sub = suboptimality(logistic, runs["svrg"])  # one entry per epoch
    assert np.all(np.diff(np.log10(sub[1:])) < -0.7)


# ------------------------------------------------------------------------- estimators


def test_svrg_estimate_is_unbiased_at_any_state(small):
    rng = np.random.default_rng(0)
    x, x_tilde = rng.normal(size=(2, small.dim))
    G, G_tilde = small.per_example_grads(x), small.per_example_grads(x_tilde)
    estimates = vr.svrg_estimate(G, G_tilde, small.grad(x_tilde))
    np.testing.assert_allclose(estimates.mean(axis=0), small.grad(x), atol=1e-14)


def test_svrg_variance_is_bounded_by_distance_to_the_snapshot(logistic):
    rng = np.random.default_rng(1)
    x_tilde = logistic.minimizer
    x = x_tilde + 1e-2 * rng.normal(size=logistic.dim)
    estimates = vr.svrg_estimate(
        logistic.per_example_grads(x),
        logistic.per_example_grads(x_tilde),
        logistic.grad(x_tilde),
    )
    uniform = np.full(logistic.n, 1 / logistic.n)
    _, variance = exact_mean_and_variance(estimates, uniform, logistic.grad(x))
    L_max = logistic.example_smoothness().max()
    assert variance <= L_max**2 * np.sum((x - x_tilde) ** 2)
    assert variance < 1e-2 * logistic.gradient_variance(x)  # plain SGD's variance there


def test_saga_estimate_is_unbiased_for_any_table(small):
    rng = np.random.default_rng(2)
    x = rng.normal(size=small.dim)
    table = rng.normal(size=(small.n, small.dim))  # whatever was stored
    estimates = vr.saga_estimate(small.per_example_grads(x), table, table.mean(axis=0))
    np.testing.assert_allclose(estimates.mean(axis=0), small.grad(x), atol=1e-14)


def test_sag_estimate_is_biased_towards_the_table_mean(small):
    rng = np.random.default_rng(2)
    x = rng.normal(size=small.dim)
    table = rng.normal(size=(small.n, small.dim))
    n, table_mean = small.n, table.mean(axis=0)
    estimates = vr.sag_estimate(small.per_example_grads(x), table, table_mean, n)
    mean = estimates.mean(axis=0)
    np.testing.assert_allclose(
        mean, small.grad(x) / n + (1 - 1 / n) * table_mean, atol=1e-14
    )
    assert np.linalg.norm(mean - small.grad(x)) > 0.1


def test_importance_probabilities_are_proportional_to_example_smoothness(uneven):
    p = vr.importance_probabilities(uneven)
    assert p.shape == (uneven.n,) and p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(
        p / uneven.example_smoothness(), p[0] / uneven.example_smoothness()[0]
    )


def test_importance_sampled_gradient_is_unbiased(uneven):
    p = vr.importance_probabilities(uneven)
    x = np.ones(uneven.dim)
    estimates = vr.sgd_estimate(uneven, x, np.arange(uneven.n)[:, None], p)
    mean, _ = exact_mean_and_variance(estimates, p, uneven.grad(x))
    np.testing.assert_allclose(mean, uneven.grad(x), rtol=1e-12)


def test_importance_sampling_cuts_the_variance_when_smoothness_varies(uneven):
    p, uniform = vr.importance_probabilities(uneven), np.full(uneven.n, 1 / uneven.n)
    x, idx, grad = (
        np.zeros(uneven.dim),
        np.arange(uneven.n)[:, None],
        uneven.grad(np.zeros(uneven.dim)),
    )
    _, var_uniform = exact_mean_and_variance(
        vr.sgd_estimate(uneven, x, idx), uniform, grad
    )
    _, var_importance = exact_mean_and_variance(
        vr.sgd_estimate(uneven, x, idx, p), p, grad
    )
    assert var_uniform == pytest.approx(uneven.gradient_variance(x))
    assert var_importance < var_uniform / 5  # measured: 3.6e3 against 2.1e4


def test_smoothness_sampling_is_not_variance_optimal_at_the_minimizer(uneven):
    # At x*, ||grad f_i|| grows like ||a_i|| (a residual times the row), not like
    # L_i ~ ||a_i||^2: sampling by L_i over-samples the long rows and is slightly worse
    # than uniform here.
    p, x = vr.importance_probabilities(uneven), uneven.minimizer
    idx, uniform = np.arange(uneven.n)[:, None], np.full(uneven.n, 1 / uneven.n)
    _, var_uniform = exact_mean_and_variance(
        vr.sgd_estimate(uneven, x, idx), uniform, uneven.grad(x)
    )
    _, var_importance = exact_mean_and_variance(
        vr.sgd_estimate(uneven, x, idx, p), p, uneven.grad(x)
    )
    assert 1.0 < var_importance / var_uniform < 1.2


def test_partially_biased_probabilities_mix_uniform_and_smoothness_sampling(uneven):
    L = uneven.example_smoothness()
    for u in (0.0, 0.25, 0.5, 1.0):
        p = vr.importance_probabilities(uneven, uniform=u)
        assert p.shape == (uneven.n,) and p.sum() == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_allclose(p, u / uneven.n + (1 - u) * L / L.sum(), rtol=1e-14)
        assert np.all(p >= u / uneven.n * (1 - 1e-12))
        if (
            u < 1
        ):  # the reweighted smoothness L_i / (n p_i) stays below mean(L) / (1 - u)
            assert np.max(L / (uneven.n * p)) <= L.mean() / (1 - u) * (1 + 1e-12)
    np.testing.assert_array_equal(
        vr.importance_probabilities(uneven, uniform=0.0),
        vr.importance_probabilities(uneven),
    )
    np.testing.assert_allclose(
        vr.importance_probabilities(uneven, uniform=1.0), 1 / uneven.n, rtol=1e-12
    )


@pytest.mark.parametrize("u", [0.5, 0.1])
def test_partially_biased_sampling_is_unbiased_and_at_most_1_over_u_worse(uneven, u):
    p, uniform = (
        vr.importance_probabilities(uneven, uniform=u),
        np.full(uneven.n, 1 / uneven.n),
    )
    idx = np.arange(uneven.n)[:, None]
    rng = np.random.default_rng(7)
    for x in (
        np.zeros(uneven.dim),
        uneven.minimizer,
        *rng.normal(size=(3, uneven.dim)),
    ):
        grad = uneven.grad(x)
        mean, var_mixed = exact_mean_and_variance(
            vr.sgd_estimate(uneven, x, idx, p), p, grad
        )
        scale = np.abs(uneven.per_example_grads(x)).max()
        np.testing.assert_allclose(mean, grad, rtol=0, atol=1e-13 * scale)
        _, var_uniform = exact_mean_and_variance(
            vr.sgd_estimate(uneven, x, idx), uniform, grad
        )
        # second moments: sum |g_i|^2 / (n^2 p_i) <= (1/u) sum |g_i|^2 / n
        moment_uniform = var_uniform + grad @ grad
        assert var_mixed + grad @ grad <= moment_uniform / u * (1 + 1e-12)


def test_partially_biased_sampling_beats_both_at_the_minimizer(uneven):
    # where fully L_i-proportional sampling is worse than uniform (the test above),
    # mixing in half uniform sampling is better than either
    x, idx = uneven.minimizer, np.arange(uneven.n)[:, None]
    variances = {}
    for u in (0.0, 0.5, 1.0):
        p = vr.importance_probabilities(uneven, uniform=u)
        _, variances[u] = exact_mean_and_variance(
            vr.sgd_estimate(uneven, x, idx, p), p, uneven.grad(x)
        )
    assert variances[0.5] < min(variances[0.0], variances[1.0])


def test_uniform_probabilities_give_the_plain_minibatch_mean(small):
    idx = np.array([[3, 7, 7], [0, 199, 5]])
    x = np.full(small.dim, 0.5)
    np.testing.assert_allclose(
        vr.sgd_estimate(small, x, idx, np.full(small.n, 1 / small.n)),
        small.batch_grad(x, idx),
        rtol=1e-14,
    )


def test_importance_sampling_allows_a_step_that_is_too_long_for_uniform_sgd(uneven):
    p = vr.importance_probabilities(uneven)
    lr = (
        0.5 / uneven.example_smoothness().mean()
    )  # 8/L_max: too long for the longest rows
    f_star, x0 = uneven.loss(uneven.minimizer), np.zeros(uneven.dim)
    plain = vr.sgd(uneven, x0, lr, 20 * uneven.n, rng=1, record_every=uneven.n)
    weighted = vr.sgd(
        uneven, x0, lr, 20 * uneven.n, rng=1, probabilities=p, record_every=uneven.n
    )
    assert np.median(plain.loss[-10:]) - f_star > 1.0  # measured 6.6
    assert np.median(weighted.loss[-10:]) - f_star < 0.05  # measured 0.008
    assert weighted.label == "SGD (importance sampling)"


# ------------------------------------------------------- the algorithms, step by step


@pytest.mark.parametrize("method", ["svrg", "saga", "sag"])
def test_first_step_of_a_variance_reduced_method_is_a_full_gradient_step(small, method):
    x0, lr = np.full(small.dim, 0.3), 0.1
    if method == "svrg":
        rec = vr.svrg(small, x0, lr, epochs=1, rng=0, inner_steps=5)
    else:
        rec = getattr(vr, method)(small, x0, lr, steps=5, rng=0)
    np.testing.assert_allclose(rec.x[1], x0 - lr * small.grad(x0), rtol=1e-13)
    assert not np.allclose(rec.x[2], rec.x[1] - lr * small.grad(rec.x[1]), rtol=1e-9)


def test_svrg_charges_the_snapshot_to_the_first_step_of_each_epoch(small):
    rec = vr.svrg(small, np.zeros(small.dim), 0.1, epochs=3, rng=0, inner_steps=10)
    t = np.arange(31)
    np.testing.assert_array_equal(rec.step, t)
    np.testing.assert_array_equal(rec.grad_evals, small.n * np.ceil(t / 10) + 2 * t)
    assert rec.memory == 2 * small.dim


def test_saga_and_sag_count_the_table_and_one_gradient_per_step(small):
    for method in (vr.saga, vr.sag):
        rec = method(small, np.zeros(small.dim), 0.1, steps=7, rng=0)
        np.testing.assert_array_equal(
            rec.grad_evals, [0] + [small.n + t for t in range(1, 8)]
        )
        assert rec.memory == (small.n + 1) * small.dim  # the n x d table and its mean


def test_sag_is_saga_with_the_biased_estimate(small):
    # one loop for both: the knob changes the estimate and the label, nothing else
    args = (small, np.zeros(small.dim), 0.1, 300, 4)
    a, b = vr.sag(*args, record_every=7), vr.saga(*args, 7, biased=True)
    for field in ("x", "loss", "grad_norm", "lr", "grad_evals", "step"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert a.label == b.label == "SAG" and a.memory == b.memory
    assert vr.saga(*args).label == "SAGA"
    assert not np.array_equal(vr.saga(*args).x, a.x)


def test_sgd_counts_batch_size_example_gradients_per_step(small):
    rec = vr.sgd(
        small, np.zeros(small.dim), 0.1, steps=6, rng=0, batch_size=4, record_every=3
    )
    np.testing.assert_array_equal(rec.step, [0, 3, 6])
    np.testing.assert_array_equal(rec.grad_evals, [0, 12, 24])
    assert rec.lr.shape == (6,) and rec.memory == 0


def test_svrg_random_option_restarts_each_epoch_from_one_of_its_iterates(small):
    m = 10
    rec = vr.svrg(
        small, np.zeros(small.dim), 0.1, epochs=4, rng=3, inner_steps=m, option="random"
    )
    for end in range(m, 4 * m + 1, m):
        candidates = rec.x[end - m : end]  # x_0 (the snapshot) ... x_{m-1}
        assert np.any(np.all(candidates == rec.x[end], axis=1))


def test_svrg_average_option_averages_the_iterates_after_the_snapshot(small):
    args = (small, np.zeros(small.dim), 0.1, 3, 0)
    last = vr.svrg(*args, inner_steps=1, option="last")
    average = vr.svrg(
        *args, inner_steps=1, option="average"
    )  # the mean of x_1 alone is x_1
    np.testing.assert_array_equal(average.x, last.x)


def test_every_svrg_option_converges_and_restarting_from_the_last_iterate_is_fastest(
    small,
):
    f_star = small.loss(small.minimizer)
    lr = 1 / (3 * small.example_smoothness().max())
    final = {
        option: vr.svrg(
            small,
            np.zeros(small.dim),
            lr,
            epochs=24,
            rng=0,
            option=option,
            record_every=small.n,
        ).loss[-1]
        - f_star
        for option in ("last", "random", "average")
    }
    assert max(final.values()) < 1e-8  # measured: 'random' 3e-9, 'average' 3e-9
    assert final["last"] < 1e-3 * min(
        final["random"], final["average"]
    )  # measured ~1e-14


def test_runs_are_reproducible_from_a_seed_or_a_generator(small):
    args = (small, np.zeros(small.dim), 0.1)
    a = vr.saga(*args, steps=50, rng=5)
    b = vr.saga(*args, steps=50, rng=np.random.default_rng(5))
    c = vr.saga(*args, steps=50, rng=6)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
    np.testing.assert_array_equal(
        vr.svrg(*args, 2, 5, inner_steps=20).x, vr.svrg(*args, 2, 5, inner_steps=20).x
    )


def test_record_shape_and_start_point_is_not_modified(small):
    x0 = np.full(small.dim, 0.2)
    rec = vr.sag(small, x0, 0.1, steps=10, rng=0)
    np.testing.assert_array_equal(x0, 0.2)
    assert isinstance(rec, Record) and isinstance(rec, vr.StochasticRecord)
    assert (
        rec.x.shape == (11, small.dim)
        and rec.loss.shape == (11,)
        and rec.lr.shape == (10,)
    )
    assert rec.x[0] is not x0 and "finished 10 steps" in repr(rec)


def test_too_long_a_step_diverges_and_stops_without_warnings(uneven):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = vr.saga(uneven, np.zeros(uneven.dim), 10.0, steps=10_000, rng=0)
    assert rec.diverged and rec.step[-1] < 10_000 and "diverged" in repr(rec)


# ------------------------------------------------------------------ invalid arguments


def _call(method, objective, **overrides):
    kwargs = dict(x0=np.zeros(objective.dim), lr=0.1, rng=0)
    kwargs |= {"svrg": dict(epochs=1)}.get(method, dict(steps=3))
    kwargs |= overrides
    return getattr(vr, method)(objective, **kwargs)


INVALID = [
    ("sgd", dict(lr=0.0), r"lr must lie in \(0.0, inf"),
    ("saga", dict(lr=-0.1), "lr must lie in"),
    ("sag", dict(lr=float("nan")), "lr must lie in"),
    ("saga", dict(steps=-1), "steps must be an integer >= 0"),
    ("sgd", dict(steps=2.5), "steps must be an integer"),
    ("svrg", dict(epochs=-2), "epochs must be an integer >= 0"),
    ("svrg", dict(inner_steps=0), "inner_steps must be an integer >= 1"),
    ("svrg", dict(option="first"), "option must be 'last', 'random' or 'average'"),
    ("sgd", dict(batch_size=0), "batch_size must be an integer >= 1"),
    (
        "sgd",
        dict(probabilities=np.full(200, 1.01 / 200)),
        "probabilities must sum to 1",
    ),
    (
        "sgd",
        dict(probabilities=np.r_[-0.005, np.full(199, 1.005 / 199)]),
        "probabilities must lie in",
    ),
    (
        "sgd",
        dict(probabilities=np.r_[0.0, np.full(199, 1 / 199)]),
        "probabilities must lie in",
    ),
    (
        "sgd",
        dict(probabilities=np.full(100, 0.01)),
        r"probabilities must have shape \(200,\)",
    ),
    ("saga", dict(x0=np.zeros(3)), r"x0 must have shape \(4,\)"),
    ("sag", dict(rng=None), "rng must be a np.random.Generator or an integer seed"),
    ("saga", dict(record_every=0), "record_every must be an integer >= 1"),
    ("saga", dict(biased="yes"), "biased must be True or False"),
]


@pytest.mark.parametrize(
    "method, overrides, message",
    INVALID,
    ids=[f"{m}-{next(iter(o))}" for m, o, _ in INVALID],
)
def test_invalid_arguments_raise_value_error_naming_them(
    small, method, overrides, message
):
    with pytest.raises(ValueError, match=message):
        _call(method, small, **overrides)


def test_a_deterministic_objective_is_rejected():
    with pytest.raises(ValueError, match="objective must be a finite sum"):
        vr.saga(objectives.Rosenbrock(), np.zeros(2), 0.1, 5, rng=0)


@pytest.mark.parametrize("uniform", [-0.1, 1.5, float("nan"), "half", [0.5]])
def test_the_uniform_share_of_importance_sampling_must_lie_in_0_1(small, uniform):
    with pytest.raises(ValueError, match="uniform must"):
        vr.importance_probabilities(small, uniform=uniform)
