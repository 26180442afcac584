"""lessons_py.schedules against recorded torch.optim.lr_scheduler runs, hand-derived
values and each other."""

import re

import numpy as np
import pytest

from lessons_py import objectives, optim, reference, run, schedules

REFERENCE = reference.load("torch_schedules")
TORCH_CLASSES = sorted({case["torch"] for case in REFERENCE["schedules"]})

# One instance of every schedule, for the properties they all share.
EXAMPLES = [
    schedules.constant(0.1),
    schedules.step_decay(0.1, step_size=3),
    schedules.exponential_decay(0.1, gamma=0.9),
    schedules.cosine_annealing(0.1, T_max=20, eta_min=1e-3),
    schedules.linear(0.1, start_factor=1.0, end_factor=0.2, total_iters=7),
    schedules.linear_warmup(0.1, warmup_steps=5),
    schedules.warmup_cosine(0.1, warmup_steps=5, total_steps=30),
    schedules.one_cycle(0.1, total_steps=30),
    schedules.one_cycle(0.1, total_steps=30, three_phase=True).momentum,
    schedules.cosine_restarts(0.1, T_0=3, T_mult=2),
    schedules.warmup_stable_decay(0.1, warmup_steps=4, stable_steps=6, decay_steps=10),
    schedules.join(
        [schedules.constant(0.1), schedules.exponential_decay(0.1, gamma=0.5)], [3]
    ),
]


def ours(spec):
    """The lessons_py schedule a recorded case names (a join builds its pieces)."""
    kwargs = dict(spec["our_kwargs"])
    if spec["ours"] == "join":
        kwargs["schedules"] = [ours(piece) for piece in kwargs["schedules"]]
    return getattr(schedules, spec["ours"])(**kwargs)


def recorded(case):
    """Our schedule and torch's values for s = 0 .. compare_through."""
    return ours(case), np.array(case["expected"][: case["compare_through"] + 1])


@pytest.mark.parametrize("torch_class", TORCH_CLASSES)
def test_closed_form_matches_recorded_torch_scheduler(torch_class):
    cases = [c for c in REFERENCE["schedules"] if c["torch"] == torch_class]
    assert cases
    for case in cases:
        schedule, expected = recorded(case)
        got = schedule(np.arange(len(expected)))
        np.testing.assert_allclose(
            got,
            expected,
            rtol=1e-12,
            atol=0,
            err_msg=f"{schedule!r} vs {torch_class}"
            f"({case.get('torch_kwargs', case.get('torch_pieces'))})",
        )
    if torch_class == "SequentialLR":  # the pieces, a composite and a plain join
        assert {"warmup_cosine", "warmup_stable_decay", "join"} <= {
            c["ours"] for c in cases
        }


def test_the_recorded_cases_are_the_ones_the_docstring_describes():
    # "up to 1000 steps per case", from PyTorch 2.13
    assert REFERENCE["torch_version"].startswith("2.13")
    assert max(len(case["expected"]) for case in REFERENCE["schedules"]) == 1001
    assert {"join", "warmup_cosine", "warmup_stable_decay", "linear"} <= {
        case["ours"] for case in REFERENCE["schedules"]
    }


def test_one_cycle_cycles_the_momentum_as_torch_writes_it_into_the_optimizer():
    cases = [c for c in REFERENCE["schedules"] if "expected_momentum" in c]
    assert {c["optimizer"] for c in cases} == {"SGD", "Adam"}
    assert any(c["torch_kwargs"].get("three_phase") for c in cases)
    for case in cases:
        schedule = ours(case)
        expected = np.array(case["expected_momentum"])
        np.testing.assert_allclose(
            schedule.momentum(np.arange(len(expected))),
            expected,
            rtol=1e-12,
            atol=0,
            err_msg=f"{schedule!r} vs OneCycleLR({case['torch_kwargs']})",
        )


