"""Planted regressions for specs/test_eval_vs_no_grad.py: every claim there is killed by one below."""

from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F
from torch import nn

from tests.plant import assert_killed, assert_passed, run

MOD = "test_eval_vs_no_grad.py"


TABLE = f"{MOD}::test_grad_mode_alone_decides_the_graph_and_training_flag_alone_decides_the_layers"
RECIPE = f"{MOD}::test_eval_plus_no_grad_gives_deterministic_graph_free_outputs_and_leaves_running_stats"
_dropout, _batch_norm = F.dropout, F.batch_norm


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the whole module passes."""
    assert_passed(run(pytester, MOD))


def test_eval_that_disables_autograd_is_killed(monkeypatch, pytester):
    """Plants the folklore: Module.eval also sets requires_grad=False on every parameter."""
    real = nn.Module.eval

    def eval_(self):
        for p in self.parameters():
            p.requires_grad_(False)
        return real(self)

    monkeypatch.setattr(nn.Module, "eval", eval_)
    result = run(pytester, f"{MOD}::test_eval_does_not_disable_autograd")
    assert_killed(result, "test_eval_does_not_disable_autograd", "out.requires_grad=False, grad_fn=None, but should record a graph")


def test_dropout_off_under_no_grad_is_killed(monkeypatch, pytester):
    """Plants F.dropout that becomes the identity whenever grad mode is disabled."""

    def dropout(x, p=0.5, training=True, inplace=False):
        return x if not torch.is_grad_enabled() else _dropout(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_no_grad_does_not_turn_off_dropout", TABLE)
    assert_killed(
        result,
        "test_no_grad_does_not_turn_off_dropout",
        "test_grad_mode_alone_decides_the_graph_and_training_flag_alone_decides_the_layers[cpu-train-Dropout]",
        "train x no_grad, Dropout (custom): 0 of",
    )


def test_batchnorm_frozen_under_no_grad_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm that skips the running-stat update when grad mode is disabled."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if training and not torch.is_grad_enabled() and running_mean is not None:
            running_mean, running_var = running_mean.clone(), running_var.clone()
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(
        pytester,
        f"{MOD}::test_no_grad_does_not_stop_batchnorm_from_using_batch_stats_and_updating_running_stats",
    )
    assert_killed(result, "test_no_grad_does_not_stop_batchnorm_from_using_batch_stats_and_updating_running_stats")


def test_dropout_ignoring_eval_is_killed(monkeypatch, pytester):
    """Plants F.dropout that ignores training=False: an eval() model keeps dropping."""
    monkeypatch.setattr(F, "dropout", lambda x, p=0.5, training=True, inplace=False: _dropout(x, p, True, inplace))
    result = run(pytester, RECIPE)
    assert_killed(result, "test_eval_plus_no_grad_gives_deterministic_graph_free_outputs_and_leaves_running_stats[cpu-no_grad]", "test_eval_plus_no_grad_gives_deterministic_graph_free_outputs_and_leaves_running_stats[cpu-inference_mode]")


def test_batchnorm_updating_in_eval_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm that updates the running stats it is given even when training=False."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        out = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        if not training and running_mean is not None:
            _batch_norm(input.detach(), running_mean, running_var, None, None, True, momentum, eps)
        return out

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, RECIPE, TABLE)
    assert_killed(
        result,
        "test_eval_plus_no_grad_gives_deterministic_graph_free_outputs_and_leaves_running_stats[cpu-no_grad]",
        "test_grad_mode_alone_decides_the_graph_and_training_flag_alone_decides_the_layers[cpu-eval-BatchNorm1d(N,C)]",
        "eval x default, BatchNorm1d(N,C) (custom): running_mean after two calls in eval",
    )


def test_module_call_reenabling_grad_is_killed(monkeypatch, pytester):
    """Plants Module.__call__ that runs forward under enable_grad, so no_grad() no longer stops the graph."""
    real = nn.Module.__call__

    def call(self, *args, **kwargs):
        if torch.is_inference_mode_enabled():
            return real(self, *args, **kwargs)
        with torch.enable_grad():
            return real(self, *args, **kwargs)

    monkeypatch.setattr(nn.Module, "__call__", call)
    result = run(pytester, RECIPE, TABLE)
    assert_killed(
        result,
        "test_eval_plus_no_grad_gives_deterministic_graph_free_outputs_and_leaves_running_stats[cpu-no_grad]",
        "test_grad_mode_alone_decides_the_graph_and_training_flag_alone_decides_the_layers[cpu-train-BatchNorm1d(N,C)]",
        "no_grad: out.requires_grad=True, grad_fn=",
        "train x no_grad, BatchNorm1d(N,C) (Sequential): out (requires_grad, has grad_fn, is_inference)=(True, True, False)",
    )


def test_inference_mode_ignored_is_killed(monkeypatch, pytester):
    """Plants torch.inference_mode as a context manager that does nothing."""

    class inference_mode:  # noqa: N801 - mimics the public name
        def __init__(self, mode=True):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(torch, "inference_mode", inference_mode)
    result = run(pytester, RECIPE)
    assert_killed(result, "test_eval_plus_no_grad_gives_deterministic_graph_free_outputs_and_leaves_running_stats[cpu-inference_mode]", "inference_mode: out.requires_grad=True")


def test_inference_mode_acting_like_eval_is_killed(monkeypatch, pytester):
    """Plants F.dropout and F.batch_norm that switch to eval behaviour inside inference_mode (as if it called eval())."""
    monkeypatch.setattr(
        F, "dropout",
        lambda x, p=0.5, training=True, inplace=False: _dropout(x, p, training and not torch.is_inference_mode_enabled(), inplace),
    )

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        training = training and not (torch.is_inference_mode_enabled() and running_mean is not None)
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    assert_killed(
        run(pytester, f"{MOD}::test_inference_mode_does_not_call_eval"),
        "test_inference_mode_does_not_call_eval",
        "out under inference_mode vs training-mode output",
    )


NO_GRAD_BN = f"{MOD}::test_no_grad_does_not_stop_batchnorm_from_using_batch_stats_and_updating_running_stats"
EVAL_BN = f"{MOD}::test_eval_batchnorm_under_no_grad_uses_running_stats_and_its_affine_weight_and_bias"


def test_batchnorm_dropping_affine_under_no_grad_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm that drops weight and bias whenever grad mode is disabled (the #14 survivor of default affine specs)."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if not torch.is_grad_enabled():
            weight = bias = None
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, NO_GRAD_BN, EVAL_BN, RECIPE)
    assert_killed(
        result,
        "test_no_grad_does_not_stop_batchnorm_from_using_batch_stats_and_updating_running_stats",
        "test_eval_batchnorm_under_no_grad_uses_running_stats_and_its_affine_weight_and_bias[cpu-no_grad-float64]",
        "test_eval_batchnorm_under_no_grad_uses_running_stats_and_its_affine_weight_and_bias[cpu-inference_mode-float32]",
        "test_eval_plus_no_grad_gives_deterministic_graph_free_outputs_and_leaves_running_stats[cpu-no_grad]",
        "bn(x) under no_grad vs formula",
    )


def test_slice_dropout_off_under_no_grad_only_for_p_at_least_half_is_killed(monkeypatch, pytester):
    """Slice: F.dropout is the identity under no_grad only when p >= 0.5 (p < 0.5 still drops)."""

    def dropout(x, p=0.5, training=True, inplace=False):
        return x if p >= 0.5 and not torch.is_grad_enabled() else _dropout(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_no_grad_does_not_turn_off_dropout")
    assert_killed(result, "test_no_grad_does_not_turn_off_dropout", "elements dropped under no_grad")


def test_slice_running_stats_frozen_under_no_grad_only_for_large_momentum_is_killed(monkeypatch, pytester):
    """Slice: F.batch_norm skips the running-stat update under no_grad only when momentum > 0.5."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if training and not torch.is_grad_enabled() and running_mean is not None and momentum is not None and momentum > 0.5:
            running_mean, running_var = running_mean.clone(), running_var.clone()
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, NO_GRAD_BN)
    assert_killed(result, "test_no_grad_does_not_stop_batchnorm_from_using_batch_stats_and_updating_running_stats", "running_mean")


