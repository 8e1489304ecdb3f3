"""Planted regressions for specs/test_module_vs_functional.py: every claim there is killed by one below."""

from __future__ import annotations

import functools
import warnings

import torch
import torch.nn.functional as F
from torch import nn

from tests.plant import assert_killed, assert_passed, run

MOD = "test_module_vs_functional.py"
SPY = f"{MOD}::test_modules_call_torch_nn_functional_underneath"
_dropout, _batch_norm, _relu = F.dropout, F.batch_norm, F.relu


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the whole module passes."""
    assert_passed(run(pytester, MOD))


def test_linear_dropping_its_bias_is_killed(monkeypatch, pytester):
    """Plants nn.Linear.forward that forgets the bias."""
    monkeypatch.setattr(nn.Linear, "forward", lambda self, x: F.linear(x, self.weight))
    assert_killed(
        run(pytester, f"{MOD}::test_linear_equals_f_linear_with_its_parameters"),
        "test_linear_equals_f_linear_with_its_parameters",
        "nn.Linear(x) vs F.linear(x, m.weight, m.bias)",
    )


def test_conv2d_ignoring_dilation_is_killed(monkeypatch, pytester):
    """Plants nn.Conv2d.forward that ignores the module's dilation."""
    monkeypatch.setattr(
        nn.Conv2d, "forward",
        lambda self, x: F.conv2d(x, self.weight, self.bias, self.stride, self.padding, 1, self.groups),
    )
    result = run(pytester, f"{MOD}::test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters")
    assert_killed(result, "test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters", "nn.Conv2d(x) vs F.conv2d(")


def test_relu_turned_leaky_is_killed(monkeypatch, pytester):
    """Plants nn.ReLU.forward that computes a leaky ReLU (slope 0.01 for negatives)."""
    monkeypatch.setattr(nn.ReLU, "forward", lambda self, x: F.leaky_relu(x, 0.01, inplace=self.inplace))
    assert_killed(run(pytester, f"{MOD}::test_relu_equals_f_relu"), "test_relu_equals_f_relu", "nn.ReLU(inplace=")


def test_batchnorm_module_ignoring_momentum_is_killed(monkeypatch, pytester):
    """Plants BatchNorm.forward that updates its running stats with momentum 0.1 whatever its momentum is."""
    real = nn.modules.batchnorm._BatchNorm.forward

    def forward(self, input):
        momentum, self.momentum = self.momentum, 0.1
        try:
            return real(self, input)
        finally:
            self.momentum = momentum

    monkeypatch.setattr(nn.modules.batchnorm._BatchNorm, "forward", forward)
    result = run(pytester, f"{MOD}::test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag")
    assert_killed(result, "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-train]")


def test_dropout_module_ignoring_eval_is_killed(monkeypatch, pytester):
    """Plants nn.Dropout.forward that always passes training=True to F.dropout."""
    monkeypatch.setattr(nn.Dropout, "forward", lambda self, x: F.dropout(x, self.p, True, self.inplace))
    result = run(pytester, f"{MOD}::test_dropout_equals_f_dropout_with_its_p_and_training_flag", SPY)
    assert_killed(
        result,
        "test_dropout_equals_f_dropout_with_its_p_and_training_flag[cpu-eval]",
        "test_modules_call_torch_nn_functional_underneath[cpu-Dropout-eval]",
        "F.dropout got training=True, but should be False",
    )


def test_to_forgetting_buffers_is_killed(monkeypatch, pytester):
    """Plants Module.to that converts parameters but leaves buffers (running stats) behind."""
    real = nn.Module.to

    def to(self, *args, **kwargs):
        saved = {n: b for n, b in self.named_buffers()}
        out = real(self, *args, **kwargs)
        for name, buf in saved.items():
            owner, _, leaf = name.rpartition(".")
            self.get_submodule(owner)._buffers[leaf] = buf
        return out

    monkeypatch.setattr(nn.Module, "to", to)
    result = run(pytester, f"{MOD}::test_modules_own_their_parameters_and_buffers_and_functionals_hold_none")
    assert_killed(result, "test_modules_own_their_parameters_and_buffers_and_functionals_hold_none[cpu-BatchNorm2d]")