def test_torch_drifts_over_long_runs_within_the_bounds_the_docstring_states():
    bounds = {  # relative, sampled every `every` steps
        ("ExponentialLR", 10**5): 1e-13,
        ("CosineAnnealingLR", 10**5): 1e-13,
        ("LinearLR", 10**5): 1e-12,
        ("LinearLR", 10**6): 2e-12,
    }
    runs = REFERENCE["notes"]["long_runs"]
    assert {(r["torch"], r["steps"]) for r in runs} == set(bounds)
    for r in runs:
        s = np.arange(len(r["expected"])) * r["every"]
        assert s[-1] == r["steps"]
        expected = np.array(r["expected"])
        drift = np.abs(ours(r)(s) - expected)
        positive = expected > 0  # the cosine ends at exactly 0 in both
        assert np.all(drift[~positive] == 0)
        worst = np.max(drift[positive] / expected[positive])
        assert worst < bounds[(r["torch"], r["steps"])], (r["torch"], worst)
        assert worst > 1e-16  # torch's recursion does drift: the note is not idle
    s = schedules.__doc__
    assert ":math:`10^5` steps" in s and ":math:`10^{-13}`" in s
    assert ":math:`10^{-12}` for ``LinearLR``" in s and "2\\times10^{-12}" in s


def test_every_schedule_is_a_pure_function_of_s_for_scalars_and_arrays():
    t = np.arange(40)
    for schedule in EXAMPLES:
        values = schedule(t)
        assert values.dtype == np.float64 and values.shape == (40,)
        scalars = [schedule(int(k)) for k in t[::-1]]  # any order: no hidden state
        assert all(type(v) is float for v in scalars), schedule
        np.testing.assert_allclose(
            scalars[::-1], values, rtol=1e-15, atol=0, err_msg=repr(schedule)
        )
        np.testing.assert_array_equal(schedule(t), values)


def test_an_integer_array_of_any_shape_gives_an_array_of_that_shape():
    t = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    for schedule in EXAMPLES:
        out = schedule(t)
        assert out.shape == (2, 3, 4), schedule
        assert out[1, 2, 3] == pytest.approx(schedule(23), rel=1e-15)
        assert schedule(np.array(7)).shape == ()
        assert schedule(np.array([], dtype=int)).shape == (0,)
    np.testing.assert_array_equal(EXAMPLES[3](range(5)), EXAMPLES[3](np.arange(5)))


def test_run_writes_the_schedule_into_the_optimizer_step_by_step():
    schedule = schedules.warmup_cosine(0.01, warmup_steps=3, total_steps=12)
    rec = run(optim.SGD(), objectives.ravine(), [1.0, 1.0], 15, schedule=schedule)
    np.testing.assert_array_equal(rec.lr, schedule(np.arange(15)))


@pytest.mark.parametrize("make", [optim.SGD, optim.Adam], ids=["SGD", "Adam"])
def test_run_writes_the_one_cycle_momentum_into_the_optimizer_as_torch(make):
    schedule = schedules.one_cycle(0.01, total_steps=12, three_phase=True)
    seen = []

    class Spy(make):  # records the momentum each update is taken with
        def step(self, x, grad):
            seen.append(self.betas[0] if hasattr(self, "betas") else self.momentum)
            return super().step(x, grad)

    run(Spy(), objectives.ravine(), [1.0, 1.0], 12, schedule=schedule)
    np.testing.assert_array_equal(seen, schedule.momentum(np.arange(12)))
    assert seen[0] == 0.95 and min(seen) < 0.86


