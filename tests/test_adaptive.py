"""lessons_py.adaptive against lessons_py.optim, hand-derived values and brute force."""

import numpy as np
import pytest

from lessons_py import adaptive, optim


def adam_run(opt, grads):
    """Steps of ``opt`` from 0 on a gradient sequence; returns the steps taken (shape like grads)."""
    x, steps = np.zeros(np.shape(grads)[1:]), []
    for g in grads:
        x_new = opt.step(x, g)
        steps.append(x_new - x)
        x = x_new
    return np.array(steps)


def test_ema_matches_adams_moment_buffers_step_by_step():
    grads = np.random.default_rng(0).normal(size=(30, 3))
    opt = optim.Adam(betas=(0.8, 0.95))
    raw_m, _ = adaptive.ema(grads, 0.8)
    raw_v, _ = adaptive.ema(grads**2, 0.95)
    x = np.zeros(3)
    for t, g in enumerate(grads):
        x = opt.step(x, g)
        np.testing.assert_array_equal(raw_m[t], opt.m)
        np.testing.assert_allclose(
            raw_v[t], opt.v, rtol=1e-15
        )  # (1-b) g g vs (1-b) g**2


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
    raw, _ = adaptive.ema(
        grads, np.array([[0.5], [0.9]])
    )  # betas (2, 1) x coordinates (2,)
    assert raw.shape == (10, 2, 2)
    np.testing.assert_array_equal(raw[:, 1, :], adaptive.ema(grads, 0.9)[0])


@pytest.mark.parametrize("bad", [1.0, -0.1, np.array([0.5, 1.2])])
def test_ema_rejects_betas_outside_zero_one(bad):
    with pytest.raises(ValueError, match="beta must lie in"):
        adaptive.ema(np.ones(3), bad)


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
    assert (
        adaptive.adam_step_bound(0.99, 0.9, np.inf) == np.inf
    )  # beta1^2 > beta2: unbounded


def test_adam_step_bound_is_attained_by_gradients_growing_by_beta2_over_beta1():
    beta1, beta2, T = 0.9, 0.999, 2000
    grads = (beta2 / beta1) ** np.arange(1, T + 1)[
        :, None
    ]  # the Cauchy-Schwarz equality case
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


def test_adam_eps_root_checks_and_names_its_arguments():
    with pytest.raises(ValueError, match="eps_root must lie in"):
        adaptive.AdamEpsRoot(eps_root=-1.0)
    assert "eps_root=0.5" in repr(adaptive.AdamEpsRoot(eps_root=0.5))
    opt = adaptive.AdamEpsRoot(
        lr=np.array([[0.1], [0.2]])
    )  # sweeps broadcast as in optim
    assert opt.step(np.zeros((2, 3)), np.ones((2, 3))).shape == (2, 3)


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
