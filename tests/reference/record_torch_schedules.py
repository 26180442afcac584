"""Record learning rates and clipped gradients from torch, once.

They go into lessons_py/reference/torch_schedules.json.

torch is *not* a dependency of the project or its tests: this script was run
by hand in a separate environment (``pip install torch==2.13.0 numpy``) and its
output is committed. tests/test_schedules.py and tests/test_clipping.py compare
lessons_py.schedules and lessons_py.clipping with the recorded values.

    python tests/reference/record_torch_schedules.py

Schedules: for each case, an optimizer with learning rate ``lr`` and the
scheduler; ``expected[s]`` is ``scheduler.get_last_lr()[0]`` after ``s`` calls
of ``scheduler.step()`` (each after an ``optimizer.step()``, in the documented
order), for ``s = 0 .. steps``. ``ours`` names the lessons_py.schedules
constructor and keyword arguments that should reproduce it (for ``join``, the
pieces are themselves ``{"ours", "our_kwargs"}`` records); the tests compare
``s = 0 .. compare_through``: CosineAnnealingLR (alone or as the last piece of a
SequentialLR) only up to ``T_max`` (torch's cosine then climbs back,
lessons_py holds ``eta_min``) and OneCycleLR up to ``total_steps - 1`` (the one
extra value torch gives at ``total_steps`` is past the end of its cycle).
OneCycleLR cases with ``expected_momentum`` also record the momentum torch writes
into the optimizer (SGD's ``momentum`` or Adam's ``betas[0]``).
SequentialLR cases list their pieces in ``torch_pieces``; a ``LambdaLR`` piece is
``["ramp", W]`` (``lambda s: s / W``) or ``["constant", c]`` (``lambda s: c``).
``notes`` records the torch behaviour that differs from a closed form, for the
chapters and the tests of those differences, and ``notes["long_runs"]`` every
``every``-th rate of a few runs of 10**5 and 10**6 steps (the rounding drift of
torch's recursive updates).

Clipping: ``clip_grad_value_`` and ``clip_grad_norm_`` applied to a single
float64 tensor's ``.grad``; ``total_norm`` is what ``clip_grad_norm_`` returns.
"""

import json
import math
import pathlib
import warnings

import numpy as np
import torch
from torch.optim import lr_scheduler as S

torch.set_default_dtype(torch.float64)