def test_slice_eval_batchnorm_of_a_single_sample_under_no_grad_is_killed(monkeypatch, pytester):
    """Slice: under no_grad an eval BatchNorm given a batch of ONE sample returns it un-normalized (other batch sizes are right)."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if not training and input.shape[0] == 1 and not torch.is_grad_enabled():
            return input.clone()
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, EVAL_BN)
    assert_killed(result, "test_eval_batchnorm_under_no_grad_uses_running_stats_and_its_affine_weight_and_bias[cpu-no_grad-float64]")


def test_slice_batchnorm_dropping_affine_only_inside_inference_mode_is_killed(monkeypatch, pytester):
    """Slice: F.batch_norm drops weight and bias only inside inference_mode (no_grad is right)."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if torch.is_inference_mode_enabled():
            weight = bias = None
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, EVAL_BN, RECIPE)
    assert_killed(
        result,
        "test_eval_batchnorm_under_no_grad_uses_running_stats_and_its_affine_weight_and_bias[cpu-inference_mode-float64]",
        "test_eval_plus_no_grad_gives_deterministic_graph_free_outputs_and_leaves_running_stats[cpu-inference_mode]",
    )


def test_slice_eval_batchnorm_under_no_grad_wrong_only_in_float32_is_killed(monkeypatch, pytester):
    """Slice: under no_grad an eval BatchNorm ignores running_var (uses 1) only for float32 inputs."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if not training and input.dtype == torch.float32 and running_var is not None and not torch.is_grad_enabled():
            running_var = torch.ones_like(running_var)
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, EVAL_BN)
    assert_killed(result, "test_eval_batchnorm_under_no_grad_uses_running_stats_and_its_affine_weight_and_bias[cpu-no_grad-float32]")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert all(f.endswith("-float32]") for f in failed), f"other cases failed too: {failed}"


# --------------------------------------------------------------------------- the table: layers, ranks, module forms, modes


def test_slice_batchnorm3d_using_batch_stats_in_eval_is_killed(monkeypatch, pytester):
    """Slice: F.batch_norm normalizes 5-D input (BatchNorm3d) with batch statistics even in eval (other ranks are right)."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if input.dim() == 5 and not training and running_mean is not None:
            running_mean, running_var, training = running_mean.clone(), running_var.clone(), True
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, TABLE)
    assert_killed(result, f"{TABLE.split('::')[1]}[cpu-eval-BatchNorm3d]", "eval x default, BatchNorm3d (ModuleDict): BatchNorm output vs formula")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert failed == {"cpu-eval-BatchNorm3d]"}, f"other cases failed too: {failed}"


