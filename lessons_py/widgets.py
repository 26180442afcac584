"""ipywidgets exercises that work on the static website as in a live kernel.

A static page has no Python to run, so everything a reader can see is computed when
the chapter executes and stored in the page: an explorer (:class:`FigureExplorer`,
:class:`TrajectoryExplorer`) draws its figure for every combination of its controls'
options, a question (:class:`ChoiceQuestion`) writes the feedback of every option.
``Stack`` widgets linked to the controls (:func:`linked_stacks`) then show the one
selected, by ``jslink`` in the browser's widget manager, with no kernel, and in a live
kernel just the same. So the page shows exactly what ``lessons_py`` computed for that
setting, and :func:`verify_all` checks it again. Frames stay small: the changing lines
of a figure are an SVG layer (:func:`svg_layer`) over one PNG of the rest.

Nothing here ever shows a traceback to the reader: a setting whose drawing fails says
so in its caption. Mistakes of the author (bad arguments, an ``alt`` text that cannot
be written) raise ``ValueError`` when the exercise is made, where the author sees them.
"""

import base64
import hashlib
import html
import io
import itertools
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D
from PIL import Image

from . import _checks
from .loop import Record
from .plotting import _box, contour, path

__all__ = [
    "ChoiceQuestion",
    "FigureExplorer",
    "Option",
    "TrajectoryExplorer",
    "feedback",
    "linear_slider",
    "linked_stacks",
    "log_slider",
    "register",
    "reset_all",
    "selection_slider",
    "shown",
    "svg_layer",
    "verify_all",
]

_EXERCISES = weakref.WeakSet()  # every question and explorer made in this kernel


def register(exercise):
    """Add an exercise (anything with a ``reset()`` method) to this kernel's registry,
    which :func:`reset_all` and :func:`verify_all` go through; returns it."""
    if not callable(getattr(exercise, "reset", None)):
        raise ValueError(f"exercise must have a reset() method, got {exercise!r}")
    _EXERCISES.add(exercise)
    return exercise


def verify_all(k=5, seed=0):
    """Check every explorer made in this kernel with :meth:`FigureExplorer.verify`;
    raise AssertionError naming the settings whose stored frame is not what the code
    draws. Returns the number of explorers checked. Chapters call it in a hidden last
    cell. ``k`` (>= 1) settings are checked per explorer, drawn from ``seed`` (a seed or
    a Generator)."""
    k = _checks.integer("k", k, 1)
    _checks.rng("seed", seed)
    explorers = [e for e in list(_EXERCISES) if isinstance(e, FigureExplorer)]
    for explorer in explorers:
        wrong = explorer.verify(k, seed)
        assert not wrong, f"stored frames differ from a new drawing for {wrong}"
    return len(explorers)


def reset_all():
    """Return every exercise to the state a reader first sees: questions blank, controls
    at their initial values. Chapters call it in a hidden last cell, after the hidden
    checks have typed answers and moved sliders, so the static page shows fresh
    widgets."""
    for exercise in list(_EXERCISES):
        exercise.reset()


_COLORS = {"correct": "#006400", "incomplete": "#8B4500"}  # anything else: dark red


def feedback(verdict, message, extra=""):
    """The feedback HTML every exercise shows: ``message`` (text, escaped) in bold,
    green when ``verdict`` is "correct", brown when "incomplete", dark red otherwise,
    followed by ``extra`` (HTML) on the next line."""
    _checks.text("verdict", verdict)
    _checks.text("message", message)
    _checks.text("extra", extra)
    color = _COLORS.get(verdict, "#8B0000")
    return f'<span style="color:{color}"><b>{html.escape(message)}</b></span>' + (
        f"<br>{extra}" if extra else ""
    )


@dataclass(frozen=True)
class Option:
    """One answer of a :class:`ChoiceQuestion`: what the reader sees (``label``),
    whether it is right, and ``why`` (HTML): the explanation shown when it is chosen. A
    wrong option's ``why`` names the misconception it comes from ("16 is the factor for
    the variance ...")."""

    label: str
    why: str
    correct: bool = False

    def __post_init__(self):
        if not (isinstance(self.label, str) and self.label):
            raise ValueError(f"label must be a non-empty string, got {self.label!r}")
        _checks.text("why", self.why)
        _checks.flag("correct", self.correct)


