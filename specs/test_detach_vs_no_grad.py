"""detach() vs torch.no_grad() and the other grad modes.

``t.detach()`` acts on *one tensor*: it returns a new tensor over the same storage, with no
history and ``requires_grad=False``. Gradient stops flowing through that one tensor only; every
other use of ``t`` (or of the leaf behind it) is still differentiated.

``torch.no_grad()`` acts on *a block of code*: while it is active, autograd records nothing, so
every op's output has ``requires_grad=False`` even when its inputs require grad. It does not touch
the tensors themselves (a leaf keeps ``requires_grad=True``), factories asked for
``requires_grad=True`` still honour it, and the previous mode comes back when the block exits --
also through an exception. ``enable_grad()`` switches recording back on inside it, and
``set_grad_enabled(flag)`` does either, as a context manager or as a plain call. Grad mode is
*thread-local*: a thread started inside ``no_grad`` records as usual.

The autograd notes ("Locally disabling gradient computation") compare the three grad modes; each
cell below is checked by ``test_grad_mode_table``:

============  ====================  ===================  ==========================  ==================
Mode          Excludes operations   Skips additional     Tensors created while the   Examples
              from being recorded   autograd tracking    mode is enabled can be
              in backward graph     overhead             used in grad-mode later
============  ====================  ===================  ==========================  ==================
default                                                  ✓                           Forward pass
no-grad       ✓                                          ✓                           Optimizer updates
inference     ✓                     ✓                                                Data processing,
                                                                                     model evaluation
============  ====================  ===================  ==========================  ==================

"Skips tracking overhead" is observable: tensors made under ``inference_mode`` are *inference
tensors* (``is_inference()``) with no version counter (reading ``_version`` raises). "Cannot be
used later" is precise, not absolute: autograd refuses an inference tensor where it would have to
be *saved for backward* (``w * t``), and an in-place update of it outside inference mode is refused
too (even under ``no_grad``); an op that saves nothing (``w + t``) is accepted, and ``t.clone()``
outside the mode is a normal tensor.

The source note's summary ("detach affects one variable, no_grad every operation in the block") is
right; what it leaves out is that no_grad changes no tensor's flag, and the factory exception.
Its section 4 says no_grad turns autograd off "to reduce memory use and speed up computation, and
the result cannot be loss.backward()-ed": the backward part is checked exactly
(``test_no_grad_results_cannot_be_backwarded_but_grad_mode_results_can``), the memory part as "no
tensor is saved for backward" (``test_no_grad_and_inference_mode_save_no_tensors_for_backward``)
and, on CUDA, as a lower allocator peak (``test_no_grad_forward_peaks_lower_in_cuda_memory``);
speed is not asserted (timings are not a property).

Inference tensors stay what they are outside the mode: asking one for ``requires_grad`` raises
there (inside the mode it works), and a view of a normal tensor made in inference mode refuses an
in-place write outside it. The grad modes are about backward recording only: forward-mode AD
(``torch.autograd.forward_ad``) keeps computing tangents under ``no_grad``, ``enable_grad`` and
``set_grad_enabled(False)``; ``inference_mode`` and ``detach()`` drop them.
"""

from __future__ import annotations

import contextlib
import re
import warnings
import threading

import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.differential import Call, assert_compiles_like_eager, compile_tolerance
from specs.helpers import assert_requires_grad, assert_same, assert_shares, raises, warnings_recorded
from specs.inputs import (
    DIFFERENTIABLE,
    FLOATING,
    GRAD_FORMS,
    GRAD_MODES,
    BARE,
    GRAD_LAYOUT_DTYPES,
    GRAD_LAYOUT_SLICES,
    GRAD_LAYOUTS,
    budget,
    compile_budget,
    compile_shapes,
    dtype_id,
    dtype_params,
    grad_mode_params,
    layout_shapes,
    relayout,
    relayout_np,
    tensor_values,
)

#: non-empty (an empty tensor has no data pointer to compare), small (values are compared exactly)
nonempty_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)
small = st.integers(-8, 8).map(float)


@contextlib.contextmanager
def grad_mode_restored():
    """Put grad mode back (through the C switch, not the API under test) whatever happens inside."""
    before = torch.is_grad_enabled()
    try:
        yield
    finally:
        torch._C._set_grad_enabled(before)


def check_mode(expected: bool, where: str):
    __tracebackhide__ = True
    got = torch.is_grad_enabled()
    assert got is expected, f"is_grad_enabled()={got} {where}, but should be {expected}"


# --------------------------------------------------------------------------- detach


def _expected(a, layout, dtype, device):
    """The values a tensor made from ``a`` holds in ``layout`` (numpy, on the same buffer), in ``dtype``."""
    return torch.from_numpy(relayout_np(a, layout).copy()).to(dtype).to(device)


@pytest.mark.parametrize("layout", GRAD_LAYOUTS)
@budget(GRAD_LAYOUT_SLICES, floor=1)
@given(data=st.data())
def test_detach_shares_storage_and_has_no_history(device, layout, data):
    """detach() returns a tensor over the same storage, with the same strides, offset, conj/neg bits and values, that does not require grad and has no grad_fn.

    It is a new leaf over the same memory: writing into it changes the original. Each case is a
    layout that keeps values (contiguous, transposed, step-sliced, storage offset, channels_last,
    expanded with stride 0, conj bit for complex, neg bit); every example runs it in every dtype
    that can require grad (floating and complex; the complex ones only for the conj bit), over a
    leaf that requires grad and a non-leaf alias of it (``view_as``, with a grad_fn), through the
    method and the ``torch.detach`` function; hypothesis draws, per dtype, shapes (0-d where the
    layout allows one) and values up to the dtype's extremes (nan, inf, subnormals).
    """
    # sides of 2 where a layout needs them to differ from contiguous (a stride of 0, a real transpose)
    sides = 1 if layout in ("contiguous", "offset", "conj_bit", "neg_bit") else 2
    for dtype in GRAD_LAYOUT_DTYPES[layout]:
        slice_ = f"{dtype_id(dtype)} {layout}"
        a, t = data.draw(tensor_values(dtype, layout_shapes(layout, min_side=sides)), label=f"{slice_}: values")
        _detach_one_slice(device, layout, dtype, a, t, slice_)


def _detach_one_slice(device, layout, dtype, a, t, slice_):
    __tracebackhide__ = True
    leaf = relayout(t.to(device), layout).requires_grad_()
    alias = leaf.view_as(leaf)
    expected = _expected(a, layout, dtype, device)
    calls = {"leaf.detach()": (leaf, lambda t: t.detach()), "alias.detach()": (alias, lambda t: t.detach()),
             "torch.detach(alias)": (alias, torch.detach)}
    for call, (src, detach) in calls.items():
        what = f"{slice_} {call}"
        d = detach(src)
        assert_shares(d, src, what)
        got = (tuple(d.shape), d.stride(), d.storage_offset(), d.is_conj(), d.is_neg())
        want = (tuple(src.shape), src.stride(), src.storage_offset(), src.is_conj(), src.is_neg())
        assert got == want, f"{what} (shape, stride, offset, conj, neg)={got}, but should be its source's {want}"
        assert_requires_grad(d, False, what)
        assert d.grad_fn is None and d.is_leaf, f"{what}: grad_fn={d.grad_fn}, is_leaf={d.is_leaf}, but should be None/True"
        assert_same(d, expected, what)
    assert_requires_grad(leaf, True, f"the {slice_} leaf after detach()")
    index = (0,) * leaf.dim()
    d = alias.detach()
    d[index] = 7  # an element write (an expanded tensor refuses writes over its repeated elements as a whole)
    for what, src in {"leaf": leaf, "alias": alias}.items():
        with torch.no_grad():
            seen = src[index].item()
        assert seen == 7, (
            f"{slice_} {what}[{index}]={seen} after alias.detach()[{index}] = 7, but should be 7 (shared memory)"
        )


#: tensors ``detach_()`` may detach: a leaf that requires grad, and a recorded result (not a view)
DETACH_INPLACE_SOURCES = {"leaf": lambda leaf: leaf, "result": lambda leaf: leaf.clone(), "detach()": lambda leaf: leaf.clone().detach()}


