"""lessons_py.lr_finder: the ramp, the smoothing, the stop rule and the suggestions."""

import numpy as np
import pytest

from lessons_py import objectives, optim
from lessons_py.lr_finder import (
    RangeTest,
    exponential_ramp,
    lr_range_test,
    min_div10,
    smooth,
    steepest,
)


@pytest.fixture
def least_squares():
    X, y, _ = objectives.make_regression(
        n=512, dim=5, noise=0.5, scales=[0.5, 1, 1, 2, 3], seed=0
    )
    return objectives.LeastSquares(X, y)


def test_exponential_ramp_goes_from_min_lr_to_max_lr_by_a_constant_ratio():
    ramp = exponential_ramp(1e-4, 1.0, 5)
    np.testing.assert_allclose(
        ramp(np.arange(5)), [1e-4, 1e-3, 1e-2, 1e-1, 1.0], rtol=1e-14
    )
    assert ramp(0) == 1e-4 and ramp(4) == 1.0 and ramp(100) == 1.0  # held at max_lr
    values = exponential_ramp(2e-6, 30.0, 77)(np.arange(77))
    ratios = values[1:] / values[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-12)
    assert repr(ramp) == "exponential_ramp(min_lr=0.0001, max_lr=1.0, steps=5)"


def test_smoothing_is_a_bias_corrected_moving_average():
    np.testing.assert_allclose(
        smooth(np.full(30, 2.5)), 2.5, rtol=1e-14
    )  # constant stays constant
    losses = np.array([4.0, 2.0, 1.0])
    beta = 0.9
    a1 = 0.1 * 4.0
    a2 = 0.9 * a1 + 0.1 * 2.0
    a3 = 0.9 * a2 + 0.1 * 1.0
    expected = [a1 / (1 - 0.9), a2 / (1 - 0.81), a3 / (1 - 0.729)]
    np.testing.assert_allclose(smooth(losses, beta), expected, rtol=1e-14)
    np.testing.assert_array_equal(smooth(losses, 0.0), losses)


def test_steepest_finds_the_fastest_fall_per_unit_of_log_lr():
    lr = np.geomspace(1e-4, 1.0, 41)
    curve = 1.0 - np.tanh(2 * (np.log10(lr) + 2))  # falls fastest at lr = 1e-2
    assert steepest(lr, curve, skip_start=0, skip_end=0) == pytest.approx(1e-2, rel=0.3)
    assert min_div10(lr, curve, skip_start=0, skip_end=0) == pytest.approx(
        0.1
    )  # minimum at 1.0


def test_suggestions_skip_the_first_tenth_and_last_five_points_like_fastai():
    lr = np.geomspace(1e-3, 10.0, 50)
    curve = np.linspace(1.0, 0.5, 50)
    curve[1] = -100.0  # a steep drop inside the skipped start
    curve[-2] = -100.0  # a minimum inside the skipped end
    assert steepest(lr, curve) != lr[0] and min_div10(lr, curve) == pytest.approx(
        lr[-6] / 10
    )
    assert min_div10(lr, curve, skip_start=0, skip_end=0) == pytest.approx(lr[1] / 10)


def test_suggestions_on_very_short_curves():
    assert steepest([0.1], [1.0]) is None and min_div10([], []) is None
    assert steepest([0.1, 1.0], [1.0, 0.5]) == 0.1
    with pytest.raises(ValueError, match="one length"):
        steepest([0.1, 1.0], [1.0])


def test_range_test_on_a_quadratic_stops_past_the_stability_limit(least_squares):
    x0 = np.zeros(least_squares.dim)
    two_over_L = 2 / np.linalg.eigvalsh(least_squares.hessian(x0))[-1]
    full = lr_range_test(
        optim.SGD(), least_squares, x0, min_lr=1e-4, max_lr=10.0, steps=200
    )
    assert isinstance(full, RangeTest) and full.stopped_early and len(full.lr) < 200
    # Exact gradients: the unstable direction starts from almost nothing and needs many
    # steps above 2/L to grow, so the stop comes late.
    assert full.lr_stop > 2 * two_over_L
    # Mini-batch noise keeps feeding that direction: the stop comes soon after 2/L.
    noisy = lr_range_test(
        optim.SGD(),
        least_squares,
        x0,
        min_lr=1e-4,
        max_lr=10.0,
        steps=200,
        batch_size=16,
        rng=np.random.default_rng(0),
    )
    assert noisy.stopped_early and two_over_L < noisy.lr_stop < 3 * two_over_L
    for result in (full, noisy):
        assert result.lr_steepest < two_over_L and result.lr_min_div10 < two_over_L
        np.testing.assert_allclose(
            result.lr,
            exponential_ramp(1e-4, 10.0, 200)(np.arange(len(result.lr))),
            rtol=1e-14,
        )
        np.testing.assert_allclose(result.smoothed, smooth(result.loss), rtol=1e-12)


