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

``torch.asarray`` (the Python array API's constructor) makes the sharing explicit: by default it
aliases whatever it can -- an ndarray in any layout, a tensor (which it returns itself), a buffer --
and copies only for another dtype or device; ``copy=True`` always copies; ``copy=False`` refuses
(ValueError "can't alias") what it cannot alias. Two corners differ between releases: from 2.12 a tensor
that requires grad keeps it (before, ``asarray(t)`` switched the caller's leaf off, pytorch#170819), and
from 2.15 a buffer without ``dtype=`` takes the dtype its format names (before, its bytes were read as
float32, pytorch#188784). A 0-d ndarray is copied even with ``copy=False`` (a known bug: it is taken for
a NumPy scalar). Under a default device (``with torch.device(...)``, ``set_default_device``) Python
data is built there from 2.1 (pytorch#106779) -- and so, a known bug (pytorch#150199), is a copy of a
tensor, ndarray, NumPy scalar or buffer, which asarray documents as keeping its device.

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

Every sharing claim is enumerated over every numpy dtype with a torch twin and every layout (each dtype
in two layouts, each layout with several dtypes): ``.numpy()`` is zero-copy for transposed, step-sliced,
offset, stride-0 (expanded), channels_last and 0-d tensors alike, never only for contiguous ones. What it refuses is a claim
of its own: a conjugate or negative bit (RuntimeError naming ``resolve_conj()``/``resolve_neg()``), and
bfloat16, which numpy lacks (TypeError).

Under ``torch.compile`` (last section) Dynamo traces numpy code: tensor -> ``.numpy()`` -> numpy ->
``torch.from_numpy`` keeps eager's values, numpy's dtypes and the aliasing; the refusals of ``.numpy()``
and numpy's ``sum`` dtype for uint8 are known divergences (marked ``known_bug``).
"""

from __future__ import annotations

import array
import math
import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.differential import assert_compiles_like_eager, compile_fn
from specs.helpers import (
    warn_always,
    assert_device,
    assert_dtype,
    assert_same,
    assert_shares,
    raises,
    warnings_recorded,
)
from specs.inputs import (
    NUMPY_ALL,
    SHAPED,
    TORCH_ONLY,
    WIDE_UNSIGNED,
    budget,
    compile_budget,
    covering,
    dtype_params,
    layout_params,
    numpy_dtype_params,
    reshaped,
    reshaped_np,
    shaped_shapes,
    torch_dtype_of,
    values,
)

#: every numpy dtype with a torch twin, enumerated (uint16/32/64 gated to torch >= 2.3)
NUMPY_DTYPES = numpy_dtype_params()
#: the numpy dtypes of tensors that can require grad (floating and complex)
GRAD_NUMPY = [np.dtype(d) for d in ("float16", "float32", "float64", "complex64", "complex128")]
GRAD_DTYPES = numpy_dtype_params(GRAD_NUMPY)
#: numpy dtypes of more than one byte (the ones a byte order applies to)
MULTIBYTE_DTYPES = numpy_dtype_params([d for d in NUMPY_ALL if d.itemsize > 1])
CASES = layout_params(SHAPED)
CONVERTERS = [pytest.param(c, id=c) for c in ("from_numpy", "as_tensor", "tensor")]


def covering_twice(dtypes, cases):
    """:func:`covering` twice, the second time with the cases rotated by 4: every dtype meets two different
    layouts, so the one that draws ``empty`` (no element, no value to check) is checked in another too."""
    return covering(dtypes, cases) + covering(dtypes, cases[4:] + cases[:4])


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
    return torch.tensor(a.tolist(), dtype=torch_dtype_of(a.dtype), device=device).reshape(a.shape)


def addr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def array_in(a: np.ndarray, case: str) -> np.ndarray:
    """``a``'s values (expanded: its first slice repeated) in an array view of the :data:`SHAPED` case's
    layout, made with numpy alone: a transposed copy seen through ``.T`` of the last two axes, every
    other element of a twice-as-wide buffer, a view 3 elements into a larger buffer, stride 0 on the
    first axis, channels_last (NHWC memory seen as NCHW)."""
    if case == "transposed":
        return np.ascontiguousarray(np.swapaxes(a, -1, -2)).swapaxes(-1, -2)
    if case == "step_sliced":
        big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
        big[..., ::2] = a
        return big[..., ::2]
    if case == "offset":
        flat = np.zeros(a.size + 3, a.dtype)
        flat[3:] = a.reshape(-1)
        return flat[3:].reshape(a.shape)
    if case == "expanded":
        first = a[:1].copy()
        return np.lib.stride_tricks.as_strided(first, a.shape, (0,) + first.strides[1:], writeable=True)
    if case == "channels_last":
        return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    return a.copy()


def write(t: torch.Tensor, src: torch.Tensor, case: str):
    """``t.copy_(src)``; for a stride-0 (expanded) ``t``, whose elements share memory and which
    ``copy_`` refuses, the first slice -- the memory every other slice repeats."""
    if case == "expanded":
        t.select(0, 0).copy_(src.select(0, 0))
    else:
        t.copy_(src)


def byte_strides(t: torch.Tensor) -> tuple:
    return tuple(s * t.element_size() for s in t.stride())


# --------------------------------------------------------------------------- from_numpy


@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
@given(data=st.data())
@budget(len(NUMPY_DTYPES), floor=1)
def test_from_numpy_keeps_dtype_shape_and_values(device, np_dtype, data):
    """torch.from_numpy keeps the array's dtype, shape and values exactly (float64 stays float64), and so does its t.to(device).

    Ranges over every numpy dtype with a torch twin (enumerated: bool, uint8, int8-int64, float16-64,
    complex64/128, and uint16/32/64 from torch 2.3) and arrays of 0 to 3 dims, empty ones included,
    with the dtype's extremes (nan, +-inf, -0.0, subnormals, the integer range). Nothing is cast to
    torch's default dtype: ``np.ones(5)`` gives a float64 tensor. The tensor moved to ``device`` is
    compared there with one built from the array's Python values (``a.tolist()``), an independent
    path that does not read the array's buffer.
    """
    a = data.draw(values(np_dtype), label="a")
    t = torch.from_numpy(a)
    assert_dtype(t, torch_dtype_of(a.dtype), "t")
    assert tuple(t.shape) == a.shape, f"t.shape={tuple(t.shape)}, but should be {a.shape}"
    moved = t.to(device)
    assert_device(moved, device, "t.to(device)")
    assert_same(moved, from_values(a, device), "t.to(device)")
    assert_array_same(moved.cpu().numpy(), a, "t.to(device).cpu().numpy()")


def test_from_numpy_of_ones_is_float64(device):
    """torch.from_numpy(np.ones(5)) is a float64 tensor of five ones (the note's example), and stays float64 on device."""
    t = torch.from_numpy(np.ones(5))
    assert_dtype(t, torch.float64, "torch.from_numpy(np.ones(5))")
    assert_same(t.to(device), torch.tensor([1.0] * 5, dtype=torch.float64, device=device), "torch.from_numpy(np.ones(5)).to(device)")


@pytest.mark.parametrize("np_dtype, case", covering_twice(NUMPY_DTYPES, CASES))
@given(data=st.data())
@budget(2 * len(NUMPY_DTYPES))
def test_from_numpy_shares_memory_in_both_directions(device, np_dtype, case, data):
    """torch.from_numpy shares memory with its array in both directions and describes it with the array's strides, for every dtype and layout; t.to(device) still shares on cpu (it is t) and is a copy on any other device.

    Ranges over every numpy dtype with a torch twin and every array layout (enumerated: each dtype in
    two layouts, each layout with several dtypes): contiguous, transposed (``.T`` of a copy), step-sliced, at an
    offset into a larger buffer, stride 0 (a writeable ``as_strided`` view), channels_last, 0-d and
    empty. The tensor's data pointer is the array's buffer and its strides are the array's (numpy
    counts bytes, torch elements); writing the array changes the tensor, and writing the tensor
    (``copy_`` from a tensor on ``device``; the first slice for stride 0) changes the array. Moving
    the tensor off the cpu copies it: later writes to the array do not reach the moved tensor. An
    empty array has no element through which sharing could be seen: only its dtype, shape and
    strides are checked.
    """
    base = data.draw(values(np_dtype, shaped_shapes(case)), label="a")
    a = array_in(base, case)
    original, new = reshaped_np(base, case).copy(), other(reshaped_np(base, case))
    t = torch.from_numpy(a)
    moved = t.to(device)
    stays = device.type == "cpu"  # the documented split: to() returns self when nothing changes
    assert_dtype(t, torch_dtype_of(a.dtype), "t")
    if a.size:
        assert byte_strides(t) == a.strides, f"t.stride()={t.stride()} (bytes {byte_strides(t)}), but should be the array's {a.strides}"
        assert t.data_ptr() == addr(a), f"t.data_ptr()={t.data_ptr():#x}, but should be the array's buffer {addr(a):#x}"
    a[...] = new
    assert_same(t, from_values(new, "cpu"), "t after writing the array")
    assert_same(moved, from_values(new if stays else original, device), "t.to(device) after writing the array")
    write(t, from_values(original, device), case)
    assert_array_same(a, original, "the array after writing t")


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


@pytest.mark.parametrize("np_dtype, case", covering_twice(NUMPY_DTYPES, CASES))
@given(data=st.data())
@budget(2 * len(NUMPY_DTYPES), floor=1)
def test_numpy_shares_memory_with_cpu_tensor(device, np_dtype, case, data):
    """Tensor.numpy() of a cpu tensor shares its memory in both directions, with the matching dtype and the tensor's strides, for every dtype and layout; x.cpu().numpy() of x on device therefore writes through to x on cpu only (elsewhere x.cpu() is a host copy).

    Ranges over every numpy dtype with a torch twin and every layout, enumerated (each dtype in two
    layouts, each layout with several dtypes): contiguous, transposed, step-sliced, at a storage
    offset, expanded (stride 0), channels_last, 0-d and empty -- ``.numpy()`` is zero-copy for all
    of them, never only for contiguous tensors. The tensor ``x`` is made on ``device`` in the layout and brought back with
    ``c = x.cpu()`` -- the note's ``y.cpu().numpy()`` -- then converted. ``c`` is ``x`` itself on the
    cpu, a new host tensor otherwise, so writing the array reaches ``x`` exactly when ``x`` is on the
    cpu. An empty tensor has no element through which sharing could be seen: only its dtype and shape
    are checked. Tensors with a conjugate or negative bit are refused (a claim of their own below).
    """
    a = data.draw(values(np_dtype, shaped_shapes(case)), label="a")
    expected = reshaped_np(a, case)
    x = reshaped(from_values(a, device), case)
    c = x.cpu()
    n = c.numpy()
    assert n.dtype == np_dtype, f"n.dtype={n.dtype}, but should be {np_dtype}"
    assert n.shape == tuple(c.shape), f"n.shape={n.shape}, but should be {tuple(c.shape)}"
    if n.size:
        assert addr(n) == c.data_ptr(), f"n's buffer={addr(n):#x}, but should be c.data_ptr()={c.data_ptr():#x}"
        assert n.strides == byte_strides(c), f"n.strides={n.strides}, but should be c's strides in bytes {byte_strides(c)}"
    new = other(expected)
    n[...] = new
    assert_same(c, from_values(new, "cpu"), "c after writing n")
    assert_same(x, from_values(new if device.type == "cpu" else expected, device), "x after writing n")
    write(c, from_values(expected, "cpu"), case)
    assert_array_same(n, expected, "n after writing c")


@pytest.mark.parametrize("np_dtype", GRAD_DTYPES)
@given(data=st.data())
@budget(len(GRAD_DTYPES))
def test_numpy_refuses_tensor_that_requires_grad(device, np_dtype, data):
    """x.cpu().numpy() of a tensor x that requires grad raises RuntimeError ("Can't call numpy() on Tensor that requires grad") naming detach(), on every device.

    Ranges over every dtype that can require grad and that numpy has (float16/32/64, complex64/128,
    enumerated) and shapes of 0 to 2 dims, empty included. The note's first idiom,
    ``xx.cpu().numpy()``, is therefore only safe for tensors that do not require grad: ``.cpu()``
    keeps requires_grad (it is differentiable).
    """
    a = data.draw(values(np_dtype, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4)), label="a")
    x = torch.tensor(a, device=device, requires_grad=True)
    with raises(RuntimeError, r"requires grad.*detach\(\)", "x.cpu().numpy() of x that requires grad"):
        x.cpu().numpy()


@pytest.mark.parametrize("np_dtype", GRAD_DTYPES)
@given(data=st.data())
@budget(len(GRAD_DTYPES))
def test_numpy_converts_tensor_that_requires_grad_inside_no_grad(device, np_dtype, data):
    """Inside torch.no_grad(), x.cpu().numpy() of a leaf x that requires grad works on every device; it shares x's memory when x is on the cpu and is a host copy otherwise.

    Ranges over float16/32/64 and complex64/128 (enumerated) and shapes of 0 to 2 dims. The check is
    ``GradMode::is_enabled() && requires_grad`` (since torch 1.6, pytorch#38906), so it holds in every
    supported release; outside no_grad the same call raises. On the cpu ``x.cpu()`` is ``x`` (still
    requiring grad, converted anyway); from another device it is a new host tensor, so writing the
    array leaves ``x`` alone.
    """
    a = data.draw(values(np_dtype, hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4)), label="a")
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


@pytest.mark.parametrize("np_dtype", GRAD_DTYPES)
@given(data=st.data())
@budget(len(GRAD_DTYPES))
def test_cpu_detach_numpy_converts_tensor_that_requires_grad(device, np_dtype, data):
    """x.cpu().detach().numpy() of x that requires grad works on every device: it shares memory with the detached cpu tensor -- x's own memory when x is on the cpu -- and is a copy of the device data otherwise.

    Ranges over float16/32/64 and complex64/128 (enumerated) and shapes of 0 to 2 dims. This is the
    safe one of the note's two idioms (``xx.cpu().numpy()`` raises for a tensor that requires grad;
    see the spec above). ``x.cpu()`` is ``x`` on the cpu, so writing the array reaches ``x`` there;
    from another device ``x.cpu()`` is a host copy and ``x`` is untouched.
    """
    a = data.draw(values(np_dtype, hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4)), label="a")
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
    assert_same(d, from_values(other(a), "cpu"), "x.cpu().detach() after writing n")
    assert_same(x.detach(), from_values(other(a) if shared else a, device), "x after writing n")


@pytest.mark.needs_cuda
def test_numpy_refuses_cuda_tensor_pointing_to_cpu(device):
    """Tensor.numpy() of a cuda tensor raises TypeError that points to .cpu()."""
    y = torch.ones(5, dtype=torch.float64, device=device).cuda()
    with raises(TypeError, r"Tensor\.cpu\(\)", "y.numpy() of a cuda tensor"):
        y.numpy()


@pytest.mark.parametrize("dtype", dtype_params(TORCH_ONLY))
@given(a=values(np.float32, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4)))
@budget(len(TORCH_ONLY))
def test_numpy_refuses_dtypes_numpy_lacks(device, dtype, a):
    """Tensor.numpy() of a bfloat16 tensor -- a dtype numpy lacks -- raises TypeError ("unsupported ScalarType BFloat16"), with force=True too; .float().numpy() converts it.

    Ranges over the torch dtypes without a numpy twin that a user meets (bfloat16; complex32 and the
    float8 / quantized dtypes are specialist) and shapes of 0 to 2 dims, empty included. The refusal
    is by dtype, before any copy, so ``force=True`` does not help; widening to float32 is exact.
    """
    x = torch.tensor(a, device=device).to(dtype)
    name = {torch.bfloat16: "BFloat16"}[dtype]
    with raises(TypeError, f"unsupported ScalarType {name}", f"x.cpu().numpy() of a {dtype} tensor"):
        x.cpu().numpy()
    with raises(TypeError, f"unsupported ScalarType {name}", f"x.numpy(force=True) of a {dtype} tensor"):
        x.numpy(force=True)
    exact = torch.tensor(a).to(dtype).float().numpy()  # the rounded values, widened exactly (the oracle's dtype)
    assert_array_same(x.cpu().float().numpy(), exact, "x.cpu().float().numpy()")