@pytest.mark.parametrize("source", list(DETACH_INPLACE_SOURCES))
@pytest.mark.parametrize("dtype", dtype_params(DIFFERENTIABLE))
@budget(len(DIFFERENTIABLE) * len(DETACH_INPLACE_SOURCES), floor=1)
@given(data=st.data())
def test_detach_in_place_detaches_the_tensor_itself(device, dtype, source, data):
    """t.detach_() detaches t itself: it returns t, which keeps its storage and values and no longer requires grad or has a grad_fn.

    Ranges over every dtype that can require grad x a leaf that requires grad, a recorded result
    (``leaf.clone()``) and the result of ``detach()`` (not a view, so accepted); hypothesis draws shapes
    and values up to the extremes. The leaf a result came from keeps requires_grad=True.
    """
    a, t = data.draw(tensor_values(dtype, nonempty_shapes), label="values")
    leaf = t.to(device).requires_grad_()
    y = DETACH_INPLACE_SOURCES[source](leaf)
    storage, stride = y.untyped_storage().data_ptr(), y.stride()
    out = y.detach_()
    assert out is y, f"{source}.detach_() returned another object ({type(out).__name__}), but should return the tensor itself"
    assert_requires_grad(y, False, f"{source} after detach_()")
    assert y.grad_fn is None and y.is_leaf, f"{source} after detach_(): grad_fn={y.grad_fn}, is_leaf={y.is_leaf}, but should be None/True"
    assert (y.untyped_storage().data_ptr(), y.stride()) == (storage, stride), f"{source}.detach_() moved its storage or strides"
    assert_same(y, _expected(a, "contiguous", dtype, device), f"{source} after detach_()")
    if source != "leaf":
        assert_requires_grad(leaf, True, "the leaf it came from")


#: views of a tensor that requires grad, in the forms a user makes them
VIEWS = {
    "y[1:]": lambda y: y[1:],
    "y.t()": lambda y: y.t(),
    "y.view(-1)": lambda y: y.view(-1),
    "y.expand": lambda y: y[:1].expand(3, 4),
    "y.conj()": lambda y: y.conj(),
    "y.unsqueeze(0)": lambda y: y.unsqueeze(0),
}


#: view -> the dtypes it is made in (conj() of a real tensor is the tensor itself, not a view)
VIEW_DTYPES = {v: tuple(d for d in DIFFERENTIABLE if v != "y.conj()" or d.is_complex) for v in VIEWS}


@pytest.mark.parametrize("view", list(VIEWS))
def test_detach_in_place_refuses_views(device, view):
    """t.detach_() on a view raises RuntimeError ("Can't detach views in-place. Use detach() instead") and leaves the view attached.

    Each case is a view of a recorded result: slice, transpose, view, expand, conj and unsqueeze;
    each runs in every dtype that can require grad (conj: the complex ones, a real tensor's
    ``conj()`` is the tensor itself). The view keeps its grad_fn after the refusal.
    """
    for dtype in VIEW_DTYPES[view]:
        what = f"{dtype_id(dtype)} {view}"
        y = torch.ones(3, 4, dtype=dtype, device=device, requires_grad=True) * 2
        v = VIEWS[view](y)
        with raises(RuntimeError, re.escape("Can't detach views in-place"), f"{what}.detach_()"):
            v.detach_()
        assert v.requires_grad and v.grad_fn is not None, (
            f"{what} after the refused detach_(): requires_grad={v.requires_grad}, grad_fn={v.grad_fn}, but should be True/a node"
        )


@given(values=st.lists(small, min_size=1, max_size=6))
@example(values=[1.0, 2.0, 3.0])
def test_detach_cuts_gradient_through_that_tensor_only(device, values):
    """detach() stops gradient through the detached tensor only; other uses of the same input still get gradient.

    ``out = (x * x.detach()).sum()`` treats the detached factor as a constant, so
    ``x.grad == x`` (not ``2 * x``).
    """
    x = torch.tensor(values, device=device, requires_grad=True)
    (x * x.detach()).sum().backward()
    assert_same(x.grad, x.detach(), "x.grad of sum(x * x.detach())")


# --------------------------------------------------------------------------- no_grad

UNARY = {
    "x * 2": lambda x: x * 2,
    "x + 1": lambda x: x + 1,
    "torch.exp": torch.exp,
    "x.sum()": lambda x: x.sum(),
    "x.clone()": lambda x: x.clone(),
}


#: cpu float16 kernels that appeared in torch 2.1 (the exp/sin "*_vml_cpu" kernels) and 2.2 (addmm, behind
#: nn.Linear); a case needing one is gated to that release
HALF_EXP_SIN_GATE = pytest.mark.torch_version(
    ">=2.1", reason="no cpu float16 kernel for exp/sin before torch 2.1 ('exp_vml_cpu' not implemented for 'Half'; "
    "checked: RuntimeError on 2.0.1, works on 2.1.2 and later)",
)
HALF_ADDMM_GATE = pytest.mark.torch_version(
    ">=2.2", reason="no cpu float16 kernel for addmm (nn.Linear) before torch 2.2 ('addmm_impl_cpu_' not implemented "
    "for 'Half'; checked: RuntimeError on 2.0.1 and 2.1.2, works on 2.2.2 and later)",
)


@pytest.mark.parametrize("dtype", dtype_params(DIFFERENTIABLE, marks={torch.float16: HALF_EXP_SIN_GATE}))
@budget(len(DIFFERENTIABLE))
@given(shape=nonempty_shapes)
@example(shape=(2, 1, 3))
def test_no_grad_outputs_do_not_require_grad_but_leaves_keep_theirs(device, shape, dtype):
    """Inside no_grad every op's output has requires_grad=False, even from inputs that require grad; the leaf keeps requires_grad=True.

    no_grad changes what autograd records, not any tensor's flag. Views are the exception to the
    letter of the docs (see ``test_views_made_in_no_grad_still_report_requires_grad``). Ranges over
    every dtype that can require grad (floating and complex) and the ops ``x * 2``, ``x + 1``, ``exp``,
    ``sum``, ``clone``; hypothesis draws the shape (0-d included). The float16 case is gated to torch
    >= 2.1 (no cpu float16 ``exp`` before). Every other grad mode and form:
    ``test_a_grad_mode_decides_recording_in_every_form``.
    """
    x = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
    with torch.no_grad():
        check_mode(False, "inside no_grad")
        for name, op in UNARY.items():
            out = op(x)
            assert_requires_grad(out, False, name)
            assert out.grad_fn is None, f"{name}.grad_fn={out.grad_fn}, but should be None"
        assert_requires_grad(x, True, "the leaf x")
    assert_requires_grad(x * 2, True, "x * 2 after the block")


@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
@budget(len(FLOATING))
@given(values=st.lists(small, min_size=1, max_size=6), scale=st.integers(1, 4))
@example(values=[0.0, -3.0, 5.0], scale=3)
def test_no_grad_results_cannot_be_backwarded_but_grad_mode_results_can(device, values, dtype, scale):
    """A loss computed under no_grad cannot be backward()-ed (RuntimeError: it has no grad_fn); the same loss computed in grad mode back-propagates the correct gradient.

    The note's "得到的结果无法进行loss.backward()" (section 4). ``loss = scale * sum(x * x)`` has
    gradient ``2 * scale * x``, written out here (small integers: exact in every floating dtype).
    Ranges over every floating dtype (a complex loss is not a real scalar ``backward()`` accepts
    without a gradient); hypothesis draws the values and the scale.
    """
    x = torch.tensor(values, dtype=dtype, device=device, requires_grad=True)
    with torch.no_grad():
        frozen = (x * x).sum() * scale
    with raises(RuntimeError, re.escape("does not require grad and does not have a grad_fn"), "loss from no_grad .backward()"):
        frozen.backward()
    assert x.grad is None, f"x.grad={x.grad} after the refused backward, but should be None"
    loss = (x * x).sum() * scale
    loss.backward()
    expected = torch.tensor([2.0 * scale * v for v in values], dtype=dtype, device=device)
    assert_same(x.grad, expected, "x.grad of scale * sum(x * x)")


def _pack_counter():
    counts = {"packed": 0}

    def pack(t):
        counts["packed"] += 1
        return t

    return counts, torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t)


SAVING_OPS = {
    "x * w": lambda x, w, layer: x * w,
    "x.pow(2)": lambda x, w, layer: x.pow(2),
    "torch.sin(x)": lambda x, w, layer: torch.sin(x),
    "torch.exp(x)": lambda x, w, layer: torch.exp(x),
    "nn.Linear(x)": lambda x, w, layer: layer(x),
}


