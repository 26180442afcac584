"""Record the optimizers beyond torch.optim once, into lessons_py/reference/.

The output is ``lessons_py/reference/beyond_torch.json``.

Each class of ``lessons_py.optim`` that torch 2.13 does not have follows one third-party
package: ``Lion`` follows ``lion_pytorch.Lion`` (lion-pytorch), ``Lamb`` follows
``torch_optimizer.Lamb`` (torch-optimizer), ``SOAP`` follows ``pytorch_optimizer.SOAP``
(pytorch-optimizer), ``SGDScheduleFree`` and ``AdamWScheduleFree`` follow the classes of
the same names in schedulefree, and their ``...Reference`` twins are recorded as well.
None of these packages, nor torch, is a dependency of the project or of its tests: this
script was run by hand in a separate environment,

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install torch==2.13.0 numpy
    /tmp/refenv/bin/pip install --no-deps lion-pytorch==0.2.5 torch-optimizer==0.3.0 \
        pytorch-ranger==0.1.1 pytorch-optimizer==4.1.0 schedulefree==1.4.1
    /tmp/refenv/bin/python tests/reference/record_beyond_torch.py

(``--no-deps`` keeps torch at 2.13; ``pytorch-ranger`` is imported by torch_optimizer)
and its output is committed. The tests replay the same gradients and learning rates
through lessons_py.optim and compare with the recorded parameters after every step and
the state after the last one (``state``, the reference's names). For the schedule-free
classes the parameters are also switched with ``eval()``/``train()`` before the steps in
``switch_at`` (``switches``: the parameters after each switch) and after the last step
(``expected_eval``, ``expected_train``); ``step_in_eval_mode`` is the error schedulefree
raises when stepped in eval mode.

``pytorch_optimizer.SOAP`` computes the QR decomposition of its eigenbasis refresh in
float32; ``expected`` comes from the same class with that one cast removed (float64
throughout, ``SOAPFloat64QR`` below), ``expected_as_shipped`` from the package as it is.

The cases are drawn from one seeded generator in the order of ``CONFIGS``: new
configurations go at the end, so that re-running the script leaves the earlier cases as
they were. ``signatures`` holds each reference class's keywords, in order, with their
defaults and kinds (without ``params``); ``versions`` the packages used
(``torch_version`` too, as in the other recordings).
"""

import contextlib
import importlib.metadata
import inspect
import io
import json
import pathlib
import textwrap

import lion_pytorch
import numpy as np
import pytorch_optimizer
import schedulefree
import torch
import torch_optimizer
from pytorch_optimizer.optimizer import soap as soap_module

torch.set_default_dtype(torch.float64)


def _float64_qr():
    """``SOAP.get_orthogonal_matrix_qr`` with its float32 cast removed."""
    source = textwrap.dedent(
        inspect.getsource(soap_module.SOAP.get_orthogonal_matrix_qr)
    )
    cast = "torch.linalg.qr(power_iter.to(torch.float32))"
    assert source.count(cast) == 1, "the reference's QR line has changed"
    source = source.replace(cast, "torch.linalg.qr(power_iter)")
    namespace = {}
    exec(source, vars(soap_module), namespace)  # the package's own code, one cast less
    return namespace["get_orthogonal_matrix_qr"]


class SOAPFloat64QR(soap_module.SOAP):
    """pytorch_optimizer.SOAP, its eigenbasis refresh in float64."""

    get_orthogonal_matrix_qr = _float64_qr()


# our class -> its reference classes (the first is the one the docstring names)
REFERENCES = {
    "Lion": {"lion_pytorch.Lion": lion_pytorch.Lion},
    "Lamb": {"torch_optimizer.Lamb": torch_optimizer.Lamb},
    "SOAP": {"pytorch_optimizer.SOAP": SOAPFloat64QR},
    "SGDScheduleFree": {
        "schedulefree.SGDScheduleFree": schedulefree.SGDScheduleFree,
        "schedulefree.SGDScheduleFreeReference": schedulefree.SGDScheduleFreeReference,
    },
    "AdamWScheduleFree": {
        "schedulefree.AdamWScheduleFree": schedulefree.AdamWScheduleFree,
        "schedulefree.AdamWScheduleFreeReference": (
            schedulefree.AdamWScheduleFreeReference
        ),
    },
}
SIGNATURES = {
    "lion_pytorch.Lion": lion_pytorch.Lion,
    "torch_optimizer.Lamb": torch_optimizer.Lamb,
    "pytorch_optimizer.Lamb": pytorch_optimizer.Lamb,
    "pytorch_optimizer.SOAP": pytorch_optimizer.SOAP,
    "schedulefree.SGDScheduleFree": schedulefree.SGDScheduleFree,
    "schedulefree.AdamWScheduleFree": schedulefree.AdamWScheduleFree,
    "schedulefree.SGDScheduleFreeReference": schedulefree.SGDScheduleFreeReference,
    "schedulefree.AdamWScheduleFreeReference": schedulefree.AdamWScheduleFreeReference,
}
PACKAGES = (
    "torch",
    "numpy",
    "lion-pytorch",
    "torch-optimizer",
    "pytorch-optimizer",
    "schedulefree",
)

