"""Device transfers: ``.to(device)``, ``.cuda()``, ``.cpu()`` -- what moves, what is copied, what is returned.

A tensor lives on one device. ``x.to(device)`` returns a tensor on ``device`` with the same values,
dtype and shape; when ``x`` is already there (and already has the requested dtype) it returns ``x``
itself -- no copy, the same Python object -- unless you pass ``copy=True``. ``x.cpu()`` is
``x.to("cpu")``: a copy from another device, ``x`` itself on the cpu. ``x.cuda()`` moves to the
current cuda device. The move is a plain memory copy, so it is exact for every dtype (NaN payloads,
-0.0 and all), and ndarray -> tensor -> device -> cpu -> ndarray gives back the same bytes.

A transfer is differentiable: ``x.to(device)`` of a leaf that requires grad records the copy, and
``backward()`` brings the gradient back to the leaf, on the leaf's own device and dtype.

The source note says ``x.to(device)`` "is equivalent to" ``x.cuda()`` (section 1); that holds only
when ``device`` is a cuda device (the note picks ``device = "cuda" if available else "cpu"``): with
the cpu fallback, ``x.to(device)`` of a cpu tensor is ``x`` itself, while ``x.cuda()`` is always a
cuda tensor (a new object from a cpu tensor). The transfer specs draw every dtype (bfloat16,
uint16/32/64 on torch >= 2.3, complex), non-contiguous views, channels_last, tensors of more than
125 elements, and pinned memory with ``non_blocking=True`` where the device is cuda. The
note's ``y = y.cuda()`` starts from a ``y`` it never defined; the round trip it shows
(``b.cuda().cpu()`` keeps float64 and values) is a spec below, for machines with CUDA.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from specs.helpers import NUMPY_TO_TORCH, arrays, assert_dtype, assert_owns, assert_same, tensors, torch_at_least

float_arrays = hnp.arrays(
    st.sampled_from([np.dtype(np.float64), np.dtype(np.float32)]),
    hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4),
    elements={"min_value": -1e3, "max_value": 1e3, "allow_nan": False},
)


#: torch dtypes numpy has no (or, before torch 2.3, no torch) counterpart for: made from a carrier array.
EXTRA_DTYPES = {torch.bfloat16: np.float32}
if torch_at_least("2.3"):  # torch 2.3 added uint16/32/64 (pytorch#116594)
    EXTRA_DTYPES.update({getattr(torch, n): np.dtype(n) for n in ("uint16", "uint32", "uint64")})
LAYOUTS = ["contiguous", "transpose", "step", "offset", "channels_last", "large"]


@st.composite
def transfer_tensors(draw, layouts=LAYOUTS):
    """cpu tensors of every dtype (bfloat16, uint16/32/64 where torch has them, complex ...) in many layouts.

    Layouts: contiguous; transposed (first and last dims swapped); a step slice ``[::2]``; a view at
    a storage offset; 4-D channels_last; and, occasionally, more than 125 elements (bounded by
    300) in a transposed 2-D view. Values are arbitrary (NaN, inf, -0.0 included).
    """
    dtype = draw(st.sampled_from(list(NUMPY_TO_TORCH.values()) + list(EXTRA_DTYPES)), label="dtype")
    layout = draw(st.sampled_from(layouts), label="layout")
    if layout == "channels_last":
        shape = tuple(draw(st.lists(st.integers(1, 3), min_size=4, max_size=4)))
    elif layout == "large":
        shape = (draw(st.integers(9, 20)), draw(st.integers(15, 15)))  # 135 .. 300 elements
    elif layout == "transpose":
        shape = tuple(draw(st.lists(st.integers(0, 5), min_size=2, max_size=3)))
    else:
        shape = draw(hnp.array_shapes(min_dims=0 if layout == "contiguous" else 1, max_dims=3, min_side=0, max_side=5))
    base_shape = (shape[0] * 2,) + shape[1:] if layout == "step" else shape
    extra = 3 if layout == "offset" else 0
    n = int(np.prod(base_shape, dtype=np.int64)) + extra
    np_dtype = EXTRA_DTYPES.get(dtype) or {v: k for k, v in NUMPY_TO_TORCH.items()}[dtype]
    flat = draw(hnp.arrays(np_dtype, (n,)), label="values")
    base = torch.from_numpy(flat.copy()).to(dtype)
    if layout == "offset":
        return base[extra:].view(shape)
    base = base.view(base_shape)
    if layout == "step":
        return base[::2]
    if layout in ("transpose", "large"):
        return base.transpose(0, -1)
    if layout == "channels_last":
        return base.contiguous(memory_format=torch.channels_last)
    return base


def where(device: torch.device) -> torch.device:
    """The concrete device a tensor asked to go to ``device`` lands on (``cuda`` -> ``cuda:0``)."""
    return torch.empty(0, device=device).device


def assert_on(out: torch.Tensor, device: torch.device, what: str = "out"):
    """Like ``specs.helpers.assert_device``, but exact: the device index counts too (``cuda:0``)."""
    __tracebackhide__ = True
    assert out.device == where(device), f"{what}.device={out.device}, but should be {where(device)}"


# --------------------------------------------------------------------------- .to(device)


def dense(x: torch.Tensor) -> bool:
    """x covers its memory without gaps in one of the orders these specs make (row-major, channels_last, transposed)."""
    return (
        x.is_contiguous()
        or (x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last))
        or (x.dim() >= 2 and x.transpose(0, -1).is_contiguous())
    )


@given(x=transfer_tensors(), non_blocking=st.booleans(), pin=st.booleans())
@example(x=torch.ones(5, dtype=torch.float64), non_blocking=False, pin=False)  # the note's float64 ones
@example(x=torch.arange(12.0).view(1, 3, 2, 2).contiguous(memory_format=torch.channels_last), non_blocking=True, pin=True)
@example(x=torch.arange(6.0).view(2, 3).t(), non_blocking=False, pin=False)
@example(x=torch.arange(1.0, 151.0).view(10, 15).t(), non_blocking=False, pin=False)  # > 125 elements
def test_to_device_keeps_values_dtype_and_shape(device, x, non_blocking, pin):
    """x.to(device) -- also with non_blocking=True from pinned memory -- returns a tensor on device with exactly x's values, dtype and shape, and the strides of a dense x (channels_last, transposed).

    Inputs span every dtype (bfloat16, uint16/32/64 on torch >= 2.3, complex), non-contiguous
    views (transposes, step slices, storage offsets), channels_last and more than 125 elements.
    ``pin_memory()`` needs CUDA, so the cpu input is pinned only where ``device`` is cuda; the
    copy is then asynchronous but ordered on the current stream before the ``.cpu()`` that reads
    it. ``memory_format=torch.preserve_format`` (the default) copies the strides of a dense,
    non-overlapping input.
    """
    expected = x.clone(memory_format=torch.preserve_format)
    if pin and device.type == "cuda":  # pinned host memory only exists with CUDA
        x = x.pin_memory()
    out = x.to(device, non_blocking=non_blocking)
    assert_on(out, device, "x.to(device)")
    assert_dtype(out, x.dtype, "x.to(device)")
    assert out.shape == x.shape, f"x.to(device).shape={tuple(out.shape)}, but should be {tuple(x.shape)}"
    if dense(x):
        assert out.stride() == x.stride(), f"x.to(device).stride()={out.stride()}, but should be x.stride()={x.stride()}"
    assert_same(out.cpu(), expected, "x.to(device).cpu()")


@given(x=transfer_tensors())
def test_to_same_device_and_dtype_returns_same_object(device, x):
    """x.to(device) / x.to(dtype) / x.to(device, dtype) / x.to(other) of a tensor already on that device with that dtype return x itself."""
    x = x.to(device)
    for form, args in [("device", (device,)), ("dtype", (x.dtype,)), ("device, dtype", (device, x.dtype)), ("other", (x,))]:
        out = x.to(*args)
        assert out is x, f"x.to({form}) is a new tensor (id {id(out):#x}), but should be x itself (id {id(x):#x})"


@given(x=transfer_tensors())
def test_to_with_copy_true_returns_new_tensor(device, x):
    """x.to(device, copy=True) returns a new tensor with its own memory, even when x is already on device."""
    x = x.to(device)
    out = x.to(device, copy=True)
    assert out is not x, "x.to(device, copy=True) is x itself, but should be a new tensor"
    if x.numel():
        assert_owns(out, x, "x.to(device, copy=True)")
    assert_same(out, x, "x.to(device, copy=True)")


@given(x=transfer_tensors(), dtype=st.sampled_from([torch.float64, torch.complex128]))
def test_to_other_dtype_returns_converted_copy(device, x, dtype):
    """x.to(device, other_dtype) returns a new tensor of that dtype with x's values, leaving x untouched.

    Targets are float64/complex128 (complex64 for complex128 input): IEEE conversions that give
    the same result on every device.
    """
    x = x.to(device)
    if x.is_complex():  # complex -> real would drop the imaginary part (and warn)
        dtype = torch.complex64 if x.dtype == torch.complex128 else torch.complex128
    elif dtype == x.dtype:
        dtype = torch.complex128
    before = x.clone()
    out = x.to(device, dtype)
    assert out is not x, f"x.to(device, {dtype}) is x itself, but should be a new tensor"
    assert_dtype(out, dtype, f"x.to(device, {dtype})")
    assert_on(out, device, f"x.to(device, {dtype})")
    assert_same(out.cpu(), before.cpu().to(dtype), f"x.to(device, {dtype})")
    out.fill_(1)
    assert_same(x, before, f"x after writing x.to(device, {dtype})")


# --------------------------------------------------------------------------- .cpu()


@given(x=transfer_tensors())
@example(x=torch.tensor([1e30, 1e-40, -3.0], dtype=torch.bfloat16))  # outside float16's range
def test_cpu_of_tensor_on_device_equals_it(device, x):
    """x.cpu() of a tensor on device is a cpu tensor equal to it in values, dtype and shape."""
    y = x.to(device)
    out = y.cpu()
    assert out.device == torch.device("cpu"), f"y.cpu().device={out.device}, but should be cpu"
    assert_same(out, x, "y.cpu()")


@given(x=transfer_tensors())
def test_cpu_of_cpu_tensor_is_same_object(device, x):
    """x.cpu() (and x.to('cpu')) returns x itself when x is already on the cpu, and a new cpu tensor when x is on any other device.

    ``y = x.to(device)``: on the cpu ``y.cpu()`` is ``y`` (no copy); from another device it is a
    new host tensor, and that tensor's own ``.cpu()`` is itself again.
    """
    y = x.to(device)
    c = y.cpu()
    stays = device.type == "cpu"
    assert (c is y) == stays, f"y.cpu() is y: {c is y}, but should be {stays}"
    assert (y.to("cpu") is y) == stays, f"y.to('cpu') is y: {y.to('cpu') is y}, but should be {stays}"
    assert c.cpu() is c, "c.cpu() is a new tensor, but should be c itself"
    assert c.to("cpu") is c, "c.to('cpu') is a new tensor, but should be c itself"


# --------------------------------------------------------------------------- autograd


@given(a=float_arrays)
def test_gradient_flows_back_through_to_device(device, a):
    """Gradients flow back through x.to(device) to the leaf, arriving on the leaf's device and dtype."""
    leaf = torch.tensor(a, requires_grad=True)
    moved = leaf.to(device)
    assert moved.requires_grad, "leaf.to(device).requires_grad=False, but should be True"
    (moved * moved).sum().backward()
    assert leaf.grad is not None, "leaf.grad=None after backward, but should be 2 * leaf"
    assert_same(leaf.grad, 2 * leaf.detach(), "leaf.grad")


