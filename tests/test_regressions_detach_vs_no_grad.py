"""Planted regressions for specs/test_detach_vs_no_grad.py: each breaks one or more claims and must be killed."""

from __future__ import annotations

import contextlib

import torch

from tests.plant import assert_killed, assert_passed, needs_cuda, run

MOD = "test_detach_vs_no_grad.py"


def specs(*names):
    return [f"{MOD}::{n}" for n in names]


class inert(contextlib.ContextDecorator):
    """A grad-mode manager that does nothing (usable with or without parentheses)."""

    def __new__(cls, func=None):
        self = super().__new__(cls)
        return self(func) if callable(func) else self

    def __init__(self, *args):
        pass

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the module's specs pass."""
    assert_passed(run(pytester, MOD))


def test_detach_that_copies_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach returning a copy instead of a view of the same storage."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: orig(self).clone())
    result = run(pytester, *specs("test_detach_shares_storage_and_has_no_history"))
    assert_killed(result, "test_detach_shares_storage_and_has_no_history")


def test_detach_that_keeps_history_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach returning a recorded alias (view_as) that still carries gradient."""
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: self.view_as(self))
    result = run(
        pytester,
        *specs("test_detach_cuts_gradient_through_that_tensor_only", "test_detach_shares_storage_and_has_no_history"),
    )
    assert_killed(result, "test_detach_cuts_gradient_through_that_tensor_only", "test_detach_shares_storage_and_has_no_history")


def test_no_grad_that_does_nothing_is_killed(pytester, monkeypatch):
    """Plants torch.no_grad as a context manager/decorator that leaves grad mode on."""
    monkeypatch.setattr(torch, "no_grad", inert)
    result = run(
        pytester,
        *specs(
            "test_no_grad_outputs_do_not_require_grad_but_leaves_keep_theirs",
            "test_views_made_in_no_grad_still_report_requires_grad",
            "test_no_grad_works_as_a_decorator",
            "test_no_grad_allows_in_place_updates_of_leaves_that_require_grad",
            "test_grad_mode_table",
            "test_no_grad_and_inference_mode_save_no_tensors_for_backward",
            "test_no_grad_results_cannot_be_backwarded_but_grad_mode_results_can",
        ),
    )
    assert_killed(
        result,
        "test_no_grad_and_inference_mode_save_no_tensors_for_backward",
        "test_no_grad_results_cannot_be_backwarded_but_grad_mode_results_can",
        "test_no_grad_outputs_do_not_require_grad_but_leaves_keep_theirs",
        "test_views_made_in_no_grad_still_report_requires_grad",
        "test_no_grad_works_as_a_decorator",
        "test_no_grad_allows_in_place_updates_of_leaves_that_require_grad",
        "test_grad_mode_table",
        "no-grad mode, 'excludes operations from backward graph'",
    )


def test_no_grad_not_restoring_on_exception_is_killed(pytester, monkeypatch):
    """Plants torch.no_grad whose __exit__ restores grad mode only on a normal exit."""
    orig = torch.no_grad

    class no_grad(orig):
        def __exit__(self, exc_type, exc, tb):
            if exc_type is None:
                super().__exit__(exc_type, exc, tb)

    monkeypatch.setattr(torch, "no_grad", no_grad)
    result = run(pytester, *specs("test_no_grad_restores_the_previous_mode_also_on_exception"))
    assert_killed(result, "test_no_grad_restores_the_previous_mode_also_on_exception")


def test_no_grad_restoring_to_enabled_is_killed(pytester, monkeypatch):
    """Plants torch.no_grad whose __exit__ always re-enables grad instead of restoring the previous mode."""
    orig = torch.no_grad

    class no_grad(orig):
        def __exit__(self, *exc):
            torch._C._set_grad_enabled(True)

    monkeypatch.setattr(torch, "no_grad", no_grad)
    result = run(pytester, *specs("test_no_grad_restores_the_previous_mode_also_on_exception"))
    assert_killed(result, "test_no_grad_restores_the_previous_mode_also_on_exception")


def test_decorators_requiring_parentheses_are_killed(pytester, monkeypatch):
    """Plants the torch 2.0 behaviour: torch.no_grad(func) raises TypeError (no bare decorator)."""
    orig = torch.no_grad

    class no_grad(orig):
        def __new__(cls, *args):
            if args:
                raise TypeError("no_grad.__init__() takes 1 positional argument but 2 were given")
            return object.__new__(cls)

    monkeypatch.setattr(torch, "no_grad", no_grad)
    result = run(pytester, *specs("test_grad_mode_decorators_work_without_parentheses"))
    assert_killed(result, "test_grad_mode_decorators_work_without_parentheses")


def test_factories_honouring_no_grad_are_killed(pytester, monkeypatch):
    """Plants torch.zeros/torch.ones dropping requires_grad=True while grad mode is off."""
    for name in ("zeros", "ones"):
        orig = getattr(torch, name)

        def factory(*args, requires_grad=False, _orig=orig, **kwargs):
            return _orig(*args, requires_grad=requires_grad and torch.is_grad_enabled(), **kwargs)

        monkeypatch.setattr(torch, name, factory)
    result = run(pytester, *specs("test_factories_asked_for_requires_grad_still_require_grad_inside_no_grad"))
    assert_killed(result, "test_factories_asked_for_requires_grad_still_require_grad_inside_no_grad")


def test_enable_grad_that_does_nothing_is_killed(pytester, monkeypatch):
    """Plants torch.enable_grad as a context manager that leaves no_grad in force."""
    monkeypatch.setattr(torch, "enable_grad", inert)
    result = run(pytester, *specs("test_enable_grad_inside_no_grad_records_again"))
    assert_killed(result, "test_enable_grad_inside_no_grad_records_again")


def test_set_grad_enabled_ignoring_its_flag_is_killed(pytester, monkeypatch):
    """Plants torch.set_grad_enabled that ignores its mode argument and enables grad."""
    orig = torch.set_grad_enabled

    class set_grad_enabled(orig):
        def __init__(self, mode):
            super().__init__(True)

    monkeypatch.setattr(torch, "set_grad_enabled", set_grad_enabled)
    result = run(pytester, *specs("test_set_grad_enabled_works_as_context_manager_and_as_a_call"))
    assert_killed(result, "test_set_grad_enabled_works_as_context_manager_and_as_a_call")


def test_process_global_no_grad_is_killed(pytester, monkeypatch):
    """Plants a process-global no_grad: while any thread is inside it, Tensor.__mul__ records in no thread."""
    inside = {"count": 0}
    orig_no_grad, orig_mul = torch.no_grad, torch.Tensor.__mul__

    class no_grad(orig_no_grad):
        def __enter__(self):
            inside["count"] += 1
            return super().__enter__()

        def __exit__(self, *exc):
            inside["count"] -= 1
            return super().__exit__(*exc)

    def mul(self, other):
        out = orig_mul(self, other)
        return out.detach() if inside["count"] else out

    monkeypatch.setattr(torch, "no_grad", no_grad)
    monkeypatch.setattr(torch.Tensor, "__mul__", mul)
    result = run(pytester, *specs("test_grad_mode_is_thread_local"))
    assert_killed(result, "test_grad_mode_is_thread_local")


def test_default_mode_not_recording_is_killed(pytester, monkeypatch):
    """Plants torch.add returning an unrecorded output in default (grad) mode."""
    orig = torch.add
    monkeypatch.setattr(torch, "add", lambda *a, **k: orig(*a, **k).detach())
    result = run(pytester, *specs("test_grad_mode_table"))
    assert_killed(result, "test_grad_mode_table", "default mode, 'excludes operations from backward graph'")


def test_inference_mode_that_is_only_no_grad_is_killed(pytester, monkeypatch):
    """Plants torch.inference_mode as plain no_grad (no inference tensors, version counters kept)."""
    orig = torch.no_grad
    monkeypatch.setattr(torch, "inference_mode", lambda mode=True: orig())
    result = run(
        pytester,
        *specs("test_grad_mode_table", "test_inference_mode_makes_inference_tensors_that_cannot_be_saved_for_backward"),
    )
    assert_killed(
        result,
        "test_grad_mode_table",
        "inference mode, 'skips tracking overhead'",
        "test_inference_mode_makes_inference_tensors_that_cannot_be_saved_for_backward",
    )


def test_views_in_no_grad_reporting_false_are_killed(pytester, monkeypatch):
    """Plants Tensor.__getitem__ returning a detached view (requires_grad=False) under no_grad."""
    orig = torch.Tensor.__getitem__
    monkeypatch.setattr(
        torch.Tensor, "__getitem__", lambda self, idx: orig(self, idx) if torch.is_grad_enabled() else orig(self, idx).detach()
    )
    result = run(pytester, *specs("test_views_made_in_no_grad_still_report_requires_grad"))
    assert_killed(result, "test_views_made_in_no_grad_still_report_requires_grad")


def test_inference_tensor_that_accepts_in_place_updates_is_killed(pytester, monkeypatch):
    """Plants Tensor.add_ that lets an inference tensor be updated in place outside inference_mode."""
    orig = torch.Tensor.add_

    def add_(self, *args, **kwargs):
        if self.is_inference() and not torch.is_inference_mode_enabled():
            with torch.inference_mode():
                return orig(self, *args, **kwargs)
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "add_", add_)
    assert_killed(
        run(pytester, *specs("test_inference_mode_makes_inference_tensors_that_cannot_be_saved_for_backward")),
        "test_inference_mode_makes_inference_tensors_that_cannot_be_saved_for_backward",
        "t.add_(1) raised no RuntimeError",
    )


# --------------------------------------------------------------------------- section 4: backward, memory


def test_backward_without_history_that_does_nothing_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward returning silently for a result that has no history (instead of raising)."""
    orig = torch.Tensor.backward

    def backward(self, *args, **kwargs):
        if self.grad_fn is None and not self.requires_grad:
            return None
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, *specs("test_no_grad_results_cannot_be_backwarded_but_grad_mode_results_can"))
    assert_killed(
        result, "test_no_grad_results_cannot_be_backwarded_but_grad_mode_results_can", "loss from no_grad .backward() raised no"
    )


