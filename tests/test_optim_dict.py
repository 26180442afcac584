"""Parameters as a dict of named arrays (lessons_py/optim/_base.py): the same update
as one optimizer per array, torch's per-tensor handling of a parameter group, the
state as dicts, the checks that name the array at fault, sweeps over leading axes, and
MLP.pack, the inverse of MLP.unpack."""

import numpy as np
import pytest

from lessons_py import adaptive, mlp, momentum, optim, reference

REFERENCE = reference.load("torch_optim")
DICT_CASES = REFERENCE["dict_cases"]

# keyword arguments that switch on every branch (and every buffer) of a class
BUSY = {
    optim.SGD: dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    optim.ASGD: dict(lr=0.1, lambd=0.5, t0=1.0, weight_decay=0.1),
    optim.Rprop: dict(lr=0.1, step_sizes=(1e-3, 0.5)),
    optim.Adagrad: dict(lr=0.1, lr_decay=0.1, initial_accumulator_value=0.1),
    optim.Adadelta: dict(lr=1.0, rho=0.8, weight_decay=0.1),
    optim.RMSprop: dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1),
    optim.Adam: dict(lr=0.1, amsgrad=True, weight_decay=0.1),
    optim.AdamW: dict(lr=0.1, amsgrad=True),
    optim.Adamax: dict(lr=0.1, weight_decay=0.1),
    optim.NAdam: dict(lr=0.1, weight_decay=0.1, momentum_decay=0.5),
    optim.RAdam: dict(lr=0.1, betas=(0.9, 0.9), weight_decay=0.1),
    optim.Muon: dict(lr=0.05, nesterov=False, adjust_lr_fn="match_rms_adamw"),
    optim.Adafactor: dict(lr=0.1, weight_decay=0.1, d=1.5),
    adaptive.Yogi: dict(lr=0.1, weight_decay=0.1),
    adaptive.AdamEpsRoot: dict(lr=0.1, eps_root=1e-8),
    momentum.HeavyBall: dict(lr=0.1, convention="lr_inside"),
}
SHAPES = {"W1": (4, 3), "b1": (3,), "W2": (3, 2), "scale": ()}
MATRICES = {"W1": (4, 3), "W2": (3, 2)}  # Muon's


def shapes_for(cls):
    return MATRICES if cls is optim.Muon else SHAPES


def draw(shapes, steps, seed=0):
    rng = np.random.default_rng(seed)
    x0 = {k: rng.normal(size=s) for k, s in shapes.items()}
    grads = [
        {k: rng.normal(size=s) * np.exp(rng.normal(size=s)) for k, s in shapes.items()}
        for _ in range(steps)
    ]
    grads[2] = {k: np.zeros(s) for k, s in shapes.items()}
    return x0, grads


def as_arrays(d):
    return {k: np.array(v) for k, v in d.items()}


def kwargs_of(case):
    return {
        k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()
    }


# ------------------------------------------------------------ torch's parameter group


@pytest.mark.parametrize(
    "case", DICT_CASES, ids=lambda c: f"{c['optimizer']}-{sorted(c['x0'])}"
)
def test_a_dict_step_is_torch_s_step_of_a_parameter_group_tensor_by_tensor(case):
    opt = getattr(optim, case["optimizer"])(**kwargs_of(case))
    x = as_arrays(case["x0"])
    for g, lr, expected in zip(case["grads"], case["lrs"], case["expected"]):
        opt.lr = lr
        x = opt.step(x, as_arrays(g))
        assert list(x) == list(case["x0"])
        for name, value in expected.items():
            value = np.array(value)
            assert np.max(np.abs(x[name] - value)) <= 1e-12 * np.max(np.abs(value))
    assert opt.t == len(case["lrs"])  # once per step, not once per tensor
    names = {
        "exp_avg": "m",
        "exp_avg_sq": "v",
        "max_exp_avg_sq": "v_max",
        "momentum_buffer": "b",
        "row_var": "row_var",
        "col_var": "col_var",
        "variance": "variance",
    }
    for name, state in case["state"].items():
        for torch_name, value in state.items():
            ours, value = getattr(opt, names[torch_name])[name], np.array(value)
            scale = max(np.max(np.abs(value)), 1e-300)
            np.testing.assert_allclose(ours, value, rtol=1e-12, atol=1e-12 * scale)