@pytest.mark.parametrize("np_dtype", GRAD_DTYPES)
@given(data=st.data())
@budget(len(GRAD_DTYPES))
def test_numpy_force_converts_tensor_that_requires_grad_on_any_device(device, np_dtype, data):
    """Tensor.numpy(force=True) converts a tensor that requires grad, on any device, to equal values.

    Ranges over float16/32/64 and complex64/128 (enumerated) and shapes of 0 to 2 dims, empty included.
    """
    a = data.draw(values(np_dtype, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4)), label="a")
    x = torch.tensor(a, device=device, requires_grad=True)
    try:
        n = x.numpy(force=True)
    except (RuntimeError, TypeError) as exc:
        pytest.fail(f"x.numpy(force=True) raised {exc!r}, but should convert")
    assert_array_same(n, a, "x.numpy(force=True)")


#: the two lazy bits a user meets: x.conj() sets the conjugate bit, x.conj().imag a negative bit
BITS = {
    "conj_bit": (lambda x: x.conj(), lambda a: np.conj(a), "conjugate bit", "resolve_conj"),
    "neg_bit": (lambda x: x.conj().imag, lambda a: -a.imag, "negative bit", "resolve_neg"),
}
BIT_PARAMS = [pytest.param(b, id=b) for b in BITS]
COMPLEX_DTYPES = numpy_dtype_params([np.complex64, np.complex128])
BIT_LAYOUTS = layout_params(("contiguous", "transposed", "step_sliced", "offset", "0-d"))


def finite_complex(np_dtype, case):
    return values(np_dtype, shaped_shapes(case), finite=True)


@pytest.mark.parametrize("bit", BIT_PARAMS)
@pytest.mark.parametrize("np_dtype", COMPLEX_DTYPES)
@given(data=st.data())
@budget(4)
def test_numpy_refuses_conj_and_neg_bits(device, np_dtype, bit, data):
    """Tensor.numpy() of a cpu tensor with the conjugate bit (x.conj()) or a negative bit (x.conj().imag) raises RuntimeError naming resolve_conj() / resolve_neg().

    Ranges over both bits and both complex dtypes (enumerated; the negative bit lands on their real
    parts, float32/float64) and shapes of 1 to 3 dims. numpy cannot describe a lazily conjugated or
    negated view of memory, so zero-copy ``.numpy()`` refuses it (pytorch#59945 chose the error
    over a silent copy); ``force=True`` resolves the bit instead (next spec).
    """
    make, _, what, fix = BITS[bit]
    a = data.draw(finite_complex(np_dtype, "contiguous"), label="a")
    v = make(torch.tensor(a, device=device)).cpu()
    assert v.is_conj() or v.is_neg(), f"the {bit} view has is_conj()={v.is_conj()}, is_neg()={v.is_neg()}, but should have the bit"
    with raises(RuntimeError, rf"{what}.*{fix}\(\)", f"numpy() of a tensor with the {what} set"):
        v.numpy()


@pytest.mark.parametrize("bit, np_dtype, case", covering(BIT_PARAMS, COMPLEX_DTYPES, BIT_LAYOUTS))
@given(data=st.data())
@budget(5)
def test_numpy_force_resolves_conj_and_neg_bits(device, bit, np_dtype, case, data):
    """Tensor.numpy(force=True) of a lazily conjugated (x.conj()) or negated (x.conj().imag) tensor returns the resolved values, on every device.

    Ranges over both bits, both complex dtypes and the layouts contiguous, transposed, step-sliced,
    at an offset and 0-d (each in some case). ``x.conj()`` only sets the conjugate bit and
    ``x.conj().imag`` a negative bit; plain ``.numpy()`` refuses both (spec above), ``force=True``
    resolves them. The expected values come from numpy on the original array: ``np.conj(a)`` and
    ``-a.imag``.
    """
    make, resolve, _, _ = BITS[bit]
    a = data.draw(finite_complex(np_dtype, case), label="a")
    x = reshaped(torch.tensor(a, device=device), case)
    v = make(x)
    assert v.is_conj() or v.is_neg(), f"the {bit} view has is_conj()={v.is_conj()}, is_neg()={v.is_neg()}, but should have the bit"
    assert_array_same(v.numpy(force=True), resolve(a), f"the {bit} view's numpy(force=True)")


@pytest.mark.parametrize("np_dtype, case", covering(GRAD_DTYPES, CASES))
@given(data=st.data())
@budget(len(CASES))
def test_numpy_force_still_shares_memory_with_cpu_tensor(device, np_dtype, case, data):
    """Tensor.numpy(force=True) of a cpu tensor shares its memory (force detaches, it does not copy), in every layout; of a tensor on any other device it is a host copy.

    Ranges over float16/32/64, complex64/128 and every layout (contiguous, transposed, step-sliced,
    storage offset, expanded, channels_last, 0-d, empty; each in some case), the leaf requiring grad.
    Folklore says force=True "returns a copy"; the docs say it is
    ``detach().cpu().resolve_conj().resolve_neg().numpy()``, and on a plain cpu tensor each step
    is a no-op. Only the ``.cpu()`` step of a tensor elsewhere copies. An empty tensor shows no sharing
    (no element): only its values are checked.
    """
    a = data.draw(values(np_dtype, shaped_shapes(case)), label="a")
    expected = reshaped_np(a, case)
    leaf = reshaped(from_values(a, device), case).requires_grad_()
    n = leaf.numpy(force=True)
    assert_array_same(n, expected, "leaf.numpy(force=True)")
    shared = device.type == "cpu"
    if n.size:
        assert (addr(n) == leaf.data_ptr()) == shared, (
            f"n's buffer={addr(n):#x}, leaf.data_ptr()={leaf.data_ptr():#x}: shared={not shared}, but should be {shared}"
        )
    n[...] = other(expected)
    assert_same(leaf.detach(), from_values(other(expected) if shared else expected, device), "leaf after writing n")


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

nonempty = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)


