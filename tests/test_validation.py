"""Bad input, across the whole package: every public entry point refuses it the same
way.

A bad argument raises ``ValueError`` naming it (never a silent wrong answer, an
AttributeError or TypeError from deep inside, or a hang); good arguments of every
usable kind (NumPy scalars, sweep arrays, seeds and Generators) still work. One test
per rule, parametrised over the modules; the module-by-module tests hold the details.
"""

import time

import ipywidgets as w
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lessons_py import (
    adaptive,
    clipping,
    lr_finder,
    minibatches,
    mlp,
    momentum,
    objectives,
    optim,
    plotting,
    run,
    schedules,
    second_order,
    variance_reduction,
    widgets,
)
from lessons_py.loop import Recorder, sampler

pytestmark = pytest.mark.usefixtures("own_registry")  # see conftest.py

RAVINE = objectives.ravine()
_X, _Y, _ = objectives.make_regression(n=40, dim=3, seed=0)
LS = objectives.LeastSquares(_X, _Y)
_XC, _YC, _ = objectives.make_classification(n=40, dim=3, seed=0)
LOGREG = objectives.LogisticRegression(_XC, _YC)
_XD = np.random.default_rng(0).normal(size=(30, 4))
_YD = np.arange(30) % 3
NET = mlp.MLP(_XD, _YD, hidden=3)


class NoHessian:
    """An objective with a loss and a gradient but no Hessian."""

    dim = 2

    def loss(self, x):
        return RAVINE.loss(x)

    def grad(self, x):
        return RAVINE.grad(x)


def refused(call, name):
    """Assert that ``call()`` raises a ValueError whose message names ``name``."""
    with pytest.raises(ValueError) as error:
        call()
    assert name in str(error.value), str(error.value)
    return str(error.value)


def _vr(method, **kwargs):
    args = dict(objective=LS, x0=np.zeros(3), lr=0.01, rng=0)
    args |= {"epochs": 1} if method == "svrg" else {"steps": 3}
    return getattr(variance_reduction, method)(**(args | kwargs))


def _step(cls, **kwargs):
    return cls(**kwargs).step(np.ones(2), np.ones(2))


# Each entry: (id, a function of the one argument under test, its name).
NUMBERS = [
    ("SGD-lr", lambda v: _step(optim.SGD, lr=v), "lr"),
    ("SGD-momentum", lambda v: _step(optim.SGD, momentum=v), "momentum"),
    ("Adagrad-lr_decay", lambda v: _step(optim.Adagrad, lr_decay=v), "lr_decay"),
    ("RMSprop-alpha", lambda v: _step(optim.RMSprop, alpha=v), "alpha"),
    ("Adam-eps", lambda v: _step(optim.Adam, eps=v), "eps"),
    ("Adam-betas", lambda v: _step(optim.Adam, betas=(v, 0.999)), "betas[0]"),
    (
        "AdamW-weight_decay",
        lambda v: _step(optim.AdamW, weight_decay=v),
        "weight_decay",
    ),
    ("Adadelta-rho", lambda v: _step(optim.Adadelta, rho=v), "rho"),
    ("Adamax-betas", lambda v: _step(optim.Adamax, betas=(0.9, v)), "betas[1]"),
    (
        "NAdam-momentum_decay",
        lambda v: _step(optim.NAdam, momentum_decay=v),
        "momentum_decay",
    ),
    ("RAdam-eps", lambda v: _step(optim.RAdam, eps=v), "eps"),
    ("ASGD-t0", lambda v: _step(optim.ASGD, t0=v), "t0"),
    ("ASGD-lambd", lambda v: _step(optim.ASGD, lambd=v), "lambd"),
    ("Rprop-etas", lambda v: _step(optim.Rprop, etas=(v, 1.2)), "etas[0]"),
    (
        "Rprop-step_sizes",
        lambda v: _step(optim.Rprop, step_sizes=(1e-6, v)),
        "step_sizes[1]",
    ),
    ("Muon-lr", lambda v: _step(optim.Muon, lr=v), "lr"),
    ("Muon-momentum", lambda v: _step(optim.Muon, momentum=v), "momentum"),
    ("Muon-eps", lambda v: _step(optim.Muon, eps=v), "eps"),
    (
        "Muon-ns_coefficients",
        lambda v: _step(optim.Muon, ns_coefficients=(3.4445, v, 2.0315)),
        "ns_coefficients[1]",
    ),
    (
        "zeropower_via_newtonschulz-eps",
        lambda v: optim.zeropower_via_newtonschulz(np.ones((2, 2)), eps=v),
        "eps",
    ),
    ("Adafactor-d", lambda v: _step(optim.Adafactor, d=v), "d"),
    (
        "Adafactor-beta2_decay",
        lambda v: _step(optim.Adafactor, beta2_decay=v),
        "beta2_decay",
    ),
    ("Adafactor-eps", lambda v: _step(optim.Adafactor, eps=(None, v)), "eps[1]"),
    ("HeavyBall-momentum", lambda v: _step(momentum.HeavyBall, momentum=v), "momentum"),
    (
        "AdamEpsRoot-eps_root",
        lambda v: _step(adaptive.AdamEpsRoot, eps_root=v),
        "eps_root",
    ),
    ("steps_until_within-tol", lambda v: adaptive.steps_until_within(0.9, v), "tol"),
    ("optimal_gd-mu", lambda v: momentum.optimal_gd(v, 10.0), "mu"),
    (
        "nesterov_lookahead-lr",
        lambda v: momentum.nesterov_lookahead(RAVINE.grad, [1.0, 1.0], v, 0.5, 2),
        "lr",
    ),
    ("LeastSquares-l2", lambda v: objectives.LeastSquares(_X, _Y, l2=v), "l2"),
    ("Rosenbrock-a", lambda v: objectives.Rosenbrock(a=v), "a"),
    (
        "with_condition_number-kappa",
        lambda v: objectives.Quadratic.with_condition_number(v),
        "kappa",
    ),
    ("NoisySum-sigma", lambda v: objectives.NoisySum(RAVINE, sigma=v), "sigma"),
    (
        "make_regression-noise",
        lambda v: objectives.make_regression(n=5, noise=v),
        "noise",
    ),
    ("cosine_annealing-lr", lambda v: schedules.cosine_annealing(v, 10), "lr"),
    (
        "clip_by_value-clip_value",
        lambda v: clipping.clip_by_value(np.ones(2), v),
        "clip_value",
    ),
    (
        "exponential_ramp-max_lr",
        lambda v: lr_finder.exponential_ramp(1e-3, v, 5),
        "max_lr",
    ),
    (
        "lr_range_test-beta",
        lambda v: lr_finder.lr_range_test(
            optim.SGD(), LS, np.zeros(3), steps=5, beta=v
        ),
        "beta",
    ),
    (
        "run-blowup",
        lambda v: run(optim.SGD(), RAVINE, [1.0, 1.0], 2, blowup=v),
        "blowup",
    ),
    ("newton-tol", lambda v: second_order.newton(RAVINE, [1.0, 1.0], tol=v), "tol"),
    ("lbfgs-c1", lambda v: second_order.lbfgs(RAVINE, [1.0, 1.0], c1=v), "c1"),
    (
        "backtracking-rho",
        lambda v: second_order.backtracking(
            RAVINE,
            np.ones(2),
            -RAVINE.grad(np.ones(2)),
            101.0,
            RAVINE.grad(np.ones(2)),
            rho=v,
        ),
        "rho",
    ),
    ("svrg-lr", lambda v: _vr("svrg", lr=v), "lr"),
    ("log_slider-low", lambda v: widgets.log_slider("η", v, 1.0, 3, 0.1), "low"),
]


