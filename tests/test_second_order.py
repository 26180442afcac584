"""lessons_py.second_order: Newton (plain and safeguarded), CG, Newton-CG, L-BFGS,
Gauss–Newton, the Fisher and the natural gradient."""

import numpy as np
import pytest

from lessons_py import Record, objectives, optim, run
from lessons_py import second_order as so

START = np.array([-1.2, 1.0])  # the classic Rosenbrock start


@pytest.fixture(scope="module")
def logistic():
    X, y, _ = objectives.make_classification(n=300, dim=5, seed=0)
    return objectives.LogisticRegression(X, y, l2=1e-2)


@pytest.fixture(scope="module")
def rosenbrock_lbfgs():
    return so.lbfgs(objectives.Rosenbrock(), START)


# --------------------------------------------------------------------------- Newton


def test_plain_newton_converges_to_the_saddle():
    saddle = objectives.Saddle()
    rec = so.newton(saddle, [1.0, 0.3])
    assert rec.converged and rec.iterations <= 6
    np.testing.assert_allclose(rec.x[-1], saddle.saddle_point, atol=1e-12)
    assert np.linalg.eigvalsh(saddle.hessian(rec.x[-1]))[0] == pytest.approx(-1.0)
    assert (
        rec.loss[-1] > rec.loss[0] - 1
    )  # not a descent method: it only solves grad f = 0


def test_safeguarded_newton_reaches_a_minimum_from_the_same_start():
    saddle = objectives.Saddle()
    rec = so.newton(saddle, [1.0, 0.3], line_search=True)
    assert rec.converged
    np.testing.assert_allclose(rec.x[-1], [0.0, 1.0], atol=1e-10)
    assert np.all(np.diff(rec.loss) < 0)
    assert rec.lr[0] < 1  # the modified Hessian's step was too long and was backtracked


def test_enough_damping_alone_also_repels_the_saddle():
    rec = so.newton(objectives.Saddle(), [1.0, 0.3], damping=2.0, max_iter=100)
    np.testing.assert_allclose(
        rec.x[-1], [0.0, 1.0], atol=1e-8
    )  # 3x2^2 - 1 + 2 > 0 everywhere


def test_huge_damping_turns_newton_into_a_gradient_step():
    q = objectives.Quadratic.with_condition_number(10, dim=3, seed=0)
    x0 = np.array([1.0, -2.0, 0.5])
    rec = so.newton(q, x0, max_iter=1, damping=1e8)
    np.testing.assert_allclose(rec.x[1], x0 - q.grad(x0) / 1e8, rtol=1e-12)


def test_newton_solves_a_quadratic_in_one_step():
    q = objectives.Quadratic(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0]))
    rec = so.newton(q, [5.0, 5.0])
    np.testing.assert_allclose(rec.x[1], q.minimizer, rtol=1e-14)
    assert rec.converged and rec.iterations == 1


def test_newton_converges_quadratically(logistic):
    rec = so.newton(logistic, np.zeros(logistic.dim))
    errors = np.linalg.norm(rec.x - logistic.minimizer, axis=1)
    assert rec.converged and rec.iterations <= 7
    near = np.flatnonzero((errors[:-1] < 0.1) & (errors[1:] > 1e-14))
    assert len(near) >= 2
    assert np.all(errors[near + 1] <= errors[near] ** 2)  # the digits double


def test_newton_counts_one_gradient_and_hessian_per_iteration_in_example_units(
    logistic,
):
    rec = so.newton(logistic, np.zeros(logistic.dim), max_iter=3, tol=0.0)
    n = logistic.n
    np.testing.assert_array_equal(rec.grad_evals, n * np.arange(4))
    np.testing.assert_array_equal(rec.hess_evals, n * np.arange(4))
    np.testing.assert_array_equal(rec.loss_evals, 0)  # plain Newton never needs f


def test_newton_line_search_counts_its_loss_evaluations():
    rec = so.newton(objectives.Rosenbrock(), START, line_search=True)
    assert rec.converged and np.all(np.diff(rec.loss) < 0)
    trials = 1 + np.round(-np.log2(rec.lr)).astype(
        int
    )  # alpha = 2^-j after j + 1 trials
    np.testing.assert_array_equal(np.diff(rec.loss_evals), 1 + trials)