class ChoiceQuestion(w.VBox):
    """A multiple-choice question whose every option carries its own feedback.

    The feedback of each option is written into the page in advance and shown by the
    browser itself (a ``Stack`` linked to the buttons with ``jslink``), so the question
    answers on the static website with no kernel, and in a live kernel just the same.
    Options are shown as toggle buttons when their labels are short, as a list
    otherwise.
    """

    _SHORT = 14  # the longest label toggle buttons show without cutting it

    def __init__(self, prompt, options):
        _checks.text("prompt", prompt)
        if isinstance(options, (str, bytes)) or not hasattr(options, "__iter__"):
            raise ValueError(f"options must be a list of Option, got {options!r}")
        options = list(options)
        if len(options) < 2 or not all(isinstance(o, Option) for o in options):
            raise ValueError("options must be a list of at least two Option")
        labels = [o.label for o in options]
        if len(set(labels)) != len(labels):
            raise ValueError(f"option labels must be unique, got {labels}")
        if sum(o.correct for o in options) != 1:
            raise ValueError("exactly one option must be correct")
        self.options = options
        if max(len(label) for label in labels) <= self._SHORT:
            self.choice = w.ToggleButtons(
                options=labels, index=None, style={"button_width": "auto"}
            )
        else:
            self.choice = w.RadioButtons(
                options=labels, index=None, layout=w.Layout(width="auto")
            )
        self.feedback = linked_stacks(
            [self.choice], lambda i: self._feedback(options[i[0]])
        )
        super().__init__([w.HTML(prompt), self.choice, self.feedback])
        register(self)

    @staticmethod
    def _feedback(option):
        if option.correct:
            return feedback("correct", f"Correct: {option.label}.", option.why)
        return feedback("wrong", f"Not {option.label}.", option.why)

    def reset(self):
        """No option chosen, no feedback."""
        self.choice.index = None

    def check(self, label):
        """Choose the option with this label (as a reader would); return ``"correct"``
        or ``"wrong"``, or ``"not an option"`` for a label the question does not
        offer."""
        labels = [o.label for o in self.options]
        if label not in labels:
            return "not an option"
        self.choice.index = labels.index(label)
        return "correct" if self.options[self.choice.index].correct else "wrong"

    @property
    def answer(self):
        """The label of the correct option."""
        return next(o.label for o in self.options if o.correct)

    @property
    def shown(self):
        """The feedback HTML on show (empty before any choice)."""
        return shown(self.feedback)


def _controls(controls):
    """Raise unless ``controls`` is a dict from keyword names to widgets."""
    if not isinstance(controls, Mapping) or not all(
        isinstance(name, str) for name in controls
    ):
        raise ValueError(
            f"controls must be a dict from keyword names to selection widgets, "
            f"got {controls!r}"
        )


def _selection(name, control):
    """The option values of a selection control, or a ValueError saying what is
    needed."""
    if not isinstance(control, w.widgets.widget_selection._Selection):
        raise ValueError(
            f"controls[{name!r}] must be a selection widget (SelectionSlider, "
            "Dropdown, ToggleButtons or RadioButtons, e.g. from log_slider or "
            "linear_slider), so that every setting can be drawn in advance; got "
            f"{type(control).__name__}"
        )
    if not control.options or control.index is None:
        raise ValueError(
            f"controls[{name!r}] must have options and one of them selected"
        )
    return list(control._options_values)


def _nice(value, digits=3):
    """``value`` rounded to ``digits`` significant digits (so a label shows it
    exactly)."""
    return float(f"{value:.{digits}g}")


def _finite(name, value, low=-np.inf, low_open=False):
    """A finite real number above ``low``, as a float (a ValueError naming it
    otherwise)."""
    return _checks.number(name, value, low, np.inf, low_open=low_open)


def log_slider(description, low, high, n, value, digits=3):
    """A SelectionSlider over ``n`` log-spaced values from ``low`` to ``high`` (each
    rounded to ``digits`` significant digits, its label showing it exactly), starting
    nearest ``value``."""
    low = _finite("low", low, 0.0, low_open=True)
    high = _finite("high", high, low, low_open=True)
    _checks.integer("n", n, 2)
    _checks.integer("digits", digits, 1)
    values = {_nice(v, digits) for v in np.geomspace(low, high, n)}
    return selection_slider(description, values, value)


