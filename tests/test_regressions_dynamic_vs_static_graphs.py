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
        torch._dynamo.reset()  # the compile claims' backend, aot_eager, imports more on first use (quantized_decomposed)
        torch.compile(lambda_free, backend="aot_eager")(torch.ones(2, requires_grad=True)).sum().backward()
        bn = torch.nn.BatchNorm1d(2)
        torch.compile(bn, backend="aot_eager")(torch.ones(3, 2))
        torch._dynamo.reset()


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


def test_compile_graph_count_is_per_device_variant(monkeypatch):
    """The compile spec counts only graphs its own variant captured: a later device's compile starts from zero.

    With the old module-wide graph list, a [cuda] variant whose compile captured nothing still saw the
    [cpu] variant's graphs and passed. Here a second "device" whose torch.compile captures nothing
    must see an empty list, while the first device's list is untouched.
    """
    import specs.test_dynamic_vs_static_graphs as spec

    cache = {}
    fn, graphs = spec.compiled_for(cache, torch.device("cpu"))
    fn(torch.ones(4))
    first = len(graphs)
    assert first >= 2, f"cpu compile captured {first} graph(s), but should capture at least 2"
    monkeypatch.setattr(torch, "compile", lambda f, *a, **k: f)  # this "device" captures nothing
    fn2, graphs2 = spec.compiled_for(cache, "other-device")
    fn2(torch.ones(4))
    assert graphs2 == [] and graphs2 is not graphs and len(graphs) == first, (
        f"second variant sees {len(graphs2)} graph(s), first list {len(graphs)} (was {first}): counts must be per variant"
    )


# --------------------------------------------------------------------------- release changes


def _export_with_strict_default(default):
    orig = torch.export.export

    def export(mod, args, kwargs=None, *, dynamic_shapes=None, strict=default, **k):
        return orig(mod, args, kwargs, dynamic_shapes=dynamic_shapes, strict=strict, **k)

    return export


@pytest.mark.skipif(not torch_at_least("2.7"), reason="the non-strict-default spec is gated to torch>=2.7")
def test_export_strict_by_default_again_is_killed(pytester, monkeypatch):
    """Plants torch.export.export defaulting to strict=True again (the pre-2.7 default)."""
    monkeypatch.setattr(torch.export, "export", _export_with_strict_default(True))
    result = run(pytester, f"{MOD}::test_export_is_non_strict_by_default_from_2_8")
    assert_killed(result, "test_export_is_non_strict_by_default_from_2_8", "strict=True, but should be False")


@pytest.mark.skipif(not torch_at_least("2.2") or torch_at_least("2.7"), reason="the strict-default spec is gated to 2.2-2.6")
def test_export_non_strict_by_default_too_early_is_killed(pytester, monkeypatch):
    """Plants torch.export.export defaulting to strict=False before 2.7."""
    monkeypatch.setattr(torch.export, "export", _export_with_strict_default(False))
    result = run(pytester, f"{MOD}::test_export_is_strict_by_default_before_2_8")
    assert_killed(result, "test_export_is_strict_by_default_before_2_8", "strict=False, but should be True")


@pytest.mark.skipif(not torch_at_least("2.4"), reason="the refusal spec is gated to torch>=2.4")
def test_export_wrapping_plain_functions_is_killed(pytester, monkeypatch):
    """Plants torch.export.export that wraps a plain function in an nn.Module instead of refusing it."""
    orig = torch.export.export

    class Wrap(torch.nn.Module):
        def __init__(self, fn):
            super().__init__()
            self.fn = fn

        def forward(self, *args):
            return self.fn(*args)

    def export(mod, args, *a, **k):
        return orig(mod if isinstance(mod, torch.nn.Module) else Wrap(mod), args, *a, **k)

    monkeypatch.setattr(torch.export, "export", export)
    result = run(pytester, f"{MOD}::test_export_refuses_a_plain_function_from_2_3")
    assert_killed(result, "test_export_refuses_a_plain_function_from_2_3", "raised no ValueError")


@pytest.mark.skipif(not torch_at_least("2.9"), reason="the aliasing-refusal spec is gated to torch>=2.9")
def test_cond_that_clones_aliasing_outputs_is_killed(pytester, monkeypatch):
    """Plants torch.cond that silently clones what its branches return (aliasing branches accepted again)."""
    orig = torch.cond

    def cond(pred, true_fn, false_fn, operands=()):
        return orig(pred, lambda *o: true_fn(*o).clone(), lambda *o: false_fn(*o).clone(), operands)

    monkeypatch.setattr(torch, "cond", cond)
    result = run(pytester, f"{MOD}::test_cond_branch_returning_its_input_is_refused_from_2_9")
    assert_killed(result, "test_cond_branch_returning_its_input_is_refused_from_2_9", "raised no UncapturedHigherOrderOpError")


@pytest.mark.skipif(not torch_at_least("2.4"), reason="the refusal spec is gated to torch>=2.4")
def test_exported_module_with_plain_train_eval_is_killed(pytester, monkeypatch):
    """Plants ExportedProgram.module() whose train()/eval() are nn.Module's (the flag flips, the graph does not)."""
    orig = torch.export.ExportedProgram.module

    def module(self, *a, **k):
        m = orig(self, *a, **k)
        m.train = types.MethodType(torch.nn.Module.train, m)
        m.eval = types.MethodType(torch.nn.Module.eval, m)
        return m

    monkeypatch.setattr(torch.export.ExportedProgram, "module", module)
    result = run(pytester, f"{MOD}::test_exported_module_refuses_train_and_eval_from_2_3")
    assert_killed(result, "test_exported_module_refuses_train_and_eval_from_2_3", "raised no NotImplementedError")


def test_compile_of_a_module_copy_is_killed(pytester, monkeypatch):
    """Plants torch.compile(m) compiling a deep copy of m: compiled.eval() no longer switches m itself."""
    import copy

    orig = torch.compile
    monkeypatch.setattr(torch, "compile", lambda m, *a, **k: orig(copy.deepcopy(m) if isinstance(m, torch.nn.Module) else m, *a, **k))
    result = run(pytester, f"{MOD}::test_compiled_module_train_eval_act_on_the_wrapped_module")
    assert_killed(result, "test_compiled_module_train_eval_act_on_the_wrapped_module", "after compiled.eval()")


# --------------------------------------------------------------------------- ONNX


def _needs_onnx():
    for name in ("onnx", "onnxscript", "onnxruntime"):
        pytest.importorskip(name, reason=f"the ONNX specs need the optional {name} package")


@pytest.mark.skipif(not torch_at_least("2.9"), reason="the onnxruntime spec is gated to torch>=2.9")
def test_onnx_export_dropping_linear_bias_is_killed(pytester, monkeypatch):
    """Plants torch.onnx.export that exports every Linear without its bias."""
    _needs_onnx()
    import copy

    orig = torch.onnx.export

    def export(model, *a, **k):
        model = copy.deepcopy(model)
        for mod in model.modules():
            if isinstance(mod, torch.nn.Linear) and mod.bias is not None:
                mod.bias.data.zero_()
        return orig(model, *a, **k)

    monkeypatch.setattr(torch.onnx, "export", export)
    result = run(pytester, f"{MOD}::test_onnx_export_runs_in_onnxruntime_with_the_eager_outputs")
    assert_killed(result, "test_onnx_export_runs_in_onnxruntime_with_the_eager_outputs", "onnxruntime output vs eager")


