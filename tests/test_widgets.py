"""Widget exercises drawn in advance: every setting is stored, and the controls show it.

The explorers, questions and their stacks work with no kernel, so what is tested
here is what the page stores: one frame per setting, equal to what the code draws,
chosen by the controls through linked ``Stack`` widgets.
"""

import html
import itertools
import re

import ipywidgets as w
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from lessons_py import objectives, optim, plotting, run
from lessons_py.widgets import (
    ChoiceQuestion,
    FigureExplorer,
    Option,
    TrajectoryExplorer,
    linear_slider,
    linked_stacks,
    log_slider,
    reset_all,
    selection_slider,
    shown,
    svg_layer,
    verify_all,
)

pytestmark = pytest.mark.usefixtures("own_registry")  # see conftest.py


def small_axes():
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    ax.set(xlim=(0, 1), ylim=(0, 1))
    return fig, ax


# --- controls -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "control",
    [
        w.FloatSlider(value=0.5),
        w.Checkbox(value=True),
        w.IntSlider(value=1, min=0, max=5),
    ],
    ids=["FloatSlider", "Checkbox", "IntSlider"],
)
def test_a_control_that_is_not_a_selection_is_refused(control):
    fig, _ax = small_axes()
    with pytest.raises(ValueError) as error:
        FigureExplorer(fig, lambda k: None, {"k": control})
    message = str(error.value)
    assert "controls['k']" in message and type(control).__name__ in message
    assert "selection widget" in message and "SelectionSlider" in message


def test_a_selection_with_nothing_selected_or_no_controls_is_refused():
    fig, _ax = small_axes()
    with pytest.raises(ValueError, match=r"controls\['k'\] must have options and one"):
        FigureExplorer(
            fig, lambda k: None, {"k": w.RadioButtons(options=["a", "b"], index=None)}
        )
    with pytest.raises(ValueError, match="at least one control"):
        FigureExplorer(fig, lambda: None, {})


def labels_and_values(slider):
    labels, values = zip(*slider.options)
    return list(labels), list(values)


def test_selection_slider_sorts_its_values_labels_them_and_starts_nearest():
    s = selection_slider("η", [0.3, 0.1, 2, 0.2], 0.26)
    labels, values = labels_and_values(s)
    assert values == [0.1, 0.2, 0.3, 2.0] and all(isinstance(v, float) for v in values)
    assert labels == [f"{v:g}" for v in values] == ["0.1", "0.2", "0.3", "2"]
    assert s.value == 0.3 and s.description == "η"
    assert selection_slider("η", [1, 2, 3], -50).value == 1.0
    assert selection_slider("η", [1, 2, 3], 2.4).value == 2.0


def test_log_slider_gives_log_spaced_values_its_labels_show_exactly():
    s = log_slider("η", 1e-3, 1e-1, 5, 0.012)
    labels, values = labels_and_values(s)
    assert values == sorted(values) and len(values) == 5
    assert values == [0.001, 0.00316, 0.01, 0.0316, 0.1]
    assert labels == [f"{v:g}" for v in values] and [float(x) for x in labels] == values
    assert s.value == 0.01 and s.description == "η"
    np.testing.assert_allclose(np.diff(np.log10(values)), 0.5, atol=1e-3)
    _, coarse = labels_and_values(log_slider("η", 1e-4, 1, 9, 1, digits=2))
    assert coarse[-1] == 1.0 and all(float(f"{v:.2g}") == v for v in coarse)


def test_linear_slider_gives_evenly_spaced_values_its_labels_show_exactly():
    s = linear_slider("β", -0.3, 0.3, 7, 0.04)
    labels, values = labels_and_values(s)
    assert values == [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3]
    assert labels == [
        "-0.3",
        "-0.2",
        "-0.1",
        "0",
        "0.1",
        "0.2",
        "0.3",
    ]  # 0, not -0 or 5.55e-17
    assert s.value == 0.0
    s = linear_slider("β", 0, 1, 5, 0.6)
    assert labels_and_values(s)[1] == [0.0, 0.25, 0.5, 0.75, 1.0] and s.value == 0.5


