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

Off the cpu, the sharing stops: ``t.to(device)``, ``torch.as_tensor(a, device=device)`` and
``x.cpu()`` of a tensor elsewhere are copies, so writes to the array reach them only on the cpu.
The note's two idioms for getting a value (section 6): ``xx.cpu().numpy()`` is safe only for a
tensor that does not require grad (otherwise RuntimeError "Can't call numpy() on Tensor that
requires grad"); ``xx.cpu().detach().numpy()`` is always safe (sharing the detached cpu tensor,
which is ``xx``'s own memory on the cpu); ``xx.numpy(force=True)`` is the one-call form, which also
resolves lazy conjugate/negative views (``x.conj()``, ``x.conj().imag``).

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

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.helpers import (
    warn_always,
    NUMPY_TO_TORCH,
    TORCH_TO_NUMPY,
    arrays,
    assert_device,
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


def from_values(a: np.ndarray, device: torch.device) -> torch.Tensor:
    """A tensor on ``device`` built from ``a``'s Python values (``tolist``), not from its buffer."""
    return torch.tensor(a.tolist(), dtype=NUMPY_TO_TORCH[a.dtype], device=device).reshape(a.shape)


def addr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


# --------------------------------------------------------------------------- from_numpy


@given(a=arrays())
@example(a=np.ones(5))  # the note: np.ones(5) -> tensor([1., 1., 1., 1., 1.], dtype=torch.float64)
@example(a=np.zeros((0, 3), dtype=np.int64))
@example(a=np.array(True))
@example(a=np.array([1.5, -2.0], dtype=np.float16))
def test_from_numpy_keeps_dtype_shape_and_values(device, a):
    """torch.from_numpy keeps the array's dtype, shape and values exactly (float64 stays float64), and so does its t.to(device).

    Nothing is cast to torch's default dtype: ``np.ones(5)`` gives a float64 tensor. The tensor
    moved to ``device`` is compared there with one built from the array's Python values
    (``a.tolist()``), an independent path that does not read the array's buffer.
    """
    t = torch.from_numpy(a)
    assert_dtype(t, NUMPY_TO_TORCH[a.dtype], "t")
    assert tuple(t.shape) == a.shape, f"t.shape={tuple(t.shape)}, but should be {a.shape}"
    moved = t.to(device)
    assert_device(moved, device, "t.to(device)")
    assert_same(moved, from_values(a, device), "t.to(device)")
    assert_array_same(moved.cpu().numpy(), a, "t.to(device).cpu().numpy()")


@given(a=nonempty)
@example(a=np.ones(5))
def test_from_numpy_shares_memory_in_both_directions(device, a):
    """torch.from_numpy shares memory with its array in both directions, for every dtype; t.to(device) still shares on cpu (it is t) and is a copy on any other device.

    The tensor's data pointer is the array's buffer; writing the array changes the tensor, and
    writing the tensor (here: ``copy_`` from a tensor on ``device``) changes the array. Moving the
    tensor off the cpu copies it: later writes to the array do not reach the moved tensor.
    """
    original, new = a.copy(), other(a)
    t = torch.from_numpy(a)
    moved = t.to(device)
    stays = device.type == "cpu"  # the documented split: to() returns self when nothing changes
    assert t.data_ptr() == addr(a), f"t.data_ptr()={t.data_ptr():#x}, but should be the array's buffer {addr(a):#x}"
    a[...] = new
    assert_same(t, torch.tensor(new), "t after writing the array")
    assert_same(moved, from_values(new if stays else original, device), "t.to(device) after writing the array")
    t.copy_(torch.tensor(original).to(device))
    assert_array_same(a, original, "the array after t.copy_(tensor on device)")


@given(a=arrays(shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5)), data=st.data())
def test_from_numpy_keeps_strides_of_array_views(device, a, data):
    """torch.from_numpy of a strided view (slice, transpose) keeps its strides and shares memory, and t.to(device) holds the view's elements in the view's order.

    numpy strides are in bytes, torch strides in elements; the tensor describes the same view.
    Moved to ``device`` it is compared there, element by element, with the view's Python values.
    """
    view = data.draw(st.sampled_from([a.T, a[::2], a[:, 1:]]), label="view")
    t = torch.from_numpy(view)
    strides = tuple(s // view.itemsize for s in view.strides)
    assert t.stride() == strides, f"t.stride()={t.stride()}, but should be {strides}"
    if view.size:
        assert t.data_ptr() == addr(view), f"t.data_ptr()={t.data_ptr():#x}, but should be the view's address {addr(view):#x}"
    moved = t.to(device)
    assert_same(moved, from_values(view, device), "t.to(device)")
    assert_array_same(moved.cpu().numpy(), view, "t.to(device).cpu().numpy()")


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
    """torch.from_numpy, and torch.as_tensor(array, device=device), refuse uint16/uint32/uint64 arrays with TypeError (torch < 2.3).

    Both go through the same numpy reader (``tensor_from_numpy``) before any device is involved.
    """
    a = np.array([0, 1], dtype=np_dtype)
    with raises(TypeError, re.escape("can't convert np.ndarray of type"), f"torch.from_numpy({a.dtype} array)"):
        torch.from_numpy(a)
    with raises(TypeError, re.escape("can't convert np.ndarray of type"), f"torch.as_tensor({a.dtype} array, device=device)"):
        torch.as_tensor(a, device=device)


# --------------------------------------------------------------------------- Tensor.numpy


@given(a=nonempty)
@example(a=np.ones(5))
@example(a=np.array(2.5))  # 0-d
def test_numpy_shares_memory_with_cpu_tensor(device, a):
    """Tensor.numpy() of a cpu tensor shares its memory in both directions, with the matching dtype; x.cpu().numpy() of x on device therefore writes through to x on cpu only (elsewhere x.cpu() is a host copy).

    The tensor ``x`` is made on ``device`` and brought back with ``c = x.cpu()`` -- the note's
    ``y.cpu().numpy()`` -- then converted. ``c`` is ``x`` itself on the cpu, a new host tensor
    otherwise, so writing the array reaches ``x`` exactly when ``x`` is on the cpu.
    """
    x = torch.tensor(a, device=device)
    c = x.cpu()
    n = c.numpy()
    assert n.dtype == TORCH_TO_NUMPY[c.dtype], f"n.dtype={n.dtype}, but should be {TORCH_TO_NUMPY[c.dtype]}"
    assert addr(n) == c.data_ptr(), f"n's buffer={addr(n):#x}, but should be c.data_ptr()={c.data_ptr():#x}"
    new = other(a)
    n[...] = new
    assert_same(c, torch.tensor(new), "c after writing n")
    assert_same(x, from_values(new if device.type == "cpu" else a, device), "x after writing n")
    c.copy_(torch.tensor(a, device=device))
    assert_array_same(n, a, "n after c.copy_(tensor on device)")


@given(a=hnp.arrays(float_dtypes, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4)))
def test_numpy_refuses_tensor_that_requires_grad(device, a):
    """x.cpu().numpy() of a tensor x that requires grad raises RuntimeError ("Can't call numpy() on Tensor that requires grad") naming detach(), on every device.

    The note's first idiom, ``xx.cpu().numpy()``, is therefore only safe for tensors that do not
    require grad: ``.cpu()`` keeps requires_grad (it is differentiable).
    """
    x = torch.tensor(a, device=device, requires_grad=True)
    with raises(RuntimeError, r"requires grad.*detach\(\)", "x.cpu().numpy() of x that requires grad"):
        x.cpu().numpy()


@given(a=hnp.arrays(float_dtypes, hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4)))
def test_numpy_converts_tensor_that_requires_grad_inside_no_grad(device, a):
    """Inside torch.no_grad(), x.cpu().numpy() of a leaf x that requires grad works on every device; it shares x's memory when x is on the cpu and is a host copy otherwise.

    The check is ``GradMode::is_enabled() && requires_grad`` (since torch 1.6, pytorch#38906), so
    it holds in every supported release; outside no_grad the same call raises. On the cpu
    ``x.cpu()`` is ``x`` (still requiring grad, converted anyway); from another device it is a new
    host tensor, so writing the array leaves ``x`` alone.
    """
    leaf = torch.tensor(a, device=device, requires_grad=True)
    with torch.no_grad():
        try:
            n = leaf.cpu().numpy()
        except RuntimeError as exc:
            pytest.fail(f"leaf.cpu().numpy() under no_grad raised {exc!r}, but should convert")
    assert_array_same(n, a, "leaf.cpu().numpy()")
    shared = device.type == "cpu"
    assert (addr(n) == leaf.data_ptr()) == shared, (
        f"n's buffer={addr(n):#x}, leaf.data_ptr()={leaf.data_ptr():#x}: shared={not shared}, but should be {shared}"
    )
    n[...] = other(a)
    assert_same(leaf.detach(), from_values(other(a) if shared else a, device), "leaf after writing n")