def test_torch_gives_sgd_without_momentum_a_momentum_and_refuses_adagrad():
    note = REFERENCE["notes"]["one_cycle_sgd_without_momentum"]
    assert note == {"momentum_before": 0.0, "momentum_after": 0.95}
    sgd = optim.SGD(lr=0.1)
    schedules.apply(schedules.one_cycle(0.1, total_steps=10), sgd, 0)
    assert sgd.momentum == note["momentum_after"]
    assert sgd.lr == pytest.approx(0.1 / 25, rel=1e-15)
    assert "momentum or beta1" in REFERENCE["notes"]["one_cycle_adagrad"]
    with pytest.raises(ValueError, match="must have a momentum or betas"):
        run(
            optim.Adagrad(),
            objectives.ravine(),
            [1.0, 1.0],
            3,
            schedule=schedules.one_cycle(0.1, total_steps=3),
        )
    no_cycle = schedules.one_cycle(0.1, total_steps=3, cycle_momentum=False)
    assert no_cycle.momentum is None
    rec = run(optim.Adagrad(), objectives.ravine(), [1.0, 1.0], 3, schedule=no_cycle)
    np.testing.assert_array_equal(rec.lr, no_cycle(np.arange(3)))


def test_repr_and_name_read_like_the_call():
    assert (
        repr(schedules.cosine_annealing(0.1, T_max=100))
        == "cosine_annealing(lr=0.1, T_max=100, eta_min=0.0)"
    )
    assert repr(schedules.one_cycle(1, 10)) == (
        "one_cycle(max_lr=1.0, total_steps=10, pct_start=0.3, anneal_strategy='cos', "
        "cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, "
        "div_factor=25.0, final_div_factor=10000.0, three_phase=False)"
    )
    assert repr(schedules.one_cycle(1, 10).momentum).startswith("one_cycle.momentum(")
    assert repr(
        schedules.join([schedules.constant(1), schedules.constant(0.5)], [4])
    ) == ("join(schedules=[constant(lr=1.0), constant(lr=0.5)], milestones=[4])")
    for schedule in EXAMPLES:
        assert repr(schedule).startswith(schedule.__name__ + "(")
        assert schedule.__name__ == schedule.__qualname__
        assert getattr(schedules, schedule.__name__.split(".")[0]) is not None


# ------------------------------------------------------------------ single schedules


def test_constant_is_lr_at_every_step():
    np.testing.assert_array_equal(schedules.constant(0.3)(np.arange(1000)), 0.3)


def test_step_decay_drops_only_at_multiples_of_step_size():
    s = schedules.step_decay(1.0, step_size=4, gamma=0.5)
    np.testing.assert_array_equal(
        s(np.arange(13)),
        [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125],
    )


def test_exponential_decay_halves_every_69_updates_at_gamma_099_as_documented():
    assert "γ = 0.99 halves the rate about every 69 updates" in (
        schedules.exponential_decay.__doc__
    )
    half_life = np.log(2) / -np.log(0.99)
    assert round(half_life) == 69
    s = schedules.exponential_decay(1.0, gamma=0.99)
    assert s(68) > 0.5 > s(70)


def test_exponential_decay_is_the_textbook_exponential_with_gamma_exp_minus_lambda():
    lam, t = 0.05, np.arange(200)
    s = schedules.exponential_decay(0.2, gamma=np.exp(-lam))
    np.testing.assert_allclose(s(t), 0.2 * np.exp(-lam * t), rtol=1e-12)
    halves_every_10 = schedules.exponential_decay(0.2, gamma=np.exp(-np.log(2) / 10))
    np.testing.assert_allclose(
        halves_every_10(10 * np.arange(8)), 0.2 / 2.0 ** np.arange(8), rtol=1e-13
    )


def test_cosine_annealing_is_point_symmetric_about_its_midpoint():
    lr, eta_min, T = 0.1, 0.02, 50
    s = schedules.cosine_annealing(lr, T_max=T, eta_min=eta_min)
    t = np.arange(T + 1)
    np.testing.assert_allclose(s(t) + s(T - t), lr + eta_min, rtol=1e-14)
    assert s(0) == lr and s(T) == eta_min