def linear_slider(description, low, high, n, value, digits=3):
    """A SelectionSlider over ``n`` evenly spaced values from ``low`` to ``high``."""
    low = _finite("low", low)
    high = _finite("high", high, low, low_open=True)
    _checks.integer("n", n, 2)
    _checks.integer("digits", digits, 1)
    values = {_nice(v, digits) for v in np.linspace(low, high, n)}
    return selection_slider(description, values, value)


def selection_slider(description, values, value):
    """A SelectionSlider over the numbers ``values`` (sorted; each labelled as
    ``f"{v:g}"``), starting at the one nearest ``value``."""
    _checks.text("description", description)
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(
            f"values must hold at least two finite numbers, got {values!r}"
        )
    values = _checks.real_array("values", list(values), ndim=1, empty=True)
    values = sorted(float(v) for v in values)
    if len(values) < 2 or not np.all(np.isfinite(values)):
        raise ValueError(f"values must hold at least two finite numbers, got {values}")
    _finite("value", value)
    start = min(values, key=lambda v: abs(v - value))
    return w.SelectionSlider(
        options=[(f"{v:g}", v) for v in values], value=start, description=description
    )


def _svg_number(v):
    text = f"{v:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _svg_path(path):
    """SVG path data of a matplotlib Path in SVG coordinates (already flipped)."""
    parts = []
    for vertices, code in path.iter_segments(simplify=False, curves=True):
        xy = " ".join(_svg_number(v) for v in vertices)
        if code == Path.CLOSEPOLY:
            parts.append("Z")
        elif code != Path.STOP:
            parts.append(
                {
                    Path.MOVETO: "M",
                    Path.LINETO: "L",
                    Path.CURVE3: "Q",
                    Path.CURVE4: "C",
                }[code]
                + xy
            )
    return "".join(parts)


def _svg_polyline(path):
    """Compact SVG path data of a polyline (MOVETO/LINETO only): absolute moves,
    relative lines, every point rounded to 0.1 px first so that the relative steps add
    up exactly."""
    parts, previous = [], None
    for (x, y), code in path.iter_segments(simplify=False):
        x, y = round(x, 1), round(y, 1)
        if code == Path.LINETO and (x, y) == previous:
            continue  # a zero-length step draws nothing new, not even a visible marker
        if code == Path.MOVETO or previous is None:
            parts.append(f"M{_svg_number(x)} {_svg_number(y)}")
        elif code == Path.LINETO:
            dx, dy = _svg_number(x - previous[0]), _svg_number(y - previous[1])
            parts.append(f"l{dx}{'' if dy.startswith('-') else ' '}{dy}")
        else:
            continue
        previous = (x, y)
    return "".join(parts)


def _paint(attribute, color, alpha=None):
    """``stroke="#rrggbb"`` (and its opacity when not opaque) for an SVG element."""
    rgba = to_rgba(color, alpha)
    opacity = "" if rgba[3] == 1 else f' {attribute}-opacity="{rgba[3]:.3g}"'
    return f'{attribute}="{to_hex(rgba)}"{opacity}'


