"""Planted regressions for specs/test_detach_vs_no_grad.py: each breaks one or more claims and must be killed."""

from __future__ import annotations

import contextlib

import pytest
import torch

from specs.helpers import torch_at_least
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
    """Control: without a planted regression the module's specs pass (the known compile bugs xfail)."""
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
    assert_killed(result, "test_detach_shares_storage_and_has_no_history[cpu-contiguous]",
                  "float64 contiguous leaf.detach().requires_grad=True, but should be False")


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


# --------------------------------------------------------------------------- detach / detach_ over dtypes and layouts


def test_slice_detach_dropping_the_conj_bit_is_killed(pytester, monkeypatch):
    """Slice: Tensor.detach resolves a conj bit into new memory (right values, but a copy without the bit): conj_bit cases only."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: orig(self).resolve_conj() if self.is_conj() else orig(self))
    result = run(pytester, *specs("test_detach_shares_storage_and_has_no_history"))
    assert_killed(result, "test_detach_shares_storage_and_has_no_history[cpu-conj_bit]", "complex64 conj_bit leaf.detach()")
    assert "contiguous]" not in "".join(r.nodeid for r in result.reprec.getfailures()), "a non-conj case failed too"


def test_slice_detach_copying_stride_0_tensors_is_killed(pytester, monkeypatch):
    """Slice: Tensor.detach of an expanded tensor (a stride of 0) returns a compact copy: expanded cases only."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: orig(self).clone() if 0 in self.stride() else orig(self))
    result = run(pytester, *specs("test_detach_shares_storage_and_has_no_history"))
    assert_killed(result, "test_detach_shares_storage_and_has_no_history[cpu-expanded]", "float16 expanded leaf.detach()")


def test_slice_detach_keeping_history_for_bfloat16_only_is_killed(pytester, monkeypatch):
    """Slice: Tensor.detach of a bfloat16 tensor returns a recorded alias (view_as) that still requires grad."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: self.view_as(self) if self.dtype == torch.bfloat16 else orig(self))
    result = run(pytester, *specs("test_detach_shares_storage_and_has_no_history"))
    assert_killed(result, "test_detach_shares_storage_and_has_no_history[cpu-contiguous]",
                  "bfloat16 contiguous leaf.detach().requires_grad=True, but should be False")


def test_detach_in_place_returning_a_new_tensor_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach_ that returns a detached alias instead of detaching the tensor itself."""
    orig = torch.Tensor.detach
    monkeypatch.setattr(torch.Tensor, "detach_", lambda self: orig(self))
    result = run(pytester, *specs("test_detach_in_place_detaches_the_tensor_itself"))
    assert_killed(result, "test_detach_in_place_detaches_the_tensor_itself", "should return the tensor itself")


def test_slice_detach_in_place_ignoring_leaves_is_killed(pytester, monkeypatch):
    """Slice: Tensor.detach_ does nothing to a leaf that requires grad (recorded results are detached): leaf cases only."""
    orig = torch.Tensor.detach_
    monkeypatch.setattr(torch.Tensor, "detach_", lambda self: self if self.is_leaf and self.requires_grad else orig(self))
    result = run(pytester, *specs("test_detach_in_place_detaches_the_tensor_itself"))
    assert_killed(result, "test_detach_in_place_detaches_the_tensor_itself[cpu-float32-leaf]",
                  "test_detach_in_place_detaches_the_tensor_itself[cpu-complex64-leaf]")


def test_detach_in_place_accepting_views_is_killed(pytester, monkeypatch):
    """Plants Tensor.detach_ that silently returns a view unchanged instead of refusing it."""
    orig = torch.Tensor.detach_
    monkeypatch.setattr(torch.Tensor, "detach_", lambda self: self if self._is_view() else orig(self))
    result = run(pytester, *specs("test_detach_in_place_refuses_views"))
    assert_killed(result, "test_detach_in_place_refuses_views", "raised no RuntimeError")