@pytest.mark.parametrize("value", ["0.1", [0.1], 0.1 + 0j, True, None, object()])
@pytest.mark.parametrize(
    "call, name", [c[1:] for c in NUMBERS], ids=[c[0] for c in NUMBERS]
)
def test_a_string_list_complex_bool_or_none_for_a_number_is_refused_naming_it(
    call, name, value
):
    refused(lambda: call(value), name)


@pytest.mark.parametrize("value", [np.nan, -np.inf])
@pytest.mark.parametrize(
    "call, name", [c[1:] for c in NUMBERS], ids=[c[0] for c in NUMBERS]
)
def test_nan_is_refused_everywhere(call, name, value):
    refused(lambda: call(value), name)


WHERE_INFINITY_MEANS_NOTHING = [
    c for c in NUMBERS if c[0].split("-")[0] not in ("clip_by_value", "run")
]


@pytest.mark.parametrize(
    "call, name",
    [c[1:] for c in WHERE_INFINITY_MEANS_NOTHING],
    ids=[c[0] for c in WHERE_INFINITY_MEANS_NOTHING],
)
def test_infinity_is_refused_where_it_means_nothing(call, name):
    refused(lambda: call(np.inf), name)


@pytest.mark.parametrize(
    "call",
    [
        lambda: clipping.clip_by_value([1.0, -3.0], np.inf),
        lambda: clipping.clip_by_norm([1.0, -3.0], np.inf),
        lambda: clipping.get_total_norm([1.0, -3.0], np.inf),
        lambda: run(optim.SGD(), RAVINE, [1.0, 1.0], 3, blowup=np.inf),
        lambda: adaptive.adam_step_bound(0.9, 0.999, np.inf),
    ],
    ids=["clip_value", "max_norm", "norm_type", "blowup", "adam_step_bound-t"],
)
def test_infinity_is_accepted_where_it_means_something(call):
    call()


