"""lessons_py.diagnose: grading never raises, and picking a curve redraws it in place."""

import numpy as np
import pytest

from lessons_py.diagnose import Case, DiagnosisExercise, grade

CAUSES = {"high": "learning rate too high", "low": "learning rate too low", "ok": "nothing is wrong"}
FIXES = {"lower": "lower the learning rate", "raise": "raise the learning rate",
         "clip": "clip the gradient norm", "keep": "keep the settings"}


@pytest.fixture
def cases():
    t = np.arange(50)
    return [
        Case("A", t, 1.1 ** t, cause="high", fix="lower", also_accepted=("clip",),
             explanation="The loss grows <b>geometrically</b>.",
             description="A straight line going up."),
        Case("B", t, 1 - 0.001 * t, cause="low", fix="raise", explanation="Barely moving."),
        Case("C", t, np.r_[np.exp(-0.1 * t[:40]), [np.inf] * 10], cause="ok", fix="keep"),
        Case("D", t, np.sin(t), cause="ok", fix="keep"),
    ]


@pytest.mark.parametrize("cause, fix, verdict", [
    ("high", "lower", "correct"), ("high", "clip", "correct"), ("high", "raise", "fix wrong"),
    ("low", "lower", "cause wrong"), ("low", "raise", "cause wrong"), (None, "lower", "incomplete"),
    ("high", None, "incomplete"), ("", "", "incomplete"), ("nonsense", 42, "cause wrong"),
])
def test_grade_verdicts(cases, cause, fix, verdict):
    got, message = grade(cases[0], cause, fix)
    assert got == verdict and isinstance(message, str) and message


def test_the_exercise_starts_unanswered_on_the_first_curve(cases):
    ex = DiagnosisExercise(cases, CAUSES, FIXES)
    assert ex.case.name == "A" and ex.cause.value is None and ex.fix.value is None
    np.testing.assert_array_equal(ex.line.get_ydata(), cases[0].loss)
    assert ex.ax.get_yscale() == "log" and "Curve A" in ex.ax.get_title()
    assert ex.check() == "incomplete" and "Choose a cause" in ex.feedback.value


def test_checking_shows_feedback_and_the_explanation_only_when_right(cases):
    ex = DiagnosisExercise(cases, CAUSES, FIXES)
    ex.cause.value, ex.fix.value = "high", "raise"
    assert ex.check() == "fix wrong" and "geometrically" not in ex.feedback.value
    ex.fix.value = "lower"
    ex.button.click()
    assert "Correct" in ex.feedback.value and "<b>geometrically</b>" in ex.feedback.value
    assert ex.check("low", "raise") == "cause wrong"  # explicit keys override the widgets


def test_picking_another_curve_redraws_in_place_and_clears_the_answer(cases):
    ex = DiagnosisExercise(cases, CAUSES, FIXES)
    line = ex.line
    ex.cause.value, ex.fix.value = "high", "lower"
    ex.check()
    ex.explorer.controls["case"].value = "B"
    assert ex.line is line and ex.case.name == "B"
    np.testing.assert_array_equal(line.get_ydata(), cases[1].loss)
    assert ex.cause.value is None and ex.fix.value is None and ex.feedback.value == ""
    assert "Curve B" in ex.ax.get_title() and ex.explorer.message.value == ""


def test_infinite_values_are_left_out_and_non_positive_curves_use_a_linear_axis(cases):
    ex = DiagnosisExercise(cases, CAUSES, FIXES)
    ex.explorer.controls["case"].value = "C"
    assert len(ex.line.get_xdata()) == 40 and ex.ax.get_yscale() == "log"
    ex.explorer.controls["case"].value = "D"
    assert ex.ax.get_yscale() == "linear"


def test_the_figure_has_alt_text_that_follows_the_curve(cases):
    ex = DiagnosisExercise(cases, CAUSES, FIXES)
    assert 'alt="Curve A: loss − min loss against step, log scale. A straight line going up."' \
        in ex.explorer.view.value
    ex.explorer.controls["case"].value = "D"
    assert 'alt="Curve D: loss − min loss against step, linear scale."' in ex.explorer.view.value


def test_answers_are_escaped(cases):
    ex = DiagnosisExercise(cases, CAUSES, FIXES)
    ex.check("<script>", "<img>")
    assert "<script>" not in ex.feedback.value and "<img>" not in ex.feedback.value


def test_bad_exercises_are_refused_when_built(cases):
    with pytest.raises(ValueError, match="at least one"):
        DiagnosisExercise([], CAUSES, FIXES)
    with pytest.raises(ValueError, match="unique"):
        DiagnosisExercise([cases[0], cases[0]], CAUSES, FIXES)
    with pytest.raises(ValueError, match="not offered"):
        DiagnosisExercise(cases, {"high": "too high"}, FIXES)


def test_reset_all_clears_a_diagnosis_exercise(cases):
    from lessons_py.widgets import reset_all
    ex = DiagnosisExercise(cases, CAUSES, FIXES)
    first = ex.explorer.controls["case"].value
    names = list(ex.cases)
    ex.explorer.controls["case"].value = names[-1]
    ex.check(cause=ex.case.cause, fix=ex.case.fix)
    assert ex.feedback.value
    reset_all()
    assert ex.explorer.controls["case"].value == first
    assert ex.cause.value is None and ex.fix.value is None and ex.feedback.value == ""
