"""Planted regressions for specs/test_module_vs_functional.py: every claim there is killed by one below."""

from __future__ import annotations

import functools
import warnings

import torch
import torch.nn.functional as F
from torch import nn

import pytest

from tests.plant import assert_killed, assert_passed, run

MOD = "test_module_vs_functional.py"
SPY = f"{MOD}::test_modules_call_torch_nn_functional_underneath"


_dropout, _batch_norm, _relu = F.dropout, F.batch_norm, F.relu


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the whole module passes (a known bug's strict xfail included)."""
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
    assert_killed(result, "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-2d-train-float32]")


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
    assert_killed(result, "test_modules_own_their_parameters_and_buffers_and_functionals_hold_none[cpu-BatchNorm2d-float64]")


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
    assert_killed(run(pytester, LINEAR_SPEC), "test_linear_equals_f_linear_with_its_parameters", "vs x @ W.T + b in float64")


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
        "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-2d-train-float32]",
        "running_var after train vs",
    )


def test_slice_f_conv2d_ignoring_dilation_for_two_groups_only_is_killed(monkeypatch, pytester):
    """Slice: an F.conv2d that ignores dilation only when groups == 2 (module == functional still holds)."""

    def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        return _conv2d(input, weight, bias, stride, padding, 1 if groups == 2 else dilation, groups)

    monkeypatch.setattr(F, "conv2d", conv2d)
    assert_killed(run(pytester, CONV_SPEC), "test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters", "groups=2) on a")


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
    assert_killed(result, "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-2d-train-float32]", "in train mode vs (x - mean)")


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
    assert_killed(run(pytester, BN_SPEC), "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-2d-channels_last-train-float64]",
                  "running_var after train vs")


def test_slice_f_relu_zeroing_nan_for_bfloat16_only_is_killed(monkeypatch, pytester):
    """Slice: an F.relu that maps NaN to 0 (max(x, 0) done with a comparison), only for bfloat16 (nn.ReLU agrees: it calls F.relu)."""

    def relu(input, inplace=False):
        if input.dtype != torch.bfloat16:
            return _relu(input, inplace=inplace)
        out = torch.where(input > 0, input, torch.zeros_like(input))
        return input.copy_(out) if inplace else out

    monkeypatch.setattr(F, "relu", relu)
    assert_killed(run(pytester, f"{MOD}::test_relu_equals_f_relu"), "test_relu_equals_f_relu", "on torch.bfloat16 (")


# --------------------------------------------------------------------------- issue 21: asymmetric conv, every BatchNorm input, layouts, dtypes


def _swap(v):
    return (v[1], v[0]) if isinstance(v, (tuple, list)) else v


def test_slice_f_conv2d_reading_tuples_as_w_h_is_killed(monkeypatch, pytester):
    """Slice (a regression a review found surviving): F.conv2d reads stride/padding/dilation tuples as (W, H); ints and symmetric tuples are unaffected (nn.Conv2d calls it, so module == functional holds)."""

    def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        return _conv2d(input, weight, bias, _swap(stride), _swap(padding), _swap(dilation), groups)

    monkeypatch.setattr(F, "conv2d", conv2d)
    result = run(pytester, CONV_SPEC)
    assert_killed(result, *(f"test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters[cpu-asymmetric_tuple-{case}]"
                            for case in ("batched-float64", "batched-channels_last-float32", "batched-step_sliced-float64-no_bias",
                                         "unbatched-float32", "unbatched-transposed-float64")), "vs the convolution sum")
    assert result.parseoutcomes()["failed"] == 5


def test_slice_f_conv2d_swapping_only_the_padding_is_killed(monkeypatch, pytester):
    """Slice: F.conv2d pads (W, H) for a (H, W) padding tuple (stride and dilation read right)."""

    def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        return _conv2d(input, weight, bias, stride, _swap(padding), dilation, groups)

    monkeypatch.setattr(F, "conv2d", conv2d)
    assert_killed(run(pytester, CONV_SPEC), "test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters[cpu-asymmetric_tuple-batched-float64]")


def test_slice_f_conv2d_dropping_the_bias_for_unbatched_input_is_killed(monkeypatch, pytester):
    """Slice: F.conv2d forgets the bias for an unbatched (C, H, W) input only."""
    monkeypatch.setattr(F, "conv2d", lambda input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1:
                        _conv2d(input, weight, None if input.dim() == 3 else bias, stride, padding, dilation, groups))
    result = run(pytester, CONV_SPEC)
    assert_killed(result, "test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters[cpu-asymmetric_tuple-unbatched-float32]", "on a unbatched")


def test_slice_f_conv2d_wrong_for_channels_last_input_is_killed(monkeypatch, pytester):
    """Slice: F.conv2d on a channels_last input convolves the channels-last buffer read as contiguous (the values scrambled); contiguous input is right."""

    def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        if input.dim() == 4 and input.is_contiguous(memory_format=torch.channels_last) and not input.is_contiguous():
            input = input.permute(0, 2, 3, 1).reshape(input.shape)  # the buffer's order, as if contiguous
        return _conv2d(input, weight, bias, stride, padding, dilation, groups)

    monkeypatch.setattr(F, "conv2d", conv2d)
    result = run(pytester, CONV_SPEC)
    assert_killed(result, "test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters[cpu-int-batched-channels_last-float64]",
                  "test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters[cpu-asymmetric_tuple-batched-channels_last-float32]")


def test_slice_f_linear_wrong_for_a_transposed_input_is_killed(monkeypatch, pytester):
    """Slice: F.linear reads a non-contiguous input's storage as if it were contiguous (strides ignored)."""

    def linear(input, weight, bias=None):
        if not input.is_contiguous() and input.numel():
            input = torch.as_strided(input, input.shape, torch.empty(input.shape).stride(), input.storage_offset())
        return _linear(input, weight, bias)

    monkeypatch.setattr(F, "linear", linear)
    result = run(pytester, LINEAR_SPEC)
    assert_killed(result, "test_linear_equals_f_linear_with_its_parameters", "on a transposed x")


