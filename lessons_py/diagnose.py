"""Diagnose a loss curve: an exercise that shows a curve and grades a cause and a fix.

The curves come from real runs with a known cause (a learning rate too high,
no warmup, rare huge gradients, ...). The reader picks the cause and the fix;
:func:`grade` answers with a sentence, and nothing here ever raises at the
reader, whatever is selected::

    cases = [Case("A", rec.step, rec.loss - best, cause="too high", fix="lower",
                  explanation="The loss grows by a constant factor per step ...")]
    DiagnosisExercise(cases, causes={"too high": "learning rate too high", ...},
                      fixes={"lower": "lower the learning rate", ...})

The grading (:func:`grade`) is plain Python, tested without a browser; the
widget stores its verdict for every choice in the page, so that the browser can
show it without a kernel.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import traitlets

from . import _checks
from .widgets import FigureExplorer, feedback, linked_stacks, register, shown

__all__ = ["Case", "DiagnosisExercise", "grade"]


@dataclass(frozen=True)
class Case:
    """One curve to diagnose: where it came from is hidden from the reader until they
    answer.

    ``step`` and ``loss``: the curve (plotted on a log scale if every value is
    positive); ``cause`` and ``fix``: keys of the exercise's ``causes`` and
    ``fixes``; ``also_accepted``: further fix keys that are right too;
    ``explanation``: shown (as HTML) once the answer is right; ``description``:
    what the curve looks like in words, the alt text of the figure (for readers
    who cannot see it).
    """

    name: str
    step: np.ndarray
    loss: np.ndarray
    cause: str
    fix: str
    explanation: str = ""
    also_accepted: tuple = ()
    description: str = ""

    def __post_init__(self):
        _checks.text("name", self.name)
        step = _checks.real_array("step", self.step, ndim=1)
        loss = _checks.real_array("loss", self.loss, ndim=1)
        if step.shape != loss.shape:
            raise ValueError(
                f"step and loss must have one length, got {step.shape} and {loss.shape}"
            )
        for field in ("cause", "fix", "explanation", "description"):
            _checks.text(field, getattr(self, field))
        if isinstance(self.also_accepted, str) or not all(
            isinstance(f, str) for f in self.also_accepted
        ):
            raise ValueError(
                f"also_accepted must be a tuple of fix keys, got {self.also_accepted!r}"
            )

    def accepts_fix(self, fix):
        return fix == self.fix or fix in self.also_accepted


def grade(case, cause, fix):
    """Grade a diagnosis. Returns ``(verdict, message)``; never raises.

    ``verdict`` is ``"correct"`` (cause and fix right), ``"fix wrong"`` (cause
    right, fix not), ``"cause wrong"`` (fix right for another reason, or
    both wrong) or ``"incomplete"`` (cause or fix not chosen). ``case`` must be a
    :class:`Case` (the author's argument, checked); the reader's ``cause`` and ``fix``
    may be anything.
    """
    if not isinstance(case, Case):
        raise ValueError(f"case must be a Case, got {case!r}")
    if cause is None or fix is None or cause == "" or fix == "":
        return "incomplete", "Choose a cause and a fix."
    cause_ok, fix_ok = cause == case.cause, case.accepts_fix(fix)
    if cause_ok and fix_ok:
        return "correct", "Correct: right cause and right fix."
    if cause_ok:
        return (
            "fix wrong",
            "Right cause, but that fix does not address it. Try another fix.",
        )
    if fix_ok:
        return "cause wrong", (
            "That fix would help, but not for the reason you chose: "
            "look at the curve again."
        )
    return (
        "cause wrong",
        "Not this cause. Look at where the curve goes wrong: at the start, late, or "
        "suddenly?",
    )


def _offered(key, keys):
    """Whether ``key`` is None (keep the current choice) or one of ``keys``; never
    raises."""
    try:
        return key is None or key in set(keys)
    except TypeError:  # an unhashable key cannot be one of them
        return False


class DiagnosisExercise(w.VBox):
    """Pick a curve, read it, choose a cause and a fix: the feedback appears at once.

    ``cases``: a list of :class:`Case`; ``causes`` and ``fixes``: dicts from key to the
    label the reader sees. Every curve's figure and the feedback for every (curve,
    cause, fix) are drawn and graded (:func:`grade`) in advance and stored in the page,
    so the exercise answers on the static website with no kernel, exactly as in a live
    one. Each curve keeps its own answer.
    """

    def __init__(
        self, cases, causes, fixes, figsize=(6.5, 3.2), ylabel="loss − min loss"
    ):
        if isinstance(cases, (str, bytes)) or not hasattr(cases, "__iter__"):
            raise ValueError(f"cases must be a list of Case, got {cases!r}")
        cases = list(cases)
        if not cases:
            raise ValueError("cases must hold at least one Case")
        if not all(isinstance(c, Case) for c in cases):
            raise ValueError(f"cases must be a list of Case, got {cases!r}")
        for name, options in (("causes", causes), ("fixes", fixes)):
            if not isinstance(options, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in options.items()
            ):
                raise ValueError(
                    f"{name} must be a dict from keys to the labels the reader sees, "
                    f"got {options!r}"
                )
        _checks.text("ylabel", ylabel)
        names = [c.name for c in cases]
        if len(set(names)) != len(names):
            raise ValueError(f"case names must be unique, got {names}")
        for c in cases:
            if c.cause not in causes or not all(
                f in fixes for f in (c.fix, *c.also_accepted)
            ):
                raise ValueError(
                    f"case {c.name!r} names a cause or fix that is not offered"
                )
        self.cases = {c.name: c for c in cases}
        self.causes, self.fixes = list(causes), [None, *fixes]
        self.fig, self.ax = plt.subplots(figsize=figsize)
        (self.line,) = self.ax.plot([], [], color="#0072B2", linewidth=1.5)
        self.ax.set(xlabel="step", ylabel=ylabel)
        self.ax.set_title(
            self._title(names[0]), fontsize=10
        )  # so the layout leaves room for it
        self.fig.tight_layout()
        self.ylabel = ylabel
        picker = w.Dropdown(options=names, value=names[0], description="curve")
        self.explorer = FigureExplorer(
            self.fig, self._draw, {"case": picker}, alt=self._alt
        )
        # each curve has its own cause and fix: an answer never carries over to the next
        labels = [(v, k) for k, v in causes.items()]
        self.causes_of = [
            w.RadioButtons(
                options=labels,
                value=None,
                description="cause",
                layout=w.Layout(width="auto"),
            )
            for _ in cases
        ]
        self.fixes_of = [
            w.Dropdown(
                options=[("choose a fix", None)] + [(v, k) for k, v in fixes.items()],
                index=0,
                description="fix",
                layout=w.Layout(width="28em"),
            )
            for _ in cases
        ]
        panels = [
            w.VBox(
                [
                    cause,
                    fix,
                    linked_stacks([cause, fix], lambda i, k=k: self._feedback((k, *i))),
                ]
            )
            for k, (cause, fix) in enumerate(zip(self.causes_of, self.fixes_of))
        ]
        self.answers = w.Stack(panels, selected_index=0)
        w.jslink((picker, "index"), (self.answers, "selected_index"))
        traitlets.dlink((picker, "index"), (self.answers, "selected_index"))
        super().__init__([self.explorer, self.answers])
        register(self)

    def reset(self):
        """First curve, no answers, no feedback (``widgets.reset_all`` calls it)."""
        self.explorer.reset()
        for cause, fix in zip(self.causes_of, self.fixes_of):
            cause.index, fix.index = None, 0

    @property
    def cause(self):
        """The cause control of the curve on show."""
        return self.causes_of[self.explorer.controls["case"].index]

    @property
    def fix(self):
        """The fix control of the curve on show."""
        return self.fixes_of[self.explorer.controls["case"].index]

    @property
    def case(self):
        """The case on show."""
        return self.cases[self.explorer.controls["case"].value]

    def _draw(self, case):
        c = self.cases[case]
        loss = np.asarray(c.loss, dtype=np.float64)
        visible = np.isfinite(loss)
        self.line.set_data(np.asarray(c.step)[visible], loss[visible])
        self.ax.set_yscale("log" if np.all(loss[visible] > 0) else "linear")
        self.ax.relim()
        self.ax.autoscale_view()
        self.ax.set_title(self._title(c.name), fontsize=10)

    @staticmethod
    def _title(name):
        return f"Curve {name}: what went wrong, and what would you change?"

    def _alt(self, case):
        c = self.cases[case]
        scale = "log" if self.ax.get_yscale() == "log" else "linear"
        return (
            f"Curve {c.name}: {self.ylabel} against step, {scale} scale. "
            f"{c.description}"
        ).strip()

    def _feedback(self, index):
        """The feedback HTML for (curve, cause, fix) given by their option indices."""
        case = list(self.cases.values())[index[0]]
        cause, fix = self.causes[index[1]], self.fixes[index[2]]
        verdict, message = grade(case, cause, fix)
        if verdict == "incomplete":  # say what is chosen so far
            chosen = self.causes_of[index[0]].options[index[1]][0]
            message = f"Cause: {chosen}. Choose a fix too."
        return feedback(
            verdict, message, case.explanation if verdict == "correct" else ""
        )

    def check(self, cause=None, fix=None):
        """Choose this cause and fix (keys; the current ones if None) for the curve on
        show, as a reader would, and return the verdict of :func:`grade`."""
        if not (_offered(cause, self.causes) and _offered(fix, self.fixes)):
            return "incomplete"  # not an offered key: nothing changes
        if cause is not None:
            self.cause.value = cause
        if fix is not None:
            self.fix.value = fix
        return grade(self.case, self.cause.value, self.fix.value)[0]

    @property
    def shown(self):
        """The feedback HTML on show ("" before a cause is chosen)."""
        return shown(self.answers.children[self.answers.selected_index].children[2])
