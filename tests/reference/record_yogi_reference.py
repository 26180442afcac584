"""Record Yogi trajectories from torch_optimizer, once, into lessons_py/reference/.

``lessons_py.adaptive.Yogi`` follows ``torch_optimizer.Yogi`` of the pytorch-optimizer
package. Neither torch nor torch-optimizer is a dependency of the project or of its
tests: this script was run by hand in a separate environment,

    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install torch==2.13.0 numpy \
        torch-optimizer==0.3.0
    /tmp/ref/bin/python tests/reference/record_yogi_reference.py

and its output, ``lessons_py/reference/torch_optimizer_yogi.json``, is committed. The
tests replay the same gradients and learning rates through ``lessons_py.adaptive.Yogi``
and compare with the recorded parameters.
"""

import json
import pathlib

import numpy as np
import torch
import torch_optimizer

torch.set_default_dtype(torch.float64)

CONFIGS = [
    {},
    {"betas": (0.0, 0.99)},
    {"betas": (0.5, 0.9), "eps": 1e-8},
    {"eps": 0.1, "initial_accumulator": 0.5},
    {"weight_decay": 0.1},
    {
        "betas": (0.8, 0.95),
        "eps": 1e-4,
        "initial_accumulator": 0.0,
        "weight_decay": 0.05,
    },
]


def record(kwargs, x0, grads, lrs):
    p = torch.nn.Parameter(torch.tensor(x0))
    opt = torch_optimizer.Yogi([p], **kwargs)
    out = []
    for g, lr in zip(grads, lrs):
        opt.param_groups[0]["lr"] = float(lr)
        p.grad = torch.tensor(g)
        opt.step()
        out.append(p.detach().numpy().tolist())
    return out


def main():
    rng = np.random.default_rng(2027)
    cases = []
    for kwargs in CONFIGS:
        steps = 30
        x0 = rng.normal(size=3)
        grads = rng.normal(size=(steps, 3)) * np.exp(rng.normal(size=(steps, 3)))
        grads[7] = 0.0  # a zero gradient: v only moves towards 0 by nothing
        grads[8:12] *= 1e-3  # small gradients: Yogi's v shrinks additively
        lrs = np.where(np.arange(steps) < 15, 0.05, 0.01)  # a mid-run change
        lrs[20] = 0.2
        cases.append(
            {
                "optimizer": "Yogi",
                "kwargs": kwargs,
                "x0": x0.tolist(),
                "grads": grads.tolist(),
                "lrs": lrs.tolist(),
                "expected": record(kwargs, x0, grads, lrs),
            }
        )
    out = (
        pathlib.Path(__file__).resolve().parents[2]
        / "lessons_py"
        / "reference"
        / "torch_optimizer_yogi.json"
    )
    info = {
        "torch_version": torch.__version__,
        "torch_optimizer_version": torch_optimizer.__version__,
        "cases": cases,
    }
    out.write_text(json.dumps(info, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
