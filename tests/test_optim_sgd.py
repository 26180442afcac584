"""ASGD and Rprop (lessons_py/optim/sgd.py) against hand-derived steps, SGD and the
claims of their docstrings."""

import numpy as np
import pytest

from lessons_py import optim

from .test_optim import replay

GRADS = np.random.default_rng(11).normal(size=(40, 3))


# ----------------------------------------------------------------------------- ASGD


def test_asgd_without_decay_or_averaging_is_sgd_with_the_rate_one_step_late():
    lrs = [0.1] * 10 + [0.02] * 10 + [0.3] * 20
    asgd = replay(optim.ASGD(lambd=0.0), np.ones(3), GRADS, lrs)
    late = [lrs[0], *lrs[:-1]]  # step t uses the rate set at step t - 1
    sgd = replay(optim.SGD(), np.ones(3), GRADS, late)
    np.testing.assert_array_equal(asgd, sgd)


def test_asgd_average_is_the_iterate_until_t0_plus_2_then_their_running_mean():
    t0 = 5
    opt, x, iterates, averages = optim.ASGD(lr=0.1, t0=t0), np.ones(3), [], []
    for g in GRADS:
        x = opt.step(x, g)
        iterates.append(x)
        averages.append(opt.ax)
    iterates, averages = np.array(iterates), np.array(averages)
    np.testing.assert_array_equal(averages[: t0 + 2], iterates[: t0 + 2])
    for t in range(t0 + 2, len(GRADS) + 1):  # step t is entry t - 1
        mean = iterates[t0 + 1 : t].mean(axis=0)
        np.testing.assert_allclose(averages[t - 1], mean, rtol=1e-13)
    assert opt.mu == pytest.approx(1 / (len(GRADS) - t0))  # weight of the next one


def test_asgd_default_t0_never_averages_in_a_short_run():
    opt, x = optim.ASGD(), np.ones(3)
    for g in GRADS:
        x = opt.step(x, g)
        np.testing.assert_array_equal(opt.ax, x)


def test_asgd_step_size_decays_as_documented_and_shrinks_the_parameters():
    lr, lambd, alpha = 0.5, 2.0, 0.75
    opt, x = optim.ASGD(lr=lr, lambd=lambd, alpha=alpha), np.ones(2)
    expected = np.ones(2)
    for t in range(1, 8):
        eta = lr if t == 1 else lr / (1 + lambd * lr * (t - 1)) ** alpha
        assert opt.eta is None if t == 1 else opt.eta == pytest.approx(eta, rel=1e-15)
        x = opt.step(x, np.zeros(2))  # a zero gradient: only the λη shrinkage
        expected = expected * (1 - lambd * eta)
        np.testing.assert_allclose(x, expected, rtol=1e-14)


def test_asgd_weight_decay_is_an_l2_term_in_the_gradient():
    a = replay(optim.ASGD(weight_decay=0.3), np.ones(3), GRADS[:5], [0.1] * 5)
    opt, x, b = optim.ASGD(), np.ones(3), []
    for g in GRADS[:5]:
        opt.lr = 0.1
        x = opt.step(x, g + 0.3 * x)
        b.append(x)
    np.testing.assert_array_equal(a, np.array(b))


# ---------------------------------------------------------------------------- Rprop


def test_rprop_first_step_is_the_clipped_lr_times_the_sign():
    g = np.array([3.0, -1e-9, 0.0])
    np.testing.assert_array_equal(
        optim.Rprop(lr=0.1).step(np.zeros(3), g), [-0.1, 0.1, 0.0]
    )
    capped = optim.Rprop(lr=100.0, step_sizes=(1e-6, 50)).step(np.zeros(3), g)
    np.testing.assert_array_equal(capped, [-50.0, 50.0, 0.0])


def test_rprop_step_grows_by_etaplus_up_to_the_maximum_while_the_sign_holds():
    opt, x = optim.Rprop(lr=0.01, etas=(0.5, 2.0), step_sizes=(1e-6, 0.1)), 0.0
    for t in range(1, 8):
        x_new = opt.step(x, 1.0)
        assert x - x_new == pytest.approx(min(0.01 * 2.0 ** (t - 1), 0.1), rel=1e-15)
        x = x_new


def test_rprop_a_sign_flip_shrinks_the_step_and_rests_one_step():
    opt = optim.Rprop(lr=0.1, etas=(0.25, 1.5))
    x1 = opt.step(np.zeros(1), np.ones(1))  # step 0.1
    x2 = opt.step(x1, np.ones(1))  # same sign: 0.15
    x3 = opt.step(x2, -np.ones(1))  # flipped: the step size drops, no move
    assert x2[0] == pytest.approx(-0.25) and x3[0] == x2[0]
    assert opt.step_size[0] == pytest.approx(0.15 * 0.25) and opt.prev[0] == 0.0
    x4 = opt.step(x3, -np.ones(1))  # no sign information: the same step size
    assert x4[0] == pytest.approx(x3[0] + 0.15 * 0.25)


def test_rprop_reads_lr_at_the_first_step_only():
    lrs = [0.05] * 5 + [10.0] * 5 + [0.0] * 30
    changed = replay(optim.Rprop(), np.ones(3), GRADS, lrs)
    constant = replay(optim.Rprop(), np.ones(3), GRADS, [0.05] * 40)
    np.testing.assert_array_equal(changed, constant)


def test_rprop_uses_only_the_sign_of_the_gradient():
    scales = np.exp(np.random.default_rng(2).normal(size=(40, 3)) * 5)
    a = replay(optim.Rprop(), np.ones(3), GRADS, [0.05] * 40)
    b = replay(optim.Rprop(), np.ones(3), GRADS * scales, [0.05] * 40)
    np.testing.assert_array_equal(a, b)