@pytest.mark.skipif(not torch_at_least("2.9"), reason="the exporter-default spec is gated to torch>=2.9")
def test_onnx_export_defaulting_to_torchscript_is_killed(pytester, monkeypatch):
    """Plants torch.onnx.export that, without dynamo=, behaves like the pre-2.9 default (returns None)."""
    _needs_onnx()
    orig = torch.onnx.export

    def export(*a, **k):
        program = orig(*a, **k)
        return program if "dynamo" in k else None

    monkeypatch.setattr(torch.onnx, "export", export)
    result = run(pytester, f"{MOD}::test_onnx_export_defaults_to_the_torch_export_based_exporter_from_2_9")
    assert_killed(result, "test_onnx_export_defaults_to_the_torch_export_based_exporter_from_2_9", "returned NoneType")


# --------------------------------------------------------------------------- slice regressions (issue #14)


@pytest.mark.skipif(not torch_at_least("2.9"), reason="the onnxruntime spec is gated to torch>=2.9")
def test_slice_onnx_relu_leaky_for_negative_inputs_is_killed(pytester, monkeypatch):
    """Plants an ONNX export whose ReLU leaks (slope 0.01) -- wrong only where the pre-activation is negative."""
    _needs_onnx()
    orig = torch.onnx.export

    class Leaky(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            pre = self.inner.lin(x)
            return torch.where(pre > 0, pre, 0.01 * pre) + self.inner.offset

    def export(model, *a, **k):
        return orig(Leaky(model) if hasattr(model, "offset") else model, *a, **k)

    monkeypatch.setattr(torch.onnx, "export", export)
    result = run(pytester, f"{MOD}::test_onnx_export_runs_in_onnxruntime_with_the_eager_outputs")
    assert_killed(result, "test_onnx_export_runs_in_onnxruntime_with_the_eager_outputs", "onnxruntime output vs eager")


def test_slice_compile_saturating_large_values_is_killed(pytester, monkeypatch):
    """Plants torch.compile whose compiled code clamps inputs to [-1.5, 1.5] -- wrong only for |x| > 1.5."""
    orig = torch.compile

    def compile(fn, *a, **k):
        compiled = orig(fn, *a, **k)
        return lambda x: compiled(x.clamp(-1.5, 1.5))

    monkeypatch.setattr(torch, "compile", compile)
    result = run(pytester, f"{MOD}::test_torch_compile_keeps_eager_semantics_across_data_dependent_branches")
    assert_killed(result, "test_torch_compile_keeps_eager_semantics_across_data_dependent_branches", "output 0")


def test_slice_export_dim_max_clamped_is_killed(pytester, monkeypatch):
    """Plants torch.export.export that caps every dynamic Dim at max=6 -- wrong only for lengths 7 and up."""
    orig = torch.export.export

    def export(mod, args, *a, dynamic_shapes=None, **k):
        if dynamic_shapes is not None:
            dynamic_shapes = {"x": {0: torch.export.Dim("n", min=2, max=6)}}
        return orig(mod, args, *a, dynamic_shapes=dynamic_shapes, **k)

    monkeypatch.setattr(torch.export, "export", export)
    result = run(pytester, f"{MOD}::test_exported_shapes_are_static_unless_marked_dynamic")
    assert_killed(result, "test_exported_shapes_are_static_unless_marked_dynamic", "the Dim-exported program refused a length-")


def test_slice_script_freezing_one_element_inputs_is_killed(pytester, monkeypatch):
    """Plants torch.jit.script whose compiled function takes the true branch for one-element inputs only."""
    orig = torch.jit.script

    class OneElementBug:
        def __init__(self, scripted):
            self.scripted, self.graph = scripted, scripted.graph

        def __call__(self, x):
            return (x.sin() * 2) if x.numel() == 1 else self.scripted(x)

    monkeypatch.setattr(torch.jit, "script", lambda fn, *a, **k: OneElementBug(orig(fn, *a, **k)))
    result = run(pytester, f"{MOD}::test_jit_script_keeps_data_dependent_control_flow")
    assert_killed(result, "test_jit_script_keeps_data_dependent_control_flow", "scripted(x)")


# --------------------------------------------------------------------------- older releases' truths


def _between(lo, hi):
    return torch_at_least(lo) and not torch_at_least(hi)


@pytest.mark.skipif(not _between("2.2", "2.4"), reason="the plain-function spec is gated to 2.2-2.3")
def test_export_refusing_plain_functions_early_is_killed(pytester, monkeypatch):
    """Plants torch.export.export that refuses plain functions before 2.4."""
    orig = torch.export.export

    def export(mod, *a, **k):
        if not isinstance(mod, torch.nn.Module):
            raise ValueError(f"Expected `mod` to be an instance of `torch.nn.Module`, got {type(mod)}.")
        return orig(mod, *a, **k)

    monkeypatch.setattr(torch.export, "export", export)
    result = run(pytester, f"{MOD}::test_export_accepts_a_plain_function_before_2_3")
    assert_killed(result, "test_export_accepts_a_plain_function_before_2_3")


@pytest.mark.skipif(not _between("2.2", "2.6"), reason="the aliasing-refused-by-export spec is gated to 2.2-2.5")
def test_cond_cloning_aliasing_outputs_early_is_killed(pytester, monkeypatch):
    """Plants torch.cond that clones what its branches return, so export accepts an aliasing branch."""
    orig = torch.cond
    monkeypatch.setattr(torch, "cond", lambda p, t, f, o=(): orig(p, lambda *x: t(*x).clone(), lambda *x: f(*x).clone(), o))
    result = run(pytester, f"{MOD}::test_cond_branch_returning_its_input_exports_refused_but_runs_eagerly_before_2_6")
    assert_killed(result, "test_cond_branch_returning_its_input_exports_refused_but_runs_eagerly_before_2_6")


@pytest.mark.skipif(not _between("2.6", "2.9"), reason="the aliasing-accepted spec is gated to 2.6-2.8")
def test_cond_swapping_branches_is_killed(pytester, monkeypatch):
    """Plants torch.cond that swaps its branches."""
    orig = torch.cond
    monkeypatch.setattr(torch, "cond", lambda p, t, f, o=(): orig(p, f, t, o))
    result = run(pytester, f"{MOD}::test_cond_branch_returning_its_input_is_accepted_in_2_6")
    assert_killed(result, "test_cond_branch_returning_its_input_is_accepted_in_2_6")


@pytest.mark.skipif(not _between("2.2", "2.4"), reason="the train/eval spec is gated to 2.2-2.3")
def test_exported_module_refusing_train_eval_early_is_killed(pytester, monkeypatch):
    """Plants ExportedProgram.module() whose train()/eval() raise before 2.4."""
    orig = torch.export.ExportedProgram.module

    def refuse(*a, **k):
        raise NotImplementedError("Calling train() is not supported yet.")

    def module(self, *a, **k):
        m = orig(self, *a, **k)
        m.train = m.eval = refuse
        return m

    monkeypatch.setattr(torch.export.ExportedProgram, "module", module)
    result = run(pytester, f"{MOD}::test_exported_module_train_and_eval_switch_the_flag_before_2_3")
    assert_killed(result, "test_exported_module_train_and_eval_switch_the_flag_before_2_3")


@pytest.mark.skipif(torch_at_least("2.9"), reason="the TorchScript-exporter-default spec is gated to torch<2.9")
def test_onnx_export_returning_a_program_early_is_killed(pytester, monkeypatch):
    """Plants torch.onnx.export that returns a program object before 2.9 (as the 2.9 default does)."""
    pytest.importorskip("onnx", reason="ONNX export needs the optional onnx package")
    orig = torch.onnx.export
    monkeypatch.setattr(torch.onnx, "export", lambda *a, **k: (orig(*a, **k), types.SimpleNamespace())[1])
    result = run(pytester, f"{MOD}::test_onnx_export_defaults_to_the_torchscript_exporter_before_2_9")
    assert_killed(result, "test_onnx_export_defaults_to_the_torchscript_exporter_before_2_9", "but should return None")


# --------------------------------------------------------------------------- issue 21/22: enumerated forms, compile claims


def test_slice_strict_export_raising_a_plain_error_is_killed(pytester, monkeypatch):
    """Plants torch.export.export(strict=True) refusing the `if` with a plain RuntimeError instead of Dynamo's Unsupported."""
    orig = torch.export.export

    def export(mod, args, *a, **k):
        try:
            return orig(mod, args, *a, **k)
        except torch._dynamo.exc.Unsupported as e:
            if k.get("strict") is True:
                raise RuntimeError(str(e)) from None
            raise

    monkeypatch.setattr(torch.export, "export", export)
    result = run(pytester, f"{MOD}::test_export_rejects_a_python_if_on_tensor_values")
    assert_killed(result, "test_export_rejects_a_python_if_on_tensor_values[cpu-strict]", "but should raise Unsupported")


def test_slice_strict_export_of_cond_keeping_only_the_true_branch_is_killed(pytester, monkeypatch):
    """Plants strict torch.export.export (only) capturing a torch.cond module as its true branch alone."""
    orig = torch.export.export

    class TrueOnly(torch.nn.Module):
        def forward(self, x):
            return x.sin() * 2

    def export(mod, args, *a, **k):
        if k.get("strict") is True and type(mod).__name__ == "CondModule":
            mod = TrueOnly()
        return orig(mod, args, *a, **k)

    monkeypatch.setattr(torch.export, "export", export)
    result = run(pytester, f"{MOD}::test_export_of_torch_cond_keeps_both_branches_and_runs_on_the_device")
    assert_killed(result, "test_export_of_torch_cond_keeps_both_branches_and_runs_on_the_device[cpu-strict]")


@pytest.mark.skipif(not torch_at_least("2.10"), reason="the deprecation spec is gated to torch>=2.10")
def test_slice_script_without_deprecation_warning_is_killed(pytester, monkeypatch):
    """Plants torch.jit.script (only) no longer warning that TorchScript is deprecated; trace still warns."""
    orig = torch.jit.script

    def script(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"`torch\.jit\.")
            return orig(*args, **kwargs)

    monkeypatch.setattr(torch.jit, "script", script)
    result = run(pytester, f"{MOD}::test_jit_trace_and_script_warn_that_torchscript_is_deprecated")
    assert_killed(result, "test_jit_trace_and_script_warn_that_torchscript_is_deprecated[cpu-script]")


def _compile_wrapping(wrap):
    """A torch.compile whose compiled function is ``wrap(compiled)`` (the real compile underneath)."""
    orig = torch.compile

    def compile(fn=None, *args, **kwargs):
        return wrap(orig(fn, *args, **kwargs))

    return compile


def test_slice_compile_returning_float32_for_float16_is_killed(pytester, monkeypatch):
    """Plants compiled code that computes float16 inputs in float32 and returns float32 (other dtypes unchanged)."""

    def wrap(compiled):
        def call(x, *rest):
            return compiled(x.float(), *rest) if x.dtype == torch.float16 else compiled(x, *rest)

        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    result = run(pytester, f"{MOD}::test_torch_compile_keeps_eager_semantics_across_data_dependent_branches")
    assert_killed(result, "test_torch_compile_keeps_eager_semantics_across_data_dependent_branches[cpu-aot_eager-float16]")


GUARD_SPEC = "test_a_guard_change_recompiles_and_changing_back_reuses_the_first_graph"


def test_compile_recompiling_on_every_call_is_killed(pytester, monkeypatch):
    """Plants torch.compile whose compiled function forgets its cache before every call (graphs never reused)."""

    def wrap(compiled):
        def call(*args):
            torch._dynamo.reset()
            return compiled(*args)

        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    result = run(pytester, f"{MOD}::{GUARD_SPEC}")
    assert_killed(result, GUARD_SPEC, "but should reuse the first one")


def test_compile_running_changed_calls_eagerly_is_killed(pytester, monkeypatch):
    """Plants torch.compile that runs every call after the first eagerly (right values, but no new graph compiled)."""
    orig = torch.compile

    def compile(fn=None, *args, **kwargs):
        compiled, calls = orig(fn, *args, **kwargs), []

        def call(*a):
            calls.append(1)
            return compiled(*a) if len(calls) == 1 else fn(*a)

        return call

    monkeypatch.setattr(torch, "compile", compile)
    result = run(pytester, f"{MOD}::{GUARD_SPEC}")
    assert_killed(result, GUARD_SPEC, "no new graph was compiled")


SHAPES_SPEC = "test_a_new_shape_recompiles_static_graphs_and_only_the_first_change_under_the_default"


def test_compile_ignoring_dynamic_is_killed(pytester, monkeypatch):
    """Plants torch.compile that drops its ``dynamic=`` argument (every compile behaves as the default)."""
    orig = torch.compile

    def compile(fn=None, *args, **kwargs):
        kwargs.pop("dynamic", None)
        return orig(fn, *args, **kwargs)

    monkeypatch.setattr(torch, "compile", compile)
    result = run(pytester, f"{MOD}::{SHAPES_SPEC}")
    assert_killed(result, f"{SHAPES_SPEC}[cpu-aot_eager-dynamic=False]", "should give [1, 2, 3, 3, 3]")
    assert_killed(result, f"{SHAPES_SPEC}[cpu-aot_eager-dynamic=True]", "should give [1, 1, 1, 1, 1]")


def test_slice_compile_without_automatic_dynamic_shapes_is_killed(pytester, monkeypatch):
    """Plants Dynamo with automatic dynamic shapes off: the default recompiles a static graph for every new shape."""
    # config.patch, not monkeypatch: undoing a monkeypatch deletes the option from Dynamo's config module
    with torch._dynamo.config.patch(automatic_dynamic_shapes=False):
        result = run(pytester, f"{MOD}::{SHAPES_SPEC}")
    assert_killed(result, f"{SHAPES_SPEC}[cpu-aot_eager-dynamic=None]", "should give [1, 2, 2, 2, 2]")


def test_slice_compile_reading_dynamic_true_as_the_default_is_killed(pytester, monkeypatch):
    """Plants torch.compile that treats ``dynamic=True`` as the default (a static first graph, then one recompile)."""
    orig = torch.compile

    def compile(fn=None, *args, **kwargs):
        if kwargs.get("dynamic") is True:
            kwargs["dynamic"] = None
        return orig(fn, *args, **kwargs)

    monkeypatch.setattr(torch, "compile", compile)
    result = run(pytester, f"{MOD}::{SHAPES_SPEC}")
    assert_killed(result, f"{SHAPES_SPEC}[cpu-aot_eager-dynamic=True]", "should give [1, 1, 1, 1, 1]")


def test_compile_baking_in_the_first_shape_is_killed(pytester, monkeypatch):
    """Plants compiled code that keeps the first call's size (a missing shape guard: right graph count, stale size)."""

    def wrap(compiled):
        first = []

        def call(x):
            first.append(x.shape[0]) if not first else None
            return compiled(x) * first[0] / x.shape[0]

        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    result = run(pytester, f"{MOD}::{SHAPES_SPEC}")
    assert_killed(result, SHAPES_SPEC, "Tensor-likes are not close")


def test_slice_compile_without_a_dtype_guard_is_killed(pytester, monkeypatch):
    """Plants compiled code specialized to its first call's input dtype: later inputs are cast to it (a missing dtype guard)."""

    def wrap(compiled):
        first = []

        def call(*args):
            x = args[-1]
            if not first:
                first.append(x.dtype)
            return compiled(*args[:-1], x.to(first[0]))

        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    result = run(pytester, f"{MOD}::{GUARD_SPEC}")
    assert_killed(result, f"{GUARD_SPEC}[cpu-aot_eager-dtype]")


def test_slice_compile_keeping_the_first_requires_grad_is_killed(pytester, monkeypatch):
    """Plants compiled code that keeps its first call's requires_grad: an input not requiring grad at first is later detached."""

    def wrap(compiled):
        first = []

        def call(*args):
            x = args[-1]
            if not first:
                first.append(x.requires_grad)
            return compiled(*args[:-1], x if first[0] else x.detach())

        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    result = run(pytester, f"{MOD}::{GUARD_SPEC}")
    assert_killed(result, f"{GUARD_SPEC}[cpu-aot_eager-requires_grad]")


def test_slice_compile_ignoring_no_grad_is_killed(pytester, monkeypatch):
    """Plants compiled code that runs under enable_grad when called under no_grad (inference_mode unaffected)."""

    def wrap(compiled):
        def call(*args):
            if not torch.is_grad_enabled() and not torch.is_inference_mode_enabled():
                with torch.enable_grad():
                    return compiled(*args)
            return compiled(*args)

        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    result = run(pytester, f"{MOD}::{GUARD_SPEC}")
    assert_killed(result, f"{GUARD_SPEC}[cpu-aot_eager-no_grad]")


def test_slice_compile_ignoring_inference_mode_is_killed(pytester, monkeypatch):
    """Plants compiled code that leaves inference mode for the call (ordinary tensors, grad enabled)."""

    def wrap(compiled):
        def call(*args):
            if torch.is_inference_mode_enabled():
                with torch.inference_mode(False), torch.enable_grad():
                    return compiled(*args)
            return compiled(*args)

        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    result = run(pytester, f"{MOD}::{GUARD_SPEC}")
    assert_killed(result, f"{GUARD_SPEC}[cpu-aot_eager-inference_mode]")


def test_slice_compile_ignoring_eval_is_killed(pytester, monkeypatch):
    """Plants compiled code that runs module arguments in training mode whatever their flag (the flag restored after)."""

    def wrap(compiled):
        def call(*args):
            modules = [m for a in args if isinstance(a, torch.nn.Module) for m in a.modules()]
            flags = [m.training for m in modules]
            for m in modules:
                m.training = True
            try:
                return compiled(*args)
            finally:
                for m, flag in zip(modules, flags):
                    m.training = flag

        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    result = run(pytester, f"{MOD}::{GUARD_SPEC}")
    assert_killed(result, f"{GUARD_SPEC}[cpu-aot_eager-training]")


MODULE_SPEC = "test_compiled_module_behaves_like_the_eager_module_under_compile"


def test_compiled_module_skipping_buffer_updates_is_killed(pytester, monkeypatch):
    """Plants a compiled module whose running statistics are restored after every call (the buffer update lost)."""

    def wrap(compiled):
        def call(*args, **kwargs):
            owner = getattr(compiled, "_orig_mod", None) or getattr(compiled, "__self__", None)
            buffers = [(b, b.detach().clone()) for b in owner.buffers()] if isinstance(owner, torch.nn.Module) else []
            out = compiled(*args, **kwargs)
            with torch.no_grad():
                for b, saved in buffers:
                    b.copy_(saved)
            return out

        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    result = run(pytester, f"{MOD}::{MODULE_SPEC}")
    assert_killed(result, MODULE_SPEC, "running_mean")


def test_slice_compiled_optimized_module_of_a_copy_is_killed(pytester, monkeypatch):
    """Plants torch.compile(m) wrapping a deep copy of m (m.compile() unaffected): m's statistics and parameters stay behind."""
    import copy

    orig = torch.compile
    monkeypatch.setattr(torch, "compile", lambda m, *a, **k: orig(copy.deepcopy(m) if isinstance(m, torch.nn.Module) else m, *a, **k))
    result = run(pytester, f"{MOD}::{MODULE_SPEC}")
    assert_killed(result, f"{MODULE_SPEC}[cpu-aot_eager-torch.compile(m)]")


def test_slice_module_compile_detaching_outputs_is_killed(pytester, monkeypatch):
    """Plants nn.Module.compile() whose compiled call detaches its output (torch.compile(m) unaffected)."""
    orig = torch.nn.Module.compile

    def compile(self, *args, **kwargs):
        orig(self, *args, **kwargs)
        inner = self._compiled_call_impl
        self._compiled_call_impl = lambda *a, **k: inner(*a, **k).detach()

    monkeypatch.setattr(torch.nn.Module, "compile", compile)
    result = run(pytester, f"{MOD}::{MODULE_SPEC}")
    assert_killed(result, f"{MODULE_SPEC}[cpu-aot_eager-m.compile()]")


# --- release history (mined from release notes; see docs/release-history.md)


def _range(lo, hi=None):
    return torch_at_least(lo) and (hi is None or not torch_at_least(hi))


@pytest.mark.skipif(not _range("2.3"), reason="the refusal spec is gated to torch>=2.3")
def test_exported_program_callable_again_is_killed(pytester, monkeypatch):
    """Plants ExportedProgram.__call__ running the program (the 2.1/2.2 behaviour)."""
    monkeypatch.setattr(torch.export.ExportedProgram, "__call__", lambda self, *a, **k: self.module()(*a, **k), raising=False)
    result = run(pytester, f"{MOD}::test_exported_program_refuses_a_direct_call_from_2_3")
    assert_killed(result, "test_exported_program_refuses_a_direct_call_from_2_3")


@pytest.mark.skipif(not _range("2.1", "2.3"), reason="the callable spec is gated to 2.1-2.2")
def test_exported_program_call_refused_early_is_killed(pytester, monkeypatch):
    """Plants ExportedProgram.__call__ raising before 2.3."""
    def refuse(self, *a, **k):
        raise RuntimeError("Unable to call ExportedProgram directly. You should use `exported_program.module()` instead.")

    monkeypatch.setattr(torch.export.ExportedProgram, "__call__", refuse)
    result = run(pytester, f"{MOD}::test_exported_program_is_callable_before_2_3")
    assert_killed(result, "test_exported_program_is_callable_before_2_3")


def _module_raising(exc_type):
    orig = torch.export.ExportedProgram.module

    def module(self, *a, **k):
        m = orig(self, *a, **k)
        call = m.__call__

        class Checked:
            def __call__(self_, x):
                if x.shape[0] != 4:
                    raise exc_type(f"Guard failed: x.size()[0] == 4 (Expected input at *args[0].shape[0] to be equal to 4, but got {x.shape[0]})")
                return call(x)

        return Checked()

    return module


@pytest.mark.skipif(not _range("2.9"), reason="the AssertionError spec is gated to torch>=2.9")
def test_static_shape_refusal_as_runtime_error_again_is_killed(pytester, monkeypatch):
    """Plants ep.module() refusing another static shape with RuntimeError (the pre-2.9 type)."""
    monkeypatch.setattr(torch.export.ExportedProgram, "module", _module_raising(RuntimeError))
    result = run(pytester, f"{MOD}::test_exported_module_refuses_another_static_shape_with_assertion_error_from_2_9")
    assert_killed(result, "test_exported_module_refuses_another_static_shape_with_assertion_error_from_2_9")


@pytest.mark.skipif(not _range("2.2", "2.9"), reason="the RuntimeError spec is gated to 2.2-2.8")
def test_static_shape_refusal_as_assertion_error_early_is_killed(pytester, monkeypatch):
    """Plants ep.module() refusing another static shape with AssertionError before 2.9."""
    monkeypatch.setattr(torch.export.ExportedProgram, "module", _module_raising(AssertionError))
    result = run(pytester, f"{MOD}::test_exported_module_refuses_another_static_shape_with_runtime_error_before_2_9")
    assert_killed(result, "test_exported_module_refuses_another_static_shape_with_runtime_error_before_2_9")


@pytest.mark.skipif(not _range("2.1", "2.2"), reason="the unchecked-shape spec is gated to 2.1")
def test_static_shape_checked_early_is_killed(pytester, monkeypatch):
    """Plants ep.module() checking the input shape in 2.1."""
    monkeypatch.setattr(torch.export.ExportedProgram, "module", _module_raising(RuntimeError))
    result = run(pytester, f"{MOD}::test_exported_module_runs_other_shapes_unchecked_in_2_1")
    assert_killed(result, "test_exported_module_runs_other_shapes_unchecked_in_2_1")


class _NoGradDropped(torch.nn.Module):
    def forward(self, x):
        return x * 2 + x


def _export_dropping_no_grad():
    orig = torch.export.export

    def export(mod, *a, **k):
        if type(mod).__name__ == "_NoGradInside":
            mod = _NoGradDropped()
        return orig(mod, *a, **k)

    return export


@pytest.mark.skipif(not _range("2.4"), reason="the kept-no_grad spec is gated to torch>=2.4")
def test_export_dropping_no_grad_is_killed(pytester, monkeypatch):
    """Plants torch.export.export that traces a no_grad block as if grad were on (the 2.1/2.2 behaviour)."""
    monkeypatch.setattr(torch.export, "export", _export_dropping_no_grad())
    result = run(pytester, f"{MOD}::test_export_keeps_a_no_grad_block_from_2_4")
    assert_killed(result, "test_export_keeps_a_no_grad_block_from_2_4")


@pytest.mark.skipif(not _range("2.3", "2.4"), reason="the refusal spec is gated to 2.3")
def test_export_accepting_no_grad_early_is_killed(pytester, monkeypatch):
    """Plants torch.export.export that accepts a no_grad block (dropping it) where 2.3 refuses it."""
    monkeypatch.setattr(torch.export, "export", _export_dropping_no_grad())
    result = run(pytester, f"{MOD}::test_export_refuses_a_no_grad_block_in_2_3")
    assert_killed(result, "test_export_refuses_a_no_grad_block_in_2_3")


@pytest.mark.skipif(not _range("2.1", "2.3"), reason="the dropped-no_grad spec is gated to 2.1-2.2")
def test_export_keeping_no_grad_early_is_killed(pytester, monkeypatch):
    """Plants torch.export.export refusing a no_grad block in 2.1/2.2 (which traced it as grad mode)."""
    orig = torch.export.export

    def export(mod, *a, **k):
        if type(mod).__name__ == "_NoGradInside":
            raise RuntimeError("Encountered autograd state manager op trying to change global autograd state")
        return orig(mod, *a, **k)

    monkeypatch.setattr(torch.export, "export", export)
    result = run(pytester, f"{MOD}::test_export_traces_a_no_grad_block_as_if_grad_were_on_before_2_3")
    assert_killed(result, "test_export_traces_a_no_grad_block_as_if_grad_were_on_before_2_3")


@pytest.mark.skipif(not _range("2.5"), reason="the Dim.AUTO spec is gated to torch>=2.5")
def test_export_ignoring_dim_auto_is_killed(pytester, monkeypatch):
    """Plants torch.export.export that ignores dynamic_shapes, so a Dim.AUTO dimension stays static."""
    orig = torch.export.export

    def export(mod, args, *a, dynamic_shapes=None, **k):
        return orig(mod, args, *a, **k)

    monkeypatch.setattr(torch.export, "export", export)
    result = run(pytester, f"{MOD}::test_export_with_dim_auto_accepts_other_sizes_of_that_dimension_from_2_5")
    assert_killed(result, "test_export_with_dim_auto_accepts_other_sizes_of_that_dimension_from_2_5")


@pytest.mark.skipif(not _range("2.2", "2.5"), reason="the no-Dim.AUTO spec is gated to 2.2-2.4")
def test_dim_auto_present_early_is_killed(pytester, monkeypatch):
    """Plants a torch.export.Dim.AUTO before 2.5."""
    monkeypatch.setattr(torch.export.Dim, "AUTO", object(), raising=False)
    result = run(pytester, f"{MOD}::test_export_has_no_dim_auto_before_2_5")
    assert_killed(result, "test_export_has_no_dim_auto_before_2_5")


@pytest.mark.skipif(not _range("2.3"), reason="the is_compiling spec is gated to torch>=2.3")
def test_is_compiling_always_false_is_killed(pytester, monkeypatch):
    """Plants torch.compiler.is_compiling that answers False inside compiled code too."""
    monkeypatch.setattr(torch.compiler, "is_compiling", lambda: False)
    result = run(pytester, f"{MOD}::test_torch_compiler_is_compiling_is_true_only_inside_compiled_code_from_2_3")
    assert_killed(result, "test_torch_compiler_is_compiling_is_true_only_inside_compiled_code_from_2_3")


@pytest.mark.skipif(not _range("2.1", "2.3"), reason="the no-is_compiling spec is gated to 2.1-2.2")
def test_is_compiling_present_early_is_killed(pytester, monkeypatch):
    """Plants a torch.compiler.is_compiling before 2.3."""
    monkeypatch.setattr(torch.compiler, "is_compiling", lambda: False, raising=False)
    result = run(pytester, f"{MOD}::test_torch_compiler_has_no_is_compiling_before_2_3")
    assert_killed(result, "test_torch_compiler_has_no_is_compiling_before_2_3")


def _jit_save(mode):
    orig = torch.jit.save

    def save(*a, **k):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            orig(*a, **k)
        if mode.startswith("warn"):
            category = DeprecationWarning if mode == "warn-deprecation" else FutureWarning
            warnings.warn("`torch.jit.save` is deprecated. Please switch to `torch.export`.", category)

    return save


def _jit_spec():
    if _range("2.14"):
        return "test_jit_save_load_and_freeze_warn_future_warning_from_2_14"
    if _range("2.10"):
        return "test_jit_save_load_and_freeze_warn_deprecation_warning_from_2_10_to_2_13"
    return "test_jit_save_load_and_freeze_do_not_warn_before_2_10"


@pytest.mark.skipif(not _range("2.10"), reason="the warning specs are gated to torch>=2.10")
def test_slice_jit_save_without_its_deprecation_warning_is_killed(pytester, monkeypatch):
    """Plants torch.jit.save that no longer warns TorchScript is deprecated: only the save case breaks."""
    monkeypatch.setattr(torch.jit, "save", _jit_save("silent"))
    result = run(pytester, f"{MOD}::{_jit_spec()}")
    assert_killed(result, _jit_spec())


@pytest.mark.skipif(not _range("2.10", "2.14"), reason="the DeprecationWarning spec is gated to 2.10-2.13")
def test_slice_jit_save_warning_as_future_warning_early_is_killed(pytester, monkeypatch):
    """Plants torch.jit.save warning FutureWarning before 2.14 (test_jit_save_load_and_freeze_warn_deprecation_warning_from_2_10_to_2_13)."""
    monkeypatch.setattr(torch.jit, "save", _jit_save("warn"))
    result = run(pytester, f"{MOD}::test_jit_save_load_and_freeze_warn_deprecation_warning_from_2_10_to_2_13")
    assert_killed(result, "test_jit_save_load_and_freeze_warn_deprecation_warning_from_2_10_to_2_13")


@pytest.mark.skipif(not _range("2.14"), reason="the FutureWarning spec is gated to torch>=2.14")
def test_slice_jit_save_warning_as_deprecation_warning_again_is_killed(pytester, monkeypatch):
    """Plants torch.jit.save warning DeprecationWarning (the 2.10-2.13 category) from 2.14 (test_jit_save_load_and_freeze_warn_future_warning_from_2_14)."""
    monkeypatch.setattr(torch.jit, "save", _jit_save("warn-deprecation"))
    result = run(pytester, f"{MOD}::test_jit_save_load_and_freeze_warn_future_warning_from_2_14")
    assert_killed(result, "test_jit_save_load_and_freeze_warn_future_warning_from_2_14")


@pytest.mark.skipif(_range("2.10"), reason="the silent spec is gated to torch<2.10")
def test_slice_jit_save_deprecation_warning_early_is_killed(pytester, monkeypatch):
    """Plants torch.jit.save warning that it is deprecated before 2.10: only the save case breaks."""
    monkeypatch.setattr(torch.jit, "save", _jit_save("warn"))
    result = run(pytester, f"{MOD}::test_jit_save_load_and_freeze_do_not_warn_before_2_10")
    assert_killed(result, "test_jit_save_load_and_freeze_do_not_warn_before_2_10")


def test_slice_jit_freeze_changing_the_outputs_is_killed(pytester, monkeypatch):
    """Plants torch.jit.freeze that returns a module computing twice the scripted module's output."""
    orig = torch.jit.freeze

    def freeze(m, *a, **k):
        frozen = orig(m, *a, **k)
        return lambda x: frozen(x) * 2

    monkeypatch.setattr(torch.jit, "freeze", freeze)
    name = _jit_spec()
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name)


