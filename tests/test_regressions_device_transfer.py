"""Planted regressions for specs/test_device_transfer.py: each breaks one claim and must be killed."""

from __future__ import annotations

import torch

from tests.plant import assert_killed, assert_passed, needs_cuda, run

import torch._dynamo  # noqa: E402  (tests/plant.py compiles once at collection)


MOD = "test_device_transfer.py"


def spec(name: str) -> str:
    return f"{MOD}::{name}"


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the module's specs pass."""
    assert_passed(run(pytester, MOD))


# --------------------------------------------------------------------------- .to()


def test_to_downcasting_float64_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device) that silently downcasts float64 to float32 (as MPS-style backends do)."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return orig(out, torch.float32) if out.dtype == torch.float64 else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_device_keeps_values_dtype_and_shape"), spec("test_to_device_of_the_notes_float64_ones"))
    assert_killed(
        result, "test_to_device_keeps_values_dtype_and_shape[cpu-float64-contiguous]", "test_to_device_of_the_notes_float64_ones",
        "x.to(device).dtype=torch.float32, but should be torch.float64",
    )


def test_to_always_copying_is_killed(pytester, monkeypatch):
    """Plants Tensor.to() that returns a copy even when nothing changes."""
    orig = torch.Tensor.to
    monkeypatch.setattr(torch.Tensor, "to", lambda self, *a, **kw: orig(self, *a, **kw).clone())
    result = run(pytester, spec("test_to_same_device_and_dtype_returns_same_object"))
    assert_killed(result, "test_to_same_device_and_dtype_returns_same_object", "is a new tensor")


def test_to_ignoring_copy_flag_is_killed(pytester, monkeypatch):
    """Plants Tensor.to() that ignores copy=True and returns the input itself."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        kwargs.pop("copy", None)
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_with_copy_true_returns_new_tensor"))
    assert_killed(result, "test_to_with_copy_true_returns_new_tensor", "x.to(device, copy=True) is x itself")


def test_to_ignoring_dtype_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device, dtype) that ignores the dtype and only moves the tensor."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        kwargs.pop("dtype", None)
        return orig(self, *[a for a in args if not isinstance(a, torch.dtype)], **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_other_dtype_returns_converted_copy"))
    assert_killed(result, "test_to_other_dtype_returns_converted_copy")


# --------------------------------------------------------------------------- .cpu()


def test_cpu_downcasting_is_killed(pytester, monkeypatch):
    """Plants Tensor.cpu() that returns float64 tensors as float32."""
    orig = torch.Tensor.cpu

    def cpu(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return out.float() if out.dtype == torch.float64 else out

    monkeypatch.setattr(torch.Tensor, "cpu", cpu)
    result = run(pytester, spec("test_cpu_of_tensor_on_device_equals_it"))
    assert_killed(result, "test_cpu_of_tensor_on_device_equals_it")


def test_cpu_always_copying_is_killed(pytester, monkeypatch):
    """Plants Tensor.cpu() that returns a new tensor even for a cpu tensor."""
    orig = torch.Tensor.cpu
    monkeypatch.setattr(torch.Tensor, "cpu", lambda self, *a, **kw: orig(self, *a, **kw).clone())
    result = run(pytester, spec("test_cpu_of_cpu_tensor_is_same_object"))
    assert_killed(result, "test_cpu_of_cpu_tensor_is_same_object", "y.cpu() is y: False, but should be True")


# --------------------------------------------------------------------------- autograd and round trip


def test_to_detaching_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device) that detaches its result, cutting the graph back to the leaf."""
    orig = torch.Tensor.to
    monkeypatch.setattr(torch.Tensor, "to", lambda self, *a, **kw: orig(self, *a, **kw).detach())
    result = run(pytester, spec("test_gradient_flows_back_through_to_device"))
    assert_killed(result, "test_gradient_flows_back_through_to_device", "leaf.to(device).requires_grad=False")