#: the float16 cases that need a cpu kernel added after torch 2.0: op -> its gate
SAVING_HALF_GATES = {"torch.sin(x)": HALF_EXP_SIN_GATE, "torch.exp(x)": HALF_EXP_SIN_GATE, "nn.Linear(x)": HALF_ADDMM_GATE}
SAVING_CASES = [
    pytest.param(
        p.values[0], op, id=f"{p.id}-{op}",
        marks=SAVING_HALF_GATES.get(op, ()) if p.values[0] == torch.float16 else (),
    )
    for p in dtype_params(DIFFERENTIABLE) for op in SAVING_OPS
]


@pytest.mark.parametrize(("dtype", "op"), SAVING_CASES)
@budget(len(DIFFERENTIABLE) * len(SAVING_OPS), floor=1)
@given(shape=nonempty_shapes)
def test_no_grad_and_inference_mode_save_no_tensors_for_backward(device, shape, dtype, op):
    """Under no_grad and inference_mode autograd saves no tensors for backward, where grad mode saves some for the same computation.

    The note's "以减少存储使用" (section 4), observed without timing: every tensor autograd keeps for
    backward passes through the ``pack`` hook of ``torch.autograd.graph.saved_tensors_hooks``;
    inside no_grad and inference_mode ``pack`` is never called. Ranges over every dtype that can
    require grad x the ops ``x * w``, ``x.pow(2)``, ``sin``, ``exp``, ``nn.Linear``; hypothesis draws the shape.
    float16 ``sin`` and ``exp`` are gated to torch >= 2.1 and float16 ``nn.Linear`` to >= 2.2 (no cpu kernel before).
    """
    x = torch.randn(shape, dtype=dtype, device=device, requires_grad=True)
    w = torch.randn(shape, dtype=dtype, device=device, requires_grad=True)
    if op == "nn.Linear(x)" and x.dim() == 0:
        x, w = x.reshape(1), w.reshape(1)
    with grad_mode_restored():  # made outside the hooks, its init (itself under no_grad) through the C switch
        torch._C._set_grad_enabled(False)
        layer = torch.nn.Linear(x.shape[-1] if x.dim() else 1, 2, device=device, dtype=dtype)
    packed = {}
    for mode, ctx in {"grad mode": torch.enable_grad, "no_grad": torch.no_grad, "inference_mode": torch.inference_mode}.items():
        counts, hooks = _pack_counter()
        with hooks, ctx():
            SAVING_OPS[op](x, w, layer)
        packed[mode] = counts["packed"]
    assert packed["grad mode"] > 0, f"{op} in grad mode saved {packed['grad mode']} tensors, but should save some"
    assert packed["no_grad"] == 0, f"{op} under no_grad saved {packed['no_grad']} tensors for backward, but should save 0"
    assert packed["inference_mode"] == 0, (
        f"{op} under inference_mode saved {packed['inference_mode']} tensors for backward, but should save 0"
    )


def _peak_forward_bytes(x, ctx):
    dev = x.device
    torch.cuda.synchronize(dev)
    torch.cuda.reset_peak_memory_stats(dev)
    base = torch.cuda.memory_allocated(dev)
    with ctx():
        out = torch.sin(torch.sin(torch.sin(torch.sin(x))))
    torch.cuda.synchronize(dev)
    return torch.cuda.max_memory_allocated(dev) - base, out


@pytest.mark.needs_cuda
def test_no_grad_forward_peaks_lower_in_cuda_memory(device):
    """On CUDA, a forward pass (a chain of four sin) peaks at less allocated device memory under no_grad than in grad mode.

    The note's "以减少存储使用" measured by the CUDA caching allocator
    (``torch.cuda.reset_peak_memory_stats``, ``torch.cuda.max_memory_allocated``): in grad mode each
    intermediate stays alive, saved for backward; under no_grad it is freed as soon as the next op
    consumed it. About the CUDA allocator, so every variant runs on CUDA (the cpu variant moves
    its input there). No timing is asserted.
    """
    x = torch.randn(1 << 20, device=device).cuda().requires_grad_()
    grad_peak, grad_out = _peak_forward_bytes(x, torch.enable_grad)
    del grad_out
    no_grad_peak, out = _peak_forward_bytes(x, torch.no_grad)
    assert no_grad_peak < grad_peak, (
        f"peak allocated for the forward: {no_grad_peak} bytes under no_grad, {grad_peak} in grad mode; "
        "no_grad should peak lower"
    )
    expected = x.detach().sin().sin().sin().sin()
    assert_same(out, expected, "sin^4(x) under no_grad")


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), view=st.sampled_from(["x[0]", "x.view(-1)", "x.unsqueeze(0)"]))
@example(shape=(3,), view="x[0]")  # pytorch/pytorch#11390's example
def test_views_made_in_no_grad_still_report_requires_grad(device, shape, view):
    """A view taken inside no_grad of a tensor that requires grad still reports requires_grad=True, yet it has no grad_fn and no gradient reaches its base.

    Contrary to the no_grad docstring ("every computation will have requires_grad=False"), a view
    mirrors its base's flag (known since pytorch/pytorch#11390). It is a leaf without history:
    ``(v * 3).sum().backward()`` runs, but ``x.grad`` stays ``None``; and modifying it in place in
    grad mode is refused ("A view was created in no_grad mode ...").
    """
    x = torch.ones(shape, device=device, requires_grad=True)
    make = {"x[0]": lambda: x[0], "x.view(-1)": lambda: x.view(-1), "x.unsqueeze(0)": lambda: x.unsqueeze(0)}[view]
    with torch.no_grad():
        v = make()
    assert_requires_grad(v, True, f"{view} taken in no_grad")
    assert v.grad_fn is None, f"{view}.grad_fn={v.grad_fn}, but should be None"
    (v * 3).sum().backward()
    assert x.grad is None, f"x.grad={x.grad} after backward through the view, but should be None"
    with raises(RuntimeError, "view was created in no_grad mode", f"{view}.mul_(2) in grad mode"):
        v.mul_(2)


def test_no_grad_restores_the_previous_mode_also_on_exception(device):
    """Leaving no_grad restores the grad mode that was active before it, also when the block raises.

    "Previous" matters: a ``no_grad`` nested in ``set_grad_enabled(False)`` leaves grad disabled.
    """
    x = torch.ones(3, device=device, requires_grad=True)
    with grad_mode_restored():
        with pytest.raises(KeyError):
            with torch.no_grad():
                raise KeyError("boom")
        check_mode(True, "after no_grad exited by an exception")
        assert_requires_grad(x * 2, True, "x * 2 after the exception")
        torch._C._set_grad_enabled(False)
        with torch.no_grad():
            pass
        check_mode(False, "after no_grad nested in a disabled region")


def test_no_grad_works_as_a_decorator(device):
    """@torch.no_grad() disables recording inside the decorated function only.

    The caller's mode is untouched before and after the call.
    """
    x = torch.ones(3, device=device, requires_grad=True)

    @torch.no_grad()
    def doubler(t):
        return t * 2, torch.is_grad_enabled()

    out, inside = doubler(x)
    assert inside is False, "is_grad_enabled()=True inside the decorated function"
    assert_requires_grad(out, False, "doubler(x)")
    check_mode(True, "after calling the decorated function")


@pytest.mark.torch_version(
    ">=2.1",
    reason="no_grad/enable_grad/inference_mode accept a function directly since pytorch/pytorch#107086 "
    "(Aug 2023, first released in 2.1); the 2.0 docs say 'Make sure to instantiate with parenthesis'",
)
def test_grad_mode_decorators_work_without_parentheses(device):
    """@torch.no_grad, @torch.enable_grad and @torch.inference_mode also work without parentheses."""
    x = torch.ones(3, device=device, requires_grad=True)

    def double(t):
        return t * 2

    try:
        no_grad_double = torch.no_grad(double)
        enable_grad_double = torch.enable_grad(double)
        inference_double = torch.inference_mode(double)
    except TypeError as e:
        pytest.fail(f"decorating without parentheses raised TypeError: {e}")

    assert_requires_grad(no_grad_double(x), False, "@torch.no_grad function output")
    with torch.no_grad():
        assert_requires_grad(enable_grad_double(x), True, "@torch.enable_grad function output inside no_grad")
    out = inference_double(x)
    assert isinstance(out, torch.Tensor) and out.is_inference(), (
        f"@torch.inference_mode function returned {type(out).__name__}, not an inference tensor"
    )


