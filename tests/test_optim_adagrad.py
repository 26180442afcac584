"""Adadelta (lessons_py/optim/adagrad.py) against hand-derived steps and the claims of
its docstring; Adagrad and RMSprop are tested in tests/test_optim.py."""

import numpy as np
import pytest

from lessons_py import optim

from .test_optim import replay

GRADS = np.random.default_rng(12).normal(size=(30, 3))


def test_adadelta_first_step_is_set_by_eps_not_by_the_gradient():
    g = np.array([1e3, -1.0, 1e-2])
    x1 = optim.Adadelta().step(np.zeros(3), g)  # lr = 1, rho = 0.9, eps = 1e-6
    np.testing.assert_allclose(x1, -np.sqrt(1e-6 / (0.1 * g**2 + 1e-6)) * g, rtol=1e-14)
    assert abs(x1[0]) == pytest.approx(np.sqrt(1e-6 / 0.1), rel=1e-8)  # 3.2e-3
    assert abs(x1[0]) == pytest.approx(abs(x1[1]), rel=1e-4)  # 1000x apart, same step


def test_adadelta_second_step_uses_the_root_of_the_first_squared_step():
    opt, g = optim.Adadelta(lr=0.5, rho=0.8, eps=1e-4), np.array([2.0])
    x1 = opt.step(np.zeros(1), g)
    v1 = 0.2 * 4.0
    d1 = np.sqrt(1e-4) / np.sqrt(v1 + 1e-4) * 2.0
    assert x1[0] == pytest.approx(-0.5 * d1, rel=1e-14)
    x2 = opt.step(x1, -g)
    v2 = 0.8 * v1 + 0.2 * 4.0
    u1 = 0.2 * d1**2
    d2 = np.sqrt(u1 + 1e-4) / np.sqrt(v2 + 1e-4) * -2.0
    assert x2[0] == pytest.approx(x1[0] - 0.5 * d2, rel=1e-14)
    assert opt.acc_delta[0] == pytest.approx(0.8 * u1 + 0.2 * d2**2, rel=1e-14)


def test_adadelta_with_rho_one_is_plain_sgd():
    lrs = [0.1] * 15 + [0.01] * 15
    a = replay(optim.Adadelta(rho=1.0), np.ones(3), GRADS, lrs)
    b = replay(optim.SGD(), np.ones(3), GRADS, lrs)
    np.testing.assert_array_equal(a, b)


def test_adadelta_with_eps_zero_never_moves():
    out = replay(optim.Adadelta(eps=0.0), np.ones(3), GRADS, [1.0] * 30)
    np.testing.assert_array_equal(out, np.ones((30, 3)))


def test_adadelta_l2_weight_decay_is_added_to_the_gradient():
    a = replay(optim.Adadelta(weight_decay=0.2), np.ones(3), GRADS[:6], [1.0] * 6)
    opt, x, b = optim.Adadelta(), np.ones(3), []
    for g in GRADS[:6]:
        x = opt.step(x, g + 0.2 * x)
        b.append(x)
    np.testing.assert_array_equal(a, np.array(b))