def test_cosine_annealing_holds_eta_min_past_T_max_where_torch_climbs_back():
    case = next(
        c
        for c in REFERENCE["schedules"]
        if c["torch"] == "CosineAnnealingLR"
        and c["torch_kwargs"] == {"T_max": 10, "eta_min": 1e-3}
    )
    s = getattr(schedules, case["ours"])(**case["our_kwargs"])
    torch_after = np.array(case["expected"][11:])  # t = 11 .. 25
    np.testing.assert_array_equal(s(np.arange(11, 26)), 1e-3)
    assert np.all(torch_after > 1e-3) and torch_after[9] == pytest.approx(
        0.1
    )  # back at lr at t = 2 T_max


def test_linear_warmup_starts_at_start_factor_times_lr_and_then_holds_lr():
    s = schedules.linear_warmup(0.3, warmup_steps=4, start_factor=0.25)
    np.testing.assert_allclose(
        s(np.arange(8)),
        [0.075, 0.13125, 0.1875, 0.24375, 0.3, 0.3, 0.3, 0.3],
        rtol=1e-15,
    )


def test_linear_decays_as_well_as_warms_up_and_ramps_from_zero():
    down = schedules.linear(1.0, start_factor=1.0, end_factor=0.25, total_iters=3)
    np.testing.assert_allclose(down(np.arange(6)), [1, 0.75, 0.5, 0.25, 0.25, 0.25])
    up = schedules.linear(0.5, start_factor=0.0, end_factor=1.0, total_iters=4)
    np.testing.assert_array_equal(up(np.arange(6)), [0, 0.125, 0.25, 0.375, 0.5, 0.5])
    warm = schedules.linear_warmup(0.3, warmup_steps=4, start_factor=0.25)
    np.testing.assert_array_equal(
        warm(np.arange(9)),
        schedules.linear(0.3, 0.25, 1.0, total_iters=4)(np.arange(9)),
    )


def test_join_runs_each_piece_from_its_milestone_with_its_own_count():
    a, b, c = (
        schedules.linear(1.0, 0.0, 1.0, total_iters=4),
        schedules.exponential_decay(1.0, gamma=0.5),
        schedules.constant(0.01),
    )
    joined = schedules.join([a, b, c], milestones=[4, 7])
    s = np.arange(12)
    expected = np.concatenate([a(s[:4]), b(s[4:7] - 4), c(s[7:] - 7)])
    np.testing.assert_array_equal(joined(s), expected)
    assert [joined(int(k)) for k in s] == expected.tolist()
    np.testing.assert_array_equal(joined(s.reshape(3, 4)), expected.reshape(3, 4))
    single = schedules.join([b], milestones=[])
    np.testing.assert_array_equal(single(s), b(s))


def test_the_composites_are_joins_of_their_pieces():
    W, T, lr = 7, 40, 0.1
    s = np.arange(60)
    warm = schedules.linear(lr, 0.0, 1.0, total_iters=W)
    cos = schedules.cosine_annealing(lr, T_max=T - W, eta_min=1e-3)
    np.testing.assert_array_equal(
        schedules.warmup_cosine(lr, W, T, eta_min=1e-3)(s),
        schedules.join([warm, cos], [W])(s),
    )
    wsd = schedules.warmup_stable_decay(lr, 5, 10, 20, eta_min=0.01)
    pieces = [
        schedules.linear(lr, 0.0, 1.0, total_iters=5),
        schedules.constant(lr),
        schedules.linear(lr, 1.0, 0.01 / lr, total_iters=20),
        schedules.constant(0.01),
    ]
    np.testing.assert_array_equal(wsd(s), schedules.join(pieces, [5, 15, 35])(s))


def test_warmup_cosine_hits_zero_lr_and_eta_min_at_its_breakpoints():
    s = schedules.warmup_cosine(0.4, warmup_steps=10, total_steps=50, eta_min=0.01)
    assert s(0) == 0.0 and s(5) == pytest.approx(0.2, rel=1e-15)
    assert s(10) == pytest.approx(0.4, rel=1e-15) and s(50) == 0.01
    np.testing.assert_array_equal(s(np.arange(50, 80)), 0.01)


