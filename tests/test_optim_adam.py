"""Adam's decoupled_weight_decay, Adamax, NAdam and RAdam (lessons_py/optim/adam.py)
against each other, SGD, hand-derived steps and the claims of their docstrings."""

import numpy as np
import pytest

from lessons_py import optim

from .test_optim import replay

RNG = np.random.default_rng(13)
GRADS = RNG.normal(size=(60, 3)) * np.exp(RNG.normal(size=(60, 3)))
LRS = [0.05] * 20 + [0.01] * 20 + [0.1] * 20


# ---------------------------------------------------------------- Adam, decoupled


@pytest.mark.parametrize(
    "kwargs", [{}, {"weight_decay": 0.3}, {"weight_decay": 0.1, "amsgrad": True}]
)
def test_adam_with_decoupled_weight_decay_is_adamw(kwargs):
    kwargs = {"weight_decay": 1e-2, **kwargs}
    a = replay(
        optim.Adam(decoupled_weight_decay=True, **kwargs), np.ones(3), GRADS, LRS
    )
    b = replay(optim.AdamW(**kwargs), np.ones(3), GRADS, LRS)
    np.testing.assert_array_equal(a, b)


def test_decoupled_weight_decay_is_keyword_only_and_shown():
    with pytest.raises(TypeError):
        optim.Adam(1e-3, (0.9, 0.999), 1e-8, 0.0, False, True)
    assert repr(optim.Adam(decoupled_weight_decay=True)).endswith(
        "amsgrad=False, decoupled_weight_decay=True)"
    )


# -------------------------------------------------------------------------- Adamax


def test_adamax_with_beta2_zero_is_adam_with_beta2_zero():
    for eps in (1e-8, 0.1):
        a = replay(optim.Adamax(betas=(0.9, 0.0), eps=eps), np.ones(3), GRADS, LRS)
        b = replay(optim.Adam(betas=(0.9, 0.0), eps=eps), np.ones(3), GRADS, LRS)
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_adamax_constant_gradient_steps_exactly_lr():
    opt, x = optim.Adamax(lr=0.01, eps=0.0), np.zeros(2)
    for _ in range(30):
        x_prev, x = x, opt.step(x, np.array([1e-4, -3e4]))
        np.testing.assert_allclose(x_prev - x, [0.01, -0.01], rtol=1e-12)


def test_adamax_forgets_a_large_gradient_at_rate_beta2():
    beta2, big, eps = 0.9, 1e3, 1e-8
    opt, x = optim.Adamax(betas=(0.9, beta2), eps=eps), np.zeros(1)
    x = opt.step(x, np.array([big]))
    k_switch = int(np.ceil(np.log(big / (1 + eps)) / np.log(1 / beta2)))
    for k in range(1, 100):
        x = opt.step(x, np.ones(1))
        expected = max(beta2**k * (big + eps), 1 + eps)
        assert opt.u[0] == pytest.approx(expected, rel=1e-12), k
        assert (opt.u[0] > 1 + eps) == (k < k_switch), k


def test_adamax_eps_zero_is_refused_where_nothing_was_seen():
    opt = optim.Adamax(eps=0.0)
    opt.step(np.ones(2), np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"eps=0 divides by zero.*infinity norm"):
        optim.Adamax(eps=0.0).step(np.ones(2), np.array([1.0, 0.0]))


# --------------------------------------------------------------------------- NAdam


@pytest.mark.parametrize(
    "kwargs, twin",
    [
        ({}, optim.Adam),
        ({"weight_decay": 0.2}, optim.Adam),
        ({"weight_decay": 0.2, "decoupled_weight_decay": True}, optim.AdamW),
    ],
    ids=["plain", "l2", "decoupled"],
)
def test_nadam_without_momentum_is_adam_without_momentum(kwargs, twin):
    a = replay(optim.NAdam(betas=(0.0, 0.99), **kwargs), np.ones(3), GRADS, LRS)
    twin_kwargs = {k: v for k, v in kwargs.items() if k != "decoupled_weight_decay"}
    twin_kwargs.setdefault("weight_decay", 0.0)
    b = replay(twin(betas=(0.0, 0.99), **twin_kwargs), np.ones(3), GRADS, LRS)
    np.testing.assert_allclose(a, b, rtol=1e-14)


def nesterov_adam(x, grads, lrs, mu, beta2, eps):
    """Dozat's NAdam with a constant momentum μ (β1 = μ), written out."""
    m, v, out = 0.0, 0.0, []
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        m = mu * m + (1 - mu) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = mu * m / (1 - mu ** (t + 1)) + (1 - mu) * g / (1 - mu**t)
        x = x - lr * m_hat / (np.sqrt(v / (1 - beta2**t)) + eps)
        out.append(x)
    return np.array(out)