OUT_OF_RANGE = [
    ("SGD-lr", lambda: _step(optim.SGD, lr=-0.1), "lr must lie in [0.0, inf)"),
    (
        "SGD-dampening",
        lambda: _step(optim.SGD, dampening=1.5),
        "dampening must lie in [0.0, 1.0]",
    ),
    (
        "RMSprop-alpha",
        lambda: _step(optim.RMSprop, alpha=1.0),
        "alpha must lie in [0.0, 1.0)",
    ),
    (
        "Adam-betas",
        lambda: _step(optim.Adam, betas=(0.9, 1.0)),
        "betas[1] must lie in [0.0, 1.0)",
    ),
    (
        "Adadelta-rho",
        lambda: _step(optim.Adadelta, rho=1.5),
        "rho must lie in [0.0, 1.0]",
    ),
    (
        "NAdam-momentum_decay",
        lambda: _step(optim.NAdam, momentum_decay=-0.1),
        "momentum_decay must lie in [0.0, inf)",
    ),
    (
        "Rprop-etas",
        lambda: _step(optim.Rprop, etas=(0.5, 1.0)),
        "etas[1] must lie in (1.0, inf)",
    ),
    (
        "Muon-momentum",
        lambda: _step(optim.Muon, momentum=1.0),
        "momentum must lie in [0.0, 1.0)",
    ),
    (
        "Adafactor-beta2_decay",
        lambda: _step(optim.Adafactor, beta2_decay=0.5),
        "beta2_decay must lie in (-inf, 0.0]",
    ),
    ("Adafactor-d", lambda: _step(optim.Adafactor, d=0.5), "d must lie in [1.0, inf)"),
    (
        "sweep-momentum",
        lambda: momentum.sweep(RAVINE, [1.0, 1.0], [0.1], [1.5], 2),
        "momentum must lie in [0.0, 1.0)",
    ),
    (
        "quadratic_rate-lr",
        lambda: momentum.quadratic_rate(-0.1, 0.5, [1.0]),
        "lr must lie in [0.0, inf)",
    ),
    ("optimal_gd-L", lambda: momentum.optimal_gd(2.0, 1.0), "L must lie in [2.0, inf)"),
    ("Rosenbrock-b", lambda: objectives.Rosenbrock(b=-1.0), "b must lie in [0.0, inf)"),
    (
        "make_classification-density",
        lambda: objectives.make_classification(density=1.5),
        "density must lie in (0.0, 1.0]",
    ),
    (
        "correction_factor-t",
        lambda: adaptive.correction_factor(0.9, 0.5),
        "t must lie in [1.0, inf)",
    ),
    (
        "smooth-beta",
        lambda: lr_finder.smooth([1.0, 2.0], beta=1.0),
        "beta must lie in [0.0, 1.0)",
    ),
    (
        "steepest-skip_start",
        lambda: lr_finder.steepest([1e-3, 1e-2], [2.0, 1.0], skip_start=1.0),
        "skip_start must lie in [0.0, 1.0)",
    ),
    (
        "strong_wolfe-c2",
        lambda: second_order.strong_wolfe(
            RAVINE,
            np.ones(2),
            -RAVINE.grad(np.ones(2)),
            101.0,
            RAVINE.grad(np.ones(2)),
            c2=1e-5,
        ),
        "c2 must lie in",
    ),
    (
        "hessian_vector_product-eps",
        lambda: second_order.hessian_vector_product(
            RAVINE, np.ones(2), np.ones(2), eps=0.0
        ),
        "eps must lie in (0.0, inf)",
    ),
    (
        "sgd-probabilities",
        lambda: _vr("sgd", probabilities=np.r_[0.0, np.full(39, 1 / 39)]),
        "probabilities must lie in (0.0, 1.0]",
    ),
    (
        "importance_probabilities-uniform",
        lambda: variance_reduction.importance_probabilities(LS, uniform=2.0),
        "uniform must lie in [0.0, 1.0]",
    ),
]


@pytest.mark.parametrize(
    "call, message", [c[1:] for c in OUT_OF_RANGE], ids=[c[0] for c in OUT_OF_RANGE]
)
def test_a_number_out_of_range_is_refused_with_the_allowed_interval(call, message):
    refused(call, message)


INTEGERS = [
    ("run-steps", lambda v: run(optim.SGD(), RAVINE, [1.0, 1.0], v), "steps"),
    (
        "run-record_every",
        lambda v: run(optim.SGD(), RAVINE, [1.0, 1.0], 2, record_every=v),
        "record_every",
    ),
    (
        "run-batch_size",
        lambda v: run(optim.SGD(), LS, np.zeros(3), 2, batch_size=v),
        "batch_size",
    ),
    ("minibatches-n", lambda v: minibatches(0, v, 1), "n"),
    ("MLP-hidden", lambda v: mlp.MLP(_XD, _YD, hidden=v), "hidden"),
    ("digits-n_train", lambda v: mlp.digits(n_train=v), "n_train"),
    ("make_regression-dim", lambda v: objectives.make_regression(n=5, dim=v), "dim"),
    (
        "measured_rate-start",
        lambda v: momentum.measured_rate(0.5 ** np.arange(10.0), start=v),
        "start",
    ),
    ("step_decay-step_size", lambda v: schedules.step_decay(0.1, v), "step_size"),
    ("lbfgs-m", lambda v: second_order.lbfgs(RAVINE, [1.0, 1.0], m=v), "m"),
    (
        "conjugate_gradient-max_iter",
        lambda v: second_order.conjugate_gradient(lambda u: u, np.ones(2), max_iter=v),
        "max_iter",
    ),
    ("saga-steps", lambda v: _vr("saga", steps=v), "steps"),
    (
        "sag_estimate-n",
        lambda v: variance_reduction.sag_estimate(1.0, 0.0, 0.0, v),
        "n",
    ),
    ("shades-k", lambda v: plotting.shades(v), "k"),
    (
        "contour-levels",
        lambda v: plotting.contour(
            plt.subplots()[1], RAVINE, (-1, 1), (-1, 1), levels=v, resolution=5
        ),
        "levels",
    ),
    (
        "linear_slider-digits",
        lambda v: widgets.linear_slider("β", 0.0, 1.0, 3, 0.5, digits=v),
        "digits",
    ),
    ("verify_all-k", lambda v: widgets.verify_all(k=v), "k"),
    ("Muon-ns_steps", lambda v: _step(optim.Muon, ns_steps=v), "ns_steps"),
    (
        "zeropower_via_newtonschulz-ns_steps",
        lambda v: optim.zeropower_via_newtonschulz(np.ones((2, 2)), ns_steps=v),
        "ns_steps",
    ),
]


NONE_IS_THE_DEFAULT = (
    "run-batch_size",
    "measured_rate-start",
    "conjugate_gradient-max_iter",
)
BAD_COUNTS = [
    pytest.param(call, name, value, id=f"{key}-{value!r}")
    for key, call, name in INTEGERS
    for value in (2.5, 2.0, "3", True, None, -1)
    if not (value is None and key in NONE_IS_THE_DEFAULT)
]


