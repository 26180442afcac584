"""lessons_py.adaptive against lessons_py.optim, recorded references, hand-derived
values and brute force."""

import inspect
import json

import numpy as np
import pytest

from lessons_py import adaptive, lr_finder, optim, reference

YOGI_REFERENCE = reference.load("torch_optimizer_yogi")


def adam_run(opt, grads):
    """Steps of ``opt`` from 0 on a gradient sequence; the steps taken, like grads."""
    x, steps = np.zeros(np.shape(grads)[1:]), []
    for g in grads:
        x_new = opt.step(x, g)
        steps.append(x_new - x)
        x = x_new
    return np.array(steps)


# --- the one bias-corrected moving average ---------------------------------------


def test_ema_matches_adams_moment_buffers_step_by_step():
    grads = np.random.default_rng(0).normal(size=(30, 3))
    opt = optim.Adam(betas=(0.8, 0.95))
    raw_m, _ = adaptive.ema(grads, 0.8)
    raw_v, _ = adaptive.ema(grads**2, 0.95)
    x = np.zeros(3)
    for t, g in enumerate(grads):
        x = opt.step(x, g)
        np.testing.assert_array_equal(raw_m[t], opt.m)
        # (1 - b) g g in Adam against (1 - b) g**2 here
        np.testing.assert_allclose(raw_v[t], opt.v, rtol=1e-15)


def test_bias_corrected_average_of_a_constant_is_the_constant():
    raw, corrected = adaptive.ema(np.full(50, 3.0), np.array([0.0, 0.5, 0.9, 0.999]))
    assert raw.shape == corrected.shape == (50, 4)
    np.testing.assert_allclose(corrected, 3.0, rtol=1e-12)
    assert raw[0, 2] == pytest.approx(0.3) and raw[0, 3] == pytest.approx(0.003)


def test_ema_with_beta_zero_is_the_sequence_itself():
    g = np.array([1.0, -2.0, 5.0])
    raw, corrected = adaptive.ema(g, 0.0)
    np.testing.assert_array_equal(raw, g)
    np.testing.assert_array_equal(corrected, g)


def test_ema_broadcasts_betas_against_a_vector_sequence():
    grads = np.random.default_rng(1).normal(size=(10, 2))
    raw, _ = adaptive.ema(grads, np.array([[0.5], [0.9]]))  # betas (2, 1) x coords (2,)
    assert raw.shape == (10, 2, 2)
    np.testing.assert_array_equal(raw[:, 1, :], adaptive.ema(grads, 0.9)[0])


def test_moving_average_one_value_at_a_time_is_ema():
    values = np.random.default_rng(2).normal(size=40)
    average = adaptive.MovingAverage(0.9)
    corrected = [average.update(v) for v in values]
    raw, expected = adaptive.ema(values, 0.9)
    np.testing.assert_array_equal(corrected, expected)
    assert average.t == 40 and average.raw == raw[-1]
    # by hand: m_1 = 0.1 x_1, corrected back to x_1; m_2 = 0.09 x_1 + 0.1 x_2
    hand = adaptive.MovingAverage(0.9)
    assert hand.update(2.0) == pytest.approx(2.0)
    assert hand.update(4.0) == pytest.approx((0.18 + 0.4) / (1 - 0.81))


def test_the_range_tests_smoothing_is_the_same_average():
    losses = np.random.default_rng(3).uniform(1, 2, size=60)
    np.testing.assert_array_equal(
        lr_finder.smooth(losses, 0.98), adaptive.ema(losses, 0.98)[1]
    )


@pytest.mark.parametrize("bad", [1.0, -0.1, np.array([0.5, 1.2])])
def test_ema_rejects_betas_outside_zero_one(bad):
    with pytest.raises(ValueError, match="beta must lie in"):
        adaptive.ema(np.ones(3), bad)
    with pytest.raises(ValueError, match="beta must lie in"):
        adaptive.MovingAverage(bad)