def test_warmup_cosine_rises_then_falls():
    s = schedules.warmup_cosine(1.0, warmup_steps=20, total_steps=100)
    values = s(np.arange(120))
    assert np.all(np.diff(values[:21]) > 0)
    assert np.all(np.diff(values[20:101]) < 0) and np.all(np.diff(values[100:]) == 0)


def test_warmup_cosine_after_warmup_is_cosine_annealing_shifted_by_the_warmup():
    W, T = 7, 40
    s = schedules.warmup_cosine(0.1, warmup_steps=W, total_steps=T, eta_min=1e-3)
    c = schedules.cosine_annealing(0.1, T_max=T - W, eta_min=1e-3)
    t = np.arange(60)
    np.testing.assert_array_equal(s(t + W), c(t))
    np.testing.assert_array_equal(
        schedules.warmup_cosine(0.1, 0, T)(t), schedules.cosine_annealing(0.1, T)(t)
    )


def test_one_cycle_starts_low_peaks_at_torchs_phase_end_and_ends_at_the_final_lr():
    max_lr, T = 0.1, 100
    s = schedules.one_cycle(
        max_lr, T, pct_start=0.3, div_factor=25.0, final_div_factor=1e4
    )
    values = s(np.arange(T))
    peak = int(0.3 * T - 1)  # torch's end_step, 29, not 30
    assert values[0] == pytest.approx(max_lr / 25, rel=1e-13)
    assert values.argmax() == peak and values[peak] == max_lr
    assert values[-1] == max_lr / 25 / 1e4
    assert np.all(np.diff(values[: peak + 1]) > 0) and np.all(
        np.diff(values[peak:]) < 0
    )


def test_one_cycle_three_phase_linear_is_the_papers_triangle_then_annihilation():
    s = schedules.one_cycle(
        1.0, total_steps=101, pct_start=0.25, anneal_strategy="linear", three_phase=True
    )
    lr, peak, back = s(np.arange(101)), 0.25 * 101 - 1, 2 * 0.25 * 101 - 2
    assert lr.argmax() == round(peak) and np.isclose(lr[0], 1 / 25)
    rise = np.diff(lr[: int(peak) + 1])
    fall = np.diff(lr[int(peak) + 1 : int(back) + 1])
    np.testing.assert_allclose(rise, rise[0])  # straight lines, symmetric: up ...
    np.testing.assert_allclose(fall, -rise[0])  # ... and back down to the start,
    assert lr[-1] == pytest.approx(1 / 25 / 1e4, rel=1e-9)  # then annihilated
    momentum = s.momentum(np.arange(101))
    assert momentum[0] == 0.95 and 0.85 < momentum.min() < 0.852  # peak at s = 24.25
    np.testing.assert_array_equal(momentum[int(back) + 1 :], 0.95)  # held


def test_one_cycle_holds_the_final_lr_past_total_steps_where_torch_turns_up():
    note = REFERENCE["notes"]["one_cycle_at_total_steps"]
    s = schedules.one_cycle(note["max_lr"], note["total_steps"])
    assert s(9) == note["lr_at_9"] == pytest.approx(0.1 / 25 / 1e4)
    # the numbers the docstring quotes
    assert f"{note['lr_at_10']:.2e}" == "4.95e-03" and note["lr_at_9"] == 4e-7
    assert "4.95\\times10^{-3}" in schedules.one_cycle.__doc__
    assert (
        note["lr_at_10"] > 1e4 * note["lr_at_9"]
    )  # torch's one extra step is far off the end value
    np.testing.assert_array_equal(s(np.arange(10, 20)), note["lr_at_9"])
    assert "Tried to step 11 times" in REFERENCE["notes"]["one_cycle_past_total_steps"]