@pytest.mark.parametrize(
    "make, kwargs, name",
    [
        (log_slider, dict(low=0.0), "low"),
        (log_slider, dict(low=-1.0), "low"),
        (log_slider, dict(high=1e-3), "high"),  # high == low
        (log_slider, dict(high=1e-4), "high"),
        (log_slider, dict(n=1), "n"),
        (log_slider, dict(n=2.5), "n"),
        (linear_slider, dict(high=1e-3), "high"),
        (linear_slider, dict(high=-1.0), "high"),
        (linear_slider, dict(n=1), "n"),
        (linear_slider, dict(n=True), "n"),
    ],
)
def test_sliders_refuse_bad_arguments_naming_them(make, kwargs, name):
    args = {**dict(description="η", low=1e-3, high=1e-1, n=5, value=0.01), **kwargs}
    with pytest.raises(ValueError, match=rf"^{name} must"):
        make(**args)


@pytest.mark.parametrize(
    "values", [[1.0], [], [1.0, np.nan], [1.0, np.inf], [-np.inf, 1.0]]
)
def test_selection_slider_refuses_fewer_than_two_or_non_finite_values(values):
    with pytest.raises(
        ValueError, match=r"^values must hold at least two finite numbers"
    ):
        selection_slider("η", values, 1.0)


@pytest.mark.parametrize(
    "make, kwargs, name",
    [
        (log_slider, dict(high=np.inf), "high"),
        (log_slider, dict(value=np.nan), "value"),
        (linear_slider, dict(low=np.nan), "low"),
        (linear_slider, dict(low=-np.inf), "low"),
        (linear_slider, dict(high=np.inf), "high"),
        (linear_slider, dict(value=np.nan), "value"),
    ],
)
def test_sliders_refuse_non_finite_arguments_naming_them(make, kwargs, name):
    args = {**dict(description="η", low=1e-3, high=1e-1, n=5, value=0.01), **kwargs}
    with pytest.raises(ValueError, match=rf"^{name} must"):
        make(**args)


# --- FigureExplorer -------------------------------------------------------------------

A_VALUES, B_OPTIONS = [1.0, 2.0, 3.0], [("one", 1), ("two", 2)]


def line_explorer(fail_at=None, **kwargs):
    """A line from (0, 0) to (1, y), y = (a + 10 b) / 40, over two controls (3 x 2)."""
    fig, ax = small_axes()
    (line,) = ax.plot([0, 1], [0, 0], color="#0072B2")

    def update(a, b):
        if a == fail_at:
            raise ValueError("a <must> be & not 3")
        line.set_ydata([0, (a + 10 * b) / 40])
        return f"a = {a:g}, b = {b}"

    controls = {
        "a": selection_slider("a", A_VALUES, 2.0),
        "b": w.ToggleButtons(options=B_OPTIONS, value=2),
    }
    kwargs.setdefault("dynamic", [line])
    return FigureExplorer(fig, update, controls, **kwargs), line


def test_one_frame_per_combination_of_options():
    ex, _ = line_explorer()
    assert set(ex.frames) == set(itertools.product(range(3), range(2)))
    assert len(set(ex.frames.values())) == 3 * 2  # all different
    assert ex.index == (1, 1) and ex.values == {"a": 2.0, "b": 2}


def test_each_stored_frame_is_the_drawing_of_its_setting(own_registry):
    ex, line = line_explorer(alt=lambda a, b: f"line to {a:g}, {b}")
    for (i, j), (caption, figure) in ex.frames.items():
        a, b = A_VALUES[i], B_OPTIONS[j][1]
        assert caption == f"a = {a:g}, b = {b}"
        line.set_ydata([0, (a + 10 * b) / 40])
        assert figure == svg_layer(ex.fig, [line], f"line to {a:g}, {b}")
    assert line.get_animated() and ex in own_registry


