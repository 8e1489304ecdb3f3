""".data vs .detach() and the version counter.

Both ``x.data`` and ``x.detach()`` give a tensor that shares ``x``'s storage, has no history and
does not require grad. The difference is invisible until you write into it. Every tensor carries a
*version counter* (``t._version``) that in-place operations bump; when autograd saves a tensor for
backward it records the version, and ``backward()`` raises ``RuntimeError: one of the variables
needed for gradient computation has been modified by an inplace operation`` if it changed
("In-place correctness checks" in the autograd notes).

``x.detach()`` shares the version counter with ``x``: an in-place write through it is seen, and a
stale saved tensor is reported at backward. ``x.data`` gets a fresh counter: the write is hidden
from autograd, and backward silently uses the modified values -- a wrong gradient with no error.
That is why the 0.4 release notes and the source note recommend ``detach()``; ``.data`` survives
for code that deliberately bypasses autograd (optimizers historically did).

The source note's example is reproduced exactly: with ``d = x @ w1``, ``f = d @ w2`` and
``d.data[:] = 1``, ``f.backward()`` gives ``w2.grad == [1.]`` where the true gradient is ``[4.]``;
the same through ``d.detach()`` raises. (The note writes ``torch.FloatTensor([...])``, a legacy
cpu-only constructor; the specs build the same float32 values with ``torch.tensor`` on each device.)
"""

from __future__ import annotations


import numpy as np
import pytest
import torch
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.differential import assert_compiles_like_eager, compile_fn
from specs.helpers import assert_same, assert_shares, raises
from specs.inputs import (
    DIFFERENTIABLE,
    budget,
    compile_budget,
    compile_shapes,
    dtype_id,
    dtype_params,
    layout_applies,
    layout_shapes,
    relayout,
    relayout_np,
    tensor_values,
)

#: non-empty (sharing is checked through data pointers, which empty tensors lack), small sides
nonempty_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
ALIASES = {".data": lambda t: t.data, ".detach()": lambda t: t.detach()}


def _add_out(a, v):
    torch.add(a, v, out=a)


def _iadd(a, v):
    a += v


#: in-place writes through an alias, each bumping the version counter once (v: a Python float)
WRITES = {
    "a[...] = v": lambda a, v: a.__setitem__(Ellipsis, v),
    "a.fill_(v)": lambda a, v: a.fill_(v),
    "a.add_(v)": lambda a, v: a.add_(v),
    "a += v": _iadd,
    "torch.add(a, v, out=a)": _add_out,
    "a.mul_(v)": lambda a, v: a.mul_(v),
    "a.copy_(v)": lambda a, v: a.copy_(torch.full_like(a, v)),
    "a.zero_()": lambda a, v: a.zero_(),
}
#: readable ids of the writes (pytest ids: no brackets or spaces)
WRITE_IDS = {"a[...] = v": "setitem", "a.fill_(v)": "fill_", "a.add_(v)": "add_", "a += v": "iadd",
             "torch.add(a, v, out=a)": "add-out", "a.mul_(v)": "mul_", "a.copy_(v)": "copy_", "a.zero_()": "zero_"}
#: writes that add v (v=0 keeps the values), the others set or scale (v=1 keeps mul_'s)
ADDING = ("a.add_(v)", "a += v", "torch.add(a, v, out=a)")
#: ops that save their first input for backward: ``saved`` is what autograd keeps of ``d``
SAVING_OPS = {
    "d * w": lambda d, w: d * w,
    "torch.mul(w, d)": lambda d, w: torch.mul(w, d),
    "d.pow(2) * w": lambda d, w: d.pow(2) * w,
}


def note_graph(device):
    """The source note's example: x=[[1,2]], w1=[[2],[1]], w2=[3], d = x @ w1 (= [[4]])."""
    x = torch.tensor([[1.0, 2.0]], device=device)
    w1 = torch.tensor([[2.0], [1.0]], device=device, requires_grad=True)
    w2 = torch.tensor([3.0], device=device, requires_grad=True)
    return x, w1, w2, torch.matmul(x, w1)