@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
@given(data=st.data())
@budget(len(NUMPY_DTYPES))
def test_tensor_copies_the_array(device, np_dtype, data):
    """torch.tensor(array) copies: later writes to the array do not reach the tensor; dtype is kept.

    Ranges over every numpy dtype with a torch twin (enumerated) and arrays of 0 to 3 dims (the note:
    ``torch.tensor(np.zeros(2))`` is a float64 tensor), in three calling forms every example:
    ``torch.tensor(a)`` (then moved to device), ``torch.tensor(a, device=device)`` and
    ``torch.tensor(a, dtype=<its own dtype>, device=device)``.
    """
    a = data.draw(values(np_dtype, nonempty), label="a")
    original = a.copy()
    twin = torch_dtype_of(a.dtype)
    made = {"torch.tensor(a)": torch.tensor(a), "torch.tensor(a, device=device)": torch.tensor(a, device=device),
            f"torch.tensor(a, dtype={twin}, device=device)": torch.tensor(a, dtype=twin, device=device)}
    for form, t in made.items():
        assert_dtype(t, twin, form)
    a[...] = other(a)
    for form, t in made.items():
        assert_same(t.to(device), from_values(original, device), f"{form} after writing the array")


@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
@given(data=st.data())
@budget(len(NUMPY_DTYPES))
def test_as_tensor_shares_array_of_matching_dtype(device, np_dtype, data):
    """torch.as_tensor(array, device=device) without a dtype shares the array's memory on cpu (it is from_numpy) and copies it onto any other device.

    Ranges over every numpy dtype with a torch twin (enumerated) and arrays of 0 to 3 dims. The
    array here comes back through ``.cpu().numpy()``; ``torch.as_tensor(n)`` (no device) shares it on
    every device, ``torch.as_tensor(n, device=device)`` only where the array already lives -- on the
    cpu. Writing the array shows which is which. Naming the array's own dtype (``dtype=``) changes
    nothing: ``torch.as_tensor(n, dtype=n's twin)`` shares too.
    """
    a = data.draw(values(np_dtype, nonempty), label="a")
    src = from_values(a, device).cpu()
    n = src.numpy()
    t = torch.as_tensor(n)
    assert_shares(t, src, "torch.as_tensor(n)")
    same = torch.as_tensor(n, dtype=src.dtype)  # the array's own dtype, asked for explicitly: still from_numpy
    assert_shares(same, src, f"torch.as_tensor(n, dtype={src.dtype})")
    on = torch.as_tensor(n, device=device)
    assert_device(on, device, "torch.as_tensor(n, device=device)")
    shared = device.type == "cpu"
    n[...] = other(a)
    assert_same(t, from_values(other(a), "cpu"), "t after writing n")
    assert_same(on, from_values(other(a) if shared else a, device), "torch.as_tensor(n, device=device) after writing n")


@pytest.mark.parametrize("np_dtype, case", covering(NUMPY_DTYPES, CASES))
@given(data=st.data())
@budget(len(NUMPY_DTYPES))
def test_as_tensor_shares_an_array_in_every_layout_from_numpy_takes(device, np_dtype, case, data):
    """torch.as_tensor(array) of the tensor's dtype on the cpu shares the array in every layout torch.from_numpy takes, with its strides, as from_numpy does.

    Ranges over every array layout (enumerated: contiguous, transposed, step-sliced, at an offset, stride 0,
    channels_last, 0-d, empty), each with a different numpy dtype with a torch twin in turn. ``torch.as_tensor(a)``
    and ``torch.as_tensor(a, dtype=its twin, device="cpu")`` are over the array's buffer with its strides
    (numpy's bytes, torch's elements), and a write to the array shows in both. (Negative strides are
    refused by both converters: a claim of its own.)
    """
    base = data.draw(values(np_dtype, shaped_shapes(case)), label="a")
    a = array_in(base, case)
    new = other(reshaped_np(base, case))
    made = {"torch.as_tensor(a)": torch.as_tensor(a),
            "torch.as_tensor(a, dtype=, device='cpu')": torch.as_tensor(a, dtype=torch_dtype_of(a.dtype), device="cpu")}
    for form, t in made.items():
        assert_dtype(t, torch_dtype_of(a.dtype), form)
        if a.size:
            assert byte_strides(t) == a.strides, f"{form}.stride()={t.stride()} (bytes {byte_strides(t)}), but should be the array's {a.strides}"
            assert t.data_ptr() == addr(a), f"{form}.data_ptr()={t.data_ptr():#x}, but should be the array's buffer {addr(a):#x}"
    a[...] = new
    for form, t in made.items():
        assert_same(t, from_values(new, "cpu"), f"{form} after writing the array")
    moved = torch.as_tensor(a, device=device)
    assert_same(moved, from_values(new, device), "torch.as_tensor(a, device=device)")


def small_values(dtype: np.dtype):
    """Values 0..100 (or bools) of ``dtype``: exactly representable in every dtype but bool."""
    return st.booleans() if dtype == np.bool_ else st.integers(0, 100)


def targets() -> list:
    """Every numpy dtype this torch has a twin of (uint16/32/64 only from torch 2.3)."""
    return [d for d in NUMPY_ALL if hasattr(torch, d.name)]


@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
@given(data=st.data())
@budget(len(NUMPY_DTYPES))
def test_as_tensor_copies_when_dtype_differs(device, np_dtype, data):
    """torch.as_tensor(array, dtype=other_dtype, device=device) converts into new memory, like torch.tensor(array, dtype=other_dtype, device=device).

    Ranges over every source dtype (enumerated) times every other target dtype (all of them, in
    turn), both converters, with values 0..100 (bools for bool) that every dtype holds exactly;
    numpy's ``astype`` is the conversion oracle.
    """
    a = data.draw(hnp.arrays(np_dtype, nonempty, elements=small_values(np_dtype)), label="a")
    for target_np in targets():
        if target_np == a.dtype:
            continue
        target = torch_dtype_of(target_np)
        b = a.copy()
        with warnings.catch_warnings():  # complex -> real casts warn, though imag is 0 here
            warnings.simplefilter("ignore")
            expected = from_values(b.astype(target_np), device)
            made = {"torch.as_tensor": torch.as_tensor(b, dtype=target, device=device),
                    "torch.tensor": torch.tensor(b, dtype=target, device=device)}
        for name, t in made.items():
            assert_dtype(t, target, f"{name}({a.dtype} array, dtype={target})")
            assert_same(t, expected, f"{name}({a.dtype} array, dtype={target})")
        b[...] = other(b)
        for name, t in made.items():
            assert_same(t, expected, f"{name}({a.dtype} array, dtype={target}) after writing the array")


#: every dtype a tensor given to as_tensor/asarray can have: numpy's twins (this torch's) and the torch-only ones
TENSOR_DTYPE_PARAMS = dtype_params([torch_dtype_of(d) for d in NUMPY_ALL if hasattr(torch, d.name)] + list(TORCH_ONLY))


@pytest.mark.parametrize("dtype", TENSOR_DTYPE_PARAMS)
@given(data=st.data())
@budget(12)
def test_as_tensor_of_tensor_on_device_is_that_tensor(device, dtype, data):
    """torch.as_tensor(t) of a tensor already on device with the same dtype returns t itself, in every layout.

    Ranges over every dtype (enumerated: numpy's twins and bfloat16) and, in each example, every
    layout in turn (contiguous, transposed, step-sliced, storage offset, expanded, channels_last, 0-d,
    empty): ``as_tensor`` neither copies nor makes a contiguous tensor of a tensor it can return.
    """
    for case in SHAPED:
        shape = data.draw(shaped_shapes(case), label=case)  # values do not matter to identity
        t = reshaped(torch.zeros(shape, dtype=dtype, device=device), case)
        out = torch.as_tensor(t, dtype=t.dtype, device=device)
        assert out is t, f"[{case}] torch.as_tensor(t) is a new tensor (id {id(out):#x}), but should be t itself (id {id(t):#x})"


@pytest.mark.needs_cuda
def test_as_tensor_to_cuda_copies_the_array(device):
    """torch.as_tensor(array, device='cuda') copies the array to the GPU; later array writes do not reach it."""
    a = torch.ones(5, dtype=torch.float64, device=device).cpu().numpy()
    t = torch.as_tensor(a, device="cuda")
    a[...] = 3.0
    assert_same(t.cpu(), torch.ones(5, dtype=torch.float64), "t after writing the array")


# --------------------------------------------------------------------------- torch.asarray
# The Python array API's constructor (torch >= 1.11): shares whatever it can alias, copies when asked
# (copy=True) or when it must (another dtype or device), and with copy=False refuses what it cannot alias.

#: every SHAPED case but 0-d, whose array torch.asarray copies (a known bug, the spec after the next)
ASARRAY_CASES = [c for c in CASES if c.id != "0-d"]
#: the offset case's shapes without the 0-d one (shaped_shapes("offset") draws rank 0 to 3)
OFFSET_RANKED = hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4)
ASARRAY_SHARES = [pytest.param("copy=None", {}, id="default"), pytest.param("copy=False", {"copy": False}, id="copy=False")]
ASARRAY_0D = (
    "asarray tests PyArray_CheckScalar, which is also true for 0-d arrays, and clones what passes it "
    "('if (is_numpy_scalar) tensor = tensor.clone()' in torch/csrc/utils/tensor_new.cpp), so a 0-d ndarray is "
    "copied like a NumPy scalar -- even with copy=False, which the docs say raises when it cannot alias; "
    "torch.from_numpy and torch.as_tensor share it. Checked on 2.0.1, 2.1.2, 2.10.0, 2.11.0, 2.12.1, 2.14.1 and 2.15.0"
)


@pytest.mark.parametrize("np_dtype, case", covering_twice(NUMPY_DTYPES, ASARRAY_CASES))
@pytest.mark.parametrize("form, kwargs", ASARRAY_SHARES)
@given(data=st.data())
@budget(2 * 2 * len(NUMPY_DTYPES))
def test_asarray_of_an_ndarray_shares_it_in_every_layout(device, form, kwargs, np_dtype, case, data):
    """torch.asarray(array) shares the array's memory, dtype and strides in both directions, by default and with copy=False, for every dtype and layout; asarray(array, device=device) shares on cpu and copies elsewhere.

    Ranges over both calling forms that must alias (``copy`` left out, ``copy=False``), every numpy
    dtype with a torch twin and every array layout but 0-d (enumerated like ``from_numpy``'s claim:
    contiguous, transposed, step-sliced, at an offset (rank >= 1), stride 0, channels_last, empty; a
    0-d array is the known bug below). The tensor is the array's buffer with the array's strides; writes go
    both ways. ``device=device`` with the default ``copy`` moves the values to ``device``, which on
    the cpu is the array itself and elsewhere a copy that later writes to the array do not reach.
    """
    base = data.draw(values(np_dtype, OFFSET_RANKED if case == "offset" else shaped_shapes(case)), label="a")
    a = array_in(base, case)
    original, new = reshaped_np(base, case).copy(), other(reshaped_np(base, case))
    t = torch.asarray(a, **kwargs)
    on = torch.asarray(a, device=device)
    what = f"torch.asarray(a{', copy=False' if kwargs else ''})"
    assert_dtype(t, torch_dtype_of(a.dtype), what)
    assert_device(on, device, "torch.asarray(a, device=device)")
    if a.size:
        assert byte_strides(t) == a.strides, f"{what}.stride()={t.stride()} (bytes {byte_strides(t)}), but should be the array's {a.strides}"
        assert t.data_ptr() == addr(a), f"{what}.data_ptr()={t.data_ptr():#x}, but should be the array's buffer {addr(a):#x}"
    a[...] = new
    assert_same(t, from_values(new, "cpu"), f"{what} after writing the array")
    assert_same(on, from_values(new if device.type == "cpu" else original, device), "torch.asarray(a, device=device) after writing the array")
    write(t, from_values(original, "cpu"), case)
    assert_array_same(a, original, f"the array after writing {what}")


