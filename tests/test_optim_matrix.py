"""Muon, Adafactor and the Newton–Schulz iteration (lessons_py/optim/matrix.py)
against torch 2.13's recordings, their docstrings' claims and hand-derived steps.

The trajectories of the single-matrix cases are replayed, with every other class, by
tests/test_optim.py and tests/test_optim_common.py; the dict cases by
tests/test_optim_dict.py."""

import numpy as np
import pytest

from lessons_py import optim, reference
from lessons_py.optim import matrix

from .test_optim import replay

REFERENCE = reference.load("torch_optim")
NEWTON_SCHULZ = REFERENCE["newton_schulz"]
CASES = [c for c in REFERENCE["cases"] if c["optimizer"] in ("Muon", "Adafactor")]
NS = optim.zeropower_via_newtonschulz
A, B, C = 3.4445, -4.775, 2.0315


def ns_args(case):
    return dict(
        ns_coefficients=tuple(case["ns_coefficients"]),
        ns_steps=case["ns_steps"],
        eps=case["eps"],
    )


# ------------------------------------------------------------------- the recordings


def test_the_recordings_cover_every_option_asked_for():
    muon = [c["kwargs"] for c in CASES if c["optimizer"] == "Muon"]
    assert {k.get("adjust_lr_fn") for k in muon} == {
        None,
        "original",
        "match_rms_adamw",
    }
    assert {k.get("nesterov", True) for k in muon} == {True, False}
    assert {k.get("weight_decay", 0.1) for k in muon} >= {0.0, 0.1, 0.5}
    adafactor = [c for c in CASES if c["optimizer"] == "Adafactor"]
    assert {np.ndim(c["x0"]) for c in adafactor} == {1, 2, 3}
    for case in CASES:
        assert len(set(case["lrs"])) >= 3  # lr changed mid-run
        assert any(not np.any(g) for g in case["grads"])  # a zero gradient step
        assert np.ndim(case["x0"]) >= 2 or case["optimizer"] == "Adafactor"
    assert len(NEWTON_SCHULZ) >= 5


@pytest.mark.parametrize(
    "case", NEWTON_SCHULZ, ids=lambda c: "x".join(map(str, np.shape(c["G"])))
)
def test_newton_schulz_in_float64_is_torch_s_with_the_bfloat16_cast_removed(case):
    got = NS(np.array(case["G"]), **ns_args(case))
    want = np.array(case["float64"])
    assert np.max(np.abs(got - want)) <= 1e-12 * np.max(np.abs(want))


@pytest.mark.parametrize(
    "case", NEWTON_SCHULZ, ids=lambda c: "x".join(map(str, np.shape(c["G"])))
)
def test_bfloat16_emulation_reproduces_torch_s_bfloat16_iteration(case):
    got = NS(np.array(case["G"]), **ns_args(case), bfloat16=True)
    want, exact = np.array(case["bfloat16"]), np.array(case["float64"])
    # bit for bit on the recording machine; allow a rare rounding tie to fall the
    # other way elsewhere (one bfloat16 unit is 2^-8 relative)
    assert np.mean(got == want) >= 0.99
    assert np.max(np.abs(got - want)) <= 2**-7 * np.max(np.abs(want))
    # and bfloat16 moves the result far more than that: by percents, not 1e-16
    assert np.max(np.abs(want - exact)) > 1e-3 * np.max(np.abs(exact))
    np.testing.assert_array_equal(matrix._round_bfloat16(want), want)  # bf16 numbers


def test_bfloat16_rounding_keeps_eight_significant_bits_ties_to_even():
    r = matrix._round_bfloat16
    exact = np.array([1.0, 1 + 2**-7, -3 * 2**-20, 255.0, 2.0**100, 0.0])
    np.testing.assert_array_equal(r(exact), exact)
    np.testing.assert_array_equal(
        r(np.array([1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-8 + 2**-20, 511.0, -0.1])),
        [1.0, 1 + 2**-6, 1 + 2**-7, 512.0, -0.10009765625],
    )


# --------------------------------------------------------------- Newton–Schulz itself


def quintic(s, steps, a=A, b=B, c=C):
    for _ in range(steps):
        s = a * s + b * s**3 + c * s**5
    return s


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5)])
def test_newton_schulz_maps_each_singular_value_by_the_quintic_and_keeps_the_vectors(
    shape,
):
    rng = np.random.default_rng(0)
    G = rng.normal(size=shape)
    U, s, Vt = np.linalg.svd(G, full_matrices=False)
    for steps in (0, 1, 5):
        want = U * quintic(s / np.linalg.norm(G), steps) @ Vt
        np.testing.assert_allclose(NS(G, ns_steps=steps), want, atol=1e-13)