def test_slice_detach_in_place_accepting_expanded_views_is_killed(pytester, monkeypatch):
    """Slice: Tensor.detach_ returns an expanded view (a stride of 0) unchanged; other views are refused."""
    orig = torch.Tensor.detach_
    monkeypatch.setattr(torch.Tensor, "detach_", lambda self: self if 0 in self.stride() else orig(self))
    result = run(pytester, *specs("test_detach_in_place_refuses_views"))
    assert_killed(result, "test_detach_in_place_refuses_views[cpu-y.expand]", "float16 y.expand.detach_() raised no RuntimeError")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert failed == {"cpu-y.expand]"}, f"other cases failed too: {failed}"


# found by the battery (issue 21): a calling form and ops the specs did not reach


def test_slice_torch_detach_function_copying_is_killed(pytester, monkeypatch):
    """Slice: the torch.detach function (not the method) returns a detached copy instead of a view."""
    orig = torch.detach
    monkeypatch.setattr(torch, "detach", lambda t: orig(t).clone())
    spec = "test_detach_shares_storage_and_has_no_history"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-contiguous]")), f"{spec}[cpu-contiguous]", "contiguous torch.detach(alias)")


def test_slice_no_grad_recording_scalar_add_for_float16_is_killed(pytester, monkeypatch):
    """Slice: x + 1 still records under no_grad for float16 inputs (a half fast path that re-enables grad)."""
    orig = torch.Tensor.__add__

    def add(self, other):
        if self.dtype == torch.float16 and not torch.is_grad_enabled() and not torch.is_inference_mode_enabled():
            with torch.enable_grad():
                return orig(self, other)
        return orig(self, other)

    monkeypatch.setattr(torch.Tensor, "__add__", add)
    spec = "test_no_grad_outputs_do_not_require_grad_but_leaves_keep_theirs"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-float16]")), f"{spec}[cpu-float16]", "x + 1.requires_grad=True")


def test_slice_no_grad_saving_tensors_for_exp_is_killed(pytester, monkeypatch):
    """Slice: torch.exp under no_grad still packs its result for backward (then drops the graph): memory no_grad should save."""
    orig = torch.exp

    def exp(x, *args, **kwargs):
        if not torch.is_grad_enabled() and not torch.is_inference_mode_enabled() and x.requires_grad:
            with torch.enable_grad():
                return orig(x, *args, **kwargs).detach()
        return orig(x, *args, **kwargs)

    monkeypatch.setattr(torch, "exp", exp)
    spec = "test_no_grad_and_inference_mode_save_no_tensors_for_backward"
    assert_killed(run(pytester, *specs(f"{spec}[cpu-float32-torch.exp(x)]")), f"{spec}[cpu-float32-torch.exp(x)]")


# --------------------------------------------------------------------------- every grad mode in every form

FORMS = "test_a_grad_mode_decides_recording_in_every_form"
NESTED = "test_nested_grad_modes_innermost_decides_and_leaving_it_restores_the_outer"
GENERATOR = "test_a_grad_mode_decorating_a_generator_holds_in_its_steps_and_not_between_them"


def test_slice_bare_no_grad_decorator_not_decorating_is_killed(pytester, monkeypatch):
    """Slice: @torch.no_grad without parentheses returns the function undecorated (with parentheses it works)."""
    orig = torch.no_grad

    class no_grad(orig):
        def __new__(cls, orig_func=None):
            return orig_func if orig_func is not None else object.__new__(cls)

    monkeypatch.setattr(torch, "no_grad", no_grad)
    result = run(pytester, *specs(FORMS, GENERATOR))
    assert_killed(result, f"{FORMS}[cpu-no_grad-bare_decorator]", f"{GENERATOR}[cpu-no_grad-bare_decorator]")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert failed == {"cpu-no_grad-bare_decorator]"}, f"other cases failed too: {failed}"


def test_slice_no_grad_not_decorating_generators_is_killed(pytester, monkeypatch):
    """Slice: @torch.no_grad() returns a generator function undecorated (plain functions are decorated)."""
    import inspect

    orig = torch.no_grad

    class no_grad(orig):
        def __call__(self, func):
            return func if inspect.isgeneratorfunction(func) else super().__call__(func)

    monkeypatch.setattr(torch, "no_grad", no_grad)
    result = run(pytester, *specs(FORMS, GENERATOR))
    assert_killed(result, f"{FORMS}[cpu-no_grad-generator]", f"{GENERATOR}[cpu-no_grad-decorator]", f"{GENERATOR}[cpu-no_grad-bare_decorator]")