@pytest.mark.parametrize("call, name, value", BAD_COUNTS)
def test_an_integer_count_refuses_floats_bools_strings_and_negatives(call, name, value):
    refused(lambda: call(value), name)


def test_an_integer_count_accepts_numpy_integers():
    rec = run(optim.SGD(), LS, np.zeros(3), np.int64(4), batch_size=np.int32(8))
    assert rec.steps == 4 and rec.grad_evals[-1] == 32


# rng: the same seed, given as an integer or as a Generator, draws the same numbers
SEEDED = [
    (
        "run",
        lambda rng: (
            run(optim.SGD(lr=0.01), LS, np.zeros(3), 5, batch_size=4, rng=rng).x
        ),
    ),
    (
        "lr_range_test",
        lambda rng: (
            lr_finder.lr_range_test(
                optim.SGD(), LS, np.zeros(3), steps=5, batch_size=4, rng=rng
            ).loss
        ),
    ),
    ("minibatches", lambda rng: next(minibatches(rng, 10, 3))),
    ("sampler", lambda rng: next(sampler(LS, 4, rng))),
    ("sgd", lambda rng: _vr("sgd", rng=rng).x),
    ("svrg", lambda rng: _vr("svrg", rng=rng, inner_steps=4).x),
    ("saga", lambda rng: _vr("saga", rng=rng).x),
    ("sag", lambda rng: _vr("sag", rng=rng).x),
    ("MLP.init", lambda rng: NET.init(rng)),
    ("digits", lambda rng: mlp.digits(n_train=100, seed=rng)[0]),
    ("make_regression", lambda rng: objectives.make_regression(n=5, seed=rng)[0]),
    (
        "make_classification",
        lambda rng: objectives.make_classification(n=5, dim=2, seed=rng)[0],
    ),
    ("NoisySum", lambda rng: objectives.NoisySum(RAVINE, n=5, seed=rng).u),
    (
        "with_condition_number",
        lambda rng: objectives.Quadratic.with_condition_number(10.0, 3, seed=rng).A,
    ),
]


@pytest.mark.parametrize("draw", [c[1] for c in SEEDED], ids=[c[0] for c in SEEDED])
def test_rng_accepts_a_seed_or_a_generator_everywhere_as_default_rng_does(draw):
    by_seed = draw(3)
    np.testing.assert_array_equal(by_seed, draw(np.int64(3)))
    np.testing.assert_array_equal(by_seed, draw(np.random.default_rng(3)))
    np.testing.assert_array_equal(by_seed, draw(np.random.SeedSequence(3)))


@pytest.mark.parametrize("value", ["3", 1.5, True, -1, object()])
@pytest.mark.parametrize("draw", [c[1] for c in SEEDED], ids=[c[0] for c in SEEDED])
def test_rng_refuses_what_default_rng_refuses(draw, value):
    message = refused(lambda: draw(value), "")
    assert message.split()[0] in ("rng", "seed") and "np.random.Generator" in message


def test_rng_none_is_seed_zero_where_it_is_optional_and_refused_where_it_is_required():
    a = run(optim.SGD(lr=0.01), LS, np.zeros(3), 5, batch_size=4)
    b = run(optim.SGD(lr=0.01), LS, np.zeros(3), 5, batch_size=4, rng=0)
    np.testing.assert_array_equal(a.x, b.x)
    refused(lambda: _vr("saga", rng=None), "rng")
    refused(lambda: minibatches(None, 10, 3), "rng")


START_POINTS = [
    ("run", lambda x0: run(optim.SGD(), RAVINE, x0, 3)),
    (
        "lr_range_test",
        lambda x0: lr_finder.lr_range_test(optim.SGD(), RAVINE, x0, steps=3),
    ),
    ("Recorder", lambda x0: Recorder(RAVINE, x0, 3)),
    ("sweep", lambda x0: momentum.sweep(RAVINE, x0, [0.001], [0.5], 3)),
    ("newton", lambda x0: second_order.newton(RAVINE, x0)),
    ("newton_cg", lambda x0: second_order.newton_cg(RAVINE, x0)),
    ("lbfgs", lambda x0: second_order.lbfgs(RAVINE, x0)),
    (
        "sgd",
        lambda x0: variance_reduction.sgd(
            objectives.NoisySum(RAVINE, n=10), x0, 0.001, 3, 0
        ),
    ),
    (
        "svrg",
        lambda x0: variance_reduction.svrg(
            objectives.NoisySum(RAVINE, n=10), x0, 0.001, 1, 0
        ),
    ),
    (
        "saga",
        lambda x0: variance_reduction.saga(
            objectives.NoisySum(RAVINE, n=10), x0, 0.001, 3, 0
        ),
    ),
    (
        "sag",
        lambda x0: variance_reduction.sag(
            objectives.NoisySum(RAVINE, n=10), x0, 0.001, 3, 0
        ),
    ),
]


@pytest.mark.parametrize("x0", [[np.nan, 1.0], [1.0, np.inf]], ids=["nan", "inf"])
@pytest.mark.parametrize(
    "call", [c[1] for c in START_POINTS], ids=[c[0] for c in START_POINTS]
)
def test_a_non_finite_start_point_is_refused_not_reported_as_diverged(call, x0):
    assert "must be finite" in refused(lambda: call(x0), "x0")


