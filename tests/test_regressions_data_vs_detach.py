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