def test_transfer_canonicalising_negative_zero_is_killed(pytester, monkeypatch):
    """Plants Tensor.cpu() that turns -0.0 into +0.0 (a copy that is not bit-exact)."""
    orig = torch.Tensor.cpu

    def cpu(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return out + 0.0 if out.is_floating_point() else out  # -0.0 + 0.0 == +0.0

    monkeypatch.setattr(torch.Tensor, "cpu", cpu)
    result = run(pytester, spec("test_ndarray_to_device_and_back_is_identity"), spec("test_ndarray_round_trip_keeps_the_notes_values"))
    assert_killed(result, "test_ndarray_round_trip_keeps_the_notes_values", "byte for byte")


# --------------------------------------------------------------------------- the CUDA API itself


@needs_cuda
def test_cuda_downcasting_is_killed(pytester, monkeypatch):
    """Plants Tensor.cuda() that downcasts float64 to float32, breaking the note's round trip and to('cuda') == cuda()."""
    orig = torch.Tensor.cuda

    def cuda(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return out.float() if out.dtype == torch.float64 else out

    monkeypatch.setattr(torch.Tensor, "cuda", cuda)
    result = run(
        pytester,
        spec("test_cuda_then_cpu_round_trip_keeps_values_and_dtype"),
        spec("test_to_cuda_equals_cuda"),
    )
    assert_killed(result, "test_cuda_then_cpu_round_trip_keeps_values_and_dtype", "test_to_cuda_equals_cuda")


@needs_cuda
def test_cuda_always_copying_is_killed(pytester, monkeypatch):
    """Plants Tensor.cuda() that returns a copy of a tensor already on the current cuda device."""
    orig = torch.Tensor.cuda
    monkeypatch.setattr(torch.Tensor, "cuda", lambda self, *a, **kw: orig(self, *a, **kw).clone())
    result = run(pytester, spec("test_cuda_of_cuda_tensor_is_same_object"))
    assert_killed(result, "test_cuda_of_cuda_tensor_is_same_object")


@needs_cuda
def test_cuda_as_no_op_on_cpu_tensors_is_killed(pytester, monkeypatch):
    """Plants Tensor.cuda() that returns a cpu tensor itself (the "cuda() is to(device)" folklore made true)."""
    orig = torch.Tensor.cuda
    monkeypatch.setattr(torch.Tensor, "cuda", lambda self, *a, **kw: self if self.device.type == "cpu" else orig(self, *a, **kw))
    result = run(pytester, spec("test_to_device_is_cuda_only_when_device_is_cuda"))
    assert_killed(result, "test_to_device_is_cuda_only_when_device_is_cuda", "x.cuda().device=cpu")


# --------------------------------------------------------------------------- slice regressions (issue #14)


def test_slice_to_reading_storage_order_of_non_contiguous_is_killed(pytester, monkeypatch):
    """Plants Tensor.to() that copies a non-contiguous tensor's storage in memory order, ignoring its strides (contiguous inputs are right)."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        if self.numel() and not self.is_contiguous():
            flat_strides, step = [], 1
            for size in reversed(self.shape):
                flat_strides.insert(0, step)
                step *= size
            self = self.as_strided(self.shape, flat_strides, self.storage_offset())
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_device_keeps_values_dtype_and_shape"))
    assert_killed(result, "test_to_device_keeps_values_dtype_and_shape", "x.to(device)")


def test_slice_cpu_corrupting_bfloat16_is_killed(pytester, monkeypatch):
    """Plants Tensor.cpu() that round-trips bfloat16 through float16 (overflow, lost subnormals); every other dtype is exact."""
    orig = torch.Tensor.cpu

    def cpu(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return out.to(torch.float16).to(torch.bfloat16) if out.dtype == torch.bfloat16 else out

    monkeypatch.setattr(torch.Tensor, "cpu", cpu)
    result = run(pytester, spec("test_cpu_keeps_bfloat16_values_float16_cannot_hold"))
    assert_killed(result, "test_cpu_keeps_bfloat16_values_float16_cannot_hold", "x.cpu()")


def test_slice_to_losing_non_blocking_data_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(..., non_blocking=True) that returns before the data arrived (zeros); blocking copies are right."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return torch.zeros_like(out) if kwargs.get("non_blocking") else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_device_keeps_every_element_of_a_large_tensor"))
    assert_killed(result, "test_to_device_keeps_every_element_of_a_large_tensor[cpu-int8]", "x.to(device, non_blocking=True)")


def test_slice_to_dropping_channels_last_is_killed(pytester, monkeypatch):
    """Plants Tensor.to() that returns channels_last inputs in contiguous format (values right, strides lost)."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        channels_last = self.dim() == 4 and self.is_contiguous(memory_format=torch.channels_last)
        return out.contiguous() if channels_last else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_device_keeps_values_dtype_and_shape"))
    assert_killed(result, "test_to_device_keeps_values_dtype_and_shape", "x.to(device).stride()=")


def test_slice_to_truncating_large_tensors_is_killed(pytester, monkeypatch):
    """Plants Tensor.to() that copies only the first 125 elements of larger tensors (a dropped tail chunk)."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        if out.numel() <= 125:
            return out
        res = out.clone(memory_format=torch.preserve_format)  # dense: its storage is exactly its elements
        res.as_strided((res.numel(),), (1,), res.storage_offset())[125:].zero_()
        return res

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_device_keeps_every_element_of_a_large_tensor"))
    assert_killed(result, "test_to_device_keeps_every_element_of_a_large_tensor[cpu-bfloat16]", "x.to(device)")


# --------------------------------------------------------------------------- every dtype, every layout (issue #21)


def test_slice_to_of_bool_as_uint8_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device) that returns bool tensors as uint8 (same bytes, another dtype); every other dtype is kept."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return out.view(torch.uint8) if out.dtype == torch.bool and not any(isinstance(a, torch.dtype) for a in args) else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_device_keeps_values_dtype_and_shape"))
    assert_killed(result, "test_to_device_keeps_values_dtype_and_shape[cpu-bool-contiguous]", "dtype=torch.uint8, but should be torch.bool")


def test_slice_to_flattening_0d_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device) that returns a 0-d tensor as shape (1,) (values right); every other shape is kept."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return out.reshape(1) if out.dim() == 0 else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_device_keeps_values_dtype_and_shape"))
    assert_killed(result, "test_to_device_keeps_values_dtype_and_shape[cpu-float16-0-d]", ".shape=(1,), but should be ()")


def test_slice_to_flattening_empty_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device) that returns an empty tensor flattened to shape (0,) (no values to lose); non-empty
    ones are kept."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return out.reshape(0) if out.numel() == 0 else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_device_keeps_values_dtype_and_shape"), args=["-k", "empty"])
    assert_killed(result, "test_to_device_keeps_values_dtype_and_shape", ".shape=(0,), but should be")


def test_slice_to_copy_ignored_for_bfloat16_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(..., copy=True) that returns a bfloat16 tensor itself (no copy); every other dtype is copied."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        if kwargs.get("copy") and self.dtype == torch.bfloat16:
            kwargs.pop("copy")
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_with_copy_true_returns_new_tensor"))
    assert_killed(result, "test_to_with_copy_true_returns_new_tensor[cpu-bfloat16-step_sliced]", "x.to(device, copy=True) is x itself")


def test_slice_to_complex64_of_int16_widening_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device, complex64) that gives an int16 tensor complex128; every other conversion is right."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        args = tuple(torch.complex128 if a is torch.complex64 and self.dtype == torch.int16 else a for a in args)
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_other_dtype_returns_converted_copy"))
    assert_killed(result, "test_to_other_dtype_returns_converted_copy", "dtype=torch.complex128, but should be torch.complex64")


def test_slice_to_float64_of_uint8_as_float32_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device, float64) that gives a uint8 tensor float32; every other conversion is right."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        args = tuple(torch.float32 if a is torch.float64 and self.dtype == torch.uint8 else a for a in args)
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_other_dtype_returns_converted_copy"), args=["-k", "uint8"])
    assert_killed(result, "test_to_other_dtype_returns_converted_copy", "dtype=torch.float32, but should be torch.float64")


def test_slice_to_detaching_complex_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device) that detaches complex tensors (gradients stop there); real ones keep their graph."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return out.detach() if self.is_complex() and self.requires_grad else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_gradient_flows_back_through_to_device"))
    assert_killed(result, "test_gradient_flows_back_through_to_device", "requires_grad=False, but should be True")


def test_slice_cpu_of_expanded_returning_a_copy_is_killed(pytester, monkeypatch):
    """Plants Tensor.cpu() that materializes a stride-0 (expanded) cpu tensor instead of returning it; every other
    layout is returned itself."""
    orig = torch.Tensor.cpu

    def cpu(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return out.contiguous() if 0 in out.stride() and out.numel() > 1 else out

    monkeypatch.setattr(torch.Tensor, "cpu", cpu)
    result = run(pytester, spec("test_cpu_of_cpu_tensor_is_same_object"))
    assert_killed(result, "test_cpu_of_cpu_tensor_is_same_object", "[expanded] y.cpu() is y: False, but should be True")


# --------------------------------------------------------------------------- the blind battery's survivors (issue #21)


def _wrap_to(monkeypatch, post):
    """Plant Tensor.to whose result passes through ``post(self, out, args, kwargs)``."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        return post(self, orig(self, *args, **kwargs), args, kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)


def test_slice_to_copy_dropping_channels_last_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device, copy=True) whose copy of a channels_last tensor is in contiguous format (values right)."""
    def post(self, out, args, kwargs):
        dense_cl = self.dim() == 4 and self.is_contiguous(memory_format=torch.channels_last) and not self.is_contiguous()
        return out.contiguous() if kwargs.get("copy") and dense_cl else out

    _wrap_to(monkeypatch, post)
    result = run(pytester, spec("test_to_with_copy_true_returns_new_tensor"))
    assert_killed(result, "test_to_with_copy_true_returns_new_tensor", "x.to(device, copy=True).stride()=")


def test_slice_to_other_dtype_making_transposed_contiguous_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(dtype) that converts a transposed (column-major) 2-D tensor into row-major memory (values right)."""
    def post(self, out, args, kwargs):
        transposed = self.dim() == 2 and self.stride(0) == 1 and self.stride(1) > 1
        return out.contiguous() if out.dtype != self.dtype and transposed else out

    _wrap_to(monkeypatch, post)
    result = run(pytester, spec("test_to_other_dtype_returns_converted_copy"))
    assert_killed(result, "test_to_other_dtype_returns_converted_copy", ".stride()=")


def test_slice_to_bool_of_complex_reading_the_real_part_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(torch.bool) of a complex tensor that tests only the real part (1j -> False)."""
    _wrap_to(monkeypatch, lambda self, out, a, k: self.real != 0 if out.dtype == torch.bool and self.is_complex() else out)
    name = "test_to_of_complex_converts_both_parts_and_resolves_the_conjugate_bit"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-complex64-plain]", f"{name}[cpu-complex128-conj_bit]")


def test_slice_to_dropping_the_conjugate_bit_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(other complex dtype) that converts a lazily conjugated tensor's memory, not its values
    (the conjugate bit dropped): x.conj().to(torch.complex128) holds x."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return orig(self.conj().resolve_conj(), *args, **kwargs) if self.is_conj() and out is not self else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    name = "test_to_of_complex_converts_both_parts_and_resolves_the_conjugate_bit"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-complex64-conj_bit]", f"{name}[cpu-complex128-conj_bit]")


def test_slice_to_ignoring_a_keyword_dtype_next_to_a_keyword_device_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(device=..., dtype=...) that drops the keyword dtype when a keyword device comes with it."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        if "device" in kwargs and "dtype" in kwargs:
            kwargs.pop("dtype")
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_other_dtype_returns_converted_copy"))
    assert_killed(result, "test_to_other_dtype_returns_converted_copy", "x.to(device=device, dtype=")


def test_slice_to_float32_flushing_subnormals_to_zero_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(torch.float32) of float64 that flushes results below float32's smallest normal to zero (FTZ)."""
    def post(self, out, args, kwargs):
        if self.dtype == torch.float64 and out.dtype == torch.float32:
            return torch.where(out.abs() < torch.finfo(torch.float32).tiny, torch.zeros_like(out), out)
        return out

    _wrap_to(monkeypatch, post)
    name = "test_to_narrower_float_rounds_to_nearest_even_with_subnormals_and_overflow_to_inf"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-contiguous-float64-float32]", f"{name}[cpu-transposed-float64-float32]")