def test_singular_hessian_stops_plain_newton_without_converging():
    q = objectives.Quadratic(np.diag([1.0, 0.0]), np.array([1.0, 1.0]))
    rec = so.newton(q, [0.0, 0.0])
    assert not rec.converged and rec.iterations == 0 and not rec.diverged


# ------------------------------------------------------------ Hessian-vector products


def test_finite_difference_hvp_matches_the_exact_product(logistic):
    rng = np.random.default_rng(1)
    for objective in (objectives.Rosenbrock(), logistic):
        x, v = rng.normal(size=objective.dim), rng.normal(size=objective.dim)
        exact = objective.hessian(x) @ v
        approx = so.hessian_vector_product(objective, x, v)
        assert np.linalg.norm(approx - exact) <= 1e-6 * np.linalg.norm(exact)


def test_finite_difference_hvp_error_is_first_order_in_eps():
    r, x, v = objectives.Rosenbrock(), np.array([-0.7, 0.4]), np.array([0.6, -0.8])
    exact = r.hessian(x) @ v
    errors = [
        np.linalg.norm(so.hessian_vector_product(r, x, v, eps) - exact)
        for eps in (1e-2, 1e-3, 1e-4)
    ]
    np.testing.assert_allclose(np.array(errors[:-1]) / errors[1:], 10, rtol=0.05)


def test_hvp_of_a_zero_vector_is_zero_and_inputs_are_kept():
    x, v = np.array([0.3, 0.2]), np.zeros(2)
    np.testing.assert_array_equal(
        so.hessian_vector_product(objectives.Rosenbrock(), x, v), 0
    )
    np.testing.assert_array_equal(x, [0.3, 0.2])


# ------------------------------------------------------------ conjugate gradient


def test_cg_solves_an_spd_system_in_about_d_iterations():
    d = 10
    q = objectives.Quadratic.with_condition_number(1000, dim=d, seed=1)
    b = np.random.default_rng(0).normal(size=d)
    res = so.conjugate_gradient(lambda v: q.A @ v, b, tol=1e-10)
    # The Chebyshev bound 2((sqrt(k) - 1)/(sqrt(k) + 1))^j < 1e-10 needs j ~ 370;
    # CG stops near d.
    assert res.iterations <= d + 3 and not res.negative_curvature
    assert res.residual_norms[-1] <= 1e-10 * np.linalg.norm(b)
    np.testing.assert_allclose(res.x, np.linalg.solve(q.A, b), rtol=1e-9)


def test_cg_needs_one_iteration_per_distinct_eigenvalue():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(50, 50)))
    A = (Q * np.repeat([1.0, 5.0, 20.0], [20, 20, 10])) @ Q.T
    res = so.conjugate_gradient(lambda v: A @ v, rng.normal(size=50), tol=1e-10)
    assert res.iterations == 3 and len(res.residual_norms) == 4


def test_cg_error_in_the_a_norm_decreases_at_every_iteration():
    q = objectives.Quadratic.with_condition_number(100, dim=8, seed=2)
    b = np.ones(8)
    x_star = np.linalg.solve(q.A, b)
    errors = []
    for j in range(9):
        e = so.conjugate_gradient(lambda v: q.A @ v, b, tol=0.0, max_iter=j).x - x_star
        errors.append(np.sqrt(e @ q.A @ e))
    assert np.all(np.diff(errors) < 0)


@pytest.mark.parametrize("b, iterations", [([0.0, 1.0], 0), ([1.0, 0.5], 1)])
def test_cg_stops_at_negative_curvature(b, iterations):
    res = so.conjugate_gradient(lambda v: np.array([1.0, -1.0]) * v, np.array(b))
    assert res.negative_curvature and res.iterations == iterations
    assert "negative curvature" in repr(res)


# --------------------------------------------------------------------------- Newton-CG


def test_newton_cg_converges_on_rosenbrock_counting_hessian_vector_products():
    rec = so.newton_cg(objectives.Rosenbrock(), START)
    assert rec.converged and rec.grad_norm[-1] <= 1e-8 and rec.iterations <= 70
    assert np.all(np.diff(rec.loss) < 0)
    assert rec.hess_evals[-1] >= rec.iterations  # at least one product per iteration
    np.testing.assert_array_equal(rec.grad_evals, np.arange(rec.iterations + 1))


def test_newton_cg_with_finite_difference_products_pays_one_gradient_each():
    rec = so.newton_cg(objectives.Rosenbrock(), START, hvp="finite_difference")
    assert rec.converged
    np.testing.assert_allclose(rec.x[-1], [1.0, 1.0], atol=1e-8)
    np.testing.assert_array_equal(
        rec.grad_evals, np.arange(rec.iterations + 1) + rec.hess_evals
    )