@pytest.mark.device_independent
@pytest.mark.known_bug(">=2.0", issue="not yet reported (pytorch/pytorch issues searched 2026-12-01)", reason=ASARRAY_0D)
@pytest.mark.parametrize("form, kwargs", ASARRAY_SHARES)
@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
def test_asarray_of_a_0d_ndarray_shares_it(form, kwargs, np_dtype):
    """torch.asarray of a 0-d ndarray shares its memory like every other array (copy=False must alias or raise), for every dtype.

    Ranges over both forms (``copy`` left out, ``copy=False``) and every numpy dtype with a torch
    twin. A 0-d array is an array, not a NumPy scalar (which asarray documents as copied): the
    tensor is 0-d, of the twin dtype, over the array's buffer, and a write to the array shows in it.
    """
    a = np.array(extremes_of(np_dtype), dtype=np_dtype)
    t = torch.asarray(a, **kwargs)
    what = f"torch.asarray(0-d {a.dtype} array{', copy=False' if kwargs else ''})"
    assert_dtype(t, torch_dtype_of(a.dtype), what)
    assert tuple(t.shape) == (), f"{what}.shape={tuple(t.shape)}, but should be ()"
    assert t.data_ptr() == addr(a), f"{what}.data_ptr()={t.data_ptr():#x}, but should be the array's buffer {addr(a):#x} (a copy)"


