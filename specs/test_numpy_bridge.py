"""numpy <-> tensor: which conversions share memory, which copy, and what they refuse.

``torch.from_numpy(a)`` does not copy: the tensor is a second view of the array's buffer, with the
array's dtype (a float64 array -- ``np.ones(5)`` -- gives a float64 tensor, not torch's default
float32), shape and strides. Writing through either object is visible through the other. The way
back, ``t.numpy()``, is just as zero-copy, so it only works where numpy can see the memory: on a
cpu tensor that autograd is not tracking. A tensor that requires grad is refused with a
RuntimeError (``.detach().numpy()``), except inside ``torch.no_grad()``; a cuda tensor is refused
with a TypeError that points at ``.cpu()``. ``numpy(force=True)`` means
``detach().cpu().resolve_conj().resolve_neg().numpy()``: it always converts, and it copies only
when one of those steps has to -- on a cpu tensor it still shares memory.

The constructors split the same way: ``torch.tensor(a)`` always copies; ``torch.as_tensor(a)``
shares when it can (same dtype, cpu) and copies otherwise. All three refuse what a tensor cannot
describe: negative strides (``a[::-1]``; ValueError, fixed by ``a.copy()``) -- even
``torch.tensor``, which copies anyway -- and non-native byte order (ValueError). ``from_numpy`` and
``as_tensor`` accept a read-only array with a UserWarning, because the tensor would still let you
write to it (``torch.tensor`` copies it silently).

Where the source note (and folklore) is off: the note's ``y = y.cuda()`` uses a ``y`` it never
defined (it means ``b``); ``x.to(device)`` equals ``x.cuda()`` only when ``device`` is cuda; and
"``numpy(force=True)`` returns a copy" is only true for tensors that are not already plain cpu
tensors. ``.numpy()`` under ``no_grad`` works in every supported release (since torch 1.6,
pytorch#38906), and ``force=`` exists in all of them (pytorch#78564, June 2022, before 2.0), so
neither needs a version gate in 2.0.1 ... 2.15. numpy's uint16/uint32/uint64 arrays are the one
version-dependent case: torch 2.3 added those dtypes and their numpy conversion.
"""

from __future__ import annotations

import re
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.helpers import (
    NUMPY_TO_TORCH,
    TORCH_TO_NUMPY,
    arrays,
    assert_dtype,
    assert_same,
    assert_shares,
    numpy_dtypes,
    raises,
)

#: Arrays with at least one element: sharing can only be observed through an element.
nonempty = arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5))
float_dtypes = st.sampled_from([np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.complex64)])


# --------------------------------------------------------------------------- private helpers


def other(a: np.ndarray) -> np.ndarray:
    """An array like ``a`` that differs from it in every element (1 where a is 0, else 0).

    Always an ndarray, also for 0-d ``a`` (where numpy ops return scalars): torch 2.4 with numpy 2
    cannot build a tensor from a ``numpy.bool`` scalar, which is not what these specs are about.
    """
    return np.asarray((a == 0).astype(a.dtype))


def assert_array_same(actual: np.ndarray, expected: np.ndarray, what: str = "array"):
    """numpy arrays: equal dtype, shape and values (NaN equals NaN)."""
    __tracebackhide__ = True
    assert actual.dtype == expected.dtype, f"{what}: dtype={actual.dtype}, but should be {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape={actual.shape}, but should be {expected.shape}"
    np.testing.assert_array_equal(actual, expected, err_msg=what)


def addr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


@contextmanager
def warn_always():
    """Make TORCH_WARN_ONCE warnings fire every time (they are once-per-process by default)."""
    before = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    try:
        yield
    finally:
        torch.set_warn_always(before)


# --------------------------------------------------------------------------- from_numpy