@given(a=hnp.arrays(float_dtypes, hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4)))
@example(a=np.ones(5))
def test_cpu_detach_numpy_converts_tensor_that_requires_grad(device, a):
    """x.cpu().detach().numpy() of x that requires grad works on every device: it shares memory with the detached cpu tensor -- x's own memory when x is on the cpu -- and is a copy of the device data otherwise.

    This is the safe one of the note's two idioms (``xx.cpu().numpy()`` raises for a tensor that
    requires grad; see the spec above). ``x.cpu()`` is ``x`` on the cpu, so writing the array
    reaches ``x`` there; from another device ``x.cpu()`` is a host copy and ``x`` is untouched.
    """
    x = torch.tensor(a, device=device, requires_grad=True)
    d = x.cpu().detach()
    try:
        n = d.numpy()
    except RuntimeError as exc:
        pytest.fail(f"x.cpu().detach().numpy() raised {exc!r}, but should convert")
    assert_array_same(n, a, "x.cpu().detach().numpy()")
    assert addr(n) == d.data_ptr(), f"n's buffer={addr(n):#x}, but should be x.cpu().detach().data_ptr()={d.data_ptr():#x}"
    shared = device.type == "cpu"
    n[...] = other(a)
    assert_same(d, torch.tensor(other(a)), "x.cpu().detach() after writing n")
    assert_same(x.detach(), from_values(other(a) if shared else a, device), "x after writing n")


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