def test_one_cycle_with_a_one_step_warmup_peaks_at_s_0_where_torch_divides_by_0():
    assert (
        "ZeroDivisionError"
        in REFERENCE["notes"]["one_cycle_pct_start_times_total_steps_is_1"]
    )
    s = schedules.one_cycle(0.1, total_steps=10, pct_start=0.1)
    values = s(np.arange(10))
    assert values[0] == 0.1 and np.all(np.diff(values) < 0)


def test_cosine_restarts_restart_at_the_cycle_boundaries():
    s = schedules.cosine_restarts(1.0, T_0=3, T_mult=2, eta_min=0.1)
    starts = [0, 3, 9, 21, 45, 93]  # T_0 (2^i - 1)
    np.testing.assert_array_equal(s(np.array(starts)), 1.0)
    for start, end in zip(starts, starts[1:]):
        assert np.all(np.diff(s(np.arange(start, end))) < 0)
        assert s(end - 1) == pytest.approx(
            0.1 + 0.45 * (1 + np.cos(np.pi * (end - start - 1) / (end - start)))
        )
    periodic = schedules.cosine_restarts(0.5, T_0=7)
    t = np.arange(100)
    np.testing.assert_array_equal(periodic(t), periodic(t + 7))


def test_cosine_restarts_are_exact_where_torchs_step_epoch_logarithm_misses_a_restart():
    notes = REFERENCE["notes"]["warm_restarts_step_vs_step_epoch_mismatches"]
    assert notes, "torch's step(epoch) path agreed everywhere: update the docs"
    for note in notes:
        s = schedules.cosine_restarts(1.0, T_0=note["T_0"], T_mult=note["T_mult"])
        assert s(note["t"]) == note["step"] == 1.0 and note["step_epoch"] == 0.0


def test_cosine_restarts_handle_long_horizons_in_a_few_passes():
    s = schedules.cosine_restarts(1.0, T_0=1, T_mult=2)
    t = np.array([2**k - 1 for k in range(40)])  # every restart up to 5e11
    np.testing.assert_array_equal(s(t), 1.0)
    np.testing.assert_allclose(
        s(t[1:] - 1),
        0.5 * (1 + np.cos(np.pi * (1 - 1 / 2.0 ** np.arange(39)))),
        rtol=1e-12,
        atol=1e-15,
    )


def test_warmup_stable_decay_phases():
    s = schedules.warmup_stable_decay(
        0.2, warmup_steps=4, stable_steps=3, decay_steps=5, eta_min=0.02
    )
    np.testing.assert_allclose(
        s(np.arange(15)),
        [
            0,
            0.05,
            0.1,
            0.15,
            0.2,
            0.2,
            0.2,
            0.2,
            0.164,
            0.128,
            0.092,
            0.056,
            0.02,
            0.02,
            0.02,
        ],
        rtol=1e-14,
        atol=1e-17,
    )
    assert s(0) == 0.0 and s(10**9) == 0.02  # exactly eta_min after the decay


def test_warmup_stable_decay_without_warmup_or_plateau_starts_decaying_from_lr():
    s = schedules.warmup_stable_decay(
        1.0, warmup_steps=0, stable_steps=0, decay_steps=4
    )
    np.testing.assert_allclose(s(np.arange(6)), [1, 0.75, 0.5, 0.25, 0, 0], rtol=1e-15)


# ----------------------------------------------------------------- invalid arguments

