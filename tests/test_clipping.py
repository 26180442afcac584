"""lessons_py.clipping against recorded torch.nn.utils clipping, geometry and
hand-derived values."""

import numpy as np
import pytest

from lessons_py import clipping, reference

REFERENCE = reference.load("torch_schedules")
CASES = REFERENCE["clipping"]


def cosine(a, b):
    return np.dot(a.ravel(), b.ravel()) / (np.linalg.norm(a) * np.linalg.norm(b))


def test_clip_by_value_matches_recorded_torch_clip_grad_value():
    cases = [c for c in CASES if c["fn"] == "clip_grad_value_"]
    assert len(cases) >= 10
    for case in cases:
        got = clipping.clip_by_value(case["grad"], case["clip_value"])
        np.testing.assert_array_equal(got, case["expected"], err_msg=str(case))


def test_clip_by_norm_and_total_norm_match_recorded_torch_clip_grad_norm():
    cases = [c for c in CASES if c["fn"] == "clip_grad_norm_"]
    assert {c["norm_type"] for c in cases} == {1.0, 2.0, 3.0, "inf"}
    for case in cases:
        got = clipping.clip_by_norm(
            case["grad"], case["max_norm"], norm_type=case["norm_type"]
        )
        np.testing.assert_allclose(
            got, case["expected"], rtol=1e-12, atol=0, err_msg=str(case)
        )
        total = clipping.get_total_norm(case["grad"], case["norm_type"])
        assert total == pytest.approx(case["total_norm"], rel=1e-12, abs=0), case


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, np.inf])
def test_norm_clipping_keeps_the_direction(norm_type):
    rng = np.random.default_rng(7)
    for _ in range(20):
        g = rng.normal(size=(4, 5)) * np.exp(3 * rng.normal())
        clipped = clipping.clip_by_norm(g, 0.1, norm_type)
        assert abs(cosine(g, clipped) - 1) <= 1e-12
        assert clipping.get_total_norm(clipped, norm_type) <= 0.1


def test_norm_clipping_lands_a_hair_below_max_norm_because_of_torchs_epsilon():
    g = np.array([30.0, 40.0])  # norm 50
    clipped = clipping.clip_by_norm(g, 5.0)
    assert np.linalg.norm(clipped) == pytest.approx(5.0 * 50 / (50 + 1e-6), rel=1e-15)
    assert np.linalg.norm(clipped) < 5.0


def test_value_clipping_can_change_the_direction():
    g = np.array([10.0, 1.0])
    clipped = clipping.clip_by_value(g, 1.0)
    np.testing.assert_array_equal(
        clipped, [1.0, 1.0]
    )  # now at 45 degrees instead of 5.7
    assert np.degrees(np.arccos(cosine(g, clipped))) == pytest.approx(
        45 - np.degrees(np.arctan(0.1))
    )
    same_ratio = clipping.clip_by_norm(g, 1.0)
    assert same_ratio[0] / same_ratio[1] == pytest.approx(10.0, rel=1e-14)


def test_gradients_below_the_threshold_come_back_unchanged():
    g = np.array([[0.3, -0.4], [0.0, 1.2]])  # 2-norm 1.3, largest entry 1.2
    np.testing.assert_array_equal(clipping.clip_by_norm(g, 1.3 + 1e-6), g)
    np.testing.assert_array_equal(clipping.clip_by_norm(g, 1.2 + 1e-6, np.inf), g)
    np.testing.assert_array_equal(clipping.clip_by_value(g, 1.2), g)


def test_a_norm_exactly_at_max_norm_is_still_scaled_slightly_as_in_torch():
    case = next(c for c in CASES if c["grad_name"] == "at_threshold")
    got = clipping.clip_by_norm([3.0, 4.0], 5.0)
    np.testing.assert_allclose(got, case["expected"], rtol=1e-15)
    np.testing.assert_allclose(got, np.array([3.0, 4.0]) * 5 / (5 + 1e-6), rtol=1e-15)
    assert np.all(got < [3.0, 4.0])


def test_inf_norm_scales_by_the_largest_entry():
    g = np.array([3.0, -8.0, 1.0])
    np.testing.assert_allclose(
        clipping.clip_by_norm(g, 2.0, np.inf), g * 2 / (8 + 1e-6), rtol=1e-15
    )
    np.testing.assert_array_equal(
        clipping.clip_by_norm(g, 2.0, "inf"), clipping.clip_by_norm(g, 2.0, np.inf)
    )
    assert clipping.get_total_norm(g, float("inf")) == 8.0
    assert clipping.get_total_norm(g, 1) == 12.0


def test_zero_gradient_and_zero_thresholds():
    np.testing.assert_array_equal(
        clipping.clip_by_norm(np.zeros(3), 1.0), 0.0
    )  # no 0/0
    g = np.array([1.0, -2.0])
    np.testing.assert_array_equal(clipping.clip_by_norm(g, 0.0), [0.0, -0.0])
    np.testing.assert_array_equal(clipping.clip_by_value(g, 0.0), [0.0, 0.0])
    np.testing.assert_array_equal(clipping.clip_by_norm(g, np.inf), g)
    np.testing.assert_array_equal(clipping.clip_by_value(g, np.inf), g)
    assert clipping.get_total_norm(np.zeros((0, 3))) == 0.0


@pytest.mark.parametrize(
    "clip",
    [
        lambda g: clipping.clip_by_value(g, 0.5),
        lambda g: clipping.clip_by_value(g, 10.0),
        lambda g: clipping.clip_by_norm(g, 0.5),
        lambda g: clipping.clip_by_norm(g, 10.0),
    ],
    ids=["value-clipped", "value-unchanged", "norm-clipped", "norm-unchanged"],
)
def test_clipping_returns_a_new_float_array_and_leaves_the_input_alone(clip):
    g = np.array([[1.0, -2.0], [0.25, 3.0]])
    before = g.copy()
    out = clip(g)
    assert out is not g and not np.shares_memory(out, g)
    assert out.shape == (2, 2) and out.dtype == np.float64
    np.testing.assert_array_equal(g, before)
    ints = clip(np.array([[1, -2], [0, 3]]))
    assert ints.dtype == np.float64


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: clipping.clip_by_value([1.0], -0.5),
            r"clip_value must lie in \[0.0, inf\], got -0.5",
        ),
        (lambda: clipping.clip_by_value([1.0], np.nan), "clip_value must lie in"),
        (
            lambda: clipping.clip_by_norm([1.0], -1.0),
            r"max_norm must lie in \[0.0, inf\], got -1.0",
        ),
        (
            lambda: clipping.clip_by_norm([1.0], [1.0, 2.0]),
            "max_norm must be a single real number",
        ),
        (
            lambda: clipping.clip_by_norm([1.0], 1.0, norm_type=0.5),
            r"norm_type must lie in \[1.0, inf\], got 0.5",
        ),
        (
            lambda: clipping.clip_by_norm([1.0], 1.0, norm_type=-np.inf),
            "norm_type must lie in",
        ),
        (
            lambda: clipping.clip_by_norm([1.0], 1.0, norm_type="two"),
            "norm_type must be a single real number",
        ),
        (
            lambda: clipping.get_total_norm([1.0], norm_type=True),
            "norm_type must be a single real number",
        ),
    ],
    ids=[
        "negative-value",
        "nan-value",
        "negative-norm",
        "array-norm",
        "p-below-1",
        "minus-inf",
        "string",
        "bool",
    ],
)
def test_invalid_arguments_raise_value_error_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()