# (torch class, torch kwargs, ours, our kwargs, lr, recorded steps,
#  compare through s (None: all))
SCHEDULES = [
    ("StepLR", dict(step_size=3), "step_decay", dict(step_size=3), 0.1, 20, None),
    (
        "StepLR",
        dict(step_size=1, gamma=0.5),
        "step_decay",
        dict(step_size=1, gamma=0.5),
        1.0,
        40,
        None,
    ),
    (
        "StepLR",
        dict(step_size=7, gamma=0.9),
        "step_decay",
        dict(step_size=7, gamma=0.9),
        0.05,
        200,
        None,
    ),
    (
        "StepLR",
        dict(step_size=2, gamma=1.0),
        "step_decay",
        dict(step_size=2, gamma=1.0),
        0.01,
        10,
        None,
    ),
    (
        "ExponentialLR",
        dict(gamma=0.9),
        "exponential_decay",
        dict(gamma=0.9),
        0.1,
        50,
        None,
    ),
    (
        "ExponentialLR",
        dict(gamma=0.5),
        "exponential_decay",
        dict(gamma=0.5),
        1.0,
        60,
        None,
    ),
    (
        "ExponentialLR",
        dict(gamma=0.999),
        "exponential_decay",
        dict(gamma=0.999),
        0.01,
        1000,
        None,
    ),
    (
        "ExponentialLR",
        dict(gamma=1.0),
        "exponential_decay",
        dict(gamma=1.0),
        0.3,
        10,
        None,
    ),
    (
        "CosineAnnealingLR",
        dict(T_max=10),
        "cosine_annealing",
        dict(T_max=10),
        0.1,
        25,
        10,
    ),
    (
        "CosineAnnealingLR",
        dict(T_max=10, eta_min=1e-3),
        "cosine_annealing",
        dict(T_max=10, eta_min=1e-3),
        0.1,
        25,
        10,
    ),
    ("CosineAnnealingLR", dict(T_max=1), "cosine_annealing", dict(T_max=1), 1.0, 5, 1),
    (
        "CosineAnnealingLR",
        dict(T_max=7, eta_min=0.01),
        "cosine_annealing",
        dict(T_max=7, eta_min=0.01),
        0.01,
        10,
        7,
    ),
    (
        "CosineAnnealingLR",
        dict(T_max=100, eta_min=1e-4),
        "cosine_annealing",
        dict(T_max=100, eta_min=1e-4),
        0.05,
        100,
        100,
    ),
    (
        "CosineAnnealingLR",
        dict(T_max=1000),
        "cosine_annealing",
        dict(T_max=1000),
        0.1,
        1000,
        1000,
    ),
    (
        "LinearLR",
        dict(total_iters=5),
        "linear_warmup",
        dict(warmup_steps=5),
        0.1,
        10,
        None,
    ),
    (
        "LinearLR",
        dict(start_factor=0.01, total_iters=10),
        "linear_warmup",
        dict(warmup_steps=10, start_factor=0.01),
        0.1,
        15,
        None,
    ),
    (
        "LinearLR",
        dict(start_factor=0.5, total_iters=1),
        "linear_warmup",
        dict(warmup_steps=1, start_factor=0.5),
        1.0,
        5,
        None,
    ),
    (
        "LinearLR",
        dict(start_factor=1.0, total_iters=4),
        "linear_warmup",
        dict(warmup_steps=4, start_factor=1.0),
        0.02,
        8,
        None,
    ),
    (
        "LinearLR",
        dict(start_factor=1e-3, total_iters=500),
        "linear_warmup",
        dict(warmup_steps=500, start_factor=1e-3),
        0.1,
        520,
        None,
    ),
    (
        "OneCycleLR",
        dict(max_lr=0.1, total_steps=100),
        "one_cycle",
        dict(total_steps=100),
        0.1,
        100,
        99,
    ),
    (
        "OneCycleLR",
        dict(
            max_lr=1.0,
            total_steps=10,
            pct_start=0.25,
            div_factor=10.0,
            final_div_factor=100.0,
        ),
        "one_cycle",
        dict(total_steps=10, pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
        1.0,
        10,
        9,
    ),
    (
        "OneCycleLR",
        dict(max_lr=0.01, total_steps=7, pct_start=0.5),
        "one_cycle",
        dict(total_steps=7, pct_start=0.5),
        0.01,
        7,
        6,
    ),
    (
        "OneCycleLR",
        dict(max_lr=0.1, total_steps=3),
        "one_cycle",
        dict(total_steps=3),
        0.1,
        3,
        2,
    ),
    (
        "OneCycleLR",
        dict(max_lr=0.1, total_steps=1),
        "one_cycle",
        dict(total_steps=1),
        0.1,
        1,
        0,
    ),
    (
        "OneCycleLR",
        dict(max_lr=0.1, total_steps=50, pct_start=0.99),
        "one_cycle",
        dict(total_steps=50, pct_start=0.99),
        0.1,
        50,
        49,
    ),
    (
        "OneCycleLR",
        dict(max_lr=0.1, total_steps=1000, pct_start=0.1),
        "one_cycle",
        dict(total_steps=1000, pct_start=0.1),
        0.1,
        1000,
        999,
    ),
    (
        "CosineAnnealingWarmRestarts",
        dict(T_0=5),
        "cosine_restarts",
        dict(T_0=5),
        0.1,
        30,
        None,
    ),
    (
        "CosineAnnealingWarmRestarts",
        dict(T_0=3, T_mult=2, eta_min=1e-3),
        "cosine_restarts",
        dict(T_0=3, T_mult=2, eta_min=1e-3),
        0.1,
        60,
        None,
    ),
    (
        "CosineAnnealingWarmRestarts",
        dict(T_0=1),
        "cosine_restarts",
        dict(T_0=1),
        1.0,
        5,
        None,
    ),
    (
        "CosineAnnealingWarmRestarts",
        dict(T_0=1, T_mult=2),
        "cosine_restarts",
        dict(T_0=1, T_mult=2),
        1.0,
        70,
        None,
    ),
    (
        "CosineAnnealingWarmRestarts",
        dict(T_0=4, T_mult=3, eta_min=0.05),
        "cosine_restarts",
        dict(T_0=4, T_mult=3, eta_min=0.05),
        0.05,
        60,
        None,
    ),
    (
        "CosineAnnealingWarmRestarts",
        dict(T_0=2, T_mult=3, eta_min=0.01),
        "cosine_restarts",
        dict(T_0=2, T_mult=3, eta_min=0.01),
        0.2,
        100,
        None,
    ),
]

# LinearLR as a decay, and with torch's defaults (lessons_py.schedules.linear)
SCHEDULES += [
    (
        "LinearLR",
        dict(start_factor=1.0, end_factor=0.1, total_iters=10),
        "linear",
        dict(start_factor=1.0, end_factor=0.1, total_iters=10),
        0.1,
        15,
        None,
    ),
    (
        "LinearLR",
        dict(start_factor=0.5, end_factor=0.0, total_iters=7),
        "linear",
        dict(start_factor=0.5, end_factor=0.0, total_iters=7),
        1.0,
        10,
        None,
    ),
    ("LinearLR", dict(), "linear", dict(), 0.3, 8, None),
]

# OneCycleLR's other shapes (learning rate only: cycle_momentum=False)
for _kwargs in [
    dict(max_lr=0.1, total_steps=100, three_phase=True, anneal_strategy="linear"),
    dict(max_lr=0.1, total_steps=100, three_phase=True),
    dict(max_lr=0.1, total_steps=100, anneal_strategy="linear"),
    dict(max_lr=1.0, total_steps=11, pct_start=0.4, three_phase=True),
    dict(max_lr=0.1, total_steps=7, pct_start=0.1, three_phase=True),
]:
    SCHEDULES.append(
        (
            "OneCycleLR",
            dict(_kwargs, cycle_momentum=False),
            "one_cycle",
            {k: v for k, v in _kwargs.items() if k != "max_lr"}
            | dict(cycle_momentum=False),
            _kwargs["max_lr"],
            _kwargs["total_steps"],
            _kwargs["total_steps"] - 1,
        )
    )

# OneCycleLR with its momentum cycle: (torch kwargs, optimizer)
MOMENTUM = [
    (dict(max_lr=0.1, total_steps=100), "SGD"),
    (
        dict(max_lr=0.1, total_steps=20, three_phase=True, anneal_strategy="linear"),
        "SGD",
    ),
    (dict(max_lr=1e-3, total_steps=50, base_momentum=0.8, max_momentum=0.9), "Adam"),
    (dict(max_lr=0.01, total_steps=30, pct_start=0.25, three_phase=True), "Adam"),
    (dict(max_lr=0.1, total_steps=7, pct_start=0.1), "SGD"),
]

# SequentialLR: (pieces as (torch class, torch kwargs, ours, our kwargs),
#                milestones, lr, recorded steps, compare through, composite or None)
SEQUENTIAL = [
    (
        [
            (
                "LinearLR",
                dict(start_factor=0.01, total_iters=10),
                "linear_warmup",
                dict(warmup_steps=10, start_factor=0.01),
            ),
            ("CosineAnnealingLR", dict(T_max=30), "cosine_annealing", dict(T_max=30)),
        ],
        [10],
        0.1,
        45,
        40,
        None,
    ),
    (
        [
            (
                "LambdaLR",
                dict(lr_lambda=["ramp", 20]),
                "linear",
                dict(start_factor=0.0, end_factor=1.0, total_iters=20),
            ),
            (
                "CosineAnnealingLR",
                dict(T_max=80, eta_min=1e-3),
                "cosine_annealing",
                dict(T_max=80, eta_min=1e-3),
            ),
        ],
        [20],
        0.1,
        110,
        100,
        ("warmup_cosine", dict(warmup_steps=20, total_steps=100, eta_min=1e-3)),
    ),
    (
        [
            (
                "LambdaLR",
                dict(lr_lambda=["ramp", 5]),
                "linear",
                dict(start_factor=0.0, end_factor=1.0, total_iters=5),
            ),
            ("LambdaLR", dict(lr_lambda=["constant", 1.0]), "constant", dict()),
            (
                "LinearLR",
                dict(start_factor=1.0, end_factor=0.1, total_iters=8),
                "linear",
                dict(start_factor=1.0, end_factor=0.1, total_iters=8),
            ),
            ("LambdaLR", dict(lr_lambda=["constant", 0.1]), "constant", dict(lr=0.02)),
        ],
        [5, 17, 25],
        0.2,
        35,
        None,
        (
            "warmup_stable_decay",
            dict(warmup_steps=5, stable_steps=12, decay_steps=8, eta_min=0.02),
        ),
    ),
    (
        [
            (
                "StepLR",
                dict(step_size=4, gamma=0.5),
                "step_decay",
                dict(step_size=4, gamma=0.5),
            ),
            ("ExponentialLR", dict(gamma=0.9), "exponential_decay", dict(gamma=0.9)),
        ],
        [12],
        1.0,
        30,
        None,
        None,
    ),
]

# long runs: (torch class, torch kwargs, ours, our kwargs, lr, steps, every)
LONG_RUNS = [
    (
        "ExponentialLR",
        dict(gamma=0.9999),
        "exponential_decay",
        dict(gamma=0.9999),
        0.1,
        10**5,
        1000,
    ),
    (
        "CosineAnnealingLR",
        dict(T_max=10**5),
        "cosine_annealing",
        dict(T_max=10**5),
        0.1,
        10**5,
        1000,
    ),
    (
        "LinearLR",
        dict(start_factor=1e-3, total_iters=10**5),
        "linear_warmup",
        dict(warmup_steps=10**5, start_factor=1e-3),
        0.1,
        10**5,
        1000,
    ),
    (
        "LinearLR",
        dict(start_factor=1e-3, total_iters=10**6),
        "linear_warmup",
        dict(warmup_steps=10**6, start_factor=1e-3),
        0.1,
        10**6,
        10**5,
    ),
]


def _optimizer(name, lr):
    p = torch.nn.Parameter(torch.zeros(1))
    if name == "Adam":
        return torch.optim.Adam([p], lr=lr)
    if name == "Adagrad":
        return torch.optim.Adagrad([p], lr=lr)
    return torch.optim.SGD([p], lr=lr, momentum=0.9 if name == "SGD" else 0.0)


def _momentum(opt):
    group = opt.param_groups[0]
    return group["betas"][0] if "betas" in group else group["momentum"]


def _scheduler(opt, cls, kwargs):
    kwargs = dict(kwargs)
    if cls == "LambdaLR":
        kind, value = kwargs.pop("lr_lambda")
        kwargs["lr_lambda"] = (
            (lambda s: s / value) if kind == "ramp" else (lambda s: value)
        )
    return getattr(S, cls)(opt, **kwargs)


def record_sequential(pieces, milestones, lr, steps):
    opt = _optimizer("plain", lr)
    children = [_scheduler(opt, cls, kwargs) for cls, kwargs, *_ in pieces]
    scheduler = S.SequentialLR(opt, children, milestones=milestones)
    out = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        out.append(scheduler.get_last_lr()[0])
    return out


def record_momentum(kwargs, optimizer):
    """Rates and momenta of a OneCycleLR with cycle_momentum=True, s = 0 .. T - 1."""
    opt = _optimizer(optimizer, kwargs["max_lr"])
    scheduler = S.OneCycleLR(opt, **kwargs)
    lrs, momenta = [scheduler.get_last_lr()[0]], [_momentum(opt)]
    for _ in range(kwargs["total_steps"] - 1):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
        momenta.append(_momentum(opt))
    return lrs, momenta


def record_long_run(cls, kwargs, lr, steps, every):
    opt = _optimizer("plain", lr)
    scheduler = getattr(S, cls)(opt, **kwargs)
    out = [scheduler.get_last_lr()[0]]
    for s in range(1, steps + 1):
        opt.step()
        scheduler.step()
        if s % every == 0:
            out.append(scheduler.get_last_lr()[0])
    return out


def record_schedule(cls, kwargs, lr, steps):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    if cls == "OneCycleLR":
        kwargs = dict(
            dict(anneal_strategy="cos", three_phase=False, cycle_momentum=False),
            **kwargs,
        )
    scheduler = getattr(S, cls)(opt, **kwargs)
    out = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        out.append(scheduler.get_last_lr()[0])
    return out


def record_surprises():
    """Values that show where torch stops agreeing with a closed form."""
    notes = {}
    # OneCycleLR allows a step to t = total_steps (past the end) and raises after it.
    lrs = record_schedule("OneCycleLR", dict(max_lr=0.1, total_steps=10), 0.1, 10)
    notes["one_cycle_at_total_steps"] = {
        "max_lr": 0.1,
        "total_steps": 10,
        "lr_at_9": lrs[9],
        "lr_at_10": lrs[10],
    }
    try:
        record_schedule("OneCycleLR", dict(max_lr=0.1, total_steps=10), 0.1, 11)
    except ValueError as err:
        notes["one_cycle_past_total_steps"] = str(err)
    # pct_start * total_steps == 1: phase 1 runs from step 0 to step 0.
    try:
        record_schedule(
            "OneCycleLR", dict(max_lr=0.1, total_steps=10, pct_start=0.1), 0.1, 0
        )
    except ZeroDivisionError as err:
        notes["one_cycle_pct_start_times_total_steps_is_1"] = (
            f"ZeroDivisionError: {err}"
        )
    # LinearLR with total_iters=0 is accepted and then stays at start_factor * lr.
    notes["linear_lr_total_iters_0"] = record_schedule(
        "LinearLR", dict(start_factor=0.5, total_iters=0), 0.1, 3
    )
    # CosineAnnealingWarmRestarts: step() (recursive) vs step(epoch) (a float log).
    p = torch.nn.Parameter(torch.zeros(1))
    mismatches = []
    for T_0, T_mult in [(1, 2), (1, 3), (2, 3), (3, 2), (1, 10)]:
        opt = torch.optim.SGD([p], lr=1.0)
        a = S.CosineAnnealingWarmRestarts(opt, T_0=T_0, T_mult=T_mult)
        opt2 = torch.optim.SGD([p], lr=1.0)
        b = S.CosineAnnealingWarmRestarts(opt2, T_0=T_0, T_mult=T_mult)
        for t in range(1, 3000):
            a.step()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                b.step(t)
            if a.get_last_lr()[0] != b.get_last_lr()[0]:
                mismatches.append(
                    {
                        "T_0": T_0,
                        "T_mult": T_mult,
                        "t": t,
                        "step": a.get_last_lr()[0],
                        "step_epoch": b.get_last_lr()[0],
                    }
                )
    notes["warm_restarts_step_vs_step_epoch_mismatches"] = mismatches[:10]
    notes["warm_restarts_step_vs_step_epoch_mismatch_count"] = len(mismatches)
    # OneCycleLR's default cycle_momentum=True gives an SGD built without momentum
    # a momentum of max_momentum, and refuses an optimizer without momentum or betas.
    opt = _optimizer("plain", 0.1)
    before = _momentum(opt)
    S.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    notes["one_cycle_sgd_without_momentum"] = {
        "momentum_before": before,
        "momentum_after": _momentum(opt),
    }
    try:
        S.OneCycleLR(_optimizer("Adagrad", 0.1), max_lr=0.1, total_steps=10)
    except ValueError as err:
        notes["one_cycle_adagrad"] = str(err)
    notes["long_runs"] = [
        {
            "torch": cls,
            "torch_kwargs": kwargs,
            "lr": lr,
            "ours": ours,
            "our_kwargs": {"lr": lr, **our_kwargs},
            "steps": steps,
            "every": every,
            "expected": record_long_run(cls, kwargs, lr, steps, every),
        }
        for cls, kwargs, ours, our_kwargs, lr, steps, every in LONG_RUNS
    ]
    return notes


def record_clipping():
    rng = np.random.default_rng(2026)
    cases = []
    grads = {
        "vector": rng.normal(size=5) * 3,
        "matrix": rng.normal(size=(3, 4)),
        "small": rng.normal(size=4) * 1e-3,
        "spiky": np.array([0.01, -50.0, 0.2, 3.0]),
        "zero": np.zeros(3),
    }
    for name, g in grads.items():
        for clip_value in [0.0, 0.5, 2.0]:
            t = torch.nn.Parameter(torch.zeros(g.shape))
            t.grad = torch.tensor(g)
            torch.nn.utils.clip_grad_value_(t, clip_value)
            cases.append(
                {
                    "fn": "clip_grad_value_",
                    "grad_name": name,
                    "grad": g.tolist(),
                    "clip_value": clip_value,
                    "expected": t.grad.numpy().tolist(),
                }
            )
        for max_norm, norm_type in [
            (1.0, 2.0),
            (0.5, 1.0),
            (1.0, 3.0),
            (0.1, math.inf),
            (100.0, 2.0),
            (0.0, 2.0),
        ]:
            t = torch.nn.Parameter(torch.zeros(g.shape))
            t.grad = torch.tensor(g)
            total = torch.nn.utils.clip_grad_norm_(t, max_norm, norm_type=norm_type)
            cases.append(
                {
                    "fn": "clip_grad_norm_",
                    "grad_name": name,
                    "grad": g.tolist(),
                    "max_norm": max_norm,
                    "norm_type": "inf" if norm_type == math.inf else norm_type,
                    "total_norm": total.item(),
                    "expected": t.grad.numpy().tolist(),
                }
            )
    # exactly at the threshold: torch still scales by max_norm / (norm + 1e-6) < 1
    g = np.array([3.0, 4.0])
    t = torch.nn.Parameter(torch.zeros(2))
    t.grad = torch.tensor(g)
    total = torch.nn.utils.clip_grad_norm_(t, 5.0)
    cases.append(
        {
            "fn": "clip_grad_norm_",
            "grad_name": "at_threshold",
            "grad": g.tolist(),
            "max_norm": 5.0,
            "norm_type": 2.0,
            "total_norm": total.item(),
            "expected": t.grad.numpy().tolist(),
        }
    )
    return cases


def main():
    schedules = []
    for cls, kwargs, ours, our_kwargs, lr, steps, compare in SCHEDULES:
        lead = {"max_lr": kwargs["max_lr"]} if cls == "OneCycleLR" else {"lr": lr}
        schedules.append(
            {
                "torch": cls,
                "torch_kwargs": kwargs,
                "lr": lr,
                "ours": ours,
                "our_kwargs": {**lead, **our_kwargs},
                "compare_through": steps if compare is None else compare,
                "expected": record_schedule(cls, kwargs, lr, steps),
            }
        )
    for kwargs, optimizer in MOMENTUM:
        lrs, momenta = record_momentum(kwargs, optimizer)
        T = kwargs["total_steps"]
        schedules.append(
            {
                "torch": "OneCycleLR",
                "torch_kwargs": kwargs,
                "optimizer": optimizer,
                "lr": kwargs["max_lr"],
                "ours": "one_cycle",
                "our_kwargs": dict(kwargs),
                "compare_through": T - 1,
                "expected": lrs,
                "expected_momentum": momenta,
            }
        )
    for pieces, milestones, lr, steps, compare, composite in SEQUENTIAL:
        parts = [
            {
                "ours": ours,
                "our_kwargs": {"lr": lr, **kw},
            }
            for (_, kwargs, ours, kw) in pieces
        ]
        ours, our_kwargs = composite or (
            "join",
            {"schedules": parts, "milestones": milestones},
        )
        schedules.append(
            {
                "torch": "SequentialLR",
                "torch_pieces": [
                    {"torch": cls, "torch_kwargs": kwargs} for cls, kwargs, *_ in pieces
                ],
                "milestones": milestones,
                "lr": lr,
                "ours": ours,
                "our_kwargs": {"lr": lr, **our_kwargs} if composite else our_kwargs,
                "compare_through": steps if compare is None else compare,
                "expected": record_sequential(pieces, milestones, lr, steps),
            }
        )
    out = (
        pathlib.Path(__file__).resolve().parents[2]
        / "lessons_py"
        / "reference"
        / "torch_schedules.json"
    )
    out.write_text(
        json.dumps(
            {
                "torch_version": torch.__version__,
                "schedules": schedules,
                "clipping": record_clipping(),
                "notes": record_surprises(),
            },
            indent=1,
        )
    )
    print(f"wrote {len(schedules)} schedules to {out}")


if __name__ == "__main__":
    main()