@given(a=arrays())
@example(a=np.ones(5))  # the note: np.ones(5) -> tensor([1., 1., 1., 1., 1.], dtype=torch.float64)
@example(a=np.zeros((0, 3), dtype=np.int64))
@example(a=np.array(True))
def test_from_numpy_keeps_dtype_shape_and_values(device, a):
    """torch.from_numpy keeps the array's dtype, shape and values exactly (float64 stays float64).

    Nothing is cast to torch's default dtype: ``np.ones(5)`` gives a float64 tensor. Moving the
    result to ``device`` keeps all of it too.
    """
    t = torch.from_numpy(a)
    assert_dtype(t, NUMPY_TO_TORCH[a.dtype], "t")
    assert tuple(t.shape) == a.shape, f"t.shape={tuple(t.shape)}, but should be {a.shape}"
    assert_array_same(t.to(device).cpu().numpy(), a, "t.to(device).cpu().numpy()")


@given(a=nonempty)
@example(a=np.ones(5))
def test_from_numpy_shares_memory_in_both_directions(device, a):
    """torch.from_numpy shares memory with its array in both directions, for every dtype.

    The tensor's data pointer is the array's buffer; writing the array changes the tensor, and
    writing the tensor (here: ``copy_`` from a tensor on ``device``) changes the array.
    """
    original, new = a.copy(), other(a)
    t = torch.from_numpy(a)
    assert t.data_ptr() == addr(a), f"t.data_ptr()={t.data_ptr():#x}, but should be the array's buffer {addr(a):#x}"
    a[...] = new
    assert_same(t, torch.tensor(new), "t after writing the array")
    t.copy_(torch.tensor(original).to(device))
    assert_array_same(a, original, "the array after t.copy_(tensor on device)")


@given(a=arrays(shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5)), data=st.data())
def test_from_numpy_keeps_strides_of_array_views(device, a, data):
    """torch.from_numpy of a strided view (slice, transpose) keeps its strides and shares memory.

    numpy strides are in bytes, torch strides in elements; the tensor describes the same view.
    """
    view = data.draw(st.sampled_from([a.T, a[::2], a[:, 1:]]), label="view")
    t = torch.from_numpy(view)
    strides = tuple(s // view.itemsize for s in view.strides)
    assert t.stride() == strides, f"t.stride()={t.stride()}, but should be {strides}"
    if view.size:
        assert t.data_ptr() == addr(view), f"t.data_ptr()={t.data_ptr():#x}, but should be the view's address {addr(view):#x}"
    assert_array_same(t.to(device).cpu().numpy(), view, "t.to(device).cpu().numpy()")


UNSIGNED_WIDE = [np.uint16, np.uint32, np.uint64]


@pytest.mark.torch_version(
    ">=2.3",
    reason="torch 2.3 added torch.uint16/uint32/uint64 (pytorch#116594) and maps numpy's "
    "uint16/32/64 to them in torch/csrc/utils/tensor_numpy.cpp",
)
@pytest.mark.parametrize("np_dtype", UNSIGNED_WIDE, ids=lambda d: np.dtype(d).name)
def test_from_numpy_accepts_wide_unsigned_arrays(device, np_dtype):
    """torch.from_numpy accepts uint16/uint32/uint64 arrays and shares them (torch >= 2.3)."""
    a = np.array([0, 1, np.iinfo(np_dtype).max], dtype=np_dtype)
    try:
        t = torch.from_numpy(a)
    except TypeError as exc:
        pytest.fail(f"torch.from_numpy({a.dtype} array) raised {exc!r}, but should accept it")
    assert_dtype(t, getattr(torch, np.dtype(np_dtype).name), "t")
    assert t.data_ptr() == addr(a), f"t.data_ptr()={t.data_ptr():#x}, but should be the array's buffer {addr(a):#x}"
    assert_array_same(t.to(device).cpu().numpy(), a, "t.to(device).cpu().numpy()")


@pytest.mark.torch_version(
    "<2.3",
    reason="before torch 2.3 there is no torch.uint16/32/64; tensor_numpy.cpp lists only "
    "uint8 among unsigned types",
)
@pytest.mark.parametrize("np_dtype", UNSIGNED_WIDE, ids=lambda d: np.dtype(d).name)
def test_from_numpy_refuses_wide_unsigned_arrays_before_2_3(device, np_dtype):
    """torch.from_numpy refuses uint16/uint32/uint64 arrays with TypeError (torch < 2.3)."""
    a = np.array([0, 1], dtype=np_dtype)
    with raises(TypeError, re.escape("can't convert np.ndarray of type"), f"torch.from_numpy({a.dtype} array)"):
        torch.from_numpy(a).to(device)


# --------------------------------------------------------------------------- Tensor.numpy


@given(a=nonempty)
@example(a=np.ones(5))
def test_numpy_shares_memory_with_cpu_tensor(device, a):
    """Tensor.numpy() of a cpu tensor shares its memory in both directions, with the matching dtype.

    The tensor is made on ``device`` and brought back with ``.cpu()`` -- the note's
    ``y.cpu().numpy()`` -- then converted.
    """
    c = torch.tensor(a, device=device).cpu()
    n = c.numpy()
    assert n.dtype == TORCH_TO_NUMPY[c.dtype], f"n.dtype={n.dtype}, but should be {TORCH_TO_NUMPY[c.dtype]}"
    assert addr(n) == c.data_ptr(), f"n's buffer={addr(n):#x}, but should be c.data_ptr()={c.data_ptr():#x}"
    new = other(a)
    n[...] = new
    assert_same(c, torch.tensor(new), "c after writing n")
    c.copy_(torch.tensor(a, device=device))
    assert_array_same(n, a, "n after c.copy_(tensor on device)")


@given(a=hnp.arrays(float_dtypes, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4)))
def test_numpy_refuses_tensor_that_requires_grad(device, a):
    """Tensor.numpy() of a tensor that requires grad raises RuntimeError naming detach().

    Holds for ``x.cpu().numpy()`` of a tensor made on any device: ``.cpu()`` keeps requires_grad.
    """
    x = torch.tensor(a, device=device, requires_grad=True)
    with raises(RuntimeError, re.escape("detach()"), "x.cpu().numpy() of x that requires grad"):
        x.cpu().numpy()