def _onnx_export_rewarning(pattern, category):
    """torch.onnx.export whose warnings matching ``pattern`` are re-raised as ``category`` (None: dropped)."""
    import re

    orig = torch.onnx.export

    def export(*a, **k):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = orig(*a, **k)
        for w in caught:
            if re.search(pattern, str(w.message)):
                if category is not None:
                    warnings.warn(str(w.message), category)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return out

    return export


@pytest.mark.skipif(not _range("2.8"), reason="the legacy-warning spec is gated to torch>=2.8")
def test_onnx_legacy_exporter_without_its_warning_is_killed(pytester, monkeypatch):
    """Plants torch.onnx.export(dynamo=False) that no longer warns the TorchScript-based exporter is legacy."""
    pytest.importorskip("onnx")
    monkeypatch.setattr(torch.onnx, "export", _onnx_export_rewarning(r"legacy TorchScript-based", None))
    result = run(pytester, f"{MOD}::test_onnx_export_with_dynamo_false_warns_that_it_is_legacy_from_2_8")
    assert_killed(result, "test_onnx_export_with_dynamo_false_warns_that_it_is_legacy_from_2_8")


@pytest.mark.skipif(not _range("2.5", "2.8"), reason="the not-legacy spec is gated to 2.5-2.7")
def test_onnx_legacy_exporter_warning_early_is_killed(pytester, monkeypatch):
    """Plants torch.onnx.export(dynamo=False) calling itself legacy before 2.8."""
    pytest.importorskip("onnx")
    orig = torch.onnx.export

    def export(*a, **k):
        warnings.warn("You are using the legacy TorchScript-based ONNX export.", DeprecationWarning)
        return orig(*a, **k)

    monkeypatch.setattr(torch.onnx, "export", export)
    result = run(pytester, f"{MOD}::test_onnx_export_with_dynamo_false_is_not_called_legacy_before_2_8")
    assert_killed(result, "test_onnx_export_with_dynamo_false_is_not_called_legacy_before_2_8")