def test_slice_generator_mode_leaking_between_steps_is_killed(pytester, monkeypatch):
    """Slice: @torch.enable_grad() on a generator enters the mode at the first step and leaves it only when the generator ends."""
    import functools
    import inspect

    orig = torch.enable_grad

    class enable_grad(orig):
        def __call__(self, func):
            if not inspect.isgeneratorfunction(func):
                return super().__call__(func)

            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                ctx = orig()
                ctx.__enter__()
                try:
                    yield from func(*args, **kwargs)
                finally:
                    ctx.__exit__(None, None, None)

            return wrapper

    monkeypatch.setattr(torch, "enable_grad", enable_grad)
    result = run(pytester, *specs(GENERATOR))
    assert_killed(result, f"{GENERATOR}[cpu-enable_grad-decorator]", "between the steps")


def test_slice_set_grad_enabled_exit_not_restoring_on_exception_is_killed(pytester, monkeypatch):
    """Slice: torch.set_grad_enabled whose block restores the previous mode only on a normal exit."""
    orig = torch.set_grad_enabled

    class set_grad_enabled(orig):
        def __exit__(self, exc_type, *rest):
            if exc_type is None:
                return super().__exit__(exc_type, *rest)

    monkeypatch.setattr(torch, "set_grad_enabled", set_grad_enabled)
    result = run(pytester, *specs(FORMS))
    assert_killed(result, f"{FORMS}[cpu-set_grad_enabled(False)-raised]", f"{FORMS}[cpu-set_grad_enabled(True)-raised]")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert failed == {"cpu-set_grad_enabled(False)-raised]", "cpu-set_grad_enabled(True)-raised]"}, f"other cases failed too: {failed}"


def test_slice_set_grad_enabled_call_not_switching_is_killed(pytester, monkeypatch):
    """Slice: torch.set_grad_enabled(flag) called as a plain function switches nothing (as a block it works)."""
    orig = torch.set_grad_enabled

    class set_grad_enabled(orig):
        def __init__(self, mode):
            self.prev, self.mode = torch.is_grad_enabled(), mode

        def __enter__(self):
            torch._C._set_grad_enabled(self.mode)

    monkeypatch.setattr(torch, "set_grad_enabled", set_grad_enabled)
    result = run(pytester, *specs(FORMS, "test_set_grad_enabled_works_as_context_manager_and_as_a_call"))
    assert_killed(result, f"{FORMS}[cpu-set_grad_enabled(False)-function]", f"{FORMS}[cpu-set_grad_enabled(True)-function]",
                  "test_set_grad_enabled_works_as_context_manager_and_as_a_call")


def test_slice_inference_mode_false_not_enabling_grad_is_killed(pytester, monkeypatch):
    """Slice: torch.inference_mode(False) leaves grad mode as it was (it should enable it): its cases only."""
    orig = torch.inference_mode

    class inference_mode(orig):
        def __enter__(self):
            before = torch.is_grad_enabled()
            super().__enter__()
            if not self.mode:
                torch._C._set_grad_enabled(before)

    monkeypatch.setattr(torch, "inference_mode", inference_mode)
    result = run(pytester, *specs(FORMS, NESTED))
    assert_killed(result, f"{FORMS}[cpu-inference_mode(False)-with]", f"{NESTED}[cpu-inference_mode(False)]",
                  "inference_mode(False) inside no_grad:")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert all("inference_mode(False)" in f for f in failed), f"other cases failed too: {failed}"


def test_slice_no_grad_ending_inference_mode_is_killed(pytester, monkeypatch):
    """Slice: torch.no_grad entered inside inference_mode switches inference mode off (it should keep the outer's)."""
    orig = torch.no_grad

    class no_grad(orig):
        def __enter__(self):
            self._inner = None
            if torch.is_inference_mode_enabled():
                self._inner = torch._C._InferenceMode(False)
            super().__enter__()

        def __exit__(self, *exc):
            super().__exit__(*exc)
            self._inner = None

    monkeypatch.setattr(torch, "no_grad", no_grad)
    result = run(pytester, *specs(NESTED))
    assert_killed(result, f"{NESTED}[cpu-no_grad]", "no_grad inside inference_mode:")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert failed == {"cpu-no_grad]"}, f"other cases failed too: {failed}"