def test_slice_f_batch_norm_not_updating_running_stats_for_channels_last_is_killed(monkeypatch, pytester):
    """Slice: F.batch_norm in training on a channels_last input normalizes right but leaves the running stats alone (nn.BatchNorm2d calls it: module == functional holds)."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if training and running_mean is not None and input.dim() == 4 and not input.is_contiguous():
            running_mean, running_var = running_mean.clone(), running_var.clone()
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, BN_SPEC)
    assert_killed(result, "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-2d-channels_last-train-float64]",
                  "running_mean after train vs")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_batchnorm_momentum_none_passing_zero_is_killed(monkeypatch, pytester):
    """Slice: BatchNorm with momentum=None passes momentum 0 to F.batch_norm (its running stats never move); float momenta are right."""
    real = nn.modules.batchnorm._BatchNorm.forward

    def forward(self, input):
        if self.momentum is not None:
            return real(self, input)
        self.momentum = 0.0
        try:
            return real(self, input)
        finally:
            self.momentum = None

    monkeypatch.setattr(nn.modules.batchnorm._BatchNorm, "forward", forward)
    result = run(pytester, BN_SPEC)
    assert_killed(result, "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag", "vs the running_mean F.batch_norm updated")


def test_slice_batchnorm3d_counting_eval_batches_is_killed(monkeypatch, pytester):
    """Slice: BatchNorm3d counts eval batches in num_batches_tracked too (1d and 2d are right)."""
    real = nn.BatchNorm3d.forward

    def forward(self, input):
        out = real(self, input)
        if not self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
        return out

    monkeypatch.setattr(nn.BatchNorm3d, "forward", forward)
    result = run(pytester, BN_SPEC)
    assert_killed(result, "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-3d-eval-float64]",
                  "test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag[cpu-3d-channels_last_3d-eval-float32]",
                  "after a eval call")
    assert result.parseoutcomes()["failed"] == 2


def test_slice_relu_inplace_not_in_place_for_non_contiguous_input_is_killed(monkeypatch, pytester):
    """Slice: F.relu(x, inplace=True) on a non-contiguous x returns a new tensor and leaves x alone (contiguous x is right)."""

    def relu(input, inplace=False):
        if inplace and not input.is_contiguous():
            return torch.relu(input)
        return _relu(input, inplace=inplace)

    monkeypatch.setattr(F, "relu", relu)
    result = run(pytester, f"{MOD}::test_relu_equals_f_relu")
    assert_killed(result, "test_relu_equals_f_relu[cpu-float16-inplace-transposed]", "test_relu_equals_f_relu[cpu-float32-inplace-step_sliced]")


def test_slice_to_float16_leaving_batchnorm_buffers_in_float32_is_killed(monkeypatch, pytester):
    """Slice: Module.to(torch.float16) converts parameters but leaves float buffers (running stats) as they were; other dtypes are right."""
    real = nn.Module.to

    def to(self, *args, **kwargs):
        if torch.float16 not in args and kwargs.get("dtype") != torch.float16:
            return real(self, *args, **kwargs)
        saved = dict(self.named_buffers())
        out = real(self, *args, **kwargs)
        for name, buf in saved.items():
            owner, _, leaf = name.rpartition(".")
            if buf.is_floating_point():
                self.get_submodule(owner)._buffers[leaf] = buf
        return out

    monkeypatch.setattr(nn.Module, "to", to)
    result = run(pytester, f"{MOD}::test_modules_own_their_parameters_and_buffers_and_functionals_hold_none")
    assert_killed(result, "test_modules_own_their_parameters_and_buffers_and_functionals_hold_none[cpu-BatchNorm2d-float16]")
    assert result.parseoutcomes()["failed"] == 1


# --------------------------------------------------------------------------- issue 22: under torch.compile

_compile = torch.compile
ZOO = f"{MOD}::test_modules_and_functionals_under_compile_compute_the_written_out_maths"
VERSIONS = f"{MOD}::test_f_batch_norm_under_compile_moves_the_running_stats_versions_as_eager"


def _wrapping_compile(around):
    def compile_(fn=None, **kwargs):
        compiled = _compile(fn, **kwargs)
        return lambda *args: around(compiled, args)

    return compile_


def test_compiled_f_batch_norm_skipping_the_running_stats_update_is_killed(monkeypatch, pytester):
    """Plants a torch.compile whose compiled function loses the functional batch norm's in-place update of the running stats it was given."""

    def around(compiled, args):
        stats = [a for a in args if isinstance(a, nn.Module) and hasattr(a, "rm")]
        saved = [(s.rm.clone(), s.rv.clone()) for s in stats]
        out = compiled(*args)
        with torch.no_grad():
            for s, (rm, rv) in zip(stats, saved):
                s.rm.copy_(rm), s.rv.copy_(rv)
        return out

    monkeypatch.setattr(torch, "compile", _wrapping_compile(around))
    assert_killed(run(pytester, ZOO), "test_modules_and_functionals_under_compile_compute_the_written_out_maths", "call 0 (train): module4.rm")


def test_slice_compiled_conv2d_reading_tuples_as_w_h_is_killed(monkeypatch, pytester):
    """Slice: under torch.compile, F.conv2d (traced into the graph) reads its (H, W) tuples as (W, H); eager F.conv2d is right."""

    def compile_(fn=None, **kwargs):
        def call(*args):
            monkeypatch.setattr(F, "conv2d", lambda input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1:
                                _conv2d(input, weight, bias, _swap(stride), _swap(padding), _swap(dilation), groups))
            try:
                return _compile(fn, **kwargs)(*args)
            finally:
                monkeypatch.setattr(F, "conv2d", _conv2d)

        return call

    monkeypatch.setattr(torch, "compile", compile_)
    assert_killed(run(pytester, ZOO), "test_modules_and_functionals_under_compile_compute_the_written_out_maths", "output 2")


def test_slice_compiled_relu_zeroing_nan_is_killed(monkeypatch, pytester):
    """Slice: compiled ReLU maps NaN to 0 (eager keeps NaN); every other value is right."""

    def around(compiled, args):
        out = list(compiled(*args))
        out[6] = torch.nan_to_num(out[6], nan=0.0, posinf=float("inf"), neginf=float("-inf"))
        return tuple(out)

    monkeypatch.setattr(torch, "compile", _wrapping_compile(around))
    assert_killed(run(pytester, ZOO), "test_modules_and_functionals_under_compile_compute_the_written_out_maths", "output 6")