@pytest.mark.skipif(not _range("2.7"), reason="the DeprecationWarning spec is gated to torch>=2.7")
def test_onnx_training_warning_as_future_warning_again_is_killed(pytester, monkeypatch):
    """Plants torch.onnx.export whose training-argument deprecation is a FutureWarning again (the 2.5/2.6 category)."""
    pytest.importorskip("onnx")
    monkeypatch.setattr(torch.onnx, "export", _onnx_export_rewarning(r"Setting `training`", FutureWarning))
    result = run(pytester, f"{MOD}::test_onnx_export_training_argument_warns_deprecation_warning_from_2_7")
    assert_killed(result, "test_onnx_export_training_argument_warns_deprecation_warning_from_2_7")


@pytest.mark.skipif(not _range("2.5", "2.7"), reason="the FutureWarning spec is gated to 2.5-2.6")
def test_onnx_training_warning_as_deprecation_warning_early_is_killed(pytester, monkeypatch):
    """Plants torch.onnx.export whose training-argument deprecation is a DeprecationWarning before 2.7."""
    pytest.importorskip("onnx")
    monkeypatch.setattr(torch.onnx, "export", _onnx_export_rewarning(r"Setting `training`", DeprecationWarning))
    result = run(pytester, f"{MOD}::test_onnx_export_training_argument_warns_future_warning_before_2_7")
    assert_killed(result, "test_onnx_export_training_argument_warns_future_warning_before_2_7")


