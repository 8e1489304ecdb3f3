"""Eager vs compiled, written once: run a function both ways and compare everything a concept is about.

``torch.compile`` promises eager semantics. :func:`assert_compiles_like_eager` holds it to that: it
builds the inputs twice (``make()``), calls the function eagerly on one set and compiled (a fresh
compile: ``torch._dynamo.reset()`` first) on the other, once per :class:`Call` in turn -- each call
may first change the inputs (``m.eval()``) and may run under an ambient grad mode -- and after every
call compares, eager against compiled:

* every output tensor: values (exactly, unless a tolerance is given), dtype, device, shape,
  ``requires_grad``, ``grad_fn is None``, ``is_leaf``, ``is_inference()``;
* aliasing: whether each output overlaps in memory with each input tensor (and with each earlier output),
  exactly when eager's does;
* in-place effects on the inputs: their values after the call, and whether their ``_version`` moved;
* modules among the inputs: ``training`` of every submodule, every buffer (running statistics,
  ``num_batches_tracked``) and parameter value;
* the global grad mode right after the call;
* both sides build their inputs and make each call with torch's generators seeded alike, so random
  parameters and dropout masks agree (under inductor with ``torch._inductor.config.fallback_random``
  on, for the calls made here: inductor otherwise draws its own random numbers by design, and a spec
  about dropout's rate and scale under inductor checks those);
* with ``backward=True``: the gradients of every input leaf and module parameter after backpropagating
  the same cotangent (a fixed function of the outputs' shapes) through both.

The compiled function is looked up as ``torch.compile`` at call time, so a planted regression can wrap it.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Callable

import torch
from torch.utils._pytree import tree_flatten

from specs.helpers import assert_same

#: the backends a compile claim runs under unless ``--compile-backends`` says otherwise
DEFAULT_BACKENDS = ("aot_eager",)


@dataclasses.dataclass
class Call:
    """One call of the function: ``before(*inputs)`` first (e.g. ``lambda m, x: m.eval()``), then the
    call under ``mode()`` (a context manager factory: ``torch.no_grad``, ``torch.inference_mode`` ...)."""

    before: Callable[..., Any] | None = None
    mode: Callable[[], Any] = contextlib.nullcontext
    name: str = "call"


def _tensors(tree) -> list[torch.Tensor]:
    return [t for t in tree_flatten(tree)[0] if isinstance(t, torch.Tensor)]


def _modules(inputs) -> list[torch.nn.Module]:
    return [m for m in inputs if isinstance(m, torch.nn.Module)]


def _memory(t: torch.Tensor):
    """The byte range ``[start, end)`` that ``t``'s elements occupy, or None (no elements, no storage)."""
    if t.numel() == 0:
        return None
    try:
        start = t.data_ptr()
    except (RuntimeError, NotImplementedError):  # meta, some inference tensors ...
        return None
    extent = sum((n - 1) * abs(s) for n, s in zip(t.shape, t.stride())) + 1
    low = start - sum((n - 1) * abs(s) for n, s in zip(t.shape, t.stride()) if s < 0) * t.element_size()
    return low, low + extent * t.element_size()


def _aliasing(outs, ins) -> list[tuple[int, int, bool]]:
    """(output index, input/earlier-output index, overlaps in memory) for every pair.

    Memory, not storage objects: eager ``from_numpy(x.numpy())`` of an offset ``x`` is a new storage over
    the same bytes, while compiled code may return a view of ``x``'s storage -- both alias ``x``."""
    table = []
    for i, o in enumerate(outs):
        for j, t in enumerate(ins + outs[:i]):
            a, b = _memory(o), _memory(t)
            table.append((i, j, a is not None and b is not None and a[0] < b[1] and b[0] < a[1]))
    return table


def _state(modules) -> dict:
    state = {}
    for k, m in enumerate(modules):
        for name, sub in m.named_modules():
            state[f"module{k}.{name or '<top>'}.training"] = sub.training
        for name, b in m.named_buffers():
            state[f"module{k}.{name}"] = b.detach().clone()
        for name, p in m.named_parameters():
            state[f"module{k}.{name}"] = p.detach().clone()
            state[f"module{k}.{name}.requires_grad"] = p.requires_grad
    return state