@given(a=hnp.arrays(float_dtypes, hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4)))
def test_numpy_converts_tensor_that_requires_grad_inside_no_grad(device, a):
    """Inside torch.no_grad(), Tensor.numpy() of a cpu tensor that requires grad works and shares memory.

    The check is ``GradMode::is_enabled() && requires_grad`` (since torch 1.6, pytorch#38906), so
    it holds in every supported release; outside no_grad the same call raises.
    """
    leaf = torch.tensor(a, device=device).cpu().requires_grad_()
    with torch.no_grad():
        try:
            n = leaf.numpy()
        except RuntimeError as exc:
            pytest.fail(f"leaf.numpy() under no_grad raised {exc!r}, but should convert")
    assert addr(n) == leaf.data_ptr(), f"n's buffer={addr(n):#x}, but should be leaf.data_ptr()={leaf.data_ptr():#x}"
    assert_array_same(n, a, "leaf.numpy()")


@pytest.mark.needs_cuda
def test_numpy_refuses_cuda_tensor_pointing_to_cpu(device):
    """Tensor.numpy() of a cuda tensor raises TypeError that points to .cpu()."""
    y = torch.ones(5, dtype=torch.float64, device=device).cuda()
    with raises(TypeError, r"Tensor\.cpu\(\)", "y.numpy() of a cuda tensor"):
        y.numpy()


@given(a=hnp.arrays(float_dtypes, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4)))
@example(a=np.ones(5))
def test_numpy_force_converts_tensor_that_requires_grad_on_any_device(device, a):
    """Tensor.numpy(force=True) converts a tensor that requires grad, on any device, to equal values."""
    x = torch.tensor(a, device=device, requires_grad=True)
    try:
        n = x.numpy(force=True)
    except (RuntimeError, TypeError) as exc:
        pytest.fail(f"x.numpy(force=True) raised {exc!r}, but should convert")
    assert_array_same(n, a, "x.numpy(force=True)")