@pytest.mark.skipif(not _range("2.9"), reason="the removal spec is gated to torch>=2.9")
def test_onnx_dynamo_export_back_is_killed(pytester, monkeypatch):
    """Plants torch.onnx.dynamo_export again (removed in 2.9)."""
    monkeypatch.setattr(torch.onnx, "dynamo_export", lambda *a, **k: None, raising=False)
    result = run(pytester, f"{MOD}::test_onnx_dynamo_export_is_gone_from_2_9")
    assert_killed(result, "test_onnx_dynamo_export_is_gone_from_2_9")


@pytest.mark.skipif(not _range("2.1", "2.9"), reason="the exists spec is gated to 2.1-2.8")
def test_onnx_dynamo_export_gone_early_is_killed(pytester, monkeypatch):
    """Plants torch.onnx without dynamo_export before 2.9."""
    monkeypatch.delattr(torch.onnx, "dynamo_export")
    result = run(pytester, f"{MOD}::test_onnx_dynamo_export_exists_before_2_9")
    assert_killed(result, "test_onnx_dynamo_export_exists_before_2_9")


@pytest.mark.skipif(not _range("2.11"), reason="the removal spec is gated to torch>=2.11")
def test_export_for_training_back_is_killed(pytester, monkeypatch):
    """Plants torch.export.export_for_training again (removed in 2.11)."""
    monkeypatch.setattr(torch.export, "export_for_training", torch.export.export, raising=False)
    result = run(pytester, f"{MOD}::test_export_for_training_is_gone_from_2_11")
    assert_killed(result, "test_export_for_training_is_gone_from_2_11")


