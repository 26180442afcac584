"""run_many (many mini-batch runs at once); LeastSquares.sgd_stationary_covariance."""

import itertools
import warnings

import numpy as np
import pytest

from lessons_py import objectives, optim, run
from lessons_py.loop import Runs, run_many


def small_regression(n=6, dim=3, l2=0.1, seed=0):
    X, y, _ = objectives.make_regression(n=n, dim=dim, noise=1.0, seed=seed)
    return objectives.LeastSquares(X, y, l2=l2)


class Spy(objectives.LeastSquares):
    """Least squares that remembers every index array batch_grad is asked for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = []

    def batch_grad(self, x, idx):
        self.calls.append(np.array(idx))
        return super().batch_grad(x, idx)


def test_shapes_and_bookkeeping():
    plane = small_regression(n=40, dim=2)
    out = run_many(
        optim.SGD(lr=0.05),
        plane,
        [1.0, -1.0],
        25,
        runs=7,
        batch_size=4,
        record_every=10,
    )
    assert isinstance(out, Runs) and "7 runs of 25 steps, 0 diverged" in repr(out)
    assert out.step.tolist() == [0, 10, 20, 25]
    assert out.x.shape == (4, 7, 2) and out.loss.shape == (4, 7)
    assert out.grad_evals.tolist() == [0, 40, 80, 100]
    assert np.all(out.x[0] == [1.0, -1.0])
    assert np.allclose(out.loss, plane.loss(out.x))
    assert not out.diverged.any()


def test_a_full_batch_without_replacement_is_gradient_descent_for_every_lr():
    plane = small_regression(n=16, dim=2, l2=0.0)
    lrs = np.array([0.01, 0.1, 0.3])
    out = run_many(
        optim.SGD(lr=lrs[:, None]), plane, [2.0, -1.0], 30, runs=3, batch_size=plane.n
    )
    for k, lr in enumerate(lrs):
        gd = run(optim.SGD(lr=lr), plane, [2.0, -1.0], 30)
        assert np.allclose(out.x[:, k], gd.x, rtol=1e-12, atol=1e-14)


def test_epoch_wise_shuffle_uses_every_example_once_per_epoch_and_run():
    spy = Spy(*objectives.make_regression(n=10, dim=2, seed=1)[:2])
    run_many(optim.SGD(lr=0.01), spy, [0.0, 0.0], 3 * 3, runs=4, batch_size=3, rng=5)
    idx = np.stack(spy.calls)  # (steps, runs, b); 10 // 3 = 3 batches per epoch
    assert idx.shape == (9, 4, 3)
    for epoch in range(3):
        used = idx[3 * epoch : 3 * epoch + 3].transpose(1, 0, 2).reshape(4, 9)
        assert all(len(set(row)) == 9 for row in used)  # no repeat within an epoch
    assert len({tuple(r) for r in idx[:3].transpose(1, 0, 2).reshape(4, 9)}) == 4


def test_independent_draws_are_uniform_and_may_repeat():
    spy = Spy(*objectives.make_regression(n=5, dim=2, seed=1)[:2])
    run_many(
        optim.SGD(lr=0.0),
        spy,
        [0.0, 0.0],
        400,
        runs=50,
        batch_size=5,
        rng=2,
        replacement=True,
    )
    idx = np.stack(spy.calls)
    counts = np.bincount(idx.ravel(), minlength=5) / idx.size
    assert np.all(np.abs(counts - 0.2) < 0.005)
    assert np.mean([len(set(b)) < 5 for b in idx.reshape(-1, 5)]) > 0.9


def test_one_step_is_unbiased():
    plane = small_regression(n=30, dim=2, l2=0.0, seed=3)
    x0 = np.array([1.0, 2.0])
    out = run_many(
        optim.SGD(lr=0.1),
        plane,
        x0,
        1,
        runs=40_000,
        batch_size=2,
        rng=7,
        replacement=True,
    )
    gd = x0 - 0.1 * plane.grad(x0)
    se = out.x[-1].std(axis=0) / np.sqrt(40_000)
    assert np.all(np.abs(out.x[-1].mean(axis=0) - gd) < 4.5 * se)


def test_schedule_sees_the_number_of_completed_updates():
    seen = []

    def schedule(s):
        seen.append(s)
        return 0.1 / (1 + s)

    plane = small_regression(n=8, dim=2)
    opt = optim.SGD(lr=1.0)
    run_many(opt, plane, [0.0, 0.0], 5, runs=2, batch_size=2, schedule=schedule)
    assert seen == [0, 1, 2, 3, 4] and opt.lr == 0.1 / 5


def test_per_run_start_points_and_reproducibility():
    plane = small_regression(n=12, dim=2)
    x0 = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, -2.0]])
    a = run_many(optim.SGD(lr=0.05), plane, x0, 20, runs=3, batch_size=3, rng=4)
    b = run_many(optim.SGD(lr=0.05), plane, x0, 20, runs=3, batch_size=3, rng=4)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.x[0], x0)


def test_diverging_runs_are_flagged_without_warnings():
    plane = small_regression(n=12, dim=2, l2=0.0)
    lrs = np.array([[0.01], [50.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = run_many(optim.SGD(lr=lrs), plane, [1.0, 1.0], 400, runs=2, batch_size=4)
    assert out.diverged.tolist() == [False, True]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(runs=0, batch_size=1), "runs must be an integer >= 1"),
        (dict(runs=2, batch_size=0), "batch_size must be an integer in"),
        (dict(runs=2, batch_size=99), "batch_size must be an integer in"),
        (dict(runs=2, batch_size=1, record_every=0), "record_every"),
        (dict(runs=2, batch_size=1, replacement="yes"), "replacement"),
    ],
)
def test_bad_arguments(kwargs, match):
    plane = small_regression(n=10, dim=2)
    with pytest.raises(ValueError, match=match):
        run_many(optim.SGD(lr=0.1), plane, [0.0, 0.0], 5, **kwargs)


def test_bad_objective_and_start():
    plane = small_regression(n=10, dim=2)
    with pytest.raises(ValueError, match="finite-sum objective"):
        run_many(optim.SGD(), objectives.ravine(), [0.0, 0.0], 5, runs=2, batch_size=1)
    with pytest.raises(ValueError, match=r"x0 must have shape \(2,\) or \(3, 2\)"):
        run_many(optim.SGD(), plane, np.zeros((2, 2)), 5, runs=3, batch_size=1)
    with pytest.raises(ValueError, match="x0 must be finite"):
        run_many(optim.SGD(), plane, [np.nan, 0.0], 5, runs=3, batch_size=1)


# --- the stationary covariance of constant-step SGD on least squares ---------------


def second_moment_fixed_point(problem, lr, b, iterations=200_000, tol=1e-15):
    """C from the recursion C <- E[(I - lr H_B) C (I - lr H_B)] + lr^2 E[w_B w_B^T],
    with the expectation taken exactly over all n^b ordered batches (small n only)."""
    d, eye = problem.dim, np.eye(problem.dim)
    G = problem.per_example_grads(problem.minimizer)
    Hi = problem.X[:, :, None] * problem.X[:, None, :] + problem.l2 * eye
    batches = list(itertools.product(range(problem.n), repeat=b))
    HB = np.array([Hi[list(B)].mean(axis=0) for B in batches])
    wB = np.array([G[list(B)].mean(axis=0) for B in batches])
    noise = lr**2 * np.einsum("ni,nj->ij", wB, wB) / len(batches)
    step = eye - lr * HB
    C = np.zeros((d, d))
    for _ in range(iterations):
        new = np.einsum("nij,jk,nlk->il", step, C, step) / len(batches) + noise
        if np.max(np.abs(new - C)) < tol:
            return new
        C = new
    raise AssertionError("the fixed-point iteration did not converge")


@pytest.mark.parametrize("b", [1, 2])
def test_stationary_covariance_is_the_fixed_point_of_the_second_moments(b):
    problem = small_regression(n=6, dim=3, l2=0.1, seed=2)
    lr = 0.3 / np.max(problem.example_smoothness())
    C = problem.sgd_stationary_covariance(lr, batch_size=b)
    reference = second_moment_fixed_point(problem, lr, b)
    assert np.allclose(C, reference, rtol=1e-9, atol=1e-14)
    assert np.allclose(C, C.T) and np.all(np.linalg.eigvalsh(C) > 0)


def test_small_lr_limit_is_eta_sigma2_over_4b():
    problem = small_regression(n=50, dim=2, l2=0.0, seed=4)
    H = problem.hessian(problem.minimizer)
    sigma2 = problem.gradient_variance(problem.minimizer)
    for b in [1, 3]:
        for lr in [1e-6, 1e-4]:
            floor = 0.5 * np.trace(H @ problem.sgd_stationary_covariance(lr, b))
            assert floor / (lr * sigma2 / (4 * b)) - 1 == pytest.approx(0, abs=lr * 50)
    # the correction is positive and grows with lr
    ratios = [
        0.5 * np.trace(H @ problem.sgd_stationary_covariance(lr)) / (lr * sigma2 / 4)
        for lr in [0.01, 0.02, 0.04]
    ]
    assert 1 < ratios[0] < ratios[1] < ratios[2]


def test_stationary_covariance_matches_simulated_sgd_with_independent_draws():
    X, y, _ = objectives.make_regression(n=64, dim=2, noise=1.0, scales=[1, 2], seed=3)
    problem = objectives.LeastSquares(X, y)
    lr, b = 0.03, 2
    C = problem.sgd_stationary_covariance(lr, batch_size=b)
    out = run_many(
        optim.SGD(lr=lr),
        problem,
        problem.minimizer,
        3000,
        runs=200,
        batch_size=b,
        rng=0,
        replacement=True,
        record_every=5,
    )
    late = out.x[out.step >= 500] - problem.minimizer  # (entries, runs, d)
    measured = np.einsum("eri,erj->ij", late, late) / (late.shape[0] * late.shape[1])
    assert np.allclose(measured, C, rtol=0.06, atol=0.03 * np.abs(C).max())


def test_stationary_covariance_refuses_unstable_or_bad_arguments():
    problem = small_regression(n=20, dim=2, l2=0.0, seed=1)
    L = np.linalg.eigvalsh(problem.hessian(problem.minimizer)).max()
    with pytest.raises(ValueError, match="second moments diverge"):
        problem.sgd_stationary_covariance(2.5 / L)  # beyond 2/L: not even GD is stable
    with pytest.raises(ValueError, match=r"lr must lie in \(0.0, inf\)"):
        problem.sgd_stationary_covariance(0.0)
    with pytest.raises(ValueError, match="batch_size must be an integer"):
        problem.sgd_stationary_covariance(0.01, batch_size=0)
