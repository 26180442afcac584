"""Fixtures shared by the unit tests."""

import weakref

import pytest


@pytest.fixture
def own_registry(monkeypatch):
    """Each test sees only the exercises it makes (reset_all and verify_all walk them all)."""
    import matplotlib.pyplot as plt

    from lessons_py import widgets

    registry = weakref.WeakSet()
    monkeypatch.setattr(widgets, "_EXERCISES", registry)
    yield registry
    plt.close("all")