# --------------------------------------------------------------------------- under torch.compile

INSIDE = "test_grad_modes_inside_a_compiled_function_act_as_in_eager_under_compile"
AROUND = "test_a_compiled_function_follows_the_grad_mode_around_each_call_under_compile"
KNOWN = (
    "test_enable_grad_inside_a_compiled_function_under_inference_mode_records_nothing_under_compile",
    "test_inference_mode_false_inside_a_compiled_function_makes_normal_tensors_under_compile",
    "test_inference_mode_inside_a_compiled_function_makes_inference_tensors_under_compile",
)


def plant_compile(monkeypatch, wrap):
    """torch.compile whose compiled function is ``wrap(compiled)``."""
    orig = torch.compile

    def compile(fn=None, *args, **kwargs):
        return wrap(orig(fn, *args, **kwargs))

    monkeypatch.setattr(torch, "compile", compile)


def test_control_compile_specs_pass_or_are_known_bugs(pytester):
    """Control for the compile claims: they pass, or xfail as their known_bug marker says (on torch 2.14)."""
    assert_passed(run(pytester, *specs(INSIDE, AROUND, *KNOWN)))


@pytest.mark.skipif(not torch_at_least("2.5"), reason="the inside-compile spec is a known bug (strict xfail) before 2.5")
def test_compiled_function_restoring_the_grad_mode_is_killed(pytester, monkeypatch):
    """Plants a compiled function that sets the grad mode back after each call (a set_grad_enabled(False) left on inside is lost)."""

    def wrap(compiled):
        def call(*args):
            before = torch.is_grad_enabled()
            try:
                return compiled(*args)
            finally:
                torch._C._set_grad_enabled(before)

        return call

    plant_compile(monkeypatch, wrap)
    assert_killed(run(pytester, *specs(INSIDE)), INSIDE, "grad mode after the call=True, but eager gives False")


@pytest.mark.skipif(not torch_at_least("2.5"), reason="the inside-compile spec is a known bug (strict xfail) before 2.5")
def test_compiled_function_reusing_its_first_grad_mode_is_killed(pytester, monkeypatch):
    """Plants a stale graph: the compiled function runs every call under the grad mode of its first call."""

    def wrap(compiled):
        first = {}

        def call(*args):
            mode = first.setdefault("grad", torch.is_grad_enabled())
            before = torch.is_grad_enabled()
            torch._C._set_grad_enabled(mode)
            try:
                return compiled(*args)
            finally:
                torch._C._set_grad_enabled(before)

        return call

    plant_compile(monkeypatch, wrap)
    assert_killed(run(pytester, *specs(AROUND, INSIDE)), AROUND, INSIDE, "call 1 (grad enabled around): output 0 requires_grad=False")


@pytest.mark.skipif(not torch_at_least("2.5"), reason="the inside-compile spec is a known bug (strict xfail) before 2.5")
def test_compiled_function_copying_its_outputs_is_killed(pytester, monkeypatch):
    """Plants a compiled function that returns copies of its outputs (x.detach() no longer shares x's memory)."""
    from torch.utils._pytree import tree_map

    def wrap(compiled):
        return lambda *args: tree_map(lambda t: t.clone() if isinstance(t, torch.Tensor) else t, compiled(*args))

    plant_compile(monkeypatch, wrap)
    assert_killed(run(pytester, *specs(AROUND, INSIDE)), AROUND, INSIDE, "does not share memory with input 0")


def test_slice_compiled_detach_of_an_intermediate_returned_as_the_intermediate_is_killed(pytester, monkeypatch):
    """Slice: the compiled function returns one tensor for an intermediate y and y.detach() (pytorch#100348: both outputs are the detached one); every other output is right."""

    def wrap(compiled):
        def call(*args):
            out = list(compiled(*args))
            out[0] = out[4]  # y comes back as its detach: it no longer records
            return tuple(out)

        return call

    plant_compile(monkeypatch, wrap)
    assert_killed(run(pytester, *specs(AROUND)), AROUND, "output 0 requires_grad=False")