def test_batch_norm_bumping_its_versions_eagerly_is_reported(monkeypatch, pytester):
    """Plants the fix of pytorch#13402: eager F.batch_norm bumps the version counters of the running stats it updates. The known-bug spec then passes -- a strict XPASS -- so the run reports that the bug is gone."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        out = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        if training and running_mean is not None:
            with torch.no_grad():
                running_mean.add_(0), running_var.add_(0)
        return out

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, VERSIONS)
    if not torch_at_least("2.3"):
        assert_passed(result)  # no known bug marked here: the claim holds either way
        return
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 2 and "XPASS(strict)" in result.stdout.str(), f"{outcomes}\n{result.stdout.str()[-3000:]}"


BN_MODULE_VERSIONS = "test_batchnorm_module_under_compile_moves_its_buffers_versions_as_eager"


@pytest.mark.skipif(torch.__version__ < "2.1", reason="torch.compile cannot run (torch 2.0 on Python 3.11)")
def test_batchnorm_module_compiled_as_eager_is_reported(monkeypatch, pytester):
    """Plants the fix of pytorch#128198 (torch.compile returns the function itself: the module's buffers move as eagerly): the known-bug spec then passes -- a strict XPASS -- so the run reports that the bug is gone."""
    monkeypatch.setattr(torch, "compile", lambda fn=None, **kwargs: fn)
    result = run(pytester, f"{MOD}::{BN_MODULE_VERSIONS}")
    assert result.parseoutcomes().get("failed") == 1 and "XPASS(strict)" in result.stdout.str(), result.stdout.str()[-3000:]


# --------------------------------------------------------------------------- issue 21 (battery H3): half-precision Linear, warning deprecations

LINEAR = f"{MOD}::test_linear_equals_f_linear_with_its_parameters"
_linear = F.linear


def test_slice_linear_module_upcasting_bfloat16_is_killed(monkeypatch, pytester):
    """Slice: nn.Linear on bfloat16 input computes in float32 and returns float32 (F.linear is right)."""
    real = nn.Linear.forward

    def forward(self, x):
        if x.dtype == torch.bfloat16:
            return _linear(x.float(), self.weight.float(), None if self.bias is None else self.bias.float())
        return real(self, x)

    monkeypatch.setattr(nn.Linear, "forward", forward)
    result = run(pytester, LINEAR)
    assert_killed(result, "test_linear_equals_f_linear_with_its_parameters[cpu-bfloat16-contiguous]")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_f_linear_float16_dropping_the_bias_is_killed(monkeypatch, pytester):
    """Slice: F.linear's float16 kernel forgets the bias (module and functional agree; only the maths kills it)."""
    monkeypatch.setattr(F, "linear", lambda input, weight, bias=None: _linear(input, weight, None if input.dtype == torch.float16 else bias))
    result = run(pytester, LINEAR)
    assert_killed(result, "test_linear_equals_f_linear_with_its_parameters[cpu-float16-transposed]")
    assert result.parseoutcomes()["failed"] == 1


def _silenced(fn):
    @functools.wraps(fn)
    def silent(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)

    return silent


@pytest.mark.parametrize("name", ["chain_matmul", "lu"])
def test_deprecated_torch_functional_function_warning_nothing_is_killed(monkeypatch, pytester, name):
    """Plants torch.chain_matmul / torch.lu that no longer warn that they are deprecated (results unchanged)."""
    monkeypatch.setattr(torch, name, _silenced(getattr(torch, name)))
    result = run(pytester, f"{MOD}::test_torch_chain_matmul_and_lu_warn_user_warning_and_still_compute")
    assert_killed(result, f"test_torch_chain_matmul_and_lu_warn_user_warning_and_still_compute[cpu-{name}]")


def test_chain_matmul_multiplying_in_the_wrong_order_is_killed(monkeypatch, pytester):
    """Plants torch.chain_matmul that multiplies its matrices right to left (reversed order), still warning."""
    real = torch.chain_matmul
    monkeypatch.setattr(torch, "chain_matmul", lambda *ms, out=None: real(*ms[::-1]))
    result = run(pytester, f"{MOD}::test_torch_chain_matmul_and_lu_warn_user_warning_and_still_compute")
    assert_killed(result, "test_torch_chain_matmul_and_lu_warn_user_warning_and_still_compute[cpu-chain_matmul]")


# --- release history (mined from release notes; see docs/release-history.md)

import re as _re  # noqa: E402

import pytest  # noqa: E402

from specs.helpers import torch_at_least  # noqa: E402

IDIOMS = f"{MOD}::test_deprecated_nn_functional_idioms_warn_user_warning_and_equal_their_replacement"


def test_slice_upsample_without_its_deprecation_warning_is_killed(pytester, monkeypatch):
    """Plants F.upsample as a silent alias of F.interpolate: only the F.upsample idiom loses its warning."""
    monkeypatch.setattr(F, "upsample", F.interpolate)
    result = run(pytester, IDIOMS)
    assert_killed(result, "test_deprecated_nn_functional_idioms_warn_user_warning_and_equal_their_replacement")


def test_slice_implicit_softmax_dim_picking_dim_0_is_killed(pytester, monkeypatch):
    """Plants F.softmax whose implicit dim for 2-D input is 0 instead of 1: only the softmax idioms give other values."""
    orig = F.softmax

    def softmax(x, dim=None, *args, **kwargs):
        if dim is None:
            warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X as an argument.")
            dim = 0
        return orig(x, dim, *args, **kwargs)

    monkeypatch.setattr(F, "softmax", softmax)
    result = run(pytester, IDIOMS)
    assert_killed(result, "test_deprecated_nn_functional_idioms_warn_user_warning_and_equal_their_replacement")


