"""lessons_py.optim against torch.optim's documented algorithms, hand-derived steps and
each other."""

import inspect
import json

import numpy as np
import pytest

from lessons_py import optim, reference

REFERENCE = reference.load("torch_optim")
ALL = [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW]

# torch.optim's signatures (torch 2.13), keyword by keyword: name, default and kind,
# recorded with the trajectories (tests/reference/record_torch_reference.py)
TORCH_SIGNATURES = REFERENCE["signatures"]


def _as_python(value):
    """A recorded value as Python writes it: JSON has lists where torch has tuples."""
    return tuple(value) if isinstance(value, list) else value


def replay(opt, x0, grads, lrs):
    """The parameters after each step of ``opt`` from ``x0``, ``lr`` set to ``lrs[i]``
    before step ``i`` (the test files of the optimizer families share it)."""
    x, out = np.array(x0, dtype=float), []
    for g, lr in zip(grads, lrs):
        opt.lr = lr
        x = opt.step(x, np.array(g))
        out.append(x)
    return np.array(out)


@pytest.mark.parametrize("name", TORCH_SIGNATURES)
def test_defaults_and_keywords_match_torch(name):
    cls = getattr(optim, name)
    opt = cls()
    params = inspect.signature(cls).parameters
    recorded = TORCH_SIGNATURES[name]
    for keyword, default, kind in recorded:
        assert getattr(opt, keyword) == _as_python(default), keyword
        assert params[keyword].default == _as_python(default), keyword
        assert params[keyword].kind.name == kind, keyword  # keyword-only as in torch
    assert list(params) == [k for k, _, _ in recorded], "same keywords, torch's order"


def test_every_torch_twin_has_a_recorded_torch_signature_and_trajectories():
    assert REFERENCE["torch_version"].startswith("2.13")
    twins = [
        n
        for n in optim.__all__
        if f"as ``torch.optim.{n}``" in " ".join(getattr(optim, n).__doc__.split())
    ]
    assert len(twins) >= 11 and sorted(TORCH_SIGNATURES) == sorted(twins)
    assert {case["optimizer"] for case in REFERENCE["cases"]} == set(twins)


@pytest.mark.parametrize(
    "case",
    REFERENCE["cases"],
    ids=lambda c: f"{c['optimizer']}-{json.dumps(c['kwargs'], sort_keys=True)}",
)
def test_trajectory_matches_recorded_torch_run(case):
    kwargs = {k: _as_python(v) for k, v in case["kwargs"].items()}
    opt = getattr(optim, case["optimizer"])(**kwargs)
    got = replay(opt, case["x0"], case["grads"], case["lrs"])
    expected = np.array(case["expected"])
    assert np.max(np.abs(got - expected)) <= 1e-12 * np.max(np.abs(expected))


def test_sgd_plain_step_is_x_minus_lr_g():
    x, g = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    np.testing.assert_allclose(optim.SGD(lr=0.1).step(x, g), [0.95, -2.4])


def test_sgd_momentum_first_buffer_is_the_gradient_not_dampened():
    opt = optim.SGD(lr=1.0, momentum=0.9, dampening=0.5)
    x1 = opt.step(np.zeros(1), np.ones(1))
    assert x1[0] == -1.0  # b1 = g, not (1 - dampening) g
    x2 = opt.step(x1, np.ones(1))
    assert x2[0] == pytest.approx(-1.0 - (0.9 * 1.0 + 0.5 * 1.0))


def test_sgd_momentum_constant_gradient_approaches_lr_over_one_minus_beta():
    opt, x = optim.SGD(lr=0.1, momentum=0.9), np.zeros(1)
    for _ in range(400):
        x_prev, x = x, opt.step(x, np.ones(1))
    assert (x_prev - x)[0] == pytest.approx(0.1 / (1 - 0.9), rel=1e-12)


def test_nesterov_step_uses_gradient_plus_mu_buffer():
    opt = optim.SGD(lr=1.0, momentum=0.5, nesterov=True)
    x1 = opt.step(np.zeros(1), np.ones(1))  # b = 1, direction = 1 + 0.5
    assert x1[0] == -1.5


def test_adagrad_first_step_is_lr_times_sign():
    x1 = optim.Adagrad(lr=0.1, eps=0).step(np.zeros(3), np.array([3.0, -0.2, 7.0]))
    np.testing.assert_allclose(x1, [-0.1, 0.1, -0.1])


def test_adagrad_step_decays_as_one_over_sqrt_t_for_constant_gradient():
    opt, x = optim.Adagrad(lr=1.0, eps=0), np.zeros(1)
    for t in range(1, 101):
        x_new = opt.step(x, np.array([2.0]))
        assert (x - x_new)[0] == pytest.approx(1 / np.sqrt(t), rel=1e-12)
        x = x_new