def extremes_of(np_dtype):
    """One value of ``np_dtype`` other than zero (its largest), so a write of 0 shows."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype.kind == "b":
        return True
    return np.iinfo(np_dtype).max if np_dtype.kind in "iu" else np.finfo(np_dtype).max


@pytest.mark.parametrize("np_dtype, case", covering_twice(NUMPY_DTYPES, CASES))
@given(data=st.data())
@budget(2 * len(NUMPY_DTYPES))
def test_asarray_with_copy_true_copies_an_ndarray(device, np_dtype, case, data):
    """torch.asarray(array, copy=True) is a copy with the array's dtype, shape and values, for every dtype and layout (0-d included), with and without device=device: later writes to the array do not reach it.

    Ranges over every numpy dtype with a torch twin and every layout (enumerated, as above, 0-d
    included). Both ``torch.asarray(a, copy=True)`` and ``torch.asarray(a, copy=True,
    device=device)`` hold the array's values in its dtype; the array is then overwritten, and
    neither tensor changes.
    """
    base = data.draw(values(np_dtype, shaped_shapes(case)), label="a")
    a = array_in(base, case)
    original = reshaped_np(base, case).copy()
    made = {"torch.asarray(a, copy=True)": torch.asarray(a, copy=True),
            "torch.asarray(a, copy=True, device=device)": torch.asarray(a, copy=True, device=device)}
    for what, t in made.items():
        assert_dtype(t, torch_dtype_of(a.dtype), what)
        if a.size:
            assert t.data_ptr() != addr(a), f"{what} is the array's buffer {addr(a):#x}, but should be a copy"
    a[...] = other(original)
    for what, t in made.items():
        assert_same(t, from_values(original, t.device), f"{what} after writing the array")


@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
@given(data=st.data())
@budget(len(NUMPY_DTYPES))
def test_asarray_with_another_dtype_converts_into_new_memory_and_copy_false_refuses(device, np_dtype, data):
    """torch.asarray(array, dtype=other) converts into new memory, like torch.tensor; with copy=False it refuses (ValueError 'can't alias'), as it does for another device.

    Ranges over every source dtype (enumerated) times every other target dtype (all, in turn), with
    values 0..100 (bools for bool) that every dtype holds exactly, numpy's ``astype`` as the oracle.
    ``copy=False`` with another dtype, or with ``device='meta'`` (a device the array is not on, on
    every machine), raises ValueError: asarray does not copy silently when told not to.
    """
    a = data.draw(hnp.arrays(np_dtype, nonempty, elements=small_values(np_dtype)), label="a")
    with raises(ValueError, "can't alias", f"torch.asarray({a.dtype} array, device='meta', copy=False)"):
        torch.asarray(a, device="meta", copy=False)
    for target_np in targets():
        if target_np == a.dtype:
            continue
        target = torch_dtype_of(target_np)
        b = a.copy()
        with warnings.catch_warnings():  # complex -> real casts warn, though imag is 0 here
            warnings.simplefilter("ignore")
            expected = from_values(b.astype(target_np), device)
            t = torch.asarray(b, dtype=target, device=device)
        what = f"torch.asarray({a.dtype} array, dtype={target})"
        assert_dtype(t, target, what)
        assert_same(t, expected, what)
        with raises(ValueError, "can't alias", f"torch.asarray({a.dtype} array, dtype={target}, copy=False)"):
            torch.asarray(b, dtype=target, copy=False)
        b[...] = other(b)
        assert_same(t, expected, f"{what} after writing the array")


@pytest.mark.parametrize("dtype", TENSOR_DTYPE_PARAMS)
@given(data=st.data())
@budget(12)
def test_asarray_of_a_tensor_is_that_tensor_and_copy_true_clones_it(device, dtype, data):
    """torch.asarray(t) of a tensor is t itself (also naming its own dtype and device, and with copy=False); asarray(t, copy=True) is new memory with t's values, dtype and strides, in every layout.

    Ranges over every dtype (enumerated: numpy's twins and bfloat16) and, in each example, every
    layout in turn (contiguous, transposed, step-sliced, storage offset, expanded, channels_last,
    0-d, empty). The copy is a clone (``memory_format=torch.preserve_format``): a dense layout keeps
    its strides (transposed, offset, channels_last), a layout with gaps or stride 0 (step-sliced,
    expanded) is packed contiguously, one element per index.
    """
    for case in SHAPED:
        shape = data.draw(shaped_shapes(case), label=case)
        t = reshaped(torch.arange(math.prod(shape), device=device).reshape(shape).to(dtype), case)
        for form, kwargs in [("", {}), (", copy=False", {"copy": False}), (", dtype=t.dtype, device=t.device", {"dtype": t.dtype, "device": t.device})]:
            out = torch.asarray(t, **kwargs)
            assert out is t, f"[{case}] torch.asarray(t{form}) is a new tensor, but should be t itself"
        c = torch.asarray(t, copy=True)
        assert_dtype(c, dtype, f"[{case}] torch.asarray(t, copy=True)")
        assert_same(c, t, f"[{case}] torch.asarray(t, copy=True)")
        if t.numel():
            assert c.data_ptr() != t.data_ptr(), f"[{case}] torch.asarray(t, copy=True) is t's memory, but should be a copy"
        if case in ("step_sliced", "expanded"):  # not dense: the copy is packed
            assert c.is_contiguous(), f"[{case}] torch.asarray(t, copy=True).stride()={c.stride()}, but should be contiguous"
        elif t.numel() > 1:
            assert c.stride() == t.stride(), f"[{case}] torch.asarray(t, copy=True).stride()={c.stride()}, but should keep t's {t.stride()}"


ASARRAY_REQUIRES_GRAD = (
    "torch.asarray's requires_grad defaulted to False and was applied to the tensor it returns -- obj itself "
    "when it can alias -- so torch.asarray(t) of a leaf that requires grad switched the caller's t off "
    "(pytorch#170819); pytorch#170897 made the default None, meaning obj.requires_grad, with a once-per-process "
    "UserWarning that the default changed. Checked: False and t switched off on 2.0.1, 2.1.2, 2.10.0 and 2.11.0; "
    "kept, with the warning, on 2.12.1, 2.14.1 and 2.15.0"
)


@pytest.mark.torch_version("<2.12", reason=ASARRAY_REQUIRES_GRAD)
@pytest.mark.parametrize("np_dtype", GRAD_DTYPES)
def test_asarray_of_a_tensor_that_requires_grad_switches_it_off_before_2_12(device, np_dtype):
    """Before torch 2.12, torch.asarray(t) of a leaf that requires grad returns t itself with requires_grad switched off (the caller's t no longer requires grad); of a non-leaf, a detached alias.

    Ranges over every dtype that can require grad (enumerated). The leaf ``t`` comes back as the same
    object, no longer requiring grad; the non-leaf ``h = t * 2`` comes back as a new tensor over
    ``h``'s memory without history, and ``h`` keeps its own.
    """
    t = torch.ones(3, dtype=torch_dtype_of(np_dtype), device=device, requires_grad=True)
    h = t * 2
    out = torch.asarray(t)
    assert out is t, "torch.asarray(t) of a leaf is a new tensor, but should be t itself"
    assert not t.requires_grad, "t.requires_grad is True after torch.asarray(t), but asarray should have switched it off"
    alias = torch.asarray(h)
    assert alias is not h and alias.data_ptr() == h.data_ptr(), "torch.asarray(h) of a non-leaf should be a new tensor over h's memory"
    assert not alias.requires_grad and alias.grad_fn is None, f"torch.asarray(h) requires_grad={alias.requires_grad}, but should be a detached alias"
    assert h.grad_fn is not None, "h lost its history"


@pytest.mark.torch_version(">=2.12", reason=ASARRAY_REQUIRES_GRAD)
@pytest.mark.parametrize("np_dtype", GRAD_DTYPES)
def test_asarray_of_a_tensor_keeps_its_requires_grad_and_history_and_warns_from_2_12(device, np_dtype):
    """From torch 2.12, torch.asarray(t) of a tensor that requires grad returns it unchanged -- a leaf still requiring grad, a non-leaf with its history -- warning (UserWarning) that the default changed; requires_grad=False asks for the old result silently.

    Ranges over every dtype that can require grad (enumerated). With the default: the leaf ``t`` and
    the non-leaf ``h = t * 2`` come back as themselves, ``t`` still requiring grad and ``h`` with its
    ``grad_fn``, and the call warns 'unspecified requires_grad now defaults to obj.requires_grad'
    (once per process; here every time, ``torch.set_warn_always``). ``requires_grad=False`` gives
    ``h`` detached (a new alias without history) and warns nothing.
    """
    t = torch.ones(3, dtype=torch_dtype_of(np_dtype), device=device, requires_grad=True)
    h = t * 2
    with warn_always(), warnings_recorded() as caught:
        out, alias = torch.asarray(t), torch.asarray(h)
    assert out is t and t.requires_grad, f"torch.asarray(t) is t: {out is t}, t.requires_grad={t.requires_grad}; should be t, still requiring grad"
    assert alias is h and h.grad_fn is not None, f"torch.asarray(h) is h: {alias is h}; should be h with its history"
    said = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert any("requires_grad now defaults to obj.requires_grad" in m for m in said), f"warnings={said}, but should say the default changed"
    with warn_always(), warnings_recorded() as caught:
        plain = torch.asarray(h, requires_grad=False)
    assert not [w for w in caught if "requires_grad" in str(w.message)], f"torch.asarray(h, requires_grad=False) warned {[str(w.message) for w in caught]}"
    assert plain is not h and not plain.requires_grad and plain.data_ptr() == h.data_ptr(), "torch.asarray(h, requires_grad=False) should be a detached alias of h"


#: array.array typecode -> (values, the torch dtype its buffer format names); bytearray is format "B"
BUFFER_FORMATS = {
    "b": ([1, -2, 3], torch.int8),
    "B": ([1, 2, 255], torch.uint8),
    "h": ([1, -2, 3], torch.int16),
    "i": ([1, -2, 3], torch.int32),
    "q": ([1, -2, 3], torch.int64),
    "f": ([1.5, -2.0, 0.25], torch.float32),
    "d": ([1.5, -2.0, 0.25], torch.float64),
}
BUFFER_PARAMS = [pytest.param(code, id=f"array-{code}") for code in BUFFER_FORMATS] + [pytest.param("bytearray", id="bytearray")]
ASARRAY_BUFFER = (
    "torch 2.15 reads the dtype of a buffer-protocol object given without dtype= from its declared format "
    "(pytorch#188784, fixing pytorch#188128): before, asarray reinterpreted its bytes as the default float dtype, "
    "refusing a length that is not a multiple of its size (ValueError); with dtype= given it still reinterprets, "
    "like torch.frombuffer. Checked: float32 of the bytes on 2.14.1, the format's dtype on 2.15.0"
)


def buffer_of(code: str):
    """(buffer object, its values, the dtype its format names)."""
    if code == "bytearray":
        return bytearray([1, 2, 255]), [1, 2, 255], torch.uint8
    values_, dtype = BUFFER_FORMATS[code]
    return array.array(code, values_), values_, dtype


@pytest.mark.torch_version(">=2.15", reason=ASARRAY_BUFFER)
@pytest.mark.parametrize("code", BUFFER_PARAMS)
def test_asarray_of_a_buffer_takes_the_dtype_its_format_names_and_shares_it_from_2_15(device, code):
    """From torch 2.15, torch.asarray of a buffer-protocol object without dtype= has the dtype its format names and its values, sharing its memory.

    Ranges over ``array.array`` of every typecode with a fixed-size torch twin (int8/16/32/64, uint8,
    float32/64) and a ``bytearray`` (format 'B', uint8). A write to the buffer shows in the tensor.
    """
    buf, expected, dtype = buffer_of(code)
    t = torch.asarray(buf)
    assert_dtype(t, dtype, f"torch.asarray({type(buf).__name__} {code!r})")
    assert_same(t, torch.tensor(expected, dtype=dtype), f"torch.asarray({type(buf).__name__} {code!r})")
    buf[0] = 0
    assert t[0].item() == 0, f"torch.asarray({code!r})[0]={t[0].item()} after the buffer's [0] was set to 0: not shared"
    assert_same(t.to(device).cpu(), torch.tensor([0] + expected[1:], dtype=dtype), "moved to device and back")


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.15", reason=ASARRAY_BUFFER)
@pytest.mark.parametrize("code", BUFFER_PARAMS)
def test_asarray_of_a_buffer_reads_its_bytes_as_the_default_float_dtype_before_2_15(code):
    """Before torch 2.15, torch.asarray of a buffer-protocol object without dtype= reads its bytes as float32 (the default float dtype), whatever its format; a length not a multiple of 4 bytes raises ValueError.

    Ranges over ``array.array`` of every typecode with a fixed-size torch twin and a ``bytearray``.
    The oracle is numpy's ``frombuffer(bytes, float32)``, compared bit for bit (the bytes of an
    int64 can be a NaN as a float32).
    """
    buf, _, _ = buffer_of(code)
    raw = bytes(buf)
    if len(raw) % 4:
        with raises(ValueError, "multiple of element size", f"torch.asarray({type(buf).__name__} {code!r}) of {len(raw)} bytes"):
            torch.asarray(buf)
        return
    t = torch.asarray(buf)
    assert_dtype(t, torch.float32, f"torch.asarray({type(buf).__name__} {code!r})")
    assert t.numpy().tobytes() == raw, f"torch.asarray({code!r}) holds bytes {t.numpy().tobytes()!r}, but should be the buffer's {raw!r}"


@pytest.mark.device_independent
@pytest.mark.parametrize("dtype", dtype_params([torch.uint8, torch.int16, torch.float32, torch.float64]))
def test_asarray_of_a_buffer_with_a_dtype_reads_its_bytes_in_that_dtype_and_shares_them(dtype):
    """torch.asarray(buffer, dtype=d) reads the buffer's bytes as d (like torch.frombuffer) and shares them, whatever the buffer's own format; a length not a multiple of d's size raises ValueError.

    Ranges over target dtypes of 1, 2, 4 and 8 bytes (each case: one dtype), and in every run over
    the buffers above (every ``array.array`` typecode with a torch twin, a bytearray; each a fresh
    one) -- a failure names the buffer. The oracle is numpy's ``frombuffer(bytes, d)``; a write
    through the tensor shows in the buffer's bytes.
    """
    size = torch.empty((), dtype=dtype).element_size()
    for code in [p.values[0] for p in BUFFER_PARAMS]:
        buf, _, _ = buffer_of(code)
        raw = bytes(buf)
        what = f"torch.asarray({type(buf).__name__} {code!r}, dtype={dtype})"
        if len(raw) % size:
            with raises(ValueError, "multiple of element size", what):
                torch.asarray(buf, dtype=dtype)
            continue
        t = torch.asarray(buf, dtype=dtype)
        assert_dtype(t, dtype, what)
        assert t.numpy().tobytes() == raw, f"{what} holds bytes {t.numpy().tobytes()!r}, but should be the buffer's {raw!r}"
        t.zero_()
        assert bytes(buf) == bytes(len(raw)), f"the buffer after {what}.zero_() is {bytes(buf)!r}: not shared"


ASARRAY_DEFAULT_DEVICE = (
    "torch 2.1 put torch.asarray among the factories a default device redirects (pytorch#106779, for "
    "pytorch#106773 'torch.asarray does not respect set_default_device'): Python scalars and sequences are then "
    "built on the default device, as torch.tensor's are; torch 2.0 built them on the cpu. Checked: cpu on 2.0.1, "
    "the default device on 2.1.2, 2.10.0, 2.11.0, 2.12.1, 2.14.1 and 2.15.0"
)
ASARRAY_KEEPS_DEVICE = (
    "the default device is passed to asarray as device=, so what asarray documents as keeping its device -- a "
    "tensor, an ndarray, a NumPy scalar, a buffer (the cpu) -- is copied onto the default device instead "
    "(fix proposed in pytorch#188795). Checked: kept on 2.0.1 (which ignored the default device), moved on 2.1.2, "
    "2.10.0, 2.11.0, 2.12.1, 2.14.1 and 2.15.0"
)
#: Python data for torch.asarray: name -> (object, the dtype torch.tensor infers for it)
PYTHON_DATA = {"int": (3, torch.int64), "float": (1.5, None), "list": ([1, 2], torch.int64), "nested": ([[True], [False]], torch.bool)}
#: objects that carry their own device: name -> make(device) -> object
OWN_DEVICE = {
    "tensor": lambda device: torch.arange(3, device=device),
    "ndarray": lambda device: np.arange(3),
    "numpy-scalar": lambda device: np.float32(1.5),
    "buffer": lambda device: bytearray(4),
}


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.1", reason=ASARRAY_DEFAULT_DEVICE)
@pytest.mark.parametrize("kind", list(PYTHON_DATA))
def test_asarray_of_python_data_is_built_on_the_default_device_from_2_1(kind):
    """From torch 2.1, torch.asarray of a Python scalar or sequence is built on the default device (torch.device(...) as a context manager), with the dtype torch.tensor infers.

    Ranges over a Python int, a float, a list and a nested list of bools (enumerated), under the
    ``meta`` device as default -- a device every build has, other than any the data could be on. The
    result is on ``meta`` with torch.tensor's dtype (the default float dtype for a float).
    """
    obj, dtype = PYTHON_DATA[kind]
    with torch.device("meta"):
        t = torch.asarray(obj)
    assert t.device.type == "meta", f"torch.asarray({obj!r}) under torch.device('meta') is on {t.device}, but should be on meta"
    assert_dtype(t, dtype or torch.get_default_dtype(), f"torch.asarray({obj!r})")


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.1", reason=ASARRAY_DEFAULT_DEVICE)
@pytest.mark.parametrize("kind", list(PYTHON_DATA))
def test_asarray_of_python_data_is_built_on_the_cpu_whatever_the_default_device_before_2_1(kind):
    """Before torch 2.1, torch.asarray of a Python scalar or sequence is built on the cpu even under another default device.

    Ranges over the same Python data as above, under ``meta`` as the default device.
    """
    obj, dtype = PYTHON_DATA[kind]
    with torch.device("meta"):
        t = torch.asarray(obj)
    assert t.device.type == "cpu", f"torch.asarray({obj!r}) under torch.device('meta') is on {t.device}, but should be on the cpu"


@pytest.mark.known_bug(">=2.1", issue="https://github.com/pytorch/pytorch/issues/150199", reason=ASARRAY_KEEPS_DEVICE)
@pytest.mark.parametrize("kind", list(OWN_DEVICE))
def test_asarray_keeps_the_device_of_what_has_one_under_a_default_device(device, kind):
    """torch.asarray of a tensor, an ndarray, a NumPy scalar or a buffer keeps its device (the tensor's; the cpu for the rest) under another default device, as documented.

    Ranges over the four kinds of object asarray documents as carrying their device (enumerated):
    a tensor on ``device``, an ndarray, a NumPy scalar and a bytearray (read as uint8), under
    ``meta`` as the default device. The result stays where the object is: a default device is for
    data that has none.
    """
    obj = OWN_DEVICE[kind](device)
    where = obj.device if isinstance(obj, torch.Tensor) else torch.device("cpu")
    with torch.device("meta"):
        t = torch.asarray(obj, dtype=torch.uint8) if kind == "buffer" else torch.asarray(obj)
    assert t.device == where, f"torch.asarray({kind}) under torch.device('meta') is on {t.device}, but should stay on {where}"


# --------------------------------------------------------------------------- what is refused


def converter(name: str, device: torch.device):
    """``torch.from_numpy`` (cpu only, no device argument), or ``torch.as_tensor`` / ``torch.tensor`` with ``device=device``."""
    if name == "from_numpy":
        return torch.from_numpy
    return lambda a: getattr(torch, name)(a, device=device)


@pytest.mark.parametrize("convert, np_dtype", covering(CONVERTERS, NUMPY_DTYPES))
@given(data=st.data())
@budget(len(NUMPY_DTYPES))
def test_negative_strides_are_rejected_until_copied(device, convert, np_dtype, data):
    """Arrays with a negative stride (a[::-1]) raise ValueError in from_numpy, as_tensor(device=device) and even torch.tensor(device=device); a.copy() fixes it.

    Ranges over the three converters and every numpy dtype with a torch twin (each in some case),
    arrays of 1 to 3 dims. The numpy reader refuses the strides before any device is involved, so
    asking for ``device`` does not help; the copy converts, and on ``device`` holds the flipped values
    in order.
    """
    a = data.draw(values(np_dtype, hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=5)), label="a")
    flipped = a[::-1]
    fn = converter(convert, device)
    with raises(ValueError, "negative", f"torch.{convert}(a[::-1]) with strides {flipped.strides}"):
        fn(flipped)
    fixed = fn(flipped.copy()).to(device)
    assert_same(fixed, from_values(flipped, device), f"torch.{convert}(a[::-1].copy()).to(device)")
    assert_array_same(fixed.cpu().numpy(), np.ascontiguousarray(flipped), f"torch.{convert}(a[::-1].copy()).to(device).cpu().numpy()")


@pytest.mark.parametrize("convert, np_dtype", covering(CONVERTERS, MULTIBYTE_DTYPES))
@given(data=st.data())
@budget(len(MULTIBYTE_DTYPES))
def test_non_native_byte_order_is_rejected(device, convert, np_dtype, data):
    """Arrays in non-native byte order raise ValueError in from_numpy, as_tensor(device=device) and torch.tensor(device=device); a.astype(native) fixes it.

    Ranges over the three converters and every numpy dtype of more than one byte with a torch twin
    (each in some case). Like negative strides, the byte order is refused by the numpy reader before
    any device is involved; the native copy converts, and on ``device`` holds the array's values.
    """
    a = data.draw(values(np_dtype), label="a")
    swapped = a.astype(a.dtype.newbyteorder("S"))
    fn = converter(convert, device)
    with raises(ValueError, "byte order", f"torch.{convert}(array of dtype {swapped.dtype.str})"):
        fn(swapped)
    fixed = fn(swapped.astype(a.dtype)).to(device)
    assert_same(fixed, from_values(a, device), f"torch.{convert}(swapped.astype(native)).to(device)")
    assert_array_same(fixed.cpu().numpy(), a, f"torch.{convert}(swapped.astype(native)).to(device).cpu().numpy()")


#: numpy dtypes without a torch twin: name -> an array of it
FOREIGN_ARRAYS = {
    "object": lambda: np.array([1, 2], dtype=object),
    "str": lambda: np.array(["a", "b"]),
    "bytes": lambda: np.array([b"a", b"b"]),
    "datetime64": lambda: np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"),
    "timedelta64": lambda: np.array([1, 2], dtype="timedelta64[s]"),
    "longdouble": lambda: np.array([1.5, 2.5], dtype=np.longdouble),
    "clongdouble": lambda: np.array([1.5, 2.5], dtype=np.clongdouble),
    "structured": lambda: np.zeros(2, dtype=[("a", "i4"), ("b", "f4")]),
}
FOREIGN_CONVERTERS = ("from_numpy", "as_tensor", "tensor", "asarray")


@pytest.mark.parametrize("convert", FOREIGN_CONVERTERS)
def test_arrays_of_a_dtype_torch_lacks_are_refused_with_type_error(device, convert):
    """from_numpy, as_tensor, torch.tensor and asarray refuse an array of a numpy dtype torch has no twin for (object, str, bytes, datetime64, timedelta64, longdouble, clongdouble, structured) with TypeError naming the supported types -- none converts it some other way.

    Ranges over the four converters (each case: one converter; all but ``from_numpy`` with
    ``device=device``), and in every run over the eight foreign dtypes -- a failure names the dtype.
    Even an object array of Python ints, which ``torch.tensor`` could read as a sequence, is refused:
    the numpy reader sees the dtype first. (uint16/32/64 before torch 2.3 are a claim of their own
    above.)
    """
    fn = torch.from_numpy if convert == "from_numpy" else (lambda x: getattr(torch, convert)(x, device=device))
    for kind, make in FOREIGN_ARRAYS.items():
        a = make()
        with raises(TypeError, r"can't convert np\.ndarray of type numpy\.\w+\. The only supported types are",
                    f"torch.{convert}({kind} array, dtype {a.dtype})"):
            fn(a)


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
    with warn_always(), warnings_recorded() as caught:
        t = converter(convert, device)(a)
    hits = [w for w in caught if issubclass(w.category, UserWarning) and "not writable" in str(w.message)]
    assert hits, f"torch.{convert} warnings={[str(w.message) for w in caught]}, but should include a 'not writable' UserWarning"
    shared = convert == "from_numpy" or device.type == "cpu"
    assert (t.data_ptr() == addr(a)) == shared, (
        f"t.data_ptr()={t.data_ptr():#x}, read-only buffer={addr(a):#x}: shared={not shared}, but should be {shared}"
    )
    assert_same(t.to(device), from_values(a, device), f"torch.{convert}(a).to(device)")


# --------------------------------------------------------------------------- under torch.compile
# Dynamo traces numpy code (torch._numpy, since 2.1): x.numpy(), numpy calls on the array and
# torch.from_numpy become graph operations. Eager is the reference: the same function run eagerly.

#: the numpy dtypes of the compile claims: all with a torch twin but uint16/32/64, whose numpy
#: arithmetic raises NotImplementedError under torch.compile (pytorch#198056)
BRIDGE_DTYPES = [d for d in NUMPY_ALL if d not in WIDE_UNSIGNED]


def compile_settings():
    """:func:`compile_budget` without shrinking: every example compiles afresh, so minimising a failure
    (or a known bug's expected failure) would compile hundreds of times."""
    return settings(compile_budget(), phases=[Phase.explicit, Phase.reuse, Phase.generate])


#: SHAPED but the storage offset: from_numpy(x.numpy()) of a tensor at an offset is, in eager, a new storage
#: starting at x's first element (same memory, another storage object), while the compiled function returns a
#: view of x's storage; assert_compiles_like_eager compares storages, so it would report the two as different
ROUND_TRIP_CASES = tuple(c for c in SHAPED if c != "offset")


def numpy_round_trip(*xs):
    """For each tensor: from_numpy(x.numpy()) (x itself on the cpu), numpy arithmetic on the array, and
    the note's np.ones(5)."""
    outs = []
    for x in xs:
        n = x.cpu().numpy()
        outs.append(torch.from_numpy(n).to(x.device))
        outs.append(torch.from_numpy(np.asarray(n * 2)).to(x.device))
    outs.append(torch.from_numpy(np.ones(5)))
    return outs


@given(data=st.data())
@compile_settings()
def test_numpy_round_trip_under_compile(device, backend, data):
    """A compiled function going tensor -> x.numpy() -> numpy code -> torch.from_numpy behaves as eager: the same values and dtypes by numpy's rules (np.ones is float64, int8 * 2 stays int8, bool * 2 is int64), and from_numpy(x.cpu().numpy()) is x's memory on the cpu.

    Ranges over every numpy dtype with a torch twin but uint16/32/64 (pytorch#198056), one input
    each in one call, the inputs cycling through the layouts contiguous, transposed, step-sliced,
    expanded, channels_last, 0-d and empty (not a storage offset: see ROUND_TRIP_CASES); finite values (complex arithmetic on
    inf follows torch's rules, not numpy's, compiled or not: pytorch#82510). Compared by
    ``assert_compiles_like_eager``: values, dtypes, shapes, and which outputs share memory with which
    inputs.
    """
    arrays = [
        (data.draw(values(d, shaped_shapes(case), finite=True), label=f"{d.name} {case}"), case)
        for d, case in zip(BRIDGE_DTYPES, ROUND_TRIP_CASES * 2)
    ]

    def make():
        return tuple(reshaped(torch.from_numpy(a.copy()).to(device), case) for a, case in arrays)

    assert_compiles_like_eager(numpy_round_trip, make, backend)


def _numpy_of(x):
    return x.cpu().numpy()


_UNREPORTED = "not yet reported (pytorch/pytorch issues searched 2026-11-30); checked on 2.1.2 (requires_grad only: conj_bit and neg_bit still raise there), 2.2.2, 2.3.1, 2.4.1, 2.14.1, 2.15.0 (2.0 cannot run Dynamo on Python 3.11)"
#: what x.numpy() refuses: name -> (make the tensor from a float64 array, error, message)
REFUSALS = {
    "requires_grad": (lambda a: torch.tensor(a, requires_grad=True), RuntimeError, r"requires grad"),
    "conj_bit": (lambda a: torch.tensor(a.astype(np.complex64)).conj(), RuntimeError, r"conjugate bit"),
    "neg_bit": (lambda a: torch.tensor(a.astype(np.complex64)).conj().imag, RuntimeError, r"negative bit"),
    "bfloat16": (lambda a: torch.tensor(a).to(torch.bfloat16), TypeError, r"BFloat16"),
}
_COMPILED_NUMPY_CONVERTS = {
    "requires_grad": "compiled x.numpy() of a tensor that requires grad returns the array (sharing x's memory) "
    "instead of raising RuntimeError",
    "conj_bit": "compiled x.numpy() of a conjugate-bit tensor returns the resolved (conjugated) values instead of raising",
    "neg_bit": "compiled x.numpy() of a negative-bit tensor returns the resolved (negated) values instead of raising",
}
REFUSAL_PARAMS = [
    pytest.param(name, id=name, marks=(
        # requires_grad diverges from 2.1 on; conj_bit/neg_bit still raise on 2.1.2 and diverge from 2.2.2 on
        [pytest.mark.known_bug(">=2.1" if name == "requires_grad" else ">=2.2", issue=_UNREPORTED, reason=_COMPILED_NUMPY_CONVERTS[name])]
        if name in _COMPILED_NUMPY_CONVERTS else []
    ))
    for name in REFUSALS
]


@pytest.mark.parametrize("refused", REFUSAL_PARAMS)
@given(a=values(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3), finite=True))
@compile_settings()
def test_numpy_refusals_under_compile(device, backend, refused, a):
    """A compiled function calling x.cpu().numpy() refuses what eager refuses: a tensor that requires grad (RuntimeError), a conjugate or negative bit (RuntimeError), bfloat16 (TypeError).

    Ranges over the four refusals of ``.numpy()`` (enumerated; each spec above states the eager
    one) and small finite arrays. torch.compile promises eager semantics, errors included: a compiled
    ``.numpy()`` that converts what eager refuses silently detaches, conjugates or negates.
    """
    make, error, message = REFUSALS[refused]
    x = make(a).to(device)
    with raises(error, message, f"eager x.cpu().numpy() of the {refused} tensor"):
        _numpy_of(x)
    compiled = compile_fn(_numpy_of, backend)
    with raises(error, message, f"compiled x.cpu().numpy() of the {refused} tensor"):
        compiled(x)


def numpy_sum(x):
    return torch.from_numpy(np.asarray(x.cpu().numpy().sum())).to(x.device)


#: numpy's sum of small integers and bools accumulates in int64, of unsigned ones in uint64
SUM_PARAMS = [
    pytest.param((np.dtype(np.bool_), np.dtype(np.int8), np.dtype(np.int16), np.dtype(np.int32)), id="bool-int8-int16-int32"),
    pytest.param((np.dtype(np.uint8),), id="uint8", marks=(pytest.mark.torch_version(
        ">=2.3", reason="numpy sums uint8 to uint64, which torch has from 2.3 (pytorch#116594); before, "
        "torch.from_numpy of the uint64 sum raises TypeError (checked on 2.1.2 and 2.2.2)",
    ), pytest.mark.known_bug(
        ">=2.3", issue="https://github.com/pytorch/pytorch/issues/198056",
        reason="np.sum of a uint8 array returns int64 under torch.compile (numpy: uint64); checked on 2.3.1, 2.4.1, 2.14.1, 2.15.0",
    ))),
]


@pytest.mark.parametrize("np_dtypes", SUM_PARAMS)
@given(data=st.data())
@compile_settings()
def test_numpy_sum_dtype_under_compile(device, backend, np_dtypes, data):
    """A compiled function summing x.numpy() gives numpy's result dtype and value, as eager: int64 for bool, int8, int16 and int32, uint64 for uint8.

    Ranges over bool, uint8, int8, int16, int32 (enumerated: uint8 in a case of its own, a known bug)
    and arrays of 1 to 3 dims with the whole value range (sums wrap as numpy's do).
    """
    arrays = [data.draw(values(d, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)), label=d.name) for d in np_dtypes]

    def make():
        return tuple(torch.from_numpy(a.copy()).to(device) for a in arrays)

    def sums(*xs):
        return [numpy_sum(x) for x in xs]

    assert_compiles_like_eager(sums, make, backend)


# --- release history (mined from release notes; see docs/release-history.md)

DLPACK_GRAD_ERROR = (
    "np.from_dlpack(t) of a tensor that requires grad is refused by Tensor.__dlpack__ ('Can't export tensors that "
    "require gradient, use tensor.detach()'); the error became a BufferError (the DLPack/buffer-protocol exception) in "
    "torch 2.9, a RuntimeError before (https://github.com/pytorch/pytorch/releases/tag/v2.9.0); checked: RuntimeError "
    "on 2.0-2.8, BufferError on 2.9-2.15"
)
DLPACK_V1 = (
    "Tensor.__dlpack__ gained the DLPack 1.0 / Python array API keywords max_version, dl_device and copy in torch 2.9 "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.9.0); checked: TypeError on 2.0-2.8, accepted on 2.9-2.15"
)


def _from_dlpack_of_a_tensor_requiring_grad(device):
    x = torch.arange(3.0, device=device, requires_grad=True)
    t = x.cpu()  # numpy reads cpu memory only; on cpu this is x itself
    shared = np.from_dlpack(t.detach())
    t.detach()[0] = 7.0
    assert shared[0] == 7.0, f"np.from_dlpack(t.detach())[0]={shared[0]} after writing 7 through the tensor, but should share memory"
    try:
        np.from_dlpack(t)
    except Exception as e:  # noqa: BLE001 -- the type is the claim
        assert re.search(r"require[s]? gradient.*detach", str(e)), f"np.from_dlpack(t) raised {type(e).__name__}({e}), but should name detach()"
        return e
    pytest.fail("np.from_dlpack(t) of a tensor that requires grad raised nothing, but should refuse it")


@pytest.mark.torch_version("<2.9", reason=DLPACK_GRAD_ERROR)
def test_numpy_from_dlpack_refuses_a_tensor_that_requires_grad_with_runtime_error_before_2_9(device):
    """Before torch 2.9, np.from_dlpack(t) of a tensor that requires grad raises RuntimeError pointing to detach(); np.from_dlpack(t.detach()) shares t's memory."""
    e = _from_dlpack_of_a_tensor_requiring_grad(device)
    assert type(e) is RuntimeError, f"np.from_dlpack(t) raised {type(e).__name__}, but should raise RuntimeError"


@pytest.mark.torch_version(">=2.9", reason=DLPACK_GRAD_ERROR)
def test_numpy_from_dlpack_refuses_a_tensor_that_requires_grad_with_buffer_error_from_2_9(device):
    """From torch 2.9, np.from_dlpack(t) of a tensor that requires grad raises BufferError pointing to detach(); np.from_dlpack(t.detach()) shares t's memory."""
    e = _from_dlpack_of_a_tensor_requiring_grad(device)
    assert type(e) is BufferError, f"np.from_dlpack(t) raised {type(e).__name__}, but should raise BufferError"


@pytest.mark.torch_version("<2.9", reason=DLPACK_V1)
def test_dlpack_export_refuses_the_max_version_keyword_before_2_9(device):
    """Before torch 2.9, Tensor.__dlpack__ refuses the DLPack 1.0 keyword max_version with TypeError; the plain call still exports a capsule torch.from_dlpack reads back."""
    t = torch.arange(4.0, device=device)
    with raises(TypeError, r"max_version", "t.__dlpack__(max_version=(1, 0))"):
        t.__dlpack__(max_version=(1, 0))
    back = torch.from_dlpack(t.__dlpack__())
    assert_same(back, t, "torch.from_dlpack(t.__dlpack__())")


@pytest.mark.torch_version(">=2.9", reason=DLPACK_V1)
def test_dlpack_export_accepts_the_max_version_keyword_from_2_9(device):
    """From torch 2.9, Tensor.__dlpack__(max_version=(1, 0)) exports a capsule, and torch.from_dlpack of the tensor round-trips it sharing memory."""
    t = torch.arange(4.0, device=device)
    capsule = t.__dlpack__(max_version=(1, 0))
    assert type(capsule).__name__ == "PyCapsule", f"t.__dlpack__(max_version=(1, 0)) returned {type(capsule).__name__}, but should return a PyCapsule"
    back = torch.from_dlpack(t)
    assert_same(back, t, "torch.from_dlpack(t)")
    assert back.data_ptr() == t.data_ptr(), "torch.from_dlpack(t) copied, but should share t's memory"


NUMPY2_ARRAY_PROTOCOL = "https://github.com/pytorch/pytorch/issues/136264"


@pytest.mark.known_bug(
    ">=2.0",
    issue=NUMPY2_ARRAY_PROTOCOL,
    numpy=">=2.1",
    reason="Tensor.__array__ takes no `copy` keyword (the numpy 2 protocol), so with numpy >= 2.1 np.array(t) warns "
    "DeprecationWarning '__array__ implementation doesn't accept a copy keyword' and np.asarray(t, copy=False) raises "
    "ValueError 'Unable to avoid copy'; open as of torch 2.15 (checked with numpy 2.4 on 2.3-2.15 and numpy 2.2.6 on "
    "2.8 and 2.15; with numpy 2.0.2 torch 2.3 passes -- the deprecation came with numpy 2.1; numpy 1.26 on 2.0-2.2 "
    "never passes `copy`)",
)
def test_numpy_array_protocol_converts_a_cpu_tensor_without_warnings(device):
    """np.array(t) and np.asarray(t) convert a tensor (brought to cpu) without any warning: np.asarray shares its memory, np.array copies it.

    The numpy-side spelling of the note's ``.numpy()``: numpy calls ``Tensor.__array__``. Under
    numpy 2 the protocol passes ``copy=``; an ``__array__`` without that keyword makes numpy warn on
    every ``np.array(t)`` (a known bug, see the marker).
    """
    t = torch.arange(4.0, device=device).cpu()
    with warnings_recorded() as caught:
        shared = np.asarray(t)
        copied = np.array(t)
    t[0] = 9.0
    assert shared[0] == 9.0, "np.asarray(t) copied, but should share the tensor's memory"
    assert copied[0] == 0.0, "np.array(t) shares the tensor's memory, but should copy it"
    found = [(w.category.__name__, str(w.message)[:90]) for w in caught]
    assert found == [], f"converting with numpy warned {found}, but should not warn"


# --- release history, round 2 (mined from release notes and the tracker)

import io  # noqa: E402
import pickle  # noqa: E402

TORCH_LOAD_WEIGHTS_ONLY = (
    "torch.load's weights_only default: torch 2.4 made torch.load(f) without weights_only warn FutureWarning that the "
    "default will become True (https://github.com/pytorch/pytorch/releases/tag/v2.4.0), torch 2.6 made it True, so a "
    "torch.save'd ndarray (a pickled numpy global) is refused with UnpicklingError unless weights_only=False "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.6.0); checked: silent on 2.1.2 and 2.3.1, FutureWarning on "
    "2.4.1 and 2.5.1, UnpicklingError on 2.6.0, 2.7.1, 2.8.0, 2.9.1 and 2.14.1"
)
DLPACK_READ_ONLY = (
    "torch 2.9 imports versioned (DLPack 1.0) capsules (https://github.com/pytorch/pytorch/releases/tag/v2.9.0): it "
    "asks ndarray.__dlpack__ for max_version (1, 0), and numpy >= 2.1 then exports a read-only array with the read-only "
    "flag, which torch ignores (torch has no read-only tensors, Quansight-Labs/numpy_pytorch_interop#132); before 2.9 "
    "numpy refuses the unversioned export of a read-only array with BufferError 'Cannot export readonly array since "
    "signalling readonly is unsupported by DLPack'; checked with numpy 2.4: BufferError on 2.3.1, 2.4.1, 2.5.1, 2.6.0, "
    "2.7.1 and 2.8.0, a shared, writable tensor on 2.9.1 and 2.14.1"
)

