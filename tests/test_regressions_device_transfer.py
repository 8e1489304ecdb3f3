"""Planted regressions for specs/test_device_transfer.py: each breaks one claim and must be killed."""

from __future__ import annotations

import torch

from tests.plant import assert_killed, assert_passed, needs_cuda, run

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
    result = run(pytester, spec("test_to_device_keeps_values_dtype_and_shape"))
    assert_killed(result, "test_to_device_keeps_values_dtype_and_shape", "x.to(device).dtype=torch.float32, but should be torch.float64")


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
    result = run(pytester, spec("test_ndarray_to_device_and_back_is_identity"))
    assert_killed(result, "test_ndarray_to_device_and_back_is_identity", "back.tobytes()=")


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
    result = run(pytester, spec("test_cpu_of_tensor_on_device_equals_it"))
    assert_killed(result, "test_cpu_of_tensor_on_device_equals_it", "y.cpu()")


def test_slice_to_losing_non_blocking_data_is_killed(pytester, monkeypatch):
    """Plants Tensor.to(..., non_blocking=True) that returns before the data arrived (zeros); blocking copies are right."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return torch.zeros_like(out) if kwargs.get("non_blocking") else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, spec("test_to_device_keeps_values_dtype_and_shape"))
    assert_killed(result, "test_to_device_keeps_values_dtype_and_shape", "x.to(device).cpu()")


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
    result = run(pytester, spec("test_to_device_keeps_values_dtype_and_shape"))
    assert_killed(result, "test_to_device_keeps_values_dtype_and_shape", "x.to(device).cpu()")