def test_moving_the_controls_shows_exactly_the_stored_frame_of_the_new_setting():
    ex, _ = line_explorer()
    assert ex.shown == ex.frames[(1, 1)]
    for index in [(0, 0), (2, 1), (2, 0), (0, 1), (1, 0)]:
        ex.controls["a"].index, ex.controls["b"].index = index
        assert ex.index == index and ex.shown == ex.frames[index]
    ex.controls["a"].value = 3.0  # by value, as a reader moving the slider
    assert ex.shown == ex.frames[(2, 0)]


def test_reset_and_reset_all_restore_the_initial_setting():
    ex, _ = line_explorer()
    first = ex.shown
    ex.controls["a"].index, ex.controls["b"].index = 0, 0
    assert ex.shown != first
    ex.reset()
    assert ex.index == (1, 1) and ex.shown == first
    ex.controls["a"].index, ex.controls["b"].index = 2, 0
    reset_all()
    assert ex.index == (1, 1) and ex.shown == first


def test_an_update_that_raises_is_shown_in_that_settings_caption_only():
    ex, _ = line_explorer(fail_at=3.0)  # built: nothing raised
    message = html.escape("ValueError: a <must> be & not 3")
    for (i, j), (caption, _) in ex.frames.items():
        a, b = A_VALUES[i], B_OPTIONS[j][1]
        if a == 3.0:
            assert message in caption and "Could not draw this setting" in caption
            assert "<must>" not in caption and "Traceback" not in caption
        else:
            assert caption == f"a = {a:g}, b = {b}"
    ex.controls["a"].value = 3.0
    assert message in ex.shown[0]


def test_verify_accepts_an_untampered_explorer_whose_update_raises_for_a_setting():
    ex, _ = line_explorer(fail_at=1.0)
    assert ex.verify(k=6) == []  # every setting, the failing ones first


def test_an_update_that_changes_more_than_its_dynamic_artists_is_refused():
    fig, ax = small_axes()
    (line,) = ax.plot([0, 1], [0, 0])

    def update(k):
        line.set_ydata([0, k])
        ax.set_ylim(0, k + 1)

    with pytest.raises(ValueError, match="outside its dynamic artists"):
        FigureExplorer(
            fig, update, {"k": selection_slider("k", [1, 2], 1)}, dynamic=[line]
        )
    # the same update without dynamic stores a whole PNG per setting
    fig, ax = small_axes()
    (line,) = ax.plot([0, 1], [0, 0])
    ex = FigureExplorer(
        fig, update, {"k": selection_slider("k", [1, 2], 1)}, alt="a <line>"
    )
    assert len(set(ex.frames.values())) == 2
    assert all(
        f.startswith('<img alt="a &lt;line&gt;"') and "data:image/png;base64," in f
        for _, f in ex.frames.values()
    )


def test_dynamic_artists_that_are_not_lines_are_refused():
    fig, ax = small_axes()
    text = ax.text(0.5, 0.5, "0")
    with pytest.raises(ValueError, match="must be Line2D, got Text"):
        FigureExplorer(
            fig,
            lambda k: text.set_text(f"{k}"),
            {"k": selection_slider("k", [1, 2], 1)},
            dynamic=[text],
        )


def test_verify_finds_a_tampered_frame():
    ex, _ = line_explorer()
    assert ex.verify() == [] and ex.verify(k=10) == []
    ex.frames[(1, 1)] = (
        ex.frames[(1, 1)][0],
        ex.frames[(0, 0)][1],
    )  # the initial setting
    assert ex.verify(k=1) == [{"a": 2.0, "b": 2}]
    ex.frames[(1, 1)] = (ex.frames[(0, 0)][0], ex.frames[(1, 1)][1])  # its caption only
    assert ex.verify(k=1) == [{"a": 2.0, "b": 2}]
    ex, _ = line_explorer()
    ex.frames[(2, 0)] = ("", "")
    assert ex.verify(k=6) == [{"a": 3.0, "b": 1}]