@pytest.mark.parametrize(
    "x0",
    [[1.0, 1.0, 1.0], [[1.0, 1.0]], [], "ab", None, [1j, 0.0]],
    ids=["length", "2-D", "empty", "string", "None", "complex"],
)
@pytest.mark.parametrize(
    "call", [c[1] for c in START_POINTS], ids=[c[0] for c in START_POINTS]
)
def test_a_start_point_of_the_wrong_shape_or_type_is_refused(call, x0):
    refused(lambda: call(x0), "x0")


def test_the_start_point_is_never_modified():
    x0 = np.array([1.0, 1.0])
    for _, call in START_POINTS:
        call(x0)
    np.testing.assert_array_equal(x0, [1.0, 1.0])


SHAPES_AND_DATA = [
    ("step-grad", lambda: optim.Adam().step(np.ones(2), np.ones(3)), "grad"),
    ("step-x", lambda: optim.Adam().step("ab", np.ones(2)), "x"),
    (
        "step-dict-grad",
        lambda: optim.Adam().step({"W": np.ones(2)}, {"W": np.ones(3)}),
        "grad['W']",
    ),
    (
        "step-dict-names",
        lambda: optim.Adam().step({"W": np.ones(2)}, {"V": np.ones(2)}),
        "'W'",
    ),
    (
        "step-dict-x",
        lambda: optim.Adam().step({"W": "ab"}, {"W": np.ones(2)}),
        "x['W']",
    ),
    (
        "Muon-vector",
        lambda: optim.Muon().step({"b": np.ones(2)}, {"b": np.ones(2)}),
        "'b'",
    ),
    (
        "zeropower_via_newtonschulz-G",
        lambda: optim.zeropower_via_newtonschulz(np.ones(3)),
        "G",
    ),
    (
        "MLP.pack-parts",
        lambda: NET.pack({**NET.unpack(NET.init(0)), "b1": np.ones(2)}),
        "parts['b1']",
    ),
    ("objective-x", lambda: RAVINE.loss(np.ones(3)), "x"),
    ("objective-complex", lambda: RAVINE.grad(np.ones(2) + 1j), "x"),
    ("Quadratic-A", lambda: objectives.Quadratic([[1.0, np.nan], [np.nan, 1.0]]), "A"),
    (
        "LeastSquares-X",
        lambda: objectives.LeastSquares(np.c_[_X[:, :2], np.full(40, np.inf)], _Y),
        "X",
    ),
    ("LeastSquares-y", lambda: objectives.LeastSquares(_X, _Y[:5]), "y"),
    (
        "LogisticRegression-y",
        lambda: objectives.LogisticRegression(_XC, 2 * _YC - 1),
        "y",
    ),
    ("batch_grad-idx", lambda: LS.batch_grad(np.zeros(3), [0.5]), "idx"),
    ("MLP-X", lambda: mlp.MLP(np.full((3, 2), np.nan), [0, 1, 1]), "X"),
    ("MLP.logits-X", lambda: NET.logits(NET.init(0), np.ones((2, 5))), "X"),
    ("MLP.loss-theta", lambda: NET.loss(np.ones(3)), "theta"),
    (
        "make_regression-scales",
        lambda: objectives.make_regression(n=5, dim=2, scales=[1.0]),
        "scales",
    ),
    (
        "measured_rate-window",
        lambda: momentum.measured_rate(0.5 ** np.arange(10.0), 8, 3),
        "start and stop",
    ),
    ("measured_rate-errors", lambda: momentum.measured_rate([[1.0, 0.5]]), "errors"),
    (
        "quadratic_rate-eigenvalues",
        lambda: momentum.quadratic_rate(0.1, 0.5, []),
        "eigenvalues",
    ),
    (
        "nesterov_lookahead-grad",
        lambda: momentum.nesterov_lookahead(
            lambda x: np.ones(3), [1.0, 1.0], 0.1, 0.5, 2
        ),
        "grad",
    ),
    ("smooth-losses", lambda: lr_finder.smooth(np.ones((2, 2))), "losses"),
    ("steepest-lr", lambda: lr_finder.steepest([-1.0, 1.0], [2.0, 1.0]), "lr"),
    ("clip_by_norm-g", lambda: clipping.clip_by_norm(None, 1.0), "g"),
    (
        "conjugate_gradient-b",
        lambda: second_order.conjugate_gradient(lambda u: u, [np.nan, 1.0]),
        "b",
    ),
    (
        "hessian_vector_product-v",
        lambda: second_order.hessian_vector_product(RAVINE, np.ones(2), [np.nan, 1.0]),
        "v",
    ),
    (
        "two_loop_direction-pairs",
        lambda: second_order.two_loop_direction(np.ones(2), [np.ones(2)], []),
        "s_list and y_list",
    ),
    (
        "two_loop_direction-curvature",
        lambda: second_order.two_loop_direction(
            np.ones(2), [np.ones(2)], [-np.ones(2)]
        ),
        "s @ y > 0",
    ),
    (
        "sgd-probabilities",
        lambda: _vr("sgd", probabilities=np.full(10, 0.1)),
        "probabilities",
    ),
    (
        "path-points",
        lambda: plotting.path(plt.subplots()[1], np.zeros((3, 3))),
        "points",
    ),
    (
        "contour-xlim",
        lambda: plotting.contour(plt.subplots()[1], RAVINE, (1, -1), (-1, 1)),
        "xlim",
    ),
    (
        "selection_slider-values",
        lambda: widgets.selection_slider("η", ["a", "b"], 1.0),
        "values",
    ),
]