#: numpy dtypes torch.save/torch.load round-trip as pickled ndarrays
SAVED_NP_DTYPES = ["float64", "float32", "int64", "uint8", "bool"]


def _saved(obj) -> io.BytesIO:
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return buf


def _load_recorded(buf, **kwargs):
    with warnings_recorded() as caught:
        out = torch.load(buf, **kwargs)
    return out, [(w.category, str(w.message)) for w in caught]


def _same_array(out, a, what):
    assert type(out) is np.ndarray, f"{what} is a {type(out).__name__}, but should be an ndarray"
    assert out.dtype == a.dtype, f"{what}.dtype={out.dtype}, but should be {a.dtype}"
    np.testing.assert_array_equal(out, a, err_msg=what)


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.4", reason=TORCH_LOAD_WEIGHTS_ONLY)
@pytest.mark.parametrize("np_dtype", SAVED_NP_DTYPES)
def test_torch_load_of_a_saved_ndarray_returns_it_silently_before_2_4(np_dtype):
    """Before torch 2.4, torch.load of a torch.save'd ndarray returns an equal ndarray of its dtype without any warning.

    Over numpy dtypes (float, int, uint8, bool); the array is the oracle.
    """
    a = np.arange(6).reshape(2, 3).astype(np_dtype)
    out, caught = _load_recorded(_saved(a))
    _same_array(out, a, "torch.load(torch.save(a))")
    assert caught == [], f"torch.load warned {[(c.__name__, m[:80]) for c, m in caught]}, but should be silent"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.4,<2.6", reason=TORCH_LOAD_WEIGHTS_ONLY)
