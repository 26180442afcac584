"""What every optimizer of :mod:`lessons_py.optim` shares: the step, the state and the
checks of its hyperparameters."""

import inspect

import numpy as np

from .. import _checks


def _hyper(name, value, low=0.0, high=np.inf, **kwargs):
    """A hyperparameter: a finite real number or a NumPy array of them, in range."""
    return _checks.in_range(name, value, low, high, sequences=False, **kwargs)


def _pair(name, value, first, second):
    """``value`` after checking it is a pair (a tuple, list or array of two entries),
    such as ``betas``; ``first`` and ``second`` name the entries in the message."""
    if not isinstance(value, (tuple, list, np.ndarray)) or len(value) != 2:
        raise ValueError(f"{name} must be a pair ({first}, {second}), got {value!r}")
    return value


class Optimizer:
    """Shared machinery: argument checks, the step counter and the state.

    Subclasses list their state buffers in ``_state`` (arrays of the parameters'
    shape), their per-run numbers in ``_scalar_state`` (a number, or an array that
    broadcasts over a sweep), and implement ``_check()`` (validate hyperparameters)
    and ``_update(x, g)`` (one step, with ``self.t`` already advanced to the number of
    this step, 1, 2, ...).
    """

    _state = ()
    _scalar_state = ()

    def __init__(self, lr):
        self.lr = lr
        self.reset()

    def reset(self):
        """Clear the state: step count ``t = 0`` and every buffer set to ``None``."""
        self.t = 0
        for name in self._state + self._scalar_state:
            setattr(self, name, None)

    def step(self, x, grad):
        """Return the parameters after one update; ``x`` and ``grad`` are left
        untouched."""
        x = _checks.real_array("x", x, empty=True)
        g = _checks.real_array("grad", grad, empty=True)
        _checks.same_shape("grad", g, "the parameters", x)
        self._check()  # hyperparameters may have been changed since the last step
        for name, value in self._hyperparameters().items():
            _checks.broadcasts_to(name, value, x.shape)
        for name in self._state:
            buffer = getattr(self, name)
            if buffer is not None and buffer.shape != x.shape:
                raise ValueError(
                    f"parameters have shape {x.shape} but the optimizer state "
                    f"{name!r} has shape {buffer.shape}; call reset() before "
                    "optimising other parameters"
                )
        self.t += 1
        return self._update(x, g)

    def _hyperparameters(self):
        """Numeric hyperparameters by name (used for checks and ``repr``)."""
        return {"lr": self.lr}

    def _nonzero(self, denominator, estimate="second-moment estimate"):
        """``denominator`` (``sqrt(...) + eps``) after checking no entry is 0.

        With ``eps = 0`` a coordinate whose gradients were all 0 has denominator 0,
        and its step would be 0/0 = NaN (torch's result) or ±∞: a ValueError
        naming ``eps`` instead, which says what was zero (``estimate``). With a
        scalar ``eps > 0`` the check costs nothing.
        """
        eps = self.eps
        if not (type(eps) is float and eps > 0) and np.any(denominator == 0):
            raise ValueError(
                f"eps=0 divides by zero at step {self.t}: a coordinate whose "
                f"gradients were all 0 has a zero {estimate} (torch would return "
                "NaN); use eps > 0"
            )
        return denominator

    def _signature_repr(self):
        """``Name(keyword=value, ...)`` in the order of the class's signature."""
        names = inspect.signature(type(self)).parameters
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in names)
        return f"{type(self).__name__}({args})"

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyperparameters().items())
        return f"{type(self).__name__}({args})"
