"""Figures in the book's style: one colour-blind-safe colour per optimizer, everywhere.

The first-order methods use Okabe & Ito's palette (2008), designed to stay
distinguishable under the common colour-vision deficiencies (yellow is left out:
too pale on white); the second-order and variance-reduced methods, which share
figures with few of those, use colours from Paul Tol's colour-blind-safe "muted"
scheme.
"""

import re

import matplotlib.pyplot as plt
import numpy as np

from . import _checks

__all__ = ["COLORS", "color", "contour", "path", "shades", "use_book_style"]

COLORS = {
    "sgd": "#000000",  # black
    "momentum": "#E69F00",  # orange
    "nesterov": "#56B4E9",  # sky blue
    "adagrad": "#009E73",  # bluish green
    "rmsprop": "#CC79A7",  # reddish purple
    "adam": "#0072B2",  # blue
    "adamw": "#D55E00",  # vermillion
    "newton": "#332288",  # indigo (Tol)
    "newton-cg": "#117733",  # green (Tol)
    "l-bfgs": "#882255",  # wine (Tol)
    "svrg": "#44AA99",  # teal (Tol)
    "saga": "#999933",  # olive (Tol)
    "sag": "#AA4499",  # purple (Tol)
    "yogi": "#CC6677",  # rose (Tol)
    "lion": "#DDCC77",  # sand (Tol)
    "muon": "#EE3377",  # magenta (Tol vibrant)
    "soap": "#88CCEE",  # cyan (Tol)
    "schedule-free": "#CC3311",  # red (Tol vibrant)
    "lamb": "#666633",  # dark olive (Tol dark)
    "adafactor": "#225555",  # dark teal (Tol dark)
    "other": "#7F7F7F",  # grey
}
"""Hexadecimal colour by lower-case optimizer name; :func:`color` looks names up."""
_ALIASES = {
    "gd": "sgd",
    "heavy ball": "momentum",
    "heavyball": "momentum",
    "sgd+momentum": "momentum",
    "nag": "nesterov",
    "lbfgs": "l-bfgs",
    "newton_cg": "newton-cg",
    "schedule-free adamw": "schedule-free",
    "schedule-free sgd": "schedule-free",
    "adamwschedulefree": "schedule-free",
    "sgdschedulefree": "schedule-free",
}


def color(name):
    """The book's colour for an optimizer name (case-insensitive; unknown names are
    grey).

    A label with its settings after the name, as the package's own records have
    (``"L-BFGS (m=10)"``, ``"SVRG (m=20, last)"``, ``"Newton (damped) + line
    search"``), takes the colour of the name. ``name`` is a string (or None: grey)."""
    _checks.text("name", name, none=True)
    key = str(name).lower().strip()
    key = _ALIASES.get(key, key)
    if key not in COLORS:  # the name before its settings: "(", "," or " +"
        key = re.split(r"\(|,|\s\+", key)[0].strip()
        key = _ALIASES.get(key, key)
    return COLORS.get(key, COLORS["other"])


def shades(k, cmap="cividis"):
    """``k`` colours along a perceptually uniform, colour-blind-safe colormap
    (for sweeps).

    ``k`` is an integer >= 0 and ``cmap`` the name of a matplotlib colormap."""
    k = _checks.integer("k", k, 0)
    _checks.text("cmap", cmap)
    if cmap not in plt.colormaps():
        raise ValueError(
            f"cmap must be the name of a matplotlib colormap, got {cmap!r}"
        )
    return [plt.get_cmap(cmap)(v) for v in np.linspace(0.0, 0.85, k)]


def use_book_style():
    """Set matplotlib defaults shared by every chapter (size, grid, fonts)."""
    plt.rcParams.update(
        {
            "figure.figsize": (7.0, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "axes.titlesize": 11,
            "legend.fontsize": 9,
            "legend.frameon": False,
        }
    )


def contour(ax, objective, xlim, ylim, levels=20, resolution=200, mark_minimum=True):
    """Draw log-spaced level sets of ``objective`` over a 2-D box and mark its
    minimiser.

    ``objective`` has ``dim == 2``; ``xlim`` and ``ylim`` are pairs ``(low, high)`` of
    finite numbers with ``low < high``; ``levels >= 1`` and ``resolution >= 2`` are
    integers."""
    _checks.objective("objective", objective)
    if objective.dim != 2:
        raise ValueError(f"objective must have dim 2 to be drawn, got {objective.dim}")
    xlim, ylim = _box("xlim", xlim), _box("ylim", ylim)
    levels = _checks.integer("levels", levels, 1)
    resolution = _checks.integer("resolution", resolution, 2)
    mark_minimum = _checks.flag("mark_minimum", mark_minimum)
    u = np.linspace(*xlim, resolution)
    w = np.linspace(*ylim, resolution)
    U, W = np.meshgrid(u, w)
    Z = objective.loss(np.stack([U, W], axis=-1))
    floor = Z.min()
    heights = np.geomspace(1e-3, 1.0, levels) * (Z.max() - floor) + floor
    ax.contour(U, W, Z, levels=heights, colors="0.6", linewidths=0.7)
    if mark_minimum and objective.minimizer is not None:
        ax.plot(
            *objective.minimizer,
            marker="*",
            color="0.2",
            markersize=12,
            linestyle="none",
        )
    ax.set(xlim=xlim, ylim=ylim, xlabel="$x_1$", ylabel="$x_2$")
    ax.grid(False)
    return ax


def path(ax, points, label=None, c=None, **kwargs):
    """Plot a 2-D trajectory (a Record or an array of shape (k, 2)) and return its
    Line2D."""
    xy = _checks.real_array("points", getattr(points, "x", points), ndim=2)
    if xy.shape[1] != 2:
        raise ValueError(f"points must have shape (k, 2), got {xy.shape}")
    _checks.text("label", label, none=True)
    name = label if label is not None else getattr(points, "label", None)
    style = {"marker": "o", "markersize": 2.5, "linewidth": 1.2, **kwargs}
    (line,) = ax.plot(xy[:, 0], xy[:, 1], color=c or color(name), label=name, **style)
    ax.plot(*xy[0], marker="s", color=line.get_color(), markersize=5)
    return line


def _box(name, limits):
    """``(low, high)``: two finite numbers with ``low < high``."""
    pair = _checks.real_array(name, limits, ndim=1, finite=True)
    if pair.shape != (2,) or not pair[0] < pair[1]:
        raise ValueError(
            f"{name} must be a pair (low, high) with low < high, got {limits!r}"
        )
    return float(pair[0]), float(pair[1])