def _export_for_training_warning(category):
    orig = getattr(torch.export, "export_for_training", None)

    def export_for_training(*a, **k):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ep = orig(*a, **k)
        if category is not None:
            warnings.warn("`torch.export.export_for_training` is deprecated and will be removed in PyTorch 2.10.", category)
        return ep

    return export_for_training


@pytest.mark.skipif(not _range("2.9", "2.11"), reason="the FutureWarning spec is gated to 2.9-2.10")
def test_export_for_training_without_its_warning_is_killed(pytester, monkeypatch):
    """Plants torch.export.export_for_training without its deprecation warning in 2.9/2.10."""
    monkeypatch.setattr(torch.export, "export_for_training", _export_for_training_warning(None))
    result = run(pytester, f"{MOD}::test_export_for_training_warns_future_warning_in_2_9_and_2_10")
    assert_killed(result, "test_export_for_training_warns_future_warning_in_2_9_and_2_10")


@pytest.mark.skipif(not _range("2.5", "2.9"), reason="the silent spec is gated to 2.5-2.8")
def test_export_for_training_warning_early_is_killed(pytester, monkeypatch):
    """Plants torch.export.export_for_training warning FutureWarning before 2.9."""
    monkeypatch.setattr(torch.export, "export_for_training", _export_for_training_warning(FutureWarning))
    result = run(pytester, f"{MOD}::test_export_for_training_exports_silently_from_2_5_to_2_8")
    assert_killed(result, "test_export_for_training_exports_silently_from_2_5_to_2_8")