def _weight_norm_warning(category):
    orig = nn.utils.weight_norm

    def weight_norm(module, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = orig(module, *args, **kwargs)
        warnings.warn("torch.nn.utils.weight_norm is deprecated in favor of torch.nn.utils.parametrizations.weight_norm.", category)
        return out

    return weight_norm


@pytest.mark.skipif(not torch_at_least("2.4"), reason="the FutureWarning spec is gated to torch>=2.4")
def test_slice_weight_norm_warning_back_to_user_warning_is_killed(pytester, monkeypatch):
    """Plants nn.utils.weight_norm warning UserWarning again (the pre-2.4 category): only the weight_norm case breaks."""
    monkeypatch.setattr(nn.utils, "weight_norm", _weight_norm_warning(UserWarning))
    result = run(pytester, f"{MOD}::test_nn_deprecations_warn_future_warning_from_2_4")
    assert_killed(result, "test_nn_deprecations_warn_future_warning_from_2_4")


@pytest.mark.skipif(not _re.match(r"2\.[1-3]\.", torch.__version__), reason="the UserWarning spec's weight_norm case runs on 2.1-2.3")
def test_slice_weight_norm_warning_as_future_warning_early_is_killed(pytester, monkeypatch):
    """Plants nn.utils.weight_norm warning FutureWarning before 2.4: only the weight_norm case breaks."""
    monkeypatch.setattr(nn.utils, "weight_norm", _weight_norm_warning(FutureWarning))
    result = run(pytester, f"{MOD}::test_nn_deprecations_warn_user_warning_before_2_4")
    assert_killed(result, "test_nn_deprecations_warn_user_warning_before_2_4")


# --- release history, round 2 (mined from release notes and the tracker)


def _hardshrink_raising(kind):
    orig = torch._C._nn.hardshrink if hasattr(torch._C._nn, "hardshrink") else torch.hardshrink

    def hardshrink(input, lambd=0.5):
        try:
            return orig(input, lambd)
        except RuntimeError as e:
            raise kind(str(e)) from None

    return hardshrink


@pytest.mark.skipif(not torch_at_least("2.8"), reason="the NotImplementedError spec is gated to torch>=2.8")
def test_dtype_refusal_as_plain_runtime_error_is_killed(pytester, monkeypatch):
    """Plants F.hardshrink re-raising a missing-kernel NotImplementedError as a plain RuntimeError (the pre-2.8 type)."""
    monkeypatch.setattr(F, "hardshrink", _hardshrink_raising(RuntimeError))
    name = "test_a_dtype_without_a_kernel_raises_not_implemented_error_in_both_forms_from_2_8"
    assert_killed(run(pytester, f"{MOD}::{name}"), name)


@pytest.mark.skipif(torch_at_least("2.8"), reason="the RuntimeError spec is gated to torch<2.8")
def test_dtype_refusal_as_not_implemented_error_early_is_killed(pytester, monkeypatch):
    """Plants F.hardshrink raising NotImplementedError for a missing kernel before 2.8."""
    monkeypatch.setattr(F, "hardshrink", _hardshrink_raising(NotImplementedError))
    name = "test_a_dtype_without_a_kernel_raises_plain_runtime_error_in_both_forms_before_2_8"
    assert_killed(run(pytester, f"{MOD}::{name}"), name)


ALPHA = "test_functional_dropouts_default_to_training_true_but_the_alpha_ones_to_false"


def test_slice_alpha_dropout_defaulting_to_training_true_is_killed(pytester, monkeypatch):
    """Plants F.alpha_dropout whose training argument defaults to True, like F.dropout's (the other dropouts unchanged)."""
    orig = F.alpha_dropout

    def alpha_dropout(input, p=0.5, training=True, inplace=False):
        return orig(input, p, training, inplace)

    monkeypatch.setattr(F, "alpha_dropout", alpha_dropout)
    result = run(pytester, f"{MOD}::{ALPHA}")
    assert_killed(result, f"{ALPHA}[cpu-alpha_dropout]", "training should default to False")


# --- round 3: defaults, losses, pooling, embeddings, activations, functional_call, buffers

FLATTEN = f"{MOD}::test_nn_flatten_keeps_dim_0_but_torch_flatten_flattens_every_dim"


def test_slice_nn_flatten_defaulting_to_start_dim_0_is_killed(monkeypatch, pytester):
    """Plants nn.Flatten() whose start_dim defaults to 0, like torch.flatten's: only the bare nn.Flatten() form changes."""
    init = nn.Flatten.__init__
    monkeypatch.setattr(nn.Flatten, "__init__", lambda self, start_dim=0, end_dim=-1: init(self, start_dim, end_dim))
    result = run(pytester, FLATTEN)
    assert_killed(result, "test_nn_flatten_keeps_dim_0_but_torch_flatten_flattens_every_dim[cpu-nn.Flatten()-contiguous]")
    assert result.parseoutcomes()["failed"] == 2


def test_slice_torch_flatten_reading_memory_order_is_killed(monkeypatch, pytester):
    """Plants torch.flatten that reads a non-contiguous x in memory order (a raw restride of its storage): only permuted inputs break."""
    real = torch.flatten

    def flatten(input, start_dim=0, end_dim=-1):
        out = real(input, start_dim, end_dim)
        if input.is_contiguous() or input.numel() < 2:
            return out
        return torch.as_strided(input, out.shape, torch.empty(out.shape).stride(), input.storage_offset()).clone()

    monkeypatch.setattr(torch, "flatten", flatten)
    result = run(pytester, FLATTEN)
    assert_killed(result, "test_nn_flatten_keeps_dim_0_but_torch_flatten_flattens_every_dim[cpu-torch.flatten(x)-permuted]")
    assert not [r.nodeid for r in result.reprec.getfailures() if "-contiguous]" in r.nodeid], "a contiguous x should be unaffected"


IMPLICIT = "test_softmax_without_dim_warns_and_picks_dim_0_for_rank_0_1_3_and_dim_1_otherwise"


def test_slice_log_softmax_implicit_dim_1_for_3d_input_is_killed(monkeypatch, pytester):
    """Plants F.log_softmax whose implicit dim for a 3-D x is 1 (the 'batch of sequences' guess), still warning: only log_softmax on 3-D breaks."""
    real = F.log_softmax

    def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
        if dim is None and input.dim() == 3:
            warnings.warn("Implicit dimension choice for log_softmax has been deprecated. Change the call to include dim=X as an argument.", stacklevel=_stacklevel)
            dim = 1
        return real(input, dim, _stacklevel, dtype)

    monkeypatch.setattr(F, "log_softmax", log_softmax)
    result = run(pytester, f"{MOD}::{IMPLICIT}")
    assert_killed(result, f"{IMPLICIT}[cpu-F.log_softmax]", f"{IMPLICIT}[cpu-nn.LogSoftmax()]", "over dim 0")
    assert result.parseoutcomes()["failed"] == 2


def test_slice_softmin_implicit_dim_without_its_warning_is_killed(monkeypatch, pytester):
    """Plants F.softmin that picks the implicit dim silently (same values, no 'Implicit dimension choice' warning)."""
    real = F.softmin

    def softmin(input, dim=None, _stacklevel=3, dtype=None):
        if dim is None:
            dim = 0 if input.dim() in (0, 1, 3) else 1
        return real(input, dim, _stacklevel, dtype)

    monkeypatch.setattr(F, "softmin", softmin)
    result = run(pytester, f"{MOD}::{IMPLICIT}")
    assert_killed(result, f"{IMPLICIT}[cpu-F.softmin]", f"{IMPLICIT}[cpu-nn.Softmin()]")
    assert result.parseoutcomes()["failed"] == 2


CE = "test_cross_entropy_module_equals_f_cross_entropy_and_the_written_out_loss"
_cross_entropy = F.cross_entropy


def _ce_planted(change):
    """F.cross_entropy with ``change(args, kwargs)`` -> a result or None (None: the real result)."""

    def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean", label_smoothing=0.0):
        kwargs = dict(weight=weight, ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)
        out = change(input, target, kwargs)
        return _cross_entropy(input, target, **kwargs) if out is None else out

    return cross_entropy


def test_slice_cross_entropy_weighted_mean_dividing_by_the_count_is_killed(monkeypatch, pytester):
    """Plants F.cross_entropy whose weighted 'mean' over class indices divides by the number of counted targets instead of their summed weights."""

    def change(input, target, kw):
        if kw["reduction"] == "mean" and kw["weight"] is not None and not target.is_floating_point():
            return _cross_entropy(input, target, **{**kw, "reduction": "sum"}) / (target != kw["ignore_index"]).sum()
        return None

    monkeypatch.setattr(F, "cross_entropy", _ce_planted(change))
    result = run(pytester, f"{MOD}::{CE}")
    assert_killed(result, f"{CE}[cpu-class_index-mean-float32]", f"{CE}[cpu-class_index-ignore_index=2-mean-float64]")
    assert result.parseoutcomes()["failed"] == 2


def test_slice_cross_entropy_all_ignored_mean_as_zero_is_killed(monkeypatch, pytester):
    """Plants F.cross_entropy returning 0 (not nan) for a 'mean' over targets that are all ignored."""

    def change(input, target, kw):
        if kw["reduction"] == "mean" and not target.is_floating_point() and bool((target == kw["ignore_index"]).all()):
            return input.new_zeros(())
        return None

    monkeypatch.setattr(F, "cross_entropy", _ce_planted(change))
    result = run(pytester, f"{MOD}::{CE}")
    assert_killed(result, f"{CE}[cpu-class_index-mean-float32]", "but should be nan")


def test_slice_cross_entropy_probabilities_ignoring_label_smoothing_is_killed(monkeypatch, pytester):
    """Plants F.cross_entropy that drops label_smoothing for probability targets (class indices still smoothed)."""

    def change(input, target, kw):
        return _cross_entropy(input, target, **{**kw, "label_smoothing": 0.0}) if target.is_floating_point() else None

    monkeypatch.setattr(F, "cross_entropy", _ce_planted(change))
    result = run(pytester, f"{MOD}::{CE}")
    assert_killed(result, f"{CE}[cpu-probabilities-mean-float32]", f"{CE}[cpu-probabilities-none-float32]")
    assert result.parseoutcomes()["failed"] == 3


def test_slice_cross_entropy_module_forgetting_its_ignore_index_is_killed(monkeypatch, pytester):
    """Plants nn.CrossEntropyLoss.forward that passes the default ignore_index (-100) instead of its own."""
    monkeypatch.setattr(nn.CrossEntropyLoss, "forward", lambda self, input, target: F.cross_entropy(
        input, target, weight=self.weight, reduction=self.reduction, label_smoothing=self.label_smoothing))
    result = run(pytester, f"{MOD}::{CE}")
    assert_killed(result, f"{CE}[cpu-class_index-ignore_index=2-sum-float32]", "nn.CrossEntropyLoss vs F.cross_entropy")
    assert result.parseoutcomes()["failed"] == 3


POOL = "test_pooling_modules_equal_their_functionals_and_the_windows_written_out"
_avg_pool2d, _max_pool2d = F.avg_pool2d, F.max_pool2d


def test_slice_avg_pool2d_ignoring_count_include_pad_false_is_killed(monkeypatch, pytester):
    """Plants F.avg_pool2d that always counts the padding in its divisor (count_include_pad=False ignored)."""

    def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
        return _avg_pool2d(input, kernel_size, stride, padding, ceil_mode, True, divisor_override)

    monkeypatch.setattr(F, "avg_pool2d", avg_pool2d)
    result = run(pytester, f"{MOD}::{POOL}")
    assert_killed(result, f"{POOL}[cpu-AvgPool2d(count_include_pad=False)-floor-float32]")
    assert result.parseoutcomes()["failed"] == 2


def test_slice_avg_pool2d_ignoring_divisor_override_is_killed(monkeypatch, pytester):
    """Plants F.avg_pool2d that ignores divisor_override."""

    def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
        return _avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)

    monkeypatch.setattr(F, "avg_pool2d", avg_pool2d)
    result = run(pytester, f"{MOD}::{POOL}")
    assert_killed(result, f"{POOL}[cpu-AvgPool2d(divisor_override=5)-floor-float32]")
    assert result.parseoutcomes()["failed"] == 2