#: Complex arrays with finite values: conj / neg views of them are compared exactly.
complex_arrays = hnp.arrays(
    st.sampled_from([np.dtype(np.complex64), np.dtype(np.complex128)]),
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    elements={"allow_nan": False, "allow_infinity": False, "min_magnitude": 0, "max_magnitude": 1e6},
)


@given(a=complex_arrays, data=st.data())
@example(a=np.array([1 + 2j, 3 - 1j], dtype=np.complex64), data=None)
def test_numpy_force_resolves_conj_and_neg_bits(device, a, data):
    """Tensor.numpy(force=True) of a lazily conjugated (x.conj()) or negated (x.conj().imag) tensor returns the resolved values, on every device.

    ``x.conj()`` only sets the conjugate bit and ``x.conj().imag`` a negative bit; plain
    ``.numpy()`` of a cpu tensor refuses both (RuntimeError), ``force=True`` resolves them. The expected values
    come from numpy on the original array: ``np.conj(a)`` and ``-a.imag``. Inputs may be
    non-contiguous (a transposed or step-sliced tensor).
    """
    x = torch.tensor(a, device=device)
    form = data.draw(st.sampled_from(["plain", "transpose", "step"]), label="form") if data is not None else "plain"
    if form == "transpose" and a.ndim >= 2:
        x, a = x.transpose(0, -1), a.swapaxes(0, -1)
    elif form == "step" and a.ndim >= 1:
        x, a = x[::2], a[::2]
    c, neg = x.conj(), x.conj().imag
    assert c.is_conj() and neg.is_neg(), f"x.conj().is_conj()={c.is_conj()}, x.conj().imag.is_neg()={neg.is_neg()}, but both should be True"
    assert_array_same(c.numpy(force=True), np.conj(a), "x.conj().numpy(force=True)")
    assert_array_same(neg.numpy(force=True), -a.imag, "x.conj().imag.numpy(force=True)")


@given(a=hnp.arrays(float_dtypes, hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4)))
def test_numpy_force_still_shares_memory_with_cpu_tensor(device, a):
    """Tensor.numpy(force=True) of a cpu tensor shares its memory (force detaches, it does not copy); of a tensor on any other device it is a host copy.

    Folklore says force=True "returns a copy"; the docs say it is
    ``detach().cpu().resolve_conj().resolve_neg().numpy()``, and on a plain cpu tensor each step
    is a no-op. Only the ``.cpu()`` step of a tensor elsewhere copies.
    """
    leaf = torch.tensor(a, device=device, requires_grad=True)
    n = leaf.numpy(force=True)
    assert_array_same(n, a, "leaf.numpy(force=True)")
    shared = device.type == "cpu"
    assert (addr(n) == leaf.data_ptr()) == shared, (
        f"n's buffer={addr(n):#x}, leaf.data_ptr()={leaf.data_ptr():#x}: shared={not shared}, but should be {shared}"
    )
    n[...] = other(a)
    assert_same(leaf.detach(), from_values(other(a) if shared else a, device), "leaf after writing n")


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
@example(a=np.array([True, False]))
def test_as_tensor_shares_array_of_matching_dtype(device, a):
    """torch.as_tensor(array, device=device) without a dtype shares the array's memory on cpu (it is from_numpy) and copies it onto any other device.

    The array here comes back through ``.cpu().numpy()``; ``torch.as_tensor(n)`` (no device)
    shares it on every device, ``torch.as_tensor(n, device=device)`` only where the array already
    lives -- on the cpu. Writing the array shows which is which.
    """
    src = torch.tensor(a, device=device).cpu()
    n = src.numpy()
    t = torch.as_tensor(n)
    assert_shares(t, src, "torch.as_tensor(n)")
    on = torch.as_tensor(n, device=device)
    assert_device(on, device, "torch.as_tensor(n, device=device)")
    shared = device.type == "cpu"
    n[...] = other(a)
    assert_same(t, torch.tensor(other(a)), "t after writing n")
    assert_same(on, from_values(other(a) if shared else a, device), "torch.as_tensor(n, device=device) after writing n")


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