# --------------------------------------------------------------------------- round trip


@given(a=arrays())
@example(a=np.ones(5))
@example(a=np.array([np.nan, -0.0, np.inf], dtype=np.float16))
def test_ndarray_to_device_and_back_is_identity(device, a):
    """ndarray -> from_numpy -> to(device) -> cpu() -> numpy() returns the same dtype, shape and bytes."""
    back = torch.from_numpy(a).to(device).cpu().numpy()
    assert back.dtype == a.dtype, f"back.dtype={back.dtype}, but should be {a.dtype}"
    assert back.shape == a.shape, f"back.shape={back.shape}, but should be {a.shape}"
    assert back.tobytes() == a.tobytes(), f"back.tobytes()={back.tobytes()!r}, but should be {a.tobytes()!r} (back={back!r}, a={a!r})"


# --------------------------------------------------------------------------- the CUDA API itself


@pytest.mark.needs_cuda
@given(a=arrays())
@example(a=np.ones(5))
def test_cuda_then_cpu_round_trip_keeps_values_and_dtype(device, a):
    """x.cuda() lands on the current cuda device, and .cpu() brings back the same values and dtype (the note's y.cuda()/y.cpu())."""
    b = torch.from_numpy(a).to(device)
    y = b.cuda()
    current = torch.device("cuda", torch.cuda.current_device())
    assert y.device == current, f"b.cuda().device={y.device}, but should be {current}"
    assert_dtype(y, NUMPY_TO_TORCH[a.dtype], "b.cuda()")
    assert_same(y.cpu(), torch.from_numpy(a), "b.cuda().cpu()")