# --- bias correction and Adam's step bound ----------------------------------------


def test_correction_factors_at_the_steps_the_chapter_quotes():
    assert adaptive.correction_factor(0.9, 1) == pytest.approx(10.0)
    assert adaptive.correction_factor(0.9, 10) == pytest.approx(1 / (1 - 0.9**10))
    assert adaptive.correction_factor(0.9, 10) == pytest.approx(1.5353, abs=1e-4)
    assert adaptive.correction_factor(0.9, 20) == pytest.approx(1.1384, abs=1e-4)
    assert adaptive.correction_factor(0.999, 1) == pytest.approx(1000.0)


@pytest.mark.parametrize(
    "beta, tol, expected",
    [(0.9, 0.05, 29), (0.999, 0.05, 3043), (0.0, 0.05, 1), (0.5, 0.01, 7)],
)
def test_steps_until_within_known_values(beta, tol, expected):
    assert adaptive.steps_until_within(beta, tol) == expected


@pytest.mark.parametrize("beta", [0.3, 0.9, 0.95, 0.99, 0.999, 0.9999])
@pytest.mark.parametrize("tol", [0.001, 0.05, 0.5])
def test_steps_until_within_is_the_first_step_below_the_threshold(beta, tol):
    t = adaptive.steps_until_within(beta, tol)
    factors = adaptive.correction_factor(beta, np.arange(1, t + 1))
    assert factors[-1] < 1 + tol and np.all(factors[:-1] >= 1 + tol)


def test_adam_step_bound_closed_values():
    assert adaptive.adam_step_bound(0.9, 0.999, 1) == pytest.approx(1.0)
    limit = 0.1 / np.sqrt(0.001 * (1 - 0.81 / 0.999))
    assert adaptive.adam_step_bound(0.9, 0.999, np.inf) == pytest.approx(limit)
    assert limit == pytest.approx(7.27, abs=0.01)
    np.testing.assert_allclose(
        adaptive.adam_step_bound(0.9, 0.9, np.arange(1, 200)), 1.0
    )
    # beta1^2 > beta2: unbounded
    assert adaptive.adam_step_bound(0.99, 0.9, np.inf) == np.inf


def test_adam_step_bound_is_attained_by_gradients_growing_by_beta2_over_beta1():
    beta1, beta2, T = 0.9, 0.999, 2000
    # the Cauchy-Schwarz equality case
    grads = (beta2 / beta1) ** np.arange(1, T + 1)[:, None]
    steps = adam_run(optim.Adam(lr=1.0, betas=(beta1, beta2), eps=0.0), grads)[:, 0]
    bound = adaptive.adam_step_bound(beta1, beta2, np.arange(1, T + 1))
    np.testing.assert_allclose(-steps, bound, rtol=1e-9)


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99), (0.9, 0.9)])
def test_no_gradient_sequence_beats_the_bound(betas):
    rng = np.random.default_rng(2)
    grads = np.concatenate(
        [
            rng.normal(size=(300, 200)) * np.exp(rng.normal(size=(300, 200))),
            rng.standard_cauchy(size=(300, 200)),
        ],
        axis=1,
    )
    steps = adam_run(optim.Adam(lr=1.0, betas=betas, eps=0.0), grads)
    bound = adaptive.adam_step_bound(*betas, np.arange(1, 301))
    assert np.all(np.abs(steps) <= bound[:, None] * (1 + 1e-12))


# --- ε inside the root: a knob of Adam's one update --------------------------------


def test_adam_eps_root_runs_adams_own_update():
    assert adaptive.AdamEpsRoot._update is optim.Adam._update
    assert optim.Adam()._eps_root == 0.0
    assert "eps_root" not in inspect.signature(optim.Adam).parameters  # as torch