def svg_layer(fig, artists, alt):
    """The ``artists`` (Line2D) of ``fig`` as one SVG image of the figure's pixel size,
    with a transparent background: the layer drawn over a PNG of the rest of the figure.

    Coordinates are matplotlib's own display coordinates of each point (clipped to its
    axes, as matplotlib clips them); line widths, colours and markers are the artists'.
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {fig!r}")
    if isinstance(artists, (str, bytes)) or not hasattr(artists, "__iter__"):
        raise ValueError(f"artists must be a list of Line2D, got {artists!r}")
    _checks.text("alt", alt)
    width, height = fig.canvas.get_width_height()
    scale = fig.dpi / 72  # points to pixels
    flip = Affine2D().scale(1, -1).translate(0, height)
    body = []
    for line in artists:
        if not isinstance(line, Line2D):
            raise ValueError(
                f"dynamic artists must be Line2D, got {type(line).__name__}: put "
                "changing text in the caption that update returns"
            )
        if not line.get_visible():
            continue
        clip = line.get_clip_box() if line.get_clip_on() else fig.bbox
        x0, y0, x1, y1 = clip.extents
        pad = 10 + line.get_markersize() * scale
        display = line.get_transform().transform(
            np.asarray(line.get_xydata(), dtype=float)
        )
        # clipped as Agg clips; simplified as Agg simplifies long lines (below 1/9 px)
        if not len(display):
            continue
        vertices = Path(display).cleaned(
            remove_nans=True,
            clip=(x0 - pad, y0 - pad, x1 + pad, y1 + pad),
            simplify=len(display) >= 128
            and line.get_marker() in (None, "None", "none", "", " "),
        )
        if not np.any(vertices.codes == Path.MOVETO):
            continue  # nothing of it is near its axes (or every point is NaN)
        d = _svg_polyline(vertices.transformed(flip))
        if "l" not in d:  # a single point: a zero-length segment carries its marker
            d += "l0 0"
        attributes = [f'd="{d}"', 'fill="none"']
        if line.get_linestyle() in ("None", "none", " ", ""):
            attributes.append('stroke="none"')
        else:
            dashes = getattr(line, "_dash_pattern", (0, None))[1]  # in points, scaled
            attributes += [
                _paint("stroke", line.get_color(), line.get_alpha()),
                f'stroke-width="{_svg_number(line.get_linewidth() * scale)}"',
                'stroke-linejoin="round"',
                'stroke-linecap="square"',
            ]
            if dashes:
                attributes.append(
                    'stroke-dasharray="'
                    + " ".join(_svg_number(v * scale) for v in dashes)
                    + '"'
                )
        defs = ""
        if line.get_marker() not in (None, "None", "none", "", " "):
            marker = MarkerStyle(line.get_marker(), line.get_fillstyle())
            size = line.get_markersize() * scale
            shape = marker.get_path().transformed(
                marker.get_transform() + Affine2D().scale(size, -size)
            )
            filled = marker.is_filled() and marker.get_fillstyle() != "none"
            fill = (
                _paint("fill", line.get_markerfacecolor(), line.get_alpha())
                if filled
                else 'fill="none"'
            )
            glyph = (
                f'<path d="{_svg_path(shape)}" {fill} '
                f"{_paint('stroke', line.get_markeredgecolor(), line.get_alpha())} "
                f'stroke-width="{_svg_number(line.get_markeredgewidth() * scale)}"/>'
            )
            # named after its content: equal markers share a name, and a redraw is
            # identical
            ident = "lp-marker-" + hashlib.sha1(glyph.encode()).hexdigest()[:12]
            defs = (
                f'<defs><marker id="{ident}" markerUnits="userSpaceOnUse" '
                f'overflow="visible" orient="0">{glyph}</marker></defs>'
            )
            attributes += [
                f'marker-{where}="url(#{ident})"' for where in ("start", "mid", "end")
            ]
        # a nested viewport clips the line to its axes, as matplotlib's clip box does
        box = " ".join(_svg_number(v) for v in (x0, height - y1, x1 - x0, y1 - y0))
        x, y, box_width, box_height = box.split()
        body.append(
            f'<svg x="{x}" y="{y}" width="{box_width}" height="{box_height}" '
            f'viewBox="{box}" overflow="hidden">{defs}<path {" ".join(attributes)}/>'
            f"</svg>"
        )
    label = html.escape(alt)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'style="display:block;width:100%;height:auto" role="img" aria-label="{label}">'
        f"{''.join(body)}</svg>"
    )


def _png(canvas):
    image = Image.frombuffer(
        "RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _img(png, alt, hidden=False):
    data = base64.b64encode(png).decode("ascii")
    extra = ' aria-hidden="true"' if hidden else ""
    return (
        f'<img alt="{html.escape(alt)}"{extra} style="display:block;width:100%;'
        f'height:auto" src="data:image/png;base64,{data}">'
    )


def linked_stacks(controls, leaf):
    """Nested ``Stack`` widgets, one level per selection control, that show
    ``leaf(index)`` (HTML) for the tuple of the controls' selected indices (in the order
    given).

    Each level is linked to its control twice: by ``jslink`` in the browser, so that the
    page responds with no kernel, and by a ``traitlets`` link in Python, so that code
    moving a control in a kernel sees the same state. The control with the fewest
    options is the outermost level (fewest stacks and links), and the leaves share one
    layout and one style: a page with hundreds of leaves stays small. A control whose
    ``index`` is None (nothing chosen) shows nothing.
    """
    if isinstance(controls, (str, bytes)) or not hasattr(controls, "__iter__"):
        raise ValueError(
            f"controls must be a list of selection widgets, got {controls!r}"
        )
    controls = list(controls)
    for k, control in enumerate(controls):
        if not isinstance(control, w.widgets.widget_selection._Selection):
            raise ValueError(
                f"controls[{k}] must be a selection widget, got "
                f"{type(control).__name__}"
            )
    _checks.function("leaf", leaf)
    layout, style = (
        w.Layout(width="100%", margin="0"),
        w.widgets.widget_string.HTMLStyle(),
    )
    order = sorted(range(len(controls)), key=lambda k: len(controls[k].options))

    def tree(level, chosen):
        if level == len(order):
            return w.HTML(
                leaf(tuple(chosen[k] for k in range(len(controls)))),
                layout=layout,
                style=style,
            )
        control = controls[order[level]]
        stack = w.Stack(
            [
                tree(level + 1, {**chosen, order[level]: i})
                for i in range(len(control.options))
            ],
            selected_index=control.index,
            layout=layout if level else w.Layout(width="100%"),
        )
        w.jslink((control, "index"), (stack, "selected_index"))
        traitlets.dlink((control, "index"), (stack, "selected_index"))
        return stack

    return tree(0, {})


def shown(stack):
    """The HTML on show in a tree made by :func:`linked_stacks` ("" if nothing is
    chosen)."""
    if not isinstance(stack, (w.Stack, w.HTML)):
        raise ValueError(f"stack must be made by linked_stacks, got {stack!r}")
    node = stack
    while isinstance(node, w.Stack):
        if node.selected_index is None:
            return ""
        node = node.children[node.selected_index]
    return node.value


class FigureExplorer(w.VBox):
    """Controls above a matplotlib figure, drawn in advance for every setting of the
    controls.

    ``update(**values)`` sets the figure for one setting (changing its artists in place)
    and may return a caption, shown above the figure. At construction, ``update`` runs
    for every combination of the controls' options and each result is stored in the
    widget; the browser then shows the stored drawing of whatever the controls select,
    through ``Stack`` widgets ``jslink``-ed to the controls. So the exercise responds on
    the static website, with no kernel, exactly as in a live one, and what it shows is
    what ``update`` drew from the package's own computation.

    ``controls`` maps ``update``'s keyword names to selection widgets
    (``SelectionSlider``, e.g. :func:`log_slider`; ``Dropdown``; ``ToggleButtons``;
    ``RadioButtons``).

    Frames: with ``dynamic=[lines]`` the rest of the figure is one PNG, and each setting
    stores only those lines, as an SVG layer drawn over it (a few kilobytes); ``update``
    may then change nothing else (the constructor checks it), and changing text belongs
    in the caption. Without ``dynamic`` each setting stores the whole figure as a PNG:
    for a handful of settings only. ``alt(**values)`` (or a fixed string) describes each
    setting's figure for readers who cannot see it. Whatever ``update`` raises for a
    setting is shown as that setting's caption, never as a traceback; an ``alt`` that
    raises or returns no string raises ``ValueError`` here, at construction.
    """

    def __init__(self, fig, update, controls, alt="Interactive figure", dynamic=None):
        if not isinstance(fig, Figure):
            raise ValueError(f"fig must be a matplotlib Figure, got {fig!r}")
        _checks.function("update", update)
        _controls(controls)
        if not (isinstance(alt, str) or callable(alt)):
            raise ValueError(f"alt must be a string or a function, got {alt!r}")
        if dynamic is not None:
            if isinstance(dynamic, (str, bytes)) or not hasattr(dynamic, "__iter__"):
                raise ValueError(f"dynamic must be a list of Line2D, got {dynamic!r}")
            for artist in dynamic:
                if not isinstance(artist, Line2D):
                    raise ValueError(
                        f"dynamic artists must be Line2D, got {type(artist).__name__}:"
                        " put changing text in the caption that update returns"
                    )
        self.fig, self.update, self.controls = fig, update, dict(controls)
        if not self.controls:
            raise ValueError("controls must hold at least one control")
        self.alt, self.dynamic = alt, list(dynamic or [])
        self._options = options = [
            _selection(name, c) for name, c in self.controls.items()
        ]
        plt.close(fig)  # shown through the widget only, never a second time inline
        self.canvas = FigureCanvasAgg(
            fig
        )  # after close(), which detaches pyplot's canvas
        for artist in self.dynamic:
            artist.set_animated(True)  # left out of canvas.draw(): the background
        layers = []
        if self.dynamic:
            self.canvas.draw()
            background = _png(self.canvas)
            self.background = w.HTML(
                _img(background, "", hidden=True),
                layout=w.Layout(grid_area="figure", width="100%", margin="0"),
            )
            layers.append(self.background)
        names = list(self.controls)
        self.frames = {}
        for index in itertools.product(*(range(len(o)) for o in options)):
            values = {n: o[i] for n, o, i in zip(names, options, index)}
            self.frames[index] = self._draw(values)
        if self.dynamic:
            self.canvas.draw()
            if _png(self.canvas) != background:
                raise ValueError(
                    "update changed the figure outside its dynamic artists: keep "
                    "limits and labels fixed, or leave dynamic out"
                )
        controls = list(self.controls.values())
        self.caption = linked_stacks(controls, lambda index: self.frames[index][0])
        self.view = linked_stacks(controls, lambda index: self.frames[index][1])
        self.view.layout.grid_area = "figure"
        layers.append(self.view)
        width = self.canvas.get_width_height()[0]
        figure = w.GridBox(
            layers,
            layout=w.Layout(
                grid_template_areas='"figure"', width="100%", max_width=f"{width + 4}px"
            ),
        )
        row = w.HBox(
            list(self.controls.values()), layout=w.Layout(flex_flow="row wrap")
        )
        super().__init__([row, self.caption, figure])
        self._initial = self.index
        register(self)

    def _draw(self, values):
        """(caption HTML, figure HTML) of one setting."""
        try:
            note = self.update(**values)
        except Exception as exc:  # the reader sees a sentence, never a traceback
            caption = feedback(
                "error", f"Could not draw this setting: {type(exc).__name__}: {exc}"
            )
            # no curves of another setting: the axes alone (or nothing, without a
            # background)
            return caption, svg_layer(
                self.fig, [], "Nothing drawn for this setting."
            ) if self.dynamic else ""
        if not (note is None or isinstance(note, str)):
            raise ValueError(
                f"update must return a caption (a string) or None, got {note!r} for "
                f"the setting {values}"
            )
        caption = html.escape(note) if note else ""
        alt = self._alt_text(values)
        if self.dynamic:
            return caption, svg_layer(self.fig, self.dynamic, alt)
        self.canvas.draw()
        return caption, _img(_png(self.canvas), alt)

    def _alt_text(self, values):
        """The alt text of one setting. An ``alt`` that fails is the author's mistake,
        so it raises here, while the explorer is made, instead of showing the reader a
        figure without a description."""
        if not callable(self.alt):
            return self.alt
        try:
            alt = self.alt(**values)
        except Exception as exc:
            raise ValueError(
                f"alt failed for the setting {values}: {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(alt, str):
            raise ValueError(
                f"alt must return a string, got {alt!r} for the setting {values}"
            )
        return alt

    @property
    def values(self):
        """The selected value of every control."""
        return {name: control.value for name, control in self.controls.items()}

    @property
    def index(self):
        return tuple(control.index for control in self.controls.values())

    @property
    def shown(self):
        """(caption HTML, figure HTML) of the setting on show, read from the widgets."""
        return shown(self.caption), shown(self.view)

    def verify(self, k=5, seed=0):
        """Draw ``k`` settings again (the initial one and random others) and return
        those whose stored frame differs from the new drawing: the page shows what the
        code draws. ``k`` is an integer >= 1, ``seed`` a seed or a Generator.
        """
        k = _checks.integer("k", k, 1)
        rng = _checks.rng("seed", seed)
        keys = list(self.frames)
        picks = {self._initial} | {
            keys[i] for i in rng.choice(len(keys), min(k, len(keys)), replace=False)
        }
        wrong = []
        for index in sorted(picks):
            values = {n: o[i] for n, o, i in zip(self.controls, self._options, index)}
            if self._redraw(values) != self.frames[index]:
                wrong.append(values)
        return wrong

    def _redraw(self, values):
        return self._draw(values)

    def reset(self):
        """Put every control back to its initial option."""
        for control, i in zip(self.controls.values(), self._initial):
            control.index = i


class TrajectoryExplorer(FigureExplorer):
    """Contour + path (left) and loss curve (right) of ``simulate(**values)``, a Record.

    Every setting is simulated first, so that the loss axis can span all of them (whole
    decades); a run that diverged is drawn up to where it stopped, and the caption says
    so.
    """

    def __init__(self, objective, simulate, controls, xlim, ylim, figsize=(8.0, 3.4)):
        _checks.objective("objective", objective)
        if objective.dim != 2:
            raise ValueError(
                f"objective must have dim 2 to be drawn, got {objective.dim}"
            )
        _checks.function("simulate", simulate)
        _controls(controls)
        xlim, ylim = _box("xlim", xlim), _box("ylim", ylim)
        self.objective, self.simulate = objective, simulate
        names = list(controls)
        options = [_selection(name, c) for name, c in controls.items()]
        self.records = {}
        for combo in itertools.product(*options):
            values = dict(zip(names, combo))
            try:
                record = simulate(**values)
            except Exception as exc:
                exc.add_note(f"(in simulate({values}) of a TrajectoryExplorer)")
                raise
            if not isinstance(record, Record) or record.x.shape[-1:] != (2,):
                raise ValueError(
                    f"simulate must return a Record of a 2-D run (e.g. from "
                    f"lessons_py.run), got {record!r} for {values}"
                )
            self.records[combo] = record
        gaps = [self._gap(r) for r in self.records.values()]
        finite = np.concatenate([g[np.isfinite(g)] for g in gaps])
        finite = (
            finite if finite.size else np.array([1e-16, 1.0])
        )  # every run blew up at once
        low = 10.0 ** np.floor(np.log10(finite.min()))
        start = max([g[0] for g in gaps if np.isfinite(g[0])] + [1.0])
        high = 10.0 ** np.ceil(np.log10(min(finite.max(), 1e3 * start)))
        steps = max(r.steps for r in self.records.values())
        fig, (self.ax_path, self.ax_loss) = plt.subplots(1, 2, figsize=figsize)
        contour(self.ax_path, objective, xlim, ylim)
        empty = np.zeros((1, 2))
        self.line = path(self.ax_path, empty, label="path", c="#0072B2")
        self.start = self.ax_path.lines[-1]
        (self.curve,) = self.ax_loss.plot([], [], color="#0072B2")
        self.ax_loss.set(
            xlabel="step",
            ylabel="loss − min loss",
            yscale="log",
            xlim=(0, max(steps, 1)),
            ylim=(low, high),
        )
        self.ax_path.set_title(f"path on the {objective.name} objective", fontsize=10)
        self.ax_loss.set_title("loss gap, log scale", fontsize=10)
        fig.tight_layout()
        super().__init__(
            fig,
            self._draw_record,
            controls,
            alt=self._describe,
            dynamic=[self.line, self.start, self.curve],
        )

    def _redraw(self, values):
        """Simulate again and draw: the stored frame must be what the package computes
        now."""
        key = tuple(values[name] for name in self.controls)
        stored = self.records[key]
        self.records[key] = self.simulate(**values)
        try:
            same = np.array_equal(
                stored.x, self.records[key].x, equal_nan=True
            ) and np.array_equal(stored.loss, self.records[key].loss, equal_nan=True)
            return self._draw(values) if same else None
        finally:
            self.records[key] = stored

    def _gap(self, record):
        return np.maximum(record.loss - (self.objective.min_loss or 0.0), 1e-16)

    def record(self, **values):
        """The Record shown for a setting."""
        return self.records[tuple(values[name] for name in self.controls)]

    def _draw_record(self, **values):
        record = self.record(**values)
        self.line.set_data(record.x[:, 0], record.x[:, 1])
        self.start.set_data([record.x[0, 0]], [record.x[0, 1]])
        self.curve.set_data(record.step, self._gap(record))
        return f"{self._settings(values)}: {record.status}."

    def _settings(self, values):
        """ "η = 0.05, batch b = 32": each control's label (its description) and
        value."""
        return ", ".join(
            f"{self.controls[k].description or k} = {v:g}" for k, v in values.items()
        )

    def _describe(self, **values):
        return (
            f"Left: level sets of the {self.objective.name} objective with the "
            f"optimizer's path for {self._settings(values)}. Right: the loss gap "
            f"against the step, log scale; the run {self.record(**values).status}."
        )