def test_five_default_steps_put_every_singular_value_above_0_003_in_the_stated_band():
    grid = np.linspace(0.003, 1, 100001)
    after = quintic(grid, 5)
    assert after.min() >= 0.68 and after.max() <= 1.21
    assert quintic(0.001, 5) < 0.5  # below 0.003 they have not got there yet
    rng = np.random.default_rng(1)
    for shape in [(32, 16), (10, 100), (40, 60)]:
        G = rng.normal(size=shape)
        s = np.linalg.svd(G, compute_uv=False) / np.linalg.norm(G)
        assert s.min() > 0.003
        singular = np.linalg.svd(NS(G), compute_uv=False)
        assert singular.min() >= 0.68 and singular.max() <= 1.21


def test_newton_schulz_acts_on_each_matrix_of_a_stack_and_commutes_with_transpose():
    rng = np.random.default_rng(2)
    G = rng.normal(size=(3, 2, 5, 4))
    out = NS(G, bfloat16=True)
    for i in np.ndindex(3, 2):
        np.testing.assert_array_equal(out[i], NS(G[i], bfloat16=True))
    np.testing.assert_array_equal(NS(G[0, 0].T), NS(G[0, 0]).T)  # torch transposes too


def test_newton_schulz_of_zero_is_zero_and_refuses_what_it_cannot_do():
    np.testing.assert_array_equal(NS(np.zeros((3, 2))), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="eps=0 divides by zero"):
        NS(np.zeros((3, 2)), eps=0.0)
    with pytest.raises(ValueError, match="G must be a matrix"):
        NS(np.ones(3))
    with pytest.raises(ValueError, match=r"ns_steps must be an integer in \[0, 99\]"):
        NS(np.ones((2, 2)), ns_steps=100)
    with pytest.raises(ValueError, match="ns_coefficients must be three numbers"):
        NS(np.ones((2, 2)), ns_coefficients=(1.0, 2.0))
    with pytest.raises(ValueError, match="bfloat16 must be True or False"):
        NS(np.ones((2, 2)), bfloat16=1)
    G = np.ones((2, 2))
    NS(G)
    np.testing.assert_array_equal(G, np.ones((2, 2)))  # not modified


# ------------------------------------------------------------------------------ Muon