def test_f_dropout_default_flipped_is_killed(monkeypatch, pytester):
    """Plants F.dropout whose training argument defaults to False."""
    monkeypatch.setattr(F, "dropout", lambda input, p=0.5, training=False, inplace=False: _dropout(input, p, training, inplace))
    result = run(pytester, f"{MOD}::test_f_dropout_defaults_to_training_true_and_keeps_dropping_after_eval")
    assert_killed(result, "test_f_dropout_defaults_to_training_true_and_keeps_dropping_after_eval")


def test_f_batch_norm_default_flipped_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm whose training argument defaults to True."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=True, momentum=0.1, eps=1e-5):
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_f_batch_norm_defaults_to_training_false_and_uses_the_running_stats")
    assert_killed(result, "test_f_batch_norm_defaults_to_training_false_and_uses_the_running_stats")


def test_modules_bypassing_functional_is_killed(monkeypatch, pytester):
    """Plants nn.Dropout.forward and nn.ReLU.forward that call the torch ops directly instead of torch.nn.functional."""
    monkeypatch.setattr(nn.Dropout, "forward", lambda self, x: torch.dropout(x, self.p, self.training))
    monkeypatch.setattr(nn.ReLU, "forward", lambda self, x: torch.relu(x))
    result = run(pytester, SPY)
    assert_killed(
        result,
        "test_modules_call_torch_nn_functional_underneath[cpu-Dropout-train]",
        "test_modules_call_torch_nn_functional_underneath[cpu-ReLU-train]",
        "F.dropout was never called",
        "F.relu was never called",
    )


def test_functional_deprecated_is_killed(monkeypatch, pytester):
    """Plants the folklore: F.relu warns that torch.nn.functional will be removed."""

    def relu(input, inplace=False):
        warnings.warn("torch.nn.functional.relu is deprecated and will be removed in the next version", FutureWarning)
        return _relu(input, inplace=inplace)

    monkeypatch.setattr(F, "relu", relu)
    result = run(pytester, f"{MOD}::test_torch_nn_functional_is_a_documented_supported_api")
    assert_killed(result, "test_torch_nn_functional_is_a_documented_supported_api")


def test_relu_ignoring_inplace_is_killed(monkeypatch, pytester):
    """Plants F.relu that ignores inplace=True and returns a new tensor (the input left as it was)."""
    monkeypatch.setattr(F, "relu", lambda input, inplace=False: torch.relu(input))
    assert_killed(run(pytester, f"{MOD}::test_relu_equals_f_relu"), "test_relu_equals_f_relu", "inplace=True returned a new tensor")


TORCH_FUNCTIONAL_SPEC = f"{MOD}::test_torch_functional_is_a_separate_module_of_torch_functions_not_deprecated"
DEPRECATED_DOCS_SPEC = f"{MOD}::test_torch_functional_documents_only_norm_chain_matmul_and_lu_as_deprecated"


def test_torch_functional_meshgrid_ignoring_xy_is_killed(monkeypatch, pytester):
    """Plants a torch.meshgrid (torch.functional.meshgrid is the same object) that ignores indexing="xy" and always uses "ij"."""
    meshgrid = torch.functional.meshgrid

    @functools.wraps(meshgrid)
    def ij_only(*tensors, indexing=None):
        return meshgrid(*tensors, indexing="ij")

    monkeypatch.setattr(torch.functional, "meshgrid", ij_only)
    monkeypatch.setattr(torch, "meshgrid", ij_only)
    result = run(pytester, TORCH_FUNCTIONAL_SPEC)
    assert_killed(result, "test_torch_functional_is_a_separate_module_of_torch_functions_not_deprecated", "torch.functional.meshgrid(...)")


def test_torch_functional_deprecated_is_killed(monkeypatch, pytester):
    """Plants what the source note predicts: torch.functional.einsum (also torch.einsum) warns that torch.functional will be removed."""
    einsum = torch.functional.einsum

    @functools.wraps(einsum)
    def deprecated(*args, **kwargs):
        warnings.warn("torch.functional is deprecated and will be removed in the next release", FutureWarning)
        return einsum(*args, **kwargs)

    monkeypatch.setattr(torch.functional, "einsum", deprecated)
    monkeypatch.setattr(torch, "einsum", deprecated)
    result = run(pytester, TORCH_FUNCTIONAL_SPEC)
    assert_killed(result, "test_torch_functional_is_a_separate_module_of_torch_functions_not_deprecated", "torch.functional.einsum warned")