def test_adam_eps_root_zero_is_exactly_adam():
    grads = np.random.default_rng(3).normal(size=(60, 4)) * 1e-3
    a = adam_run(optim.Adam(lr=0.01), grads)
    b = adam_run(adaptive.AdamEpsRoot(lr=0.01, eps=1e-8, eps_root=0.0), grads)
    np.testing.assert_array_equal(a, b)


def test_eps_inside_the_root_under_a_constant_gradient():
    g = np.array([1e-6, 1e-4, 1.0])
    opt = adaptive.AdamEpsRoot(lr=1.0, eps=0.0, eps_root=1e-8)
    steps = adam_run(opt, np.tile(g, (5, 1)))
    np.testing.assert_allclose(
        -steps, np.tile(g / np.sqrt(g**2 + 1e-8), (5, 1)), rtol=1e-12
    )
    outside = adam_run(optim.Adam(lr=1.0, eps=1e-8), np.tile(g, (5, 1)))
    np.testing.assert_allclose(-outside, np.tile(g / (g + 1e-8), (5, 1)), rtol=1e-12)


def test_eps_only_inside_the_root_handles_a_zero_gradient():
    opt = adaptive.AdamEpsRoot(lr=1.0, eps=0.0, eps_root=1e-8)
    np.testing.assert_array_equal(opt.step(np.ones(2), np.zeros(2)), np.ones(2))


def test_adam_eps_root_checks_and_names_its_arguments():
    with pytest.raises(ValueError, match="eps_root must lie in"):
        adaptive.AdamEpsRoot(eps_root=-1.0)
    assert "eps_root=0.5" in repr(adaptive.AdamEpsRoot(eps_root=0.5))
    # sweeps broadcast as in optim
    opt = adaptive.AdamEpsRoot(lr=np.array([[0.1], [0.2]]))
    assert opt.step(np.zeros((2, 3)), np.ones((2, 3))).shape == (2, 3)


# --- Yogi -------------------------------------------------------------------------


def test_yogi_keywords_and_defaults_are_torch_optimizers():
    params = inspect.signature(adaptive.Yogi).parameters
    expected = dict(
        lr=1e-2,
        betas=(0.9, 0.999),
        eps=1e-3,
        initial_accumulator=1e-6,
        weight_decay=0,
    )
    assert list(params) == list(expected)
    opt = adaptive.Yogi()
    for name, default in expected.items():
        assert getattr(opt, name) == default, name


@pytest.mark.parametrize(
    "case",
    YOGI_REFERENCE["cases"],
    ids=lambda c: json.dumps(c["kwargs"], sort_keys=True),
)
def test_yogi_matches_recorded_torch_optimizer_run(case):
    kwargs = {k: tuple(v) if k == "betas" else v for k, v in case["kwargs"].items()}
    opt = adaptive.Yogi(**kwargs)
    x, got = np.array(case["x0"]), []
    for g, lr in zip(case["grads"], case["lrs"]):
        opt.lr = lr
        x = opt.step(x, np.array(g))
        got.append(x)
    np.testing.assert_allclose(got, case["expected"], rtol=1e-12, atol=1e-14)


def test_yogi_first_two_steps_by_hand():
    # m_0 = v_0 = 1e-6; g_1 = 2: m_1 = 0.9e-6 + 0.2, v_1 = 1e-6 + 0.001 * 4
    opt, g = adaptive.Yogi(lr=0.1), np.array([2.0])
    m1, v1 = 0.9e-6 + 0.2, 1e-6 + 0.004
    x1 = -0.1 * (m1 / 0.1) / (np.sqrt(v1 / 0.001) + 1e-3)
    np.testing.assert_allclose(opt.step(np.zeros(1), g), [x1], rtol=1e-14)
    # g_2 = 0.01 < sqrt(v_1): v shrinks by (1 - beta2) g_2^2, not by a fraction of v
    m2, v2 = 0.9 * m1 + 0.1 * 0.01, v1 - 0.001 * 1e-4
    x2 = x1 - 0.1 * (m2 / (1 - 0.81)) / (np.sqrt(v2 / (1 - 0.999**2)) + 1e-3)
    np.testing.assert_allclose(opt.step([x1], np.array([0.01])), [x2], rtol=1e-14)
    assert opt.v[0] == pytest.approx(v2, rel=1e-15)