def test_muon_first_step_is_the_scaled_orthogonalised_gradient():
    rng = np.random.default_rng(3)
    for shape, fn, scale in [
        ((6, 2), None, np.sqrt(3)),
        ((6, 2), "original", np.sqrt(3)),
        ((2, 6), "original", 1.0),
        ((6, 2), "match_rms_adamw", 0.2 * np.sqrt(6)),
        ((2, 6), "match_rms_adamw", 0.2 * np.sqrt(6)),
    ]:
        x, g = rng.normal(size=shape), rng.normal(size=shape)
        for nesterov in (True, False):
            opt = optim.Muon(
                lr=0.1, weight_decay=0.5, nesterov=nesterov, adjust_lr_fn=fn
            )
            # buffer (1 - mu) g; direction (1 - mu) g (+ mu (1 - mu) g with Nesterov):
            # a positive multiple of g, which the normalisation removes
            want = (1 - 0.1 * 0.5) * x - 0.1 * scale * NS(g)
            np.testing.assert_allclose(opt.step(x, g), want, rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(opt.b, 0.05 * g, rtol=1e-14)


def test_muon_without_momentum_steps_along_the_orthogonalised_gradient_every_step():
    rng = np.random.default_rng(4)
    opt, x = optim.Muon(lr=0.02, momentum=0.0, weight_decay=0.0), np.zeros((4, 3))
    for _ in range(5):
        g = rng.normal(size=(4, 3))
        x_new = opt.step(x, g)
        np.testing.assert_allclose(x - x_new, 0.02 * np.sqrt(4 / 3) * NS(g), rtol=1e-13)
        x = x_new


def test_muon_refuses_a_parameter_that_is_not_a_matrix_before_taking_the_step():
    opt = optim.Muon()
    for shape in [(3,), (), (2, 3, 4)]:
        with pytest.raises(ValueError, match=r"Muon acts on matrices.*AdamW"):
            opt.step(np.ones(shape), np.ones(shape))
    assert opt.t == 0 and opt.b is None


def test_muon_with_run_axes_is_independent_runs_of_one_matrix_each():
    rng = np.random.default_rng(5)
    grads = rng.normal(size=(8, 3, 4, 2))
    lr = np.array([0.1, 0.02, 0.005])[:, None, None]
    momentum = np.array([0.0, 0.9, 0.95])[:, None, None]
    opt = optim.Muon(lr=lr, momentum=momentum, adjust_lr_fn="match_rms_adamw")
    opt.run_axes = 1
    swept = replay(opt, np.ones((3, 4, 2)), grads, [lr] * 8)
    for r in range(3):
        alone = optim.Muon(
            lr=lr[r, 0, 0], momentum=momentum[r, 0, 0], adjust_lr_fn="match_rms_adamw"
        )
        single = replay(alone, np.ones((4, 2)), grads[:, r], [lr[r, 0, 0]] * 8)
        np.testing.assert_allclose(swept[:, r], single, rtol=1e-14, atol=1e-15)
    opt.run_axes = 2
    with pytest.raises(ValueError, match="after run_axes=2 axes of runs"):
        opt.step(np.ones((3, 4, 2)), np.ones((3, 4, 2)))


def test_muon_eps_zero_is_refused_when_the_momentum_is_zero():
    opt = optim.Muon(eps=0.0, momentum=0.0)
    opt.step(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="eps=0 divides by zero"):
        opt.step(np.ones((2, 2)), np.zeros((2, 2)))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(momentum=1.0), r"momentum must lie in \[0.0, 1.0\)"),
        (dict(momentum=-0.1), "momentum must lie in"),
        (dict(lr=-1e-3), r"lr must lie in \[0.0, inf\)"),
        (dict(weight_decay=-0.1), "weight_decay must lie in"),
        (dict(eps=-1e-7), "eps must lie in"),
        (dict(ns_steps=100), r"ns_steps must be an integer in \[0, 99\]"),
        (dict(ns_steps=5.0), "ns_steps must be an integer"),
        (dict(ns_coefficients=(3.0, -4.0)), "ns_coefficients must be three numbers"),
        (dict(ns_coefficients=(3.0, "b", 2.0)), r"ns_coefficients\[1\] must be"),
        (dict(adjust_lr_fn="adamw"), "adjust_lr_fn must be one of"),
        (dict(nesterov=1), "nesterov must be True or False"),
    ],
    ids=lambda v: str(v)[:30] if isinstance(v, dict) else None,
)
def test_muon_invalid_hyperparameters_raise_value_error_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.Muon(**kwargs)


def test_muon_repr_is_the_call_that_makes_it():
    opt = optim.Muon(lr=0.02, nesterov=False, adjust_lr_fn="match_rms_adamw")
    again = eval(repr(opt), vars(optim))
    assert type(again) is optim.Muon and repr(again) == repr(opt)


def test_muon_docstring_says_how_the_reference_was_recorded():
    doc = " ".join(optim.Muon.__doc__.split())
    assert "bfloat16" in doc and "float64" in doc and "cast removed" in doc
    assert "as ``torch.optim.Muon``" in doc


# ------------------------------------------------------------------------- Adafactor


@pytest.mark.parametrize("n, m", [(4, 3), (64, 10), (1, 7)])
def test_adafactor_keeps_n_plus_m_numbers_for_an_n_by_m_matrix(n, m):
    rng = np.random.default_rng(6)
    opt = optim.Adafactor()
    x = opt.step(rng.normal(size=(n, m)), rng.normal(size=(n, m)))
    opt.step(x, rng.normal(size=(n, m)))
    assert opt.row_var.shape == (n, 1) and opt.col_var.shape == (1, m)
    assert opt.variance is None and opt.state_size() == n + m
    adam = optim.Adam()
    adam.step(x, x)
    assert adam.state_size() == 2 * n * m
    vector = optim.Adafactor()
    vector.step(np.ones(n * m), np.ones(n * m))
    assert vector.state_size() == n * m and vector.row_var is None


def test_adafactor_first_step_on_a_rank_one_squared_gradient_is_a_sign_step():
    # t = 1: 1 - beta2 = 1, so R and C are this gradient's row and column means and
    # R C^T / mean(R) = G^2 exactly when G^2 is rank one: U = sign(G), RMS 1, unclipped
    rng = np.random.default_rng(7)
    G = np.outer(rng.normal(size=5), rng.normal(size=4))
    x = rng.normal(size=(5, 4))
    for lr in (0.5, 2.0):  # rho = min(lr, 1)
        alpha = np.sqrt(np.mean(x * x)) * min(lr, 1.0)
        got = optim.Adafactor(lr=lr).step(x, G)
        np.testing.assert_allclose(got, x - alpha * np.sign(G), rtol=1e-12)


