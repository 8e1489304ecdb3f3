"""Every per-device spec does its work on the device: a static check over specs/.

A spec that takes ``device`` runs once per device, so its body must hand ``device`` to something
(``torch.ones(..., device=device)``, ``x.to(device)``, a helper that builds on it). A spec whose claim
involves no device at all is marked ``@pytest.mark.device_independent``, takes no ``device`` and
runs once. This cannot prove that the *claim's* operation runs on the device -- reviewers and the
cuda run do that -- but it catches the spec that parametrizes over devices without using them.
"""

from __future__ import annotations

import ast

import pytest

from tests.plant import SPECS

MODULES = sorted(SPECS.glob("test_*.py"))


def specs(path):
    return [n for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]


def marked_device_independent(fn: ast.FunctionDef) -> bool:
    return any("device_independent" in ast.unparse(d) for d in fn.decorator_list)


def hands_device_on(fn: ast.FunctionDef) -> bool:
    """``device`` is used in the body as a value (an argument, an iterable, a context manager ...),
    not merely mentioned inside a message string."""
    in_messages = {id(n) for s in ast.walk(fn) if isinstance(s, ast.JoinedStr) for n in ast.walk(s)}
    return any(
        isinstance(n, ast.Name) and n.id == "device" and isinstance(n.ctx, ast.Load) and id(n) not in in_messages
        for n in ast.walk(fn)
    )


@pytest.mark.parametrize("module", MODULES, ids=[m.stem for m in MODULES])
def test_every_per_device_spec_hands_its_device_to_torch(module):
    unused, undeclared = [], []
    for fn in specs(module):
        params = [a.arg for a in fn.args.args + fn.args.kwonlyargs]
        if "device" in params and not hands_device_on(fn):
            unused.append(fn.name)
        if "device" not in params and not marked_device_independent(fn):
            undeclared.append(fn.name)
    assert not unused, f"specs that run per device but never hand `device` to anything: {unused}"
    assert not undeclared, f"specs without `device` that are not marked device_independent: {undeclared}"