#: the layouts of x (specs/inputs.py): strided ones, channels_last, expanded (stride 0) and the lazy conj/neg bits
ALIAS_LAYOUTS = ("contiguous", "transposed", "step_sliced", "offset", "channels_last", "expanded", "conj_bit", "neg_bit")
ALIAS_CASES = [
    pytest.param(dtype, layout, id=f"{dtype_id(dtype)}-{layout}")
    for dtype in DIFFERENTIABLE for layout in ALIAS_LAYOUTS if layout_applies(layout, dtype)
]


@pytest.mark.parametrize("dtype, layout", ALIAS_CASES)
@given(data=st.data())
@budget(len(ALIAS_CASES))
def test_data_and_detach_share_storage_and_have_no_history(device, dtype, layout, data):
    """x.data and x.detach() are both views of x's own elements (same storage, shape, strides, offset and every value) that do not require grad and have no grad_fn.

    This is everything the two have in common (the note's list "相同"); writes through either are
    visible in ``x``. Ranges over every dtype that can require grad (float16, bfloat16, float32,
    float64, complex64, complex128) and every layout of x from ``specs/inputs.py`` that applies to
    it: contiguous, transposed, step-sliced, at a storage offset, channels_last (4-D), expanded
    (stride 0), and with the conjugate bit (complex) or negative bit set (kept by both aliases);
    hypothesis draws the shape (sides 2 to 3 for a laid-out x, 0-d included where the layout
    allows; a contiguous x has sides 1 to 4) and values with their
    extremes (nan, inf, subnormals). ``x`` is a non-leaf that requires grad; each element of the
    alias is checked against the numpy array the values came from, so a scrambled view of the same
    storage is caught. Every example also checks an empty x (2, 0, 3) of the dtype: new objects of the
    same shape and strides, without history (empty tensors have no data pointer to compare).
    """
    # sides >= 2 (but 0-d where the layout allows it): the simplest draw is then really transposed, expanded ...
    shape = data.draw(layout_shapes(layout, min_side=2, max_side=3) if layout != "contiguous" else nonempty_shapes,
                      label="shape")
    arr, t = data.draw(tensor_values(dtype, shape), label="values")
    base = t.to(device).requires_grad_()
    x = relayout(base.clone(), layout)  # a non-leaf requiring grad; clone keeps every value (x * 1 turns inf*1j into nan+infj)
    expected = torch.from_numpy(np.array(relayout_np(arr, layout), order="C")).to(dtype).to(device)
    assert x.requires_grad, f"{layout} x does not require grad"
    for name, alias in ALIASES.items():
        a = alias(x)
        assert_shares(a, x, f"{layout}{name}")
        assert not a.requires_grad and a.grad_fn is None and a.is_leaf, (
            f"{layout}{name}: requires_grad={a.requires_grad}, grad_fn={a.grad_fn}, is_leaf={a.is_leaf}, "
            "but should be False/None/True"
        )
        got = (tuple(a.shape), a.stride(), a.storage_offset(), a.is_conj(), a.is_neg())
        want = (tuple(x.shape), x.stride(), x.storage_offset(), x.is_conj(), x.is_neg())
        assert got == want, f"{layout}{name}: (shape, stride, offset, conj, neg)={got}, but should be {want}"
        assert_same(a.resolve_conj().resolve_neg(), expected, f"{layout}{name}")
    # an empty x of the dtype too, in every example: no elements to share, but the same shape and strides, no history
    empty = torch.empty((2, 0, 3), dtype=dtype, device=device).requires_grad_().clone()
    for name, alias in ALIASES.items():
        a = alias(empty)
        got = (a is empty, tuple(a.shape), a.stride(), a.dtype, a.requires_grad, a.grad_fn, a.is_leaf)
        want = (False, (2, 0, 3), empty.stride(), dtype, False, None, True)
        assert got == want, f"empty{name}: (is x, shape, stride, dtype, requires_grad, grad_fn, is_leaf)={got}, but should be {want}"


def test_note_example_data_gives_a_silently_wrong_gradient(device):
    """The note's example through d.data: f.backward() raises nothing and w2.grad == [1.], computed from the overwritten value instead of the true [4.].

    ``w1.grad`` is unaffected (``[[3.], [6.]]``): only gradients that use the saved ``d`` go wrong.
    """
    x, w1, w2, d = note_graph(device)
    d_ = d.data
    f = torch.matmul(d, w2)
    d_[:] = 1
    try:
        f.backward()
    except RuntimeError as e:
        pytest.fail(f"f.backward() raised {e}, but should raise nothing")
    assert_same(w2.grad, torch.tensor([1.0], device=device), "w2.grad (the true gradient is [4.])")
    assert_same(w1.grad, torch.tensor([[3.0], [6.0]], device=device), "w1.grad")