def test_verify_all_raises_when_a_stored_frame_is_tampered():
    ex, _ = line_explorer()
    assert verify_all() == 1
    ex.frames[ex.index] = ("tampered", ex.frames[ex.index][1])
    with pytest.raises(AssertionError, match=r"'a': 2\.0"):
        verify_all()


# --- TrajectoryExplorer: the stored drawing is the package's computation --------------

LRS = [0.002, 0.005, 0.009, 0.02]  # 0.02 > 2/200: diverges on the ravine
PROBLEM = objectives.ravine()


def simulate(lr):
    return run(optim.SGD(lr=lr), PROBLEM, [1.0, 1.0], 50)


@pytest.fixture(scope="module")
def trajectory():
    return TrajectoryExplorer(
        PROBLEM,
        simulate,
        {"lr": selection_slider("η", LRS, 0.005)},
        xlim=(-1.5, 1.5),
        ylim=(-1.5, 1.5),
    )


NUMBER = r"-?\d+(?:\.\d)?"
MOVE = rf"([Ml])({NUMBER})(?: |(?=-))({NUMBER})"


def polyline(d):
    """The points of SVG path data written as absolute moves and relative lines."""
    assert re.fullmatch(f"(?:{MOVE})+", d), d
    points = []
    for command, x, y in re.findall(MOVE, d):
        x, y = float(x), float(y)
        if command == "l":
            x, y = points[-1][0] + x, points[-1][1] + y
        points.append((x, y))
    return np.array(points)