@pytest.mark.parametrize(
    "call, name", [c[1:] for c in SHAPES_AND_DATA], ids=[c[0] for c in SHAPES_AND_DATA]
)
def test_wrong_shapes_bad_data_and_empty_arrays_are_refused_naming_the_argument(
    call, name
):
    refused(call, name)


KINDS = [
    ("run-optimizer-None", lambda: run(None, RAVINE, [1.0, 1.0], 2), "optimizer"),
    ("run-optimizer-class", lambda: run(optim.SGD, RAVINE, [1.0, 1.0], 2), "optimizer"),
    ("run-objective", lambda: run(optim.SGD(), "ravine", [1.0, 1.0], 2), "objective"),
    (
        "run-schedule",
        lambda: run(optim.SGD(), RAVINE, [1.0, 1.0], 2, schedule=0.1),
        "schedule",
    ),
    ("run-label", lambda: run(optim.SGD(), RAVINE, [1.0, 1.0], 2, label=3), "label"),
    (
        "run-batches-of-a-deterministic-objective",
        lambda: run(optim.SGD(), RAVINE, [1.0, 1.0], 2, batch_size=2),
        "batch_size",
    ),
    ("NoisySum-base", lambda: objectives.NoisySum(None), "base"),
    (
        "newton-needs-a-hessian",
        lambda: second_order.newton(NoHessian(), [1.0, 1.0]),
        "hessian",
    ),
    (
        "saga-finite-sum",
        lambda: variance_reduction.saga(RAVINE, np.zeros(2), 0.1, 3, 0),
        "objective",
    ),
    (
        "importance_probabilities-objective",
        lambda: variance_reduction.importance_probabilities(RAVINE),
        "objective",
    ),
    (
        "contour-dimension",
        lambda: plotting.contour(plt.subplots()[1], LS, (-1, 1), (-1, 1)),
        "objective",
    ),
    ("color-name", lambda: plotting.color(3), "name"),
    ("shades-cmap", lambda: plotting.shades(3, "no such map"), "cmap"),
    (
        "conjugate_gradient-matvec",
        lambda: second_order.conjugate_gradient(None, np.ones(2)),
        "matvec",
    ),
    ("feedback-message", lambda: widgets.feedback("correct", None), "message"),
    ("Option-label", lambda: widgets.Option(3, "why"), "label"),
    ("register-exercise", lambda: widgets.register(None), "exercise"),
]


@pytest.mark.parametrize(
    "call, name", [c[1:] for c in KINDS], ids=[c[0] for c in KINDS]
)
def test_objects_of_the_wrong_kind_are_refused_at_once(call, name):
    refused(call, name)


SWITCHES = [
    ("SGD-nesterov", lambda v: optim.SGD(momentum=0.9, nesterov=v), "nesterov"),
    ("RMSprop-centered", lambda v: optim.RMSprop(centered=v), "centered"),
    ("Adam-amsgrad", lambda v: optim.Adam(amsgrad=v), "amsgrad"),
    (
        "Adam-decoupled_weight_decay",
        lambda v: optim.Adam(decoupled_weight_decay=v),
        "decoupled_weight_decay",
    ),
    (
        "NAdam-decoupled_weight_decay",
        lambda v: optim.NAdam(decoupled_weight_decay=v),
        "decoupled_weight_decay",
    ),
    (
        "RAdam-decoupled_weight_decay",
        lambda v: optim.RAdam(decoupled_weight_decay=v),
        "decoupled_weight_decay",
    ),
    (
        "quadratic_rate-nesterov",
        lambda v: momentum.quadratic_rate(0.1, 0.5, [1.0], nesterov=v),
        "nesterov",
    ),
    (
        "newton-line_search",
        lambda v: second_order.newton(RAVINE, [1.0, 1.0], line_search=v),
        "line_search",
    ),
    (
        "contour-mark_minimum",
        lambda v: plotting.contour(
            plt.subplots()[1], RAVINE, (-1, 1), (-1, 1), resolution=5, mark_minimum=v
        ),
        "mark_minimum",
    ),
    ("Option-correct", lambda v: widgets.Option("a", "why", correct=v), "correct"),
    ("Muon-nesterov", lambda v: optim.Muon(nesterov=v), "nesterov"),
    (
        "zeropower_via_newtonschulz-bfloat16",
        lambda v: optim.zeropower_via_newtonschulz(np.ones((2, 2)), bfloat16=v),
        "bfloat16",
    ),
]


@pytest.mark.parametrize("value", ["yes", None, 1])
@pytest.mark.parametrize(
    "call, name", [c[1:] for c in SWITCHES], ids=[c[0] for c in SWITCHES]
)
def test_a_switch_must_be_true_or_false(call, name, value):
    refused(lambda: call(value), name)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: momentum.HeavyBall(convention="inside"), "convention"),
        (lambda: _vr("svrg", option="first"), "option"),
        (lambda: second_order.newton_cg(RAVINE, [1.0, 1.0], hvp=None), "hvp"),
        (lambda: optim.Muon(adjust_lr_fn="adamw"), "adjust_lr_fn"),
    ],
    ids=["convention", "option", "hvp", "adjust_lr_fn"],
)
def test_a_choice_names_the_options_allowed(call, name):
    assert "must be" in refused(call, name)


# ----------------------------------------------------------------- loops with a bound


def test_minibatches_larger_than_the_data_are_refused_at_once_not_an_endless_loop():
    refused(lambda: minibatches(np.random.default_rng(0), 10, 20), "batch_size")
    refused(lambda: minibatches(np.random.default_rng(0), 0, 1), "n")