FACTORIES = {
    "torch.zeros": lambda shape, dtype, device: torch.zeros(shape, dtype=dtype, device=device, requires_grad=True),
    "torch.ones": lambda shape, dtype, device: torch.ones(shape, dtype=dtype, device=device, requires_grad=True),
    "torch.full": lambda shape, dtype, device: torch.full(shape, 3.0, dtype=dtype, device=device, requires_grad=True),
    "torch.tensor": lambda shape, dtype, device: torch.tensor(1.5, dtype=dtype, device=device, requires_grad=True),
    "torch.randn": lambda shape, dtype, device: torch.randn(shape, dtype=dtype, device=device, requires_grad=True),
    "nn.Parameter": lambda shape, dtype, device: torch.nn.Parameter(torch.zeros(shape, dtype=dtype, device=device)),
}


@pytest.mark.parametrize("dtype", dtype_params(DIFFERENTIABLE))
@budget(len(DIFFERENTIABLE))
@given(shape=nonempty_shapes)
@example(shape=(10,))  # the no_grad docs' example: nn.Parameter(torch.rand(10))
def test_factories_asked_for_requires_grad_still_require_grad_inside_no_grad(device, shape, dtype):
    """Factories called with requires_grad=True (and nn.Parameter) inside no_grad still return leaves that require grad.

    The documented exception to no_grad: it governs recording of ops, not explicit requests.
    Ranges over every dtype that can require grad and the factories zeros, ones, full, tensor,
    randn and nn.Parameter; hypothesis draws the shape.
    """
    with torch.no_grad():
        made = {name: make(shape, dtype, device) for name, make in FACTORIES.items()}
    for name, t in made.items():
        assert_requires_grad(t, True, f"{name}(..., requires_grad=True) made in no_grad")
        assert t.is_leaf, f"{name}: is_leaf=False"