@given(a=hnp.arrays(float_dtypes, hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4)))
def test_numpy_force_still_shares_memory_with_cpu_tensor(device, a):
    """Tensor.numpy(force=True) of a cpu tensor shares its memory: force detaches, it does not copy.

    Folklore says force=True "returns a copy"; the docs say it is
    ``detach().cpu().resolve_conj().resolve_neg().numpy()``, and each step is a no-op here.
    """
    leaf = torch.tensor(a, device=device).cpu().requires_grad_()
    n = leaf.numpy(force=True)
    assert addr(n) == leaf.data_ptr(), f"n's buffer={addr(n):#x}, but should be leaf.data_ptr()={leaf.data_ptr():#x}"
    n[...] = other(a)
    assert_same(leaf.detach(), torch.tensor(other(a)), "leaf after writing n")


@pytest.mark.needs_cuda
def test_numpy_force_copies_cuda_tensor(device):
    """Tensor.numpy(force=True) of a cuda tensor returns a host copy: writing it leaves the tensor alone."""
    y = torch.ones(5, dtype=torch.float64, device=device).cuda()
    try:
        n = y.numpy(force=True)
    except TypeError as exc:
        pytest.fail(f"y.numpy(force=True) raised {exc!r}, but should copy to the host")
    n[...] = 7.0
    assert_same(y.cpu(), torch.ones(5, dtype=torch.float64), "y after writing n")


# --------------------------------------------------------------------------- torch.tensor / as_tensor


@given(a=nonempty)
@example(a=np.zeros(2, dtype=np.float64))  # the note: torch.tensor(np.zeros(2)) -> DoubleTensor
def test_tensor_copies_the_array(device, a):
    """torch.tensor(array) copies: later writes to the array do not reach the tensor; dtype is kept."""
    original = a.copy()
    t = torch.tensor(a, device=device)
    assert_dtype(t, NUMPY_TO_TORCH[a.dtype], "t")
    a[...] = other(a)
    assert_same(t.cpu(), torch.from_numpy(original), "t after writing the array")


@given(a=nonempty)
@example(a=np.ones(5))
def test_as_tensor_shares_array_of_matching_dtype(device, a):
    """torch.as_tensor(array) without dtype/device shares the array's memory (it is from_numpy).

    The array here comes back from ``device`` (``t.cpu().numpy()``), so the whole chain
    device -> cpu tensor -> ndarray -> as_tensor adds no host copy.
    """
    src = torch.tensor(a, device=device).cpu()
    n = src.numpy()
    t = torch.as_tensor(n)
    assert_shares(t, src, "torch.as_tensor(n)")
    n[...] = other(a)
    assert_same(t, torch.tensor(other(a)), "t after writing n")


def small_values(dtype: np.dtype):
    """Values 0..100 (or bools) of ``dtype``: exactly representable in every dtype but bool/int8."""
    return st.booleans() if dtype == np.bool_ else st.integers(0, 100)


#: Arrays whose values convert exactly to uint8, int8 (0..100) and every float/complex dtype.
small_arrays = numpy_dtypes.flatmap(
    lambda d: hnp.arrays(d, hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5), elements=small_values(d))
)


@given(a=small_arrays, dtype=numpy_dtypes)
def test_as_tensor_copies_when_dtype_differs(device, a, dtype):
    """torch.as_tensor(array, dtype=other_dtype, device=device) converts into new memory, like torch.tensor."""
    target = NUMPY_TO_TORCH[dtype]
    if target == NUMPY_TO_TORCH[a.dtype]:
        target = torch.complex128 if target != torch.complex128 else torch.int8
    with warnings.catch_warnings():  # complex -> real casts warn, though imag is 0 here
        warnings.simplefilter("ignore")
        expected = torch.tensor(a.astype(TORCH_TO_NUMPY[target]), device=device)
        t = torch.as_tensor(a, dtype=target, device=device)
    assert_dtype(t, target, "t")
    assert_same(t, expected, "t")
    a[...] = other(a)
    assert_same(t, expected, "t after writing the array")