@pytest.mark.parametrize("tol", [1e-17, 1e-300])
def test_a_tolerance_below_the_rounding_error_of_one_is_refused_not_an_endless_loop(
    tol,
):
    assert "tol must lie in" in refused(
        lambda: adaptive.steps_until_within(0.9, tol), "tol"
    )


@pytest.mark.parametrize(
    "beta, tol", [(0.999999, 2.3e-16), (1 - 1e-9, 2.3e-16), (1 - 1e-15, 0.05)]
)
def test_steps_until_within_finds_the_first_step_quickly_even_far_from_its_estimate(
    beta, tol
):
    start = time.perf_counter()
    t = adaptive.steps_until_within(beta, tol)
    assert time.perf_counter() - start < 1.0
    assert adaptive.correction_factor(beta, t) < 1 + tol
    assert not adaptive.correction_factor(beta, t - 1) < 1 + tol


# ----------------------------------------------------------------- ε = 0


@pytest.mark.parametrize(
    "make",
    [
        lambda: optim.Adam(eps=0.0),
        lambda: optim.AdamW(eps=0.0),
        lambda: optim.RMSprop(eps=0.0),
        lambda: optim.Adagrad(eps=0.0),
        lambda: optim.Adam(eps=np.array([[0.0], [1e-8]])),
        lambda: optim.Adadelta(eps=0.0),
        lambda: optim.Adamax(eps=0.0),
        lambda: optim.NAdam(eps=0.0),
        lambda: optim.NAdam(eps=np.array([[0.0], [1e-8]])),
    ],
    ids=[
        "Adam",
        "AdamW",
        "RMSprop",
        "Adagrad",
        "Adam-sweep",
        "Adadelta",
        "Adamax",
        "NAdam",
        "NAdam-sweep",
    ],
)
def test_eps_zero_is_refused_at_the_step_where_it_would_divide_zero_by_zero(make):
    opt, x = make(), np.ones((2, 2))
    x = opt.step(x, np.ones((2, 2)))  # nonzero gradients: no zero denominator
    assert np.all(np.isfinite(x))
    opt.reset()
    message = refused(lambda: opt.step(x, np.array([[1.0, 0.0], [1.0, 0.0]])), "eps")
    assert "eps=0 divides by zero at step 1" in message


def test_eps_zero_keeps_the_exact_scale_free_step_the_book_analyses():
    x1 = optim.Adam(lr=0.5, eps=0.0).step(np.zeros(3), np.array([1e-100, -3.0, 1e6]))
    np.testing.assert_allclose(x1, [-0.5, 0.5, -0.5], rtol=1e-12)  # lr times the sign


def test_eps_zero_inside_the_root_never_divides_by_zero():
    opt = adaptive.AdamEpsRoot(lr=1.0, eps=0.0, eps_root=1e-8)
    np.testing.assert_array_equal(opt.step(np.ones(2), np.zeros(2)), np.ones(2))


# ----------------------------------------------------------------- degenerate data


def test_least_squares_with_collinear_columns_has_the_least_norm_minimiser():
    X = np.c_[_X[:, 0], 2 * _X[:, 0], _X[:, 1]]  # column 2 = 2 × column 1
    problem = objectives.LeastSquares(X, _Y)
    x_star = problem.minimizer
    np.testing.assert_allclose(problem.grad(x_star), 0.0, atol=1e-12)
    np.testing.assert_allclose(x_star, np.linalg.pinv(X) @ _Y, rtol=1e-10)
    assert abs(x_star @ [2.0, -1.0, 0.0]) < 1e-12  # no component along the null space
    assert problem.min_loss == pytest.approx(problem.loss(x_star))


def test_least_squares_with_fewer_examples_than_parameters_interpolates():
    problem = objectives.LeastSquares(_X[:2], _Y[:2])
    assert problem.min_loss == pytest.approx(0.0, abs=1e-20)


def test_least_squares_that_is_well_posed_still_solves_the_normal_equations():
    problem = objectives.LeastSquares(_X, _Y, l2=0.1)
    H = _X.T @ _X / 40 + 0.1 * np.eye(3)
    np.testing.assert_array_equal(problem.minimizer, np.linalg.solve(H, _X.T @ _Y / 40))


def test_logistic_regression_without_l2_on_separable_data_has_no_finite_minimiser():
    X = np.r_[np.eye(2), -np.eye(2)]
    problem = objectives.LogisticRegression(X, [1, 1, 0, 0], l2=0.0)
    assert problem.minimizer is None and problem.min_loss is None


def test_logistic_regression_without_l2_on_overlapping_classes_has_its_minimiser():
    problem = objectives.LogisticRegression(_XC, _YC, l2=0.0)
    np.testing.assert_allclose(problem.grad(problem.minimizer), 0.0, atol=1e-12)
    collinear = np.c_[_XC[:, 0], 2 * _XC[:, 0], _XC[:, 1]]
    degenerate = objectives.LogisticRegression(collinear, _YC, l2=0.0)
    np.testing.assert_allclose(degenerate.grad(degenerate.minimizer), 0.0, atol=1e-12)


def test_a_quadratic_that_is_not_positive_definite_has_an_infinite_condition_number():
    assert objectives.Quadratic(np.diag([1.0, 0.0])).condition_number == np.inf
    assert objectives.Quadratic(np.diag([1.0, -1.0])).condition_number == np.inf