def test_backward_with_a_wrong_gradient_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward that accumulates half the gradient (a wrong chain rule)."""
    orig = torch.Tensor.backward

    def backward(self, gradient=None, *args, **kwargs):
        if gradient is None and self.dim() == 0:
            gradient = torch.full_like(self, 0.5)
        return orig(self, gradient, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, *specs("test_no_grad_results_cannot_be_backwarded_but_grad_mode_results_can"))
    assert_killed(result, "test_no_grad_results_cannot_be_backwarded_but_grad_mode_results_can", "x.grad of scale * sum(x * x)")


def test_no_grad_that_records_is_killed_by_the_saved_tensor_count(pytester, monkeypatch):
    """Plants torch.no_grad as a no-op: the forward inside it saves tensors for backward."""
    monkeypatch.setattr(torch, "no_grad", inert)
    result = run(pytester, *specs("test_no_grad_and_inference_mode_save_no_tensors_for_backward"))
    assert_killed(result, "test_no_grad_and_inference_mode_save_no_tensors_for_backward", "under no_grad saved")


@needs_cuda
def test_no_grad_that_records_is_killed_by_the_cuda_peak(pytester, monkeypatch):
    """Plants torch.no_grad as a no-op: the forward inside it keeps every intermediate alive on CUDA."""
    monkeypatch.setattr(torch, "no_grad", inert)
    result = run(pytester, *specs("test_no_grad_forward_peaks_lower_in_cuda_memory"), devices="cuda")
    assert_killed(result, "test_no_grad_forward_peaks_lower_in_cuda_memory", "no_grad should peak lower")


# --------------------------------------------------------------------------- slice regressions (one slice only)


def test_slice_no_grad_saving_for_pow_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.pow that, under no_grad, records (and saves its input) and detaches the result: outputs look right, memory is kept."""
    orig = torch.Tensor.pow

    def pow_(self, *args, **kwargs):
        if not torch.is_grad_enabled() and not torch.is_inference_mode_enabled():
            with torch.enable_grad():
                return orig(self, *args, **kwargs).detach()
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "pow", pow_)
    result = run(pytester, *specs("test_no_grad_and_inference_mode_save_no_tensors_for_backward"))
    assert_killed(result, "test_no_grad_and_inference_mode_save_no_tensors_for_backward", "x.pow(2) under no_grad saved")


