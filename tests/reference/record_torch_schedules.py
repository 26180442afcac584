"""Record learning rates and clipped gradients from torch, once, into lessons_py/reference/torch_schedules.json.

torch is *not* a dependency of the project or its tests: this script was run
by hand in a separate environment (``pip install torch==2.13.0 numpy``) and its
output is committed. tests/test_schedules.py and tests/test_clipping.py compare
lessons_py.schedules and lessons_py.clipping with the recorded values.

    python tests/reference/record_torch_schedules.py

Schedules: for each case, an SGD optimizer with learning rate ``lr`` and the
scheduler; ``expected[t]`` is ``scheduler.get_last_lr()[0]`` after ``t`` calls
of ``scheduler.step()`` (each after an ``optimizer.step()``, in the documented
order), for ``t = 0 .. steps``. ``ours`` names the lessons_py.schedules
constructor and keyword arguments that should reproduce it; the tests compare
``t = 0 .. compare_through``: CosineAnnealingLR only up to ``T_max`` (torch's
cosine then climbs back, lessons_py holds ``eta_min``) and OneCycleLR up to
``total_steps - 1`` (the one extra value torch gives at ``total_steps`` is past
the end of its cycle). ``notes`` records the torch behaviour that differs from a
closed form, for the chapters and the tests of those differences.

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

# (torch class, torch kwargs, ours, our kwargs, lr, recorded steps, compare through t (None: all))
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


def record_schedule(cls, kwargs, lr, steps):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    if cls == "OneCycleLR":
        kwargs = dict(
            kwargs, anneal_strategy="cos", three_phase=False, cycle_momentum=False
        )
    scheduler = getattr(S, cls)(opt, **kwargs)
    out = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        out.append(scheduler.get_last_lr()[0])
    return out


def record_surprises():
    """Values that show where torch stops agreeing with a closed form (for the report)."""
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
    # CosineAnnealingWarmRestarts: step() (recursive) vs step(epoch) (floating-point log).
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