def test_hessian_vector_product_reuses_a_known_gradient():
    calls = []

    class Counting(objectives.Rosenbrock):
        def grad(self, x):
            calls.append(1)
            return super().grad(x)

    f, x, v = Counting(), np.array([0.3, -0.2]), np.array([1.0, 2.0])
    g = f.grad(x)
    calls.clear()
    hv = so.hessian_vector_product(f, x, v, grad_x=g)
    assert len(calls) == 1
    np.testing.assert_allclose(hv, f.hessian(x) @ v, rtol=1e-6)


def test_newton_cg_escapes_the_saddle_that_plain_newton_converges_to():
    rec = so.newton_cg(objectives.Saddle(), [1.0, 0.3])
    assert rec.converged
    np.testing.assert_allclose(rec.x[-1], [0.0, 1.0], atol=1e-8)


def test_newton_cg_steps_along_the_gradient_when_cg_meets_negative_curvature_at_once():
    saddle, x0 = (
        objectives.Saddle(),
        np.array([0.0, 0.3]),
    )  # -grad points along x2, where H < 0
    rec = so.newton_cg(saddle, x0)
    step = rec.x[1] - rec.x[0]
    np.testing.assert_allclose(step / rec.lr[0], -saddle.grad(x0))
    assert rec.converged and rec.x[-1] == pytest.approx([0.0, 1.0], abs=1e-8)


# --------------------------------------------------------------------------- L-BFGS


def test_lbfgs_solves_rosenbrock_as_fast_as_scipy(rosenbrock_lbfgs):
    rec = rosenbrock_lbfgs
    # scipy 1.17 L-BFGS-B (m=10): ||grad|| < 1e-8 after 38 iterations, 46 evaluations
    # of f and grad.
    assert rec.converged and rec.grad_norm[-1] < 1e-8
    assert rec.iterations <= 40 and rec.grad_evals[-1] <= 50
    np.testing.assert_allclose(rec.x[-1], [1.0, 1.0], atol=1e-9)


def test_lbfgs_matches_scipy_when_scipy_is_installed():
    optimize = pytest.importorskip("scipy.optimize")
    r = objectives.Rosenbrock()
    ref = optimize.minimize(
        r.loss,
        START,
        jac=r.grad,
        method="L-BFGS-B",
        options=dict(maxcor=10, gtol=1e-9, ftol=0.0),
    )
    rec = so.lbfgs(r, START, tol=1e-8)
    assert rec.iterations <= ref.nit + 5 and rec.grad_evals[-1] <= ref.nfev + 5


def test_every_lbfgs_step_satisfies_the_strong_wolfe_conditions(rosenbrock_lbfgs):
    r, rec = objectives.Rosenbrock(), rosenbrock_lbfgs
    for t in range(1, rec.iterations + 1):
        x, x_new, alpha = rec.x[t - 1], rec.x[t], rec.lr[t - 1]
        p = (x_new - x) / alpha
        slope0 = r.grad(x) @ p
        assert slope0 < 0
        assert r.loss(x_new) <= r.loss(x) + 1e-4 * alpha * slope0
        assert abs(r.grad(x_new) @ p) <= 0.9 * abs(slope0) * (1 + 1e-9)


def test_lbfgs_accepts_the_unit_step_almost_always(rosenbrock_lbfgs):
    assert np.mean(rosenbrock_lbfgs.lr == 1.0) >= 0.75


def test_lbfgs_counts_one_gradient_per_line_search_trial(rosenbrock_lbfgs):
    rec = rosenbrock_lbfgs
    np.testing.assert_array_equal(rec.grad_evals, rec.loss_evals)
    np.testing.assert_array_equal(rec.hess_evals, 0)
    steps = np.diff(rec.grad_evals)
    assert steps[0] >= 2 and np.all(steps[1:] >= 1)  # the first also pays for x0


def test_lbfgs_beats_gradient_descent_by_orders_of_magnitude_when_ill_conditioned():
    q = objectives.Quadratic.with_condition_number(1000, dim=50, seed=0)
    x0 = np.ones(50)
    rec = so.lbfgs(q, x0, max_iter=400)
    assert rec.converged and rec.iterations <= 250  # scipy's L-BFGS-B: 229
    gd = run(optim.SGD(lr=1 / q.L), q, x0, int(rec.grad_evals[-1]), record_every=1000)
    assert (
        gd.grad_norm[-1] > 1e5 * rec.grad_norm[-1]
    )  # with as many gradients as L-BFGS used