def test_note_example_detach_raises_at_backward(device):
    """The note's example through d.detach(): f.backward() raises RuntimeError "modified by an inplace operation".

    The write bumped ``d``'s version from 0 to 1; ``MvBackward``/``MmBackward`` saved ``d`` at
    version 0 and refuses to use it.
    """
    x, w1, w2, d = note_graph(device)
    d_ = d.detach()
    f = torch.matmul(d, w2)
    d_[:] = 1
    with raises(RuntimeError, "modified by an inplace operation"):
        f.backward()


#: one case of "an in-place write into a tensor saved for backward": each write, every op saving d, every dtype
WRITE_CASES = [pytest.param(write, id=WRITE_IDS[write]) for write in WRITES]
small = st.integers(-8, 8).map(float)


def saved_graph(shape, dtype, values, device, op):
    """(leaf, w, d, loss): ``d = leaf * 2`` (all 2s) is saved for backward by ``op(d, w)``; a complex loss is made real."""
    w = torch.tensor(values, dtype=dtype, device=device).expand(shape).clone().requires_grad_()
    leaf = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
    d = leaf * 2  # a non-leaf that requires grad, like the note's d
    loss = SAVING_OPS[op](d, w).sum()
    return leaf, w, d, loss.real if loss.is_complex() else loss


@pytest.mark.parametrize("write", WRITE_CASES)
@given(shape=nonempty_shapes, values=small)
@budget(len(WRITE_CASES))
@example(shape=(1, 1), values=3.0)
def test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected(device, write, shape, values):
    """An in-place write through .detach() into a tensor saved for backward always makes backward raise.

    Holds for any shape, value and in-place op: the write is detected even when it leaves the
    values unchanged (``mul_(1)``, ``add_(0)``), because autograd compares versions, not values.
    Ranges over every in-place write (``a[...] = v``, ``fill_``, ``add_``, ``+=``,
    ``torch.add(a, v, out=a)``, ``mul_``, ``copy_``, ``zero_``), and -- in every example -- every op
    saving d (``d * w``, ``torch.mul(w, d)``, ``d.pow(2) * w``) and every dtype that can require
    grad (float16, bfloat16, float32, float64, complex64, complex128); shapes (0-d included) and w's
    values are drawn.
    """
    for dtype in DIFFERENTIABLE:
        for op in SAVING_OPS:
            leaf, w, d, out = saved_graph(shape, dtype, values, device, op)
            WRITES[write](d.detach(), 0.0 if write in ADDING else 1.0)  # add_(0) and mul_(1) keep the values
            with raises(RuntimeError, "modified by an inplace operation", f"backward of {op} ({dtype}) after {write}"):
                out.backward()


@pytest.mark.parametrize("write", WRITE_CASES)
@given(shape=nonempty_shapes, values=small)
@budget(len(WRITE_CASES))
@example(shape=(1, 1), values=3.0)
def test_inplace_write_through_data_into_a_saved_tensor_is_never_detected(device, write, shape, values):
    """An in-place write through .data into a tensor saved for backward is never detected: backward computes with the new values.

    For ``d * w`` the gradient of ``w`` is the saved ``d``; after writing through ``d.data`` it
    equals the written values, not the ``2`` that ``d`` held in the forward pass. Ranges over the
    writes, ops, dtypes, shapes and values of the spec above (the complex loss is its real part, so
    the gradients are the conjugates: real values here, small integers exact in every dtype).
    """
    for dtype in DIFFERENTIABLE:
        for op in SAVING_OPS:
            leaf, w, d, out = saved_graph(shape, dtype, values, device, op)
            WRITES[write](d.data, 3.0)  # d held 2; every write leaves a different value (3, 5, 6 or 0)
            modified = d.detach().clone()
            try:
                out.backward()
            except RuntimeError as e:
                pytest.fail(f"{write} then backward of {op} ({dtype}) raised {e}, but should raise nothing")
            if op == "d.pow(2) * w":  # pow saved d: dL/dleaf = 2 * (2 * d * w), computed from the modified d
                assert_same(leaf.grad, (4 * modified * w.detach()).conj(), f"{dtype} leaf.grad (expected: from the modified d)")
            else:  # d * w and mul(w, d): dL/dw is the saved d itself
                assert_same(w.grad, modified.conj(), f"{dtype} w.grad (expected: the modified d)")