INVALID = {
    schedules.constant: [
        (dict(lr=-0.1), r"lr must lie in \[0.0, inf\), got -0.1"),
        (dict(lr=np.inf), r"lr must lie in \[0.0, inf\)"),
        (dict(lr=np.nan), "lr must lie in"),
        (dict(lr=np.array([0.1, 0.2])), "lr must be a .*real number"),
    ],
    schedules.step_decay: [
        (dict(lr=0.1, step_size=0), "step_size must be an integer >= 1, got 0"),
        (dict(lr=0.1, step_size=2.0), "step_size must be an integer >= 1"),
        (dict(lr=0.1, step_size=2, gamma=0.0), r"gamma must lie in \(0.0, 1.0\]"),
        (
            dict(lr=0.1, step_size=2, gamma=1.5),
            r"gamma must lie in \(0.0, 1.0\], got 1.5",
        ),
    ],
    schedules.exponential_decay: [
        (dict(lr=0.1, gamma=-0.9), r"gamma must lie in \(0.0, 1.0\]"),
        (dict(lr=0.1, gamma=1.01), r"gamma must lie in \(0.0, 1.0\]"),
        (dict(lr=-1.0, gamma=0.9), "lr must lie in"),
    ],
    schedules.cosine_annealing: [
        (dict(lr=0.1, T_max=0), "T_max must be an integer >= 1"),
        (dict(lr=0.1, T_max=10, eta_min=-1e-3), r"eta_min must lie in \[0.0, 0.1\]"),
        (
            dict(lr=0.1, T_max=10, eta_min=0.2),
            r"eta_min must lie in \[0.0, 0.1\], got 0.2",
        ),
    ],
    schedules.linear_warmup: [
        (dict(lr=0.1, warmup_steps=0), "warmup_steps must be an integer >= 1"),
        (
            dict(lr=0.1, warmup_steps=5, start_factor=0.0),
            r"start_factor must lie in \(0.0, 1.0\]",
        ),
        (
            dict(lr=0.1, warmup_steps=5, start_factor=1.5),
            r"start_factor must lie in \(0.0, 1.0\]",
        ),
    ],
    schedules.linear: [
        (dict(lr=0.1, total_iters=0), "total_iters must be an integer >= 1"),
        (dict(lr=0.1, start_factor=-0.1), r"start_factor must lie in \[0.0, 1.0\]"),
        (dict(lr=0.1, end_factor=1.5), r"end_factor must lie in \[0.0, 1.0\]"),
    ],
    schedules.join: [
        (dict(schedules=[], milestones=[]), "schedules must be a non-empty list"),
        (dict(schedules=[lambda s: 0.1], milestones=[]), r"schedules\[0\] must be a"),
        (
            dict(schedules=[schedules.constant(0.1)] * 2, milestones=[]),
            "milestones must hold len",
        ),
        (
            dict(schedules=[schedules.constant(0.1)] * 3, milestones=[5, 5]),
            r"milestones\[1\] must be an integer >= 6, got 5",
        ),
        (
            dict(schedules=[schedules.constant(0.1)] * 2, milestones=[0]),
            r"milestones\[0\] must be an integer >= 1",
        ),
        (
            dict(schedules=[schedules.one_cycle(0.1, 10)], milestones=[]),
            "cycles the momentum",
        ),
        (dict(schedules=[schedules.constant(0.1)], milestones=3), "milestones must"),
    ],
    schedules.warmup_cosine: [
        (
            dict(lr=0.1, warmup_steps=-1, total_steps=10),
            "warmup_steps must be an integer >= 0",
        ),
        (
            dict(lr=0.1, warmup_steps=10, total_steps=10),
            "total_steps must be an integer >= 11, got 10",
        ),
        (
            dict(lr=0.1, warmup_steps=1, total_steps=10, eta_min=1.0),
            "eta_min must lie in",
        ),
    ],
    schedules.one_cycle: [
        (dict(max_lr=-0.1, total_steps=10), r"max_lr must lie in \[0.0, inf\)"),
        (dict(max_lr=0.1, total_steps=0), "total_steps must be an integer >= 1"),
        (
            dict(max_lr=0.1, total_steps=10, pct_start=0.0),
            r"pct_start must lie in \(0.0, 1.0\)",
        ),
        (
            dict(max_lr=0.1, total_steps=10, pct_start=1.0),
            r"pct_start must lie in \(0.0, 1.0\)",
        ),
        (
            dict(max_lr=0.1, total_steps=10, div_factor=0.0),
            r"div_factor must lie in \(0.0, inf\)",
        ),
        (
            dict(max_lr=0.1, total_steps=10, final_div_factor=-1.0),
            "final_div_factor must lie in",
        ),
        (
            dict(max_lr=0.1, total_steps=10, anneal_strategy="cosine"),
            r"anneal_strategy must be one of \('cos', 'linear'\)",
        ),
        (dict(max_lr=0.1, total_steps=10, three_phase=1), "three_phase must be True"),
        (
            dict(max_lr=0.1, total_steps=10, cycle_momentum="yes"),
            "cycle_momentum must be True or False",
        ),
        (
            dict(max_lr=0.1, total_steps=10, base_momentum=1.0),
            r"base_momentum must lie in \[0.0, 1.0\)",
        ),
        (
            dict(max_lr=0.1, total_steps=10, base_momentum=0.9, max_momentum=0.8),
            r"max_momentum must lie in \[0.9, 1.0\)",
        ),
        (
            dict(max_lr=0.1, total_steps=10, pct_start=0.6, three_phase=True),
            "three_phase=True needs 2 \\* pct_start",
        ),
    ],
    schedules.cosine_restarts: [
        (dict(lr=0.1, T_0=0), "T_0 must be an integer >= 1, got 0"),
        (dict(lr=0.1, T_0=5, T_mult=0), "T_mult must be an integer >= 1, got 0"),
        (dict(lr=0.1, T_0=5, T_mult=1.5), "T_mult must be an integer >= 1, got 1.5"),
        (dict(lr=0.1, T_0=5, eta_min=0.5), "eta_min must lie in"),
    ],
    schedules.warmup_stable_decay: [
        (
            dict(lr=0.1, warmup_steps=-1, stable_steps=0, decay_steps=5),
            "warmup_steps must be an integer >= 0",
        ),
        (
            dict(lr=0.1, warmup_steps=1, stable_steps=-2, decay_steps=5),
            "stable_steps must be an integer >= 0",
        ),
        (
            dict(lr=0.1, warmup_steps=1, stable_steps=0, decay_steps=0),
            "decay_steps must be an integer >= 1",
        ),
        (
            dict(lr=0.1, warmup_steps=1, stable_steps=0, decay_steps=5, eta_min=-0.1),
            "eta_min must lie in",
        ),
    ],
}