@pytest.mark.skipif(not torch_at_least("2.8"), reason="the three known_bug ranges all apply from torch 2.8 (checked on 2.8.0-2.15.0)")
def test_known_compile_bugs_pass_once_compile_acts_as_eager(pytester, monkeypatch):
    """The known-bug compile claims are strict: with torch.compile planted as the identity (compiled == eager) they XPASS and fail."""
    monkeypatch.setattr(torch, "compile", lambda fn=None, *args, **kwargs: fn)
    result = run(pytester, *specs(*KNOWN))
    failed = {r.nodeid.split("::")[-1].split("[")[0] for r in result.reprec.getfailures()}
    assert failed == set(KNOWN), f"XPASS(strict) failures {failed}, but should be {set(KNOWN)}\n{result.stdout.str()[-3000:]}"
    assert "XPASS(strict)" in result.stdout.str(), result.stdout.str()[-3000:]


# --- release history (mined from release notes; see docs/release-history.md)

import inspect as _inspect  # noqa: E402
import warnings as _warnings  # noqa: E402

import pytest  # noqa: E402

from specs.helpers import torch_at_least  # noqa: E402


@pytest.mark.skipif(not torch_at_least("2.2"), reason="the spec is a known bug (strict xfail) before 2.2")
def test_set_grad_enabled_decorator_leaking_its_mode_is_killed(pytester, monkeypatch):
    """Plants torch.set_grad_enabled whose decorator form leaves grad mode switched to its flag (the pre-2.2 bug)."""
    orig = torch.set_grad_enabled

    class set_grad_enabled(orig):
        def __call__(self, func):
            out = super().__call__(func)
            torch._C._set_grad_enabled(self.mode)
            return out

    monkeypatch.setattr(torch, "set_grad_enabled", set_grad_enabled)
    result = run(pytester, *specs("test_set_grad_enabled_as_a_decorator_leaves_the_callers_grad_mode_alone"))
    assert_killed(result, "test_set_grad_enabled_as_a_decorator_leaves_the_callers_grad_mode_alone", "after @set_grad_enabled(False)")


def _class_decorating_no_grad(category):
    orig = torch.no_grad

    class no_grad(orig):
        def __call__(self, func):
            if not _inspect.isclass(func):
                return super().__call__(func)
            _warnings.warn("Decorating classes is deprecated and will be disabled in future versions.", category)
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                return super().__call__(func)

    return no_grad


@pytest.mark.skipif(not torch_at_least("2.4"), reason="the FutureWarning spec is gated to torch>=2.4")
def test_class_decorator_warning_back_to_user_warning_is_killed(pytester, monkeypatch):
    """Plants torch.no_grad whose class-decorating warning is a UserWarning again (the pre-2.4 category)."""
    monkeypatch.setattr(torch, "no_grad", _class_decorating_no_grad(UserWarning))
    result = run(pytester, *specs("test_no_grad_decorating_a_class_warns_future_warning_from_2_4"))
    assert_killed(result, "test_no_grad_decorating_a_class_warns_future_warning_from_2_4")


@pytest.mark.skipif(torch_at_least("2.4"), reason="the UserWarning spec is gated to torch<2.4")
def test_class_decorator_warning_as_future_warning_early_is_killed(pytester, monkeypatch):
    """Plants torch.no_grad whose class-decorating warning is a FutureWarning before 2.4."""
    monkeypatch.setattr(torch, "no_grad", _class_decorating_no_grad(FutureWarning))
    result = run(pytester, *specs("test_no_grad_decorating_a_class_warns_user_warning_before_2_4"))
    assert_killed(result, "test_no_grad_decorating_a_class_warns_user_warning_before_2_4")


INFERENCE_RG = "test_an_inference_tensor_refuses_requires_grad_outside_inference_mode_and_an_inference_view_refuses_in_place_writes"
FORWARD_AD = "test_grad_modes_leave_forward_mode_ad_alone_but_inference_mode_and_detach_drop_tangents"


