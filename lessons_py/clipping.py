r"""Gradient clipping, as ``torch.nn.utils.clip_grad_value_`` and ``clip_grad_norm_``.

Both functions take one gradient array (any shape) and return a *new* float64
array; the input is never modified (torch clips ``.grad`` in place)::

    g = clip_by_norm(g, max_norm=1.0)     # rescale the whole gradient if it is too long
    g = clip_by_value(g, clip_value=0.5)  # clamp every entry into [-0.5, 0.5]
    x = opt.step(x, g)

The difference that matters: norm clipping multiplies the whole gradient by
one positive number, so it keeps the *direction* and only shortens the step;
value clipping clamps each coordinate separately, so large coordinates lose
more than small ones and the direction changes.

Several parameter arrays: torch clips them *together* (one norm over all of
them, as if concatenated). Here, concatenate them with
``np.concatenate([a.ravel(), b.ravel()])``, clip, and split again.
"""

import numpy as np

from . import _checks

__all__ = ["clip_by_norm", "clip_by_value", "get_total_norm"]

EPS = 1e-6
"""What torch's ``clip_grad_norm_`` adds to the norm before dividing (in every
dtype)."""


def _norm_type(norm_type):
    if isinstance(norm_type, str) and norm_type.strip().lower() == "inf":
        return np.inf
    return _checks.number("norm_type", norm_type, 1.0, np.inf, finite=False)


def clip_by_value(g, clip_value):
    r"""Clamp every entry of ``g`` into :math:`[-c, c]`, as
    ``torch.nn.utils.clip_grad_value_``.

    .. math::
        \operatorname{clip}(g)_i = \min(\max(g_i, -c),\, c)

    Each coordinate is clipped on its own, so the direction of ``g`` changes
    whenever some but not all entries exceed :math:`c`. Entries already in
    :math:`[-c, c]` (and NaN entries) are returned unchanged.

    Arguments: ``g`` an array of any shape, ``clip_value`` :math:`c` in
    [0, ∞] (0 zeroes the gradient, ∞ leaves it as it is). Returns a new float64
    array of the shape of ``g``.
    """
    c = _checks.number("clip_value", clip_value, finite=False)
    return np.clip(_checks.real_array("g", g, empty=True), -c, c)


def get_total_norm(g, norm_type=2.0):
    r"""The :math:`p`-norm of ``g`` seen as one long vector, as
    ``torch.nn.utils.get_total_norm``.

    .. math::
        \|g\|_p = \Big(\sum_i |g_i|^p\Big)^{1/p}, \qquad \|g\|_\infty = \max_i |g_i|

    This is the norm :func:`clip_by_norm` compares with ``max_norm`` and the
    value torch's ``clip_grad_norm_`` returns; call it on the gradient *before*
    clipping to log the original norm. ``norm_type`` in [1, ∞] (``np.inf``,
    ``float('inf')`` or ``'inf'``). An empty array has norm 0.
    """
    p = _norm_type(norm_type)
    flat = _checks.real_array("g", g, empty=True).ravel()
    if flat.size == 0:
        return 0.0
    return float(np.linalg.norm(flat, ord=p))


def clip_by_norm(g, max_norm, norm_type=2.0):
    r"""Rescale ``g`` so its norm is at most about ``max_norm``, as
    ``torch.nn.utils.clip_grad_norm_``.

    torch's exact rule, with :math:`\epsilon = 10^{-6}` (:data:`EPS`):

    .. math::
        \operatorname{clip}(g) = g \cdot \min\!\left(\frac{\text{max\_norm}}
            {\|g\|_p + \epsilon},\ 1\right)

    One positive factor multiplies every entry, so the direction is kept
    exactly. Because of :math:`\epsilon`:

    * a clipped gradient has norm :math:`\text{max\_norm}\,\|g\| / (\|g\| + \epsilon)`,
      a hair *below* ``max_norm``;
    * a gradient whose norm is within :math:`\epsilon` *below* ``max_norm`` (or
      exactly equal to it) is still scaled, by a factor just under 1; only
      :math:`\|g\|_p \le \text{max\_norm} - \epsilon` leaves ``g`` unchanged.
    * ``g = 0`` is returned unchanged (no division by zero).

    Returns only the clipped array (a new float64 array of the shape of ``g``);
    torch's ``clip_grad_norm_`` returns the norm *before* clipping, which here
    is :func:`get_total_norm` ``(g, norm_type)``.

    Arguments: ``max_norm`` in [0, ∞] (0 zeroes the gradient), ``norm_type``
    :math:`p` in [1, ∞] (``np.inf`` or ``'inf'`` for the max-norm). torch also
    accepts :math:`p < 1`, which is not a norm; refused here. As in torch
    (without ``error_if_nonfinite``), a gradient with an infinite or NaN
    entry has an infinite or NaN norm and comes back with NaN entries.
    """
    max_norm = _checks.number("max_norm", max_norm, finite=False)
    total = get_total_norm(g, norm_type)
    scale = min(max_norm / (total + EPS), 1.0)
    return _checks.real_array("g", g, empty=True) * scale