def test_the_dict_cases_mix_matrices_and_vectors_and_zero_gradients():
    assert {c["optimizer"] for c in DICT_CASES} >= {"Adam", "Adafactor", "Muon"}
    assert any({np.ndim(v) for v in c["x0"].values()} == {1, 2} for c in DICT_CASES)
    for case in DICT_CASES:
        assert len(case["x0"]) >= 2 and len(set(case["lrs"])) >= 3
        assert any(not np.any(v) for g in case["grads"] for v in g.values())


# ------------------------------------------- the same update as one optimizer per key


@pytest.mark.parametrize("cls", BUSY, ids=lambda c: c.__name__)
def test_a_dict_step_equals_one_optimizer_per_array(cls):
    shapes = shapes_for(cls)
    x0, grads = draw(shapes, 12)
    lrs = [0.1] * 6 + [0.02] * 6
    together = cls(**BUSY[cls])
    x = dict(x0)
    alone = {k: cls(**BUSY[cls]) for k in shapes}
    y = dict(x0)
    for g, lr in zip(grads, lrs):
        together.lr = lr
        x = together.step(x, g)
        for k in shapes:
            alone[k].lr = lr
            y[k] = alone[k].step(y[k], g[k])
        for k in shapes:
            np.testing.assert_array_equal(x[k], y[k])
    assert together.t == 12 and list(x) == list(shapes)
    for name in together._state + together._scalar_state:
        value = getattr(together, name)
        singles = {k: getattr(alone[k], name) for k in shapes}
        if value is None:
            assert all(v is None for v in singles.values()), name
            continue
        assert isinstance(value, dict), name
        assert list(value) == [k for k, v in singles.items() if v is not None], name
        for k, v in value.items():
            np.testing.assert_array_equal(v, singles[k])
    assert together.state_size() == sum(a.state_size() for a in alone.values())


@pytest.mark.parametrize("cls", BUSY, ids=lambda c: c.__name__)
def test_a_dict_step_leaves_its_arguments_untouched_and_returns_new_arrays(cls):
    x0, grads = draw(shapes_for(cls), 3)
    x_copy = {k: v.copy() for k, v in x0.items()}
    g_copy = [{k: v.copy() for k, v in g.items()} for g in grads]
    opt, x = cls(**BUSY[cls]), x0
    for g in grads:
        x = opt.step(x, g)
    for k in x0:
        np.testing.assert_array_equal(x0[k], x_copy[k])
        assert x[k] is not x0[k]
        for g, g0 in zip(grads, g_copy):
            np.testing.assert_array_equal(g[k], g0[k])


def test_the_result_keeps_the_order_of_the_parameters_whatever_the_gradients():
    x = {"b": np.ones(2), "a": np.ones(3)}
    out = optim.Adam().step(x, {"a": np.ones(3), "b": np.ones(2)})
    assert list(out) == ["b", "a"] and list(optim.Adam().step(x, x)) == ["b", "a"]


def test_the_mlp_trained_per_layer_by_an_elementwise_method_is_trained_as_one_vector():
    X, y, _, _ = mlp.digits(n_train=200, seed=0)
    net = mlp.MLP(X, y, hidden=8)
    theta = net.init(seed=1)
    flat, layers = optim.Adam(lr=1e-2), optim.Adam(lr=1e-2)
    parts = net.unpack(theta)
    for t in range(5):
        idx = np.arange(20 * t, 20 * t + 20)
        theta = flat.step(theta, net.batch_grad(theta, idx))
        grads = net.unpack(net.batch_grad(net.pack(parts), idx))
        parts = layers.step(parts, grads)
        np.testing.assert_array_equal(net.pack(parts), theta)
    assert set(layers.m) == {"W1", "b1", "W2", "b2"}
    assert layers.m["W1"].shape == net.shapes["W1"]