def test_slice_batchnorm1d_of_3d_input_not_updating_running_stats_is_killed(monkeypatch, pytester):
    """Slice: F.batch_norm skips the running-stat update for 3-D input (BatchNorm1d on (N, C, L)); 2-D input is right."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if input.dim() == 3 and training and running_mean is not None:
            running_mean, running_var = running_mean.clone(), running_var.clone()
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, TABLE)
    assert_killed(result, f"{TABLE.split('::')[1]}[cpu-train-BatchNorm1d(N,C,L)]", "train x default, BatchNorm1d(N,C,L) (Sequential): running_mean after two calls")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert failed == {"cpu-train-BatchNorm1d(N,C,L)]"}, f"other cases failed too: {failed}"


def test_slice_eval_not_reaching_into_a_module_dict_is_killed(monkeypatch, pytester):
    """Slice: ModuleDict.train/eval sets its own flag only and does not recurse into the layers it holds."""

    def train(self, mode=True):
        object.__setattr__(self, "training", mode)
        return self

    monkeypatch.setattr(nn.ModuleDict, "train", train)
    result = run(pytester, TABLE)
    assert_killed(result, f"{TABLE.split('::')[1]}[cpu-eval-BatchNorm3d]", "eval x default, BatchNorm3d (ModuleDict): layer.training=True after model.eval()")
    failures = result.reprec.getfailures()
    failed = {r.nodeid.split("[")[-1] for r in failures}
    # every layer meets ModuleDict in one of its modes: each eval case fails there, and only there
    assert all(f.startswith("cpu-eval-") for f in failed), f"other cases failed too: {failed}"
    wrong = [r.nodeid for r in failures if "(ModuleDict): layer.training=True after model.eval()" not in r.longreprtext]
    assert not wrong, f"failed on another form than ModuleDict: {wrong}"


def test_slice_dropout_off_only_inside_inference_mode_is_killed(monkeypatch, pytester):
    """Slice: F.dropout is the identity inside inference_mode only (no_grad and the other modes still drop)."""
    monkeypatch.setattr(
        F, "dropout",
        lambda x, p=0.5, training=True, inplace=False: _dropout(x, p, training and not torch.is_inference_mode_enabled(), inplace),
    )
    result = run(pytester, TABLE)
    assert_killed(result, f"{TABLE.split('::')[1]}[cpu-train-Dropout]", "train x inference_mode, Dropout (top): 0 of")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    # the in-place Dropout calls F.dropout too; Dropout2d (F.dropout2d) and the other modes are unaffected
    assert failed <= {"cpu-train-Dropout]", "cpu-train-Dropout(inplace=True)]"} and (
        "cpu-train-Dropout]" in failed), f"other cases failed too: {failed}"


# found by the battery (issue 21): Dropout's in-place form and Dropout2d


def test_slice_in_place_dropout_skipped_under_no_grad_is_killed(monkeypatch, pytester):
    """Slice: F.dropout(..., inplace=True) returns its input untouched in training under no_grad (an in-place fast path
    that takes "no grad" for "inference"); the out-of-place Dropout still drops."""

    def dropout(x, p=0.5, training=True, inplace=False):
        if inplace and training and not torch.is_grad_enabled():
            return x
        return _dropout(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, TABLE)
    spec = TABLE.split("::")[1]
    assert_killed(result, f"{spec}[cpu-train-Dropout(inplace=True)]", "train x no_grad, Dropout(inplace=True) (custom): 0 of")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert failed == {"cpu-train-Dropout(inplace=True)]"}, f"other cases failed too: {failed}"


def test_slice_dropout2d_dropping_in_eval_under_no_grad_is_killed(monkeypatch, pytester):
    """Slice: F.dropout2d drops channels in eval mode whenever grad is off (no_grad taken for training); Dropout is right."""
    real = F.dropout2d

    def dropout2d(x, p=0.5, training=True, inplace=False):
        return real(x, p, training or not torch.is_grad_enabled(), inplace)

    monkeypatch.setattr(F, "dropout2d", dropout2d)
    result = run(pytester, TABLE)
    spec = TABLE.split("::")[1]
    assert_killed(result, f"{spec}[cpu-eval-Dropout2d]", "eval x no_grad, Dropout2d (Sequential): Dropout output in eval")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert failed == {"cpu-eval-Dropout2d]"}, f"other cases failed too: {failed}"


# --------------------------------------------------------------------------- under torch.compile

COMPILED = "test_eval_and_grad_mode_stay_independent_for_a_compiled_module_under_compile"


def plant_compile(monkeypatch, wrap):
    """torch.compile whose compiled function is ``wrap(compiled)``."""
    orig = torch.compile

    def compile(fn=None, *args, **kwargs):
        return wrap(orig(fn, *args, **kwargs))

    monkeypatch.setattr(torch, "compile", compile)


def test_compiled_module_skipping_the_running_stat_update_is_killed(monkeypatch, pytester):
    """Plants a compiled call that puts every buffer of the module back after running (the running stats never move)."""

    def wrap(compiled):
        def call(model, *args):
            saved = {k: v.detach().clone() for k, v in model.named_buffers()}
            out = compiled(model, *args)
            with torch.no_grad():
                for k, v in model.named_buffers():
                    v.copy_(saved[k])
            return out

        return call

    plant_compile(monkeypatch, wrap)
    assert_killed(run(pytester, f"{MOD}::{COMPILED}"), COMPILED, "call 0 (train, no_grad): module0.outer.block.1.running_mean")


def test_compiled_module_ignoring_eval_is_killed(monkeypatch, pytester):
    """Plants a compiled call that runs the model in training mode whatever eval() said (flags set back after)."""

    def wrap(compiled):
        def call(model, *args):
            flags = {m: m.training for m in model.modules()}
            model.train()
            try:
                return compiled(model, *args)
            finally:
                for m, flag in flags.items():
                    m.training = flag

        return call

    plant_compile(monkeypatch, wrap)
    assert_killed(run(pytester, f"{MOD}::{COMPILED}"), COMPILED, "call 2 (eval, no_grad)")


def test_compiled_module_ignoring_no_grad_is_killed(monkeypatch, pytester):
    """Plants a compiled call that always runs under enable_grad (the graph recorded under no_grad too)."""

    def wrap(compiled):
        def call(*args):
            with torch.enable_grad():
                return compiled(*args)

        return call

    plant_compile(monkeypatch, wrap)
    assert_killed(run(pytester, f"{MOD}::{COMPILED}"), COMPILED, "call 0 (train, no_grad): output 0 requires_grad=True")


def test_compiled_module_reusing_its_inference_graph_is_killed(monkeypatch, pytester):
    """Plants the stale graph of pytorch#100977: once the compiled model has run under no_grad, later calls run under no_grad too (the inference graph is reused), so the grad cell's output records nothing."""

    def wrap(compiled):
        seen = []

        def call(*args):
            seen.append(torch.is_grad_enabled())
            with torch.no_grad() if not seen[0] else contextlib.nullcontext():
                return compiled(*args)

        return call

    plant_compile(monkeypatch, wrap)
    assert_killed(run(pytester, f"{MOD}::{COMPILED}"), COMPILED, "call 1 (train, grad): output 0 requires_grad=False")


