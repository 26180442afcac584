"""What every lessons_py.optim class shares, for the six added with torch 2.13's list
(Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop; tests/test_optim.py holds the same checks
for the first five): arguments left untouched, any shape, reset, shape checks, sweeps
equal to single runs, bad hyperparameters named; and, for all eleven, the state after a
recorded torch run equals torch's, buffer by buffer."""

import json

import numpy as np
import pytest

from lessons_py import optim, reference

from .test_optim import replay

REFERENCE = reference.load("torch_optim")
NEW = [optim.Adadelta, optim.Adamax, optim.NAdam, optim.RAdam, optim.ASGD, optim.Rprop]

# keyword arguments that switch on every branch of a class's update
BUSY = {
    optim.Adadelta: dict(lr=1.0, rho=0.8, weight_decay=0.1),
    optim.Adamax: dict(lr=0.1, weight_decay=0.1),
    optim.NAdam: dict(lr=0.1, weight_decay=0.1, momentum_decay=0.5),
    optim.RAdam: dict(lr=0.1, betas=(0.9, 0.9), weight_decay=0.1),
    optim.ASGD: dict(lr=0.1, lambd=0.5, t0=1.0, weight_decay=0.1),
    optim.Rprop: dict(lr=0.1, step_sizes=(1e-3, 0.5)),
}

# torch's state names -> lessons_py's, class by class
STATE_NAMES = {
    "SGD": {"momentum_buffer": "b"},
    "Adagrad": {"sum": "state_sum"},
    "RMSprop": {"square_avg": "v", "grad_avg": "g_ave", "momentum_buffer": "b"},
    "Adam": {"exp_avg": "m", "exp_avg_sq": "v", "max_exp_avg_sq": "v_max"},
    "AdamW": {"exp_avg": "m", "exp_avg_sq": "v", "max_exp_avg_sq": "v_max"},
    "Adadelta": {"square_avg": "square_avg", "acc_delta": "acc_delta"},
    "Adamax": {"exp_avg": "m", "exp_inf": "u"},
    "NAdam": {"exp_avg": "m", "exp_avg_sq": "v", "mu_product": "mu_product"},
    "RAdam": {"exp_avg": "m", "exp_avg_sq": "v"},
    "ASGD": {"ax": "ax", "eta": "eta", "mu": "mu"},
    "Rprop": {"prev": "prev", "step_size": "step_size"},
    "Muon": {"momentum_buffer": "b"},
    "Adafactor": {"row_var": "row_var", "col_var": "col_var", "variance": "variance"},
}


def recorded(case):
    kwargs = {
        k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()
    }
    return getattr(optim, case["optimizer"])(**kwargs)


def case_id(case):
    return f"{case['optimizer']}-{json.dumps(case['kwargs'], sort_keys=True)}"


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=case_id)
def test_state_after_the_run_is_torch_s_buffer_by_buffer(case):
    opt = recorded(case)
    replay(opt, case["x0"], case["grads"], case["lrs"])
    names = STATE_NAMES[case["optimizer"]]
    assert set(case["state"]) <= set(names)
    for torch_name, value in case["state"].items():
        ours, theirs = getattr(opt, names[torch_name]), np.array(value)
        scale = max(np.max(np.abs(theirs)), 1e-300)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12 * scale)
    kept = {names[n] for n in case["state"]}
    for name in opt._state + opt._scalar_state:  # what torch does not keep, nor do we
        assert name in kept or getattr(opt, name) is None, name


ASGD_CASES = [c for c in REFERENCE["cases"] if "expected_ax" in c]


@pytest.mark.parametrize("case", ASGD_CASES, ids=case_id)
def test_asgd_average_matches_torch_after_every_step(case):
    opt, averages = recorded(case), []
    x = np.array(case["x0"])
    for g, lr in zip(case["grads"], case["lrs"]):
        opt.lr = lr
        x = opt.step(x, np.array(g))
        averages.append(opt.ax)
    expected = np.array(case["expected_ax"])
    assert np.max(np.abs(np.array(averages) - expected)) <= 1e-12 * np.max(
        np.abs(expected)
    )


