"""Record trajectories from torch.optim once into lessons_py/reference/torch_optim.json.

torch is *not* a dependency of the project or its tests: this script was run
by hand in a separate environment,

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tests/reference/record_torch_reference.py

and its output is committed. The tests replay the same gradients and learning rates
through lessons_py.optim and compare with the recorded parameters, with torch's state
after the last step (``state``, torch's names) and, for ASGD, with the average ``ax``
after every step (``expected_ax``). ``signatures`` holds each class's keywords, in
order, with their defaults and kinds, without the speed and autograd switches
(``SWITCHES``) that lessons_py leaves out.

The cases are drawn from one seeded generator in the order of ``CONFIGS``: new
configurations go at the end, so that re-running the script leaves the earlier
cases as they were.
"""

import inspect
import json
import pathlib

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

# (class, keyword arguments[, options]); options: "zero_first" makes the first
# gradient 0, "same_sign" keeps the sign of coordinate 0 (Rprop's step then grows),
# "lr_scale" multiplies the learning rates (Adadelta's default is 1)
CONFIGS = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("SGD", {"momentum": 0.5, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"momentum": 0.99, "dampening": 0.1, "weight_decay": 0.01}),
    ("Adagrad", {}),
    ("Adagrad", {"lr_decay": 0.1}),
    ("Adagrad", {"weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("Adagrad", {"eps": 1e-3, "lr_decay": 0.01, "weight_decay": 0.05}),
    ("RMSprop", {}),
    ("RMSprop", {"alpha": 0.9, "momentum": 0.9}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.1, "eps": 1e-3}),
    ("Adam", {}),
    ("Adam", {"betas": (0.0, 0.99)}),
    ("Adam", {"amsgrad": True}),
    ("Adam", {"weight_decay": 0.1, "eps": 1e-3}),
    ("Adam", {"betas": (0.5, 0.9), "amsgrad": True, "weight_decay": 0.05}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.0}),
    ("AdamW", {"weight_decay": 0.5, "amsgrad": True}),
    ("AdamW", {"betas": (0.8, 0.95), "eps": 1e-4, "weight_decay": 0.1}),
    # added with the torch 2.13 keywords the first five lacked and the other classes
    ("Adam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    (
        "Adam",
        {"weight_decay": 0.5, "amsgrad": True, "decoupled_weight_decay": True},
    ),
    ("Adadelta", {}, {"lr_scale": 20.0}),
    ("Adadelta", {"rho": 0.5}),
    ("Adadelta", {"rho": 0.99, "eps": 1e-8}, {"lr_scale": 20.0}),
    ("Adadelta", {"eps": 1e-3, "weight_decay": 0.1}),
    ("Adadelta", {"rho": 1.0}),
    ("Adadelta", {}, {"zero_first": True}),
    ("Adamax", {}),
    ("Adamax", {"betas": (0.5, 0.9)}),
    ("Adamax", {"weight_decay": 0.1, "eps": 1e-3}),
    ("Adamax", {"betas": (0.0, 0.0)}),
    ("Adamax", {"betas": (0.95, 0.5), "eps": 1e-6}, {"zero_first": True}),
    ("NAdam", {}),
    ("NAdam", {"momentum_decay": 0.1}),
    ("NAdam", {"momentum_decay": 0.0}),
    ("NAdam", {"weight_decay": 0.1}),
    ("NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("NAdam", {"betas": (0.8, 0.9), "eps": 1e-4, "momentum_decay": 10.0}),
    ("NAdam", {"betas": (0.0, 0.99)}, {"zero_first": True}),
    ("RAdam", {}),
    ("RAdam", {"betas": (0.9, 0.9)}),
    ("RAdam", {"betas": (0.5, 0.5)}),
    ("RAdam", {"weight_decay": 0.1}),
    ("RAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"betas": (0.8, 0.99), "eps": 1e-3}, {"zero_first": True}),
    ("ASGD", {}),
    ("ASGD", {"t0": 5.0}),
    ("ASGD", {"lambd": 0.5, "alpha": 0.9, "t0": 3.0}),
    ("ASGD", {"lambd": 0.1, "weight_decay": 0.1, "t0": 10.5}),
    ("ASGD", {"lambd": 2.0, "alpha": 0.0}, {"lr_scale": 5.0}),
    ("Rprop", {}),
    ("Rprop", {"etas": (0.3, 1.5)}),
    ("Rprop", {"step_sizes": (1e-3, 0.08)}, {"same_sign": True}),
    ("Rprop", {"etas": (0.7, 1.1), "step_sizes": (0.01, 0.02)}),
    ("Rprop", {"step_sizes": (0.0, 50)}, {"lr_scale": 100.0, "same_sign": True}),
]

SWITCHES = ("params", "foreach", "maximize", "capturable", "differentiable", "fused")
SIGNATURES = [
    "SGD",
    "ASGD",
    "Rprop",
    "Adagrad",
    "Adadelta",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RAdam",
]


def record(cls, kwargs, x0, grads, lrs):
    """torch's parameters after each step, its state after the last one (torch's
    names, without ``step``) and the state entry ``ax`` after each step, if any."""
    p = torch.nn.Parameter(torch.tensor(x0))
    opt = getattr(torch.optim, cls)([p], **kwargs)
    out, ax = [], []
    for g, lr in zip(grads, lrs):
        opt.param_groups[0]["lr"] = float(lr)
        p.grad = torch.tensor(g)
        opt.step()
        out.append(p.detach().numpy().tolist())
        if "ax" in opt.state[p]:
            ax.append(opt.state[p]["ax"].numpy().tolist())
    state = {k: v.numpy().tolist() for k, v in opt.state[p].items() if k != "step"}
    return out, state, ax


def signature(cls):
    """``[name, default, kind]`` for each keyword of torch's class but ``SWITCHES``."""
    params = inspect.signature(getattr(torch.optim, cls)).parameters.values()
    return [[p.name, p.default, p.kind.name] for p in params if p.name not in SWITCHES]


def main():
    rng = np.random.default_rng(2026)
    cases = []
    for cls, kwargs, *options in CONFIGS:
        options = options[0] if options else {}
        steps = 25
        x0 = rng.normal(size=3)
        grads = rng.normal(size=(steps, 3)) * np.exp(rng.normal(size=(steps, 3)))
        grads[7] = 0.0  # a zero gradient: buffers decay, nothing divides by zero
        if options.get("zero_first"):
            grads[0] = 0.0  # nothing seen yet: the denominators are eps alone
        if options.get("same_sign"):
            grads[:, 0] = np.abs(grads[:, 0])
        lrs = np.where(
            np.arange(steps) < 12, 0.05, 0.01
        )  # a mid-run learning-rate change
        lrs[18] = 0.2
        lrs = lrs * options.get("lr_scale", 1.0)
        expected, state, ax = record(cls, kwargs, x0, grads, lrs)
        case = {
            "optimizer": cls,
            "kwargs": kwargs,
            "x0": x0.tolist(),
            "grads": grads.tolist(),
            "lrs": lrs.tolist(),
            "expected": expected,
            "state": state,
        }
        if ax:
            case["expected_ax"] = ax
        cases.append(case)
    out = (
        pathlib.Path(__file__).resolve().parents[2]
        / "lessons_py"
        / "reference"
        / "torch_optim.json"
    )
    signatures = {cls: signature(cls) for cls in SIGNATURES}
    out.write_text(
        json.dumps(
            {
                "torch_version": torch.__version__,
                "signatures": signatures,
                "cases": cases,
            },
            indent=1,
        )
    )
    print(f"wrote {len(cases)} cases and {len(signatures)} signatures to {out}")


if __name__ == "__main__":
    main()