EMBEDDING = "test_embedding_max_norm_rewrites_its_weight_in_place_in_eval_and_under_no_grad_too"


def test_slice_embedding_skipping_max_norm_under_no_grad_is_killed(pytester, monkeypatch):
    """Plants F.embedding that skips the max_norm renormalization when grad is off (as if no_grad meant "leave the weight alone")."""
    import torch.nn.functional as F

    orig = F.embedding

    def embedding(input, weight, padding_idx=None, max_norm=None, *args, **kwargs):
        if not torch.is_grad_enabled():
            max_norm = None
        return orig(input, weight, padding_idx, max_norm, *args, **kwargs)

    monkeypatch.setattr(F, "embedding", embedding)
    result = run(pytester, f"{MOD}::{EMBEDDING}")
    assert_killed(result, f"{EMBEDDING}[cpu-eval + no_grad]", f"{EMBEDDING}[cpu-train + no_grad]")


# --- the third switch: freezing parameters (mining round 2026-12-01)

FREEZE = f"{MOD}::test_module_requires_grad_false_freezes_every_parameter_and_nothing_else"
FROZEN = f"{MOD}::test_a_frozen_model_computes_as_its_flag_says_and_records_only_an_inputs_graph"
STATES = f"{MOD}::test_grad_modes_and_the_training_flag_never_set_each_other"
_requires_grad_ = nn.Module.requires_grad_