def test_yogis_second_moment_moves_additively_and_stays_positive():
    rng = np.random.default_rng(4)
    grads = rng.normal(size=(500, 5)) * np.exp(3 * rng.normal(size=(500, 5)))
    opt, x, v_prev = adaptive.Yogi(betas=(0.9, 0.99)), np.zeros(5), None
    adam = optim.Adam(betas=(0.9, 0.99))
    for g in grads:
        x = opt.step(x, g)
        adam.step(np.zeros(5), g)
        if v_prev is not None:
            change = opt.v - v_prev
            rounding = 4e-16 * v_prev  # the subtraction rounds at the scale of v
            assert np.all(np.abs(change) <= 0.01 * g**2 * (1 + 1e-12) + rounding)
            # same direction as Adam's move from the same v
            adam_move = 0.01 * (g**2 - v_prev)
            assert np.all(change * adam_move >= 0)
        v_prev = opt.v.copy()
        assert np.all(opt.v > 0)


def test_yogi_sweeps_broadcast_and_weight_decay_is_l2():
    lr = np.array([[0.01], [0.1]])
    opt = adaptive.Yogi(lr=lr)
    assert opt.step(np.zeros((2, 3)), np.ones((2, 3))).shape == (2, 3)
    # weight decay adds lambda * x to the gradient
    a = adaptive.Yogi(weight_decay=0.5).step(np.ones(2), np.zeros(2))
    b = adaptive.Yogi().step(np.ones(2), np.full(2, 0.5))
    np.testing.assert_array_equal(a, b)
    assert "initial_accumulator=1e-06" in repr(adaptive.Yogi())


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(lr=-1.0), "lr"),
        (dict(betas=(1.0, 0.9)), "betas"),
        (dict(betas=0.9), "betas"),
        (dict(eps=-1e-3), "eps"),
        (dict(initial_accumulator=-1.0), "initial_accumulator"),
        (dict(eps=0.0, initial_accumulator=0.0), "eps and initial_accumulator"),
        (dict(weight_decay=-0.1), "weight_decay"),
    ],
)
def test_yogi_refuses_bad_hyperparameters(kwargs, name):
    with pytest.raises(ValueError, match=name):
        adaptive.Yogi(**kwargs)


# --- projected online steps and regret --------------------------------------------


def test_clipping_is_the_projection_in_any_diagonal_norm():
    # argmin over the box of sum_i a_i (x_i - y_i)^2, by brute force on a grid
    rng = np.random.default_rng(5)
    grid = np.linspace(-1, 1, 401)
    for _ in range(20):
        y, a = rng.normal(scale=2, size=2), rng.uniform(0.1, 10, size=2)
        X, Y = np.meshgrid(grid, grid, indexing="ij")
        cost = a[0] * (X - y[0]) ** 2 + a[1] * (Y - y[1]) ** 2
        i, j = np.unravel_index(np.argmin(cost), cost.shape)
        np.testing.assert_allclose([grid[i], grid[j]], np.clip(y, -1, 1), atol=5e-3)