def test_torch_functional_split_no_longer_torch_split_is_killed(monkeypatch, pytester):
    """Plants a torch.functional.split that is a separate wrapper instead of torch.split itself (same results)."""
    split = torch.functional.split
    monkeypatch.setattr(torch.functional, "split", functools.wraps(split)(lambda *a, **k: split(*a, **k)))
    result = run(pytester, TORCH_FUNCTIONAL_SPEC)
    assert_killed(result, "test_torch_functional_is_a_separate_module_of_torch_functions_not_deprecated", "but should be torch.split=")


def test_torch_functional_einsum_documented_deprecated_is_killed(monkeypatch, pytester):
    """Plants a deprecation warning in torch.einsum's docstring, as if torch.functional were being retired function by function."""
    doc = torch.functional.einsum.__doc__
    monkeypatch.setattr(
        torch.functional.einsum,
        "__doc__",
        ".. warning::\n\n    torch.einsum is deprecated and will be removed in a future PyTorch release.\n\n" + doc,
    )
    result = run(pytester, DEPRECATED_DOCS_SPEC)
    assert_killed(result, "test_torch_functional_documents_only_norm_chain_matmul_and_lu_as_deprecated", "['chain_matmul', 'einsum', 'lu', 'norm']")


def test_torch_norm_undeprecated_is_killed(monkeypatch, pytester):
    """Plants a torch.norm docstring without its deprecation warning (and without pointing to torch.linalg)."""
    monkeypatch.setattr(torch.functional.norm, "__doc__", "Returns the matrix norm or vector norm of a given tensor.")
    result = run(pytester, DEPRECATED_DOCS_SPEC)
    assert_killed(result, "test_torch_functional_documents_only_norm_chain_matmul_and_lu_as_deprecated", "documented as deprecated: ['chain_matmul', 'lu']")


# --------------------------------------------------------------------------- maths oracles (issue #14)
# Each plant below changes the functional itself, so nn.Module and F agree and only the maths
# written out in the spec can kill it.

_linear, _conv2d = F.linear, F.conv2d
LINEAR_SPEC = f"{MOD}::test_linear_equals_f_linear_with_its_parameters"
CONV_SPEC = f"{MOD}::test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters"
BN_SPEC = f"{MOD}::test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag"


def test_f_linear_subtracting_the_bias_is_killed(monkeypatch, pytester):
    """Plants an F.linear that computes x @ W.T - b (nn.Linear calls it, so module == functional still holds)."""
    monkeypatch.setattr(F, "linear", lambda input, weight, bias=None: _linear(input, weight, None if bias is None else -bias))
    assert_killed(run(pytester, LINEAR_SPEC), "test_linear_equals_f_linear_with_its_parameters", "F.linear(x, W, b) vs x @ W.T + b in float64")