@pytest.mark.parametrize(
    "labels",
    [[0, 1, 7], [0, 1, -1], [0.0, 1.0, 2.0]],
    ids=["unseen", "negative", "float"],
)
@pytest.mark.parametrize("method", ["evaluate", "accuracy", "cross_entropy"])
def test_an_mlp_refuses_labels_it_has_no_output_for(method, labels):
    theta = NET.init(0)
    refused(lambda: getattr(NET, method)(theta, _XD[:3], np.array(labels)), "y")


# ----------------------------------------------------------------- widgets and labels


def _explorer(**kwargs):
    fig, ax = plt.subplots(figsize=(2, 2), dpi=30)
    (line,) = ax.plot([0, 1], [0, 0])

    def update(a):
        line.set_ydata([0, a])

    controls = {"a": widgets.selection_slider("a", [1.0, 2.0], 1.0)}
    return widgets.FigureExplorer(fig, kwargs.pop("update", update), controls, **kwargs)


def test_an_explorer_whose_alt_text_fails_raises_at_construction_not_at_the_reader():
    def alt(a):
        raise KeyError("no description")

    message = refused(lambda: _explorer(alt=alt), "alt failed for the setting")
    assert "{'a': 1.0}" in message and "KeyError" in message


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(alt=lambda a: None), "alt must return a string"),
        (dict(alt=3), "alt must be a string or a function"),
        (dict(update=lambda a: 3), "update must return a caption"),
        (dict(update=None), "update"),
    ],
    ids=["alt-None", "alt-number", "caption-number", "update-None"],
)
def test_an_explorer_refuses_what_it_cannot_show(kwargs, name):
    refused(lambda: _explorer(**kwargs), name)


def test_an_explorer_whose_update_fails_tells_the_reader_in_a_sentence():
    def update(a):
        raise ValueError("no such setting")

    explorer = _explorer(update=update, alt="a line")
    assert "Could not draw this setting" in explorer.shown[0]


def test_a_trajectory_explorer_names_the_setting_whose_simulation_failed():
    def simulate(lr):
        raise RuntimeError("boom")

    controls = {"lr": widgets.selection_slider("η", [0.001, 0.002], 0.001)}
    with pytest.raises(RuntimeError) as error:
        widgets.TrajectoryExplorer(RAVINE, simulate, controls, (-1, 1), (-1, 1))
    assert "simulate({'lr': 0.001})" in " ".join(error.value.__notes__)
    refused(
        lambda: widgets.TrajectoryExplorer(
            RAVINE, lambda lr: "no record", controls, (-1, 1), (-1, 1)
        ),
        "simulate must return a Record",
    )


def test_every_label_the_package_gives_its_records_has_a_colour_of_its_own():
    noisy = objectives.NoisySum(RAVINE, n=10)
    labels = [
        second_order.newton(RAVINE, [1.0, 1.0]).label,
        second_order.newton(RAVINE, [1.0, 1.0], damping=0.5).label,
        second_order.newton(RAVINE, [1.0, 1.0], damping=0.5, line_search=True).label,
        second_order.newton(RAVINE, [1.0, 1.0], line_search=True).label,
        second_order.newton_cg(RAVINE, [1.0, 1.0]).label,
        second_order.lbfgs(RAVINE, [1.0, 1.0]).label,
        _vr("svrg", inner_steps=3).label,
        _vr("svrg", inner_steps=3, option="random").label,
        _vr("sgd").label,
        _vr("sgd", probabilities=np.full(40, 1 / 40)).label,
        _vr("saga").label,
        _vr("sag").label,
        run(optim.AdamW(), noisy, [1.0, 1.0], 2).label,
        run(momentum.HeavyBall(), RAVINE, [1.0, 1.0], 2).label,
    ]
    grey = plotting.COLORS["other"]
    assert [label for label in labels if plotting.color(label) == grey] == []


# ------------------------------------------------------------ good input still works


def test_numpy_scalars_zero_d_arrays_and_sweep_arrays_are_still_accepted():
    opt = optim.SGD(lr=np.float64(0.1), momentum=np.array(0.5))
    np.testing.assert_allclose(opt.step(np.ones(2), np.ones(2)), [0.9, 0.9])
    sweep = optim.Adam(lr=np.array([[0.1], [0.01]]), betas=np.array([0.9, 0.999]))
    assert sweep.step(np.ones((2, 3)), np.ones((2, 3))).shape == (2, 3)
    assert clipping.clip_by_norm([3.0, 4.0], np.float32(1.0)) @ [3.0, 4.0] > 0
    assert schedules.cosine_annealing(np.float64(0.1), np.int64(10))(5) > 0
    np.testing.assert_allclose(
        adaptive.adam_step_bound(0.9, 0.999, [1, 10, np.inf])[0], 1.0
    )


def test_lists_are_accepted_where_the_function_makes_an_array_of_them():
    rates = momentum.quadratic_rate([0.1, 0.2], [0.0, 0.5], [1.0, 2.0])
    assert rates.shape == (2,)
    _, diverged = momentum.sweep(RAVINE, [1.0, 1.0], [0.001, 0.02], [0.5, 0.5], 50)
    assert diverged.tolist() == [False, True]
    assert adaptive.correction_factor(0.9, [1, 2]).shape == (2,)


def test_a_list_is_refused_where_an_optimizer_would_store_it():
    refused(lambda: optim.Adagrad(lr=[0.1, 0.2]), "lr")
    refused(lambda: momentum.HeavyBall(lr=[0.1]), "lr")


def test_controls_of_an_explorer_must_be_a_dict_of_selection_widgets():
    fig, _ = plt.subplots()
    refused(
        lambda: widgets.FigureExplorer(fig, lambda a: None, [w.Dropdown(options=[1])]),
        "controls",
    )