def test_the_usual_split_muon_for_the_hidden_matrix_and_adamw_for_the_rest():
    X, y, _, _ = mlp.digits(n_train=200, seed=0)
    net = mlp.MLP(X, y, hidden=16)
    parts = net.unpack(net.init(seed=2))
    grads = net.unpack(net.grad(net.pack(parts)))
    muon, adamw = optim.Muon(lr=0.02), optim.AdamW(lr=3e-4)
    with pytest.raises(ValueError, match="parameter 'b1': Muon acts on matrices"):
        muon.step(parts, grads)
    assert muon.t == 0 and muon.b is None  # the failed step was not taken
    hidden, rest = ["W2"], ["W1", "b1", "b2"]  # the module docstring's example
    new = muon.step({k: parts[k] for k in hidden}, {k: grads[k] for k in hidden})
    new |= adamw.step({k: parts[k] for k in rest}, {k: grads[k] for k in rest})
    assert net.pack(new).shape == (net.dim,) and set(muon.b) == {"W2"}
    assert "muon.step({k: parts[k] for k in hidden}" in optim.matrix.__doc__


# ----------------------------------------------------------------- state and reset


def test_the_state_is_a_dict_keyed_like_the_parameters_and_reset_clears_it():
    opt = optim.Adam(amsgrad=False)
    x = {"W": np.ones((2, 3)), "b": np.ones(3)}
    assert opt.state_size() == 0
    x = opt.step(x, {"W": np.ones((2, 3)), "b": np.ones(3)})
    assert set(opt.m) == {"W", "b"} and opt.m["W"].shape == (2, 3)
    assert opt.v_max is None  # no buffer of that name for any parameter
    assert opt.state_size() == 2 * (6 + 3)
    opt.reset()
    assert opt.t == 0 and opt.m is None and opt.v is None and opt.state_size() == 0
    opt.step({"other": np.ones(4)}, {"other": np.ones(4)})  # any dict, after reset
    opt.reset()
    opt.step(np.ones(4), np.ones(4))  # or an array again


@pytest.mark.parametrize(
    "params, message",
    [
        ({"W": np.ones((2, 3))}, r"'b' is missing.*reset\(\)"),
        ({"W": np.ones((2, 3)), "b": np.ones(3), "c": np.ones(1)}, "'c' is new"),
        ({"W": np.ones((3, 2)), "b": np.ones(3)}, r"'W' has shape \(3, 2\)"),
    ],
    ids=["missing", "new", "shape"],
)
def test_other_names_or_shapes_without_reset_are_refused_naming_them(params, message):
    opt = optim.SGD(lr=0.1)  # even without buffers: the state belongs to those arrays
    opt.step(
        {"W": np.ones((2, 3)), "b": np.ones(3)}, {"W": np.ones((2, 3)), "b": np.ones(3)}
    )
    with pytest.raises(ValueError, match=message):
        opt.step(params, params)
    assert opt.t == 1


def test_a_dict_after_an_array_and_an_array_after_a_dict_ask_for_reset():
    opt = optim.Adam()
    opt.step(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match=r"single array; call reset\(\)"):
        opt.step({"a": np.ones(2)}, {"a": np.ones(2)})
    opt.reset()
    opt.step({"a": np.ones(2)}, {"a": np.ones(2)})
    with pytest.raises(ValueError, match=r"dict of parameters; call reset\(\)"):
        opt.step(np.ones(2), np.ones(2))