@pytest.mark.needs_cuda
@given(x=tensors())
def test_to_cuda_equals_cuda(device, x):
    """x.to('cuda') and x.cuda() give equal tensors on the same device -- the note's "x.to(device) == x.cuda()" when device is cuda."""
    x = x.to(device)
    a, b = x.to("cuda"), x.cuda()
    assert a.device == b.device, f"x.to('cuda').device={a.device}, but should be x.cuda().device={b.device}"
    assert_same(a, b, "x.to('cuda') vs x.cuda()")


@pytest.mark.needs_cuda
@given(x=tensors())
def test_cuda_of_cuda_tensor_is_same_object(device, x):
    """x.cuda() of a tensor already on the current cuda device returns x itself."""
    y = x.to(device).cuda()
    assert y.cuda() is y, "y.cuda() is a new tensor, but should be y itself"


@pytest.mark.needs_cuda
@given(x=transfer_tensors(layouts=["contiguous", "transpose", "step"]))
def test_to_device_is_cuda_only_when_device_is_cuda(device, x):
    """x.to(device) is equivalent to x.cuda() only when device is a cuda device: for a cpu tensor and device cpu, x.to(device) is x itself, while x.cuda() is a new cuda tensor.

    The note's "``x.to(device)`` is equivalent to ``x.cuda()``" holds for ``device = "cuda"``: then
    both give equal tensors on the current cuda device, and both return ``x`` itself when ``x`` is
    already there. With ``device = "cpu"`` (the note's fallback), ``x.to(device)`` of a cpu tensor
    is ``x`` -- the same object -- which ``x.cuda()`` never is.
    """
    x = x.to(device)
    via_to, via_cuda = x.to(device), x.cuda()
    assert via_to is x, "x.to(device) is a new tensor, but should be x itself (x is already on device)"
    current = torch.device("cuda", torch.cuda.current_device())
    assert via_cuda.device == current, f"x.cuda().device={via_cuda.device}, but should be {current}"
    equivalent = device.type == "cuda"
    assert (via_cuda is x) == equivalent, f"x.cuda() is x: {via_cuda is x}, but should be {equivalent}"
    assert (via_to.device == via_cuda.device) == equivalent, (
        f"x.to(device).device={via_to.device}, x.cuda().device={via_cuda.device}: same={not equivalent}, but should be {equivalent}"
    )
    assert_same(via_cuda.cpu(), x.cpu(), "x.cuda().cpu()")
