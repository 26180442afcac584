"""lessons_py.diagnose: grading never raises, and the page stores every curve and every
verdict."""

import html
import itertools

import ipywidgets as w
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lessons_py.diagnose import Case, DiagnosisExercise, grade
from lessons_py.widgets import reset_all

CAUSES = {
    "high": "learning rate too high",
    "low": "learning rate too low (< 1e-4 & stuck)",
    "ok": "nothing is wrong",
}
FIXES = {
    "lower": "lower the learning rate",
    "raise": "raise the learning rate",
    "clip": "clip the gradient norm",
    "keep": "keep the settings",
}


pytestmark = pytest.mark.usefixtures("own_registry")  # see conftest.py


@pytest.fixture(scope="module")
def cases():
    t = np.arange(50)
    return [
        Case(
            "A",
            t,
            1.1**t,
            cause="high",
            fix="lower",
            also_accepted=("clip",),
            explanation="The loss grows <b>geometrically</b>.",
            description="A straight line going up.",
        ),
        Case(
            "B",
            t,
            1 - 0.001 * t,
            cause="low",
            fix="raise",
            explanation="Barely moving.",
        ),
        Case(
            "C", t, np.r_[np.exp(-0.1 * t[:40]), [np.inf] * 10], cause="ok", fix="keep"
        ),
        Case("D", t, np.sin(t), cause="ok", fix="keep"),
    ]


@pytest.fixture
def ex(cases):
    return DiagnosisExercise(cases, CAUSES, FIXES)


@pytest.mark.parametrize(
    "cause, fix, verdict",
    [
        ("high", "lower", "correct"),
        ("high", "clip", "correct"),
        ("high", "raise", "fix wrong"),
        ("low", "lower", "cause wrong"),
        ("low", "raise", "cause wrong"),
        (None, "lower", "incomplete"),
        ("high", None, "incomplete"),
        ("", "", "incomplete"),
        ("nonsense", 42, "cause wrong"),
    ],
)
def test_grade_verdicts(cases, cause, fix, verdict):
    got, message = grade(cases[0], cause, fix)
    assert got == verdict and isinstance(message, str) and message


def test_grade_says_why_a_right_fix_for_the_wrong_cause_is_wrong(cases):
    _, fix_right = grade(cases[0], "low", "lower")
    _, both_wrong = grade(cases[0], "low", "raise")
    assert "fix would help" in fix_right and "Not this cause" in both_wrong


def test_the_exercise_starts_unanswered_on_the_first_curve(ex, cases, own_registry):
    assert ex.case.name == "A" and ex.cause.value is None and ex.fix.value is None
    assert ex.cause.index is None and ex.fix.index == 0
    assert ex.shown == "" and ex.check() == "incomplete"
    assert ex.explorer.shown == ex.explorer.frames[(0,)]
    assert ex in own_registry and ex.explorer in own_registry


def test_the_stored_feedback_of_every_choice_is_the_grade(ex, cases):
    causes, fixes = [None, *CAUSES], [None, *FIXES]
    combos = itertools.product(range(len(cases)), range(len(causes)), range(len(fixes)))
    for c, k, f in combos:
        case, cause, fix = cases[c], causes[k], fixes[f]
        ex.explorer.controls["case"].index, ex.fix.index = c, f
        ex.cause.index = None if cause is None else k - 1
        if cause is None:  # nothing is said before a cause is chosen
            assert ex.shown == "", (case.name, fix)
            continue
        verdict, message = grade(case, cause, fix)
        assert ex.case.name == case.name
        if (
            verdict == "incomplete"
        ):  # a cause but no fix yet: it says which cause, asks for a fix
            assert fix is None and "Choose a fix" in ex.shown, (case.name, cause)
            assert html.escape(CAUSES[cause]) in ex.shown
        else:
            assert f"<b>{html.escape(message)}</b>" in ex.shown
        assert ("#006400" in ex.shown) == (
            verdict == "correct"
        )  # green only when right
        if case.explanation:
            assert (case.explanation in ex.shown) == (verdict == "correct"), (
                case.name,
                cause,
                fix,
            )
        assert ex.check() == verdict
        assert ex.shown == ex._feedback((c, k - 1, f))  # the leaf of this very choice


def test_a_cause_without_a_fix_asks_for_the_fix(ex):
    ex.cause.value = "high"
    assert ex.fix.value is None and "Choose a fix" in ex.shown
    assert "learning rate too high" in ex.shown and "#8B4500" in ex.shown
    assert ex.check() == "incomplete" and "geometrically" not in ex.shown
    ex.cause.value = "low"  # the cause's label is escaped
    assert "too low (&lt; 1e-4 &amp; stuck)" in ex.shown and "< 1e-4" not in ex.shown


def test_checking_shows_feedback_and_the_explanation_only_when_right(ex):
    assert ex.check("high", "raise") == "fix wrong" and "geometrically" not in ex.shown
    assert ex.check(fix="lower") == "correct"
    assert (
        "Correct" in ex.shown and "<br>The loss grows <b>geometrically</b>." in ex.shown
    )
    assert (
        ex.check("low") == "cause wrong" and ex.fix.value == "lower"
    )  # keys override widgets
    assert "geometrically" not in ex.shown