@pytest.mark.parametrize("constructor", list(INVALID), ids=lambda f: f.__name__)
def test_invalid_hyperparameters_raise_value_error_naming_them_and_the_range(
    constructor,
):
    for kwargs, message in INVALID[constructor]:
        with pytest.raises(ValueError, match=message):
            constructor(**kwargs)


@pytest.mark.parametrize(
    "t, message",
    [
        (-1, "s must be an integer >= 0, got -1"),
        (
            np.array([0, 3, -2]),
            r"s must be an integer >= 0, got an array with values in \[-2, 3\]",
        ),
        (2.0, "s must be an integer >= 0 or an integer array, got 2.0"),
        (np.linspace(0, 10, 11), "got an array of dtype float64"),
        (True, "s must be an integer >= 0 or an integer array, got True"),
        ("3", "s must be an integer >= 0 or an integer array"),
    ],
    ids=["negative", "negative-in-array", "float", "float-array", "bool", "string"],
)
def test_a_negative_or_non_integer_step_count_is_rejected(t, message):
    for schedule in EXAMPLES:
        with pytest.raises(ValueError, match=message):
            schedule(t)


def test_the_module_docstring_counts_as_the_book_and_torch_do():
    doc = schedules.__doc__
    assert re.search(r"s = t - 1 = 0, 1,\s+2", doc) and "``last_epoch``" in doc
    schedule = schedules.step_decay(0.01, step_size=2, gamma=0.5)
    rec = run(optim.SGD(), objectives.ravine(), [1.0, 1.0], 5, schedule=schedule)
    # updates t = 1 .. 5 use eta(s = t - 1)
    np.testing.assert_array_equal(rec.lr, [0.01, 0.01, 0.005, 0.005, 0.0025])