def test_slice_inference_mode_recording_for_sin_only_is_killed(pytester, monkeypatch):
    """Plants torch.sin that, under inference_mode, leaves the mode and records (saving its input)."""
    orig = torch.sin

    def sin(x, *args, **kwargs):
        if torch.is_inference_mode_enabled():
            with torch.inference_mode(False), torch.enable_grad():
                return orig(x, *args, **kwargs)
        return orig(x, *args, **kwargs)

    monkeypatch.setattr(torch, "sin", sin)
    result = run(pytester, *specs("test_no_grad_and_inference_mode_save_no_tensors_for_backward"))
    assert_killed(result, "test_no_grad_and_inference_mode_save_no_tensors_for_backward", "torch.sin(x) under inference_mode saved")


def test_slice_detach_keeping_requires_grad_for_float64_only_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach that keeps requires_grad=True for float64 tensors only."""
    orig = torch.Tensor.detach

    def detach(self):
        out = orig(self)
        return out.requires_grad_(self.requires_grad) if self.dtype == torch.float64 else out

    monkeypatch.setattr(torch.Tensor, "detach", detach)
    result = run(pytester, *specs("test_detach_shares_storage_and_has_no_history"))
    assert_killed(result, "test_detach_shares_storage_and_has_no_history", "y.detach().requires_grad=True, but should be False")


def test_slice_enable_grad_leaking_out_of_a_nested_block_is_killed(pytester, monkeypatch):
    """Plants torch.enable_grad whose exit re-enables grad (instead of restoring): wrong only when nested in no_grad."""
    orig = torch.enable_grad

    class enable_grad(orig):
        def __exit__(self, *exc):
            torch._C._set_grad_enabled(True)

    monkeypatch.setattr(torch, "enable_grad", enable_grad)
    result = run(pytester, *specs("test_enable_grad_inside_no_grad_records_again"))
    assert_killed(result, "test_enable_grad_inside_no_grad_records_again", "after enable_grad inside no_grad")


def test_slice_no_grad_recording_exp_of_3d_inputs_only_is_killed(pytester, monkeypatch):
    """Plants torch.exp that records under no_grad for inputs of 3 or more dimensions only."""
    orig = torch.exp

    def exp(x, *args, **kwargs):
        if not torch.is_grad_enabled() and x.dim() >= 3:
            with torch.enable_grad():
                return orig(x, *args, **kwargs)
        return orig(x, *args, **kwargs)

    monkeypatch.setattr(torch, "exp", exp)
    result = run(pytester, *specs("test_no_grad_outputs_do_not_require_grad_but_leaves_keep_theirs"))
    assert_killed(result, "test_no_grad_outputs_do_not_require_grad_but_leaves_keep_theirs", "torch.exp.requires_grad=True")
