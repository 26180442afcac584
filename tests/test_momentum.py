"""lessons_py.momentum against optim.SGD, hand-derived steps, closed forms and each
other."""

import numpy as np
import pytest

from lessons_py import momentum, objectives, optim, run, schedules

RAVINE = objectives.ravine()
X0 = np.array([-1.5, 0.6])


def replay(opt, x0, grads, lrs):
    x, out = np.array(x0, dtype=float), []
    for g, lr in zip(grads, lrs):
        opt.lr = lr
        x = opt.step(x, g)
        out.append(x)
    return np.array(out)


# --------------------------------------------------------------------------- HeavyBall


def test_lr_outside_is_exactly_torch_sgd_with_momentum_even_under_a_schedule():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(50, 3))
    lrs = schedules.cosine_annealing(0.1, T_max=40)(np.arange(50))
    ours = replay(momentum.HeavyBall(lr=0.1, momentum=0.9), np.ones(3), grads, lrs)
    torch_form = replay(optim.SGD(lr=0.1, momentum=0.9), np.ones(3), grads, lrs)
    np.testing.assert_array_equal(ours, torch_form)


def test_first_steps_by_hand_in_each_convention():
    g1, g2 = np.array([1.0]), np.array([2.0])
    eta, beta = 0.1, 0.5
    for convention in momentum.CONVENTIONS:
        opt = momentum.HeavyBall(lr=eta, momentum=beta, convention=convention)
        x1 = opt.step(np.zeros(1), g1)
        x2 = opt.step(x1, g2)
        assert x1[0] == pytest.approx(-eta * 1.0, rel=1e-15), convention
        assert x2[0] == pytest.approx(x1[0] - eta * (beta * 1.0 + 2.0), rel=1e-15), (
            convention
        )
    opt = momentum.HeavyBall(lr=eta, momentum=beta, convention="lr_inside_negated")
    opt.step(np.zeros(1), g1)
    assert opt.v[0] == pytest.approx(-eta)  # the velocity points downhill in this form


def test_conventions_give_the_same_path_for_a_constant_learning_rate():
    paths = {
        c: run(
            momentum.HeavyBall(lr=0.008, momentum=0.9, convention=c), RAVINE, X0, 300
        ).x
        for c in momentum.CONVENTIONS
    }
    for c in momentum.CONVENTIONS[1:]:
        assert np.max(np.abs(paths[c] - paths["lr_outside"])) < 1e-12


@pytest.mark.parametrize(
    "schedule",
    [
        schedules.step_decay(0.008, step_size=30, gamma=0.1),
        schedules.cosine_annealing(0.008, T_max=60),
    ],
    ids=["step_decay", "cosine"],
)
def test_conventions_differ_once_the_learning_rate_follows_a_schedule(schedule):
    paths = {
        c: run(
            momentum.HeavyBall(lr=0.008, momentum=0.9, convention=c),
            RAVINE,
            X0,
            90,
            schedule=schedule,
        ).x
        for c in momentum.CONVENTIONS
    }
    assert np.max(np.abs(paths["lr_inside"] - paths["lr_outside"])) > 0.1
    # the two learning-rate-inside forms differ only by the sign of v: the same path
    # for any schedule
    assert np.max(np.abs(paths["lr_inside"] - paths["lr_inside_negated"])) < 1e-12


def test_lr_inside_keeps_moving_after_the_rate_reaches_zero_and_torch_form_stops():
    schedule = schedules.cosine_annealing(0.008, T_max=60)  # 0 from step 60 on
    outside = run(
        momentum.HeavyBall(lr=0.008, momentum=0.9), RAVINE, X0, 90, schedule=schedule
    )
    inside = run(
        momentum.HeavyBall(lr=0.008, momentum=0.9, convention="lr_inside"),
        RAVINE,
        X0,
        90,
        schedule=schedule,
    )
    assert np.all(outside.x[61:] == outside.x[61])
    assert np.linalg.norm(inside.x[-1] - inside.x[61]) > 1e-3