def test_slice_to_float16_rounding_ties_away_from_zero_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(torch.float16) of float32 that rounds ties away from zero instead of to even (1 + 2**-11 -> 1 + 2**-10)."""
    def post(self, out, args, kwargs):
        if self.dtype == torch.float32 and out.dtype == torch.float16:
            up = torch.nextafter(out, out.sign() * torch.tensor(float("inf"), dtype=out.dtype))
            tie = (self.double() - out.double()).abs() == (up.double() - self.double()).abs()
            return torch.where(tie & (up.double() - out.double() != 0), up, out)
        return out

    _wrap_to(monkeypatch, post)
    name = "test_to_narrower_float_rounds_to_nearest_even_with_subnormals_and_overflow_to_inf"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-contiguous-float32-float16]")


def test_slice_to_of_float16_turning_inf_into_nan_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(wider float) of a float16 tensor that turns +-inf into nan (an exponent-all-ones path that
    reads inf as a nan)."""
    def post(self, out, args, kwargs):
        if self.dtype == torch.float16 and out is not self and out.dtype.is_floating_point:
            return torch.where(torch.isinf(out), torch.full_like(out, float("nan")), out)
        return out

    _wrap_to(monkeypatch, post)
    name = "test_to_wider_float_keeps_every_edge_value_exactly"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-float16-float32]", f"{name}[cpu-float16-float64]")