@pytest.mark.parametrize("np_dtype", SAVED_NP_DTYPES)
def test_torch_load_of_a_saved_ndarray_warns_future_warning_about_weights_only_in_2_4_and_2_5(np_dtype):
    """In torch 2.4 and 2.5, torch.load of a torch.save'd ndarray still returns an equal ndarray but warns FutureWarning that weights_only will default to True.

    Over numpy dtypes (float, int, uint8, bool); the array is the oracle.
    """
    a = np.arange(6).reshape(2, 3).astype(np_dtype)
    out, caught = _load_recorded(_saved(a))
    _same_array(out, a, "torch.load(torch.save(a))")
    found = [c for c, m in caught if "weights_only" in m]
    assert found == [FutureWarning], f"torch.load warned {[(c.__name__, m[:80]) for c, m in caught]}, but should warn one FutureWarning naming weights_only"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.6", reason=TORCH_LOAD_WEIGHTS_ONLY)
@pytest.mark.parametrize("np_dtype", SAVED_NP_DTYPES)
def test_torch_load_refuses_a_saved_ndarray_unless_weights_only_is_false_from_2_6(np_dtype):
    """From torch 2.6, torch.load of a torch.save'd ndarray raises UnpicklingError naming weights_only; weights_only=False returns it, and torch.from_numpy(a) saved instead loads by default.

    Over numpy dtypes (float, int, uint8, bool); the array is the oracle.
    """
    a = np.arange(6).reshape(2, 3).astype(np_dtype)
    with raises(pickle.UnpicklingError, r"weights_only|Weights only", "torch.load(torch.save(a))"):
        torch.load(_saved(a))
    out, caught = _load_recorded(_saved(a), weights_only=False)
    _same_array(out, a, "torch.load(torch.save(a), weights_only=False)")
    assert caught == [], f"torch.load(weights_only=False) warned {[(c.__name__, m[:80]) for c, m in caught]}, but should be silent"
    t, _ = _load_recorded(_saved(torch.from_numpy(a)))
    _same_array(t.numpy(), a, "torch.load(torch.save(torch.from_numpy(a))).numpy()")