def test_learning_rate_drop_acts_at_once_in_torch_form_and_gradually_with_lr_inside():
    # constant gradient, rate divided by 10 at step 100: torch's step falls 10x at once,
    # the lr-inside step to beta * old + new lr
    eta, beta, g = 0.1, 0.9, np.ones(1)
    lrs = [eta] * 100 + [eta / 10]
    steps = {}
    for c in ("lr_outside", "lr_inside"):
        path = replay(
            momentum.HeavyBall(lr=eta, momentum=beta, convention=c),
            np.zeros(1),
            [g] * 101,
            lrs,
        )
        steps[c] = -(path[-1] - path[-2])[0]
    plateau = eta / (1 - beta)
    assert steps["lr_outside"] == pytest.approx(plateau / 10, rel=1e-4)
    assert steps["lr_inside"] == pytest.approx(beta * plateau + eta / 10, rel=1e-4)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"momentum": 1.0}, r"momentum must lie in \[0.0, 1.0\)"),
        ({"momentum": -0.1}, r"momentum must lie in"),
        ({"lr": -1.0}, r"lr must lie in"),
        ({"convention": "keras"}, r"convention must be one of"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        momentum.HeavyBall(**kwargs)


def test_heavy_ball_step_never_modifies_its_arguments_and_reset_repeats_the_run():
    opt = momentum.HeavyBall(lr=0.1, momentum=0.9, convention="lr_inside")
    x, g = np.ones(2), np.array([0.5, -1.0])
    first = [opt.step(x, g) for _ in range(3)]
    np.testing.assert_array_equal(x, np.ones(2))
    np.testing.assert_array_equal(g, [0.5, -1.0])
    opt.reset()
    np.testing.assert_array_equal([opt.step(x, g) for _ in range(3)], first)


# --------------------------------------------------------------------------- Nesterov


@pytest.mark.parametrize("lr, beta", [(0.005, 0.9), (0.002, 0.5), (0.006, 0.99)])
def test_lookahead_nesterov_is_torch_nesterov_after_the_change_of_variables(lr, beta):
    theta, v = momentum.nesterov_lookahead(RAVINE.grad, X0, lr, beta, 200)
    opt, x, buffers, xs = (
        optim.SGD(lr=lr, momentum=beta, nesterov=True),
        X0.copy(),
        [],
        [X0],
    )
    for _ in range(200):
        x = opt.step(x, RAVINE.grad(x))
        xs.append(x)
        buffers.append(opt.b)
    xs = np.array(xs)
    np.testing.assert_allclose(xs, theta - lr * beta * v, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.array(buffers), v[1:], rtol=0, atol=1e-10)
    assert np.max(np.abs(xs - theta)) > 1e-3  # the sequences themselves are different


def test_lookahead_first_step_is_a_plain_gradient_step():
    theta, v = momentum.nesterov_lookahead(RAVINE.grad, X0, 0.004, 0.9, 1)
    np.testing.assert_allclose(theta[1], X0 - 0.004 * RAVINE.grad(X0), rtol=1e-15)
    np.testing.assert_array_equal(v[0], np.zeros(2))


# --------------------------------------------------------------------------- theory


def test_quadratic_rate_of_gradient_descent_is_the_largest_abs_one_minus_eta_lambda():
    lam = np.array([0.3, 1.0, 4.0])
    for eta in [0.05, 0.3, 0.49, 0.6]:
        expected = np.max(np.abs(1 - eta * lam))
        assert momentum.quadratic_rate(eta, 0.0, lam) == pytest.approx(
            expected, rel=1e-12
        )


def test_quadratic_rate_is_sqrt_beta_when_all_roots_are_complex():
    lam = np.array([1.0, 2.0, 3.0])
    assert momentum.quadratic_rate(0.5, 0.81, lam) == pytest.approx(0.9, rel=1e-12)


def test_quadratic_rate_matches_the_spectral_radius_of_the_iteration_matrix():
    rng = np.random.default_rng(3)
    for _ in range(50):
        eta, beta, lam = (
            rng.uniform(0, 0.3),
            rng.uniform(0, 0.99),
            rng.uniform(0.1, 10, size=3),
        )

        def radius(m):
            return np.abs(np.linalg.eigvals(m)).max()

        hb = max(radius([[1 + beta - eta * l, -beta], [1, 0]]) for l in lam)
        nag = max(
            radius([[(1 + beta) * (1 - eta * l), -beta * (1 - eta * l)], [1, 0]])
            for l in lam
        )
        assert momentum.quadratic_rate(eta, beta, lam) == pytest.approx(hb, rel=1e-7)
        nesterov = momentum.quadratic_rate(eta, beta, lam, nesterov=True)
        assert nesterov == pytest.approx(nag, rel=1e-7)


def test_quadratic_rate_broadcasts_over_array_hyperparameters():
    E, B = np.meshgrid(np.linspace(0.001, 0.02, 4), np.linspace(0, 0.9, 3))
    rates = momentum.quadratic_rate(E, B, RAVINE.eigenvalues)
    assert rates.shape == (3, 4)
    assert rates[1, 2] == momentum.quadratic_rate(E[1, 2], B[1, 2], RAVINE.eigenvalues)


def test_heavy_ball_stability_boundary_is_two_one_plus_beta_over_L():
    for beta in [0.0, 0.5, 0.9]:
        edge = 2 * (1 + beta) / RAVINE.L
        assert momentum.quadratic_rate(edge * 0.999, beta, RAVINE.eigenvalues) < 1
        assert momentum.quadratic_rate(edge * 1.001, beta, RAVINE.eigenvalues) > 1


def test_optimal_heavy_ball_formulas_and_optimality_on_a_grid():
    lr, beta, rate = momentum.optimal_heavy_ball(2.0, 200.0)
    assert lr == pytest.approx(4 / (np.sqrt(200) + np.sqrt(2)) ** 2)
    assert rate == pytest.approx(9 / 11) and beta == pytest.approx((9 / 11) ** 2)
    assert momentum.quadratic_rate(lr, beta, [2.0, 50.0, 200.0]) == pytest.approx(
        rate, rel=1e-6
    )
    E, B = np.meshgrid(np.linspace(0.001, 0.03, 300), np.linspace(0, 0.99, 300))
    assert momentum.quadratic_rate(E, B, [2.0, 200.0]).min() >= rate * (1 - 1e-9)


def test_optimal_gd_is_two_over_mu_plus_L_with_rate_kappa_minus_1_over_kappa_plus_1():
    lr, rate = momentum.optimal_gd(1.0, 50.0)
    assert lr == pytest.approx(2 / 51) and rate == pytest.approx(49 / 51)
    etas = np.linspace(0.001, 0.04, 3901)
    assert momentum.quadratic_rate(etas, 0.0, [1.0, 50.0]).min() >= rate * (1 - 1e-9)


@pytest.mark.parametrize("kappa", [10, 100, 1000])
def test_measured_rates_of_tuned_gd_and_heavy_ball_match_theory(kappa):
    q = objectives.Quadratic.with_condition_number(kappa, dim=8, L=1.0)
    mu, L = q.eigenvalues[0], q.eigenvalues[-1]
    (lr_gd, rate_gd), (lr_hb, beta_hb, rate_hb) = (
        momentum.optimal_gd(mu, L),
        momentum.optimal_heavy_ball(mu, L),
    )
    for opt, rate in [
        (optim.SGD(lr=lr_gd), rate_gd),
        (optim.SGD(lr=lr_hb, momentum=beta_hb), rate_hb),
    ]:
        steps = min(
            int(np.log(1e-40) / np.log(rate)), 8000
        )  # GD is geometric: a window will do
        x, errors = np.ones(8), [np.sqrt(8)]
        for _ in range(steps):
            x = opt.step(x, q.grad(x))
            errors.append(np.linalg.norm(x))
        assert momentum.measured_rate(errors) == pytest.approx(rate, rel=0.01)


def test_measured_rate_of_a_geometric_sequence_is_its_ratio():
    assert momentum.measured_rate(0.7 ** np.arange(40)) == pytest.approx(0.7, rel=1e-12)
    assert momentum.measured_rate(3 * 0.9 ** np.arange(40), 5, 20) == pytest.approx(
        0.9, rel=1e-12
    )
    with pytest.raises(ValueError, match="positive errors"):
        momentum.measured_rate(np.zeros(10))


# --------------------------------------------------------------------------- sweep


def test_sweep_equals_separate_runs():
    E, B = np.meshgrid([0.002, 0.008, 0.016], [0.0, 0.5, 0.9])
    loss, diverged = momentum.sweep(RAVINE, X0, E, B, 60)
    assert loss.shape == diverged.shape == (3, 3)
    for i in range(3):
        for j in range(3):
            alone = run(optim.SGD(lr=E[i, j], momentum=B[i, j]), RAVINE, X0, 60)
            assert diverged[i, j] == alone.diverged  # run() stops a blow-up early
            if not alone.diverged:
                assert loss[i, j] == pytest.approx(
                    alone.final_loss, rel=1e-12, abs=1e-300
                )
    assert diverged.any() and not diverged.all()


def test_sweep_flags_divergence_beyond_the_stability_boundary():
    beta = 0.9
    edge = 2 * (1 + beta) / RAVINE.L
    lrs = edge * np.array([0.5, 0.95, 1.05, 2.0, 50.0])
    loss, diverged = momentum.sweep(RAVINE, X0, lrs, beta, 400)
    np.testing.assert_array_equal(diverged, [False, False, True, True, True])
    assert not np.isfinite(loss[-1])  # overflowed, silently


def test_sweep_with_nesterov_uses_its_smaller_stability_region():
    beta = 0.9
    edge = (
        2 * (1 + beta) / ((1 + 2 * beta) * RAVINE.L)
    )  # from Nesterov's characteristic polynomial
    lrs = edge * np.array([0.97, 1.03])
    _, diverged = momentum.sweep(RAVINE, X0, lrs, beta, 600, nesterov=True)
    np.testing.assert_array_equal(diverged, [False, True])


# ------------------------------------------------------------------- Lessard et al.


def test_lessard_example_is_c1_and_strongly_convex():
    f = momentum.lessard_example()
    u = np.linspace(-3, 4, 7001)[:, None]
    g = f.grad(u)[:, 0]
    np.testing.assert_allclose(np.gradient(f.loss(u), u[:, 0]), g, atol=0.02)
    slopes = np.diff(g) / np.diff(u[:, 0])
    assert slopes.min() >= 1 - 1e-9 and slopes.max() <= 25 + 1e-9
    assert f.min_loss == 0.0


def test_heavy_ball_tuned_for_quadratics_cycles_on_lessard_example_nesterov_converges():
    f = momentum.lessard_example()
    lr, beta, _ = momentum.optimal_heavy_ball(f.mu, f.L)
    hb = run(optim.SGD(lr=lr, momentum=beta), f, [3.3], 300)
    last = hb.x[-9:, 0]
    np.testing.assert_allclose(last[3:], last[:-3], atol=1e-9)  # period 3
    assert np.min(np.abs(last)) > 0.5
    root = np.sqrt(f.L / f.mu)
    nag = run(
        optim.SGD(lr=1 / f.L, momentum=(root - 1) / (root + 1), nesterov=True),
        f,
        [3.3],
        300,
    )
    assert abs(nag.x[-1, 0]) < 1e-12