def test_slice_max_pool2d_module_dropping_ceil_mode_is_killed(monkeypatch, pytester):
    """Plants nn.MaxPool2d.forward that does not pass its ceil_mode on (floor mode always)."""
    monkeypatch.setattr(nn.MaxPool2d, "forward", lambda self, input: _max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation))
    result = run(pytester, f"{MOD}::{POOL}")
    assert_killed(result, f"{POOL}[cpu-MaxPool2d-ceil_mode-float64]")
    assert result.parseoutcomes()["failed"] == 1


EMBEDDING = "test_embedding_padding_row_gets_no_gradient_and_only_the_module_zeroes_it"
_embedding = F.embedding


def test_f_embedding_ignoring_padding_idx_is_killed(monkeypatch, pytester):
    """Plants F.embedding that ignores padding_idx: the padding row gets its gradient like any other."""
    monkeypatch.setattr(F, "embedding", lambda input, weight, padding_idx=None, *args, **kwargs: _embedding(input, weight, None, *args, **kwargs))
    assert_killed(run(pytester, f"{MOD}::{EMBEDDING}"), EMBEDDING, "must get none")


def test_f_embedding_masking_the_padding_row_is_killed(monkeypatch, pytester):
    """Plants F.embedding that also zeroes the looked-up padding rows in its output (gradients unchanged)."""

    def embedding(input, weight, padding_idx=None, *args, **kwargs):
        out = _embedding(input, weight, padding_idx, *args, **kwargs)
        if padding_idx is None:
            return out
        return out.masked_fill((input == padding_idx % weight.shape[0])[..., None], 0.0)

    monkeypatch.setattr(F, "embedding", embedding)
    assert_killed(run(pytester, f"{MOD}::{EMBEDDING}"), EMBEDDING, "the rows as stored")


