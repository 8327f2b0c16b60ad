"""A correction to pyshacl's `focus_nodes` option, isolated here (tested on the pyshacl versions
pinned in pyproject.toml: tests/test_validation_service.py checks it still finds what validating
the whole graph finds).

"""

from __future__ import annotations

import threading
from contextlib import contextmanager

# pyshacl 0.40 applies its `focus_nodes` filter to every shape evaluation, nested ones included:
# the value nodes an sh:or / sh:and / sh:not / sh:xone / sh:node / sh:qualifiedValueShape checks
# (literals, or resources not in the list) are dropped, so those constraints silently pass (and
# sh:not fails). The filter belongs to the shapes that find their own targets only; while the
# context manager below is active (in this thread), a shape handed explicit focus nodes by another
# shape validates all of them. The wrapper is installed once and is inert outside it. It also
# makes pyshacl's membership test against the focus list a set lookup (it is a list scan, so
# quadratic in the upload's size).
_fix = threading.local()
_install_lock = threading.Lock()


class _FocusNodes(list):
    """pyshacl's list of focus nodes with a set's `in` (it tests every target against it)."""

    def __init__(self, items):
        super().__init__(items)
        self._set = frozenset(items)

    def __contains__(self, item) -> bool:
        return item in self._set


@contextmanager
def focus_filter_at_top_level_only():
    _install_focus_fix()
    previous = getattr(_fix, "active", False)
    _fix.active = True
    try:
        yield
    finally:
        _fix.active = previous


def _install_focus_fix() -> None:
    from pyshacl.shape import Shape

    with _install_lock:
        if getattr(Shape.validate, "_ppkg_focus_fix", False):
            return
        original = Shape.validate

        def validate(self, executor, target_graph, focus=None, _evaluation_path=None):
            if (getattr(_fix, "active", False) and executor.focus_nodes
                    and not isinstance(executor.focus_nodes, _FocusNodes)):
                executor.focus_nodes = _FocusNodes(executor.focus_nodes)
            if focus is not None and getattr(_fix, "active", False) and executor.focus_nodes:
                saved = executor.focus_nodes
                executor.focus_nodes = None
                try:
                    return original(self, executor, target_graph, focus, _evaluation_path)
                finally:
                    executor.focus_nodes = saved
            return original(self, executor, target_graph, focus, _evaluation_path)

        validate._ppkg_focus_fix = True
        Shape.validate = validate