def test_two_loop_recursion_equals_the_explicit_bfgs_update():
    rng = np.random.default_rng(0)
    d = 4
    B = rng.normal(size=(d, d))
    A = B @ B.T + d * np.eye(d)
    s_list = [rng.normal(size=d) for _ in range(3)]
    y_list = [A @ s for s in s_list]  # sᵀy > 0
    gamma = s_list[-1] @ y_list[-1] / (y_list[-1] @ y_list[-1])
    H, I = gamma * np.eye(d), np.eye(d)
    for s, y in zip(s_list, y_list):
        rho = 1 / (y @ s)
        H = (I - rho * np.outer(s, y)) @ H @ (
            I - rho * np.outer(y, s)
        ) + rho * np.outer(s, s)
    g = rng.normal(size=d)
    np.testing.assert_allclose(
        so.two_loop_direction(g, s_list, y_list), -H @ g, rtol=1e-12
    )
    np.testing.assert_allclose(
        so.two_loop_direction(y_list[-1], s_list, y_list), -s_list[-1], rtol=1e-12
    )  # the secant equation H y = s
    np.testing.assert_array_equal(so.two_loop_direction(g, [], []), -g)


@pytest.mark.parametrize("alpha0", [1e-6, 1.0, 1e3])
def test_strong_wolfe_search_brackets_and_zooms_from_any_first_trial(alpha0):
    r, x = objectives.Rosenbrock(), START
    g = r.grad(x)
    p = -g / np.linalg.norm(g)
    point, evals = so.strong_wolfe(r, x, p, r.loss(x), g, alpha0=alpha0)
    assert point is not None and evals <= 30
    assert point.f <= r.loss(x) + 1e-4 * point.alpha * (g @ p)
    assert abs(point.slope) <= 0.9 * abs(g @ p)
    np.testing.assert_allclose(point.g, r.grad(x + point.alpha * p))


def test_backtracking_returns_the_first_halving_with_sufficient_decrease():
    r, x = objectives.Rosenbrock(), START
    g = r.grad(x)
    alpha, f_new, evals = so.backtracking(r, x, -g, r.loss(x), g)
    assert f_new <= r.loss(x) - 1e-4 * alpha * (g @ g)
    assert r.loss(x - 2 * alpha * g) > r.loss(x) - 1e-4 * 2 * alpha * (g @ g)
    assert alpha == 0.5 ** (evals - 1)


# ------------------------------------------------------------- Gauss–Newton, Fisher


@pytest.fixture(scope="module")
def least_squares():
    X, y, _ = objectives.make_regression(n=200, dim=4, scales=[1, 2, 3, 4], seed=1)
    return objectives.LeastSquares(X, y, l2=0.1)


def test_gauss_newton_matrix_is_the_hessian_of_linear_models(logistic, least_squares):
    rng = np.random.default_rng(0)
    for problem in (logistic, least_squares):
        for x in (np.zeros(problem.dim), *rng.normal(scale=2.0, size=(3, problem.dim))):
            G = so.gauss_newton_matrix(problem, x)
            np.testing.assert_allclose(G, problem.hessian(x), rtol=1e-12, atol=1e-15)


def test_fisher_of_the_log_loss_is_the_gauss_newton_matrix_without_the_prior(
    logistic, least_squares
):
    rng = np.random.default_rng(1)
    for problem in (logistic, least_squares):
        for x in (np.zeros(problem.dim), *rng.normal(size=(3, problem.dim))):
            F = so.fisher_information(problem, x)
            G = so.gauss_newton_matrix(problem, x)
            np.testing.assert_allclose(
                F + problem.l2 * np.eye(problem.dim), G, rtol=1e-12, atol=1e-15
            )


def test_fisher_is_the_expected_outer_product_of_scores_with_model_labels(logistic):
    # Monte Carlo from the definition: labels drawn from the model, not the data
    x = np.random.default_rng(2).normal(size=logistic.dim)
    p = 1 / (1 + np.exp(-logistic.X @ x))
    draws = 4000
    labels = np.random.default_rng(3).random((draws, logistic.n)) < p
    residual = labels - p  # (draws, n): the score of example i is residual * a_i
    second = np.mean(residual**2, axis=0)
    F_mc = (logistic.X * second[:, None]).T @ logistic.X / logistic.n
    F = so.fisher_information(logistic, x)
    assert np.linalg.norm(F_mc - F) < 0.03 * np.linalg.norm(F)


