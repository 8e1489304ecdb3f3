"""Planted regressions for specs/test_dynamic_vs_static_graphs.py: each breaks one claim and must be killed."""

from __future__ import annotations

import types
import warnings

import pytest
import torch

from specs.helpers import torch_at_least
from tests.plant import assert_killed, assert_passed, run

MOD = "test_dynamic_vs_static_graphs.py"


def quiet_trace(fn, example_inputs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.jit.trace(fn, example_inputs, check_trace=False)


@pytest.fixture(scope="module", autouse=True)
def torch_lazily_imported_modules():
    """Load the torch submodules that export/compile/TorchScript import on first use, here.

    pytester drops every module imported during an in-process run from ``sys.modules`` afterwards;
    re-importing some of torch's (compiler cache registries) then fails ("Artifact of type=...
    already registered"), which a spec would report as a failure -- a false kill. Importing them
    in this process first keeps them out of that cleanup.
    """

    class Cond(torch.nn.Module):
        def forward(self, x):
            return torch.cond(x.sum() > 0, lambda x: x + 1, lambda x: x - 1, (x,))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quiet_trace(lambda x: x * 2, torch.ones(2))
        torch.jit.script(lambda_free)
        dim = torch.export.Dim("n", min=2, max=64)
        torch.export.export(Cond(), (torch.ones(4),), dynamic_shapes={"x": {0: dim}}).module()(torch.ones(3))
        torch.compile(lambda_free, backend="eager")(torch.ones(2))


def lambda_free(x):
    return x * 2


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the module's specs pass."""
    assert_passed(run(pytester, MOD))


# --------------------------------------------------------------------------- eager


def test_scalar_multiplication_left_out_of_the_graph_is_killed(pytester, monkeypatch):
    """Plants Tensor * python-number returning an unrecorded result (the loop's nodes vanish from the graph)."""
    orig = torch.Tensor.__mul__

    def mul(self, other):
        out = orig(self, other)
        return out.detach().requires_grad_(out.requires_grad) if isinstance(other, (int, float)) else out

    monkeypatch.setattr(torch.Tensor, "__mul__", mul)
    result = run(pytester, f"{MOD}::test_eager_graph_records_the_branch_and_loop_count_each_call_executed")
    assert_killed(result, "test_eager_graph_records_the_branch_and_loop_count_each_call_executed")


def test_exp_backward_off_by_its_input_is_killed(pytester, monkeypatch):
    """Plants Tensor.exp whose backward multiplies by the input instead of the output (a wrong formula)."""

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return torch.exp(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x

    monkeypatch.setattr(torch.Tensor, "exp", lambda self: Exp.apply(self))
    result = run(pytester, f"{MOD}::test_eager_gradients_are_those_of_the_path_taken")
    assert_killed(result, "test_eager_gradients_are_those_of_the_path_taken")


def test_backward_that_always_retains_the_graph_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward ignoring retain_graph=False (graphs are never freed, a second pass succeeds)."""
    orig = torch.Tensor.backward

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        return orig(self, gradient, True, create_graph, inputs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::test_second_backward_raises_unless_retain_graph")
    assert_killed(result, "test_second_backward_raises_unless_retain_graph", "a second y.sum().backward() raised no RuntimeError")


# --------------------------------------------------------------------------- TorchScript


def test_trace_that_falls_back_to_scripting_is_killed(pytester, monkeypatch):
    """Plants torch.jit.trace silently scripting the function (control flow kept, no branch frozen)."""
    script = torch.jit.script
    monkeypatch.setattr(torch.jit, "trace", lambda fn, example_inputs=None, *a, **k: script(fn))
    result = run(pytester, f"{MOD}::test_jit_trace_freezes_the_branch_its_example_took")
    assert_killed(result, "test_jit_trace_freezes_the_branch_its_example_took")


def test_trace_without_tracer_warning_is_killed(pytester, monkeypatch):
    """Plants torch.jit.trace that no longer emits TracerWarning at a tensor-to-bool conversion."""
    orig = torch.jit.trace

    def trace(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            return orig(*args, **kwargs)

    monkeypatch.setattr(torch.jit, "trace", trace)
    result = run(pytester, f"{MOD}::test_jit_trace_warns_when_a_tensor_decides_python_control_flow")
    assert_killed(result, "test_jit_trace_warns_when_a_tensor_decides_python_control_flow")


@pytest.mark.skipif(not torch_at_least("2.10"), reason="the deprecation spec is gated to torch>=2.10")
def test_torchscript_without_deprecation_warning_is_killed(pytester, monkeypatch):
    """Plants torch.jit.trace and torch.jit.script that no longer warn that TorchScript is deprecated."""

    def silenced(orig):
        def wrapper(*args, **kwargs):
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r"`torch\.jit\.")
                return orig(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(torch.jit, "trace", silenced(torch.jit.trace))
    monkeypatch.setattr(torch.jit, "script", silenced(torch.jit.script))
    result = run(pytester, f"{MOD}::test_jit_trace_and_script_warn_that_torchscript_is_deprecated")
    assert_killed(result, "test_jit_trace_and_script_warn_that_torchscript_is_deprecated")


def test_script_that_falls_back_to_tracing_is_killed(pytester, monkeypatch):
    """Plants torch.jit.script tracing the function on a positive example (the `if` frozen to one branch)."""
    monkeypatch.setattr(torch.jit, "script", lambda fn, *a, **k: quiet_trace(fn, torch.ones(2)))
    result = run(pytester, f"{MOD}::test_jit_script_keeps_data_dependent_control_flow")
    assert_killed(result, "test_jit_script_keeps_data_dependent_control_flow")


def test_script_that_returns_the_python_function_is_killed(pytester, monkeypatch):
    """Plants torch.jit.script that compiles nothing and hands back the Python function (no graph, no prim::If)."""
    monkeypatch.setattr(torch.jit, "script", lambda fn, *a, **k: fn)
    result = run(pytester, f"{MOD}::test_jit_script_keeps_data_dependent_control_flow")
    assert_killed(result, "test_jit_script_keeps_data_dependent_control_flow", "no prim::If node in the scripted graph")


# --------------------------------------------------------------------------- torch.export


def test_export_that_specializes_a_python_if_is_killed(pytester, monkeypatch):
    """Plants torch.export.export that, instead of rejecting a data-dependent `if`, silently traces the example's branch."""
    orig = torch.export.export

    def export(mod, args, *a, **k):
        try:
            return orig(mod, args, *a, **k)
        except RuntimeError:
            traced = quiet_trace(mod, args)
            return types.SimpleNamespace(module=lambda: traced, graph=traced.graph)

    monkeypatch.setattr(torch.export, "export", export)
    result = run(pytester, f"{MOD}::test_export_rejects_a_python_if_on_tensor_values")
    assert_killed(result, "test_export_rejects_a_python_if_on_tensor_values")


def test_cond_that_drops_its_false_branch_is_killed(pytester, monkeypatch):
    """Plants torch.cond that always takes the true branch (the predicate is ignored at capture)."""
    monkeypatch.setattr(torch, "cond", lambda pred, true_fn, false_fn, operands=(): true_fn(*operands))
    result = run(pytester, f"{MOD}::test_export_of_torch_cond_keeps_both_branches_and_runs_on_the_device")
    assert_killed(result, "test_export_of_torch_cond_keeps_both_branches_and_runs_on_the_device")


def test_export_ignoring_dynamic_shapes_is_killed(pytester, monkeypatch):
    """Plants torch.export.export ignoring dynamic_shapes (every dimension specialized to the example)."""
    orig = torch.export.export

    def export(mod, args, *a, dynamic_shapes=None, **k):
        return orig(mod, args, *a, **k)

    monkeypatch.setattr(torch.export, "export", export)
    result = run(pytester, f"{MOD}::test_exported_shapes_are_static_unless_marked_dynamic")
    assert_killed(result, "test_exported_shapes_are_static_unless_marked_dynamic", "the Dim-exported program refused a length-")


def test_export_that_makes_every_batch_dim_dynamic_is_killed(pytester, monkeypatch):
    """Plants torch.export.export treating dim 0 as dynamic even when no dynamic_shapes were given."""
    orig = torch.export.export

    def export(mod, args, *a, dynamic_shapes=None, **k):
        if dynamic_shapes is None:
            dynamic_shapes = {"x": {0: torch.export.Dim("batch", min=2, max=64)}}
        return orig(mod, args, *a, dynamic_shapes=dynamic_shapes, **k)

    monkeypatch.setattr(torch.export, "export", export)
    result = run(pytester, f"{MOD}::test_exported_shapes_are_static_unless_marked_dynamic")
    assert_killed(result, "test_exported_shapes_are_static_unless_marked_dynamic", "DID NOT RAISE")


# --------------------------------------------------------------------------- torch.compile


def test_compile_that_freezes_the_first_branch_is_killed(pytester, monkeypatch):
    """Plants torch.compile whose captured graph drops the guard on a data-dependent branch (first call's branch reused)."""

    def compile(fn, *args, **kwargs):
        graphs = {}

        def compiled(x):
            if "g" not in graphs:
                graphs["g"] = quiet_trace(fn, x)
            return graphs["g"](x)

        return compiled

    monkeypatch.setattr(torch, "compile", compile)
    result = run(pytester, f"{MOD}::test_torch_compile_keeps_eager_semantics_across_data_dependent_branches")
    assert_killed(result, "test_torch_compile_keeps_eager_semantics_across_data_dependent_branches")


def test_compile_that_captures_nothing_is_killed(pytester, monkeypatch):
    """Plants torch.compile that returns the function unchanged: eager results, but no graph ever captured."""
    monkeypatch.setattr(torch, "compile", lambda fn, *args, **kwargs: fn)
    result = run(pytester, f"{MOD}::test_torch_compile_keeps_eager_semantics_across_data_dependent_branches")
    assert_killed(result, "test_torch_compile_keeps_eager_semantics_across_data_dependent_branches", "Dynamo captured 0 graph(s)")


def test_compile_ignoring_fullgraph_is_killed(pytester, monkeypatch):
    """Plants torch.compile ignoring fullgraph=True (graph breaks silently allowed)."""
    orig = torch.compile

    def compile(fn, *args, fullgraph=False, **kwargs):
        return orig(fn, *args, **kwargs)

    monkeypatch.setattr(torch, "compile", compile)
    result = run(pytester, f"{MOD}::test_torch_compile_fullgraph_raises_at_a_graph_break")
    assert_killed(result, "test_torch_compile_fullgraph_raises_at_a_graph_break", "raised no Unsupported")


def test_onnx_export_of_cond_without_if_is_killed(pytester, monkeypatch):
    """Plants torch.cond that always takes the true branch, so ONNX export has no If node (needs onnx)."""
    pytest.importorskip("onnx", reason="ONNX export needs the optional onnx package")
    pytest.importorskip("onnxscript", reason="the torch.export-based ONNX exporter needs onnxscript")
    monkeypatch.setattr(torch, "cond", lambda pred, true_fn, false_fn, operands=(): true_fn(*operands))
    result = run(pytester, f"{MOD}::test_onnx_export_of_torch_cond_is_an_onnx_if")
    assert_killed(result, "test_onnx_export_of_torch_cond_is_an_onnx_if", "but should hold one If")