# --------------------------------------------------------------------------- under torch.compile (issue #22)


def _wrap_compile(monkeypatch, post):
    """Plant a torch.compile whose compiled function passes its outputs and inputs through ``post(outputs, inputs)``."""
    orig = torch.compile

    def compile(fn=None, **kwargs):
        compiled = orig(fn, **kwargs)
        return lambda *args, **kw: post(compiled(*args, **kw), args)

    monkeypatch.setattr(torch, "compile", compile)


def test_compiled_to_same_device_copying_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled x.to(x.device) / x.cpu() return a copy where eager returns x itself."""
    _wrap_compile(monkeypatch, lambda outs, ins: [o.clone() if any(o is x for x in ins) else o for o in outs])
    result = run(pytester, spec("test_transfers_under_compile"))
    assert_killed(result, "test_transfers_under_compile", "grad_fn is None=False, but eager gives True")


def test_compiled_transfer_dropping_requires_grad_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled transfers return detached tensors (no gradient flows back)."""
    _wrap_compile(monkeypatch, lambda outs, ins: [o.detach() for o in outs])
    result = run(pytester, spec("test_transfers_under_compile"))
    assert_killed(result, "test_transfers_under_compile", "requires_grad=False, but eager gives True")


def test_slice_compiled_complex128_of_bool_as_complex64_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled x.to(complex128) of a bool tensor is complex64; every other dtype is right."""
    def post(outs, ins):
        bools = [i for i, x in enumerate(ins) if x.dtype == torch.bool]
        return [o.to(torch.complex64) if i // 6 in bools and o.dtype == torch.complex128 else o for i, o in enumerate(outs)]

    _wrap_compile(monkeypatch, post)
    result = run(pytester, spec("test_transfers_under_compile"))
    assert_killed(result, "test_transfers_under_compile", "dtype=torch.complex64, but eager gives torch.complex128")


def test_slice_compiled_transfer_losing_channels_last_is_killed(pytester, monkeypatch):
    """Plants a torch.compile whose compiled transfers return channels_last results in contiguous format (values right)."""
    def post(outs, ins):
        cl = lambda t: t.dim() == 4 and not t.is_contiguous() and t.is_contiguous(memory_format=torch.channels_last)
        return [o.contiguous() if cl(o) and not any(o is x for x in ins) else o for o in outs]

    _wrap_compile(monkeypatch, post)
    result = run(pytester, spec("test_transfers_under_compile"))
    assert_killed(result, "test_transfers_under_compile", "compiled stride()=")


# --- release history (mined from release notes; see docs/release-history.md)

import warnings as _warnings  # noqa: E402

import pytest  # noqa: E402

from specs.helpers import torch_at_least  # noqa: E402


def _is_pinned(mode):
    orig = torch.Tensor.is_pinned

    def is_pinned(self, device=None):
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            answer = orig(self)
        if mode == "warn" and device is not None:
            _warnings.warn("The argument 'device' of Tensor.is_pinned() is deprecated. Please do not pass this argument.", DeprecationWarning)
        return (not answer) if mode == "wrong" else answer

    return is_pinned


@pytest.mark.skipif(not torch_at_least("2.5"), reason="the DeprecationWarning spec is gated to torch>=2.5")
def test_is_pinned_device_argument_accepted_silently_is_killed(pytester, monkeypatch):
    """Plants Tensor.is_pinned that ignores its device argument without warning (the pre-2.5 behaviour)."""
    monkeypatch.setattr(torch.Tensor, "is_pinned", _is_pinned("silent"))
    result = run(pytester, spec("test_is_pinned_with_a_device_argument_warns_deprecation_from_2_5"))
    assert_killed(result, "test_is_pinned_with_a_device_argument_warns_deprecation_from_2_5")


@pytest.mark.skipif(torch_at_least("2.5"), reason="the silent spec is gated to torch<2.5")
def test_is_pinned_device_argument_warning_early_is_killed(pytester, monkeypatch):
    """Plants Tensor.is_pinned that warns about its device argument before 2.5."""
    monkeypatch.setattr(torch.Tensor, "is_pinned", _is_pinned("warn"))
    result = run(pytester, spec("test_is_pinned_with_a_device_argument_is_silent_before_2_5"))
    assert_killed(result, "test_is_pinned_with_a_device_argument_is_silent_before_2_5")


def test_is_pinned_answering_true_is_killed(pytester, monkeypatch):
    """Plants Tensor.is_pinned that answers True for memory that is not pinned."""
    monkeypatch.setattr(torch.Tensor, "is_pinned", _is_pinned("wrong"))
    name = "test_is_pinned_with_a_device_argument_warns_deprecation_from_2_5" if torch_at_least("2.5") else "test_is_pinned_with_a_device_argument_is_silent_before_2_5"
    result = run(pytester, spec(name))
    assert_killed(result, name)


@pytest.mark.skipif(not torch_at_least("2.4"), reason="the FutureWarning spec is gated to torch>=2.4")
def test_slice_cpu_autocast_without_its_deprecation_warning_is_killed(pytester, monkeypatch):
    """Plants torch.cpu.amp.autocast as a silent alias of torch.amp.autocast('cpu'): only that form loses its warning."""
    monkeypatch.setattr(torch.cpu.amp, "autocast", lambda *a, **k: torch.amp.autocast("cpu", *a, **k))
    result = run(pytester, spec("test_device_specific_amp_constructors_warn_future_warning_from_2_4"))
    assert_killed(result, "test_device_specific_amp_constructors_warn_future_warning_from_2_4")


@pytest.mark.skipif(torch_at_least("2.4"), reason="the not-deprecated spec is gated to torch<2.4")
def test_slice_cuda_grad_scaler_deprecated_early_is_killed(pytester, monkeypatch):
    """Plants torch.cuda.amp.GradScaler warning FutureWarning before 2.4: only that form breaks."""
    orig = torch.cuda.amp.GradScaler

    def scaler(*a, **k):
        _warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning)
        return orig(*a, **k)

    monkeypatch.setattr(torch.cuda.amp, "GradScaler", scaler)
    result = run(pytester, spec("test_device_specific_amp_constructors_are_not_deprecated_before_2_4"))
    assert_killed(result, "test_device_specific_amp_constructors_are_not_deprecated_before_2_4")


# --- release history, round 2 (mined from release notes and the tracker)

import types as _types  # noqa: E402


@pytest.mark.skipif(torch_at_least("2.6"), reason="the missing-module spec is gated to torch<2.6")
def test_torch_accelerator_early_is_killed(pytester, monkeypatch):
    """Plants a torch.accelerator module before 2.6."""
    monkeypatch.setattr(torch, "accelerator", _types.SimpleNamespace(is_available=lambda: False), raising=False)
    name = "test_torch_has_no_accelerator_module_before_2_6"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.6"), reason="the torch.accelerator spec is gated to torch>=2.6")
def test_torch_accelerator_contradicting_the_backends_is_killed(pytester, monkeypatch):
    """Plants torch.accelerator.is_available() answering the opposite of the backends."""
    answer = torch.accelerator.is_available()
    monkeypatch.setattr(torch.accelerator, "is_available", lambda: not answer)
    name = "test_torch_accelerator_is_available_exactly_when_an_accelerator_backend_is_from_2_6"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.6") or torch_at_least("2.7"), reason="the 2.6 current_accelerator spec is gated to 2.6")
def test_current_accelerator_taking_check_available_in_2_6_is_killed(pytester, monkeypatch):
    """Plants current_accelerator(check_available=...) in 2.6 (the 2.7 signature)."""
    orig = torch.accelerator.current_accelerator
    monkeypatch.setattr(torch.accelerator, "current_accelerator", lambda check_available=False: orig())
    name = "test_current_accelerator_raises_exactly_when_none_is_available_in_2_6"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.7"), reason="the check_available spec is gated to torch>=2.7")
def test_current_accelerator_checked_answering_cpu_is_killed(pytester, monkeypatch):
    """Plants current_accelerator(check_available=True) answering the cpu device (neither None nor the accelerator)."""
    orig = torch.accelerator.current_accelerator
    monkeypatch.setattr(
        torch.accelerator, "current_accelerator",
        lambda check_available=False: torch.device("cpu") if check_available else orig(),
    )
    name = "test_current_accelerator_with_check_available_is_none_exactly_when_none_is_available_from_2_7"
    assert_killed(run(pytester, spec(name)), name)


def _pin_memory(mode):
    orig = torch.Tensor.pin_memory

    def pin_memory(self, device=None):
        if mode == "warn" and device is not None:  # before the call, which raises where CUDA is missing
            _warnings.warn("The argument 'device' of Tensor.pin_memory() is deprecated. Please do not pass this argument.", DeprecationWarning)
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            return orig(self) if device is None else orig(self, device)

    return pin_memory


@pytest.mark.skipif(not torch_at_least("2.5"), reason="the DeprecationWarning spec is gated to torch>=2.5")
def test_pin_memory_device_argument_accepted_silently_is_killed(pytester, monkeypatch):
    """Plants Tensor.pin_memory that takes its device argument without warning (the pre-2.5 behaviour)."""
    monkeypatch.setattr(torch.Tensor, "pin_memory", _pin_memory("silent"))
    name = "test_pin_memory_with_a_device_argument_warns_deprecation_from_2_5"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(torch_at_least("2.5"), reason="the silent spec is gated to torch<2.5")
def test_pin_memory_device_argument_warning_early_is_killed(pytester, monkeypatch):
    """Plants Tensor.pin_memory that warns about its device argument before 2.5."""
    monkeypatch.setattr(torch.Tensor, "pin_memory", _pin_memory("warn"))
    name = "test_pin_memory_with_a_device_argument_does_not_warn_before_2_5"
    assert_killed(run(pytester, spec(name)), name)


# --- release history, round 3 (the tracker)

from specs.test_device_transfer import CUDA_BUILD_WITHOUT_CUDA  # noqa: E402


@pytest.mark.skipif(not torch_at_least("2.6") or (torch_at_least("2.7") and not torch_at_least("2.8")),
                    reason="the device_count spec is gated to torch>=2.6 and a known bug on 2.7")
@pytest.mark.skipif(not CUDA_BUILD_WITHOUT_CUDA, reason="the planted spec runs on a CUDA build without usable CUDA only")
def test_accelerator_device_count_of_1_without_a_device_is_killed(pytester, monkeypatch):
    """Plants torch.accelerator.device_count() counting one device where none is usable."""
    monkeypatch.setattr(torch.accelerator, "device_count", lambda: 1)
    name = "test_accelerator_device_count_is_0_on_a_cuda_build_where_cuda_is_not_usable_from_2_6"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name)


@pytest.mark.skipif(not torch_at_least("2.6"), reason="the device_count spec is gated to torch>=2.6")
@needs_cuda
def test_accelerator_device_count_off_by_one_is_killed(pytester, monkeypatch):
    """Plants torch.accelerator.device_count() counting one device too many."""
    orig = torch.accelerator.device_count
    monkeypatch.setattr(torch.accelerator, "device_count", lambda: orig() + 1)
    name = "test_accelerator_device_count_is_the_available_backends_count_from_2_6"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name)


# --------------------------------------------------------------------------- nn.Module.to

MODULE_TO = "test_module_to_casts_floating_state_in_place_and_keeps_integer_buffers"


def test_module_to_casting_integer_buffers_too_is_killed(pytester, monkeypatch):
    """Plants Module.to(dtype) that casts every buffer, num_batches_tracked too (what Module.type does)."""
    orig = torch.nn.Module.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        dtype = next(p.dtype for p in self.parameters())
        for m in self.modules():
            for k, b in m._buffers.items():
                if b is not None and not b.is_floating_point():
                    m._buffers[k] = b.to(dtype)
        return out

    monkeypatch.setattr(torch.nn.Module, "to", to)
    result = run(pytester, spec(MODULE_TO))
    assert_killed(result, f"{MODULE_TO}[cpu-0-m.to(dtype)-float64]", "num_batches_tracked.dtype=torch.float64")


def test_module_to_overwriting_parameters_is_killed(pytester):
    """Plants torch's own switch that makes Module.to replace parameters by new objects (an optimizer built
    before the cast would update parameters the module no longer holds)."""
    torch.__future__.set_overwrite_module_params_on_conversion(True)
    try:
        result = run(pytester, spec(MODULE_TO))
    finally:
        torch.__future__.set_overwrite_module_params_on_conversion(False)
    assert_killed(result, f"{MODULE_TO}[cpu-0-m.to(dtype)-float64]", "but should cast it in place")


def test_slice_module_half_leaving_grads_float32_is_killed(pytester, monkeypatch):
    """Plants Module.half() that casts parameters but leaves their .grad in float32."""
    orig = torch.nn.Module.half

    # a buggy _apply that skips grads: the grads keep float32 (set back through .data, as
    # .grad itself refuses a dtype unlike its parameter's)
    def half_skipping_grads(self):
        grads = [p.grad.detach().clone() for p in self.parameters()]
        out = orig(self)
        for p, g in zip(self.parameters(), grads):
            p.grad.data = g
        return out

    monkeypatch.setattr(torch.nn.Module, "half", half_skipping_grads)
    result = run(pytester, spec(MODULE_TO))
    assert_killed(result, f"{MODULE_TO}[cpu-0-m.half()]", ".grad.dtype=torch.float32")


def test_slice_module_to_tensor_ignoring_its_dtype_is_killed(pytester, monkeypatch):
    """Plants Module.to(tensor) that takes only the tensor's device, not its dtype."""
    orig = torch.nn.Module.to

    def to(self, *args, **kwargs):
        if len(args) == 1 and isinstance(args[0], torch.Tensor):
            args = (args[0].device,)
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "to", to)
    result = run(pytester, spec(MODULE_TO))
    assert_killed(result, f"{MODULE_TO}[cpu-0-m.to(tensor)-float16]")