def test_slice_requires_grad_on_an_inference_tensor_ignored_silently_is_killed(pytester, monkeypatch):
    """Plants Tensor.requires_grad_ that silently does nothing on an inference tensor outside inference mode (the attribute and Parameter still refuse)."""
    orig = torch.Tensor.requires_grad_

    def requires_grad_(self, requires_grad=True):
        if self.is_inference() and not torch.is_inference_mode_enabled():
            return self
        return orig(self, requires_grad)

    monkeypatch.setattr(torch.Tensor, "requires_grad_", requires_grad_)
    result = run(pytester, f"{MOD}::{INFERENCE_RG}")
    assert_killed(result, f"{INFERENCE_RG}[cpu-float32-t.requires_grad_()]", "raised no RuntimeError")


def test_no_grad_disabling_forward_mode_ad_is_killed(pytester, monkeypatch):
    """Plants torch.no_grad that also disables forward-mode AD (as inference_mode does)."""
    monkeypatch.setattr(torch, "no_grad", lambda: torch.inference_mode())
    result = run(pytester, f"{MOD}::{FORWARD_AD}")
    assert_killed(result, f"{FORWARD_AD}[cpu-float32-no_grad]", "forward-mode AD should ignore no_grad")


# --------------------------------------------------------------------------- grad mode inside autograd itself

FORWARD_SPEC = "test_a_custom_functions_forward_runs_with_grad_mode_off_in_every_ambient_mode"
_APPLY = _inspect.getattr_static(torch.autograd.Function, "apply")  # a classmethod (Python) or its C descriptor


def _apply_of(cls, *args):
    """torch's own Function.apply, for the subclass ``cls``."""
    return _APPLY.__get__(None, cls)(*args)
BACKWARD_SPEC = "test_the_backward_pass_runs_with_grad_mode_on_exactly_when_create_graph_is_true"


def test_custom_function_forward_under_the_ambient_mode_is_killed(pytester, monkeypatch):
    """Plants Function.apply that runs forward in the caller's grad mode instead of with grad mode off."""
    orig = _apply_of

    def apply(cls, *args):
        ambient, forward = torch.is_grad_enabled(), cls.forward

        def under_ambient(ctx, *a):
            with torch.set_grad_enabled(ambient):
                return forward(ctx, *a)

        cls.forward = staticmethod(under_ambient)
        try:
            return orig(cls, *args)
        finally:
            cls.forward = staticmethod(forward)

    monkeypatch.setattr(torch.autograd.Function, "apply", classmethod(apply))
    result = run(pytester, f"{MOD}::{FORWARD_SPEC}")
    assert_killed(result, f"{FORWARD_SPEC}[cpu-float32-enable_grad]", "but should be (False, False, True)")


def test_slice_custom_function_detaching_complex_outputs_is_killed(pytester, monkeypatch):
    """Plants Function.apply whose complex outputs are never recorded (real ones are)."""
    orig = _apply_of

    def apply(cls, *args):
        out = orig(cls, *args)
        return out.detach() if out.is_complex() else out

    monkeypatch.setattr(torch.autograd.Function, "apply", classmethod(apply))
    result = run(pytester, f"{MOD}::{FORWARD_SPEC}")
    assert_killed(result, f"{FORWARD_SPEC}[cpu-complex64-enable_grad]", f"{FORWARD_SPEC}[cpu-complex64-inference_mode(False)]")


def test_backward_always_building_a_graph_is_killed(pytester, monkeypatch):
    """Plants backward() and autograd.grad() that always run with create_graph=True."""
    orig_backward, orig_grad = torch.Tensor.backward, torch.autograd.grad
    monkeypatch.setattr(torch.Tensor, "backward", lambda self, *a, **k: orig_backward(self, *a, **{**k, "create_graph": True}))
    monkeypatch.setattr(torch.autograd, "grad", lambda *a, **k: orig_grad(*a, **{**k, "create_graph": True}))
    result = run(pytester, f"{MOD}::{BACKWARD_SPEC}")
    assert_killed(result, f"{BACKWARD_SPEC}[cpu-enable_grad-out.backward()-create_graph=False]",
                  f"{BACKWARD_SPEC}[cpu-no_grad-torch.autograd.grad()-create_graph=False]")