def test_projected_steps_by_hand():
    # SGD with lr 0.5/sqrt(t) on f_t = c_t x over [-1, 1], from 0
    c = np.array([3.0, -1.0, -1.0, 3.0])
    got = adaptive.projected_steps(optim.SGD(), c, np.zeros(1), -1.0, 1.0, lr=0.5)
    x, xs = 0.0, [0.0]
    for t, ct in enumerate(c, start=1):
        x = float(np.clip(x - 0.5 / np.sqrt(t) * ct, -1, 1))
        xs.append(x)
    np.testing.assert_allclose(got.x[:, 0], xs, rtol=1e-15)
    np.testing.assert_allclose(got.lr, 0.5 / np.sqrt(np.arange(1, 5)))
    # regret: suffered loss minus that of the best corner for the rounds so far
    suffered = np.cumsum(c * np.array(xs[:-1]))
    best = -np.abs(np.cumsum(c))
    np.testing.assert_allclose(got.regret, suffered - best, rtol=1e-14)
    np.testing.assert_allclose(got.average_regret, got.regret / np.arange(1, 5))
    assert "4 rounds" in repr(got)


def test_projected_steps_keep_the_learning_rate_or_follow_a_function():
    c = np.ones(5)
    fixed = adaptive.projected_steps(optim.SGD(lr=0.1), c, np.zeros(1), -1.0, 1.0)
    np.testing.assert_allclose(fixed.x[:, 0], -0.1 * np.arange(6))
    schedule = adaptive.projected_steps(
        optim.SGD(), c, np.zeros(1), -1.0, 1.0, lr=lambda t: 0.3
    )
    np.testing.assert_allclose(schedule.x[:, 0], np.maximum(-0.3 * np.arange(6), -1))


def test_reddi_et_al_theorem_1_adam_goes_to_the_worst_point_amsgrad_does_not():
    C, T = 3.0, 1500
    grads = np.where(np.arange(1, T + 1) % 3 == 1, C, -1.0)
    runs = {
        amsgrad: adaptive.projected_steps(
            optim.Adam(betas=(0.0, 1 / (1 + C**2)), amsgrad=amsgrad),
            grads,
            np.zeros(1),
            -1.0,
            1.0,
            lr=0.5,
        )
        for amsgrad in (False, True)
    }
    assert runs[False].x[-1, 0] > 0.99 and runs[True].x[-1, 0] < -0.99
    # their proof's induction: Adam is back at +1 after every period, x_{3k+1} = 1
    np.testing.assert_array_equal(runs[False].x[300::3, 0], 1.0)
    # Adam's average regret tends to the largest possible, 2 (C - 2) / 3 per round
    assert runs[False].average_regret[-1] == pytest.approx(2 * (C - 2) / 3, rel=0.02)
    assert runs[True].average_regret[-1] < 0.03


def test_projected_steps_run_independent_runs_along_a_leading_axis():
    c = np.array([[1.0, -2.0]]) * np.ones((7, 1))  # shape (7, 2): one run, two coords
    got = adaptive.projected_steps(optim.SGD(lr=0.1), c, np.zeros((3, 2)), -1, 1)
    assert got.x.shape == (8, 3, 2) and got.regret.shape == (7, 3)


@pytest.mark.parametrize(
    "call, name",
    [
        (
            lambda: adaptive.projected_steps(optim.SGD(), [1.0], [0.0], 1.0, -1.0),
            "high",
        ),
        (lambda: adaptive.projected_steps(optim.SGD(), [1.0], 0.0, -1.0, 1.0), "x1"),
        (lambda: adaptive.projected_steps(optim.SGD(), 1.0, [0.0], -1.0, 1.0), "grads"),
        (lambda: adaptive.projected_steps(optim.SGD, [1.0], [0.0], -1.0, 1.0), "optim"),
        (
            lambda: adaptive.projected_steps(optim.SGD(), [1.0], [0.0], -1, 1, lr=-1),
            "lr",
        ),
    ],
)
def test_projected_steps_refuse_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# --- AdaGrad's regret bound -------------------------------------------------------


def adagrad_online(lr, grad_of, x1, T, box=None):
    """Diagonal AdaGrad (torch's Adagrad, optionally projected onto a box)."""
    opt, x, xs, gs = optim.Adagrad(lr=lr), np.array(x1, dtype=float), [], []
    for t in range(T):
        g = grad_of(t, x)
        xs.append(x)
        gs.append(g)
        x = opt.step(x, g)
        if box is not None:
            x = np.clip(x, -box, box)
    return np.array(xs), np.array(gs)