# ------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "grads, message",
    [
        ({"W": np.ones((2, 3))}, "no gradient for 'b'"),
        ({"W": np.ones((2, 3)), "b": np.ones(3), "c": 1.0}, "'c' is not a parameter"),
        (
            {"W": np.ones((2, 3)), "b": np.ones(4)},
            r"grad\['b'\] must have the shape of x\['b'\], \(3,\), got \(4,\)",
        ),
        ({"W": "ab", "b": np.ones(3)}, r"grad\['W'\] must be"),
        (np.ones(9), "grad must be a dict keyed like the parameters"),
    ],
    ids=["missing", "extra", "shape", "string", "array"],
)
def test_gradients_that_do_not_match_the_parameters_are_refused_naming_the_key(
    grads, message
):
    opt = optim.Adam()
    with pytest.raises(ValueError, match=message):
        opt.step({"W": np.ones((2, 3)), "b": np.ones(3)}, grads)
    assert opt.t == 0 and opt.m is None


def test_parameters_that_are_not_arrays_or_none_at_all_are_refused():
    with pytest.raises(ValueError, match=r"x\['W'\] must be an array of real numbers"):
        optim.Adam().step({"W": None}, {"W": np.ones(2)})
    with pytest.raises(ValueError, match="x must hold at least one parameter"):
        optim.Adam().step({}, {})


def test_an_error_in_the_update_of_one_array_names_it_and_the_step_is_not_taken():
    opt = optim.Adam(eps=0.0)  # "b" has seen only zero gradients: 0/0
    with pytest.raises(ValueError, match="parameter 'b': eps=0 divides by zero"):
        opt.step(
            {"W": np.ones(2), "b": np.ones(2)}, {"W": np.ones(2), "b": np.zeros(2)}
        )
    assert opt.t == 0 and opt.m is None and opt.state_size() == 0
    # after a good step: W1 is updated first, W2 fails, and nothing is kept
    muon = optim.Muon(eps=0.0, momentum=0.0)
    x = {"W1": np.ones((2, 3)), "W2": np.ones((3, 2))}
    x = muon.step(x, {"W1": np.ones((2, 3)), "W2": np.ones((3, 2))})
    before = {k: v.copy() for k, v in muon.b.items()}
    with pytest.raises(ValueError, match="parameter 'W2': eps=0 divides by zero"):
        muon.step(x, {"W1": 2 * np.ones((2, 3)), "W2": np.zeros((3, 2))})
    assert muon.t == 1 and set(muon.b) == {"W1", "W2"}
    for k in before:
        np.testing.assert_array_equal(muon.b[k], before[k])


def test_a_hyperparameter_that_does_not_fit_an_array_names_the_array():
    x = {"W": np.ones((3, 4, 2)), "b": np.ones((3, 2))}
    with pytest.raises(ValueError, match=r"parameter 'b': lr has shape \(3, 1, 1\)"):
        optim.Adam(lr=np.full((3, 1, 1), 0.1)).step(x, x)
    with pytest.raises(ValueError, match=r"parameter 'W': lr of shape \(5, 1, 1\)"):
        optim.Adam(lr=np.full(5, 0.1)).step(x, x)
    with pytest.raises(ValueError, match=r"parameter 'W': Muon acts on matrices"):
        optim.Muon().step(x, x)  # a stack (3, 4, 2) is runs only with run_axes=1
    # and then a stack of vectors (3, 2) is no matrix
    opt = optim.Muon()
    opt.run_axes = 1
    with pytest.raises(ValueError, match=r"parameter 'b': .*after run_axes=1"):
        opt.step(x, x)


# ------------------------------------------------------ sweeps over leading axes


