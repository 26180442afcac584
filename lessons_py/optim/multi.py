r"""Different optimizers for different layers, as one optimizer.

Muon is meant for the hidden weight matrices only, and the rest of a network (biases,
embeddings, the output layer) is trained by AdamW: in torch that is two optimizers
over two lists of parameters, in optax ``multi_transform`` with a label per
parameter. :class:`MultiOptimizer` is the same thing for parameters given as a dict
of named arrays::

    opt = MultiOptimizer(
        {"muon": Muon(lr=0.02), "adamw": AdamW(lr=3e-3)},
        {"W1": "muon", "b1": "adamw", "W2": "adamw", "b2": "adamw"},
    )
    parts = opt.step(parts, grads)  # W1 by Muon, the others by AdamW
"""

from collections.abc import Mapping

from .. import _checks

__all__ = ["MultiOptimizer"]


class MultiOptimizer:
    """Each named parameter stepped by the optimizer of its label (optax's
    ``multi_transform``).

    ``optimizers`` maps a label to an optimizer instance, ``labels`` maps every
    parameter name to one of those labels. ``step(params, grads)`` takes dicts of
    named arrays with exactly the names of ``labels`` and returns the new parameters
    in the order of ``params``; each optimizer steps its own parameters, with its own
    state and step count. ``lr`` reads the learning rate every optimizer shares and
    sets it on all of them (a schedule then drives them together; give each its own
    rate through its own ``lr`` attribute instead). ``reset()`` resets every
    optimizer, ``state_size()`` adds up their state and ``run_axes`` is set on every
    one of them. Unknown labels, missing or extra names raise ``ValueError`` naming
    them.
    """

    def __init__(self, optimizers, labels):
        if not isinstance(optimizers, Mapping) or not optimizers:
            raise ValueError(
                "optimizers must be a non-empty dict of label -> optimizer, "
                f"got {optimizers!r}"
            )
        for label, opt in optimizers.items():
            _checks.optimizer(f"optimizers[{label!r}]", opt)
        if not isinstance(labels, Mapping) or not labels:
            raise ValueError(
                f"labels must be a non-empty dict of name -> label, got {labels!r}"
            )
        unknown = sorted({repr(v) for v in labels.values() if v not in optimizers})
        if unknown:
            raise ValueError(
                f"labels uses {', '.join(unknown)}, which optimizers does not have "
                f"(it has {list(optimizers)})"
            )
        self.optimizers, self.labels = dict(optimizers), dict(labels)

    def step(self, params, grads):
        """The new parameters: each group stepped by its optimizer."""
        for name, value in (("params", params), ("grads", grads)):
            if not isinstance(value, Mapping):
                raise ValueError(
                    f"{name} must be a dict of named arrays, got {value!r}"
                )
            if set(value) != set(self.labels):
                raise ValueError(
                    f"{name} must have exactly the names of labels {list(self.labels)},"
                    f" got {list(value)}"
                )
        new = {}
        for label, opt in self.optimizers.items():
            names = [k for k in params if self.labels[k] == label]
            if names:
                new |= opt.step(
                    {k: params[k] for k in names}, {k: grads[k] for k in names}
                )
        return {k: new[k] for k in params}

    def reset(self):
        """Reset every optimizer."""
        for opt in self.optimizers.values():
            opt.reset()

    @property
    def lr(self):
        rates = [opt.lr for opt in self.optimizers.values()]
        first = rates[0]
        if any(r is not first and not _same(r, first) for r in rates[1:]):
            raise ValueError(
                "the optimizers have different learning rates: read each one's lr"
            )
        return first

    @lr.setter
    def lr(self, value):
        for opt in self.optimizers.values():
            opt.lr = value

    @property
    def run_axes(self):
        return next(iter(self.optimizers.values())).run_axes

    @run_axes.setter
    def run_axes(self, k):
        for opt in self.optimizers.values():
            opt.run_axes = k

    def state_size(self):
        """The number of floats in all the optimizers' state."""
        return sum(opt.state_size() for opt in self.optimizers.values())

    def __repr__(self):
        parts = ", ".join(f"{k!r}: {v!r}" for k, v in self.optimizers.items())
        return f"MultiOptimizer({{{parts}}}, {self.labels!r})"


def _same(a, b):
    try:
        return bool((a == b) if not hasattr(a, "shape") else (a == b).all())
    except ValueError:
        return False