def test_nadam_with_large_momentum_decay_is_nesterov_adam_with_constant_momentum():
    # momentum_decay -> infinity: 0.96^(t psi) = 0, so mu_t = beta1 from the first step
    nadam = optim.NAdam(betas=(0.9, 0.999), momentum_decay=1e6)
    got = replay(nadam, np.ones(3), GRADS, LRS)
    want = nesterov_adam(np.ones(3), GRADS, LRS, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_nadam_with_zero_momentum_decay_keeps_half_the_momentum():
    opt, x = optim.NAdam(betas=(0.9, 0.999), momentum_decay=0.0), np.ones(2)
    for t in range(1, 20):
        x = opt.step(x, np.ones(2))
        assert opt.mu_product == pytest.approx(0.45**t, rel=1e-13)


def test_nadam_mu_product_is_the_product_of_the_momenta():
    opt, psi, beta1 = optim.NAdam(momentum_decay=0.3), 0.3, 0.9
    x, product = np.ones(2), 1.0
    for t in range(1, 20):
        x = opt.step(x, np.ones(2))
        product *= beta1 * (1 - 0.5 * 0.96 ** (t * psi))
        assert opt.mu_product == pytest.approx(product, rel=1e-13)


def test_nadam_momentum_is_halfway_warm_after_the_documented_number_of_steps():
    psi = 4e-3
    half = np.log(2) / (psi * np.log(1 / 0.96))
    assert 4100 < half < 4300  # "about 4200 steps"
    opt = optim.NAdam(momentum_decay=psi)
    opt.t = round(half) - 1  # the next step is step round(half)
    opt.step(np.ones(1), np.ones(1))
    assert opt.mu_product == pytest.approx(0.75 * 0.9, rel=1e-3)


# --------------------------------------------------------------------------- RAdam


def rho(beta2, t):
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf, rho_inf - 2 * t * beta2**t / (1 - beta2**t)


def rectification(beta2, t):
    rho_inf, rho_t = rho(beta2, t)
    return np.sqrt(
        (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
    )


def test_radam_never_rectified_is_sgd_with_momentum_at_a_corrected_rate():
    # beta2 <= 2/3: rho_inf <= 5, so every step is lr * m_hat: SGD with momentum
    # beta1 (buffer m / (1 - beta1)) at the rate lr (1 - beta1) / (1 - beta1^t)
    beta1 = 0.8
    for beta2 in (0.0, 0.5, 2 / 3):
        assert rho(beta2, 1e9)[0] <= 5
        radam = replay(optim.RAdam(betas=(beta1, beta2)), np.ones(3), GRADS, LRS)
        rates = [lr * (1 - beta1) / (1 - beta1**t) for t, lr in enumerate(LRS, 1)]
        sgd = replay(optim.SGD(momentum=beta1), np.ones(3), GRADS, rates)
        np.testing.assert_allclose(radam, sgd, rtol=1e-12)


def test_radam_rectified_steps_are_adam_steps_times_r_t():
    beta1, beta2 = 0.9, 0.999
    radam = replay(optim.RAdam(eps=0.0), np.ones(3), GRADS, LRS)
    adam = replay(optim.Adam(eps=0.0), np.ones(3), GRADS, LRS)
    start = np.ones((1, 3))
    d_radam = np.diff(np.vstack([start, radam]), axis=0)
    d_adam = np.diff(np.vstack([start, adam]), axis=0)
    m = 0.0
    for t in range(1, len(GRADS) + 1):
        m = beta1 * m + (1 - beta1) * GRADS[t - 1]
        _, rho_t = rho(beta2, t)
        if t <= 5:  # the default's first 5 steps are not rectified
            assert rho_t <= 5
            want = -LRS[t - 1] * m / (1 - beta1**t)
        else:
            assert rho_t > 5
            want = rectification(beta2, t) * d_adam[t - 1]
        np.testing.assert_allclose(d_radam[t - 1], want, rtol=1e-10)
    assert rectification(beta2, 10**6) == pytest.approx(1.0, abs=1e-3)  # r_t -> 1


def test_radam_eps_zero_is_refused_at_the_first_rectified_step_not_before():
    opt, x = optim.RAdam(eps=0.0), np.ones(2)
    for _ in range(5):
        x = opt.step(x, np.array([1.0, 0.0]))  # lr * m_hat: no division yet
    assert np.all(np.isfinite(x))
    with pytest.raises(ValueError, match="eps=0 divides by zero at step 6"):
        opt.step(x, np.array([1.0, 0.0]))


def test_radam_decoupled_weight_decay_shrinks_before_the_step():
    x0, g = np.array([2.0, -1.0]), np.zeros(2)
    x1 = optim.RAdam(lr=0.1, weight_decay=0.5, decoupled_weight_decay=True).step(x0, g)
    np.testing.assert_array_equal(x1, x0 * (1 - 0.1 * 0.5))  # a zero gradient: m = 0
    x1_l2 = optim.RAdam(lr=0.1, weight_decay=0.5).step(x0, g)
    np.testing.assert_allclose(x1_l2, x0 - 0.1 * 0.5 * x0)  # SGD step on the L2 term
