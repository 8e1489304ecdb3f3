"""Planted regressions for specs/test_data_vs_detach.py: each breaks one or more claims and must be killed."""

from __future__ import annotations

import torch

from tests.plant import assert_killed, assert_passed, run

MOD = "test_data_vs_detach.py"
DATA = torch._C.TensorBase.data  # the getset descriptor behind Tensor.data


def specs(*names):
    return [f"{MOD}::{n}" for n in names]


def data_property(getter):
    """A Tensor.data property with a planted getter and the real setter."""
    return property(getter, lambda self, value: DATA.__set__(self, value))


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the module's specs pass."""
    assert_passed(run(pytester, MOD))


def test_data_that_copies_is_killed(pytester, monkeypatch):
    """Plants Tensor.data returning a copy of the values instead of an alias of the storage."""
    monkeypatch.setattr(torch.Tensor, "data", data_property(lambda self: DATA.__get__(self).clone()))
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history")


def test_data_made_safe_like_detach_is_killed(pytester, monkeypatch):
    """Plants Tensor.data behaving like detach(): it shares the version counter, so writes are detected."""
    monkeypatch.setattr(torch.Tensor, "data", data_property(lambda self: self.detach()))
    result = run(
        pytester,
        *specs(
            "test_note_example_data_gives_a_silently_wrong_gradient",
            "test_inplace_write_through_data_into_a_saved_tensor_is_never_detected",
            "test_inplace_through_detach_bumps_the_version_and_through_data_does_not",
        ),
    )
    assert_killed(
        result,
        "test_note_example_data_gives_a_silently_wrong_gradient",
        "test_inplace_write_through_data_into_a_saved_tensor_is_never_detected",
        "test_inplace_through_detach_bumps_the_version_and_through_data_does_not",
    )


def test_detach_with_its_own_version_counter_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach behaving like .data: a fresh version counter, so writes through it go unnoticed."""
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: DATA.__get__(self))
    result = run(
        pytester,
        *specs(
            "test_note_example_detach_raises_at_backward",
            "test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected",
            "test_inplace_through_detach_bumps_the_version_and_through_data_does_not",
        ),
    )
    assert_killed(
        result,
        "test_note_example_detach_raises_at_backward",
        "test_inplace_write_through_detach_into_a_saved_tensor_is_always_detected",
        "test_inplace_through_detach_bumps_the_version_and_through_data_does_not",
    )


def test_detach_that_copies_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach returning a copy: shares no storage (and the write never reaches the saved tensor)."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: orig(self).clone())
    result = run(
        pytester,
        *specs("test_data_and_detach_share_storage_and_have_no_history", "test_note_example_detach_raises_at_backward"),
    )
    assert_killed(
        result,
        "test_data_and_detach_share_storage_and_have_no_history",
        "test_note_example_detach_raises_at_backward",
    )


def _contiguous_strides(shape):
    strides, step = [], 1
    for size in reversed(shape):
        strides.insert(0, step)
        step *= max(size, 1)
    return tuple(strides)


def test_data_returning_a_scrambled_view_is_killed(pytester, monkeypatch):
    """Plants Tensor.data returning a view of the same storage, same shape, but with contiguous strides (x's element order scrambled)."""

    def scrambled(self):
        v = DATA.__get__(self)
        return v.as_strided(v.shape, _contiguous_strides(v.shape), v.storage_offset())

    monkeypatch.setattr(torch.Tensor, "data", data_property(scrambled))
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history", "(shape, stride, offset)=")


# --------------------------------------------------------------------------- slice regressions (one slice only)


def test_slice_data_copying_non_contiguous_tensors_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.data that copies (instead of aliasing) only when x is not contiguous."""

    def data(self):
        v = DATA.__get__(self)
        return v if v.is_contiguous() else v.clone()

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history")


def test_slice_detach_keeping_requires_grad_for_complex_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach that keeps requires_grad=True for complex tensors only."""
    orig = torch.Tensor.detach

    def detach(self):
        out = orig(self)
        return out.requires_grad_(self.requires_grad) if self.is_complex() else out

    monkeypatch.setattr(torch.Tensor, "detach", detach)
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history", ".detach(): requires_grad=True")


def test_slice_data_dropping_the_storage_offset_is_killed(pytester, monkeypatch):
    """Plants Tensor.data that drops x's storage offset (wrong only for views that start past element 0)."""

    def data(self):
        v = DATA.__get__(self)
        return v.as_strided(v.shape, v.stride(), 0)

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history")


def test_slice_data_of_a_0d_tensor_returning_1d_is_killed(pytester, monkeypatch):
    """Plants Tensor.data that returns a 1-element 1-d view for 0-d tensors only."""

    def data(self):
        v = DATA.__get__(self)
        return v.reshape(1) if v.dim() == 0 else v

    monkeypatch.setattr(torch.Tensor, "data", data_property(data))
    result = run(pytester, *specs("test_data_and_detach_share_storage_and_have_no_history"))
    assert_killed(result, "test_data_and_detach_share_storage_and_have_no_history", "(shape, stride, offset)=((1,)")
