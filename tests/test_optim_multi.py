"""optim.MultiOptimizer: each named parameter stepped by the optimizer of its label."""

import numpy as np
import pytest

from lessons_py import optim
from lessons_py.mlp import MLP, digits

LABELS = {"W1": "muon", "b1": "adamw", "W2": "adamw", "b2": "adamw"}


@pytest.fixture
def net_parts():
    X, y, _, _ = digits(n_train=50, seed=0)
    net = MLP(X, y, hidden=6)
    return net, net.unpack(net.init(seed=0))


def make():
    return optim.MultiOptimizer(
        {"muon": optim.Muon(lr=0.02), "adamw": optim.AdamW(lr=3e-3)}, LABELS
    )


def test_each_group_takes_exactly_the_steps_of_its_own_optimizer(net_parts):
    net, parts = net_parts
    multi, muon, adamw = make(), optim.Muon(lr=0.02), optim.AdamW(lr=3e-3)
    split = dict(parts)
    for _ in range(3):
        grads = net.unpack(net.grad(net.pack(parts)))
        parts = multi.step(parts, grads)
        g = net.unpack(net.grad(net.pack(split)))
        rest = [k for k in split if k != "W1"]
        split = muon.step({"W1": split["W1"]}, {"W1": g["W1"]}) | adamw.step(
            {k: split[k] for k in rest}, {k: g[k] for k in rest}
        )
        assert list(parts) == list(LABELS)
        for k in parts:
            np.testing.assert_array_equal(parts[k], split[k])
    assert multi.state_size() == muon.state_size() + adamw.state_size()


def test_lr_is_set_on_every_optimizer_and_read_when_they_agree():
    multi = make()
    with pytest.raises(ValueError, match="different learning rates"):
        multi.lr  # noqa: B018
    multi.lr = 0.01
    assert multi.lr == 0.01
    assert all(opt.lr == 0.01 for opt in multi.optimizers.values())
    multi.run_axes = 1
    assert all(opt.run_axes == 1 for opt in multi.optimizers.values())


def test_reset_resets_every_optimizer(net_parts):
    net, parts = net_parts
    multi = make()
    multi.step(parts, net.unpack(net.grad(net.pack(parts))))
    multi.reset()
    assert all(opt.t == 0 for opt in multi.optimizers.values())


@pytest.mark.parametrize(
    "optimizers, labels, match",
    [
        ({}, LABELS, "optimizers"),
        ({"muon": optim.Muon}, {"W1": "muon"}, "optimizers\\['muon'\\]"),
        ({"muon": optim.Muon()}, {"W1": "adam"}, "'adam'"),
        ({"muon": optim.Muon()}, [], "labels"),
    ],
)
def test_bad_construction_is_refused_naming_what(optimizers, labels, match):
    with pytest.raises(ValueError, match=match):
        optim.MultiOptimizer(optimizers, labels)


def test_params_with_other_names_are_refused(net_parts):
    net, parts = net_parts
    grads = net.unpack(net.grad(net.pack(parts)))
    with pytest.raises(ValueError, match="exactly the names"):
        make().step({k: parts[k] for k in ("W1", "b1")}, grads)
    with pytest.raises(ValueError, match="params must be a dict"):
        make().step(net.pack(parts), grads)