def test_requires_grad_reaching_only_direct_parameters_is_killed(monkeypatch, pytester):
    """Plants Module.requires_grad_ that sets only the module's own parameters, not those of its submodules."""

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters(recurse=False):
            p.requires_grad_(requires_grad)
        return self

    monkeypatch.setattr(nn.Module, "requires_grad_", requires_grad_)
    result = run(pytester, FREEZE)
    assert_killed(result, "test_module_requires_grad_false_freezes_every_parameter_and_nothing_else[cpu-top-train]")


def test_freezing_that_also_calls_eval_is_killed(monkeypatch, pytester):
    """Plants the folklore the other way round: Module.requires_grad_(False) also switches the model to eval()."""

    def requires_grad_(self, requires_grad=True):
        _requires_grad_(self, requires_grad)
        return self if requires_grad else self.eval()

    monkeypatch.setattr(nn.Module, "requires_grad_", requires_grad_)
    result = run(pytester, FREEZE, FROZEN)
    assert_killed(
        result,
        "test_module_requires_grad_false_freezes_every_parameter_and_nothing_else[cpu-ModuleDict-train]",
        "test_a_frozen_model_computes_as_its_flag_says_and_records_only_an_inputs_graph[cpu-train-input]",
    )


def test_requires_grad_returning_none_is_killed(monkeypatch, pytester):
    """Plants Module.requires_grad_ that returns None instead of the module (breaking model = Net().requires_grad_(False))."""
    monkeypatch.setattr(nn.Module, "requires_grad_", lambda self, requires_grad=True: (_requires_grad_(self, requires_grad), None)[1])
    result = run(pytester, FREEZE)
    assert_killed(result, FREEZE.split("::")[1], "but should return the model itself")