def test_empirical_fisher_uses_the_data_labels(logistic):
    # at x = 0 every prediction is 1/2, so (p - y)^2 = 1/4 whatever the label
    zero = np.zeros(logistic.dim)
    np.testing.assert_allclose(
        so.empirical_fisher(logistic, zero),
        so.fisher_information(logistic, zero),
        rtol=1e-12,
    )
    x = -logistic.minimizer  # confidently wrong: the observed residuals are large
    E, F = so.empirical_fisher(logistic, x), so.fisher_information(logistic, x)
    assert np.linalg.norm(E - F) > np.linalg.norm(F)
    G = logistic.per_example_grads(x) - logistic.l2 * x
    np.testing.assert_allclose(E, np.einsum("ni,nj->ij", G, G) / logistic.n)


def test_gauss_newton_of_rosenbrock_drops_the_residual_curvature():
    rosen = objectives.Rosenbrock()
    for x in np.random.default_rng(4).normal(scale=1.5, size=(20, 2)):
        G = so.gauss_newton_matrix(rosen, x)
        missing = np.diag([-4 * rosen.b * (x[1] - x[0] ** 2), 0.0])
        np.testing.assert_allclose(rosen.hessian(x) - G, missing, atol=1e-9)
        assert np.linalg.eigvalsh(G)[0] > 0  # J is square with det = -sqrt(b)
    assert np.linalg.eigvalsh(rosen.hessian([0.0, 1.0]))[0] < 0  # H can be indefinite


def test_gauss_newton_solves_rosenbrock_in_two_full_steps():
    rec = so.gauss_newton(objectives.Rosenbrock(), START)
    # r is square and J invertible, so the step solves the linearised r = 0: x1 jumps
    # to 1, then x2 = 1 - (1 - x1)^2 from the linearisation, then the exact minimum
    assert rec.converged and rec.iterations == 2 and rec.label == "Gauss–Newton"
    np.testing.assert_allclose(rec.x[1], [1.0, 1.0 - (1.0 - START[0]) ** 2])
    np.testing.assert_allclose(rec.x[-1], [1.0, 1.0], atol=1e-14)
    searched = so.gauss_newton(objectives.Rosenbrock(), START, line_search=True)
    assert searched.converged and np.all(np.diff(searched.loss) < 0)
    assert searched.label == "Gauss–Newton + line search"


def test_natural_gradient_with_the_fisher_is_newton_for_logistic_regression(logistic):
    start = np.zeros(logistic.dim)
    newton, natural = so.newton(logistic, start), so.natural_gradient(logistic, start)
    assert natural.label == "natural gradient (Fisher)"
    assert natural.iterations == newton.iterations
    np.testing.assert_allclose(natural.x, newton.x, rtol=0, atol=1e-12)
    gn = so.gauss_newton(logistic, start)
    np.testing.assert_allclose(gn.x, newton.x, rtol=0, atol=1e-12)


def test_natural_gradient_with_the_empirical_fisher_converges_only_linearly(logistic):
    start = np.zeros(logistic.dim)
    rec = so.natural_gradient(logistic, start, fisher="empirical", max_iter=200)
    newton = so.newton(logistic, start)
    assert rec.converged and rec.label == "natural gradient (empirical Fisher)"
    assert rec.iterations > 2 * newton.iterations
    late = rec.grad_norm[-6:-1] / rec.grad_norm[-7:-2]  # a steady factor per step
    assert np.all((late > 0.05) & (late < 0.9)), late


def test_newton_accepts_a_curvature_model_in_place_of_the_hessian(logistic):
    start = np.zeros(logistic.dim)
    same = so.newton(logistic, start, curvature=logistic.hessian)
    np.testing.assert_array_equal(same.x, so.newton(logistic, start).x)
    scaled = so.newton(logistic, start, curvature=lambda x: 2 * logistic.hessian(x))
    # twice the curvature: half the Newton step, linear convergence with factor 1/2
    assert scaled.converged and scaled.iterations > same.iterations


# --------------------------------------------------------------------------- contract