@pytest.mark.parametrize("dtype", dtype_params(DIFFERENTIABLE))
@given(shape=nonempty_shapes, writes=st.permutations(list(WRITES)))
@budget(len(DIFFERENTIABLE))
def test_inplace_through_detach_bumps_the_version_and_through_data_does_not(device, dtype, shape, writes):
    """Each in-place op through .detach() bumps the original's _version; through .data the original's _version never moves.

    ``x.detach()`` shares ``x``'s version counter (same number, moving together); ``x.data`` has a
    counter of its own, which is exactly how it hides writes from autograd. Ranges over every dtype
    that can require grad and every in-place write of the specs above, all of them in every
    example, in a drawn order, on drawn shapes (0-d included).
    """
    x = torch.ones(shape, dtype=dtype, device=device, requires_grad=True) * 2
    start = x._version
    detached = x.detach()
    for k, write in enumerate(writes, 1):
        WRITES[write](detached, 1.0)
        assert x._version == start + k == detached._version, (
            f"x._version={x._version}, detach()._version={detached._version} after {writes[:k]}, "
            f"but both should be {start + k}"
        )
    start = x._version
    data = x.data
    for write in writes:
        WRITES[write](data, 1.0)
    assert x._version == start, (
        f"x._version={x._version} after {writes} through .data, but should stay {start}"
    )


@pytest.mark.parametrize("dtype", dtype_params(DIFFERENTIABLE))
@given(shape=nonempty_shapes, values=small)
@budget(len(DIFFERENTIABLE))
@example(shape=(2, 3), values=5.0)
def test_assigning_data_swaps_the_storage_behind_autograds_back(device, dtype, shape, values):
    """x.data = t makes x an alias of t's memory behind autograd's back: x stays the same leaf that requires grad, keeps its own version counter, and a backward that saved x silently uses t's values.

    The setter is the other half of ``.data`` (``.detach()`` has none): ``x`` takes ``t``'s shape and
    storage (a write into ``t`` shows in ``x``), its ``_version`` does not move -- neither at the
    assignment nor at later writes into ``t`` --, and ``(w * w).sum()`` backpropagated after
    ``w.data = t`` gives ``2 * t``, not ``2 * w``. An integer ``t`` is refused (RuntimeError "floating
    point"). Ranges over every dtype that can require grad x t's shape (drawn, 0-d included) x the
    value t holds (small integers, exact in every dtype).
    """
    x = torch.ones(3, dtype=dtype, device=device, requires_grad=True)
    x.detach().add_(1)  # version 1: a counter of its own to keep
    version = x._version
    t = torch.full(shape, values, dtype=dtype, device=device)
    x.data = t
    got = (tuple(x.shape), x.dtype, x.requires_grad, x.is_leaf, x.grad_fn, x._version)
    want = (tuple(shape), dtype, True, True, None, version)
    assert got == want, f"after x.data = t: (shape, dtype, requires_grad, is_leaf, grad_fn, _version)={got}, but should be {want}"
    assert_shares(x, t, "x after x.data = t")
    t.add_(1)
    assert x._version == version, f"x._version={x._version} after a write into t, but should stay {version}"
    assert_same(x.detach(), torch.full(shape, values + 1, dtype=dtype, device=device), "x after t.add_(1)")
    with raises(RuntimeError, "floating point", "x.data = an int64 tensor"):
        x.data = torch.zeros(3, dtype=torch.int64, device=device)
    w = torch.ones(3, dtype=dtype, device=device, requires_grad=True)
    loss = (w * w).sum()  # saves w, which holds 1
    w.data = torch.full((3,), values, dtype=dtype, device=device)
    loss.real.backward() if loss.is_complex() else loss.backward()
    assert_same(w.grad, torch.full((3,), 2 * values, dtype=dtype, device=device), "w.grad after w.data = t (from t's values)")


# --------------------------------------------------------------------------- under torch.compile
# One compile per claim (``compile_budget``). ``specs/differential.py`` compares the outputs, their aliasing
# with the inputs, the inputs after the call (values, version counter moved) and the gradients.