def test_requires_grad_marking_buffers_is_killed(monkeypatch, pytester):
    """Plants Module.requires_grad_ that also sets requires_grad on every floating buffer (running stats included)."""

    def requires_grad_(self, requires_grad=True):
        _requires_grad_(self, requires_grad)
        for b in self.buffers():
            if b.is_floating_point():
                b.requires_grad_(requires_grad)
        return self

    monkeypatch.setattr(nn.Module, "requires_grad_", requires_grad_)
    result = run(pytester, FREEZE)
    assert_killed(result, FREEZE.split("::")[1], "buffers ['1.running_mean', '1.running_var'] require grad")


def test_frozen_model_run_under_no_grad_is_killed(monkeypatch, pytester):
    """Plants Module.__call__ that runs a model whose parameters are all frozen under no_grad (freezing taken for no_grad)."""
    call = nn.Module.__call__

    def __call__(self, *args, **kwargs):
        params = list(self.parameters())
        if params and not any(p.requires_grad for p in params):
            with torch.no_grad():
                return call(self, *args, **kwargs)
        return call(self, *args, **kwargs)

    monkeypatch.setattr(nn.Module, "__call__", __call__)
    result = run(pytester, FROZEN)
    assert_killed(result, "test_a_frozen_model_computes_as_its_flag_says_and_records_only_an_inputs_graph[cpu-eval-input-requiring-grad]")


def test_batchnorm_with_a_frozen_weight_not_updating_running_stats_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm that skips the running-stat update when its weight does not require grad (a frozen layer taken for an eval one)."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if training and weight is not None and not weight.requires_grad and running_mean is not None:
            running_mean, running_var = running_mean.clone(), running_var.clone()
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, FROZEN)
    assert_killed(result, "test_a_frozen_model_computes_as_its_flag_says_and_records_only_an_inputs_graph[cpu-train-input]")


def test_eval_switching_grad_mode_off_is_killed(monkeypatch, pytester):
    """Plants Module.eval that also calls torch.set_grad_enabled(False) (the folklore "eval() stops gradients" as state)."""
    real = nn.Module.eval

    def eval_(self):
        torch.set_grad_enabled(False)
        return real(self)

    monkeypatch.setattr(nn.Module, "eval", eval_)
    # the eval cases only: there eval() runs inside the block, whose exit sets the grad mode back (a train case
    # calls eval() before the block, and the leaked mode would trip the harness's state guard instead)
    result = run(pytester, f"{STATES}[enable_grad-eval]", f"{STATES}[set_grad_enabled(True)-eval]")
    assert_killed(result, "test_grad_modes_and_the_training_flag_never_set_each_other[enable_grad-eval]", "after model.eval()")


