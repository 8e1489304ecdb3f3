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
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.helpers import assert_same, assert_shares, raises

real_dtypes = st.sampled_from([torch.float32, torch.float64])
#: non-empty (sharing is checked through data pointers, which empty tensors lack), small sides
nonempty_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
small = st.integers(-8, 8).map(float)
ALIASES = {".data": lambda t: t.data, ".detach()": lambda t: t.detach()}

#: in-place writes through an alias, each bumping the version counter once
WRITES = {
    "a[...] = v": lambda a, v: a.__setitem__(Ellipsis, v),
    "a.fill_(v)": lambda a, v: a.fill_(v),
    "a.add_(v)": lambda a, v: a.add_(v),
    "a.mul_(v)": lambda a, v: a.mul_(v),
    "a.zero_()": lambda a, v: a.zero_(),
}
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


#: x as a view of its base, in each layout (numpy does the same indexing: the element oracle)
LAYOUTS = {
    "x": (lambda b: b, lambda a: a),
    "x.transpose(0, -1)": (lambda b: b.transpose(0, -1), lambda a: np.swapaxes(a, 0, -1)),
    "x[::2]": (lambda b: b[::2], lambda a: a[::2]),
    "x[1:]": (lambda b: b[1:], lambda a: a[1:]),  # storage offset 1 * stride(0)
}
value_dtypes = st.sampled_from([np.float16, np.float32, np.float64, np.complex64, np.complex128])


@st.composite
def finite_arrays(draw):
    dtype = np.dtype(draw(value_dtypes))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=2, max_side=4))
    return draw(hnp.arrays(dtype, shape, elements=hnp.from_dtype(dtype, allow_nan=False, allow_infinity=False)))


@given(arr=finite_arrays(), layout=st.sampled_from(list(LAYOUTS)))
@example(arr=np.full((2, 2), 2.0, dtype=np.float32), layout="x")  # the note's d = x @ w1, all 2s
@example(arr=np.arange(12.0).reshape(3, 4), layout="x.transpose(0, -1)")
@example(arr=np.arange(24.0, dtype=np.float32).reshape(4, 3, 2), layout="x[::2]")
@example(arr=np.arange(6.0).astype(np.complex64).reshape(3, 2), layout="x[1:]")
def test_data_and_detach_share_storage_and_have_no_history(device, arr, layout):
    """x.data and x.detach() are both views of x's own elements (same storage, shape, strides, offset and every value) that do not require grad and have no grad_fn.

    This is everything the two have in common (the note's list "相同"); writes through either are
    visible in ``x``. ``x`` is a view that requires grad, in several layouts (transposed, step
    slice, storage offset), with random finite values: each element of the alias is checked
    against numpy doing the same indexing, so a scrambled view of the same storage is caught.
    """
    view, np_view = LAYOUTS[layout]
    base = torch.tensor(arr, device=device, requires_grad=True)
    x = view(base * 1) if base.dim() else base * 1
    expected = torch.from_numpy(np.array(np_view(arr) if arr.ndim else arr, order="C")).to(device)
    for name, alias in ALIASES.items():
        a = alias(x)
        assert_shares(a, x, f"{layout}{name}")
        assert not a.requires_grad and a.grad_fn is None and a.is_leaf, (
            f"{layout}{name}: requires_grad={a.requires_grad}, grad_fn={a.grad_fn}, is_leaf={a.is_leaf}, "
            "but should be False/None/True"
        )
        got = (tuple(a.shape), a.stride(), a.storage_offset())
        want = (tuple(x.shape), x.stride(), x.storage_offset())
        assert got == want, f"{layout}{name}: (shape, stride, offset)={got}, but should be {want}"
        assert_same(a, expected, f"{layout}{name}")


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


#: one case of "an in-place write into a tensor saved for backward": graph shape/values, the write, the op
saved_writes = dict(
    shape=nonempty_shapes,
    dtype=real_dtypes,
    values=small,
    write=st.sampled_from(list(WRITES)),
    op=st.sampled_from(list(SAVING_OPS)),
)