# (class, keyword arguments, options); options: "shape" of the parameters (default
# (3,)), "steps" (default 25), "zero_first" (the first gradient is 0), "zero_x0" (the
# parameters start at 0), "lr_scale" (multiplies the learning rates), "lr_first" (the
# first learning rate), "switch_at" (schedule-free: eval() and train() before these
# steps, counted from 0)
CONFIGS = [
    ("Lion", {}, {}),
    ("Lion", {"betas": (0.5, 0.9)}, {"shape": (2, 3)}),
    ("Lion", {"weight_decay": 0.1}, {}),
    ("Lion", {"lr": 0.05, "weight_decay": 0.01, "decoupled_weight_decay": True}, {}),
    ("Lion", {"betas": (0.0, 0.0)}, {"zero_first": True}),
    ("Lion", {"betas": (1.0, 0.95), "weight_decay": 0.5}, {"lr_scale": 0.1}),
    ("Lamb", {}, {"shape": (4, 3)}),
    ("Lamb", {}, {"shape": (5,)}),
    ("Lamb", {"debias": True}, {"shape": (4, 3)}),
    ("Lamb", {"weight_decay": 0.1}, {"shape": (4, 3)}),
    ("Lamb", {"adam": True, "weight_decay": 0.05}, {"shape": (5,)}),
    ("Lamb", {"clamp_value": 0.5}, {"shape": (3, 3)}),
    (
        "Lamb",
        {"betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.05, "debias": True},
        {"shape": (2, 4)},
    ),
    ("Lamb", {}, {"shape": (4, 3), "zero_x0": True, "zero_first": True}),
    ("SOAP", {}, {"shape": (4, 4), "steps": 30}),
    ("SOAP", {"precondition_frequency": 3}, {"shape": (3, 3), "steps": 30}),
    (
        "SOAP",
        {"shampoo_beta": 0.5, "weight_decay": 0.0, "betas": (0.9, 0.99)},
        {"shape": (4, 4), "steps": 30},
    ),
    ("SOAP", {"correct_bias": False, "eps": 1e-6}, {"shape": (3, 3), "steps": 30}),
    (
        "SOAP",
        {"normalize_gradient": True, "precondition_frequency": 4},
        {"shape": (3, 3), "steps": 30},
    ),
    ("SOAP", {}, {"shape": (5,), "steps": 30}),
    ("SOAP", {"max_precondition_dim": 4}, {"shape": (3, 6), "steps": 30}),
    ("SOAP", {"precondition_frequency": 5}, {"shape": (5, 5), "steps": 30}),
    (
        "SOAP",
        {"betas": (0.3, 0.6), "weight_decay": 0.2, "precondition_frequency": 2},
        {"shape": (3, 3), "steps": 30},
    ),
    ("SGDScheduleFree", {}, {"switch_at": (10, 20)}),
    ("SGDScheduleFree", {"momentum": 0.5}, {"shape": (2, 3)}),
    ("SGDScheduleFree", {"weight_decay": 0.1}, {}),
    ("SGDScheduleFree", {"warmup_steps": 5}, {"switch_at": (3,)}),
    ("SGDScheduleFree", {"r": 1.0, "weight_lr_power": 0.0}, {}),
    (
        "SGDScheduleFree",
        {"momentum": 0.95, "weight_decay": 0.05, "warmup_steps": 3, "r": 0.5},
        {"lr_first": 0.0, "switch_at": (1, 12)},
    ),
    ("AdamWScheduleFree", {}, {"switch_at": (10, 20)}),
    ("AdamWScheduleFree", {"betas": (0.5, 0.9), "eps": 1e-4}, {"shape": (2, 3)}),
    ("AdamWScheduleFree", {"weight_decay": 0.1}, {}),
    ("AdamWScheduleFree", {"warmup_steps": 5}, {"switch_at": (3,)}),
    ("AdamWScheduleFree", {"r": 2.0, "weight_lr_power": 1.0}, {"zero_first": True}),
    (
        "AdamWScheduleFree",
        {"betas": (0.95, 0.99), "weight_decay": 0.05, "warmup_steps": 3, "r": 0.5},
        {"lr_first": 0.0, "switch_at": (1, 12)},
    ),
]


def plain(value):
    """A tensor, number or list of them as JSON (``[]`` entries, SOAP's unrotated
    axes, as None)."""
    if isinstance(value, torch.Tensor):
        return value.detach().numpy().tolist()
    if isinstance(value, (list, tuple)):
        return None if len(value) == 0 else [plain(v) for v in value]
    return value


def run(ref, kwargs, x0, grads, lrs, switch_at=()):
    """The reference's parameters after each step, its state after the last one and,
    for schedule-free classes, the parameters after each eval()/train() switch."""
    p = torch.nn.Parameter(torch.tensor(x0))
    opt = ref([p], **kwargs)
    schedule_free = hasattr(opt, "eval")
    out, switches, extra = [], [], {}
    with contextlib.redirect_stdout(io.StringIO()):  # the Reference classes print
        if schedule_free:
            opt.train()
        for i, (g, lr) in enumerate(zip(grads, lrs)):
            if i in switch_at:
                opt.eval()
                x = p.detach().numpy().tolist()
                opt.train()
                switches.append([i, x, p.detach().numpy().tolist()])
            opt.param_groups[0]["lr"] = float(lr)
            p.grad = torch.tensor(g)
            opt.step()
            out.append(p.detach().numpy().tolist())
        state = {k: plain(v) for k, v in opt.state[p].items() if k != "step"}
        if schedule_free:
            for k in ("lr_max", "weight_sum", "scheduled_lr"):
                state[k] = opt.param_groups[0][k]
            opt.eval()
            extra["expected_eval"] = p.detach().numpy().tolist()
            p.grad = torch.tensor(grads[-1])
            try:
                opt.step()
            except Exception as error:
                extra["step_in_eval_mode"] = f"{type(error).__name__}: {error}"
            opt.train()
            extra["expected_train"] = p.detach().numpy().tolist()
    if switches:
        extra["switches"] = switches
    return out, state, extra


def signature(cls):
    """``[name, default, kind]`` for each keyword of ``cls`` but ``params``."""
    out = []
    for p in inspect.signature(cls).parameters.values():
        if p.name != "params":
            default = None if p.default is inspect.Parameter.empty else p.default
            out.append([p.name, default, p.kind.name])
    return out


def main():
    rng = np.random.default_rng(2028)
    cases = []
    for cls, kwargs, options in CONFIGS:
        shape = tuple(options.get("shape", (3,)))
        steps = options.get("steps", 25)
        x0 = rng.normal(size=shape)
        if options.get("zero_x0"):
            x0[...] = 0.0
        grads = rng.normal(size=(steps, *shape)) * np.exp(
            rng.normal(size=(steps, *shape))
        )
        grads[7] = 0.0  # a zero gradient: buffers decay, nothing divides by zero
        if options.get("zero_first"):
            grads[0] = 0.0
        lrs = np.where(np.arange(steps) < 12, 0.05, 0.01)  # a mid-run change
        lrs[18] = 0.2
        lrs = lrs * options.get("lr_scale", 1.0)
        if "lr_first" in options:
            lrs[0] = options["lr_first"]
        switch_at = tuple(options.get("switch_at", ()))
        for name, ref in REFERENCES[cls].items():
            expected, state, extra = run(ref, kwargs, x0, grads, lrs, switch_at)
            case = {
                "optimizer": cls,
                "reference": name,
                "kwargs": kwargs,
                "x0": x0.tolist(),
                "grads": grads.tolist(),
                "lrs": lrs.tolist(),
                "expected": expected,
                "state": state,
                **extra,
            }
            if switch_at:
                case["switch_at"] = list(switch_at)
            if cls == "SOAP":
                shipped, _, _ = run(pytorch_optimizer.SOAP, kwargs, x0, grads, lrs)
                case["expected_as_shipped"] = shipped
            cases.append(case)
    out = (
        pathlib.Path(__file__).resolve().parents[2]
        / "lessons_py"
        / "reference"
        / "beyond_torch.json"
    )
    info = {
        "torch_version": torch.__version__,
        "versions": {name: importlib.metadata.version(name) for name in PACKAGES},
        "signatures": {name: signature(cls) for name, cls in SIGNATURES.items()},
        "cases": cases,
    }
    out.write_text(json.dumps(info, indent=1) + "\n")
    print(f"wrote {len(cases)} cases and {len(SIGNATURES)} signatures to {out}")


if __name__ == "__main__":
    main()