def _read_only_array(np_dtype):
    a = np.arange(4).astype(np_dtype)
    a.flags.writeable = False
    return a


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.9", reason=DLPACK_READ_ONLY)
@pytest.mark.parametrize("np_dtype", ["float64", "float32", "int64", "uint8"])
def test_from_dlpack_of_a_read_only_ndarray_raises_buffer_error_before_2_9(np_dtype):
    """Before torch 2.9, torch.from_dlpack of a read-only ndarray raises BufferError (numpy will not export it unversioned); a writable copy still converts, sharing the copy's memory.

    Over numpy dtypes with a torch twin.
    """
    a = _read_only_array(np_dtype)
    with raises(BufferError, r"readonly", "torch.from_dlpack(read-only a)"):
        torch.from_dlpack(a)
    b = a.copy()
    t = torch.from_dlpack(b)
    assert t.data_ptr() == b.ctypes.data, "torch.from_dlpack(a.copy()) copied, but should share the copy's memory"
    np.testing.assert_array_equal(t.numpy(), a)


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.9", reason=DLPACK_READ_ONLY)
@pytest.mark.parametrize("np_dtype", ["float64", "float32", "int64", "uint8"])
def test_from_dlpack_of_a_read_only_ndarray_shares_it_writably_and_silently_from_2_9(np_dtype):
    """From torch 2.9 (with numpy >= 2.1), torch.from_dlpack of a read-only ndarray shares its memory without any warning, and a write through the tensor changes the read-only array.

    Over numpy dtypes with a torch twin. Unlike torch.from_numpy (UserWarning 'not writable'), nothing
    signals that the memory was read-only.
    """
    if np.lib.NumpyVersion(np.__version__) < "2.1.0":
        pytest.skip(f"numpy {np.__version__} exports no versioned DLPack capsule (numpy >= 2.1 does)")
    a = _read_only_array(np_dtype)
    with warnings_recorded() as caught:
        t = torch.from_dlpack(a)
    assert caught == [], f"torch.from_dlpack(read-only a) warned {[(w.category.__name__, str(w.message)[:80]) for w in caught]}, but should be silent"
    assert t.data_ptr() == a.ctypes.data, "torch.from_dlpack(read-only a) copied, but should share a's memory"
    t[0] = 3
    assert a[0] == 3, f"a[0]={a[0]} after t[0] = 3, but the write should reach the read-only array"
    assert not a.flags.writeable, "a became writable, but should still be flagged read-only"


# --- numpy functions applied to a tensor (Tensor.__array__ in, Tensor.__array_wrap__ out)

from specs.inputs import NUMPY_TO_TORCH, TORCH_TO_NUMPY, dtype_id  # noqa: E402

ARRAY_WRAP_NUMPY2 = (
    "numpy 2.0 passes __array_wrap__ two more arguments (context, return_scalar) and warns DeprecationWarning "
    "'__array_wrap__ must accept context and return_scalar arguments (positionally) in the future' when the "
    "override takes only the array (numpy#25409); torch.Tensor.__array_wrap__(self, array) still does, so "
    "np.sin(t) or np.delete(t, 0) warns with any numpy >= 2 (fix proposed in pytorch#180748 / #187190, not merged "
    "in 2.15; numpy#31119 would turn the warning into an error); checked: silent with numpy 1.26 on torch 2.0.1-2.3.1, "
    "warning with numpy 2.0.2 (torch 2.3.1), 2.2.6 (2.8.0, 2.15.0) and 2.4.6 (2.3.1-2.15.0)"
)

#: numpy functions a user applies to a cpu tensor: name -> (call, how numpy computes it on an ndarray)
NUMPY_ON_TENSOR = {
    "np.sin(t)": lambda t: np.sin(t),
    "np.add(t, 2)": lambda t: np.add(t, 2),
    "np.greater(t, 0)": lambda t: np.greater(t, 0),
    "np.negative(t)": lambda t: np.negative(t),
    "np.delete(t, 0)": lambda t: np.delete(t, 0),
}
UFUNC_DTYPES = [torch.float32, torch.float64, torch.int64]


@pytest.mark.device_independent
@pytest.mark.parametrize("dtype", dtype_params(UFUNC_DTYPES))
@pytest.mark.parametrize("form", list(NUMPY_ON_TENSOR))
@given(data=st.data())
@budget(len(UFUNC_DTYPES) * len(NUMPY_ON_TENSOR))
def test_a_numpy_function_of_a_cpu_tensor_returns_a_tensor_of_numpys_result(form, dtype, data):
    """A numpy function applied to a cpu tensor computes numpy's result and hands it back as a torch.Tensor (a bool result as uint8).

    Ranges over ufuncs (np.sin, np.add with a scalar, np.greater, np.negative) and a non-ufunc that wraps
    its result (np.delete), on float32, float64 and int64 tensors of 1 to 6 elements (int64 values within
    +-1000). numpy reads the tensor through ``Tensor.__array__`` and wraps the result with
    ``Tensor.__array_wrap__``: the result is a tensor whose dtype and values are what the same call gives
    on an ndarray copy of the tensor (the oracle) -- except that a bool result comes back as a **uint8**
    tensor of 0/1 (``np.greater(t, 0)`` is not a bool tensor: ``__array_wrap__`` still converts bool arrays
    with a workaround from before torch had bool tensors); the input tensor is left unchanged.
    """
    n = data.draw(st.integers(1, 6), label="length")
    np_dtype = TORCH_TO_NUMPY[dtype]
    if dtype.is_floating_point:
        elems = st.floats(-1e3, 1e3, width=np.finfo(np_dtype).bits)
    else:
        elems = st.integers(-1000, 1000)
    a = data.draw(hnp.arrays(np_dtype, n, elements=elems), label="values")
    t = torch.from_numpy(a.copy())
    expected = NUMPY_ON_TENSOR[form](a.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # numpy 2's __array_wrap__ warning: a claim below
        out = NUMPY_ON_TENSOR[form](t)
    assert isinstance(out, torch.Tensor), f"{form} returned {type(out).__name__}, but should return a torch.Tensor"
    if expected.dtype == np.bool_:  # __array_wrap__'s old workaround: "torch has no built-in bool tensor"
        expected = expected.astype(np.uint8)
    assert out.dtype == NUMPY_TO_TORCH[np.dtype(expected.dtype)], (
        f"{form} of a {dtype_id(dtype)} tensor gave dtype {out.dtype}, but should give {expected.dtype}"
    )
    np.testing.assert_array_equal(out.numpy(), expected, err_msg=f"{form} of a {dtype_id(dtype)} tensor")
    np.testing.assert_array_equal(t.numpy(), a, err_msg=f"the input tensor after {form}")


@pytest.mark.device_independent
@pytest.mark.known_bug(">=2.0", numpy=">=2.0", issue="https://github.com/pytorch/pytorch/issues/180657", reason=ARRAY_WRAP_NUMPY2)
@pytest.mark.parametrize("form", list(NUMPY_ON_TENSOR))
def test_a_numpy_function_of_a_tensor_warns_nothing(form):
    """A numpy function applied to a cpu tensor warns nothing: Tensor.__array_wrap__ takes what numpy passes.

    Over the numpy functions above, on a float32 tensor (the dtype does not matter to the protocol).
    """
    t = torch.tensor([0.5, -1.0, 2.0])
    with warnings_recorded() as caught:
        NUMPY_ON_TENSOR[form](t)
    found = [f"{w.category.__name__}: {str(w.message)[:90]}" for w in caught]
    assert found == [], f"{form} warned {found}, but should warn nothing"


# --- release history, round 4 (release notes 2.10-2.15)

DLPACK_EXPORT_READ_ONLY = (
    "torch 2.14 gave Tensor.__dlpack__ a read_only keyword (pytorch#188554 '[dlpack] Add read-only DLPack export'; "
    "https://github.com/pytorch/pytorch/releases/tag/v2.14.0): with the versioned protocol (max_version >= (1, 0)) "
    "the capsule carries DLPACK_FLAG_BITMASK_READ_ONLY, so np.from_dlpack of such an export gives a read-only array "
    "that still shares the tensor's memory, and read_only=True on the unversioned protocol raises BufferError; "
    "before, the keyword is refused with TypeError. Checked: TypeError on 2.0.1 (which lacks max_version too), 2.12.1 and "
    "2.13.0, read-only export on 2.14.1 and 2.15.0 (numpy 2.4)"
)


class _ReadOnlyExport:
    """What a library holding an immutable tensor hands numpy: the tensor exported with read_only=True."""

    def __init__(self, t):
        self.t = t

    def __dlpack__(self, **kwargs):
        return self.t.__dlpack__(read_only=True, **kwargs)

    def __dlpack_device__(self):
        return self.t.__dlpack_device__()


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.14", reason=DLPACK_EXPORT_READ_ONLY)
def test_dlpack_export_refuses_a_read_only_keyword_before_2_14():
    """Before torch 2.14, Tensor.__dlpack__ has no read_only keyword: asking for a read-only export raises TypeError.

    On a float32 cpu tensor, with the versioned protocol requested (max_version=(1, 0)).
    """
    t = torch.arange(4.0)
    with raises(TypeError, r"unexpected keyword argument", "t.__dlpack__(max_version=(1, 0), read_only=True)"):
        t.__dlpack__(max_version=(1, 0), read_only=True)


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.14", reason=DLPACK_EXPORT_READ_ONLY)
@pytest.mark.parametrize("dtype", dtype_params([torch.float32, torch.float64, torch.int64, torch.uint8]))
def test_dlpack_export_with_read_only_gives_numpy_a_read_only_array_sharing_the_tensor_from_2_14(dtype):
    """From torch 2.14, np.from_dlpack of a tensor exported with read_only=True is a read-only array sharing the tensor's memory; the default export stays writable; read_only without the versioned protocol raises BufferError.

    Over float32, float64, int64 and uint8 cpu tensors (numpy >= 2.1, which imports versioned
    capsules). A write through the tensor still reaches the read-only array: read_only marks the
    consumer's view, it does not freeze the memory.
    """
    if np.lib.NumpyVersion(np.__version__) < "2.1.0":
        pytest.skip(f"numpy {np.__version__} imports no versioned DLPack capsule (numpy >= 2.1 does)")
    t = torch.arange(4).to(dtype)
    a = np.from_dlpack(_ReadOnlyExport(t))
    assert not a.flags.writeable, "np.from_dlpack of a read_only=True export is writable, but should be read-only"
    assert a.ctypes.data == t.data_ptr(), "np.from_dlpack of a read_only=True export copied, but should share t's memory"
    np.testing.assert_array_equal(a, np.arange(4).astype(a.dtype), err_msg="np.from_dlpack of a read_only=True export")
    t[0] = 3
    assert a[0] == 3, f"a[0]={a[0]} after t[0] = 3, but the read-only array should see the tensor's write"
    b = np.from_dlpack(t)
    assert b.flags.writeable, "np.from_dlpack(t) (default export) is read-only, but should be writable"
    with raises(BufferError, r"versioned", "t.__dlpack__(read_only=True) without max_version"):
        t.__dlpack__(read_only=True)