def test_adagrad_lr_decay_divides_by_one_plus_steps_times_decay():
    opt = optim.Adagrad(lr=1.0, lr_decay=0.5, eps=0)
    x = opt.step(np.zeros(1), np.ones(1))
    x2 = opt.step(x, np.ones(1))
    assert (x - x2)[0] == pytest.approx(1 / 1.5 / np.sqrt(2))


def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_alpha():
    x1 = optim.RMSprop(lr=0.01, alpha=0.99, eps=0).step(np.zeros(1), np.array([5.0]))
    assert x1[0] == pytest.approx(-0.01 / np.sqrt(0.01), rel=1e-12)


def test_rmsprop_centered_subtracts_squared_mean():
    opt = optim.RMSprop(lr=1.0, alpha=0.5, eps=0, centered=True)
    x1 = opt.step(np.zeros(1), np.array([2.0]))  # v = 2, g_ave = 1, v - 1 = 1
    assert x1[0] == pytest.approx(-2.0)


@pytest.mark.parametrize("t", [1, 10])
def test_adam_bias_correction_makes_constant_gradient_step_equal_lr(t):
    opt, x, g = optim.Adam(lr=0.01, eps=0), np.zeros(2), np.array([1e-3, 1e3])
    for _ in range(t):
        x_prev, x = x, opt.step(x, g)
    np.testing.assert_allclose(
        x_prev - x, 0.01, rtol=1e-12
    )  # invariant to gradient scale


def test_adam_raw_moment_at_first_step_is_one_tenth_of_gradient():
    opt = optim.Adam()
    opt.step(np.zeros(1), np.array([4.0]))
    assert opt.m[0] == pytest.approx(0.4) and opt.v[0] == pytest.approx(0.001 * 16)


def test_amsgrad_keeps_the_largest_second_moment():
    opt = optim.Adam(amsgrad=True)
    x = opt.step(np.zeros(1), np.array([10.0]))
    opt.step(x, np.array([0.1]))
    assert opt.v_max[0] == pytest.approx(0.001 * 100) and opt.v[0] < opt.v_max[0]


def test_adamw_with_zero_decay_is_exactly_adam():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(50, 4))
    a = replay(optim.Adam(lr=0.01), np.ones(4), grads, [0.01] * 50)
    b = replay(optim.AdamW(lr=0.01, weight_decay=0.0), np.ones(4), grads, [0.01] * 50)
    np.testing.assert_array_equal(a, b)


def test_adamw_decay_is_multiplied_by_lr_and_not_rescaled():
    x0 = np.array([2.0, 2.0])
    g = np.array([1e-6, 1e6])  # wildly different gradient scales
    x1 = optim.AdamW(lr=0.1, weight_decay=0.5, eps=0).step(x0, g)
    np.testing.assert_allclose(x1, x0 * (1 - 0.1 * 0.5) - 0.1)  # same decay for both


def test_adam_l2_decay_is_rescaled_per_parameter():
    # with a zero loss gradient, Adam's L2 term is normalised away: every step is
    # -lr*sign(x)
    x1 = optim.Adam(lr=0.1, weight_decay=0.5, eps=0).step(
        np.array([2.0, 0.001]), np.zeros(2)
    )
    np.testing.assert_allclose(x1, [1.9, -0.099])