def layers(svg):
    """(width, height) of a frame and the path data of each line, in drawing order."""
    width, height = map(int, re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    nested = svg.split("<svg x=")[1:]
    data = []
    for part in nested:
        found = re.findall(r'(?:^|</defs>|">)<path d="([^"]*)" fill="none"', part)
        assert len(found) == 1, part
        data.append(found[0])
    return (width, height), data


def assert_drawn(points, ax, data, height):
    """Every finite point inside ``ax`` is a path vertex, in order, to 0.051 px."""
    display = ax.transData.transform(data)
    x0, y0, x1, y1 = ax.bbox.extents
    inside = (
        np.isfinite(display).all(axis=1)
        & (display[:, 0] > x0)
        & (display[:, 0] < x1)
        & (display[:, 1] > y0)
        & (display[:, 1] < y1)
    )
    expected = np.column_stack([display[inside, 0], height - display[inside, 1]])
    assert len(expected) >= 1
    k, hit = 0, set()
    for point in expected:
        # the next vertex, or the same one again (a step shorter than the rounding is
        # left out)
        if not (hit and np.all(np.abs(points[k] - point) <= 0.051)):
            k += bool(hit)
            while k < len(points) and not np.all(np.abs(points[k] - point) <= 0.051):
                k += 1
        assert k < len(points), f"{point} is not drawn (in order)"
        hit.add(k)
    if inside.all():  # nothing clipped: every vertex is a point of the data
        assert hit == set(range(len(points)))
    return inside


@pytest.mark.parametrize("i", range(len(LRS)))
def test_the_stored_path_and_loss_curve_are_the_records_points(trajectory, i):
    ex, lr = trajectory, LRS[i]
    record, fresh = ex.record(lr=lr), simulate(lr)
    np.testing.assert_array_equal(record.x, fresh.x)
    np.testing.assert_array_equal(record.loss, fresh.loss)
    assert record.diverged == fresh.diverged == (lr == 0.02)

    (width, height), (path_d, start_d, curve_d) = layers(ex.frames[(i,)][1])
    assert (width, height) == ex.fig.canvas.get_width_height()
    points = polyline(path_d)
    inside = assert_drawn(points, ex.ax_path, fresh.x, height)
    if inside.all():  # nothing clipped: one piece
        assert path_d.count("M") == 1
    assert lr == 0.02 or inside.all()
    np.testing.assert_allclose(polyline(start_d), [polyline(path_d)[0]] * 2, atol=0)
    gap = np.maximum(fresh.loss - (PROBLEM.min_loss or 0.0), 1e-16)
    assert_drawn(
        polyline(curve_d), ex.ax_loss, np.column_stack([fresh.step, gap]), height
    )


def test_the_caption_says_when_a_run_diverged(trajectory):
    for i, lr in enumerate(LRS):
        caption = trajectory.frames[(i,)][0]
        assert caption.startswith(f"η = {lr:g}: ")
        assert ("diverged" in caption) == (lr == 0.02)
    trajectory.controls["lr"].value = 0.02
    try:
        assert "diverged at step" in trajectory.shown[0]
        assert "the run diverged at step" in trajectory.shown[1]  # the alt text too
    finally:
        trajectory.reset()


def test_the_loss_axis_spans_whole_decades_covering_every_setting(trajectory):
    low, high = trajectory.ax_loss.get_ylim()
    assert np.log10(low) == round(np.log10(low)) and np.log10(high) == round(
        np.log10(high)
    )
    gaps = {
        lr: np.maximum(trajectory.record(lr=lr).loss - (PROBLEM.min_loss or 0.0), 1e-16)
        for lr in LRS
    }
    smallest = min(g[np.isfinite(g)].min() for g in gaps.values())
    assert low <= smallest < 10 * low
    for lr, g in gaps.items():
        assert low <= g[0] <= high
        if not trajectory.record(lr=lr).diverged:
            assert g.max() <= high
    assert trajectory.ax_loss.get_xlim() == (0, 50)


def test_verify_redraws_from_a_new_simulation(trajectory):
    assert trajectory.verify(k=4) == []
    original = trajectory.simulate
    trajectory.simulate = lambda lr: simulate(
        lr * 1.001
    )  # the package now computes otherwise
    try:
        assert trajectory.verify(k=4) == [{"lr": lr} for lr in LRS]
    finally:
        trajectory.simulate = original
    assert trajectory.verify(k=1) == []


# --- svg_layer ------------------------------------------------------------------------


def layer_of(*lines, alt="x", **style):
    fig, ax = small_axes()
    FigureCanvasAgg(fig)
    artists = [ax.plot(x, y, **style)[0] for x, y in lines]
    return fig, ax, artists, svg_layer(fig, artists, alt)


def test_a_marker_is_written_once_under_a_name_made_of_its_content():
    fig, _ax, (line,), svg = layer_of(
        ([0.1, 0.3, 0.5, 0.7, 0.9], [0.2, 0.4, 0.3, 0.6, 0.8]),
        marker="o",
        color="#0072B2",
    )
    assert (
        svg.count("<marker ") == 1 and svg.count("<path ") == 2
    )  # the glyph and the line
    ident = re.search(r'<marker id="(lp-marker-[0-9a-f]{12})"', svg).group(1)
    for where in ("start", "mid", "end"):
        assert f'marker-{where}="url(#{ident})"' in svg
    assert svg_layer(fig, [line], "x") == svg  # a redraw is identical
    line.set_data([0.5, 0.6], [0.5, 0.5])  # other data, same marker: same name
    assert f'<marker id="{ident}"' in svg_layer(fig, [line], "x")
    line.set_markerfacecolor("#D55E00")  # another marker: another name
    other = svg_layer(fig, [line], "x")
    assert "<marker " in other and ident not in other


def test_alpha_gives_opacity_and_an_opaque_line_has_none():
    *_, svg = layer_of(([0.1, 0.9], [0.1, 0.9]), alpha=0.5, marker="s")
    glyph, line = re.search(r"<marker (.*)</marker></defs>(.*)", svg).groups()
    assert 'fill-opacity="0.5"' in glyph and 'stroke-opacity="0.5"' in glyph
    assert 'stroke-opacity="0.5"' in line
    *_, svg = layer_of(([0.1, 0.9], [0.1, 0.9]))
    assert "opacity" not in svg and 'stroke="#1f77b4"' in svg


def test_nan_splits_the_path_into_pieces():
    x = [0.1, 0.2, np.nan, 0.5, 0.6, 0.65, np.nan, 0.8, 0.9]
    y = [0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.2, 0.3, 0.4]
    fig, ax, (_line,), svg = layer_of((x, y))
    _, (d,) = layers(svg)
    assert d.count("M") == 3
    height = fig.canvas.get_width_height()[1]
    display = ax.transData.transform(np.column_stack([x, y]))
    keep = [0, 1, 3, 4, 5, 7, 8]
    np.testing.assert_allclose(
        polyline(d),
        np.column_stack([display[keep, 0], height - display[keep, 1]]),
        atol=0.051,
    )


def test_a_line_leaving_its_axes_is_cut_at_the_edge():
    _fig, ax, (_line,), svg = layer_of(([0.5, 0.5, 30.0], [0.2, 0.6, 0.6]))
    _, (d,) = layers(svg)
    points = polyline(d)
    _x0, _, x1, _ = ax.bbox.extents
    assert len(points) == 3 and np.all(points[:2, 0] == points[0, 0])
    assert x1 < points[2, 0] < x1 + 20  # cut near the axes, not 30 axes widths away


@pytest.mark.parametrize(
    "x, y",
    [([5.0, 6.0], [5.0, 6.0]), ([], []), ([np.nan] * 3, [1, 2, 3])],
    ids=["outside", "empty", "all-nan"],
)
def test_a_line_with_nothing_inside_its_axes_writes_no_path(x, y):
    *_, svg = layer_of((x, y), marker="o")
    assert "<path" not in svg and "<marker" not in svg


def test_a_step_shorter_than_the_rounding_adds_no_vertex():
    x, y = [0.2, 0.2, 0.2001, 0.6, 0.6], [0.2, 0.2, 0.2, 0.6, 0.8]
    fig, ax, _, svg = layer_of((x, y))
    _, (d,) = layers(svg)
    assert d.count("l") == 2 and d.count("M") == 1
    height = fig.canvas.get_width_height()[1]
    assert assert_drawn(polyline(d), ax, np.column_stack([x, y]), height).all()


def test_the_alt_text_is_escaped_into_the_aria_label():
    *_, svg = layer_of(([0.1, 0.9], [0.1, 0.9]), alt='a <b>"bold"</b> & more')
    assert (
        'role="img" aria-label="a &lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; more"'
        in svg
    )
    assert "<b>" not in svg


def test_line_styles_are_kept_and_hidden_lines_left_out():
    fig, ax, (dashed, dotted), svg = layer_of(
        ([0.1, 0.9], [0.1, 0.9]), ([0.1, 0.9], [0.9, 0.1]), linestyle="--", linewidth=2
    )
    assert svg.count("stroke-dasharray=") == 2 and svg.count('stroke-width="1.4"') == 2
    dotted.set_visible(False)
    assert svg_layer(fig, [dashed, dotted], "x").count("<path") == 1
    (points,) = ax.plot([0.5], [0.5], linestyle="none", marker="o")
    one = svg_layer(fig, [points], "x")
    assert (
        'stroke="none"' in one and "l0 0" in one
    )  # a lone point still carries its marker
    with pytest.raises(ValueError, match="must be Line2D"):
        svg_layer(fig, [ax.text(0, 0, "t")], "x")


# --- linked stacks --------------------------------------------------------------------


def three_controls(c_index=2):
    return [
        w.Dropdown(options=["x", "y", "z"], index=1),
        w.ToggleButtons(options=["p", "q"], index=0),
        w.RadioButtons(options=["1", "2", "3", "4"], index=c_index),
    ]


def leaf(index):
    return "<i>" + "-".join(map(str, index)) + "</i>"


def walk(node, depth=0):
    """(stacks, leaves) of a tree, each with its depth."""
    if not isinstance(node, w.Stack):
        return [], [(node, depth)]
    stacks, leaves = [(node, depth)], []
    for child in node.children:
        s, lv = walk(child, depth + 1)
        stacks += s
        leaves += lv
    return stacks, leaves


def test_linked_stacks_has_one_leaf_per_combination_of_options():
    controls = three_controls()
    tree = linked_stacks(controls, leaf)
    _stacks, leaves = walk(tree)
    assert len(leaves) == 3 * 2 * 4 and {depth for _, depth in leaves} == {3}
    every = itertools.product(range(3), range(2), range(4))
    assert sorted(node.value for node, _ in leaves) == sorted(leaf(i) for i in every)
    assert len({id(node.layout) for node, _ in leaves}) == 1  # one shared layout
    assert shown(tree) == leaf((1, 0, 2))


def spy_on_jslink(monkeypatch):
    links, jslink = [], w.jslink

    def spy(source, target):
        link = jslink(source, target)
        links.append(link)
        return link

    monkeypatch.setattr(w, "jslink", spy)
    return links


def test_each_stack_is_jslinked_to_its_control_once(monkeypatch):
    links = spy_on_jslink(monkeypatch)
    controls = three_controls()
    stacks, _ = walk(linked_stacks(controls, leaf))
    assert len(links) == len(stacks)
    assert all(isinstance(link, w.widgets.widget_link.Link) for link in links)
    assert sorted(id(s) for s, _ in stacks) == sorted(
        id(link.target[0]) for link in links
    )
    control_at = {}
    for link in links:
        (control, name), (stack, trait) = link.source, link.target
        assert (name, trait) == ("index", "selected_index")
        assert len(stack.children) == len(control.options)
        assert stack.selected_index == control.index
        depth = next(d for s, d in stacks if s is stack)
        assert control_at.setdefault(depth, control) is control  # one control per level
    assert sorted(map(id, control_at.values())) == sorted(map(id, controls))


def test_the_control_with_fewest_options_is_the_outermost_level(monkeypatch):
    links = spy_on_jslink(monkeypatch)
    controls = three_controls()
    for given in (controls, controls[::-1]):
        links.clear()
        tree = linked_stacks(given, leaf)
        stacks, _ = walk(tree)
        assert len(stacks) == len(links) == 1 + 2 + 2 * 3  # 2 options, then 3, then 4
        assert next(k.source[0] for k in links if k.target[0] is tree) is controls[1]


def test_moving_a_control_in_python_moves_its_stacks():
    controls = three_controls()
    tree = linked_stacks(controls, leaf)
    for index in itertools.product(range(3), range(2), range(4)):
        for control, i in zip(controls, index):
            control.index = i
        assert shown(tree) == leaf(index)
    backwards = linked_stacks(
        controls[::-1], leaf
    )  # the leaf's index follows the order given
    assert shown(backwards) == leaf((3, 1, 2))


def test_nothing_is_shown_while_a_radio_control_has_no_choice():
    controls = three_controls(c_index=None)
    tree = linked_stacks(controls, leaf)
    assert shown(tree) == ""
    controls[2].index = 3
    assert shown(tree) == leaf((1, 0, 3))
    controls[2].index = None
    assert shown(tree) == ""
    one = w.RadioButtons(options=["a", "b"], index=None)
    assert shown(linked_stacks([one], leaf)) == ""


# --- ChoiceQuestion -------------------------------------------------------------------

OPTIONS = [
    Option("4", "Halving the batch doubles the <i>variance</i>, not the step."),
    Option("x < 2 & y", "That is the factor for the variance."),
    Option("<16>", "Right: the <b>square</b> of 4.", correct=True),
]


@pytest.mark.parametrize(
    "options, match",
    [
        ([Option("a", "", correct=True)], "at least two"),
        ([], "at least two"),
        ([Option("a", "", correct=True), "b"], "at least two Option"),
        ([Option("a", "", correct=True), Option("a", "")], "unique"),
        ([Option("a", ""), Option("b", "")], "exactly one"),
        ([Option("a", "", correct=True), Option("b", "", correct=True)], "exactly one"),
    ],
)
def test_bad_choice_questions_are_refused(options, match):
    with pytest.raises(ValueError, match=match):
        ChoiceQuestion("?", options)


def test_short_labels_are_toggle_buttons_and_long_ones_a_list():
    short = ChoiceQuestion("?", [Option("a" * 14, "", correct=True), Option("b", "")])
    long = ChoiceQuestion("?", [Option("a" * 15, "", correct=True), Option("b", "")])
    assert type(short.choice) is w.ToggleButtons and type(long.choice) is w.RadioButtons
    assert short.choice.options == ("a" * 14, "b")
    assert (
        short.choice.index is None and long.choice.index is None and short.shown == ""
    )


def test_check_shows_the_chosen_options_feedback():
    q = ChoiceQuestion("By how much?", OPTIONS)
    assert q.answer == "<16>" and q.shown == ""
    assert q.check("<16>") == "correct"
    assert q.shown.startswith(
        '<span style="color:#006400"><b>Correct: &lt;16&gt;.</b></span>'
    )
    assert q.shown.endswith("Right: the <b>square</b> of 4.")
    assert q.check("x < 2 & y") == "wrong"
    assert "<b>Not x &lt; 2 &amp; y.</b>" in q.shown and "x < 2" not in q.shown
    assert (
        q.shown.endswith("That is the factor for the variance.")
        and "Correct" not in q.shown
    )
    assert (
        q.check("4") == "wrong" and "<i>variance</i>" in q.shown and "16" not in q.shown
    )
    for label in ["5", "", None, "<16> ", "&lt;16&gt;", 16]:
        assert q.check(label) == "not an option"
        assert q.choice.index == 0 and "<i>variance</i>" in q.shown  # unchanged


def test_the_stored_feedback_follows_the_buttons_and_reset_clears_it():
    q = ChoiceQuestion("By how much?", OPTIONS)
    assert len(q.feedback.children) == 3
    for i, option in enumerate(OPTIONS):
        q.choice.index = i  # as the reader clicks
        assert q.shown == q.feedback.children[i].value and q.shown.endswith(option.why)
    q.reset()
    assert q.choice.index is None and q.shown == ""
    q.check("<16>")
    reset_all()
    assert q.choice.index is None and q.shown == ""


def test_reset_all_returns_every_exercise_to_its_first_state():
    choice = ChoiceQuestion("?", OPTIONS)
    ex, _ = line_explorer()
    first = ex.shown
    choice.check("4")
    ex.controls["a"].index, ex.controls["b"].index = 0, 0
    assert choice.shown and ex.shown != first
    reset_all()
    assert choice.choice.index is None and choice.shown == ""
    assert ex.index == (1, 1) and ex.shown == first


def test_each_optimizer_has_its_own_colour_blind_safe_colour():
    names = [
        "SGD",
        "Momentum",
        "Nesterov",
        "AdaGrad",
        "RMSprop",
        "Adam",
        "AdamW",
        "Newton",
        "Newton-CG",
        "L-BFGS",
        "SVRG",
        "SAGA",
        "SAG",
        "Yogi",
        "Lion",
        "Muon",
        "SOAP",
        "Schedule-Free",
        "Lamb",
        "Adafactor",
    ]
    colours = [plotting.color(n) for n in names]
    assert len(set(colours)) == len(names)
    assert plotting.color("adam") == plotting.color("Adam") == "#0072B2"
    assert plotting.color("GD") == plotting.color("SGD")
    assert plotting.color("something new") == plotting.COLORS["other"]
    for label, name in [
        ("L-BFGS (m=10)", "L-BFGS"),
        ("Newton (damped)", "Newton"),
        ("SVRG (m=20, last)", "SVRG"),
        ("heavy ball (β = 0.9)", "momentum"),
        ("Schedule-Free AdamW", "schedule-free"),
        ("Muon + AdamW", "Muon"),
    ]:
        assert plotting.color(label) == plotting.color(name) != plotting.COLORS["other"]
    assert len(set(map(tuple, plotting.shades(5)))) == 5