def _data_and_detach_inside(x, w, z):
    d = x * 2
    out = d * w  # saves d for backward
    d.data.mul_(3)  # hidden from autograd: backward uses the tripled d, silently
    z.detach().add_(1)  # through detach(): the caller's z is written, its version moves
    return out, d, x.detach(), x.data


@pytest.mark.known_bug(
    "<2.5",
    issue="https://github.com/pytorch/pytorch/issues/121353",
    reason="Dynamo traced y = x.data as x.detach(), which shares x's version counter, so d.data.mul_(3) on the saved d "
    "bumped it and AOTAutograd's joint trace raised BackendCompilerFailed 'modified by an inplace operation' at the "
    "first call, where eager's .data write is hidden from autograd (fixed by pytorch#131403, 'dynamo: mutations on "
    ".data should be invisible to autograd'). Checked (cpu, aot_eager): fails to compile on 2.1.2, 2.2.2, 2.3.1 and "
    "2.4.1; passes on 2.5.1, 2.6.0 and 2.14.1 (2.0 cannot run Dynamo on Python 3.11)",
)
@compile_budget()
@given(shape=compile_shapes)
def test_writes_through_data_and_detach_inside_a_compiled_function_act_as_in_eager_under_compile(device, backend, shape):
    """Inside a compiled function ``.data`` and ``.detach()`` act as in eager: both alias their tensor without history, a write through ``.data`` into a saved tensor gives the same silently wrong gradient, a write through ``.detach()`` of an input writes the caller's tensor and moves its version.

    One compiled function (float32; the dtypes are the eager specs' axis, each would be a compile of
    its own) on drawn shapes (``compile_shapes``: a 2 x 3 matrix first, 0-d included): ``d = x * 2`` saved by ``d * w`` and then tripled through
    ``d.data``; ``z.detach().add_(1)`` on an input; ``x.detach()`` and ``x.data`` returned.
    ``specs/differential.py`` compares every output (values, requires_grad, grad_fn, aliasing: the
    two aliases share x's storage), every input after the call and whether its version moved, and
    the gradients of x and w after backward (w's is the tripled d, as eagerly).
    """
    def make():
        g = torch.Generator().manual_seed(0)
        x = torch.randn(shape, generator=g).to(device).requires_grad_()
        w = torch.randn(shape, generator=g).to(device).requires_grad_()
        return x, w, torch.randn(shape, generator=g).to(device)

    assert_compiles_like_eager(_data_and_detach_inside, make, backend, backward=True)


def _data_write_on_input(x):
    x.data.add_(1)
    return x * 2


@pytest.mark.known_bug(
    ">=2.1",
    issue="https://github.com/pytorch/pytorch/issues/139152",
    reason="an in-place op through x.data on a graph input moves x's version counter under torch.compile (aot_eager and inductor); "
    "eager leaves it alone (.data has a counter of its own). #139152 reports the same for .data assignment; "
    "pytorch#186185 preserved counters for that case. Checked (cpu, aot_eager): diverges on 2.1.2, 2.4.1, 2.6.0, "
    "2.13.0, 2.14.1 and 2.15.0 (2.0 cannot run Dynamo on Python 3.11)",
)
@compile_budget()
@given(shape=compile_shapes)
def test_a_write_through_data_on_an_input_leaves_its_version_counter_alone_under_compile(device, backend, shape):
    """Inside a compiled function an in-place write through an input's ``.data`` writes the caller's tensor without moving its version counter, as in eager.

    One compiled function (float32) on drawn shapes (``compile_shapes``: a 2 x 3 matrix first, 0-d included): ``x.data.add_(1)`` then
    ``x * 2`` returned; ``specs/differential.py`` compares the output, x after the call and
    whether x's version moved (eager: it does not).
    """
    make = lambda: (torch.randn(shape, generator=torch.Generator().manual_seed(0)).to(device),)  # noqa: E731
    assert_compiles_like_eager(_data_write_on_input, make, backend)


def _assign_data(x, y, z):
    x.data = y  # x now holds y's tensor data
    y.data = torch.zeros(0, device=y.device)  # rebinds y only: x keeps y's old values
    z.data = z * 3  # a new tensor of the same shape
    return x * 2, z + 1