def test_slice_sparse_embedding_gradient_including_the_padding_row_is_killed(monkeypatch, pytester):
    """Plants F.embedding whose sparse gradient includes the padding row (the dense path still right)."""

    def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        return _embedding(input, weight, None if sparse else padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse)

    monkeypatch.setattr(F, "embedding", embedding)
    result = run(pytester, f"{MOD}::{EMBEDDING}")
    assert_killed(result, f"{EMBEDDING}[cpu-padding_idx=1-sparse_grad]", f"{EMBEDDING}[cpu-padding_idx=-2-sparse_grad]")
    assert result.parseoutcomes()["failed"] == 2


GELU = "test_gelu_module_equals_f_gelu_and_its_formula"
_gelu = F.gelu


def test_slice_f_gelu_ignoring_tanh_is_killed(monkeypatch, pytester):
    """Plants F.gelu that computes the exact erf form whatever approximate says (invalid values still refused)."""

    def gelu(input, approximate="none"):
        _gelu(input[:0], approximate=approximate)  # keeps the refusal of an unknown approximate
        return _gelu(input)

    monkeypatch.setattr(F, "gelu", gelu)
    result = run(pytester, f"{MOD}::{GELU}")
    assert_killed(result, f"{GELU}[cpu-tanh-float32]", f"{GELU}[cpu-tanh-float64]")
    assert result.parseoutcomes()["failed"] == 2


def test_slice_gelu_module_dropping_its_approximate_is_killed(monkeypatch, pytester):
    """Plants nn.GELU.forward that calls F.gelu without its approximate (the tanh module computes the erf form)."""
    monkeypatch.setattr(nn.GELU, "forward", lambda self, input: F.gelu(input))
    result = run(pytester, f"{MOD}::{GELU}")
    assert_killed(result, f"{GELU}[cpu-tanh-float64]", "nn.GELU({'approximate': 'tanh'}) vs F.gelu")
    assert result.parseoutcomes()["failed"] == 2


def test_f_gelu_accepting_any_approximate_is_killed(monkeypatch, pytester):
    """Plants F.gelu that reads any approximate other than 'tanh' as 'none' instead of refusing it."""
    monkeypatch.setattr(F, "gelu", lambda input, approximate="none": _gelu(input, approximate="tanh" if approximate == "tanh" else "none"))
    assert_killed(run(pytester, f"{MOD}::{GELU}"), GELU, "raised no RuntimeError")


FUNCTIONAL_CALL = "test_functional_call_runs_the_module_on_the_given_tensors_and_leaves_its_own_untouched"
_functional_call = torch.func.functional_call


def test_functional_call_loading_into_the_module_is_killed(monkeypatch, pytester):
    """Plants torch.func.functional_call that copies the given tensors into the module and calls it (the module keeps them)."""

    def functional_call(module, tensors, args=None, kwargs=None, **options):
        with torch.no_grad():
            own = module.state_dict(keep_vars=True)
            for name, t in tensors.items():
                own[name].copy_(t)
        return module(*((args,) if isinstance(args, torch.Tensor) else args), **(kwargs or {}))

    monkeypatch.setattr(torch.func, "functional_call", functional_call)
    assert_killed(run(pytester, f"{MOD}::{FUNCTIONAL_CALL}"), FUNCTIONAL_CALL)


def test_slice_functional_call_ignoring_the_given_buffers_is_killed(monkeypatch, pytester):
    """Plants torch.func.functional_call that substitutes the given parameters only, running on the module's own buffers."""

    def functional_call(module, tensors, args=None, kwargs=None, **options):
        buffers = {n for n, _ in module.named_buffers()}
        return _functional_call(module, {k: v for k, v in tensors.items() if k not in buffers}, args, kwargs, **options)

    monkeypatch.setattr(torch.func, "functional_call", functional_call)
    result = run(pytester, f"{MOD}::{FUNCTIONAL_CALL}")
    assert_killed(result, f"{FUNCTIONAL_CALL}[cpu-parameters_and_buffers-train]", f"{FUNCTIONAL_CALL}[cpu-parameters_and_buffers-eval]")
    assert result.parseoutcomes()["failed"] == 2


RMSNORM = "test_rmsnorm_equals_f_rms_norm_and_the_root_mean_square_formula"


@pytest.mark.skipif(not torch_at_least("2.4"), reason="nn.RMSNorm / F.rms_norm exist from torch 2.4")
def test_slice_rms_norm_default_eps_1e_5_is_killed(monkeypatch, pytester):
    """Plants F.rms_norm whose eps=None means 1e-5 (LayerNorm's default) instead of torch.finfo(x.dtype).eps."""
    real = F.rms_norm
    monkeypatch.setattr(F, "rms_norm", lambda input, normalized_shape, weight=None, eps=None: real(input, normalized_shape, weight, 1e-5 if eps is None else eps))
    result = run(pytester, f"{MOD}::{RMSNORM}")
    assert_killed(result, f"{RMSNORM}[cpu-last_dim-eps=None-float32]", f"{RMSNORM}[cpu-last_two_dims-eps=None-float64]")
    assert result.parseoutcomes()["failed"] == 4


