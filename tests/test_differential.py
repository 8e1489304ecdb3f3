"""The eager-vs-compiled check (specs/differential.py) sees every kind of divergence it promises to.

Each case wraps ``torch.compile`` so the compiled function misbehaves in one way -- drops
``requires_grad``, copies where eager returns a view, loses an in-place write, skips a buffer update,
ignores a mode flip, leaks a grad mode, scales a gradient, changes a value -- and checks that
``assert_compiles_like_eager`` fails naming that difference; unwrapped, the same checks pass.
"""

from __future__ import annotations

import pytest
import torch

from specs.differential import Call, assert_compiles_like_eager
from tests.plant import REPO  # noqa: F401  (imports the optional ONNX stack once, before anything else)

dynamo = pytest.importorskip("torch._dynamo")


def _supported():
    try:
        torch._dynamo.eval_frame.check_if_dynamo_supported()
    except Exception as exc:  # torch 2.0 on Python 3.11
        return str(exc)
    return None


pytestmark = pytest.mark.skipif(_supported() is not None, reason=f"torch.compile cannot run here: {_supported()}")


def view_and_add(x, y):
    y += x
    return x[0], x * 2


def make_tensors():
    return torch.randn(3, 4, requires_grad=False), torch.zeros(3, 4)


def make_leaf():
    return (torch.randn(3, 4, dtype=torch.float64, requires_grad=True),)


def make_model():
    return torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.BatchNorm1d(4), torch.nn.Dropout(0.5)), torch.randn(6, 4)


def run_model(m, x):
    return m(x)


MODEL_CALLS = [Call(name="train"), Call(lambda m, x: m.eval(), name="eval"), Call(lambda m, x: m.train(), name="train again")]


class _Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        return 2 * g


def _wrap(monkeypatch, around):
    """torch.compile whose compiled function is ``around(compiled, *args)``."""
    real = torch.compile

    def compile(fn, **kwargs):
        compiled = real(fn, **kwargs)
        return lambda *args: around(compiled, *args)

    monkeypatch.setattr(torch, "compile", compile)


def _skip_buffer_update(compiled, m, x):
    saved = {k: v.clone() for k, v in m.named_buffers()}
    out = compiled(m, x)
    with torch.no_grad():
        for k, v in m.named_buffers():
            v.copy_(saved[k])
    return out


def _leak_grad_mode(compiled, *args):
    out = compiled(*args)
    torch.set_grad_enabled(False)
    return out


PLANTS = {
    "drops requires_grad": (lambda c, *a: c(*a).detach(), lambda x: x * 3, make_leaf, {}, "requires_grad"),
    "copies a view": (lambda c, *a: tuple(o.clone() for o in c(*a)), view_and_add, make_tensors, {}, "share"),
    "loses an in-place write": (lambda c, x, y: c(x, y.clone()), view_and_add, make_tensors, {}, "input 1 after the call"),
    "skips a buffer update": (_skip_buffer_update, run_model, make_model, {"calls": MODEL_CALLS}, "running_mean"),
    "ignores a mode flip": (lambda c, m, x: c(m.train(), x), run_model, make_model, {"calls": MODEL_CALLS}, r"call 1 \(eval\)"),
    "leaks a grad mode": (_leak_grad_mode, lambda x: x * 3, make_leaf, {}, "grad mode after the call"),
    "scales a gradient": (lambda c, *a: _Scale.apply(c(*a)), lambda x: x * 3, make_leaf, {"backward": True}, "gradient 0"),
    "changes a value": (lambda c, *a: c(*a) + 1e-12, lambda x: x * 3, make_leaf, {}, "output 0"),
}


@pytest.mark.parametrize("plant", list(PLANTS))
def test_the_check_fails_on_each_kind_of_divergence_and_passes_without_it(monkeypatch, plant):
    around, fn, make, kwargs, message = PLANTS[plant]
    before = torch.is_grad_enabled()
    try:
        assert_compiles_like_eager(fn, make, "aot_eager", **kwargs)  # control: honest compile
        _wrap(monkeypatch, around)
        with pytest.raises(AssertionError, match=message):
            assert_compiles_like_eager(fn, make, "aot_eager", **kwargs)
    finally:
        torch.set_grad_enabled(before)


def test_inductor_calls_draw_eagers_random_numbers_and_other_backends_are_left_alone():
    """Under inductor the compared calls run with ``fallback_random`` on (inductor's own random kernels
    draw other numbers by design); the setting is restored afterwards and untouched for aot_eager."""
    import torch._inductor.config as inductor_config

    from specs.differential import eager_random_numbers

    before = inductor_config.fallback_random
    with eager_random_numbers("inductor"):
        assert inductor_config.fallback_random is True
    with eager_random_numbers("aot_eager"):
        assert inductor_config.fallback_random == before
    assert inductor_config.fallback_random == before


def test_compile_tolerance_is_exact_for_eagers_kernels_and_states_inductors():
    from specs.differential import NORMALIZING_TOLERANCE, compile_tolerance

    assert compile_tolerance("aot_eager") == {} and compile_tolerance("eager", torch.float16, normalizes=True) == {}
    eps = torch.finfo(torch.bfloat16).eps
    assert compile_tolerance("inductor", torch.bfloat16) == {"rtol": 4 * eps, "atol": 4 * eps}
    assert compile_tolerance("inductor", normalizes=True) == NORMALIZING_TOLERANCE == {"rtol": 1e-4, "atol": 1e-4}