def test_each_curve_keeps_its_own_answer(ex, cases):
    """An answer to one curve never shows, or gives away, the feedback of another."""
    assert ex.check("high", "lower") == "correct"
    ex.explorer.controls["case"].value = "B"
    assert ex.case.name == "B" and ex.cause.value is None and ex.fix.value is None
    assert ex.shown == ""  # nothing answered for B yet
    assert (
        ex.explorer.shown == ex.explorer.frames[(1,)]
        and "Curve B" in ex.explorer.shown[1]
    )
    assert ex.check("high", "lower") == "cause wrong"
    assert ex.shown == ex._feedback((1, 0, 1))
    assert html.escape(grade(cases[1], "high", "lower")[1]) in ex.shown
    assert ex.check("low", "raise") == "correct" and "Barely moving." in ex.shown
    ex.explorer.controls["case"].value = "A"  # A's answer is still there
    assert (
        ex.cause.value == "high" and ex.fix.value == "lower" and "Correct" in ex.shown
    )


def test_the_curve_picker_is_linked_to_its_answer_panel_in_the_browser(
    monkeypatch, cases
):
    links, jslink = [], w.jslink
    monkeypatch.setattr(
        w, "jslink", lambda a, b: links.append(jslink(a, b)) or links[-1]
    )
    ex = DiagnosisExercise(cases, CAUSES, FIXES)
    panel = [link for link in links if link.target == (ex.answers, "selected_index")]
    assert len(panel) == 1 and panel[0].source == (
        ex.explorer.controls["case"],
        "index",
    )


NOT_OFFERED = [
    ("<script>", None),
    (None, "<img>"),
    (42, "lower"),
    ("high", [1]),
    (np.array([1, 2]), None),
    ({"a": 1}, None),
    (float("nan"), None),
    (("high",), None),
    ("learning rate too high", None),  # a label, not a key
]


def test_check_with_a_key_not_offered_says_incomplete_and_never_raises(ex):
    for cause, fix in NOT_OFFERED:
        ex.check("low", "lower")
        before = ex.shown
        assert ex.check(cause, fix) == "incomplete", (cause, fix)
        assert "<script>" not in ex.shown and "<img>" not in ex.shown
        assert ex.fix.value == "lower"  # a rejected key changes nothing
        if not (isinstance(cause, str) and cause in CAUSES):
            assert ex.cause.value == "low" and ex.shown == before


def test_the_figure_has_alt_text_that_follows_the_curve(ex):
    frames = ex.explorer.frames
    assert frames[(0,)][1].startswith(
        '<img alt="Curve A: loss − min loss against step, log scale. '
        'A straight line going up."'
    )
    assert frames[(3,)][1].startswith(
        '<img alt="Curve D: loss − min loss against step, linear scale."'
    )
    assert len({f for _, f in frames.values()}) == 4 and all(
        c == "" for c, _ in frames.values()
    )
    ex.explorer.controls["case"].value = "D"
    assert ex.explorer.shown[1] == frames[(3,)][1]


def test_infinite_values_are_left_out_and_non_positive_curves_use_a_linear_axis(
    ex, cases
):
    frames = ex.explorer.frames
    assert "Curve C: loss − min loss against step, log scale." in frames[(2,)][1]
    assert "linear scale" in frames[(3,)][1] and "log scale" in frames[(1,)][1]
    ex._draw("C")
    assert ex.ax.get_yscale() == "log" and "Curve C" in ex.ax.get_title()
    np.testing.assert_array_equal(ex.line.get_xdata(), cases[2].step[:40])
    np.testing.assert_array_equal(ex.line.get_ydata(), cases[2].loss[:40])
    ex._draw("D")
    assert ex.ax.get_yscale() == "linear"
    np.testing.assert_array_equal(ex.line.get_ydata(), cases[3].loss)
    assert (
        ex.ax.get_ylim()[0] <= -0.99 and ex.ax.get_ylim()[1] >= 0.99
    )  # autoscaled to it


def test_bad_exercises_are_refused_when_built(cases):
    with pytest.raises(ValueError, match="at least one"):
        DiagnosisExercise([], CAUSES, FIXES)
    with pytest.raises(ValueError, match="unique"):
        DiagnosisExercise([cases[0], cases[0]], CAUSES, FIXES)
    with pytest.raises(
        ValueError, match="case 'A' names a cause or fix that is not offered"
    ):
        DiagnosisExercise(
            cases, {k: v for k, v in CAUSES.items() if k != "high"}, FIXES
        )
    with pytest.raises(
        ValueError, match="case 'B' names a cause or fix that is not offered"
    ):
        DiagnosisExercise(cases, {"high": "too high"}, FIXES)
    with pytest.raises(
        ValueError, match="case 'A' names a cause or fix that is not offered"
    ):
        DiagnosisExercise(
            cases, CAUSES, {k: v for k, v in FIXES.items() if k != "clip"}
        )


def test_reset_and_reset_all_return_to_the_first_curve_and_no_choice(ex, cases):
    for clear in (ex.reset, reset_all):
        ex.explorer.controls["case"].value = "D"
        assert ex.check(cause="ok", fix="keep") == "correct" and ex.shown
        clear()
        assert ex.case.name == "A" and ex.explorer.shown == ex.explorer.frames[(0,)]
        assert ex.cause.value is None and ex.fix.value is None and ex.shown == ""
        assert ex.check() == "incomplete"
