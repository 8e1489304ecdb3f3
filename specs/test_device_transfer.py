"""Device transfers: ``.to(device)``, ``.cuda()``, ``.cpu()`` -- what moves, what is copied, what is returned.

A tensor lives on one device. ``x.to(device)`` returns a tensor on ``device`` with the same values,
dtype and shape; when ``x`` is already there (and already has the requested dtype) it returns ``x``
itself -- no copy, the same Python object -- unless you pass ``copy=True``. ``x.cpu()`` is
``x.to("cpu")``: a copy from another device, ``x`` itself on the cpu. ``x.cuda()`` moves to the
current cuda device. The move is a plain memory copy, so it is exact for every dtype (NaN payloads,
-0.0 and all), and ndarray -> tensor -> device -> cpu -> ndarray gives back the same bytes.

A transfer is differentiable: ``x.to(device)`` of a leaf that requires grad records the copy, and
``backward()`` brings the gradient back to the leaf, on the leaf's own device and dtype.

The source note says ``x.to(device)`` "is equivalent to" ``x.cuda()``; that holds only when
``device`` is a cuda device (the note picks ``device = "cuda" if available else "cpu"``). The
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

from specs.helpers import NUMPY_TO_TORCH, arrays, assert_dtype, assert_owns, assert_same, tensors

float_arrays = hnp.arrays(
    st.sampled_from([np.dtype(np.float64), np.dtype(np.float32)]),
    hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4),
    elements={"min_value": -1e3, "max_value": 1e3, "allow_nan": False},
)


def where(device: torch.device) -> torch.device:
    """The concrete device a tensor asked to go to ``device`` lands on (``cuda`` -> ``cuda:0``)."""
    return torch.empty(0, device=device).device


def assert_on(out: torch.Tensor, device: torch.device, what: str = "out"):
    """Like ``specs.helpers.assert_device``, but exact: the device index counts too (``cuda:0``)."""
    __tracebackhide__ = True
    assert out.device == where(device), f"{what}.device={out.device}, but should be {where(device)}"


# --------------------------------------------------------------------------- .to(device)


@given(x=tensors())
@example(x=torch.ones(5, dtype=torch.float64))  # the note's float64 ones
def test_to_device_keeps_values_dtype_and_shape(device, x):
    """x.to(device) returns a tensor on device with exactly x's values, dtype and shape."""
    out = x.to(device)
    assert_on(out, device, "x.to(device)")
    assert_dtype(out, x.dtype, "x.to(device)")
    assert out.shape == x.shape, f"x.to(device).shape={tuple(out.shape)}, but should be {tuple(x.shape)}"
    assert_same(out.cpu(), x, "x.to(device).cpu()")


@given(x=tensors())
def test_to_same_device_and_dtype_returns_same_object(device, x):
    """x.to(device) / x.to(dtype) / x.to(device, dtype) / x.to(other) of a tensor already on that device with that dtype return x itself."""
    x = x.to(device)
    for form, args in [("device", (device,)), ("dtype", (x.dtype,)), ("device, dtype", (device, x.dtype)), ("other", (x,))]:
        out = x.to(*args)
        assert out is x, f"x.to({form}) is a new tensor (id {id(out):#x}), but should be x itself (id {id(x):#x})"


@given(x=tensors())
def test_to_with_copy_true_returns_new_tensor(device, x):
    """x.to(device, copy=True) returns a new tensor with its own memory, even when x is already on device."""
    x = x.to(device)
    out = x.to(device, copy=True)
    assert out is not x, "x.to(device, copy=True) is x itself, but should be a new tensor"
    if x.numel():
        assert_owns(out, x, "x.to(device, copy=True)")
    assert_same(out, x, "x.to(device, copy=True)")


@given(x=tensors(), dtype=st.sampled_from([torch.float64, torch.complex128]))
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


@given(x=tensors())
def test_cpu_of_tensor_on_device_equals_it(device, x):
    """x.cpu() of a tensor on device is a cpu tensor equal to it in values, dtype and shape."""
    y = x.to(device)
    out = y.cpu()
    assert out.device == torch.device("cpu"), f"y.cpu().device={out.device}, but should be cpu"
    assert_same(out, x, "y.cpu()")


@given(x=tensors())
def test_cpu_of_cpu_tensor_is_same_object(device, x):
    """x.cpu() of a tensor already on the cpu returns x itself (no copy); so does x.to('cpu')."""
    c = x.to(device).cpu()
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