# --- release history, round 2 (mined from release notes and the tracker)

import contextlib as _contextlib  # noqa: E402

_GRAPHS = "test_dynamic_vs_static_graphs.py"


def _graphs_spec(name: str) -> str:
    return f"{_GRAPHS}::{name}"


@pytest.mark.skipif(torch_at_least("2.6"), reason="the missing set_stance spec is gated to torch<2.6")
def test_set_stance_early_is_killed(pytester, monkeypatch):
    """Plants torch.compiler.set_stance before 2.6."""
    monkeypatch.setattr(torch.compiler, "set_stance", lambda *a, **k: _contextlib.nullcontext(), raising=False)
    name = "test_torch_compiler_has_no_set_stance_before_2_6"
    assert_killed(run(pytester, _graphs_spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.6"), reason="the set_stance spec is gated to torch>=2.6")
def test_set_stance_force_eager_that_still_compiles_is_killed(pytester, monkeypatch):
    """Plants torch.compiler.set_stance that ignores its stance, so 'force_eager' still compiles a graph."""
    monkeypatch.setattr(torch.compiler, "set_stance", lambda *a, **k: _contextlib.nullcontext())
    name = "test_set_stance_force_eager_runs_a_compiled_function_eagerly_from_2_6"
    assert_killed(run(pytester, _graphs_spec(name)), name)


@pytest.mark.skipif(torch_at_least("2.7"), reason="the missing is_exporting spec is gated to torch<2.7")
def test_is_exporting_early_is_killed(pytester, monkeypatch):
    """Plants torch.compiler.is_exporting before 2.7."""
    monkeypatch.setattr(torch.compiler, "is_exporting", lambda: False, raising=False)
    name = "test_torch_compiler_has_no_is_exporting_before_2_7"
    assert_killed(run(pytester, _graphs_spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.7"), reason="the is_exporting spec is gated to torch>=2.7")
def test_is_exporting_always_false_is_killed(pytester, monkeypatch):
    """Plants torch.compiler.is_exporting() that is False even while torch.export traces."""
    monkeypatch.setattr(torch.compiler, "is_exporting", lambda: False)
    name = "test_torch_compiler_is_exporting_is_true_only_while_torch_export_traces_from_2_7"
    assert_killed(run(pytester, _graphs_spec(name)), name)


def _onnx_names(monkeypatch, names, present):
    for n in names:
        if present:
            monkeypatch.setattr(torch.onnx, n, type(n, (), {}), raising=False)
        else:
            monkeypatch.delattr(torch.onnx, n, raising=False)


@pytest.mark.skipif(torch_at_least("2.9"), reason="the companions spec is gated to torch<2.9")
def test_onnx_dynamo_export_companions_removed_early_is_killed(pytester, monkeypatch):
    """Plants the 2.9 removal of ExportOptions, enable_fake_mode and is_onnxrt_backend_supported early."""
    _onnx_names(monkeypatch, ["ExportOptions", "enable_fake_mode", "is_onnxrt_backend_supported"], present=False)
    name = "test_onnx_dynamo_export_companions_exist_before_2_9"
    assert_killed(run(pytester, _graphs_spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.9"), reason="the removal spec is gated to torch>=2.9")
def test_onnx_dynamo_export_companions_back_is_killed(pytester, monkeypatch):
    """Plants ExportOptions, enable_fake_mode and is_onnxrt_backend_supported back into torch.onnx."""
    _onnx_names(monkeypatch, ["ExportOptions", "enable_fake_mode", "is_onnxrt_backend_supported"], present=True)
    name = "test_onnx_dynamo_export_companions_are_gone_from_2_9"
    assert_killed(run(pytester, _graphs_spec(name)), name)


@pytest.mark.skipif(torch_at_least("2.8"), reason="the OnnxRegistry spec is gated to torch<2.8")
def test_onnx_registry_removed_early_is_killed(pytester, monkeypatch):
    """Plants the 2.8 removal of torch.onnx.OnnxRegistry early."""
    _onnx_names(monkeypatch, ["OnnxRegistry"], present=False)
    name = "test_onnx_registry_is_public_before_2_8"
    assert_killed(run(pytester, _graphs_spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.8"), reason="the removal spec is gated to torch>=2.8")
def test_onnx_registry_back_is_killed(pytester, monkeypatch):
    """Plants torch.onnx.OnnxRegistry back."""
    _onnx_names(monkeypatch, ["OnnxRegistry"], present=True)
    name = "test_onnx_registry_is_gone_from_2_8"
    assert_killed(run(pytester, _graphs_spec(name)), name)


@pytest.mark.skipif(torch_at_least("2.6"), reason="some legacy-name spec case is gated before 2.6")
def test_slice_onnx_legacy_names_removed_early_is_killed(pytester, monkeypatch):
    """Plants the removal of ExportTypes and export_to_pretty_string (2.6) early, breaking only the cases still present."""
    _onnx_names(monkeypatch, ["ExportTypes", "export_to_pretty_string"], present=False)
    name = "test_onnx_legacy_names_exist_before_their_removal"
    assert_killed(run(pytester, _graphs_spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.6"), reason="the removal cases are all active from 2.6")
def test_slice_onnx_export_types_back_is_killed(pytester, monkeypatch):
    """Plants torch.onnx.ExportTypes back, breaking only that case of the removal spec."""
    _onnx_names(monkeypatch, ["ExportTypes"], present=True)
    name = "test_onnx_legacy_names_are_gone_after_their_removal"
    assert_killed(run(pytester, _graphs_spec(name)), f"{name}[ExportTypes]")


# --- release history, round 3 (found by running the suite on every release, then bisected)


def _export_freezing_the_example(monkeypatch):
    """Plants torch.export.export that runs the module on the example and exports a program returning that result
    for every input (a .data read lifted as a real constant instead of traced)."""
    orig = torch.export.export

    class Frozen(torch.nn.Module):
        def __init__(self, out):
            super().__init__()
            self.register_buffer("out", out)

        def forward(self, x):
            return self.out + 0 * x

    def export(mod, args, *a, **k):
        return orig(Frozen(mod(*args).detach().clone()), args, *a, **k)

    monkeypatch.setattr(torch.export, "export", export)


def _export_with_training(monkeypatch, mode: bool):
    """Plants torch.export.export that sets the module's mode to ``mode`` before exporting."""
    orig = torch.export.export
    monkeypatch.setattr(torch.export, "export", lambda mod, args, *a, **k: orig(mod.train(mode), args, *a, **k))


@pytest.mark.skipif(torch_at_least("2.5"), reason="the detach spec is gated to torch<2.5")
def test_export_freezing_a_data_read_before_2_5_is_killed(pytester, monkeypatch):
    """Plants torch.export.export freezing the example's result: the program ignores its input."""
    _export_freezing_the_example(monkeypatch)
    name = "test_export_traces_a_data_read_as_a_detach_before_2_5"
    assert_killed(run(pytester, _graphs_spec(name)), name)


@pytest.mark.skipif(
    torch_at_least("2.6") and not torch_at_least("2.10"), reason="the spec is a known bug (strict xfail) on 2.6-2.9"
)
def test_export_freezing_a_data_read_is_killed(pytester, monkeypatch):
    """Plants torch.export.export freezing the example's result, where the spec allows an export only if it computes."""
    _export_freezing_the_example(monkeypatch)
    name = "test_export_of_a_data_read_refuses_or_computes_the_forward_never_a_fake_tensor"
    assert_killed(run(pytester, _graphs_spec(name)), name)


@pytest.mark.skipif(not torch_at_least("2.10"), reason="the refusal spec is gated to torch>=2.10")
def test_export_lifting_a_data_read_as_a_fake_constant_is_killed(pytester, monkeypatch):
    """Plants the 2.6-2.9 behaviour back: export succeeds and the program returns a FakeTensor (strict export still does)."""
    orig = torch.export.export
    monkeypatch.setattr(torch.export, "export", lambda mod, args, *a, strict=None, **k: orig(mod, args, *a, strict=True, **k))
    never_fake = "test_export_of_a_data_read_refuses_or_computes_the_forward_never_a_fake_tensor"
    refuses = "test_export_refuses_a_data_read_from_2_10"
    result = run(pytester, _graphs_spec(never_fake), _graphs_spec(refuses))
    assert_killed(result, never_fake, refuses, "returned a FakeTensor")


@pytest.mark.skipif(not torch_at_least("2.1"), reason="torch.export arrived in 2.1")
def test_export_that_always_exports_in_eval_mode_is_killed(pytester, monkeypatch):
    """Plants torch.export.export that exports every module in eval mode: a train-mode Dropout export stops dropping."""
    _export_with_training(monkeypatch, False)
    name = "test_an_exported_dropout_keeps_the_mode_it_was_exported_in"
    assert_killed(run(pytester, _graphs_spec(name)), f"{name}[cpu-train]")


@pytest.mark.skipif(not torch_at_least("2.1"), reason="torch.export arrived in 2.1")
def test_slice_export_that_always_exports_in_train_mode_is_killed(pytester, monkeypatch):
    """Plants torch.export.export that exports every module in train mode, breaking only the eval-mode case."""
    _export_with_training(monkeypatch, True)
    name = "test_an_exported_dropout_keeps_the_mode_it_was_exported_in"
    assert_killed(run(pytester, _graphs_spec(name)), f"{name}[cpu-eval]")


# --- release history, round 4 (release notes 2.10-2.15)


def test_onnx_export_still_taking_fallback_from_2_11_is_killed(pytester, monkeypatch):
    """Plants a torch 2.11 whose torch.onnx.export still takes fallback= (pytorch#173189 reverted), answering it without exporting."""
    orig = torch.onnx.export

    def export(model, args=(), f=None, *, fallback=False, **kwargs):
        if fallback:
            return None  # the legacy retry, as a plant: nothing is exported
        return orig(model, args, f, **kwargs)

    monkeypatch.setattr(torch.onnx, "export", export)
    monkeypatch.setattr(torch, "__version__", "2.11.0")
    name = "test_onnx_export_refuses_a_fallback_keyword_from_2_11"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name, "raised no TypeError")


def test_onnx_export_without_fallback_before_2_11_is_killed(pytester, monkeypatch):
    """Plants a torch 2.10 whose torch.onnx.export has already lost fallback=: the 2.5-2.10 spec must fail."""
    orig = torch.onnx.export

    def export(model, args=(), f=None, *, dynamo=True, **kwargs):
        return orig(model, args, f, dynamo=dynamo, **kwargs)

    monkeypatch.setattr(torch.onnx, "export", export)
    monkeypatch.setattr(torch, "__version__", "2.10.0")
    name = "test_onnx_export_takes_a_fallback_keyword_from_2_5_to_2_10"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name, "has no `fallback` parameter")