def saved_graph(shape, dtype, values, device, op):
    """(leaf, w, d, loss): ``d = leaf * 2`` (all 2s) is saved for backward by ``op(d, w)``."""
    w = torch.tensor(values, dtype=dtype, device=device).expand(shape).clone().requires_grad_()
    leaf = torch.ones(shape, dtype=dtype, device=device, requires_grad=True)
    d = leaf * 2  # a non-leaf that requires grad, like the note's d
    return leaf, w, d, SAVING_OPS[op](d, w).sum()


@given(**saved_writes)
@example(shape=(1, 1), dtype=torch.float32, values=3.0, write="a[...] = v", op="d * w")
def test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected(device, shape, dtype, values, write, op):
    """An in-place write through .detach() into a tensor saved for backward always makes backward raise.

    Holds for any shape, value and in-place op: the write is detected even when it leaves the
    values unchanged (``mul_(1)``, ``add_(0)``), because autograd compares versions, not values.
    """
    leaf, w, d, out = saved_graph(shape, dtype, values, device, op)
    WRITES[write](d.detach(), 0.0 if write == "a.add_(v)" else 1.0)  # add_(0) and mul_(1) keep the values
    with raises(RuntimeError, "modified by an inplace operation"):
        out.backward()


@given(**saved_writes)
@example(shape=(1, 1), dtype=torch.float32, values=3.0, write="a[...] = v", op="d * w")
def test_inplace_write_through_data_into_a_saved_tensor_is_never_detected(device, shape, dtype, values, write, op):
    """An in-place write through .data into a tensor saved for backward is never detected: backward computes with the new values.

    For ``d * w`` the gradient of ``w`` is the saved ``d``; after writing through ``d.data`` it
    equals the written values, not the ``2`` that ``d`` held in the forward pass.
    """
    leaf, w, d, out = saved_graph(shape, dtype, values, device, op)
    WRITES[write](d.data, 3.0)  # d held 2; every write leaves a different value (3, 5, 6 or 0)
    modified = d.detach().clone()
    try:
        out.backward()
    except RuntimeError as e:
        pytest.fail(f"{write} then backward of {op} raised {e}, but should raise nothing")
    if op == "d.pow(2) * w":  # pow saved d: dL/dleaf = 2 * (2 * d * w), computed from the modified d
        assert_same(leaf.grad, 4 * modified * w.detach(), "leaf.grad (expected: from the modified d)")
    else:  # d * w and mul(w, d): dL/dw is the saved d itself
        assert_same(w.grad, modified, "w.grad (expected: the modified d)")


@given(shape=nonempty_shapes, dtype=real_dtypes, writes=st.lists(st.sampled_from(list(WRITES)), min_size=1, max_size=4))
@example(shape=(1, 1), dtype=torch.float32, writes=["a[...] = v"])  # the note's d_[:] = 1
def test_inplace_through_detach_bumps_the_version_and_through_data_does_not(device, shape, dtype, writes):
    """Each in-place op through .detach() bumps the original's _version; through .data the original's _version never moves.

    ``x.detach()`` shares ``x``'s version counter (same number, moving together); ``x.data`` has a
    counter of its own, which is exactly how it hides writes from autograd.
    """
    x = torch.ones(shape, dtype=dtype, device=device, requires_grad=True) * 2
    start = x._version
    detached = x.detach()
    for write in writes:
        WRITES[write](detached, 1.0)
    assert x._version == start + len(writes) == detached._version, (
        f"x._version={x._version}, detach()._version={detached._version} after {writes}, "
        f"but both should be {start + len(writes)}"
    )
    start = x._version
    data = x.data
    for write in writes:
        WRITES[write](data, 1.0)
    assert x._version == start, (
        f"x._version={x._version} after {writes} through .data, but should stay {start}"
    )
