"""ipywidgets exercises: questions that answer at once and sliders that redraw a figure.

Nothing here ever shows a traceback to the reader: an answer that is not a
number gets a sentence of feedback, and a failed redraw is reported in the
figure's title. The checking logic (:func:`parse_number`, :func:`check_answer`)
is plain Python, tested without a browser.
"""

import base64
import html
import io
import weakref
from fractions import Fraction

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from .plotting import contour, path

__all__ = ["parse_number", "check_answer", "NumericQuestion", "FigureExplorer",
           "TrajectoryExplorer", "reset_all"]

_EXERCISES = weakref.WeakSet()  # every question and explorer made in this kernel


def reset_all():
    """Return every exercise to the state a reader first sees: questions blank, controls
    at their initial values. Chapters call it in a hidden last cell, after the hidden
    checks have typed answers and moved sliders, so the static page shows fresh widgets."""
    for exercise in list(_EXERCISES):
        exercise.reset()


def parse_number(text):
    """Read a number typed by a person: ``0.01``, ``1e-2``, ``1/100``, ``1,5`` or ``50%``.

    Returns a finite float, or None when the text is not a number.
    """
    if not isinstance(text, str):
        return None
    s = text.strip().replace(" ", "").replace("\u2212", "-")
    percent = s.endswith("%")
    s = s.rstrip("%")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    try:
        value = float(Fraction(s)) if "/" in s else float(s)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    if not np.isfinite(value):
        return None
    return value / 100 if percent else value


def check_answer(text, answer, rel_tol=0.02, abs_tol=0.0):
    """Grade a typed answer against a number. Returns ``(verdict, message)``.

    ``verdict`` is ``"correct"``, ``"too low"``, ``"too high"`` or ``"not a number"``;
    it never raises, whatever ``text`` is.
    """
    value = parse_number(text)
    if value is None:
        shown = (text if isinstance(text, str) else repr(text)).strip()[:40] or "an empty answer"
        return "not a number", f"“{shown}” is not a number I can read: try e.g. 0.01, 1e-2 or 1/100."
    if abs(value - answer) <= max(abs_tol, rel_tol * abs(answer)):
        return "correct", f"Correct: {value:g}."
    verdict = "too low" if value < answer else "too high"
    return verdict, f"{value:g} is {verdict}. Try again."


class NumericQuestion(w.VBox):
    """A question with a text box: type a number, press Enter or *Check*, read the feedback.

    ``explanation`` (HTML) is shown once the answer is right; ``hints`` maps a
    verdict (``"too low"``/``"too high"``) to an extra sentence.
    """

    _COLORS = {"correct": "#006400", "not a number": "#8B4500"}

    def __init__(self, prompt, answer, rel_tol=0.02, abs_tol=0.0, explanation="", hints=None,
                 placeholder="type a number"):
        self.answer, self.rel_tol, self.abs_tol = answer, rel_tol, abs_tol
        self.explanation, self.hints = explanation, hints or {}
        self.box = w.Text(placeholder=placeholder, continuous_update=False,
                          layout=w.Layout(width="12em"))
        self.button = w.Button(description="Check", button_style="primary")
        self.feedback = w.HTML()
        self._resetting = False
        self.button.on_click(lambda _: self.check(self.box.value))
        self.box.observe(lambda change: None if self._resetting else self.check(change["new"]),
                         names="value")
        super().__init__([w.HTML(prompt), w.HBox([self.box, self.button]), self.feedback])
        _EXERCISES.add(self)

    def reset(self):
        """Blank answer, no feedback."""
        self._resetting = True
        try:
            self.box.value = ""
        finally:
            self._resetting = False
        self.feedback.value = ""

    def check(self, text):
        """Grade ``text``, show the feedback and return the verdict."""
        verdict, message = check_answer(text, self.answer, self.rel_tol, self.abs_tol)
        extra = self.explanation if verdict == "correct" else self.hints.get(verdict, "")
        color = self._COLORS.get(verdict, "#8B0000")
        self.feedback.value = (f'<span style="color:{color}"><b>{html.escape(message)}</b></span>'
                               + (f"<br>{extra}" if extra else ""))
        return verdict