def test_rmsprop_is_adam_without_first_moment_and_bias_correction():
    # Adam with beta1 = 0 and eps = 0 steps lr * sqrt(1 - beta2^t) * g / sqrt(v): with
    # its lr divided by sqrt(1 - beta2^t) at every step it must retrace
    # RMSprop(alpha = beta2).
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(40, 3))
    rms = replay(optim.RMSprop(lr=0.1, alpha=0.9, eps=0), np.ones(3), grads, [0.1] * 40)
    lrs = [0.1 / np.sqrt(1 - 0.9**t) for t in range(1, 41)]
    adam = replay(optim.Adam(lr=0.1, betas=(0.0, 0.9), eps=0), np.ones(3), grads, lrs)
    np.testing.assert_allclose(adam, rms, rtol=1e-12)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_step_never_modifies_its_arguments(cls):
    x, g = np.array([1.0, 2.0]), np.array([0.3, -0.4])
    x_copy, g_copy = x.copy(), g.copy()
    opt = cls(lr=0.1, weight_decay=0.1)
    for _ in range(3):
        opt.step(x, g)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(g, g_copy)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_any_shape_and_integer_input(cls):
    out = cls(lr=0.1).step(np.ones((2, 3, 4), dtype=int), np.ones((2, 3, 4)))
    assert out.shape == (2, 3, 4) and out.dtype == np.float64
    assert np.ndim(cls(lr=0.1).step(1.0, 2.0)) == 0


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_reset_clears_state_and_repeats_the_run(cls):
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(10, 2))
    opt = cls(lr=0.1)
    first = replay(opt, np.zeros(2), grads, [0.1] * 10)
    opt.reset()
    assert opt.t == 0 and all(getattr(opt, name) is None for name in opt._state)
    np.testing.assert_array_equal(replay(opt, np.zeros(2), grads, [0.1] * 10), first)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_gradient_shape_mismatch_is_rejected(cls):
    with pytest.raises(
        ValueError,
        match=r"grad must have the shape of the parameters, \(2,\), got \(3,\)",
    ):
        cls().step(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_state_shape_mismatch_asks_for_reset(cls):
    opt = cls(momentum=0.9) if cls is optim.SGD else cls()  # plain SGD keeps no state
    opt.step(np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="reset"):
        opt.step(np.zeros(3), np.ones(3))


INVALID = [
    (optim.SGD, dict(lr=-0.1), "lr must lie in"),
    (optim.SGD, dict(lr=float("nan")), "lr must lie in"),
    (optim.SGD, dict(momentum=-0.5), "momentum must lie in"),
    (optim.SGD, dict(weight_decay=-1e-4), "weight_decay must lie in"),
    (optim.SGD, dict(dampening=1.5), "dampening must lie in"),
    (optim.SGD, dict(nesterov=True), "nesterov=True requires momentum > 0"),
    (optim.SGD, dict(nesterov=True, momentum=0.9, dampening=0.1), "dampening = 0"),
    (optim.SGD, dict(lr="fast"), "lr must be a real number"),
    (optim.Adagrad, dict(lr_decay=-1), "lr_decay must lie in"),
    (optim.Adagrad, dict(eps=-1e-10), "eps must lie in"),
    (
        optim.Adagrad,
        dict(initial_accumulator_value=-1),
        "initial_accumulator_value must lie in",
    ),
    (optim.RMSprop, dict(alpha=1.0), r"alpha must lie in \[0.0, 1.0\)"),
    (optim.RMSprop, dict(momentum=-0.1), "momentum must lie in"),
    (optim.RMSprop, dict(eps=-1.0), "eps must lie in"),
    (optim.Adam, dict(betas=(1.0, 0.999)), r"betas\[0\] must lie in \[0.0, 1.0\)"),
    (optim.Adam, dict(betas=(0.9, -0.1)), r"betas\[1\] must lie in"),
    (optim.Adam, dict(betas=0.9), "betas must be a pair"),
    (optim.Adam, dict(eps=-1e-8), "eps must lie in"),
    (optim.AdamW, dict(weight_decay=-0.01), "weight_decay must lie in"),
    (optim.AdamW, dict(lr=-1e-3), "lr must lie in"),
]


@pytest.mark.parametrize(
    "cls, kwargs, message", INVALID, ids=[f"{c.__name__}-{k}" for c, k, _ in INVALID]
)
def test_invalid_hyperparameters_raise_value_error_naming_them(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


def test_learning_rate_changed_to_invalid_value_is_caught_at_the_next_step():
    opt = optim.Adam()
    opt.lr = -1.0
    with pytest.raises(ValueError, match=r"lr must lie in \[0.0, inf\), got -1.0"):
        opt.step(np.zeros(1), np.ones(1))


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (optim.SGD, {"momentum": np.array([[0.0], [0.5], [0.9]])}),
        (optim.SGD, {"momentum": np.array([[0.3], [0.5], [0.9]]), "nesterov": True}),
        (optim.RMSprop, {"momentum": np.array([[0.0], [0.5], [0.9]])}),
        (optim.Adam, {"betas": (np.array([[0.0], [0.5], [0.9]]), 0.99)}),
    ],
    ids=["sgd", "nesterov", "rmsprop", "adam"],
)
def test_array_hyperparameters_run_a_sweep_equal_to_separate_runs(cls, kwargs):
    rng = np.random.default_rng(5)
    grads = rng.normal(size=(30, 3, 2))
    lr = np.array([[0.1], [0.05], [0.02]])
    swept = replay(cls(lr=lr, **kwargs), np.ones((3, 2)), grads, [lr] * 30)
    for r in range(3):
        single = {
            k: (
                tuple(b if np.ndim(b) == 0 else b[r, 0] for b in v)
                if k == "betas"
                else v[r, 0]
                if np.ndim(v)
                else v
            )
            for k, v in kwargs.items()
        }
        alone = replay(
            cls(lr=lr[r, 0], **single), np.ones(2), grads[:, r], [lr[r, 0]] * 30
        )
        np.testing.assert_allclose(swept[:, r], alone, rtol=1e-14, atol=0)


def test_hyperparameter_that_does_not_broadcast_is_rejected():
    with pytest.raises(ValueError, match=r"lr of shape \(3,\) does not broadcast"):
        optim.SGD(lr=np.array([0.1, 0.2, 0.3])).step(np.zeros(2), np.ones(2))


def test_repr_shows_hyperparameters():
    assert repr(optim.AdamW()) == (
        "AdamW(lr=0.001, betas=(0.9, 0.999), eps=1e-08, "
        "weight_decay=0.01, amsgrad=False)"
    )
    assert "momentum=0.9" in repr(optim.SGD(momentum=0.9))