@pytest.mark.parametrize("method", [so.newton, so.newton_cg, so.lbfgs])
def test_records_have_the_shared_shape_and_leave_x0_alone(method):
    x0 = START.copy()
    rec = method(objectives.Rosenbrock(), x0, max_iter=5, tol=0.0)
    np.testing.assert_array_equal(x0, START)
    assert isinstance(rec, Record) and not rec.converged
    k = rec.iterations
    assert k == 5 and rec.x.shape == (k + 1, 2) and rec.lr.shape == (k,)
    np.testing.assert_array_equal(rec.step, np.arange(k + 1))
    for counts in (rec.grad_evals, rec.loss_evals, rec.hess_evals):
        assert (
            counts.shape == (k + 1,) and counts[0] == 0 and np.all(np.diff(counts) >= 0)
        )
    assert "finished 5 steps" in repr(rec)


def test_converged_status_reports_iterations_and_gradient_evaluations(rosenbrock_lbfgs):
    assert f"converged in {rosenbrock_lbfgs.iterations} iterations" in repr(
        rosenbrock_lbfgs
    )


def test_a_start_that_is_already_optimal_takes_no_step():
    rec = so.lbfgs(objectives.Rosenbrock(), [1.0, 1.0])
    assert rec.converged and rec.iterations == 0 and rec.grad_evals[-1] == 0


INVALID = [
    (
        lambda: so.lbfgs(objectives.Rosenbrock(), START, m=0),
        "m must be an integer >= 1",
    ),
    (lambda: so.lbfgs(objectives.Rosenbrock(), START, tol=-1e-8), "tol must lie in"),
    (
        lambda: so.lbfgs(objectives.Rosenbrock(), START, c1=0.95, c2=0.9),
        "c2 must lie in",
    ),
    (lambda: so.lbfgs(objectives.Rosenbrock(), START, max_iter=-1), "max_iter must be"),
    (
        lambda: so.newton(objectives.Rosenbrock(), START, damping=-0.1),
        "damping must lie in",
    ),
    (
        lambda: so.newton(objectives.Rosenbrock(), [1.0, 2.0, 3.0]),
        r"x0 must have shape \(2,\)",
    ),
    (
        lambda: so.lbfgs(objectives.Rosenbrock(), [[1.0, 2.0]]),
        r"x0 must have shape \(2,\)",
    ),
    (
        lambda: so.newton_cg(objectives.Rosenbrock(), START, hvp="autodiff"),
        "hvp must be",
    ),
    (
        lambda: so.newton_cg(objectives.Rosenbrock(), START, cg_max_iter=0),
        "cg_max_iter must be",
    ),
    (
        lambda: so.hessian_vector_product(objectives.Rosenbrock(), START, np.ones(3)),
        "v must have the shape of x",
    ),
    (
        lambda: so.hessian_vector_product(
            objectives.Rosenbrock(), START, np.ones(2), eps=0.0
        ),
        "eps must lie in",
    ),
    (
        lambda: so.conjugate_gradient(lambda v: v, np.ones(2), tol=-1.0),
        "tol must lie in",
    ),
    (
        lambda: so.newton(objectives.Rosenbrock(), START, curvature=np.eye(2)),
        "curvature must be None",
    ),
    (
        lambda: so.gauss_newton_matrix(objectives.Saddle(), np.zeros(2)),
        "objective must be a LogisticRegression, LeastSquares or Rosenbrock",
    ),
    (
        lambda: so.gauss_newton(objectives.Saddle(), [1.0, 0.3]),
        "objective must be a LogisticRegression, LeastSquares or Rosenbrock",
    ),
    (
        lambda: so.gauss_newton_matrix(objectives.Rosenbrock(), np.zeros(3)),
        "x must have shape",
    ),
    (
        lambda: so.fisher_information(objectives.Rosenbrock(), START),
        "objective must be a LogisticRegression or LeastSquares",
    ),
    (
        lambda: so.empirical_fisher(objectives.Rosenbrock(), START),
        "objective must be a finite sum",
    ),
    (
        lambda: so.natural_gradient(objectives.Rosenbrock(), START),
        "objective must be a LogisticRegression or LeastSquares",
    ),
    (
        lambda: so.natural_gradient(objectives.Rosenbrock(), START, fisher="true"),
        "fisher must be 'exact' or 'empirical'",
    ),
]


@pytest.mark.parametrize(
    "call, message", INVALID, ids=[m.split()[0] for _, m in INVALID]
)
def test_invalid_arguments_raise_value_error_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()
