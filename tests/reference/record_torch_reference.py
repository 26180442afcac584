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

Muon: torch runs its Newton-Schulz iteration in bfloat16. Its trajectories here are
recorded with that one cast removed (``newton_schulz_float64``, torch's function
copied with ``grad.bfloat16()`` replaced by a copy), in float64, which lessons_py
follows; ``newton_schulz`` holds, for a few matrices, both that float64 result and
the result of torch's own bfloat16 function, which
``zeropower_via_newtonschulz(..., bfloat16=True)`` emulates. ``dict_cases`` hold runs
of several tensors in one parameter group, which a dict of named arrays replays.
"""

import inspect
import json
import pathlib

import numpy as np
import torch
import torch.optim._muon as muon

torch.set_default_dtype(torch.float64)

BFLOAT16_NEWTON_SCHULZ = muon._zeropower_via_newtonschulz  # torch's, in bfloat16


def newton_schulz_float64(grad, ns_coefficients, ns_steps, eps):
    """torch 2.13's ``_zeropower_via_newtonschulz`` with its cast to bfloat16
    replaced by a copy (the division below is in place): the same steps in the
    dtype of ``grad``, float64 here."""
    if ns_steps >= 100:
        raise ValueError(
            "Number of steps must be less than 100 for computational efficiency"
        )
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    ortho_grad = grad.clone()  # torch: grad.bfloat16()
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    ortho_grad.div_(ortho_grad.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram_matrix = ortho_grad @ ortho_grad.T
        gram_update = torch.addmm(
            gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c
        )
        ortho_grad = torch.addmm(ortho_grad, gram_update, ortho_grad, beta=a)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    return ortho_grad


# torch.optim.Muon looks the function up in its module at every step
muon._zeropower_via_newtonschulz = newton_schulz_float64

# (class, keyword arguments[, options]); options: "zero_first" makes the first
# gradient 0, "same_sign" keeps the sign of coordinate 0 (Rprop's step then grows),
# "lr_scale" multiplies the learning rates (Adadelta's default is 1), "shape" is the
# parameter's shape (default (3,))
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
    # added with the matrix-aware classes: one 2-D parameter (Adafactor: also vectors
    # and a 3-D array, factored over its last two axes)
    ("Muon", {}, {"shape": (4, 3)}),
    ("Muon", {"nesterov": False}, {"shape": (3, 5)}),
    ("Muon", {"adjust_lr_fn": "original"}, {"shape": (6, 2)}),
    ("Muon", {"adjust_lr_fn": "match_rms_adamw"}, {"shape": (4, 3)}),
    (
        "Muon",
        {
            "adjust_lr_fn": "match_rms_adamw",
            "nesterov": False,
            "momentum": 0.9,
            "weight_decay": 0.0,
        },
        {"shape": (3, 5)},
    ),
    ("Muon", {"momentum": 0.0, "weight_decay": 0.5}, {"shape": (4, 4)}),
    (
        "Muon",
        {"ns_coefficients": (2.0, -1.5, 0.5), "ns_steps": 3, "eps": 1e-3},
        {"shape": (5, 3)},
    ),
    ("Muon", {"ns_steps": 0, "weight_decay": 0.0}, {"shape": (2, 5)}),
    ("Adafactor", {}, {"shape": (4, 3)}),
    ("Adafactor", {}, {"shape": (5,)}),
    (
        "Adafactor",
        {"beta2_decay": -0.5, "d": 2.0, "weight_decay": 0.1},
        {"shape": (3, 5)},
    ),
    ("Adafactor", {"eps": (1e-3, 1e-2)}, {"shape": (4, 3), "zero_first": True}),
    ("Adafactor", {"eps": (None, 0.0), "beta2_decay": 0.0}, {"shape": (6,)}),
    ("Adafactor", {"weight_decay": 0.2}, {"shape": (2, 3, 4)}),
    ("Adafactor", {"d": 1.5}, {"shape": (4, 3), "lr_scale": 10.0}),
    ("Adafactor", {"eps": (1e-30, 1e-3)}, {"shape": (3, 4), "zero_first": True}),
]

# several tensors in one parameter group, {name: shape}; drawn from their own generator
DICT_CONFIGS = [
    ("Adam", {"amsgrad": True, "weight_decay": 0.1}, {"W": (4, 3), "b": (3,)}),
    ("Adafactor", {"weight_decay": 0.1}, {"W": (4, 3), "b": (3,)}),
    ("Muon", {}, {"W1": (4, 3), "W2": (3, 5)}),
    (
        "Muon",
        {"adjust_lr_fn": "match_rms_adamw", "nesterov": False},
        {"W1": (6, 2), "W2": (2, 6)},
    ),
]

# Newton-Schulz on single matrices: (shape, keyword arguments, singular values or None)
NEWTON_SCHULZ = [
    ((4, 3), {}, None),
    ((3, 5), {}, None),
    ((8, 8), {}, None),
    ((16, 32), {}, None),
    ((32, 16), {"ns_steps": 10}, None),
    ((12, 12), {}, np.logspace(0, -3, 12)),
    ((10, 6), {"ns_coefficients": (2.0, -1.5, 0.5), "ns_steps": 8}, None),
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
    "Muon",
    "Adafactor",
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


def record_dict(cls, kwargs, x0, grads, lrs):
    """``record`` for several named tensors in one parameter group: the parameters
    after each step and the state after the last one, by name."""
    params = {k: torch.nn.Parameter(torch.tensor(v)) for k, v in x0.items()}
    opt = getattr(torch.optim, cls)(list(params.values()), **kwargs)
    out = []
    for g, lr in zip(grads, lrs):
        opt.param_groups[0]["lr"] = float(lr)
        for k, p in params.items():
            p.grad = torch.tensor(g[k])
        opt.step()
        out.append({k: p.detach().numpy().tolist() for k, p in params.items()})
    state = {
        k: {n: v.numpy().tolist() for n, v in opt.state[p].items() if n != "step"}
        for k, p in params.items()
    }
    return out, state


def dict_cases():
    rng = np.random.default_rng(2027)
    cases = []
    for cls, kwargs, shapes in DICT_CONFIGS:
        steps = 20
        x0 = {k: rng.normal(size=s) for k, s in shapes.items()}
        grads = [
            {
                k: rng.normal(size=s) * np.exp(rng.normal(size=s))
                for k, s in shapes.items()
            }
            for _ in range(steps)
        ]
        first = next(iter(shapes))
        grads[5][first] = np.zeros(shapes[first])  # one tensor's gradient is 0
        grads[9] = {k: np.zeros(s) for k, s in shapes.items()}  # every gradient is 0
        lrs = np.where(np.arange(steps) < 10, 0.05, 0.01)
        lrs[14] = 0.2
        expected, state = record_dict(cls, kwargs, x0, grads, lrs)
        cases.append(
            {
                "optimizer": cls,
                "kwargs": kwargs,
                "x0": {k: v.tolist() for k, v in x0.items()},
                "grads": [{k: v.tolist() for k, v in g.items()} for g in grads],
                "lrs": lrs.tolist(),
                "expected": expected,
                "state": state,
            }
        )
    return cases


def newton_schulz_cases():
    """torch's Newton-Schulz function on a few matrices: in float64 (the cast
    removed) and in bfloat16 (torch's own)."""
    rng = np.random.default_rng(2028)
    cases = []
    for shape, kwargs, singular_values in NEWTON_SCHULZ:
        G = rng.normal(size=shape)
        if singular_values is not None:  # G = U diag(s) V^T with the given s
            U = np.linalg.qr(rng.normal(size=(shape[0], shape[0])))[0]
            V = np.linalg.qr(rng.normal(size=(shape[1], shape[1])))[0]
            G = U[:, : len(singular_values)] * singular_values @ V.T
        args = {
            "ns_coefficients": (muon.DEFAULT_A, muon.DEFAULT_B, muon.DEFAULT_C),
            "ns_steps": muon.DEFAULT_NS_STEPS,
            "eps": muon.EPS,
            **kwargs,
        }
        G_t = torch.tensor(G)
        float64 = newton_schulz_float64(G_t, **args)
        bfloat16 = BFLOAT16_NEWTON_SCHULZ(G_t, **args)
        assert float64.dtype == torch.float64 and bfloat16.dtype == torch.bfloat16
        cases.append(
            {
                "G": G.tolist(),
                **args,
                "float64": float64.numpy().tolist(),
                "bfloat16": bfloat16.double().numpy().tolist(),
            }
        )
    return cases


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
        shape = options.get("shape", (3,))
        x0 = rng.normal(size=shape)
        grads = rng.normal(size=(steps, *shape)) * np.exp(
            rng.normal(size=(steps, *shape))
        )
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
                "dict_cases": dict_cases(),
                "newton_schulz": newton_schulz_cases(),
            },
            indent=1,
        )
    )
    print(
        f"wrote {len(cases)} cases, {len(DICT_CONFIGS)} dict cases, "
        f"{len(NEWTON_SCHULZ)} Newton-Schulz cases and {len(signatures)} signatures "
        f"to {out}"
    )


if __name__ == "__main__":
    main()