@pytest.mark.skipif(not torch_at_least("2.4"), reason="nn.RMSNorm / F.rms_norm exist from torch 2.4")
def test_rms_norm_subtracting_the_mean_is_killed(monkeypatch, pytester):
    """Plants F.rms_norm that centres x first (a LayerNorm without the bias)."""
    real = F.rms_norm

    def rms_norm(input, normalized_shape, weight=None, eps=None):
        dims = tuple(range(-len(normalized_shape), 0))
        return real(input - input.mean(dims, keepdim=True), normalized_shape, weight, eps)

    monkeypatch.setattr(F, "rms_norm", rms_norm)
    assert_killed(run(pytester, f"{MOD}::{RMSNORM}"), RMSNORM, "vs x / sqrt(mean(x^2)")


@pytest.mark.skipif(torch_at_least("2.4"), reason="the absence spec is gated to torch<2.4")
def test_rmsnorm_present_before_2_4_is_killed(monkeypatch, pytester):
    """Plants an nn.RMSNorm and F.rms_norm on a torch before 2.4 (a backport the release never had)."""
    monkeypatch.setattr(nn, "RMSNorm", nn.LayerNorm, raising=False)
    monkeypatch.setattr(F, "rms_norm", F.layer_norm, raising=False)
    name = "test_rmsnorm_and_f_rms_norm_do_not_exist_before_2_4"
    assert_killed(run(pytester, f"{MOD}::{name}"), name)


BUFFERS = "test_non_persistent_buffers_follow_the_module_but_stay_out_of_its_state_dict"


def test_register_buffer_ignoring_persistent_false_is_killed(monkeypatch, pytester):
    """Plants Module.register_buffer that makes every buffer persistent (persistent=False ignored): the scratch buffer lands in state_dict."""
    real = nn.Module.register_buffer
    monkeypatch.setattr(nn.Module, "register_buffer", lambda self, name, tensor, persistent=True: real(self, name, tensor, True))
    result = run(pytester, f"{MOD}::{BUFFERS}")
    assert_killed(result, f"{BUFFERS}[cpu-register_buffer]", "should leave 'scratch' out")


def test_load_state_dict_resetting_non_persistent_buffers_is_killed(monkeypatch, pytester):
    """Plants Module.load_state_dict that also zeroes the module's non-persistent buffers."""
    real = nn.Module.load_state_dict

    def load_state_dict(self, state_dict, strict=True, *args, **kwargs):
        out = real(self, state_dict, strict, *args, **kwargs)
        with torch.no_grad():
            for name, buf in self.named_buffers():
                if name not in state_dict:
                    buf.zero_()
        return out

    monkeypatch.setattr(nn.Module, "load_state_dict", load_state_dict)
    assert_killed(run(pytester, f"{MOD}::{BUFFERS}"), BUFFERS, "the non-persistent buffer after load_state_dict")


@pytest.mark.skipif(torch_at_least("2.5"), reason="the absence spec is gated to torch<2.5")
def test_nn_buffer_present_before_2_5_is_killed(monkeypatch, pytester):
    """Plants a torch.nn.Buffer on a torch before 2.5."""
    monkeypatch.setattr(nn, "Buffer", type("Buffer", (torch.Tensor,), {}), raising=False)
    name = "test_nn_buffer_does_not_exist_before_2_5"
    assert_killed(run(pytester, f"{MOD}::{name}"), name)


GELU_INF = "test_gelu_maps_the_infinities_to_their_limits"


def test_gelu_fixed_at_the_infinities_is_reported(monkeypatch, pytester):
    """Plants the fix of pytorch#185770 (gelu(+inf) = inf, gelu(-inf) = 0): the known-bug spec then passes -- a strict XPASS -- so the run reports that the bug is gone."""

    def gelu(input, approximate="none"):
        out = _gelu(input, approximate=approximate)
        return torch.where(input.isinf(), input.clamp(min=0), out)

    monkeypatch.setattr(F, "gelu", gelu)
    result = run(pytester, f"{MOD}::{GELU_INF}")
    assert result.parseoutcomes().get("failed") == 2 and "XPASS(strict)" in result.stdout.str(), result.stdout.str()[-3000:]


UPSAMPLE = "test_upsample_equals_f_interpolate_and_the_sampling_written_out"
_interpolate = F.interpolate


def _interpolate_planted(change):
    """F.interpolate whose keyword arguments pass through ``change(input, kwargs)`` first."""

    def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None, antialias=False):
        kwargs = dict(size=size, scale_factor=scale_factor, mode=mode, align_corners=align_corners,
                      recompute_scale_factor=recompute_scale_factor, antialias=antialias)
        return _interpolate(input, **change(input, kwargs))

    return interpolate


def test_slice_interpolate_nearest_as_nearest_exact_is_killed(monkeypatch, pytester):
    """Plants F.interpolate whose 'nearest' samples pixel centres like 'nearest-exact' (the 'fix' users expect)."""
    monkeypatch.setattr(F, "interpolate", _interpolate_planted(lambda x, kw: {**kw, "mode": "nearest-exact"} if kw["mode"] == "nearest" else kw))
    result = run(pytester, f"{MOD}::{UPSAMPLE}")
    assert_killed(result, f"{UPSAMPLE}[cpu-nearest-size]", "vs the sampling written out")
    assert {r.nodeid.split("[")[1] for r in result.reprec.getfailures() if r.when == "call"} <= {"cpu-nearest-size]", "cpu-nearest-scale_factor]"}


def test_slice_upsample_module_dropping_align_corners_is_killed(monkeypatch, pytester):
    """Plants nn.Upsample.forward that does not pass its align_corners on (align_corners=True ignored)."""
    monkeypatch.setattr(nn.Upsample, "forward", lambda self, input: F.interpolate(input, self.size, self.scale_factor, self.mode))
    result = run(pytester, f"{MOD}::{UPSAMPLE}")
    assert_killed(result, f"{UPSAMPLE}[cpu-bilinear-align_corners-size]", f"{UPSAMPLE}[cpu-bilinear-align_corners-scale_factor]", "vs F.interpolate")
    assert result.parseoutcomes()["failed"] == 2


