"""lessons_py.momentum: the noise floor of the heavy ball, the lower-bound quadratic and
Nesterov's look-ahead form with a momentum schedule."""

import numpy as np
import pytest

from lessons_py import momentum, optim

# ------------------------------------------------------------------ stationary_loss


def lyapunov_floor(lr, beta, lam, var):
    """λ/2 times the stationary variance of (e_t, e_{t-1}), from P = M P Mᵀ + Q."""
    M = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
    Q = np.array([[lr**2 * var, 0.0], [0.0, 0.0]])
    P = np.linalg.solve(np.eye(4) - np.kron(M, M), Q.ravel()).reshape(2, 2)
    return lam * P[0, 0] / 2


def test_stationary_loss_without_momentum_is_the_sgd_floor():
    lam, lr = np.array([0.5, 2.0, 7.0]), 0.1
    expected = np.sum(lr * 1.0 / (2 * (2 - lr * lam)))
    assert momentum.stationary_loss(lr, 0.0, lam) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize(
    "lr, beta, lam, var",
    [(0.01, 0.9, 200.0, 1.0), (0.3, 0.5, 3.0, 0.25), (0.05, 0.99, 70.0, 2.0)],
)
def test_stationary_loss_is_the_exact_stationary_variance(lr, beta, lam, var):
    got = momentum.stationary_loss(lr, beta, [lam], noise_var=var)
    assert got == pytest.approx(lyapunov_floor(lr, beta, lam, var), rel=1e-12)


def test_stationary_loss_matches_a_simulation_of_sgd_with_momentum():
    rng = np.random.default_rng(0)
    lam, lr, beta, runs = np.array([1.0, 4.0]), 0.05, 0.9, 4000
    opt, x = optim.SGD(lr=lr, momentum=beta), np.zeros((runs, 2))
    losses = []
    for t in range(600):
        x = opt.step(x, lam * x + rng.normal(size=(runs, 2)))
        if t >= 300:
            losses.append(0.5 * (lam * x * x).sum(axis=1).mean())
    predicted = momentum.stationary_loss(lr, beta, lam)
    assert np.mean(losses) == pytest.approx(predicted, rel=0.03)


def test_small_steps_give_the_floor_of_sgd_at_the_effective_learning_rate():
    lam, beta = np.array([2.0, 200.0]), 0.9
    for lr in [1e-7, 1e-5, 1e-3]:
        tol = lr / (1 - beta) * lam.max()  # the difference is first order in ηλ/(1 − β)
        hb = momentum.stationary_loss(lr, beta, lam)
        sgd = momentum.stationary_loss(lr / (1 - beta), 0.0, lam)
        assert hb / sgd == pytest.approx(1.0, abs=tol)
        assert hb == pytest.approx(lr / (1 - beta) * lam.size / 4, rel=tol)


def test_heavy_ball_is_stable_where_sgd_at_the_effective_rate_is_not():
    lam, beta = [2.0, 200.0], 0.9
    lr = 3.0 / 200 * (1 - beta)  # effective rate 3/L: beyond SGD's edge 2/L
    assert momentum.stationary_loss(lr / (1 - beta), 0.0, lam) == np.inf
    assert np.isfinite(momentum.stationary_loss(lr, beta, lam))
    edge = 2 * (1 + beta) / 200
    assert momentum.stationary_loss(edge, beta, lam) == np.inf
    assert np.isfinite(momentum.stationary_loss(0.999 * edge, beta, lam))


def test_stationary_loss_broadcasts_like_quadratic_rate():
    lr = np.linspace(1e-4, 1e-2, 5)[:, None]
    beta = np.array([0.0, 0.5, 0.9])
    got = momentum.stationary_loss(lr, beta, [1.0, 10.0], noise_var=[1.0, 4.0])
    assert got.shape == (5, 3)
    assert got[2, 1] == pytest.approx(
        lyapunov_floor(lr[2, 0], 0.5, 1.0, 1.0)
        + lyapunov_floor(lr[2, 0], 0.5, 10.0, 4.0)
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=0.0), "lr must lie in"),
        (dict(momentum=1.0), "momentum must lie in"),
        (dict(eigenvalues=[1.0, 0.0]), "eigenvalues must lie in"),
        (dict(noise_var=-1.0), "noise_var must lie in"),
        (dict(noise_var=[1.0, 2.0, 3.0]), "one per eigenvalue"),
    ],
)
def test_stationary_loss_rejects_bad_input(kwargs, message):
    args = dict(lr=0.01, momentum=0.9, eigenvalues=[1.0, 2.0]) | kwargs
    with pytest.raises(ValueError, match=message):
        momentum.stationary_loss(**args)


# ------------------------------------------------------------- worst_case_quadratic


