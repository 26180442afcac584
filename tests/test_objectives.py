"""Objectives: gradients and Hessians against finite differences, finite-sum
consistency."""

import numpy as np
import pytest

from lessons_py import objectives as obj


def finite_sum_problems():
    X, y, _ = obj.make_regression(n=50, dim=3, seed=1)
    Xc, yc, _ = obj.make_classification(n=60, dim=4, seed=2)
    return [
        obj.LeastSquares(X, y, l2=0.1),
        obj.LogisticRegression(Xc, yc, l2=0.05),
        obj.NoisySum(obj.Rosenbrock(), n=40, sigma=2.0, seed=3),
    ]


PROBLEMS = [
    obj.Quadratic.with_condition_number(30, dim=3, seed=0),
    obj.ravine(),
    obj.Rosenbrock(),
    obj.Saddle(),
] + finite_sum_problems()
IDS = [p.name for p in PROBLEMS]


def numerical_grad(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


@pytest.mark.parametrize("problem", PROBLEMS, ids=IDS)
def test_gradient_matches_central_differences(problem):
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.normal(size=problem.dim)
        np.testing.assert_allclose(
            problem.grad(x), numerical_grad(problem.loss, x), rtol=1e-6, atol=1e-6
        )


@pytest.mark.parametrize("problem", PROBLEMS, ids=IDS)
def test_hessian_matches_differences_of_the_gradient(problem):
    rng = np.random.default_rng(1)
    for _ in range(3):
        x = rng.normal(size=problem.dim)
        H = problem.hessian(x)
        numeric = np.array(
            [
                (problem.grad(x + 1e-6 * e) - problem.grad(x - 1e-6 * e)) / 2e-6
                for e in np.eye(problem.dim)
            ]
        )
        np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(H, H.T)


@pytest.mark.parametrize("problem", PROBLEMS, ids=IDS)
def test_leading_axes_evaluate_many_points_at_once(problem):
    X = np.random.default_rng(2).normal(size=(4, 5, problem.dim))
    assert problem.loss(X).shape == (4, 5)
    assert problem.grad(X).shape == (4, 5, problem.dim)
    assert problem.hessian(X).shape == (4, 5, problem.dim, problem.dim)
    np.testing.assert_allclose(problem.loss(X)[2, 3], problem.loss(X[2, 3]))
    np.testing.assert_allclose(problem.grad(X)[1, 4], problem.grad(X[1, 4]))


@pytest.mark.parametrize("problem", PROBLEMS, ids=IDS)
def test_gradient_vanishes_at_the_minimizer(problem):
    if problem.minimizer is not None:
        assert np.linalg.norm(problem.grad(problem.minimizer)) < 1e-10


@pytest.mark.parametrize("problem", finite_sum_problems(), ids=lambda p: p.name)
def test_per_example_gradients_average_to_the_full_gradient(problem):
    x = np.random.default_rng(3).normal(size=problem.dim)
    G = problem.per_example_grads(x)
    assert G.shape == (problem.n, problem.dim)
    np.testing.assert_allclose(G.mean(axis=0), problem.grad(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        problem.batch_grad(x, np.arange(problem.n)),
        problem.grad(x),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize("problem", finite_sum_problems(), ids=lambda p: p.name)
def test_batch_gradient_is_the_mean_over_its_indices_and_vectorises(problem):
    x = np.random.default_rng(4).normal(size=problem.dim)
    idx = np.array([[0, 3, 7], [1, 1, 2]])
    G = problem.per_example_grads(x)
    got = problem.batch_grad(x, idx)
    np.testing.assert_allclose(got, G[idx].mean(axis=1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "bad",
    [np.array([], dtype=int), np.array([0, 50_000]), np.array([-1]), np.array([0.5])],
)
def test_batch_indices_are_validated(bad):
    problem = finite_sum_problems()[0]
    with pytest.raises(ValueError, match="idx must"):
        problem.batch_grad(np.zeros(problem.dim), bad)


def test_gradient_variance_is_mean_squared_deviation():
    problem = finite_sum_problems()[0]
    x = np.ones(problem.dim)
    G = problem.per_example_grads(x)
    expected = np.mean(np.sum((G - problem.grad(x)) ** 2, axis=1))
    assert problem.gradient_variance(x) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("problem", finite_sum_problems())
def test_gradient_variance_of_many_points_is_that_of_each(problem):
    points = np.random.default_rng(0).normal(size=(3, 2, problem.dim))
    variance = problem.gradient_variance(points)
    assert variance.shape == (3, 2)
    for i, j in np.ndindex(3, 2):
        each = problem.gradient_variance(points[i, j])
        assert variance[i, j] == pytest.approx(each, rel=1e-12)


def test_ravine_is_x1_squared_plus_100_x2_squared():
    r = obj.ravine()
    assert r.loss(np.array([3.0, 2.0])) == pytest.approx(9 + 400)
    assert r.L == 200 and r.condition_number == 100


@pytest.mark.parametrize("kappa", [1, 10, 1000])
def test_condition_number_is_as_requested_rotated_or_not(kappa):
    for seed in (None, 7):
        q = obj.Quadratic.with_condition_number(kappa, dim=4, L=2.0, seed=seed)
        assert q.condition_number == pytest.approx(kappa, rel=1e-9)
        assert pytest.approx(2.0) == q.L


def test_rosenbrock_minimum_and_saddle_geometry():
    assert obj.Rosenbrock().loss(np.array([1.0, 1.0])) == 0
    s = obj.Saddle()
    np.testing.assert_array_equal(s.grad(s.saddle_point), [0, 0])
    np.testing.assert_array_equal(
        np.linalg.eigvalsh(s.hessian(s.saddle_point)), [-1, 1]
    )
    np.testing.assert_allclose(s.loss(s.minima), [-0.25, -0.25])


def test_logistic_minimizer_is_newton_exact_and_loss_is_stable_for_huge_margins():
    problem = finite_sum_problems()[1]
    assert np.linalg.norm(problem.grad(problem.minimizer)) < 1e-13
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.isfinite(problem.loss(1e6 * np.ones(problem.dim)))
        assert np.all(np.isfinite(problem.grad(-1e6 * np.ones(problem.dim))))


def test_least_squares_minimizer_solves_normal_equations():
    X, y, _ = obj.make_regression(n=200, dim=4, seed=5)
    ls = obj.LeastSquares(X, y)
    np.testing.assert_allclose(
        ls.minimizer, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-10
    )


def test_noisy_sum_keeps_the_base_loss_and_has_zero_mean_noise():
    base = obj.Saddle()
    noisy = obj.NoisySum(base, n=100, sigma=0.5, seed=0)
    x = np.array([0.3, -0.2])
    assert noisy.loss(x) == base.loss(x)
    np.testing.assert_allclose(noisy.u.sum(axis=0), 0, atol=1e-12)
    assert noisy.gradient_variance(x) == pytest.approx(
        np.mean(np.sum(noisy.u**2, axis=1))
    )


def test_synthetic_data_is_seeded_and_sparse_when_asked():
    a, b = obj.make_classification(seed=4), obj.make_classification(seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    X, y, _ = obj.make_classification(n=2000, dim=20, density=0.1, seed=1)
    assert 0.08 < np.mean(X != 0) < 0.12 and set(np.unique(y)) == {0.0, 1.0}


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: obj.Quadratic([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
        (lambda: obj.Quadratic(np.ones(3)), "square"),
        (lambda: obj.Quadratic.with_condition_number(0.5), "kappa must lie in"),
        (lambda: obj.LeastSquares(np.ones((3, 2)), np.ones(4)), "X must be"),
        (
            lambda: obj.LogisticRegression(np.ones((3, 2)), np.array([0, 2, 1])),
            "labels 0 and 1",
        ),
        (
            lambda: obj.LogisticRegression(np.ones((3, 2)), np.array([0, 1, 1]), l2=-1),
            "l2 must",
        ),
        (lambda: obj.make_classification(density=0), "density must lie in"),
        (lambda: obj.NoisySum(obj.Saddle(), n=1), "n must be an integer >= 2"),
        (
            lambda: obj.Rosenbrock().loss(np.zeros(3)),
            r"x must have shape \(\.\.\., 2\)",
        ),
    ],
)
def test_bad_construction_and_shapes_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