@given(a=arrays())
def test_as_tensor_of_tensor_on_device_is_that_tensor(device, a):
    """torch.as_tensor(t) of a tensor already on device with the same dtype returns t itself."""
    t = torch.tensor(a, device=device)
    out = torch.as_tensor(t, dtype=t.dtype, device=device)
    assert out is t, f"torch.as_tensor(t) is a new tensor (id {id(out):#x}), but should be t itself (id {id(t):#x})"


@pytest.mark.needs_cuda
def test_as_tensor_to_cuda_copies_the_array(device):
    """torch.as_tensor(array, device='cuda') copies the array to the GPU; later array writes do not reach it."""
    a = torch.ones(5, dtype=torch.float64, device=device).cpu().numpy()
    t = torch.as_tensor(a, device="cuda")
    a[...] = 3.0
    assert_same(t.cpu(), torch.ones(5, dtype=torch.float64), "t after writing the array")


# --------------------------------------------------------------------------- what is refused


@given(a=arrays(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=5)))
@pytest.mark.parametrize("convert", ["from_numpy", "as_tensor", "tensor"])
def test_negative_strides_are_rejected_until_copied(device, convert, a):
    """Arrays with a negative stride (a[::-1]) raise ValueError -- even in torch.tensor -- and a.copy() fixes it."""
    flipped = a[::-1]
    fn = getattr(torch, convert)
    with raises(ValueError, "negative", f"torch.{convert}(a[::-1]) with strides {flipped.strides}"):
        fn(flipped)
    fixed = fn(flipped.copy()).to(device)
    assert_array_same(fixed.cpu().numpy(), np.ascontiguousarray(flipped), f"torch.{convert}(a[::-1].copy()).to(device).cpu().numpy()")


@given(a=arrays(dtype=st.sampled_from([np.dtype(d) for d in "f8 f4 f2 i8 i4 i2 c8".split()])))
@pytest.mark.parametrize("convert", ["from_numpy", "as_tensor", "tensor"])
def test_non_native_byte_order_is_rejected(device, convert, a):
    """Arrays in non-native byte order raise ValueError; a.astype(native) fixes it."""
    swapped = a.astype(a.dtype.newbyteorder("S"))
    fn = getattr(torch, convert)
    with raises(ValueError, "byte order", f"torch.{convert}(array of dtype {swapped.dtype.str})"):
        fn(swapped)
    fixed = fn(swapped.astype(a.dtype)).to(device)
    assert_array_same(fixed.cpu().numpy(), a, f"torch.{convert}(swapped.astype(native)).to(device).cpu().numpy()")


@pytest.mark.parametrize("convert", ["from_numpy", "as_tensor"])
def test_read_only_array_gives_user_warning(device, convert):
    """from_numpy/as_tensor of a read-only array warn (UserWarning: not writable) and still share it.

    The warning is TORCH_WARN_ONCE -- once per process -- unless ``torch.set_warn_always(True)``,
    which this spec sets (and restores) so the claim does not depend on test order.
    """
    a = torch.arange(6, dtype=torch.float64, device=device).cpu().numpy().copy()
    a.flags.writeable = False
    with warn_always(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = getattr(torch, convert)(a)
    hits = [w for w in caught if issubclass(w.category, UserWarning) and "not writable" in str(w.message)]
    assert hits, f"torch.{convert} warnings={[str(w.message) for w in caught]}, but should include a 'not writable' UserWarning"
    assert t.data_ptr() == addr(a), f"t.data_ptr()={t.data_ptr():#x}, but should be the read-only array's buffer {addr(a):#x}"