class FigureExplorer(w.VBox):
    """Controls above a matplotlib figure; ``update(**values)`` redraws it when a control moves.

    ``update`` changes the figure's artists in place (no new figure per move) and
    may return a short note shown above the figure; whatever it raises is shown
    as a one-line message instead of a traceback. The figure is shown as a PNG
    ``<img>`` whose alt text, ``alt(**values)`` (or a fixed string), describes it.

    Speed: without ``dynamic`` the whole figure is drawn at every change. With
    ``dynamic=[artists]`` only those artists are redrawn over a cached background
    (blitting), so a redraw costs a few milliseconds instead of a full render; an
    ``update`` that then changes anything else (limits, labels) must call
    :meth:`invalidate` so the background is drawn again.
    """

    def __init__(self, fig, update, controls, alt="Interactive figure", dynamic=None):
        self.fig, self.update, self.controls = fig, update, dict(controls)
        self.alt, self.dynamic = alt, list(dynamic or [])
        plt.close(fig)  # shown through self.view only, never a second time inline
        self.canvas = FigureCanvasAgg(fig)  # after close(), which detaches pyplot's canvas
        for artist in self.dynamic:
            artist.set_animated(True)
        self._background = None
        self.view = w.HTML()
        self.message = w.HTML()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        super().__init__([w.HBox(list(self.controls.values())), self.message, self.view])
        self._initial = self.values
        self._on_change()
        _EXERCISES.add(self)

    def reset(self):
        """Put every control back to its initial value (and redraw)."""
        for name, value in self._initial.items():
            self.controls[name].value = value

    @property
    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def invalidate(self):
        """Redraw the static background at the next render (call after changing it)."""
        self._background = None

    def _on_change(self, change=None):
        try:
            note = self.update(**self.values)
            self.message.value = html.escape(note) if note else ""
        except Exception as exc:  # the reader sees a sentence, never a traceback
            self.message.value = (f'<span style="color:#8B0000">Could not redraw: '
                                  f'{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</span>')
        self.render()

    def render(self):
        """Draw the figure into the ``<img>`` shown by the widget."""
        if not self.dynamic:
            self.canvas.draw()  # no dynamic artists declared: draw everything every time
        elif self._background is None:
            self.canvas.draw()  # everything but the dynamic artists
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.dynamic:
            self.fig.draw_artist(artist)
        image = Image.frombuffer("RGBA", self.canvas.get_width_height(),
                                 self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        alt = self.alt(**self.values) if callable(self.alt) else self.alt
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.view.value = (f'<img alt="{html.escape(alt)}" style="max-width:100%" '
                           f'src="data:image/png;base64,{data}">')


class TrajectoryExplorer(FigureExplorer):
    """Contour + path (left) and loss curve (right) of ``simulate(**values)``, a Record.

    The path, the curve and the titles are redrawn over a cached background; the
    loss axis snaps to whole decades, so its background is redrawn only when the
    curve leaves them. A diverged run is drawn up to where it stopped and said so.
    """

    def __init__(self, objective, simulate, controls, xlim, ylim, figsize=(8.0, 3.4)):
        self.objective, self.simulate = objective, simulate
        fig, (self.ax_path, self.ax_loss) = plt.subplots(1, 2, figsize=figsize)
        contour(self.ax_path, objective, xlim, ylim)
        empty = np.zeros((1, 2))
        self.line = path(self.ax_path, empty, label="path", c="#0072B2")
        self.start = self.ax_path.lines[-1]
        (self.curve,) = self.ax_loss.plot([], [], color="#0072B2")
        self.ax_loss.set(xlabel="step", ylabel="loss − min loss", yscale="log")
        for ax in (self.ax_path, self.ax_loss):
            ax.set_title("placeholder", fontsize=10)  # reserve room for the titles
        fig.tight_layout()
        dynamic = [self.line, self.start, self.curve, self.ax_path.title, self.ax_loss.title]
        super().__init__(fig, self._draw, controls, alt=self._describe, dynamic=dynamic)

    def _draw(self, **values):
        record = self.simulate(**values)
        self.line.set_data(record.x[:, 0], record.x[:, 1])
        self.start.set_data([record.x[0, 0]], [record.x[0, 1]])
        gap = np.maximum(record.loss - (self.objective.min_loss or 0.0), 1e-16)
        self.curve.set_data(record.step, gap)
        finite = gap[np.isfinite(gap)]
        limits = ((0, max(record.steps, 1)),
                  (10.0 ** np.floor(np.log10(finite.min())), 10.0 ** np.ceil(np.log10(finite.max()))))
        if limits != (self.ax_loss.get_xlim(), self.ax_loss.get_ylim()):
            self.ax_loss.set(xlim=limits[0], ylim=limits[1])
            self.invalidate()
        self.ax_path.set_title(self._settings(values), fontsize=10)
        self.ax_loss.set_title(record.status, fontsize=10,
                               color="#8B0000" if record.diverged else "black")
        self.record = record
        return f"Diverged: {record.status}." if record.diverged else ""

    def _settings(self, values):
        """"η = 0.05, batch b = 32": each control's label (its description) and value."""
        return ", ".join(f"{self.controls[k].description or k} = {v:g}" for k, v in values.items())

    def _describe(self, **values):
        settings = self._settings(values)
        status = self.record.status if hasattr(self, "record") else "not run"
        return (f"Left: level sets of the {self.objective.name} objective with the optimizer's "
                f"path for {settings}. Right: the loss gap against the step, log scale; "
                f"the run {status}.")