def test_worst_case_quadratic_has_its_eigenvalues_inside_mu_and_L():
    f = momentum.worst_case_quadratic(1.0, 100.0, 50)
    assert f.eigenvalues[0] > 1.0 and f.eigenvalues[-1] < 100.0
    assert f.eigenvalues[0] == pytest.approx(1.0, abs=0.1)
    assert f.eigenvalues[-1] == pytest.approx(100.0, abs=0.1)
    assert f.loss(np.zeros(50)) == 0.0


def test_worst_case_minimiser_is_close_to_powers_of_q():
    kappa = 25.0
    q = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    f = momentum.worst_case_quadratic(1.0, kappa, 300)
    i = np.arange(1, 101)
    np.testing.assert_allclose(f.minimizer[:100], q**i, rtol=1e-12, atol=1e-300)


def test_convex_worst_case_minimiser_is_a_ramp():
    f = momentum.worst_case_quadratic(0.0, 1.0, 9)
    np.testing.assert_allclose(f.minimizer, 1 - np.arange(1, 10) / 10, rtol=1e-12)


def test_first_order_iterates_reach_one_more_coordinate_per_step():
    f = momentum.worst_case_quadratic(1.0, 100.0, 40)
    for opt in [
        optim.SGD(lr=0.01, momentum=0.9),
        optim.SGD(lr=0.01, momentum=0.9, nesterov=True),
    ]:
        x = np.zeros(40)
        for t in range(1, 30):
            x = opt.step(x, f.grad(x))
            assert np.all(x[t:] == 0) and x[t - 1] != 0


def test_tuned_heavy_ball_builds_the_minimiser_one_coordinate_per_step():
    mu, L, dim = 1.0, 100.0, 80
    f = momentum.worst_case_quadratic(mu, L, dim)
    lr, beta, q = momentum.optimal_heavy_ball(mu, L)
    opt, x = optim.SGD(lr=lr, momentum=beta), np.zeros(dim)
    for t in range(1, 60):
        x = opt.step(x, f.grad(x))
        expected = np.where(np.arange(1, dim + 1) <= t, q ** np.arange(1, dim + 1), 0)
        np.testing.assert_allclose(x, expected, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(
    "args, message",
    [
        ((-1.0, 1.0, 3), "mu must"),
        ((1.0, 1.0, 3), "L must"),
        ((0.0, 1.0, 0), "dim must"),
        ((0.0, 1.0, 3.0), "dim must"),
    ],
)
def test_worst_case_quadratic_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        momentum.worst_case_quadratic(*args)


# ----------------------------------------------- nesterov_lookahead with a schedule


def test_constant_momentum_function_is_the_same_as_the_number():
    grad = lambda x: np.array([1.0, 30.0]) * x  # noqa: E731
    x0 = np.array([1.0, -1.0])
    a = momentum.nesterov_lookahead(grad, x0, 0.02, 0.8, 50)
    b = momentum.nesterov_lookahead(grad, x0, 0.02, lambda t: 0.8, 50)
    for u, w in zip(a, b):
        np.testing.assert_array_equal(u, w)


def test_increasing_momentum_is_nesterovs_two_sequence_scheme():
    lam, lr, steps = np.array([0.01, 0.3, 1.0]), 0.9, 40
    grad = lambda x: lam * x  # noqa: E731
    x0 = np.ones(3)
    theta, _ = momentum.nesterov_lookahead(
        grad, x0, lr, lambda t: max(t - 2, 0) / (t + 1), steps
    )
    x_prev, y, by_hand = x0, x0, [x0]
    for k in range(1, steps + 1):  # x_k = y_{k-1} - η∇f(y_{k-1}), then extrapolate
        x = y - lr * grad(y)
        y = x + (k - 1) / (k + 2) * (x - x_prev)
        x_prev = x
        by_hand.append(x)
    np.testing.assert_allclose(theta, np.array(by_hand), rtol=1e-13, atol=1e-15)


def test_increasing_momentum_meets_the_one_over_t_squared_guarantee():
    lam = np.logspace(-6, 0, 121)  # every convex quadratic with L = 1, one λ at a time
    t = np.arange(801)
    worst = {}
    for name, beta in [
        ("constant", 0.9),
        ("increasing", lambda t: max(t - 2, 0) / (t + 1)),
    ]:
        theta, _ = momentum.nesterov_lookahead(
            lambda x: lam * x, np.ones_like(lam), 1.0, beta, 800
        )
        gap = 0.5 * lam * theta**2  # f - f* with ‖θ0 − θ*‖ = 1
        worst[name] = ((t + 1) ** 2)[:, None] * gap
    assert worst["increasing"].max() <= 2.0  # f − f* ≤ 2‖θ0 − θ*‖² / (η (t + 1)²)
    assert worst["constant"][-1].max() > 2.0  # a constant β has no such bound


def test_momentum_function_is_checked_at_every_step():
    with pytest.raises(ValueError, match=r"momentum\(3\) must lie in"):
        momentum.nesterov_lookahead(
            lambda x: x, np.ones(2), 0.1, lambda t: 0.5 if t < 3 else 1.0, 5
        )