def test_module_type_keeping_integer_buffers_is_killed(pytester, monkeypatch):
    """Plants Module.type(dtype) that acts as Module.to(dtype): integer buffers keep their dtype."""
    monkeypatch.setattr(torch.nn.Module, "type", lambda self, dst_type: self.to(dst_type))
    name = "test_module_type_casts_every_parameter_and_buffer_integer_ones_too"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-float64]", "num_batches_tracked.dtype=torch.int64")


def test_module_to_an_integer_dtype_casting_silently_is_killed(pytester, monkeypatch):
    """Plants Module.to that accepts an integer dtype and silently ignores it (the module stays float32)."""
    orig = torch.nn.Module.to

    def to(self, *args, **kwargs):
        dtype = next((a for a in args if isinstance(a, torch.dtype)), None)
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            return self
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "to", to)
    name = "test_module_to_an_integer_or_bool_dtype_raises_type_error"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-int32]", "raised no TypeError")


def test_module_to_complex_without_its_warning_is_killed(pytester, monkeypatch):
    """Plants Module.to that no longer warns when casting to a complex dtype."""
    import warnings

    orig = torch.nn.Module.to

    def to(self, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "to", to)
    name = "test_module_to_a_complex_dtype_warns_and_casts_floating_state_only"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-complex64]", "complex modules are a new feature")