@pytest.mark.known_bug(
    "<2.2",
    issue="https://github.com/pytorch/pytorch/issues/113030",
    reason="in 2.1 a compiled x.data = y made x an alias of y itself (a view), so the later y.data = torch.zeros(0) emptied "
    "x too (fixed in 2.2 by graph-breaking there). Checked (cpu, aot_eager): x and z come back wrong on 2.1.2",
)
@pytest.mark.known_bug(
    ">=2.2,<2.14",
    issue="https://github.com/pytorch/pytorch/issues/139152",
    reason="Dynamo captures x.data = t as the set_ op, which moves x's version counter (and z's); eager's .data assignment "
    "leaves it alone (pytorch#186185 preserved the counters). Checked (cpu, aot_eager): values right, versions moved on "
    "every minor release 2.2.2-2.13.0; agrees on 2.14.1 and 2.15.0",
)
@pytest.mark.known_bug(
    ">=2.14",
    backend="inductor",
    issue="https://github.com/pytorch/pytorch/issues/174187",
    reason="after two .data assignments in one compiled function inductor reads the rebound z's new data and applies "
    "z * 3 again: z + 1 comes back as 9 * z + 1 (z itself is right; aot_eager is right; seen on a 0-d z, which this claim "
    "draws first: a 2 x 3 z comes back right on 2.14.1). No exact issue found; #174187 "
    "(open) is the closest ('.data assignment is not respected by inductor'). Checked (cpu): diverges on 2.14.1 and 2.15.0",
)
@settings(compile_budget(), phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: each example compiles
@given(shape=nonempty_shapes)  # 0-d first: inductor's known bug below shows there (not on a 2 x 3 matrix)
def test_assigning_data_inside_a_compiled_function_acts_as_in_eager_under_compile(device, backend, shape):
    """Inside a compiled function ``x.data = t`` rebinds the caller's x to t's data without moving either's version counter, and rebinding t afterwards leaves x alone, as in eager.

    One compiled function (float32) on drawn shapes (0-d first, the shape inductor's known bug shows on): ``x.data = y``, then ``y.data =
    torch.zeros(0)`` (x keeps y's old values), ``z.data = z * 3``; it returns ``x * 2`` and ``z + 1``.
    ``specs/differential.py`` compares the outputs, every input after the call (values and shape: y is
    empty) and whether its version counter moved (eager: none does).
    """
    def make():
        g = torch.Generator().manual_seed(0)
        return tuple(torch.randn(shape, generator=g).to(device) for _ in range(3))

    assert_compiles_like_eager(_assign_data, make, backend)


def _detach_write_into_saved(x, w):
    d = x * 2
    out = d * w  # saves d
    d.detach().zero_()  # shares d's version counter: the saved d is stale
    return out


@compile_budget()
@given(shape=compile_shapes)
def test_a_write_through_detach_into_a_saved_tensor_inside_a_compiled_function_raises_at_the_call_under_compile(device, backend, shape):
    """A write through ``.detach()`` into a tensor saved for backward inside a compiled function raises RuntimeError "modified by an inplace operation" already at the call, in grad mode; eager raises only at backward, and under no_grad neither raises.

    torch.compile traces the forward and the backward into one joint graph at the first call
    (AOTAutograd), so autograd's version check on the saved ``d`` fires while tracing -- by design,
    as the maintainers explain in pytorch/torchdynamo#1962 (closed as not a bug). Under no_grad
    AOTAutograd traces an inference graph with no backward, and the call returns eager's values.
    One compiled function (float32) on drawn shapes (``compile_shapes``: a 2 x 3 matrix first, 0-d included): ``d = x * 2``, ``d * w``
    returned after ``d.detach().zero_()``. Checked on 2.14.1.
    """
    g = torch.Generator().manual_seed(0)
    x = torch.randn(shape, generator=g).to(device).requires_grad_()
    w = torch.randn(shape, generator=g).to(device).requires_grad_()
    eager = _detach_write_into_saved(x, w)  # eager: the call is fine ...
    with raises(RuntimeError, "modified by an inplace operation", "eager backward after d.detach().zero_()"):
        eager.sum().backward()  # ... backward raises
    compiled = compile_fn(_detach_write_into_saved, backend)
    with raises(RuntimeError, "modified by an inplace operation", "the compiled call in grad mode"):
        compiled(x, w)
    with torch.no_grad():
        assert_same(compiled(x, w), _detach_write_into_saved(x, w), "the compiled call under no_grad")