def test_asgd_and_every_class_have_recorded_cases():
    assert len(ASGD_CASES) >= 4
    counts = dict.fromkeys(STATE_NAMES, 0)
    for case in REFERENCE["cases"]:
        counts[case["optimizer"]] += 1
    assert min(counts[cls.__name__] for cls in NEW) >= 5, counts


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.__name__)
def test_step_never_modifies_its_arguments(cls):
    x, g = np.array([1.0, 2.0]), np.array([0.3, -0.4])
    x_copy, g_copy = x.copy(), g.copy()
    opt = cls(**BUSY[cls])
    for sign in (1, -1, 1):
        opt.step(x, sign * g)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(g, g_copy)


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.__name__)
def test_any_shape_and_integer_input(cls):
    out = cls(lr=0.1).step(np.ones((2, 3, 4), dtype=int), np.ones((2, 3, 4)))
    assert out.shape == (2, 3, 4) and out.dtype == np.float64
    assert np.ndim(cls(lr=0.1).step(1.0, 2.0)) == 0


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.__name__)
def test_reset_clears_state_and_repeats_the_run(cls):
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(10, 2))
    opt = cls(**BUSY[cls])
    first = replay(opt, np.zeros(2), grads, [0.1] * 10)
    assert all(getattr(opt, name) is not None for name in opt._state)
    opt.reset()
    assert opt.t == 0
    assert all(getattr(opt, name) is None for name in opt._state + opt._scalar_state)
    np.testing.assert_array_equal(replay(opt, np.zeros(2), grads, [0.1] * 10), first)


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.__name__)
def test_gradient_shape_mismatch_is_rejected(cls):
    with pytest.raises(
        ValueError,
        match=r"grad must have the shape of the parameters, \(2,\), got \(3,\)",
    ):
        cls().step(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.__name__)
def test_state_shape_mismatch_asks_for_reset(cls):
    opt = cls()
    opt.step(np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="reset"):
        opt.step(np.zeros(3), np.ones(3))


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.__name__)
def test_repr_is_the_call_that_makes_the_optimizer(cls):
    opt = cls(**BUSY[cls])
    again = eval(repr(opt), vars(optim))
    assert type(again) is cls and repr(again) == repr(opt)
    assert repr(cls()).startswith(f"{cls.__name__}(lr=")


INVALID = [
    (optim.Adadelta, dict(lr=-1.0), r"lr must lie in \[0.0, inf\)"),
    (optim.Adadelta, dict(rho=1.5), r"rho must lie in \[0.0, 1.0\]"),
    (optim.Adadelta, dict(rho=-0.1), "rho must lie in"),
    (optim.Adadelta, dict(eps=-1e-6), "eps must lie in"),
    (optim.Adadelta, dict(weight_decay=-0.1), "weight_decay must lie in"),
    (optim.Adamax, dict(betas=(1.0, 0.999)), r"betas\[0\] must lie in \[0.0, 1.0\)"),
    (optim.Adamax, dict(betas=(0.9, 1.0)), r"betas\[1\] must lie in \[0.0, 1.0\)"),
    (optim.Adamax, dict(betas=(0.9,)), r"betas must be a pair \(beta1, beta2\)"),
    (optim.Adamax, dict(eps=-1e-8), "eps must lie in"),
    (optim.Adamax, dict(weight_decay=-0.1), "weight_decay must lie in"),
    (optim.NAdam, dict(momentum_decay=-4e-3), r"momentum_decay must lie in \[0.0, inf"),
    (optim.NAdam, dict(betas=(-0.1, 0.999)), r"betas\[0\] must lie in"),
    (optim.NAdam, dict(decoupled_weight_decay=1), "decoupled_weight_decay must be"),
    (optim.NAdam, dict(lr="fast"), "lr must be a real number"),
    (optim.RAdam, dict(betas=(0.9, 1.5)), r"betas\[1\] must lie in"),
    (optim.RAdam, dict(betas="ab"), "betas must be a pair"),
    (optim.RAdam, dict(eps=float("nan")), "eps must lie in"),
    (optim.RAdam, dict(decoupled_weight_decay="yes"), "decoupled_weight_decay must"),
    (optim.ASGD, dict(lr=-0.01), "lr must lie in"),
    (optim.ASGD, dict(weight_decay=-1.0), "weight_decay must lie in"),
    (optim.ASGD, dict(lambd=-1e-4), r"lambd must lie in \[0.0, inf\)"),
    (optim.ASGD, dict(alpha=-0.75), "alpha must lie in"),
    (optim.ASGD, dict(t0=-1.0), "t0 must lie in"),
    (optim.ASGD, dict(t0=float("inf")), "t0 must lie in"),
    (optim.Rprop, dict(lr=-0.01), "lr must lie in"),
    (optim.Rprop, dict(etas=(0.0, 1.2)), r"etas\[0\] must lie in \(0.0, 1.0\)"),
    (optim.Rprop, dict(etas=(1.0, 1.2)), r"etas\[0\] must lie in \(0.0, 1.0\)"),
    (optim.Rprop, dict(etas=(0.5, 1.0)), r"etas\[1\] must lie in \(1.0, inf\)"),
    (optim.Rprop, dict(etas=0.5), r"etas must be a pair \(etaminus, etaplus\)"),
    (optim.Rprop, dict(step_sizes=(-1e-6, 50)), r"step_sizes\[0\] must lie in"),
    (optim.Rprop, dict(step_sizes=(1e-6, np.inf)), r"step_sizes\[1\] must lie in"),
    (optim.Rprop, dict(step_sizes=(1.0, 0.5)), "step_size_min <= step_size_max"),
    (optim.Rprop, dict(step_sizes=[1e-6]), r"step_sizes must be a pair"),
]