def test_adagrad_regret_bound_by_hand():
    grads = np.array([[3.0, 0.0], [4.0, 1.0]])  # |g_1:T,1| = 5, |g_1:T,2| = 1
    iterates = np.array([[0.0, 0.0], [1.0, -2.0]])
    bound = adaptive.adagrad_regret_bound(grads, iterates, np.array([1.0, 1.0]), 0.5)
    assert bound == pytest.approx(3.0**2 / (2 * 0.5) * 6 + 0.5 * 6)


@pytest.mark.parametrize("lr", [0.01, 0.3, 1.0, 5.0])
def test_adagrad_regret_stays_below_the_bound_on_a_box(lr):
    # linear losses <c_t, x> on [-1, 1]^d with sparse, heavy-tailed coefficients
    rng = np.random.default_rng(6)
    T, d = 400, 8
    c = rng.standard_cauchy(size=(T, d)) * (rng.random((T, d)) < 0.2) + 0.3
    xs, gs = adagrad_online(lr, lambda t, x: c[t], np.zeros(d), T, box=1.0)
    totals = c.sum(axis=0)
    comparator = -np.sign(totals)  # the best corner in hindsight
    regret = np.sum(c * xs) - totals @ comparator
    bound = adaptive.adagrad_regret_bound(gs, xs, comparator, lr)
    assert 0 < regret <= bound


def test_adagrad_regret_stays_below_the_bound_unconstrained_for_every_comparator():
    # noisy convex quadratics f_t(x) = 0.5 |A (x - b_t)|^2, runs of several lr at once
    rng = np.random.default_rng(7)
    T, d = 300, 4
    A = np.diag([0.1, 1.0, 3.0, 10.0])
    b = rng.normal(size=(T, d))
    lrs = np.array([0.03, 0.3, 3.0])

    def loss(t, x):
        return 0.5 * np.sum((A @ (x - b[t]).T).T ** 2, axis=-1)

    opt, x = optim.Adagrad(lr=lrs[:, None]), np.zeros((3, d))
    xs, gs = [], []
    for t in range(T):
        g = (A.T @ A @ (x - b[t]).T).T
        xs.append(x)
        gs.append(g)
        x = opt.step(x, g)
    xs, gs = np.array(xs), np.array(gs)
    bound = adaptive.adagrad_regret_bound(gs, xs, b.mean(axis=0), lrs)
    for comparator in [b.mean(axis=0), np.zeros(d), rng.normal(size=d)]:
        bound = adaptive.adagrad_regret_bound(gs, xs, comparator, lrs)
        suffered = sum(loss(t, xs[t]) for t in range(T))
        best = sum(loss(t, comparator[None]) for t in range(T))
        assert np.all(suffered - best <= bound)


def test_adagrad_regret_bound_refuses_bad_arguments():
    with pytest.raises(ValueError, match="iterates"):
        adaptive.adagrad_regret_bound(np.ones((3, 2)), np.ones((2, 2)), 0.0, 0.1)
    with pytest.raises(ValueError, match="lr"):
        adaptive.adagrad_regret_bound(np.ones((3, 2)), np.ones((3, 2)), 0.0, 0.0)
    with pytest.raises(ValueError, match="grads"):
        adaptive.adagrad_regret_bound(np.ones(3), np.ones(3), 0.0, 0.1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: adaptive.steps_until_within(1.0, 0.05),
        lambda: adaptive.steps_until_within(0.9, 0.0),
        lambda: adaptive.correction_factor(0.9, 0),
        lambda: adaptive.adam_step_bound(0.9, 1.0, 5),
        lambda: adaptive.ema([], 0.9),
    ],
)
def test_bad_arguments_raise_value_errors(call):
    with pytest.raises(ValueError):
        call()