def test_slice_interpolate_recomputing_the_scale_factor_is_killed(monkeypatch, pytester):
    """Plants F.interpolate that always recomputes the scale from the output size (recompute_scale_factor=True), so 1/scale_factor no longer sets the source coordinates."""
    monkeypatch.setattr(F, "interpolate", _interpolate_planted(lambda x, kw: {**kw, "recompute_scale_factor": True} if kw["scale_factor"] is not None else kw))
    result = run(pytester, f"{MOD}::{UPSAMPLE}")
    assert_killed(result, f"{UPSAMPLE}[cpu-bilinear-scale_factor]")
    assert all(r.nodeid.endswith("scale_factor]") for r in result.reprec.getfailures() if r.when == "call")


BROADCAST = "test_regression_losses_broadcast_a_mismatched_target_with_a_user_warning"


def test_slice_mse_loss_broadcasting_silently_is_killed(monkeypatch, pytester):
    """Plants F.mse_loss that broadcasts a mismatched target without its warning (values unchanged)."""
    monkeypatch.setattr(F, "mse_loss", _silenced(F.mse_loss))
    result = run(pytester, f"{MOD}::{BROADCAST}")
    assert_killed(result, f"{BROADCAST}[cpu-mse-module]", f"{BROADCAST}[cpu-mse-functional]", "but should warn one UserWarning")
    assert result.parseoutcomes()["failed"] == 2


def test_slice_l1_loss_reshaping_the_input_to_the_target_is_killed(monkeypatch, pytester):
    """Plants F.l1_loss that 'fixes' an (N, 1) input against an (N,) target by reshaping it (still warning): N pairs instead of N x N."""
    real = F.l1_loss

    def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
        if input.shape != target.shape and input.numel() == target.numel():
            real(input, target, reduction=reduction)  # its warning
            input = input.reshape(target.shape)
        return real(input, target, reduction=reduction)

    monkeypatch.setattr(F, "l1_loss", l1_loss)
    result = run(pytester, f"{MOD}::{BROADCAST}")
    assert_killed(result, f"{BROADCAST}[cpu-l1-module]", f"{BROADCAST}[cpu-l1-functional]", "the mean over the broadcast 5 x 5 pairs")
    assert result.parseoutcomes()["failed"] == 2


DROPOUT2D = "test_dropout2d_on_a_3d_input_warns_and_drops_rows_like_dropout1d"
_dropout2d = F.dropout2d


def test_dropout2d_taking_a_3d_input_as_an_unbatched_image_is_killed(monkeypatch, pytester):
    """Plants the change dropout2d's warning announces: a 3-D x taken as one unbatched (C, H, W) image, whole channels dropped."""

    def dropout2d(input, p=0.5, training=True, inplace=False):
        if input.dim() == 3:
            warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired")
            return _dropout2d(input[None], p, training, inplace)[0]
        return _dropout2d(input, p, training, inplace)

    monkeypatch.setattr(F, "dropout2d", dropout2d)
    assert_killed(run(pytester, f"{MOD}::{DROPOUT2D}"), DROPOUT2D, "vs F.dropout1d under the same seed")


def test_dropout2d_without_its_3d_warning_is_killed(monkeypatch, pytester):
    """Plants F.dropout2d that takes a 3-D x as (N, C, L) silently."""
    monkeypatch.setattr(F, "dropout2d", _silenced(_dropout2d))
    assert_killed(run(pytester, f"{MOD}::{DROPOUT2D}"), DROPOUT2D, "but should warn one UserWarning")


# --- release history, round 4 (release notes 2.10-2.15)


def _softmax_dim_check(monkeypatch, check: bool, which=("Softmax", "LogSoftmax")):
    """Rebuild the dim-taking constructors with (2.14's) or without (older) the check on dim."""
    for name in which:
        cls = getattr(nn, name)

        def __init__(self, dim=None):
            if check and dim is not None and (not isinstance(dim, int) or isinstance(dim, bool)):
                raise TypeError(f"dim must be an int or None, got {type(dim)}")
            nn.Module.__init__(self)
            self.dim = dim

        monkeypatch.setattr(cls, "__init__", __init__)


def test_softmax_building_with_a_non_int_dim_from_2_14_is_killed(pytester, monkeypatch):
    """Plants a torch 2.14 whose nn.Softmax / nn.LogSoftmax still take any dim when built (the check of pytorch#185055 lost)."""
    _softmax_dim_check(monkeypatch, check=False)
    monkeypatch.setattr(torch, "__version__", "2.14.1")
    name = "test_softmax_modules_refuse_a_non_int_dim_when_built_from_2_14"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[cpu-Softmax-bool]", f"{name}[cpu-LogSoftmax-float]", "raised no TypeError")


def test_slice_logsoftmax_building_with_a_float_dim_from_2_14_is_killed(pytester, monkeypatch):
    """Plants the check on nn.Softmax only: nn.LogSoftmax(dim=1.0) is built again, and only its cases fail."""
    _softmax_dim_check(monkeypatch, check=False, which=("LogSoftmax",))
    monkeypatch.setattr(torch, "__version__", "2.14.1")
    name = "test_softmax_modules_refuse_a_non_int_dim_when_built_from_2_14"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[cpu-LogSoftmax-bool]", f"{name}[cpu-LogSoftmax-float]", "raised no TypeError")
    assert len([r for r in result.reprec.getfailures() if r.when == "call"]) == 2, "only the LogSoftmax cases should fail"


def test_softmax_refusing_a_non_int_dim_before_2_14_is_killed(pytester, monkeypatch):
    """Plants a torch 2.13 that already checks dim when nn.Softmax / nn.LogSoftmax are built: the <2.14 spec must fail."""
    _softmax_dim_check(monkeypatch, check=True)
    monkeypatch.setattr(torch, "__version__", "2.13.0")
    name = "test_softmax_modules_with_a_non_int_dim_fail_only_when_called_before_2_14"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[cpu-Softmax-bool]", f"{name}[cpu-LogSoftmax-float]", "dim must be an int or None")