@given(values=st.lists(small, min_size=1, max_size=6))
@example(values=[1.0])
def test_enable_grad_inside_no_grad_records_again(device, values):
    """enable_grad inside no_grad records operations again; no_grad resumes after its block.

    The recorded graph is complete: backward through it reaches the leaf.
    """
    x = torch.tensor(values, device=device, requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            y = x * 2
        check_mode(False, "after enable_grad inside no_grad")
        assert_requires_grad(x * 2, False, "x * 2 after the enable_grad block")
    assert_requires_grad(y, True, "x * 2 under enable_grad")
    y.sum().backward()
    assert_same(x.grad, torch.full_like(x, 2.0), "x.grad through x * 2 recorded under enable_grad")


@given(mode=st.booleans())
@example(mode=False)
def test_set_grad_enabled_works_as_context_manager_and_as_a_call(device, mode):
    """set_grad_enabled(mode) sets grad mode to mode, as a context manager (restored after) and as a plain call (until changed).

    As a plain call it is a switch, not a scope: the mode stays until set again.
    """
    x = torch.ones(2, device=device, requires_grad=True)
    with grad_mode_restored():
        with torch.set_grad_enabled(mode):
            check_mode(mode, "inside set_grad_enabled(mode)")
            assert_requires_grad(x * 2, mode, f"x * 2 inside set_grad_enabled({mode})")
        check_mode(True, "after the set_grad_enabled block")
        torch.set_grad_enabled(mode)
        check_mode(mode, "after the plain call set_grad_enabled(mode)")
        assert_requires_grad(x * 2, mode, f"x * 2 after set_grad_enabled({mode})")


def test_grad_mode_is_thread_local(device):
    """Grad mode is thread-local: a thread started inside no_grad records operations.

    Conversely the other thread does not switch the main thread's mode.
    """
    x = torch.ones(3, device=device, requires_grad=True)
    seen = {}

    def worker():
        seen["mode"] = torch.is_grad_enabled()
        seen["out"] = x * 2

    with torch.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        check_mode(False, "in the main thread inside no_grad")
    assert seen["mode"] is True, f"is_grad_enabled()={seen['mode']} in the worker thread"
    assert_requires_grad(seen["out"], True, "x * 2 in a thread started inside no_grad")


def test_no_grad_allows_in_place_updates_of_leaves_that_require_grad(device):
    """An in-place update of a leaf that requires grad raises in grad mode and works inside no_grad (the optimizer-update use).

    The leaf stays a leaf that requires grad; the update is not recorded.
    """
    w = torch.ones(3, device=device, requires_grad=True)
    step = torch.full((3,), 0.5, device=device)
    with raises(RuntimeError, "leaf Variable that requires grad", "w.sub_(step) in grad mode"):
        w.sub_(step)
    try:
        with torch.no_grad():
            w.sub_(step)
    except RuntimeError as e:
        pytest.fail(f"in-place update of the leaf inside no_grad raised {e}")
    assert_requires_grad(w, True, "w after the update")
    assert w.is_leaf and w.grad_fn is None, f"w: is_leaf={w.is_leaf}, grad_fn={w.grad_fn}"
    assert_same(w.detach(), torch.full((3,), 0.5, device=device), "w after w.sub_(step) in no_grad")


# --------------------------------------------------------------------------- every grad mode in every form


def _inside(x):
    """What code under a grad mode sees: the two modes, and per op (requires_grad, has a grad_fn, is an inference tensor)."""
    return {
        "modes": (torch.is_grad_enabled(), torch.is_inference_mode_enabled()),
        "outputs": {name: (o.requires_grad, o.grad_fn is not None, o.is_inference()) for name, o in ((n, op(x)) for n, op in UNARY.items())},
        "leaf": x.requires_grad,
    }


GRAD_MODE_CASES = grad_mode_params()


@pytest.mark.parametrize(("mode", "form"), GRAD_MODE_CASES)
@budget(len(GRAD_MODE_CASES), floor=1)
@given(shape=nonempty_shapes)
def test_a_grad_mode_decides_recording_in_every_form(device, mode, form, shape):
    """Under a grad mode, in every form, ops record exactly when the mode enables grad outside inference mode and make inference tensors exactly under inference_mode; afterwards the mode before it is back.

    Ranges over the modes ``no_grad``, ``enable_grad``, ``set_grad_enabled(False/True)``,
    ``inference_mode``, ``inference_mode(False)`` x the forms (``specs/inputs.py`` GRAD_FORMS):
    ``with`` block, decorator with parentheses, bare decorator (no_grad / enable_grad /
    inference_mode, torch >= 2.1), ``set_grad_enabled(flag)`` called as a function and set back,
    nested inside a different mode (the innermost decides), a block left by an exception, and a
    decorated generator function (the code runs in a resumed step) -- each called with grad
    enabled and with grad disabled around it. The ops are ``x * 2``, ``exp``, ``sum``, ``clone``
    of a leaf that requires grad (which keeps its flag); hypothesis draws the shape.
    """
    x = torch.ones(shape, device=device, requires_grad=True)
    _, grad, inference = GRAD_MODES[mode]
    records = grad and not inference
    for ambient in (True, False):
        with grad_mode_restored():
            torch._C._set_grad_enabled(ambient)
            seen = GRAD_FORMS[form](mode, lambda: _inside(x))
            after = (torch.is_grad_enabled(), torch.is_inference_mode_enabled())
        case = f"{mode} as {form}, grad {'enabled' if ambient else 'disabled'} around it: "
        assert seen["modes"] == (grad, inference), (
            f"{case}(is_grad_enabled, is_inference_mode_enabled)={seen['modes']} inside, but should be {(grad, inference)}"
        )
        for name, got in seen["outputs"].items():
            want = (records, records, inference)
            assert got == want, f"{case}{name} (requires_grad, has grad_fn, is_inference)={got}, but should be {want}"
        assert seen["leaf"] is True, f"{case}the leaf's requires_grad={seen['leaf']} inside, but should stay True"
        assert after == (ambient, False), (
            f"{case}(is_grad_enabled, is_inference_mode_enabled)={after} after it, but should be back to {(ambient, False)}"
        )


@pytest.mark.parametrize("inner", list(GRAD_MODES))
def test_nested_grad_modes_innermost_decides_and_leaving_it_restores_the_outer(device, inner):
    """In nested grad modes the innermost sets grad mode, only an inference_mode sets inference mode (the others keep the outer's), and leaving the inner block restores the outer's modes.

    Each case is the inner mode, one of the six (``with`` blocks); each runs inside every one of
    the six as the outer mode (36 pairs in all). An op records exactly when grad is enabled outside
    inference mode: ``enable_grad`` inside ``inference_mode`` enables grad, yet ``x * 2`` is an
    inference tensor that records nothing.
    """
    x = torch.ones(3, device=device, requires_grad=True)
    make_inner, inner_grad, inner_inf = GRAD_MODES[inner]
    labels = "(is_grad_enabled, is_inference_mode_enabled, (x * 2).requires_grad, (x * 2).is_inference())"
    for outer, (make_outer, outer_grad, outer_inf) in GRAD_MODES.items():
        inference = inner_inf if inner.startswith("inference_mode") else outer_inf
        with grad_mode_restored():
            with make_outer():
                with make_inner():
                    y = x * 2
                    inside = (torch.is_grad_enabled(), torch.is_inference_mode_enabled(), y.requires_grad, y.is_inference())
                z = x * 2
                back = (torch.is_grad_enabled(), torch.is_inference_mode_enabled(), z.requires_grad, z.is_inference())
        want = (inner_grad, inference, inner_grad and not inference, inference)
        assert inside == want, f"{inner} inside {outer}: {labels}={inside}, but should be {want}"
        want = (outer_grad, outer_inf, outer_grad and not outer_inf, outer_inf)
        assert back == want, f"after {inner} inside {outer}: {labels}={back}, but should be {want} (the outer's)"


@pytest.mark.parametrize(("mode", "form"), grad_mode_params(forms=("decorator", "bare_decorator")))
def test_a_grad_mode_decorating_a_generator_holds_in_its_steps_and_not_between_them(device, mode, form):
    """A generator function decorated with a grad mode runs each step under the mode, while the caller's mode holds between the steps and after.

    Ranges over the six modes as a decorator with parentheses and the three bare decorators
    (torch >= 2.1), with grad enabled and disabled in the caller.
    """
    x = torch.ones(3, device=device, requires_grad=True)
    _, grad, inference = GRAD_MODES[mode]

    def steps():
        for _ in range(2):
            y = x * 2
            yield (torch.is_grad_enabled(), torch.is_inference_mode_enabled(), y.requires_grad)

    for ambient in (True, False):
        with grad_mode_restored():
            torch._C._set_grad_enabled(ambient)
            decorate = GRAD_MODES[mode][0]() if form == "decorator" else BARE[mode]()
            gen = decorate(steps)()
            first = next(gen)
            between = (torch.is_grad_enabled(), torch.is_inference_mode_enabled(), (x * 2).requires_grad)
            second = next(gen)
            gen.close()
            after = (torch.is_grad_enabled(), torch.is_inference_mode_enabled())
        case = f"@{mode} ({form}) on a generator, grad {'enabled' if ambient else 'disabled'} in the caller: "
        labels = "(is_grad_enabled, is_inference_mode_enabled, (x * 2).requires_grad)"
        inside = (grad, inference, grad and not inference)
        assert first == inside and second == inside, f"{case}{labels}={first} in step 1, {second} in step 2, but should be {inside}"
        assert between == (ambient, False, ambient), f"{case}{labels}={between} between the steps, but should be the caller's {(ambient, False, ambient)}"
        assert after == (ambient, False), f"{case}(is_grad_enabled, is_inference_mode_enabled)={after} after, but should be {(ambient, False)}"


# --------------------------------------------------------------------------- the grad-mode table

MODES = {
    "default": contextlib.nullcontext,
    "no-grad": lambda: torch.no_grad(),
    "inference": lambda: torch.inference_mode(),
}
#: row -> (excludes recording, skips tracking overhead, usable in grad mode later), from the notes
TABLE = {
    "default": (False, False, True),
    "no-grad": (True, False, True),
    "inference": (True, True, False),
}


def has_version_counter(t) -> bool:
    try:
        t._version
    except RuntimeError:
        return False
    return True


def usable_in_autograd_later(t, w) -> bool:
    """Can ``t`` be saved for backward by a recorded op (``w * t`` saves it for w's gradient)?"""
    try:
        (w * t).sum().backward()
    except RuntimeError as e:
        if "inference" not in str(e).lower():
            raise
        return False
    return torch.equal(w.grad, t)


@pytest.mark.parametrize("row", list(TABLE))
def test_grad_mode_table(device, row):
    """Each grad mode behaves as its row of the autograd notes' table says.

    Columns: excludes operations from the backward graph (``x + 1`` has no ``grad_fn``); skips
    tracking overhead (the result has no version counter); tensors created in the mode can be used
    in grad mode later (a recorded op may save them for backward).
    """
    x = torch.arange(4.0, device=device, requires_grad=True)
    w = torch.ones(4, device=device, requires_grad=True)
    with MODES[row]():
        out = torch.add(x, 1)
        made = torch.arange(4.0, device=device) * 3
    got = (out.grad_fn is None, not has_version_counter(made), usable_in_autograd_later(made, w))
    columns = ("excludes operations from backward graph", "skips tracking overhead", "usable in grad mode later")
    for column, g, want in zip(columns, got, TABLE[row]):
        assert g is want, f"{row} mode, '{column}': {g}, but the table says {want}"


# --------------------------------------------------------------------------- grad mode inside autograd itself


class Doubled(torch.autograd.Function):
    """y = 2x as a custom autograd.Function that reports the grad mode its forward and backward ran in."""

    seen: dict = {}

    @staticmethod
    def forward(ctx, x):
        inner = x * 2
        Doubled.seen["forward"] = (torch.is_grad_enabled(), inner.requires_grad, inner.grad_fn is None)
        return inner

    @staticmethod
    def backward(ctx, grad):
        Doubled.seen.setdefault("backward", []).append(torch.is_grad_enabled())
        return grad * 2


@pytest.mark.parametrize("mode", list(GRAD_MODES))
@pytest.mark.parametrize("dtype", [torch.float32, torch.complex64], ids=dtype_id)
def test_a_custom_functions_forward_runs_with_grad_mode_off_in_every_ambient_mode(device, mode, dtype):
    """A custom autograd.Function's forward runs with grad mode off whatever the ambient mode; only its output is recorded, and only where the ambient mode records.

    Ranges over: the six grad modes (enumerated) around ``Function.apply`` × float32 and complex64; an
    input leaf that requires grad. Inside ``forward``: ``torch.is_grad_enabled()`` is False and the ops it
    runs make tensors that do not require grad and have no ``grad_fn`` (the Function is one node of its
    own). Outside: the output requires grad and has the Function's backward as ``grad_fn`` exactly when
    the ambient mode records (``enable_grad``, ``set_grad_enabled(True)``, ``inference_mode(False)``),
    and equals 2x in every mode.
    """
    enter, records, _ = GRAD_MODES[mode]
    x = torch.arange(1, 4, device=device).to(dtype).requires_grad_()
    Doubled.seen.clear()
    with enter():
        y = Doubled.apply(x)
    assert Doubled.seen["forward"] == (False, False, True), (
        f"inside forward under {mode}: (is_grad_enabled, an op's requires_grad, its grad_fn is None) = "
        f"{Doubled.seen['forward']}, but should be (False, False, True)"
    )
    assert_requires_grad(y, records, f"Function.apply(x) under {mode}")
    assert (y.grad_fn is not None) == records, f"Function.apply(x) under {mode}: grad_fn={y.grad_fn}, but should {'' if records else 'not '}be recorded"
    assert_same(y.detach(), torch.tensor([2, 4, 6], device=device).to(dtype), f"Function.apply(x) under {mode}")


#: the two ways to run a backward pass, each given (output, input, create_graph)
BACKWARDS = {
    "out.backward()": lambda out, x, create_graph: out.backward(create_graph=create_graph),
    "torch.autograd.grad()": lambda out, x, create_graph: torch.autograd.grad(out, x, create_graph=create_graph),
}


@pytest.mark.parametrize("create_graph", [False, True], ids=["create_graph=False", "create_graph=True"])
@pytest.mark.parametrize("api", list(BACKWARDS))
@pytest.mark.parametrize("ambient", ["enable_grad", "no_grad"])
def test_the_backward_pass_runs_with_grad_mode_on_exactly_when_create_graph_is_true(device, api, create_graph, ambient):
    """The backward pass runs with grad mode on exactly when create_graph=True, whatever the grad mode around the call.

    Ranges over: ``out.backward()`` and ``torch.autograd.grad()`` (enumerated) × ``create_graph`` False/True
    × the mode around the backward call (``enable_grad``, ``no_grad``: a graph recorded earlier is
    backpropagated under ``no_grad`` too). ``torch.is_grad_enabled()`` seen by a tensor hook and by a
    custom Function's ``backward`` equals ``create_graph``; the gradient of sum(2 * 3x²) at x = 1 is 12x = 12,
    and it requires grad (a graph of its own, for higher derivatives) exactly when ``create_graph``.
    """
    x = torch.ones(3, device=device, requires_grad=True)
    Doubled.seen.clear()
    hooks = []
    x.register_hook(lambda g: hooks.append(torch.is_grad_enabled()))
    out = Doubled.apply(x * x * 3).sum()
    ambient_mode = torch.enable_grad() if ambient == "enable_grad" else torch.no_grad()
    with ambient_mode, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # backward(create_graph=True)'s reference-cycle warning: not this claim
        result = BACKWARDS[api](out, x, create_graph)
    grad = x.grad if api == "out.backward()" else result[0]
    assert Doubled.seen["backward"] == [create_graph], (
        f"{api} with create_graph={create_graph} under {ambient}: Function.backward saw is_grad_enabled="
        f"{Doubled.seen['backward']}, but should see [{create_graph}]"
    )
    assert hooks == [create_graph], f"{api} with create_graph={create_graph}: a tensor hook saw is_grad_enabled={hooks}, but should see [{create_graph}]"
    assert_same(grad.detach(), torch.full((3,), 12.0, device=device), f"{api} gradient")
    assert_requires_grad(grad, create_graph, f"{api} gradient with create_graph={create_graph}")


# --------------------------------------------------------------------------- inference mode


def test_inference_mode_makes_inference_tensors_that_cannot_be_saved_for_backward(device):
    """Tensors made under inference_mode are inference tensors that autograd refuses to save for backward.

    Reading ``_version`` raises ("do not track version counter"); ``w * t`` outside the mode raises
    ("cannot be saved for backward"), and so does ``t.add_(1)`` outside the mode, also under
    ``no_grad`` ("Inplace update to inference tensor outside InferenceMode"). Not refused:
    ``w + t`` (nothing saved) and ``t.clone()``, which is a normal tensor. Tensors from outside stay normal.

    The messages are matched on their stable part only. Checked on 2.0.1, 2.2.2, 2.4.1, 2.6.0, 2.9.1,
    2.13.0, 2.14.1 and 2.15.0: "Inplace update to inference tensor outside InferenceMode is not
    allowed." is unchanged; the saved-for-backward message starts "Inference tensors cannot be saved
    for backward." everywhere, but its advice changed in 2.9 (up to 2.6: "To work around you can make
    a clone to get a normal tensor and use it in autograd."; from 2.9: "Please do not use Tensors
    created in inference mode in computation tracked by autograd. To work around this, you can make
    a clone ...").
    """
    x = torch.ones(3, device=device, requires_grad=True)
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled(), "inference mode not enabled inside the block"
        t = x * 2
    assert t.is_inference() and not x.is_inference(), (
        f"t.is_inference()={t.is_inference()}, x.is_inference()={x.is_inference()}, but should be True/False"
    )
    assert_requires_grad(t, False, "x * 2 under inference_mode")
    with raises(RuntimeError, "version counter", "t._version"):
        t._version
    w = torch.ones(3, device=device, requires_grad=True)
    with raises(RuntimeError, re.escape("Inference tensors cannot be saved for backward"), "w * t"):
        w * t
    with torch.no_grad(), raises(RuntimeError, re.escape("Inplace update to inference tensor outside InferenceMode"), "t.add_(1)"):
        t.add_(1)
    (w + t).sum().backward()  # saves neither operand
    assert_same(w.grad, torch.ones(3, device=device), "w.grad after (w + t).sum().backward()")
    normal = t.clone()
    assert not normal.is_inference(), "t.clone() outside the mode is an inference tensor"


#: ways to ask an inference tensor for requires_grad outside inference mode: label -> call
REQUIRE_FORMS = {
    "t.requires_grad_()": lambda t: t.requires_grad_(),
    "t.requires_grad = True": lambda t: setattr(t, "requires_grad", True),
    "nn.Parameter(t)": lambda t: torch.nn.Parameter(t),
}


@pytest.mark.parametrize("form", list(REQUIRE_FORMS))
@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
def test_an_inference_tensor_refuses_requires_grad_outside_inference_mode_and_an_inference_view_refuses_in_place_writes(device, form, dtype):
    """Outside inference mode an inference tensor refuses requires_grad (RuntimeError 'Setting requires_grad=True on inference tensor outside InferenceMode'), inside the mode it accepts it; a view made in inference mode of a tensor that requires grad refuses an in-place write outside the mode.

    Ranges over the three ways to ask (``requires_grad_()``, the attribute, ``nn.Parameter``;
    enumerated) and every floating dtype. The view ``v = a[0]`` taken under ``inference_mode`` of a
    normal ``a`` is not an inference tensor, but ``v.mul_(2)`` outside the mode raises "A view was
    created in inference mode and is being modified inplace in normal mode".
    """
    with torch.inference_mode():
        t = torch.ones(3, dtype=dtype, device=device)
    with raises(RuntimeError, "Setting requires_grad=True on inference tensor outside InferenceMode", f"{form} of an inference tensor"):
        REQUIRE_FORMS[form](t)
    with torch.inference_mode():
        inside = torch.ones(3, dtype=dtype, device=device)
        assert inside.requires_grad_().requires_grad, "requires_grad_() of an inference tensor inside inference_mode did not take"
    a = torch.ones(2, 3, dtype=dtype, device=device, requires_grad=True).clone()
    with torch.inference_mode():
        v = a[0]
    assert not v.is_inference(), "a view of a normal tensor made in inference mode is an inference tensor"
    with raises(RuntimeError, "created in inference mode and is being modified inplace in normal mode", "v.mul_(2) outside inference_mode"):
        v.mul_(2)


#: grad-mode contexts and whether forward-mode AD still computes a tangent inside: label -> (context, tangent kept)
FORWARD_AD_MODES = {
    "no_grad": (torch.no_grad, True),
    "enable_grad": (torch.enable_grad, True),
    "set_grad_enabled(False)": (lambda: torch.set_grad_enabled(False), True),
    "inference_mode(False)": (lambda: torch.inference_mode(False), True),
    "inference_mode": (torch.inference_mode, False),
}


@pytest.mark.parametrize("mode", list(FORWARD_AD_MODES))
@pytest.mark.parametrize("dtype", dtype_params((torch.float32, torch.float64)))
def test_grad_modes_leave_forward_mode_ad_alone_but_inference_mode_and_detach_drop_tangents(device, mode, dtype):
    """no_grad, enable_grad and set_grad_enabled do not apply to forward-mode AD (a dual tensor's tangent flows through p * 3), inference_mode disables it, and detach() drops the tangent.

    Ranges over five grad-mode contexts (enumerated) and two floating dtypes. Inside
    ``torch.autograd.forward_ad.dual_level()``, ``p = make_dual(ones, 2s)``: ``p * 3`` has tangent 6s
    under every mode but ``inference_mode`` (None), and ``p.detach() * 3`` has none (the docs of
    each mode: "This API does not apply to forward-mode AD"; inference_mode "also disables
    forward-mode AD"; detach "also affects forward mode AD gradients").
    """
    import torch.autograd.forward_ad as fwAD

    context, kept = FORWARD_AD_MODES[mode]
    with warnings.catch_warnings():  # 2.14+: importing the jvp decompositions warns that torch.jit.script is deprecated
        warnings.simplefilter("ignore", FutureWarning)
        with fwAD.dual_level():
            p = fwAD.make_dual(torch.ones(3, dtype=dtype, device=device), torch.full((3,), 2.0, dtype=dtype, device=device))
            with context():
                tangent = fwAD.unpack_dual(p * 3).tangent
            detached = fwAD.unpack_dual(p.detach() * 3).tangent
    if kept:
        assert tangent is not None, f"the tangent of p * 3 under {mode} is None, but forward-mode AD should ignore {mode}"
        assert_same(tangent, torch.full((3,), 6.0, dtype=dtype, device=device), f"the tangent of p * 3 under {mode}")
    else:
        assert tangent is None, f"the tangent of p * 3 under {mode} is {tangent}, but inference_mode should disable forward-mode AD"
    assert detached is None, f"the tangent of p.detach() * 3 is {detached}, but detach() should drop it"


# --- under torch.compile


class _Stop(Exception):
    pass


@torch.no_grad()
def _no_grad_double(t):
    return t * 2


def _every_mode_inside(x):
    """Every grad mode in every form a compiled function can hold, detach() and detach_(); leaves grad disabled."""
    outs = [x * 2]
    with torch.no_grad():
        outs.append(x * 3)
        with torch.enable_grad():
            outs.append(x * 4)  # nested: the innermost decides
        outs.append(x * 5)  # the outer mode is back
    outs.append(_no_grad_double(x))  # a function decorated with @torch.no_grad()
    with torch.set_grad_enabled(False):
        outs.append(x + 1)
    with torch.set_grad_enabled(True):
        outs.append(x + 2)
    before = torch.is_grad_enabled()
    torch.set_grad_enabled(False)  # the function form, set back
    outs.append(x + 3)
    torch.set_grad_enabled(before)
    try:
        with torch.no_grad():
            outs.append(x - 1)
            raise _Stop
    except _Stop:
        pass
    outs.append(torch.sin(x))  # after the exception: the mode before the block
    outs.append(x.detach())
    y = x * 6
    y.detach_()
    outs.append(y)
    torch.set_grad_enabled(False)  # a switch left in force: still off after the function returns
    outs.append(x * 7)
    return outs


def _grad_on():
    torch._C._set_grad_enabled(True)


#: the same compiled function called in turn under these ambient modes (grad set back on before each)
INSIDE_CALLS = [
    Call(lambda x: _grad_on(), name="grad enabled around"),
    Call(lambda x: _grad_on(), lambda: torch.no_grad(), name="no_grad around"),
    Call(lambda x: _grad_on(), name="grad enabled around again"),
    Call(lambda x: _grad_on(), lambda: torch.set_grad_enabled(False), name="set_grad_enabled(False) around"),
]


@pytest.mark.known_bug(
    "<2.5",
    issue="https://github.com/pytorch/pytorch/issues/114338",
    reason="enable_grad inside a compiled function called under no_grad: the compiled output does not require grad "
    "(AOTAutograd traced an inference graph); fixed by pytorch/pytorch#128890 in 2.5. Checked: 2.4.1 diverges, 2.5.1 agrees",
)
@compile_budget()
@given(shape=compile_shapes, dtype=st.just(torch.float32))
def test_grad_modes_inside_a_compiled_function_act_as_in_eager_under_compile(device, backend, shape, dtype):
    """Grad modes, detach() and detach_() inside a compiled function act as in eager: each output requires grad, has a grad_fn, aliases its input and back-propagates exactly as eagerly, and a set_grad_enabled(False) left in force is still in force after the call.

    Inside the function: no_grad, enable_grad nested in it (and the outer mode back), a function
    decorated with @no_grad(), set_grad_enabled(False/True) as blocks and as a plain call set back,
    a no_grad block left by an exception, x.detach(), y.detach_(), and finally
    set_grad_enabled(False) left on (inference_mode inside: the known bugs below). One compile, called in turn with grad
    enabled, under no_grad, with grad enabled again (no stale graph) and under
    set_grad_enabled(False); ``specs/differential.py`` compares every output, the gradients and the
    grad mode after each call. Hypothesis draws the shape (``compile_shapes``: a 2 x 3 matrix first; float32).
    """
    with grad_mode_restored():
        assert_compiles_like_eager(
            _every_mode_inside,
            lambda: (torch.randn(shape, dtype=dtype, device=device, requires_grad=True),),
            backend,
            calls=INSIDE_CALLS,
            backward=True,
            **compile_tolerance(backend),
        )


def _ops(x, w):
    y = x * w
    return y, y.sum(), x.detach(), torch.sin(x), y.detach()  # y and its detach: two tensors (pytorch#100348)


@contextlib.contextmanager
def _stacked(*factories):
    with contextlib.ExitStack() as stack:
        for make in factories:
            stack.enter_context(make())
        yield


#: ambient modes around the same compiled function, in turn: no_grad first, then grad (no stale inference graph)
AROUND_CALLS = [
    Call(mode=lambda: torch.no_grad(), name="no_grad around"),
    Call(name="grad enabled around"),
    Call(mode=lambda: torch.inference_mode(), name="inference_mode around"),
    Call(name="grad enabled around again"),
    Call(mode=lambda: torch.set_grad_enabled(False), name="set_grad_enabled(False) around"),
    Call(mode=lambda: _stacked(torch.no_grad, torch.enable_grad), name="enable_grad inside no_grad around"),
    Call(mode=lambda: _stacked(torch.inference_mode, lambda: torch.inference_mode(False)), name="inference_mode(False) inside inference_mode around"),
]


@compile_budget()
@given(shape=compile_shapes, dtype=st.just(torch.float32))
def test_a_compiled_function_follows_the_grad_mode_around_each_call_under_compile(device, backend, shape, dtype):
    """One compiled function called under different grad modes in turn records exactly when the mode around that call records, as eagerly: no stale graph from an earlier call.

    Calls in turn: under no_grad (first, so an inference graph is compiled first), with grad enabled,
    under inference_mode, with grad enabled again, under set_grad_enabled(False), under enable_grad
    nested in no_grad and under inference_mode(False) nested in inference_mode. The function
    multiplies, sums, detaches and takes sin of inputs that require grad, and returns an intermediate
    next to its own ``detach()`` (two tensors, only the first recording); ``specs/differential.py``
    compares requires_grad, grad_fn, is_inference, aliasing, values and gradients after each call.
    Hypothesis draws the shape (``compile_shapes``: a 2 x 3 matrix first; float32).
    """
    assert_compiles_like_eager(
        _ops,
        lambda: (torch.randn(shape, dtype=dtype, device=device, requires_grad=True),
                 torch.randn(shape, dtype=dtype, device=device, requires_grad=True)),
        backend,
        calls=AROUND_CALLS,
        backward=True,
        **compile_tolerance(backend),
    )


def _grad_on_inside(x):
    with torch.enable_grad():
        a = x * 2
    with torch.set_grad_enabled(True):
        b = x * 3
    return a, b


@pytest.mark.known_bug(
    ">=2.8",
    issue="https://github.com/pytorch/pytorch/issues/114338",
    reason="no exact tracker issue found: enable_grad / set_grad_enabled(True) inside a compiled function called under "
    "inference_mode gives an inference tensor that requires grad (with a CompiledFunctionBackward grad_fn); eager gives "
    "one that does not. AOTAutograd runs the region under enable_grad since pytorch/pytorch#128890 (the #114338 fix). "
    "Checked: 2.5.1 and 2.7.1 agree; 2.8.0, 2.9.1, 2.14.1 and 2.15.0 diverge",
)
def test_enable_grad_inside_a_compiled_function_under_inference_mode_records_nothing_under_compile(device, backend):
    """enable_grad or set_grad_enabled(True) inside a compiled function called under inference_mode records nothing, as eagerly: the outputs are inference tensors that do not require grad.

    Eagerly, enable_grad inside inference_mode turns grad mode on, yet inference mode still makes
    inference tensors without history. A fixed (3, 4) float32 input: a known bug fails on every
    run, and hypothesis would spend a minute shrinking it.
    """
    assert_compiles_like_eager(
        _grad_on_inside,
        lambda: (torch.randn(3, 4, device=device, requires_grad=True),),
        backend,
        calls=[Call(mode=lambda: torch.inference_mode(), name="inference_mode around")],
    )


def _inference_off_inside(x):
    with torch.inference_mode(False):
        return x * 2


@pytest.mark.known_bug(
    ">=2.3",
    issue="https://github.com/pytorch/pytorch/pull/181106",
    reason="no exact tracker issue found (closest: inference_mode inside compiled forwards, pytorch/pytorch#180823 and its "
    "open fix #181106): inference_mode(False) inside a compiled function called under inference_mode gives an inference "
    "tensor; eager gives a normal tensor that requires grad. Checked: 2.3.1, 2.4.1, 2.5.1, 2.7.1, 2.8.0, 2.9.1, 2.14.1, 2.15.0 "
    "diverge; 2.1.2 and 2.2.2 agree with eager (2.0 cannot run Dynamo on Python 3.11)",
)
def test_inference_mode_false_inside_a_compiled_function_makes_normal_tensors_under_compile(device, backend):
    """inference_mode(False) inside a compiled function called under inference_mode makes normal tensors that record, as eagerly.

    A fixed (3, 4) float32 input (a known bug: no shrinking).
    """
    assert_compiles_like_eager(
        _inference_off_inside,
        lambda: (torch.randn(3, 4, device=device, requires_grad=True),),
        backend,
        calls=[Call(mode=lambda: torch.inference_mode(), name="inference_mode around")],
    )


def _inference_inside(x):
    with torch.inference_mode():
        return x + 4


@pytest.mark.known_bug(
    ">=2.3",
    issue="https://github.com/pytorch/pytorch/pull/181106",
    reason="no exact tracker issue found (closest: inference_mode inside compiled forwards, pytorch/pytorch#180823 and its "
    "open fix #181106): inference_mode inside a compiled function gives a normal tensor; eager gives an inference tensor. "
    "Checked: 2.3.1, 2.4.1, 2.6.0, 2.7.1, 2.8.0, 2.9.1, 2.14.1, 2.15.0 diverge, 2.1.2 and 2.2.2 agree with eager",
)
def test_inference_mode_inside_a_compiled_function_makes_inference_tensors_under_compile(device, backend):
    """inference_mode inside a compiled function makes inference tensors that record nothing, as eagerly, called with grad enabled or under no_grad.

    A fixed (3, 4) float32 input (a known bug: no shrinking).
    """
    assert_compiles_like_eager(
        _inference_inside,
        lambda: (torch.randn(3, 4, device=device, requires_grad=True),),
        backend,
        calls=[Call(name="grad enabled around"), Call(mode=lambda: torch.no_grad(), name="no_grad around")],
    )


# --- release history (mined from release notes; see docs/release-history.md)

SET_GRAD_DECORATOR_BUG = "https://github.com/pytorch/pytorch/issues/113298"
CLASS_DECORATOR_CATEGORY = (
    "decorating a class with a grad-mode manager warns 'Decorating classes is deprecated'; the category "
    "became FutureWarning in torch 2.4 (https://github.com/pytorch/pytorch/releases/tag/v2.4.0); "
    "checked: UserWarning on 2.0-2.3, FutureWarning on 2.4-2.15"
)


@pytest.mark.known_bug(
    "<2.2",
    issue=SET_GRAD_DECORATOR_BUG,
    reason="@torch.set_grad_enabled(False) switched grad mode off when the decorator was applied (fixed by "
    "pytorch#113359 in torch 2.2; checked: leaks on 2.0 and 2.1, not on 2.2-2.15)",
)
def test_set_grad_enabled_as_a_decorator_leaves_the_callers_grad_mode_alone(device):
    """Decorating a function with @torch.set_grad_enabled(False) does not switch grad mode off; only the decorated call runs without grad.

    ``set_grad_enabled(False)`` flips the mode as soon as it is constructed (it is also a plain call);
    used as a decorator it must restore the mode at once, so the caller's code after the ``def`` still
    records. Checked on a tensor on the device under test.
    """
    x = torch.ones(3, device=device, requires_grad=True)
    before = torch.is_grad_enabled()
    try:

        @torch.set_grad_enabled(False)
        def double(t):
            return t * 2

        after_decorating = torch.is_grad_enabled()
        inside = double(x)
        after_call = torch.is_grad_enabled()
    finally:
        torch._C._set_grad_enabled(before)
    assert after_decorating is True, "torch.is_grad_enabled() after @set_grad_enabled(False) def ...: False, but should be True"
    assert_requires_grad(inside, False, "double(x) (decorated with set_grad_enabled(False))")
    assert after_call is True, "torch.is_grad_enabled() after calling the decorated function: False, but should be True"
    assert_requires_grad(x * 2, True, "x * 2 after the decorated function")


def _decorate_a_class(device):
    class Doubler:
        def __init__(self, t):
            self.out = t * 2

    with warnings_recorded() as caught:
        made = torch.no_grad()(Doubler)(torch.ones(2, device=device, requires_grad=True))
    found = [w for w in caught if "Decorating classes is deprecated" in str(w.message)]
    return made, found


@pytest.mark.torch_version("<2.4", reason=CLASS_DECORATOR_CATEGORY)
def test_no_grad_decorating_a_class_warns_user_warning_before_2_4(device):
    """Before torch 2.4, decorating a class with torch.no_grad() runs its constructor without grad and warns UserWarning that decorating classes is deprecated."""
    made, found = _decorate_a_class(device)
    assert_requires_grad(made.out, False, "t * 2 in the no_grad-decorated class's __init__")
    assert [w.category for w in found] == [UserWarning], f"warnings {[(w.category.__name__, str(w.message)[:60]) for w in found]}, but should be one UserWarning"


@pytest.mark.torch_version(">=2.4", reason=CLASS_DECORATOR_CATEGORY)
def test_no_grad_decorating_a_class_warns_future_warning_from_2_4(device):
    """From torch 2.4, decorating a class with torch.no_grad() runs its constructor without grad and warns FutureWarning that decorating classes is deprecated."""
    made, found = _decorate_a_class(device)
    assert_requires_grad(made.out, False, "t * 2 in the no_grad-decorated class's __init__")
    assert [w.category for w in found] == [FutureWarning], f"warnings {[(w.category.__name__, str(w.message)[:60]) for w in found]}, but should be one FutureWarning"


# --- release history, round 4 (release notes 2.10-2.15)

import sys as _sys  # noqa: E402

GRAD_MODE_FRAME_NAME = (
    "a function or generator decorated with a grad mode runs inside a wrapper frame; until torch 2.15 every such "
    "frame was named decorate_context (generator_context for a generator) whatever the mode, so tracebacks could "
    "not tell no_grad from inference_mode (pytorch#118747); pytorch#186502 'Make context decorator frames identify "
    "the context manager' (https://github.com/pytorch/pytorch/releases/tag/v2.15.0) names the frame after the mode's "
    "class (no_grad, enable_grad, set_grad_enabled, inference_mode), leaving the function's __name__ alone. "
    "Checked: decorate_context / generator_context on 2.0.1, 2.1.2, 2.2.2, 2.13.0 and 2.14.1, the mode's name on 2.15.0"
)


#: the decorator forms, without the known bug of set_grad_enabled's decorator before 2.2 (it leaked the flag into
#: the caller's mode, which these specs neither depend on nor check: they restore the mode themselves)
_FRAME_NAME_CASES = [
    pytest.param(*case.values, id=case.id, marks=[m for m in case.marks if m.name != "known_bug"])
    for case in grad_mode_params(forms=("decorator", "bare_decorator"))
]


def _wrapper_frame_names(mode, form):
    """The name of the frame that calls the decorated function, and of the one that resumes the decorated generator."""

    def function():
        return _sys._getframe(1).f_code.co_name

    def steps():
        yield _sys._getframe(1).f_code.co_name

    with grad_mode_restored():  # set_grad_enabled(flag) switches the mode when it is built
        decorate = GRAD_MODES[mode][0]() if form == "decorator" else BARE[mode]()
        decorated, generator = decorate(function), decorate(steps)
        names = (decorated(), next(generator()))
    assert decorated.__name__ == "function", f"@{mode}: __name__={decorated.__name__!r}, but should stay 'function'"
    return names


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.15", reason=GRAD_MODE_FRAME_NAME)
@pytest.mark.parametrize(("mode", "form"), _FRAME_NAME_CASES)
def test_a_grad_mode_decorators_frame_is_named_decorate_context_before_2_15(mode, form):
    """Before torch 2.15, the frame a grad-mode decorator runs the function in is named decorate_context (generator_context for a generator), whatever the mode.

    Over the six modes as a decorator with parentheses and the three bare decorators (torch >= 2.1).
    """
    names = _wrapper_frame_names(mode, form)
    want = ("decorate_context", "generator_context")
    assert names == want, f"@{mode} ({form}): (function's caller, generator's caller) frames={names}, but should be {want}"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.15", reason=GRAD_MODE_FRAME_NAME)
@pytest.mark.parametrize(("mode", "form"), _FRAME_NAME_CASES)
def test_a_grad_mode_decorators_frame_is_named_after_the_mode_from_2_15(mode, form):
    """From torch 2.15, the frame a grad-mode decorator runs a function or a generator in is named after the mode (no_grad, enable_grad, set_grad_enabled, inference_mode), so a traceback shows which mode was active.

    Over the six modes as a decorator with parentheses and the three bare decorators; the expected
    name is the mode's own (``set_grad_enabled(False)`` -> ``set_grad_enabled``).
    """
    names = _wrapper_frame_names(mode, form)
    want = (mode.partition("(")[0],) * 2
    assert names == want, f"@{mode} ({form}): (function's caller, generator's caller) frames={names}, but should be {want}"