def _compare(eager, compiled, what, rtol, atol):
    __tracebackhide__ = True
    if isinstance(eager, torch.Tensor):
        assert isinstance(compiled, torch.Tensor), f"{what} is {type(compiled).__name__}, but eager gives a tensor"
        if rtol is None:
            assert_same(compiled, eager, what)
        else:
            torch.testing.assert_close(compiled, eager, rtol=rtol, atol=atol, equal_nan=True,
                                       msg=lambda m: f"{what}: {m}")
    else:
        assert compiled == eager, f"{what}={compiled!r}, but eager gives {eager!r}"


def _observe(fn, inputs, call: Call):
    """Run one call; return everything observable about it."""
    if call.before is not None:
        call.before(*inputs)
    in_tensors = _tensors([x for x in inputs if not isinstance(x, torch.nn.Module)])
    versions = [t._version for t in in_tensors]
    with call.mode():
        out = fn(*inputs)
        grad_mode = torch.is_grad_enabled()
    outs = _tensors(out)
    return {
        "out": out,
        "outs": outs,
        "meta": [
            {"requires_grad": o.requires_grad, "grad_fn is None": o.grad_fn is None, "is_leaf": o.is_leaf,
             "is_inference": o.is_inference(), "dtype": o.dtype, "device": o.device.type, "shape": tuple(o.shape)}
            for o in outs
        ],
        "aliasing": _aliasing(outs, in_tensors),
        "inputs after": [t.detach().clone() for t in in_tensors],
        "input version moved": [t._version != v for t, v in zip(in_tensors, versions)],
        "state": _state(_modules(inputs)),
        "grad mode after the call": grad_mode,
    }


def _gradients(inputs, outs):
    leaves = [t for t in _tensors([x for x in inputs if not isinstance(x, torch.nn.Module)])
              if t.is_leaf and t.requires_grad]
    params = [p for m in _modules(inputs) for p in m.parameters() if p.requires_grad]
    diff = [o for o in outs if o.requires_grad and (o.is_floating_point() or o.is_complex())]
    if not diff:
        return None
    for t in leaves + params:
        t.grad = None
    with torch.enable_grad():  # the backward pass is the user's next step, also after a call that left grad off
        total = sum((o * _cotangent(o)).sum().real for o in diff)
        total.backward()
    return [None if t.grad is None else t.grad.clone() for t in leaves + params]


def _cotangent(o: torch.Tensor) -> torch.Tensor:
    """A fixed, non-uniform cotangent for ``o`` (so a gradient scaled or permuted is seen)."""
    n = o.numel()
    return (torch.arange(n, dtype=torch.float64) % 7 + 1).reshape(o.shape).to(o.dtype).to(o.device) if n else o.detach()


def _seeded(fn, seed: int):
    """``fn()`` with torch's cpu (and cuda) generators seeded, restored afterwards: both sides draw the
    same parameters, inputs and dropout masks."""
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        return fn()


def compile_fn(fn, backend: str):
    """A fresh ``torch.compile`` of ``fn`` (compile caches cleared first)."""
    torch._dynamo.reset()
    return torch.compile(fn, backend=backend)


def assert_compiles_like_eager(fn, make, backend: str, calls=(Call(),), backward: bool = False,
                               rtol: float | None = None, atol: float | None = None, compiled=None):
    """``fn`` compiled with ``backend`` behaves as ``fn`` eager on inputs ``make()`` (see the module).

    ``calls``: the calls to make in turn, on the same inputs and the same compiled function.
    ``rtol``/``atol``: None compares values exactly; a backend that reorders float arithmetic (inductor)
    may need a tolerance, stated by the spec. ``compiled``: an already compiled ``fn`` to reuse.
    """
    __tracebackhide__ = True
    eager_inputs, compiled_inputs = _seeded(make, 0), _seeded(make, 0)
    compiled = compiled if compiled is not None else compile_fn(fn, backend)
    with eager_random_numbers(backend):  # inductor compiles at the first call, in here
        _compare_calls(fn, compiled, eager_inputs, compiled_inputs, calls, backward, rtol, atol)
    return compiled