def test_grad_mode_exit_restoring_the_training_flag_is_killed(monkeypatch, pytester):
    """Plants torch.no_grad whose exit puts back every module's training flag as it was on entry (as if the mode owned the flag)."""
    import gc

    real_enter, real_exit = torch.no_grad.__enter__, torch.no_grad.__exit__

    def enter(self):
        self._flags = [(m, m.training) for m in gc.get_objects() if isinstance(m, nn.Module)]
        return real_enter(self)

    def exit_(self, *args):
        for m, flag in getattr(self, "_flags", []):
            m.training = flag
        return real_exit(self, *args)

    monkeypatch.setattr(torch.no_grad, "__enter__", enter)
    monkeypatch.setattr(torch.no_grad, "__exit__", exit_)
    result = run(pytester, STATES)
    assert_killed(result, "test_grad_modes_and_the_training_flag_never_set_each_other[no_grad-train]")


def test_slice_train_ignored_inside_inference_mode_is_killed(monkeypatch, pytester):
    """Slice: Module.train/eval do nothing inside inference_mode (every other grad mode is right)."""
    real = nn.Module.train

    def train(self, mode=True):
        return self if torch.is_inference_mode_enabled() else real(self, mode)

    monkeypatch.setattr(nn.Module, "train", train)
    result = run(pytester, STATES)
    assert_killed(result, "test_grad_modes_and_the_training_flag_never_set_each_other[inference_mode-eval]")


EVAL_BACKWARD = f"{MOD}::test_backward_through_an_eval_layer_differentiates_its_eval_maths"


def test_eval_batchnorm_backward_through_batch_stats_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm whose eval forward is right but whose backward differentiates the training formula (batch statistics)."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        out = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        if training or not input.requires_grad:
            return out
        batch = _batch_norm(input, None, None, weight, bias, True, momentum, eps)
        return out.detach() + batch - batch.detach()

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, EVAL_BACKWARD)
    assert_killed(result, "test_backward_through_an_eval_layer_differentiates_its_eval_maths[cpu-BatchNorm2d]", "d/dx vs the eval formula")


def test_eval_batchnorm_freezing_its_affine_parameters_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm that detaches weight and bias in eval (as if eval() froze the layer): their .grad stays None."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if not training and weight is not None:
            weight, bias = weight.detach(), bias.detach()
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, EVAL_BACKWARD)
    assert_killed(result, "test_backward_through_an_eval_layer_differentiates_its_eval_maths[cpu-BatchNorm1d(N,C)]", "weight.grad is None")


def test_slice_eval_dropout_backward_scaled_is_killed(monkeypatch, pytester):
    """Slice: an eval Dropout returns its input but back-propagates g / (1 - p) (the training scaling); BatchNorm is right."""

    def dropout(x, p=0.5, training=True, inplace=False):
        out = _dropout(x, p, training, inplace)
        if training or not x.requires_grad:
            return out
        scaled = x / (1 - p)
        return out.detach() + scaled - scaled.detach()

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, EVAL_BACKWARD)
    assert_killed(result, "test_backward_through_an_eval_layer_differentiates_its_eval_maths[cpu-Dropout]")


# --------------------------------------------------------------------------- where they meet: the Transformer fast path

FAST_PATH_SPEC = "test_transformer_encoder_zeroes_padded_positions_only_in_eval_with_autograd_unable_to_record"


def _encoder_forward_with_training(monkeypatch, training_for_call):
    """Plants TransformerEncoder.forward run with every submodule's training flag set to
    ``training_for_call(model)`` (None: left alone) for the call; dropout is 0 in the spec, so only the path changes."""
    orig = torch.nn.TransformerEncoder.forward

    def forward(self, *args, **kwargs):
        want = training_for_call(self)
        if want is None:
            return orig(self, *args, **kwargs)
        before = [(m, m.training) for m in self.modules()]
        for m, _ in before:
            m.training = want
        try:
            return orig(self, *args, **kwargs)
        finally:
            for m, flag in before:
                m.training = flag

    monkeypatch.setattr(torch.nn.TransformerEncoder, "forward", forward)