def test_adafactor_clips_the_update_to_rms_d():
    # a small gradient, then a large one: V_2 = (1 - w) 1e-6 + w with w = 2^-0.8, so
    # U = g_2 / sqrt(V_2) has RMS about 1.32, clipped to d = 1 and not to d = 2
    g1, g2, w = np.full(4, 1e-3), np.ones(4), 2.0**-0.8
    rms_u = 1 / np.sqrt((1 - w) * 1e-6 + w)
    for d in (1.0, 2.0):
        opt = optim.Adafactor(lr=0.5, d=d)
        x1 = opt.step(np.ones(4), g1)  # a sign step of 0.5: x1 = 0.5
        x2 = opt.step(x1, g2)
        alpha = np.sqrt(np.mean(x1 * x1)) * 0.5  # rho_2 = min(0.5, 1/sqrt(2))
        rms_step = np.sqrt(np.mean((x1 - x2) ** 2))
        assert rms_step == pytest.approx(alpha * min(rms_u, d), rel=1e-12)


def test_adafactor_with_run_axes_is_independent_runs():
    rng = np.random.default_rng(8)
    grads = rng.normal(size=(10, 2, 3, 4))
    grads[3] = 0.0
    lr = np.array([0.05, 0.5])[:, None, None]
    kwargs = dict(beta2_decay=-0.6, weight_decay=0.1)
    opt = optim.Adafactor(lr=lr, **kwargs)
    opt.run_axes = 1
    swept = replay(opt, np.ones((2, 3, 4)), grads, [lr] * 10)
    for r in range(2):
        single = replay(
            optim.Adafactor(lr=lr[r, 0, 0], **kwargs),
            np.ones((3, 4)),
            grads[:, r],
            [lr[r, 0, 0]] * 10,
        )
        np.testing.assert_allclose(swept[:, r], single, rtol=1e-14)
    # a stack of vectors: run_axes = 1 makes (runs, d) vectors, not one matrix
    vectors = optim.Adafactor()
    vectors.run_axes = 1
    vectors.step(np.ones((2, 5)), np.ones((2, 5)))
    assert vectors.variance.shape == (2, 5) and vectors.row_var is None


def test_adafactor_state_of_another_shape_asks_for_reset():
    opt = optim.Adafactor()
    opt.step(np.ones((2, 3)), np.ones((2, 3)))
    for shape in [(3, 2), (6,)]:
        with pytest.raises(ValueError, match="reset"):
            opt.step(np.ones(shape), np.ones(shape))
    opt.reset()
    opt.step(np.ones(6), np.ones(6))


def test_adafactor_eps1_zero_is_refused_where_it_would_divide_by_zero():
    opt = optim.Adafactor(eps=(0.0, 1e-3))
    opt.step(np.ones((2, 2)), np.ones((2, 2)))  # nothing is zero
    with pytest.raises(ValueError, match=r"eps\[0\]=0 divides by zero at step 1"):
        optim.Adafactor(eps=(0.0, 1e-3)).step(np.ones((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"eps\[0\]=0 divides by zero"):
        optim.Adafactor(eps=(0.0, 1e-3)).step(np.ones(2), np.array([1.0, 0.0]))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-0.01), r"lr must lie in \[0.0, inf\)"),
        (dict(beta2_decay=0.5), r"beta2_decay must lie in \(-inf, 0.0\]"),
        (dict(eps=(-1.0, 1e-3)), r"eps\[0\] must lie in"),
        (dict(eps=(None, -1e-3)), r"eps\[1\] must lie in"),
        (dict(eps=1e-3), r"eps must be a pair \(eps1, eps2\)"),
        (dict(d=0.5), r"d must lie in \[1.0, inf\)"),
        (dict(weight_decay=-0.1), "weight_decay must lie in"),
    ],
    ids=lambda v: str(v)[:30] if isinstance(v, dict) else None,
)
def test_adafactor_invalid_hyperparameters_raise_value_error_naming_them(
    kwargs, message
):
    with pytest.raises(ValueError, match=message):
        optim.Adafactor(**kwargs)


def test_adafactor_repr_is_the_call_that_makes_it():
    opt = optim.Adafactor(lr=0.1, eps=(1e-30, 1e-3), d=2.0)
    again = eval(repr(opt), vars(optim))
    assert type(again) is optim.Adafactor and repr(again) == repr(opt)


def test_both_classes_leave_their_arguments_untouched():
    rng = np.random.default_rng(9)
    x, g = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    x_copy, g_copy = x.copy(), g.copy()
    for opt in (optim.Muon(nesterov=False), optim.Adafactor(weight_decay=0.1)):
        for _ in range(3):
            opt.step(x, g)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(g, g_copy)