def sweep_case(cls, kwargs, single, run_axes=0, lr_shape=(3,)):
    """A dict whose arrays carry 3 leading runs, against the 3 runs alone."""
    shapes = MATRICES if cls is optim.Muon else {"W": (4, 3), "b": (3,)}
    rng = np.random.default_rng(11)
    x0 = {k: rng.normal(size=(3, *s)) for k, s in shapes.items()}
    grads = [{k: rng.normal(size=(3, *s)) for k, s in shapes.items()} for _ in range(8)]
    grads[3] = {k: np.zeros((3, *s)) for k, s in shapes.items()}
    lr = np.array([0.1, 0.03, 0.01]).reshape(lr_shape)
    opt = cls(lr=lr, **kwargs)
    opt.run_axes = run_axes
    x = x0
    out = []
    for g in grads:
        x = opt.step(x, g)
        out.append(x)
    assert opt.lr is lr  # restored after the step
    for r in range(3):
        alone = cls(lr=float(lr.ravel()[r]), **single(r))
        y = {k: v[r] for k, v in x0.items()}
        for g, want in zip(grads, out):
            y = alone.step(y, {k: v[r] for k, v in g.items()})
            for k in y:
                np.testing.assert_allclose(want[k][r], y[k], rtol=1e-14, atol=1e-300)


BETA1 = np.array([0.0, 0.5, 0.9])


@pytest.mark.parametrize("lr_shape", [(3,), (3, 1)], ids=["runs", "runs-1"])
def test_a_sweep_over_the_leading_axes_of_a_dict_equals_separate_runs(lr_shape):
    sweep_case(
        optim.Adam,
        {"betas": (BETA1, 0.99), "weight_decay": 0.1},
        lambda r: {"betas": (BETA1[r], 0.99), "weight_decay": 0.1},
        lr_shape=lr_shape,
    )
    sweep_case(
        optim.ASGD, {"lambd": 0.5, "t0": 2.0}, lambda r: {"lambd": 0.5, "t0": 2.0}
    )


def test_matrix_methods_sweep_over_the_leading_axes_with_run_axes():
    sweep_case(
        optim.Muon,
        {"momentum": BETA1, "adjust_lr_fn": "match_rms_adamw"},
        lambda r: {"momentum": BETA1[r], "adjust_lr_fn": "match_rms_adamw"},
        run_axes=1,
    )
    sweep_case(
        optim.Adafactor,
        {"weight_decay": BETA1},
        lambda r: {"weight_decay": BETA1[r]},
        run_axes=1,
    )


# ------------------------------------------------------------------------ MLP.pack


def small_net(hidden=5):
    rng = np.random.default_rng(0)
    return mlp.MLP(rng.normal(size=(12, 4)), np.arange(12) % 3, hidden=hidden)


@pytest.mark.parametrize("lead", [(), (2,), (2, 3)], ids=str)
def test_pack_is_the_inverse_of_unpack_with_leading_axes(lead):
    net = small_net()
    theta = np.random.default_rng(1).normal(size=(*lead, net.dim))
    parts = net.unpack(theta)
    np.testing.assert_array_equal(net.pack(parts), theta)
    again = net.unpack(net.pack(parts))
    for name, shape in net.shapes.items():
        assert parts[name].shape == lead + shape
        np.testing.assert_array_equal(again[name], parts[name])
    backwards = {k: parts[k] for k in reversed(list(parts))}  # order does not matter
    np.testing.assert_array_equal(net.pack(backwards), theta)
    assert net.pack({k: v.tolist() for k, v in parts.items()}).dtype == np.float64


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: {k: v for k, v in p.items() if k != "b2"}, r"names \['W1'"),
        (lambda p: {**p, "W3": p["W2"]}, "parts must be a dict with the names"),
        (lambda p: {**p, "b1": p["b1"][:-1]}, r"parts\['b1'\] must have shape \(5,\)"),
        (lambda p: {**p, "W2": p["W2"][None]}, r"parts\['W2'\] must have shape"),
        (lambda p: {**p, "b2": "abc"}, r"parts\['b2'\] must be"),
        (lambda p: list(p.values()), "parts must be a dict"),
    ],
    ids=["missing", "extra", "shape", "leading-axes", "string", "list"],
)
def test_pack_refuses_parts_that_are_not_the_network_s_layers_naming_them(
    change, message
):
    net = small_net()
    parts = net.unpack(net.init(0))
    with pytest.raises(ValueError, match=message):
        net.pack(change(parts))