def test_fast_path_taken_in_training_mode_is_killed(pytester, monkeypatch):
    """Plants a TransformerEncoder that takes its fast path in training mode too when grad is off."""
    _encoder_forward_with_training(monkeypatch, lambda m: False if not torch.is_grad_enabled() else None)
    result = run(pytester, f"{MOD}::{FAST_PATH_SPEC}")
    assert_killed(result, f"{FAST_PATH_SPEC}[cpu-train-no_grad]",
                  "padded positions (seed 0, train mode under no_grad) are all 0 (the fast path), but the ordinary path should run there")


def test_fast_path_never_taken_is_killed(pytester, monkeypatch):
    """Plants a TransformerEncoder that never takes its fast path (padded positions always computed)."""
    _encoder_forward_with_training(monkeypatch, lambda m: True)
    result = run(pytester, f"{MOD}::{FAST_PATH_SPEC}")
    assert_killed(result, f"{FAST_PATH_SPEC}[cpu-eval-no_grad]", f"{FAST_PATH_SPEC}[cpu-eval-inference_mode]",
                  "padded positions (seed 0, eval mode under no_grad)")


def test_slice_fast_path_ignoring_frozen_parameters_is_killed(pytester, monkeypatch):
    """Plants a TransformerEncoder whose fast-path check asks only the grad mode: frozen parameters in grad mode run
    the ordinary path."""
    _encoder_forward_with_training(monkeypatch, lambda m: True if torch.is_grad_enabled() else None)
    result = run(pytester, f"{MOD}::{FAST_PATH_SPEC}")
    assert_killed(result, f"{FAST_PATH_SPEC}[cpu-eval-frozen parameters]", "padded positions (seed 0, eval mode under frozen parameters)")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert failed == {"cpu-eval-frozen parameters]"}, f"other cases failed too: {failed}"


# --------------------------------------------------------------------------- recurrent layers' dropout

RNN_SPEC = "test_recurrent_dropout_between_layers_follows_the_training_flag_in_every_grad_mode"


def _rnn_forward_with_training(monkeypatch, cls, training_for_call):
    """Plants ``cls.forward`` run with its training flag set to ``training_for_call(module)`` (None: unchanged)."""
    orig = cls.forward

    def forward(self, *args, **kwargs):
        want, before = training_for_call(self), self.training
        if want is not None:
            self.training = want
        try:
            return orig(self, *args, **kwargs)
        finally:
            self.training = before

    monkeypatch.setattr(cls, "forward", forward)


def test_slice_lstm_dropping_in_eval_is_killed(pytester, monkeypatch):
    """Plants an LSTM that drops between its layers in eval mode too."""
    _rnn_forward_with_training(monkeypatch, nn.LSTM, lambda m: True)
    result = run(pytester, f"{MOD}::{RNN_SPEC}")
    assert_killed(result, f"{RNN_SPEC}[cpu-LSTM]", "LSTM in eval mode under default vs its dropout-free twin")
    failed = {r.nodeid.split("[")[-1] for r in result.reprec.getfailures()}
    assert failed == {"cpu-LSTM]"}, f"other cases failed too: {failed}"


def test_recurrent_dropout_off_under_no_grad_is_killed(pytester, monkeypatch):
    """Plants RNN/LSTM/GRU that stop dropping in training mode when grad mode is off (eval-like under no_grad)."""
    for cls in (nn.RNN, nn.LSTM, nn.GRU):
        _rnn_forward_with_training(monkeypatch, cls, lambda m: False if not torch.is_grad_enabled() else None)
    result = run(pytester, f"{MOD}::{RNN_SPEC}")
    assert_killed(result, f"{RNN_SPEC}[cpu-GRU]", f"{RNN_SPEC}[cpu-RNN]",
                  "GRU in training mode under no_grad: two calls gave equal outputs, but dropout should differ")
