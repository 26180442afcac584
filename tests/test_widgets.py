"""Widget exercises: typed answers never raise, sliders redraw the figure in place."""

import ipywidgets as w
import numpy as np
import pytest

from lessons_py import objectives, optim, plotting, run
from lessons_py.widgets import (FigureExplorer, NumericQuestion, TrajectoryExplorer, check_answer,
                                parse_number)


@pytest.mark.parametrize("text, value", [
    ("0.01", 0.01), (" 1e-2 ", 0.01), ("1/100", 0.01), ("0,01", 0.01), ("1%", 0.01),
    ("\u22123", -3.0), ("10 000", 10000.0), (".5", 0.5),
])
def test_parse_number_reads_what_people_type(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "   ", "abc", "1/0", "nan", "inf", "1e999", "0.0.1",
                                  "__import__('os')", "1,2,3", None, 3.0, "½"])
def test_parse_number_returns_none_for_anything_else(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text, verdict", [
    ("0.01", "correct"), ("0.0101", "correct"), ("1/100", "correct"), ("0.02", "too high"),
    ("0.001", "too low"), ("banana", "not a number"), ("", "not a number"), ("1/0", "not a number"),
])
def test_check_answer_verdicts(text, verdict):
    got, message = check_answer(text, 0.01)
    assert got == verdict and isinstance(message, str) and message


def test_numeric_question_shows_feedback_for_every_kind_of_answer():
    q = NumericQuestion("Largest stable lr?", 0.01, explanation="Because 2/L = 0.01.",
                        hints={"too high": "Look at the steep axis."})
    q.box.value = "0.5"
    assert "too high" in q.feedback.value and "steep axis" in q.feedback.value
    q.box.value = "<script>alert(1)</script>"
    assert "not a number" in q.feedback.value and "<script>" not in q.feedback.value
    q.box.value = "1e-2"
    assert "Correct" in q.feedback.value and "2/L" in q.feedback.value
    q.button.click()  # same text again through the button
    assert "Correct" in q.feedback.value


def make_explorer():
    problem = objectives.ravine()
    return TrajectoryExplorer(
        problem,
        lambda lr: run(optim.SGD(lr=lr), problem, [1.0, 1.0], 50),
        {"lr": w.FloatSlider(value=0.005, min=0.001, max=0.012, step=0.001, description="η")},
        xlim=(-1.5, 1.5), ylim=(-1.5, 1.5))


def test_moving_a_slider_redraws_the_path_in_place():
    ex = make_explorer()
    line = ex.line
    before = np.array(line.get_xydata())
    ex.controls["lr"].value = 0.009
    after = np.array(line.get_xydata())
    assert ex.line is line and not np.array_equal(before, after)
    assert ex.record.x.shape == after.shape
    np.testing.assert_allclose(after[1], [1 - 0.009 * 2, 1 - 0.009 * 200])
    assert "η = 0.009" in ex.view.value and 'src="data:image/png;base64,' in ex.view.value
    assert ex.ax_path.get_title() == "η = 0.009"


def test_diverging_setting_is_said_in_the_title_not_raised():
    ex = make_explorer()
    ex.controls["lr"].value = 0.012
    assert ex.record.diverged
    assert "diverged" in ex.ax_loss.get_title() and "Diverged" in ex.message.value


def test_an_update_that_fails_shows_a_message_not_a_traceback():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()

    def update(k):
        if k > 2:
            raise ValueError("k must be at most 2")
        ax.set_title(str(k))

    ex = FigureExplorer(fig, update, {"k": w.IntSlider(value=1, min=0, max=5)})
    ex.controls["k"].value = 4
    assert "k must be at most 2" in ex.message.value
    ex.controls["k"].value = 2
    assert ex.message.value == "" and ax.get_title() == "2"


def test_each_optimizer_has_its_own_colour_blind_safe_colour():
    names = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW", "Newton",
             "Newton-CG", "L-BFGS", "SVRG", "SAGA", "SAG"]
    colours = [plotting.color(n) for n in names]
    assert len(set(colours)) == len(names)
    assert plotting.color("adam") == plotting.color("Adam") == "#0072B2"
    assert plotting.color("GD") == plotting.color("SGD")
    assert plotting.color("something new") == plotting.COLORS["other"]
    assert len(set(map(tuple, plotting.shades(5)))) == 5


def test_an_explorer_without_dynamic_artists_redraws_everything():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 0])

    def update(k):
        line.set_ydata([0, k])
        ax.set_ylim(-1, max(1, k))

    ex = FigureExplorer(fig, update, {"k": w.IntSlider(value=0, min=0, max=5)})
    first = ex.view.value
    ex.controls["k"].value = 3
    assert ex.view.value != first


def test_blitted_explorer_redraws_its_dynamic_artists():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 0])
    ex = FigureExplorer(fig, lambda k: line.set_ydata([0, k / 10]),
                        {"k": w.IntSlider(value=0, min=0, max=5)}, dynamic=[line])
    first = ex.view.value
    ex.controls["k"].value = 4
    assert ex.view.value != first and line.get_animated()


def test_reset_all_returns_questions_and_explorers_to_their_first_state():
    from lessons_py.widgets import reset_all
    q = NumericQuestion("?", 0.01)
    ex = make_explorer()
    first_view = ex.view.value
    q.box.value = "banana"
    ex.controls["lr"].value = 0.011
    assert q.feedback.value and ex.view.value != first_view
    reset_all()
    assert q.box.value == "" and q.feedback.value == ""
    assert ex.controls["lr"].value == 0.005 and ex.view.value == first_view