def converter(name: str, device: torch.device):
    """``torch.from_numpy`` (cpu only, no device argument), or ``torch.as_tensor`` / ``torch.tensor`` with ``device=device``."""
    if name == "from_numpy":
        return torch.from_numpy
    return lambda a: getattr(torch, name)(a, device=device)



@given(a=arrays(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=5)))
@pytest.mark.parametrize("convert", ["from_numpy", "as_tensor", "tensor"])
def test_negative_strides_are_rejected_until_copied(device, convert, a):
    """Arrays with a negative stride (a[::-1]) raise ValueError in from_numpy, as_tensor(device=device) and even torch.tensor(device=device); a.copy() fixes it.

    The numpy reader refuses the strides before any device is involved, so asking for ``device``
    does not help; the copy converts, and on ``device`` holds the flipped values in order.
    """
    flipped = a[::-1]
    fn = converter(convert, device)
    with raises(ValueError, "negative", f"torch.{convert}(a[::-1]) with strides {flipped.strides}"):
        fn(flipped)
    fixed = fn(flipped.copy()).to(device)
    assert_same(fixed, from_values(flipped, device), f"torch.{convert}(a[::-1].copy()).to(device)")
    assert_array_same(fixed.cpu().numpy(), np.ascontiguousarray(flipped), f"torch.{convert}(a[::-1].copy()).to(device).cpu().numpy()")


@given(a=arrays(dtype=st.sampled_from([np.dtype(d) for d in "f8 f4 f2 i8 i4 i2 c8".split()])))
@pytest.mark.parametrize("convert", ["from_numpy", "as_tensor", "tensor"])
def test_non_native_byte_order_is_rejected(device, convert, a):
    """Arrays in non-native byte order raise ValueError in from_numpy, as_tensor(device=device) and torch.tensor(device=device); a.astype(native) fixes it.

    Like negative strides, the byte order is refused by the numpy reader before any device is
    involved; the native copy converts, and on ``device`` holds the array's values.
    """
    swapped = a.astype(a.dtype.newbyteorder("S"))
    fn = converter(convert, device)
    with raises(ValueError, "byte order", f"torch.{convert}(array of dtype {swapped.dtype.str})"):
        fn(swapped)
    fixed = fn(swapped.astype(a.dtype)).to(device)
    assert_same(fixed, from_values(a, device), f"torch.{convert}(swapped.astype(native)).to(device)")
    assert_array_same(fixed.cpu().numpy(), a, f"torch.{convert}(swapped.astype(native)).to(device).cpu().numpy()")


@pytest.mark.parametrize("convert", ["from_numpy", "as_tensor"])
def test_read_only_array_gives_user_warning(device, convert):
    """from_numpy and as_tensor(device=device) of a read-only array warn (UserWarning: not writable) on every device; the tensor shares the buffer on cpu and is a copy on any other device.

    The warning comes from the numpy reader, which as_tensor runs before moving to ``device``
    (``tensor_from_numpy(..., warn_if_not_writeable=!copy_numpy)`` in tensor_new.cpp), so it fires
    even where the result is a copy. ``from_numpy`` has no device: it always shares. The warning
    is TORCH_WARN_ONCE -- once per process -- unless ``torch.set_warn_always(True)``, which this
    spec sets (and restores) so the claim does not depend on test order.
    """
    a = np.arange(6, dtype=np.float64)
    a.flags.writeable = False
    with warn_always(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = converter(convert, device)(a)
    hits = [w for w in caught if issubclass(w.category, UserWarning) and "not writable" in str(w.message)]
    assert hits, f"torch.{convert} warnings={[str(w.message) for w in caught]}, but should include a 'not writable' UserWarning"
    shared = convert == "from_numpy" or device.type == "cpu"
    assert (t.data_ptr() == addr(a)) == shared, (
        f"t.data_ptr()={t.data_ptr():#x}, read-only buffer={addr(a):#x}: shared={not shared}, but should be {shared}"
    )
    assert_same(t.to(device), from_values(a, device), f"torch.{convert}(a).to(device)")