#: rtol/atol for a model that normalizes by a batch's standard deviation (BatchNorm in training),
#: magnifying a reordered mean by up to 1/sqrt(eps), and whose gradients are sums that cancel (a bias
#: before a BatchNorm gets 0 in exact arithmetic): the tolerance PyTorch's own accuracy check of compiled
#: models uses for float32 (``torch._dynamo.utils.same``, ``tol=1e-4``). A spec uses it on every backend
#: where even eager's kernels, reached another way, round differently (a decomposed Dropout's scaling).
NORMALIZING_TOLERANCE = {"rtol": 1e-4, "atol": 1e-4}


def compile_tolerance(backend: str, dtype: torch.dtype = torch.float32, normalizes: bool = False) -> dict:
    """``rtol``/``atol`` for comparing ``backend``'s results with eager's: exact (``{}``) for the backends
    that run eager's own aten kernels (eager, aot_eager); inductor generates its own kernels (16-bit
    maths in float32, fused, reordered sums), so a few ulps of the dtype; ``normalizes``: a model
    that normalizes by a batch's standard deviation, :data:`NORMALIZING_TOLERANCE`."""
    if backend in ("eager", "aot_eager"):
        return {}
    if normalizes:
        return dict(NORMALIZING_TOLERANCE)
    eps = torch.finfo(dtype).eps
    return {"rtol": 4 * eps, "atol": 4 * eps}


def eager_random_numbers(backend: str):
    """Inductor generates its own random-number kernels unless ``fallback_random`` makes it call
    eager's: the documented switch for comparing compiled and eager outputs that draw random numbers."""
    if backend != "inductor":
        return contextlib.nullcontext()
    import torch._inductor.config

    return torch._inductor.config.patch(fallback_random=True)


def _compare_calls(fn, compiled, eager_inputs, compiled_inputs, calls, backward, rtol, atol):
    __tracebackhide__ = True
    for k, call in enumerate(calls):
        label = f"call {k} ({call.name})" if len(calls) > 1 else "the call"
        e = _seeded(lambda: _observe(fn, eager_inputs, call), k + 1)
        c = _seeded(lambda: _observe(compiled, compiled_inputs, call), k + 1)
        assert len(c["outs"]) == len(e["outs"]), f"{label}: {len(c['outs'])} output tensors, but eager gives {len(e['outs'])}"
        for i, (eo, co) in enumerate(zip(e["outs"], c["outs"])):
            for key, value in e["meta"][i].items():
                _compare(value, c["meta"][i][key], f"{label}: output {i} {key}", rtol, atol)
            _compare(eo.detach(), co.detach(), f"{label}: output {i}", rtol, atol)
        for (i, j, shared), (_, _, cshared) in zip(e["aliasing"], c["aliasing"]):
            assert cshared == shared, (
                f"{label}: output {i} {'shares' if cshared else 'does not share'} memory with "
                f"{'input' if j < len(e['inputs after']) else 'output'} {j}, but eager's "
                f"{'does' if shared else 'does not'}"
            )
        for j, (ei, ci) in enumerate(zip(e["inputs after"], c["inputs after"])):
            _compare(ei, ci, f"{label}: input {j} after the call", rtol, atol)
        for j, (em, cm) in enumerate(zip(e["input version moved"], c["input version moved"])):
            _compare(em, cm, f"{label}: input {j} version counter moved", None, None)
        for key in e["state"]:
            _compare(e["state"][key], c["state"].get(key), f"{label}: {key}", rtol, atol)
        _compare(e["grad mode after the call"], c["grad mode after the call"], f"{label}: grad mode after the call", None, None)
        if backward:
            eg, cg = _gradients(eager_inputs, e["outs"]), _gradients(compiled_inputs, c["outs"])
            _compare(eg is None, cg is None, f"{label}: nothing to backpropagate", None, None)
            for j, (a, b) in enumerate(zip(eg or [], cg or [])):
                _compare(a is None, b is None, f"{label}: gradient {j} is None", None, None)
                if a is not None:
                    _compare(a, b, f"{label}: gradient {j}", rtol, atol)