def test_f_batch_norm_updating_running_var_with_the_biased_variance_is_killed(monkeypatch, pytester):
    """Plants an F.batch_norm whose running_var moves towards the biased batch variance (module and functional agree)."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        before = None if running_var is None else running_var.clone()
        out = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        if training and running_var is not None:
            dims = [0, *range(2, input.dim())]
            with torch.no_grad():
                running_var.copy_((1 - momentum) * before + momentum * input.var(dim=dims, unbiased=False))
        return out

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    assert_killed(
        run(pytester, BN_SPEC),
        "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-train]",
        "running_var after train vs",
    )


def test_slice_f_conv2d_ignoring_dilation_for_two_groups_only_is_killed(monkeypatch, pytester):
    """Slice: an F.conv2d that ignores dilation only when groups == 2 (module == functional still holds)."""

    def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        return _conv2d(input, weight, bias, stride, padding, 1 if groups == 2 else dilation, groups)

    monkeypatch.setattr(F, "conv2d", conv2d)
    assert_killed(run(pytester, CONV_SPEC), "test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters", "groups=2) vs the convolution sum")


def test_slice_f_conv2d_ignoring_padding_at_stride_two_only_is_killed(monkeypatch, pytester):
    """Slice: an F.conv2d that pads one pixel less, only when the stride is 2."""

    def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        s = stride[0] if isinstance(stride, (tuple, list)) else stride
        p = padding[0] if isinstance(padding, (tuple, list)) else padding
        return _conv2d(input, weight, bias, stride, p - 1 if s == 2 and p > 0 else padding, dilation, groups)

    monkeypatch.setattr(F, "conv2d", conv2d)
    assert_killed(run(pytester, CONV_SPEC), "test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters", "vs the convolution sum")


def test_slice_f_linear_dropping_the_bias_for_float64_only_is_killed(monkeypatch, pytester):
    """Slice: an F.linear that forgets the bias only for float64 inputs."""
    monkeypatch.setattr(
        F, "linear", lambda input, weight, bias=None: _linear(input, weight, None if input.dtype == torch.float64 else bias)
    )
    assert_killed(run(pytester, LINEAR_SPEC), "test_linear_equals_f_linear_with_its_parameters", "vs x @ W.T + b in float64")


def test_slice_f_linear_wrong_for_two_batch_dims_only_is_killed(monkeypatch, pytester):
    """Slice: an F.linear that drops the bias only for 3-d inputs (two batch dimensions)."""
    monkeypatch.setattr(F, "linear", lambda input, weight, bias=None: _linear(input, weight, None if input.dim() == 3 else bias))
    assert_killed(run(pytester, LINEAR_SPEC), "test_linear_equals_f_linear_with_its_parameters", "vs x @ W.T + b in float64")


def test_slice_f_batch_norm_normalizing_with_the_unbiased_variance_in_training_only_is_killed(monkeypatch, pytester):
    """Slice: an F.batch_norm that, in training only, normalizes with the unbiased batch variance."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        out = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        if not training:
            return out
        dims = [0, *range(2, input.dim())]
        n = input.numel() // input.shape[1]
        shape = [1, -1, *[1] * (input.dim() - 2)]
        var = input.var(dim=dims, unbiased=False).reshape(shape)
        mean = input.mean(dim=dims).reshape(shape)
        w = 1 if weight is None else weight.reshape(shape)
        b = 0 if bias is None else bias.reshape(shape)
        return (input - mean) / torch.sqrt(var * n / (n - 1) + eps) * w + b

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, BN_SPEC)
    assert_killed(result, "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-train]", "in train mode vs (x - mean)")


def test_slice_f_conv2d_off_by_a_bias_for_float64_only_is_killed(monkeypatch, pytester):
    """Slice: an F.conv2d that adds 1e-3 to every output, only for float64 inputs (float32 is right)."""

    def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        out = _conv2d(input, weight, bias, stride, padding, dilation, groups)
        return out + 1e-3 if input.dtype == torch.float64 else out

    monkeypatch.setattr(F, "conv2d", conv2d)
    assert_killed(run(pytester, CONV_SPEC), "test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters", "vs the convolution sum")


def test_slice_f_batch_norm_running_var_biased_for_float64_only_is_killed(monkeypatch, pytester):
    """Slice: an F.batch_norm that, for float64 in training only, moves running_var towards the biased batch variance."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if not (training and input.dtype == torch.float64 and running_var is not None):
            return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        dims = [0, *range(2, input.dim())]
        before = running_var.clone()
        out = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        with torch.no_grad():
            running_var.copy_((1 - momentum) * before + momentum * input.var(dim=dims, unbiased=False))
        return out

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    assert_killed(run(pytester, BN_SPEC), "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-train]",
                  "running_var after train vs")


def test_slice_f_relu_zeroing_nan_for_bfloat16_only_is_killed(monkeypatch, pytester):
    """Slice: an F.relu that maps NaN to 0 (max(x, 0) done with a comparison), only for bfloat16 (nn.ReLU agrees: it calls F.relu)."""

    def relu(input, inplace=False):
        if input.dtype != torch.bfloat16:
            return _relu(input, inplace=inplace)
        out = torch.where(input > 0, input, torch.zeros_like(input))
        return input.copy_(out) if inplace else out

    monkeypatch.setattr(F, "relu", relu)
    assert_killed(run(pytester, f"{MOD}::test_relu_equals_f_relu"), "test_relu_equals_f_relu", "on torch.bfloat16 vs max(x, 0)")
