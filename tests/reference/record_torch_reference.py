"""Record trajectories from torch.optim once into lessons_py/reference/torch_optim.json.

torch is *not* a dependency of the project or its tests: this script was run
by hand in a separate environment (``pip install torch==2.13.0 numpy``) and its
output is committed. The tests replay the same gradients and learning rates
through lessons_py.optim and compare with the recorded parameters.

    python tests/reference/record_torch_reference.py
"""

import json
import pathlib

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

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
]


def record(cls, kwargs, x0, grads, lrs):
    p = torch.nn.Parameter(torch.tensor(x0))
    opt = getattr(torch.optim, cls)([p], **kwargs)
    out = []
    for g, lr in zip(grads, lrs):
        opt.param_groups[0]["lr"] = float(lr)
        p.grad = torch.tensor(g)
        opt.step()
        out.append(p.detach().numpy().tolist())
    return out


def main():
    rng = np.random.default_rng(2026)
    cases = []
    for cls, kwargs in CONFIGS:
        steps = 25
        x0 = rng.normal(size=3)
        grads = rng.normal(size=(steps, 3)) * np.exp(rng.normal(size=(steps, 3)))
        grads[7] = 0.0  # a zero gradient: buffers decay, nothing divides by zero
        lrs = np.where(
            np.arange(steps) < 12, 0.05, 0.01
        )  # a mid-run learning-rate change
        lrs[18] = 0.2
        cases.append(
            {
                "optimizer": cls,
                "kwargs": kwargs,
                "x0": x0.tolist(),
                "grads": grads.tolist(),
                "lrs": lrs.tolist(),
                "expected": record(cls, kwargs, x0, grads, lrs),
            }
        )
    out = (
        pathlib.Path(__file__).resolve().parents[2]
        / "lessons_py"
        / "reference"
        / "torch_optim.json"
    )
    out.write_text(
        json.dumps({"torch_version": torch.__version__, "cases": cases}, indent=1)
    )
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
