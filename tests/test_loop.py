"""The run loop: records, schedules, mini-batches and divergence."""

import warnings

import numpy as np
import pytest

from lessons_py import Record, objectives, optim, run


@pytest.fixture
def least_squares():
    X, y, _ = objectives.make_regression(n=200, dim=2, seed=0)
    return objectives.LeastSquares(X, y)


def test_record_has_one_entry_per_step_plus_the_start():
    rec = run(optim.SGD(lr=0.004), objectives.ravine(), [1.0, 1.0], 25)
    assert (
        rec.x.shape == (26, 2)
        and rec.loss.shape == (26,)
        and rec.grad_norm.shape == (26,)
    )
    assert rec.lr.shape == (25,) and not rec.diverged
    assert rec.loss[0] == 101 and rec.loss[-1] < rec.loss[0]
    np.testing.assert_allclose(rec.grad_norm[0], np.hypot(2, 200))


def test_full_batch_run_equals_manual_gradient_descent():
    q, x = objectives.ravine(), np.array([1.0, 1.0])
    rec = run(optim.SGD(lr=0.005), q, x, 10)
    for _ in range(10):
        x = x - 0.005 * q.grad(x)
    np.testing.assert_allclose(rec.x[-1], x, rtol=1e-15)


def test_the_optimizer_is_reset_so_runs_do_not_share_state():
    opt = optim.Adam(lr=0.1)
    a = run(opt, objectives.Rosenbrock(), [-1.0, 1.0], 30)
    b = run(opt, objectives.Rosenbrock(), [-1.0, 1.0], 30)
    np.testing.assert_array_equal(a.x, b.x)


def test_divergence_stops_early_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = run(optim.SGD(lr=0.011), objectives.ravine(), [1.0, 1.0], 100_000)
    assert rec.diverged and len(rec.loss) < 2000
    assert "diverged at step" in rec.status and "diverged" in repr(rec)


def test_overflow_to_nan_is_reported_as_divergence():
    rec = run(
        optim.SGD(lr=1.0), objectives.Rosenbrock(), [-1.2, 1.0], 50, blowup=np.inf
    )
    assert rec.diverged and not np.isfinite(rec.loss[-1])


def test_just_below_two_over_L_converges_and_just_above_diverges():
    q = objectives.ravine()  # L = 200
    assert not run(optim.SGD(lr=0.99 * 2 / q.L), q, [1.0, 1.0], 3000).diverged
    assert run(optim.SGD(lr=1.01 * 2 / q.L), q, [1.0, 1.0], 3000).diverged


def test_schedule_sets_the_learning_rate_of_each_step():
    rec = run(
        optim.SGD(lr=1.0),
        objectives.ravine(),
        [1.0, 1.0],
        5,
        schedule=lambda t: 0.001 * (t + 1),
    )
    np.testing.assert_allclose(rec.lr, [0.001, 0.002, 0.003, 0.004, 0.005])


def test_minibatch_runs_are_reproducible_and_count_example_gradients(least_squares):
    a = run(
        optim.SGD(lr=0.05),
        least_squares,
        [0.0, 0.0],
        20,
        batch_size=8,
        rng=np.random.default_rng(1),
    )
    b = run(
        optim.SGD(lr=0.05),
        least_squares,
        [0.0, 0.0],
        20,
        batch_size=8,
        rng=np.random.default_rng(1),
    )
    c = run(
        optim.SGD(lr=0.05),
        least_squares,
        [0.0, 0.0],
        20,
        batch_size=8,
        rng=np.random.default_rng(2),
    )
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
    np.testing.assert_array_equal(a.grad_evals, 8 * np.arange(21))
    full = run(optim.SGD(lr=0.05), least_squares, [0.0, 0.0], 3)
    np.testing.assert_array_equal(full.grad_evals, [0, 200, 400, 600])


def test_full_size_batch_is_full_gradient_descent(least_squares):
    a = run(
        optim.SGD(lr=0.1), least_squares, [0.0, 0.0], 15, batch_size=least_squares.n
    )
    b = run(optim.SGD(lr=0.1), least_squares, [0.0, 0.0], 15)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-12, atol=1e-14)


def test_zero_steps_is_just_the_start():
    rec = run(optim.Adam(), objectives.Saddle(), [1.0, 0.0], 0)
    assert isinstance(rec, Record) and rec.x.shape == (1, 2) and rec.lr.shape == (0,)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(steps=-1), "steps must be an integer >= 0"),
        (dict(steps=2.5), "steps must be an integer"),
        (dict(batch_size=0), "batch_size must be an integer >= 1"),
        (dict(batch_size=500), r"batch_size must lie in \[1, 200\]"),
        (dict(x0=[0.0, 0.0, 0.0]), r"x0 must have shape \(2,\)"),
    ],
)
def test_bad_run_arguments_raise_value_error(least_squares, kwargs, message):
    args = dict(x0=[0.0, 0.0], steps=5) | kwargs
    with pytest.raises(ValueError, match=message):
        run(optim.SGD(), least_squares, args.pop("x0"), args.pop("steps"), **args)


def test_batch_size_needs_a_finite_sum():
    with pytest.raises(ValueError, match="batch_size needs a finite-sum objective"):
        run(optim.SGD(), objectives.Rosenbrock(), [0.0, 0.0], 5, batch_size=4)


def test_minibatches_visit_every_example_once_per_epoch():
    from lessons_py import minibatches

    batches = minibatches(np.random.default_rng(0), 12, 4)
    epoch = np.concatenate([next(batches) for _ in range(3)])
    np.testing.assert_array_equal(np.sort(epoch), np.arange(12))
    assert not np.array_equal(epoch, np.concatenate([next(batches) for _ in range(3)]))


def test_minibatches_drop_the_incomplete_last_batch():
    from lessons_py import minibatches

    batches = minibatches(np.random.default_rng(0), 10, 4)
    first_epoch = [next(batches) for _ in range(2)]
    assert all(len(b) == 4 for b in first_epoch)
    assert len(set(np.concatenate(first_epoch))) == 8


def test_record_every_keeps_every_kth_step_and_the_last(least_squares):
    rec = run(
        optim.SGD(lr=0.05), least_squares, [0.0, 0.0], 25, batch_size=4, record_every=10
    )
    np.testing.assert_array_equal(rec.step, [0, 10, 20, 25])
    np.testing.assert_array_equal(rec.grad_evals, [0, 40, 80, 100])
    assert rec.lr.shape == (25,)
    full = run(optim.SGD(lr=0.05), least_squares, [0.0, 0.0], 25, batch_size=4)
    np.testing.assert_array_equal(rec.x, full.x[[0, 10, 20, 25]])


def test_divergence_is_caught_between_recorded_steps():
    rec = run(
        optim.SGD(lr=0.5),
        objectives.Rosenbrock(),
        [-1.2, 1.0],
        10_000,
        record_every=1000,
    )
    assert rec.diverged and rec.step[-1] < 1000