@pytest.mark.parametrize(
    "cls, kwargs, message", INVALID, ids=[f"{c.__name__}-{k}" for c, k, _ in INVALID]
)
def test_invalid_hyperparameters_raise_value_error_naming_them(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.__name__)
def test_learning_rate_changed_to_invalid_value_is_caught_at_the_next_step(cls):
    opt = cls()
    opt.step(np.zeros(1), np.ones(1))
    opt.lr = -1.0
    with pytest.raises(ValueError, match=r"lr must lie in \[0.0, inf\), got -1.0"):
        opt.step(np.zeros(1), np.ones(1))


COLUMN = np.array([[0.0], [0.5], [0.9]])
SWEEPS = [
    (optim.Adadelta, {"rho": COLUMN, "eps": np.array([[1e-6], [1e-3], [1e-8]])}),
    (optim.Adadelta, {"weight_decay": COLUMN}),
    (optim.Adamax, {"betas": (COLUMN, np.array([[0.0], [0.9], [0.999]]))}),
    (optim.NAdam, {"betas": (COLUMN, 0.99), "momentum_decay": COLUMN * 10}),
    (optim.NAdam, {"weight_decay": COLUMN, "decoupled_weight_decay": True}),
    (optim.RAdam, {"betas": (0.9, np.array([[0.5], [0.9], [0.999]]))}),  # mixed
    (optim.RAdam, {"betas": (COLUMN, 0.9), "eps": np.array([[1e-8], [0.0], [1e-3]])}),
    (optim.ASGD, {"lambd": COLUMN, "t0": np.array([[2.0], [5.0], [1e6]])}),
    (optim.ASGD, {"alpha": COLUMN, "lambd": 1.0, "weight_decay": COLUMN}),
    (optim.Rprop, {"etas": (np.array([[0.3], [0.5], [0.9]]), 1.2)}),
    (
        optim.Rprop,
        {
            "step_sizes": (
                np.array([[0.0], [1e-3], [0.02]]),
                np.array([[1], [0.1], [2]]),
            )
        },
    ),
]


def _single(value, r):
    if isinstance(value, tuple):
        return tuple(_single(v, r) for v in value)
    return value[r, 0] if np.ndim(value) else value


@pytest.mark.parametrize(
    "cls, kwargs", SWEEPS, ids=[f"{c.__name__}-{sorted(k)}" for c, k in SWEEPS]
)
def test_array_hyperparameters_run_a_sweep_equal_to_separate_runs(cls, kwargs):
    rng = np.random.default_rng(5)
    grads = rng.normal(size=(30, 3, 2)) * np.exp(rng.normal(size=(30, 3, 2)))
    grads[4] = 0.0
    lr = np.array([[0.1], [0.05], [0.02]])
    lrs = [lr if t < 20 else lr / 2 for t in range(30)]  # and a change mid-run
    swept = replay(cls(lr=lr, **kwargs), np.ones((3, 2)), grads, lrs)
    for r in range(3):
        single = {k: _single(v, r) for k, v in kwargs.items()}
        alone = replay(
            cls(lr=lr[r, 0], **single), np.ones(2), grads[:, r], [x[r, 0] for x in lrs]
        )
        np.testing.assert_allclose(swept[:, r], alone, rtol=1e-14, atol=1e-300)


def test_a_sweep_over_learning_rates_keeps_per_run_scalar_state():
    opt = optim.ASGD(lr=np.array([[0.1], [0.01]]), lambd=1.0)
    opt.step(np.ones((2, 3)), np.ones((2, 3)))
    assert np.shape(opt.eta) == (2, 1) and np.shape(opt.mu) == ()
    nadam = optim.NAdam(betas=(np.array([[0.9], [0.5]]), 0.999))
    nadam.step(np.ones((2, 3)), np.ones((2, 3)))
    assert np.shape(nadam.mu_product) == (2, 1)