def test_range_test_that_never_diverges_runs_every_step(least_squares):
    x0 = np.zeros(least_squares.dim)
    result = lr_range_test(
        optim.SGD(), least_squares, x0, min_lr=1e-5, max_lr=1e-2, steps=60
    )
    assert not result.stopped_early and len(result.lr) == 60 and result.lr[-1] == 1e-2
    assert np.all(
        np.diff(result.loss) < 0
    )  # small steps on a quadratic: always downhill
    assert "ran to the end" in repr(result)


def test_range_test_matches_a_hand_written_loop(least_squares):
    x0 = np.zeros(least_squares.dim)
    result = lr_range_test(
        optim.SGD(momentum=0.9), least_squares, x0, min_lr=1e-3, max_lr=0.1, steps=30
    )
    opt, x, losses = optim.SGD(momentum=0.9), x0.copy(), []
    for k in range(30):
        opt.lr = 1e-3 * 100 ** (k / 29)
        x = opt.step(x, least_squares.grad(x))
        losses.append(least_squares.loss(x))
    np.testing.assert_allclose(result.loss, losses, rtol=1e-12)


def test_mini_batches_are_reproducible_and_x0_is_left_alone(least_squares):
    x0 = np.zeros(least_squares.dim)
    runs = [
        lr_range_test(
            optim.Adam(),
            least_squares,
            x0,
            min_lr=1e-4,
            max_lr=10.0,
            steps=100,
            batch_size=16,
            rng=np.random.default_rng(3),
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].loss, runs[1].loss)
    assert np.all(x0 == 0)
    other = lr_range_test(
        optim.Adam(),
        least_squares,
        x0,
        min_lr=1e-4,
        max_lr=10.0,
        steps=100,
        batch_size=16,
        rng=np.random.default_rng(4),
    )
    assert not np.array_equal(runs[0].loss[:20], other.loss[:20])


def test_the_optimizer_is_reset_before_the_test(least_squares):
    x0 = np.zeros(least_squares.dim)
    opt = optim.Adam()
    a = lr_range_test(opt, least_squares, x0, min_lr=1e-3, max_lr=1.0, steps=40)
    b = lr_range_test(opt, least_squares, x0, min_lr=1e-3, max_lr=1.0, steps=40)
    np.testing.assert_array_equal(a.loss, b.loss)


def test_a_blow_up_to_infinity_stops_the_test_without_warnings():
    ravine = objectives.ravine()
    with np.errstate(all="raise"):
        result = lr_range_test(
            optim.SGD(),
            ravine,
            np.ones(2),
            min_lr=1e-3,
            max_lr=1e200,
            steps=20,
            diverge_factor=1e308,
        )
    assert result.stopped_early and not np.isfinite(result.loss[-1])
    assert result.lr_stop > 2 / ravine.L


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(min_lr=0.0), "min_lr"),
        (dict(min_lr=1.0, max_lr=0.5), "max_lr"),
        (dict(max_lr=np.inf), "max_lr"),
        (dict(steps=1), "steps"),
        (dict(steps=2.5), "steps"),
        (dict(beta=1.0), "beta"),
        (dict(diverge_factor=1.0), "diverge_factor"),
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=10_000), "batch_size"),
    ],
)
def test_bad_arguments_raise_value_errors_that_name_them(least_squares, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lr_range_test(optim.SGD(), least_squares, np.zeros(least_squares.dim), **kwargs)


def test_mini_batches_need_a_finite_sum_and_x0_the_right_shape(least_squares):
    with pytest.raises(ValueError, match="finite-sum"):
        lr_range_test(optim.SGD(), objectives.ravine(), np.ones(2), batch_size=4)
    with pytest.raises(ValueError, match="x0"):
        lr_range_test(optim.SGD(), least_squares, np.zeros(3))