def test_slice_backward_under_no_grad_dropping_create_graph_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward that, called under no_grad, ignores create_graph=True (no graph of the gradient)."""
    orig_backward = torch.Tensor.backward

    def backward(self, *a, **k):
        if not torch.is_grad_enabled():
            k["create_graph"] = False
        return orig_backward(self, *a, **k)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::{BACKWARD_SPEC}")
    assert_killed(result, f"{BACKWARD_SPEC}[cpu-no_grad-out.backward()-create_graph=True]")


# --- release history, round 4 (release notes 2.10-2.15)

import functools as _functools  # noqa: E402


def _decorator_with_frames_named(monkeypatch, cls, function_frame: str, generator_frame: str):
    """Give the grad mode ``cls`` a decorator whose wrapper frames carry the given names."""

    def __call__(self, func):
        if _inspect.isgeneratorfunction(func):

            def generator_context(*args, **kwargs):
                with self.clone():
                    yield from func(*args, **kwargs)

            wrapper = generator_context
            wrapper.__code__ = wrapper.__code__.replace(co_name=generator_frame, co_qualname=generator_frame)
        else:

            def decorate_context(*args, **kwargs):
                with self.clone():
                    return func(*args, **kwargs)

            wrapper = decorate_context
            wrapper.__code__ = wrapper.__code__.replace(co_name=function_frame, co_qualname=function_frame)
        return _functools.wraps(func)(wrapper)

    monkeypatch.setattr(cls, "__call__", __call__)


#: the grad-mode classes whose decorator a spec here reaches, and the name 2.15 gives their frames
_DECORATING_MODES = {torch.no_grad: "no_grad", torch.enable_grad: "enable_grad", torch.inference_mode: "inference_mode",
                     torch.set_grad_enabled: "set_grad_enabled"}


def _frames_named_as_released(monkeypatch, after_2_15: bool):
    """Every grad mode's decorator as the given side of 2.15 names its frames, whatever torch runs the plant."""
    for cls, name in _DECORATING_MODES.items():
        names = (name, name) if after_2_15 else ("decorate_context", "generator_context")
        _decorator_with_frames_named(monkeypatch, cls, *names)


def test_slice_no_grad_frames_named_decorate_context_from_2_15_is_killed(pytester, monkeypatch):
    """Plants a torch 2.15 whose no_grad decorator still runs functions in frames named decorate_context / generator_context (pytorch#186502 lost for no_grad)."""
    _frames_named_as_released(monkeypatch, after_2_15=True)
    _decorator_with_frames_named(monkeypatch, torch.no_grad, "decorate_context", "generator_context")
    monkeypatch.setattr(torch, "__version__", "2.15.0")
    name = "test_a_grad_mode_decorators_frame_is_named_after_the_mode_from_2_15"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[no_grad-decorator]", f"{name}[no_grad-bare_decorator]", "'decorate_context'")
    assert len([r for r in result.reprec.getfailures() if r.when == "call"]) == 2, "only the no_grad cases should fail"


def test_slice_inference_mode_frames_named_after_the_mode_before_2_15_is_killed(pytester, monkeypatch):
    """Plants a torch 2.14 whose inference_mode decorator already names its frames inference_mode: the <2.15 spec must fail there."""
    _frames_named_as_released(monkeypatch, after_2_15=False)
    _decorator_with_frames_named(monkeypatch, torch.inference_mode, "inference_mode", "inference_mode")
    monkeypatch.setattr(torch, "__version__", "2.14.1")
    name = "test_a_grad_mode_decorators_frame_is_named_decorate_context_before_2_15"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(
        result, f"{name}[inference_mode-decorator]", f"{name}[inference_mode(False)-decorator]",
        f"{name}[inference_mode-bare_decorator]", "'inference_mode'",
    )
    assert len([r for r in result.reprec.getfailures() if r.when == "call"]) == 3, "only the inference_mode cases should fail"
