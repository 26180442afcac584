"""Argument checks shared by the package: every failure is a ``ValueError``
that names the argument, the allowed range and the value received."""

import numpy as np


def _describe(value):
    arr = np.asarray(value)
    return (
        repr(value)
        if arr.ndim == 0
        else f"an array with values in [{arr.min()}, {arr.max()}]"
    )


def in_range(name, value, low=0.0, high=np.inf, *, low_open=False, high_open=False):
    """Return ``value`` after checking ``low <= value <= high`` elementwise.

    ``low_open``/``high_open`` make the bound strict. NaN always fails. Scalars and
    arrays (hyperparameters that broadcast over a sweep) are both accepted.
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    ok_low = arr > low if low_open else arr >= low
    ok_high = arr < high if high_open else arr <= high
    if arr.size == 0 or not np.all(ok_low & ok_high):
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must lie in {interval}, got {_describe(value)}")
    return value


def integer(name, value, low=0):
    """Return ``int(value)`` after checking it is an integer ``>= low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def same_shape(name, array, expected_name, expected):
    """Raise unless ``array`` has the shape of ``expected``."""
    if np.shape(array) != np.shape(expected):
        raise ValueError(
            f"{name} must have the shape of {expected_name}, {np.shape(expected)}, "
            f"got {np.shape(array)}"
        )


def broadcasts_to(name, value, shape):
    """Raise unless a hyperparameter broadcasts to the parameters' shape."""
    try:
        ok = np.broadcast_shapes(np.shape(value), shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"{name} of shape {np.shape(value)} does not broadcast to parameters of shape {tuple(shape)}"
        )


def number(name, value, low=0.0, high=np.inf, *, low_open=False, high_open=False):
    """A single real number (not an array, not a bool) in the given range, as a float."""
    if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number, got {value!r}")
    in_range(name, value, low, high, low_open=low_open, high_open=high_open)
    return float(value)
