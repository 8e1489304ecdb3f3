"""Planted regressions for specs/test_train_vs_eval.py: every claim there is killed by one below."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


import pytest

from tests.plant import assert_killed, assert_passed, run

MOD = "test_train_vs_eval.py"


_dropout, _batch_norm = F.dropout, F.batch_norm


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the whole module passes."""
    assert_passed(run(pytester, MOD))


def test_train_that_does_not_recurse_is_killed(monkeypatch, pytester):
    """Plants Module.train that sets the flag on the module itself but not on its children."""

    def train(self, mode=True):
        self.training = mode
        return self

    monkeypatch.setattr(nn.Module, "train", train)
    result = run(pytester, f"{MOD}::test_train_and_eval_set_training_on_every_submodule_and_return_self")
    assert_killed(result, "test_train_and_eval_set_training_on_every_submodule_and_return_self", "but every module should be")


def test_train_returning_none_is_killed(monkeypatch, pytester):
    """Plants Module.train that sets the flags correctly but returns None (chaining breaks)."""
    real = nn.Module.train
    monkeypatch.setattr(nn.Module, "train", lambda self, mode=True: (real(self, mode), None)[1])
    result = run(pytester, f"{MOD}::test_train_and_eval_set_training_on_every_submodule_and_return_self")
    assert_killed(result, "test_train_and_eval_set_training_on_every_submodule_and_return_self", "returned None, but should return the module itself")


def test_eval_bypassing_train_is_killed(monkeypatch, pytester):
    """Plants Module.eval that writes .training=False on every module directly instead of calling train(False)."""

    def eval_(self):
        for m in self.modules():
            m.training = False
        return self

    monkeypatch.setattr(nn.Module, "eval", eval_)
    assert_killed(run(pytester, f"{MOD}::test_eval_is_train_false"), "test_eval_is_train_false")


def test_new_module_in_eval_mode_is_killed(monkeypatch, pytester):
    """Plants Module.__init__ that leaves new modules in eval mode."""
    real = nn.Module.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        self.training = False

    monkeypatch.setattr(nn.Module, "__init__", init)
    assert_killed(run(pytester, f"{MOD}::test_new_module_starts_in_training_mode"), "test_new_module_starts_in_training_mode")


def test_eval_that_freezes_parameters_is_killed(monkeypatch, pytester):
    """Plants the folklore: Module.eval also sets requires_grad=False on every parameter ("eval does not compute gradients")."""
    real = nn.Module.eval

    def eval_(self):
        for p in self.parameters():
            p.requires_grad_(False)
        return real(self)

    monkeypatch.setattr(nn.Module, "eval", eval_)
    assert_killed(run(pytester, f"{MOD}::test_train_and_eval_leave_requires_grad_alone"), "test_train_and_eval_leave_requires_grad_alone")


def test_dropout_rate_halved_is_killed(monkeypatch, pytester):
    """Plants F.dropout that drops with probability p/2 instead of p (and scales for p/2)."""
    monkeypatch.setattr(F, "dropout", lambda x, p=0.5, training=True, inplace=False: _dropout(x, p / 2, training, inplace))
    result = run(pytester, f"{MOD}::test_dropout_in_training_zeroes_each_element_with_probability_p")
    assert_killed(result, "test_dropout_in_training_zeroes_each_element_with_probability_p")


def test_dropout_with_a_fixed_block_mask_is_killed(monkeypatch, pytester):
    """Plants F.dropout that zeroes the first round(n*p) elements (the right count, no randomness) and scales the rest."""

    def dropout(x, p=0.5, training=True, inplace=False):
        if not training or p == 0:
            return x
        keep = torch.ones(x.numel(), device=x.device, dtype=x.dtype)
        keep[: round(x.numel() * p)] = 0
        return x * keep.reshape(x.shape) / (1 - p)

    monkeypatch.setattr(F, "dropout", dropout)
    assert_killed(
        run(pytester, f"{MOD}::test_dropout_in_training_zeroes_each_element_with_probability_p"),
        "test_dropout_in_training_zeroes_each_element_with_probability_p",
    )


def test_unscaled_dropout_is_killed(monkeypatch, pytester):
    """Plants F.dropout that zeroes correctly but no longer scales the survivors by 1/(1-p)."""

    def dropout(x, p=0.5, training=True, inplace=False):
        out = _dropout(x, p, training, inplace)
        return out * (1 - p) if training and p < 1 else out

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_scales_survivors_by_exactly_one_over_one_minus_p")
    assert_killed(result, "test_dropout_scales_survivors_by_exactly_one_over_one_minus_p")


def test_dropout_p1_nan_is_killed(monkeypatch, pytester):
    """Plants F.dropout whose p=1 computes 0 * inf scaling and returns NaN instead of zeros."""

    def dropout(x, p=0.5, training=True, inplace=False):
        if training and p == 1:
            return x * float("nan")
        return _dropout(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_p0_is_identity_and_p1_zeroes_everything")
    assert_killed(result, "test_dropout_p0_is_identity_and_p1_zeroes_everything", "Dropout(p=1.0)(x) vs zeros")


def test_dropout_ignoring_eval_is_killed(monkeypatch, pytester):
    """Plants F.dropout that ignores training=False and keeps dropping in eval."""
    monkeypatch.setattr(F, "dropout", lambda x, p=0.5, training=True, inplace=False: _dropout(x, p, True, inplace))
    assert_killed(run(pytester, f"{MOD}::test_dropout_in_eval_is_exact_identity"), "test_dropout_in_eval_is_exact_identity")


def _bn(**override):
    """A planted F.batch_norm: the real one with some arguments replaced."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        args = dict(running_mean=running_mean, running_var=running_var, weight=weight, bias=bias,
                    training=training, momentum=momentum, eps=eps)
        args.update({k: v(args) if callable(v) else v for k, v in override.items()})
        return _batch_norm(input, **args)

    return batch_norm


def test_batchnorm_unbiased_normalization_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm that in training normalizes with the unbiased (n-1) variance instead of the biased one."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        out = _batch_norm(input, running_mean, running_var, None, None, training, momentum, eps)
        if training:
            n = input.numel() // input.shape[1]
            out = out * ((n - 1) / n) ** 0.5  # rescale as if divided by sqrt(unbiased var)
        shape = (1, -1) + (1,) * (input.dim() - 2)
        return out * weight.reshape(shape) + bias.reshape(shape) if weight is not None else out

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_training_normalizes_with_batch_mean_and_biased_variance")
    assert_killed(result, "test_batchnorm_training_normalizes_with_batch_mean_and_biased_variance")


def test_batchnorm_running_var_biased_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm that updates running_var with the biased batch variance."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        old = running_var.clone() if training and running_var is not None else None
        out = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        if old is not None:
            dims = [d for d in range(input.dim()) if d != 1]
            running_var.copy_((1 - momentum) * old + momentum * input.detach().var(dims, unbiased=False))
        return out

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance")
    assert_killed(result, "test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance")


def test_batchnorm_counter_not_incremented_is_killed(monkeypatch, pytester):
    """Plants BatchNorm.forward that leaves num_batches_tracked unchanged."""
    real = nn.modules.batchnorm._BatchNorm.forward

    def forward(self, input):
        saved = None if self.num_batches_tracked is None else self.num_batches_tracked.clone()
        out = real(self, input)
        if saved is not None:
            self.num_batches_tracked.copy_(saved)
        return out

    monkeypatch.setattr(nn.modules.batchnorm._BatchNorm, "forward", forward)
    result = run(pytester, f"{MOD}::test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance")
    assert_killed(result, "test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance", "num_batches_tracked=0, but should be")


def test_batchnorm_momentum_ignored_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm that ignores the momentum it is given and always uses 0.1 (so momentum=None is not cumulative)."""
    monkeypatch.setattr(F, "batch_norm", _bn(momentum=0.1))
    result = run(
        pytester,
        f"{MOD}::test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance",
        f"{MOD}::test_batchnorm_momentum_none_is_a_cumulative_average",
    )
    assert_killed(result, "test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance", "test_batchnorm_momentum_none_is_a_cumulative_average")


def test_batchnorm_eval_using_batch_stats_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm that always normalizes with batch statistics (and updates the running ones), eval included."""
    monkeypatch.setattr(F, "batch_norm", _bn(training=True))
    result = run(
        pytester,
        f"{MOD}::test_batchnorm_eval_normalizes_with_running_stats_and_leaves_them_unchanged",
        f"{MOD}::test_batchnorm_eval_output_of_a_sample_does_not_depend_on_its_batch",
    )
    assert_killed(result, "test_batchnorm_eval_normalizes_with_running_stats_and_leaves_them_unchanged",
                  "test_batchnorm_eval_output_of_a_sample_does_not_depend_on_its_batch")


def test_batchnorm_without_running_stats_eval_is_killed(monkeypatch, pytester):
    """Plants BatchNorm.forward that, with track_running_stats=False, normalizes eval batches to zero mean only (no variance scaling)."""
    real = nn.modules.batchnorm._BatchNorm.forward

    def forward(self, input):
        if self.training or self.track_running_stats:
            return real(self, input)
        dims = [d for d in range(input.dim()) if d != 1]
        return input - input.mean(dims, keepdim=True)

    monkeypatch.setattr(nn.modules.batchnorm._BatchNorm, "forward", forward)
    result = run(pytester, f"{MOD}::test_batchnorm_without_running_stats_uses_batch_stats_in_eval_too")
    assert_killed(result, "test_batchnorm_without_running_stats_uses_batch_stats_in_eval_too")


def test_batchnorm_single_value_check_dropped_is_killed(monkeypatch, pytester):
    """Plants F.batch_norm without the batch-size check: a single value per channel in training silently returns zeros."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        return torch.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                                torch.backends.cudnn.enabled)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_training_on_a_single_value_per_channel_raises")
    assert_killed(result, "test_batchnorm_training_on_a_single_value_per_channel_raises")


RATE = f"{MOD}::test_dropout_in_training_zeroes_each_element_with_probability_p"


def _biased_dropout(shift, when=lambda p: True):
    """A planted F.dropout whose drop rate is p + shift (clipped to [0, 1]) where ``when(p)``, scaled as for p."""

    def dropout(x, p=0.5, training=True, inplace=False):
        if not training or not when(p):
            return _dropout(x, p, training, inplace)
        q = min(max(p + shift, 0.0), 1.0)
        return _dropout(x, q, True, inplace) * ((1 - q) / (1 - p))

    return dropout


def test_dropout_rate_biased_by_5_percent_is_killed(monkeypatch, pytester):
    """Plants F.dropout that keeps elements with probability 1 - p - 0.05 (an absolute 5% bias in the keep rate)."""
    monkeypatch.setattr(F, "dropout", _biased_dropout(0.05))
    assert_killed(run(pytester, RATE), "test_dropout_in_training_zeroes_each_element_with_probability_p", "elements (all) zeroed by Dropout")


def test_dropout_rate_biased_by_2_percent_is_killed(monkeypatch, pytester):
    """Plants F.dropout that keeps elements with probability 1 - p + 0.02 (an absolute 2% bias in the keep rate)."""
    monkeypatch.setattr(F, "dropout", _biased_dropout(-0.02))
    assert_killed(run(pytester, RATE), "test_dropout_in_training_zeroes_each_element_with_probability_p")


def test_batchnorm_identity_in_eval_is_killed(monkeypatch, pytester):
    """Plants the note's folklore "eval() disables BatchNorm": in eval F.batch_norm returns its input unchanged."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps) if training else input

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_eval_normalizes_with_running_stats_and_leaves_them_unchanged")
    assert_killed(result, "test_batchnorm_eval_normalizes_with_running_stats_and_leaves_them_unchanged", "(identity), but should normalize")


D2 = f"{MOD}::test_dropout2d_on_3d_input_zeroes_whole_rows_per_sample_and_channel_and_warns"
_dropout2d = F.dropout2d


def test_dropout2d_3d_elementwise_is_killed(monkeypatch, pytester):
    """Plants F.dropout2d that, on a 3-D input, drops element by element (plain dropout) instead of whole (n, c) rows."""

    def dropout2d(x, p=0.5, training=True, inplace=False):
        if x.dim() == 3:
            _dropout2d(x.detach(), p, False)  # still emits the real warning
            return _dropout(x, p, training, inplace)
        return _dropout2d(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout2d", dropout2d)
    assert_killed(run(pytester, D2), "test_dropout2d_on_3d_input_zeroes_whole_rows_per_sample_and_channel_and_warns", "kept rows")


def test_dropout2d_3d_as_unbatched_planes_is_killed(monkeypatch, pytester):
    """Plants the announced future: F.dropout2d reads a 3-D input as (C, H, W) and zeroes whole x[n] planes (warning kept)."""

    def dropout2d(x, p=0.5, training=True, inplace=False):
        if x.dim() == 3:
            _dropout2d(x.detach(), p, False)
            return _dropout2d(x.unsqueeze(0), p, training, inplace).squeeze(0)
        return _dropout2d(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout2d", dropout2d)
    assert_killed(run(pytester, D2), "test_dropout2d_on_3d_input_zeroes_whole_rows_per_sample_and_channel_and_warns", "rows zeroed or all kept")


def test_dropout2d_3d_silent_is_killed(monkeypatch, pytester):
    """Plants F.dropout2d that keeps the (N, C, L) behaviour on 3-D input but no longer warns."""

    def dropout2d(x, p=0.5, training=True, inplace=False):
        if x.dim() == 3:
            return F.dropout1d(x, p, training, inplace)
        return _dropout2d(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout2d", dropout2d)
    assert_killed(run(pytester, D2), "test_dropout2d_on_3d_input_zeroes_whole_rows_per_sample_and_channel_and_warns")


def test_slice_dropout_rate_wrong_only_above_p_0_9_is_killed(monkeypatch, pytester):
    """Slice: F.dropout drops with p - 0.05 only when p > 0.9 (p <= 0.9 is right)."""
    monkeypatch.setattr(F, "dropout", _biased_dropout(-0.05, when=lambda p: p > 0.9))
    assert_killed(run(pytester, RATE), "test_dropout_in_training_zeroes_each_element_with_probability_p", "zeroed by Dropout(0.93)")


def test_slice_batchnorm1d_3d_input_unbiased_normalization_is_killed(monkeypatch, pytester):
    """Slice: only for BatchNorm1d-style 3-D (N, C, L) input, training normalizes with the unbiased variance."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if not (training and input.dim() == 3):
            return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        out = _batch_norm(input, running_mean, running_var, None, None, training, momentum, eps)
        n = input.numel() // input.shape[1]
        out = out * ((n - 1) / n) ** 0.5
        return out * weight.reshape(1, -1, 1) + bias.reshape(1, -1, 1)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_training_normalizes_with_batch_mean_and_biased_variance")
    assert_killed(result, "test_batchnorm_training_normalizes_with_batch_mean_and_biased_variance", "BatchNorm1d(N,C,L) training output")


def test_slice_running_var_biased_only_for_batch_of_two_is_killed(monkeypatch, pytester):
    """Slice: F.batch_norm updates running_var with the biased variance only when the batch has 2 samples."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        old = running_var.clone() if training and running_var is not None and input.shape[0] == 2 else None
        out = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        if old is not None:
            dims = [d for d in range(input.dim()) if d != 1]
            running_var.copy_((1 - momentum) * old + momentum * input.detach().var(dims, unbiased=False))
        return out

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance")
    assert_killed(result, "test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance", "running_var")


def test_slice_batchnorm_eval_wrong_only_for_momentum_none_is_killed(monkeypatch, pytester):
    """Slice: a BatchNorm built with momentum=None uses batch statistics in eval (any float momentum is right)."""
    real = nn.modules.batchnorm._BatchNorm.forward

    def forward(self, input):
        if self.training or self.momentum is not None:
            return real(self, input)
        return F.batch_norm(input, None, None, self.weight, self.bias, True, 0.0, self.eps)

    monkeypatch.setattr(nn.modules.batchnorm._BatchNorm, "forward", forward)
    result = run(pytester, f"{MOD}::test_batchnorm_eval_normalizes_with_running_stats_and_leaves_them_unchanged")
    assert_killed(result, "test_batchnorm_eval_normalizes_with_running_stats_and_leaves_them_unchanged", "eval output")


def test_slice_dropout2d_3d_elementwise_only_for_long_rows_is_killed(monkeypatch, pytester):
    """Slice: F.dropout2d on 3-D input drops element by element only for long rows (L > 8); shorter rows are right."""

    def dropout2d(x, p=0.5, training=True, inplace=False):
        if x.dim() == 3 and x.shape[-1] > 8:
            _dropout2d(x.detach(), p, False)
            return _dropout(x, p, training, inplace)
        return _dropout2d(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout2d", dropout2d)
    assert_killed(run(pytester, D2), "test_dropout2d_on_3d_input_zeroes_whole_rows_per_sample_and_channel_and_warns")


def test_slice_dropout_rate_halved_for_bfloat16_only_is_killed(monkeypatch, pytester):
    """Slice: an F.dropout that drops with probability p/2 (scaling for p/2), only for bfloat16 inputs."""

    def dropout(x, p=0.5, training=True, inplace=False):
        return _dropout(x, p / 2 if x.dtype == torch.bfloat16 else p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_in_training_zeroes_each_element_with_probability_p")
    assert_killed(result, "test_dropout_in_training_zeroes_each_element_with_probability_p", "zeroed by Dropout")


def test_slice_dropout_scaling_by_one_minus_p_for_float64_only_is_killed(monkeypatch, pytester):
    """Slice: an F.dropout that, for float64 only, scales survivors by (1-p) instead of 1/(1-p)."""

    def dropout(x, p=0.5, training=True, inplace=False):
        out = _dropout(x, p, training, inplace)
        return out * (1 - p) ** 2 if training and x.dtype == torch.float64 and 0 < p < 1 else out

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_scales_survivors_by_exactly_one_over_one_minus_p")
    assert_killed(result, "test_dropout_scales_survivors_by_exactly_one_over_one_minus_p", "survivors (torch.float64)")


def test_slice_dropout_p1_keeping_float64_inputs_is_killed(monkeypatch, pytester):
    """Slice: an F.dropout whose p=1 returns float64 inputs unchanged instead of zeros (other dtypes are right)."""

    def dropout(x, p=0.5, training=True, inplace=False):
        return x if training and p == 1 and x.dtype == torch.float64 else _dropout(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_p0_is_identity_and_p1_zeroes_everything")
    assert_killed(result, "test_dropout_p0_is_identity_and_p1_zeroes_everything", "Dropout(p=1.0)(x) vs zeros")


def test_slice_dropout_in_eval_rounding_through_float32_for_float64_only_is_killed(monkeypatch, pytester):
    """Slice: an F.dropout that in eval returns float64 inputs rounded through float32 (no longer exactly x)."""

    def dropout(x, p=0.5, training=True, inplace=False):
        if not training and x.dtype == torch.float64:
            return x.float().double()
        return _dropout(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_in_eval_is_exact_identity")
    assert_killed(result, "test_dropout_in_eval_is_exact_identity", ".eval(), on ")


def test_slice_batch_norm_running_var_biased_for_float32_only_is_killed(monkeypatch, pytester):
    """Slice: an F.batch_norm that, for float32 in training only, moves running_var towards the biased batch variance."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if not (training and input.dtype == torch.float32 and running_var is not None and momentum is not None):
            return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        before = running_var.clone()
        out = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
        dims = [d for d in range(input.dim()) if d != 1]
        with torch.no_grad():
            running_var.copy_((1 - momentum) * before + momentum * input.var(dims, unbiased=False))
        return out

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance")
    assert_killed(result, "test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance", "running_var (torch.float32)")


def test_slice_batch_norm_eval_ignoring_eps_for_float32_only_is_killed(monkeypatch, pytester):
    """Slice: an F.batch_norm that, in eval for float32 only, normalizes with eps = 1e-3 instead of the module's eps."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        wrong = not training and input.dtype == torch.float32
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, 1e-3 if wrong else eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_eval_normalizes_with_running_stats_and_leaves_them_unchanged")
    assert_killed(result, "test_batchnorm_eval_normalizes_with_running_stats_and_leaves_them_unchanged", "eval output (torch.float32)")


# --------------------------------------------------------------------------- issue 21: every BatchNorm input, form, dtype, layout

UPDATE = f"{MOD}::test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance"


def _bn_where(condition):
    """A planted F.batch_norm that, in training where ``condition(input)``, normalizes with the batch
    statistics but leaves running_mean / running_var alone (it updates copies)."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if training and running_mean is not None and condition(input):
            running_mean, running_var = running_mean.clone(), running_var.clone()
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    return batch_norm


def _channels_last(x):
    return x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()


def test_slice_batchnorm2d_channels_last_not_updating_running_stats_is_killed(monkeypatch, pytester):
    """Slice (a regression a review found surviving): BatchNorm2d on a channels_last input does not update its running statistics in training; contiguous input is right."""
    monkeypatch.setattr(F, "batch_norm", _bn_where(_channels_last))
    result = run(pytester, UPDATE)
    assert_killed(
        result,
        "test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance[cpu-2d-channels_last]",
        "BatchNorm2d-channels_last running_mean (torch.float32)",
    )
    assert result.parseoutcomes()["failed"] == 1


def test_slice_batchnorm3d_channels_last_3d_not_updating_running_stats_is_killed(monkeypatch, pytester):
    """Slice: BatchNorm3d on a channels_last_3d input does not update its running statistics (contiguous 5-D input is right)."""
    monkeypatch.setattr(F, "batch_norm", _bn_where(
        lambda x: x.dim() == 5 and x.is_contiguous(memory_format=torch.channels_last_3d) and not x.is_contiguous()))
    result = run(pytester, UPDATE)
    assert_killed(result, "test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance[cpu-3d-channels_last_3d]",
                  "BatchNorm3d-channels_last_3d running_mean (torch.float32)")


def test_slice_batchnorm1d_transposed_input_normalized_over_the_wrong_dim_is_killed(monkeypatch, pytester):
    """Slice: BatchNorm1d on a non-contiguous (N, C) input (transposed strides) normalizes each sample over its channels instead of each channel over the batch."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if training and input.dim() == 2 and not input.is_contiguous():
            return _batch_norm(input.t(), None, None, None, None, True, momentum, eps).t() * weight + bias
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_training_normalizes_with_batch_mean_and_biased_variance")
    assert_killed(result, "test_batchnorm_training_normalizes_with_batch_mean_and_biased_variance[cpu-1d(N,C)-transposed]",
                  # either dtype: on a (2, 2) draw the plant's per-sample result is within float32's tolerance
                  "BatchNorm1d(N,C)-transposed training output (torch.float")


def test_slice_batchnorm3d_single_value_check_dropped_is_killed(monkeypatch, pytester):
    """Slice: F.batch_norm skips the single-value-per-channel check for 5-D inputs only (BatchNorm3d)."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if input.dim() == 5:
            return torch.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, False)
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_training_on_a_single_value_per_channel_raises")
    assert_killed(result, "test_batchnorm_training_on_a_single_value_per_channel_raises[cpu-3d(1,C,1,1,1)]")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_batchnorm2d_accepting_unbatched_input_is_killed(monkeypatch, pytester):
    """Slice: BatchNorm2d accepts a 3-D (C, H, W) input (as if unbatched) instead of raising."""
    real = nn.BatchNorm2d._check_input_dim

    def check(self, input):
        if input.dim() != 3:
            real(self, input)

    monkeypatch.setattr(nn.BatchNorm2d, "_check_input_dim", check)
    result = run(pytester, f"{MOD}::test_batchnorm_refuses_a_rank_it_does_not_accept")
    assert_killed(result, "test_batchnorm_refuses_a_rank_it_does_not_accept[cpu-2d-3D-train]",
                  "test_batchnorm_refuses_a_rank_it_does_not_accept[cpu-2d-3D-eval]")
    assert result.parseoutcomes()["failed"] == 2


def _train_skipping(container):
    """A planted Module.train that does not recurse into the children of a ``container``."""
    real = nn.Module.train

    def train(self, mode=True):
        if isinstance(self, container):
            self.training = mode
            return self
        return real(self, mode)

    return train


def test_slice_train_not_recursing_into_module_dict_is_killed(monkeypatch, pytester):
    """Slice: train()/eval() set the flag on a ModuleDict but not on the modules inside it (other containers are right)."""
    monkeypatch.setattr(nn.Module, "train", _train_skipping(nn.ModuleDict))
    result = run(pytester, f"{MOD}::test_train_and_eval_set_training_on_every_submodule_and_return_self",
                 f"{MOD}::test_eval_and_train_on_a_container_switch_the_dropout_and_batchnorm_inside")
    assert_killed(result, "test_train_and_eval_set_training_on_every_submodule_and_return_self[ModuleDict]",
                  "test_eval_and_train_on_a_container_switch_the_dropout_and_batchnorm_inside[cpu-float32-ModuleDict]")
    assert result.parseoutcomes()["failed"] == 2


def test_slice_train_not_recursing_into_a_users_module_is_killed(monkeypatch, pytester):
    """Slice: train()/eval() do not recurse into the layers held as attributes of a user's own nn.Module subclass."""
    from specs.inputs import _Net

    monkeypatch.setattr(nn.Module, "train", _train_skipping(_Net))
    result = run(pytester, f"{MOD}::test_eval_and_train_on_a_container_switch_the_dropout_and_batchnorm_inside")
    assert_killed(result, "test_eval_and_train_on_a_container_switch_the_dropout_and_batchnorm_inside[cpu-float64-custom]")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_train_ignoring_mode_keyword_is_killed(monkeypatch, pytester):
    """Slice: Module.train(mode=False) (the keyword form) sets training=True; train(False) and eval() are right."""
    real = nn.Module.train

    def train(self, *args, **kwargs):
        return real(self, *args) if args or not kwargs else real(self, True)

    monkeypatch.setattr(nn.Module, "train", train)
    result = run(pytester, f"{MOD}::test_train_and_eval_set_training_on_every_submodule_and_return_self")
    assert_killed(result, "test_train_and_eval_set_training_on_every_submodule_and_return_self", "but every module should be False")


def test_slice_dropout_eval_copying_expanded_input_wrongly_is_killed(monkeypatch, pytester):
    """Slice: F.dropout in eval materializes a stride-0 (expanded) input with every value one ulp up (strided inputs are right)."""

    def dropout(x, p=0.5, training=True, inplace=False):
        if not training and 0 in x.stride():
            return torch.nextafter(x.contiguous(), torch.full_like(x, float("inf")))
        return _dropout(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_in_eval_is_exact_identity")
    assert_killed(result, "test_dropout_in_eval_is_exact_identity", "on a expanded x")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_dropout_p0_wrong_for_float16_only_is_killed(monkeypatch, pytester):
    """Slice: F.dropout with p=0 in training moves float16 values one ulp up (every other dtype is right)."""

    def dropout(x, p=0.5, training=True, inplace=False):
        out = _dropout(x, p, training, inplace)
        if training and p == 0 and x.dtype == torch.float16:
            return torch.nextafter(out, torch.full_like(out, float("inf")))
        return out

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_p0_is_identity_and_p1_zeroes_everything")
    assert_killed(result, "test_dropout_p0_is_identity_and_p1_zeroes_everything", "Dropout(p=0.0)(x) vs x")
    assert result.parseoutcomes()["failed"] == 1


# --------------------------------------------------------------------------- issue 22: under torch.compile

_compile = torch.compile
FLIPS = f"{MOD}::test_train_and_eval_flips_are_followed_under_compile"
DROPOUT_COMPILED = f"{MOD}::test_dropout_under_compile_drops_at_rate_p_in_training_and_is_the_identity_in_eval"
BN_COMPILED = f"{MOD}::test_batchnorm_running_stats_under_compile_are_updated_as_in_eager"


def _modules_in(args):
    return [m for a in args if isinstance(a, nn.Module) for m in a.modules()]


def _wrapping_compile(around):
    """A planted torch.compile whose compiled function runs ``around(compiled, args)``."""

    def compile_(fn=None, **kwargs):
        compiled = _compile(fn, **kwargs)
        return lambda *args: around(compiled, args)

    return compile_


def test_compiled_model_ignoring_mode_flips_is_killed(monkeypatch, pytester):
    """Plants a torch.compile whose compiled function keeps running the graph of the first call's training flags (a stale graph after eval()/train())."""
    first = {}

    def stale(compiled, args):
        mods = _modules_in(args)
        now = [(m, m.training) for m in mods]
        for m in mods:
            m.training = first.setdefault(id(m), m.training)
        try:
            return compiled(*args)
        finally:
            for m, flag in now:
                m.training = flag

    monkeypatch.setattr(torch, "compile", _wrapping_compile(stale))
    result = run(pytester, FLIPS, DROPOUT_COMPILED)
    assert_killed(result, "test_train_and_eval_flips_are_followed_under_compile",
                  "test_dropout_under_compile_drops_at_rate_p_in_training_and_is_the_identity_in_eval", "call 1 (eval()): output 0")


def test_compiled_model_recompiling_on_every_call_is_killed(monkeypatch, pytester):
    """Plants a torch.compile that compiles afresh on every call (no graph reused when the flag flips back)."""

    def compile_(fn=None, **kwargs):
        def call(*args):
            torch._dynamo.reset()
            return _compile(fn, **kwargs)(*args)

        return call

    monkeypatch.setattr(torch, "compile", compile_)
    result = run(pytester, FLIPS)
    assert_killed(result, "test_train_and_eval_flips_are_followed_under_compile", "4 graphs compiled for train, eval, train, eval")


def _restoring(condition):
    """Around a compiled call: put back the running statistics of the BatchNorms ``condition(m, args)`` picks."""

    def around(compiled, args):
        bns = [m for m in _modules_in(args) if isinstance(m, nn.modules.batchnorm._BatchNorm) and condition(m, args)]
        saved = [{k: b.clone() for k, b in m.named_buffers()} for m in bns]
        out = compiled(*args)
        with torch.no_grad():
            for m, buffers in zip(bns, saved):
                for k, b in m.named_buffers():
                    b.copy_(buffers[k])
        return out

    return around


def test_compiled_batchnorm_skipping_the_buffer_update_is_killed(monkeypatch, pytester):
    """Plants a torch.compile whose compiled function leaves every BatchNorm's running statistics and num_batches_tracked as they were."""
    monkeypatch.setattr(torch, "compile", _wrapping_compile(_restoring(lambda m, args: True)))
    result = run(pytester, BN_COMPILED, FLIPS)
    assert_killed(result, "test_batchnorm_running_stats_under_compile_are_updated_as_in_eager",
                  "test_train_and_eval_flips_are_followed_under_compile", "running_mean")


def test_slice_compiled_batchnorm2d_channels_last_skipping_the_update_is_killed(monkeypatch, pytester):
    """Slice: compiled BatchNorm2d leaves its running statistics alone when a channels_last input is among the call's arguments (every other BatchNorm is right)."""
    picks = lambda m, args: isinstance(m, nn.BatchNorm2d) and any(isinstance(a, torch.Tensor) and _channels_last(a) for a in args)
    monkeypatch.setattr(torch, "compile", _wrapping_compile(_restoring(picks)))
    result = run(pytester, BN_COMPILED)
    assert_killed(result, "test_batchnorm_running_stats_under_compile_are_updated_as_in_eager", "call 0 (train): module")


def test_slice_compiled_batchnorm_momentum_none_skipping_the_update_is_killed(monkeypatch, pytester):
    """Slice: compiled BatchNorm(momentum=None) leaves its running statistics alone (float momenta are right)."""
    monkeypatch.setattr(torch, "compile", _wrapping_compile(_restoring(lambda m, args: m.momentum is None)))
    result = run(pytester, BN_COMPILED)
    assert_killed(result, "test_batchnorm_running_stats_under_compile_are_updated_as_in_eager", "call 0 (train): module")


def test_compiled_dropout_unscaled_in_training_is_killed(monkeypatch, pytester):
    """Plants a torch.compile whose compiled Dropout keeps the right mask but forgets the 1/(1-p) scale of the survivors."""

    def unscaled(compiled, args):
        out = compiled(*args)
        drop = args[0]
        if isinstance(drop, nn.Dropout) and drop.training:
            return tuple(o * (1 - drop.p) for o in out)
        return out

    monkeypatch.setattr(torch, "compile", _wrapping_compile(unscaled))
    result = run(pytester, DROPOUT_COMPILED)
    assert_killed(result, "test_dropout_under_compile_drops_at_rate_p_in_training_and_is_the_identity_in_eval", "survivors vs x * 1/(1-p)")


def test_slice_compiled_dropout_dropping_in_eval_for_float16_only_is_killed(monkeypatch, pytester):
    """Slice: compiled Dropout in eval still drops float16 inputs (every other dtype is the identity)."""

    def float16_drops(compiled, args):
        out = compiled(*args)
        drop = args[0]
        if isinstance(drop, nn.Dropout) and not drop.training:
            return tuple(_dropout(x, drop.p, True) if x.dtype == torch.float16 else o for x, o in zip(args[1:], out))
        return out

    monkeypatch.setattr(torch, "compile", _wrapping_compile(float16_drops))
    result = run(pytester, DROPOUT_COMPILED)
    assert_killed(result, "test_dropout_under_compile_drops_at_rate_p_in_training_and_is_the_identity_in_eval[cpu-aot_eager-float16]")
    assert result.parseoutcomes()["failed"] == 1


# --------------------------------------------------------------------------- issue 21 (battery H3): Dropout forms, layouts, grad modes

_dropout2d, _dropout3d = F.dropout2d, F.dropout3d


def test_train_coercing_a_non_bool_mode_is_killed(monkeypatch, pytester):
    """Plants Module.train that accepts any mode and uses its truth value (train(0) evaluates, train('eval') trains)."""
    real = nn.Module.train
    monkeypatch.setattr(nn.Module, "train", lambda self, mode=True: real(self, bool(mode)))
    result = run(pytester, f"{MOD}::test_train_refuses_a_mode_that_is_not_a_bool")
    assert_killed(result, "test_train_refuses_a_mode_that_is_not_a_bool[1]", "test_train_refuses_a_mode_that_is_not_a_bool[0]")


def test_slice_dropout_under_no_grad_not_dropping_is_killed(monkeypatch, pytester):
    """Slice: F.dropout treats "grad disabled" as "not training" (the note's folklore made code): under no_grad / inference_mode a training Dropout is the identity."""

    def dropout(input, p=0.5, training=True, inplace=False):
        return _dropout(input, p, training and torch.is_grad_enabled(), inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_grad_mode_does_not_switch_dropout_or_batchnorm_between_train_and_eval")
    assert_killed(result, "test_grad_mode_does_not_switch_dropout_or_batchnorm_between_train_and_eval[cpu-no_grad]",
                  "test_grad_mode_does_not_switch_dropout_or_batchnorm_between_train_and_eval[cpu-inference_mode]")
    assert result.parseoutcomes()["failed"] == 3  # no_grad, set_grad_enabled(False), inference_mode


def test_slice_batchnorm_under_inference_mode_not_updating_is_killed(monkeypatch, pytester):
    """Slice: F.batch_norm in training under inference_mode normalizes with the batch but leaves the running stats alone."""

    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if training and running_mean is not None and torch.is_inference_mode_enabled():
            running_mean, running_var = running_mean.clone(), running_var.clone()
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_grad_mode_does_not_switch_dropout_or_batchnorm_between_train_and_eval")
    assert_killed(result, "test_grad_mode_does_not_switch_dropout_or_batchnorm_between_train_and_eval[cpu-inference_mode]")


def test_dropout_inplace_returning_a_copy_is_killed(monkeypatch, pytester):
    """Plants F.dropout that ignores inplace=True: nn.Dropout(inplace=True) returns a new tensor and leaves x alone."""
    monkeypatch.setattr(F, "dropout", lambda input, p=0.5, training=True, inplace=False: _dropout(input, p, training, False))
    result = run(pytester, f"{MOD}::test_dropout_inplace_writes_into_its_input_and_returns_it")
    assert_killed(result, "test_dropout_inplace_writes_into_its_input_and_returns_it")


def test_slice_dropout_inplace_on_non_contiguous_input_writing_a_copy_is_killed(monkeypatch, pytester):
    """Slice: in-place Dropout on a non-contiguous x drops a contiguous copy and returns it; x is untouched."""

    def dropout(input, p=0.5, training=True, inplace=False):
        if inplace and not input.is_contiguous():
            return _dropout(input.contiguous(), p, training, True)
        return _dropout(input, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_inplace_writes_into_its_input_and_returns_it")
    assert_killed(result, "test_dropout_inplace_writes_into_its_input_and_returns_it")
    assert result.parseoutcomes()["failed"] == 2  # transposed, step_sliced (an offset view is contiguous)


def test_dropout2d_on_4d_input_dropping_elements_is_killed(monkeypatch, pytester):
    """Plants F.dropout2d that drops element by element on a 4-D input instead of whole channels."""

    def dropout2d(input, p=0.5, training=True, inplace=False):
        return _dropout(input, p, training, inplace) if input.dim() == 4 else _dropout2d(input, p, training, inplace)

    monkeypatch.setattr(F, "dropout2d", dropout2d)
    result = run(pytester, f"{MOD}::test_dropout2d_and_3d_zero_whole_channels_in_training_and_are_the_identity_in_eval")
    assert_killed(result, "test_dropout2d_and_3d_zero_whole_channels_in_training_and_are_the_identity_in_eval[cpu-2d-contiguous]",
                  "test_dropout2d_and_3d_zero_whole_channels_in_training_and_are_the_identity_in_eval[cpu-2d-channels_last]")


def test_slice_dropout3d_on_channels_last_3d_dropping_whole_samples_is_killed(monkeypatch, pytester):
    """Slice: F.dropout3d on a channels_last_3d input drops whole samples instead of (n, c) channels."""

    def dropout3d(input, p=0.5, training=True, inplace=False):
        if training and input.dim() == 5 and input.is_contiguous(memory_format=torch.channels_last_3d) and not input.is_contiguous():
            mask = (torch.rand(input.shape[0], 1, 1, 1, 1, dtype=input.dtype, device=input.device) >= p)
            return input * mask / (1 - p)
        return _dropout3d(input, p, training, inplace)

    monkeypatch.setattr(F, "dropout3d", dropout3d)
    result = run(pytester, f"{MOD}::test_dropout2d_and_3d_zero_whole_channels_in_training_and_are_the_identity_in_eval")
    assert_killed(result, "test_dropout2d_and_3d_zero_whole_channels_in_training_and_are_the_identity_in_eval[cpu-3d-channels_last_3d]")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_dropout_on_non_contiguous_input_not_dropping_is_killed(monkeypatch, pytester):
    """Slice: a fast path for non-contiguous input forgets to drop for 0 < p < 1 (p=0 and p=1 still right)."""

    def dropout(input, p=0.5, training=True, inplace=False):
        if training and 0 < p < 1 and not input.is_contiguous():
            return input.clone()
        return _dropout(input, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_in_training_zeroes_each_element_with_probability_p")
    assert_killed(result, "test_dropout_in_training_zeroes_each_element_with_probability_p")
    assert result.parseoutcomes()["failed"] == 3  # transposed, step_sliced, expanded (an offset view is contiguous)


def test_slice_dropout_on_expanded_input_dropping_whole_rows_is_killed(monkeypatch, pytester):
    """Slice: on an expanded (stride-0) input Dropout draws one mask element per stored element, so the repeated copies are dropped together."""

    def dropout(input, p=0.5, training=True, inplace=False):
        if training and 0 < p < 1 and 0 in input.stride():
            stored = input.narrow(0, 0, 1)
            return _dropout(stored, p, True).expand(input.shape).clone()
        return _dropout(input, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_in_training_zeroes_each_element_with_probability_p")
    assert_killed(result, "test_dropout_in_training_zeroes_each_element_with_probability_p[cpu-bfloat16-expanded]")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_dropout_on_transposed_input_scaling_by_one_minus_p_is_killed(monkeypatch, pytester):
    """Slice: on a transposed (column-major) input Dropout's survivors are scaled by (1-p) instead of 1/(1-p)."""

    def dropout(input, p=0.5, training=True, inplace=False):
        out = _dropout(input, p, training, inplace)
        if training and 0 < p < 1 and input.dim() == 2 and input.mT.is_contiguous() and not input.is_contiguous():
            out = out * (1 - p) ** 2
        return out

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::test_dropout_scales_survivors_by_exactly_one_over_one_minus_p")
    assert_killed(result, "test_dropout_scales_survivors_by_exactly_one_over_one_minus_p")
    assert result.parseoutcomes()["failed"] == 1


# --- release history (mined from release notes; see docs/release-history.md)

import warnings as _warnings  # noqa: E402

from specs.helpers import torch_at_least  # noqa: E402


@pytest.mark.skipif(not torch_at_least("2.2"), reason="the float16 spec is gated to torch>=2.2")
def test_slice_float16_batch_norm_with_a_stale_eps_is_killed(pytester, monkeypatch):
    """Plants F.batch_norm that normalizes float16 inputs with eps 1e-2 instead of the module's: only float16 breaks."""
    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if input.dtype == torch.float16:
            eps = 1e-2
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_normalizes_float16_in_train_and_eval")
    assert_killed(result, "test_batchnorm_normalizes_float16_in_train_and_eval")


@pytest.mark.skipif(torch_at_least("2.2"), reason="the no-kernel spec is gated to torch<2.2")
def test_float16_batch_norm_on_cpu_early_is_killed(pytester, monkeypatch):
    """Plants F.batch_norm that computes float16 on cpu in float32 (a kernel 2.0/2.1 do not have)."""
    def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
        if input.dtype == torch.float16:
            f = lambda t: None if t is None else t.float()
            return _batch_norm(input.float(), f(running_mean), f(running_var), f(weight), f(bias), training, momentum, eps).half()
        return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)

    monkeypatch.setattr(F, "batch_norm", batch_norm)
    result = run(pytester, f"{MOD}::test_batchnorm_has_no_cpu_float16_kernel_before_2_2")
    assert_killed(result, "test_batchnorm_has_no_cpu_float16_kernel_before_2_2")


def _lazy_init(warn):
    orig = nn.LazyBatchNorm1d.__init__

    def init(self, *a, **k):
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            orig(self, *a, **k)
        if warn:
            _warnings.warn("Lazy modules are a new feature under heavy development so changes to the API or functionality can happen at any moment.")

    return init


@pytest.mark.skipif(not torch_at_least("2.4"), reason="the silent spec is gated to torch>=2.4")
def test_lazy_module_warning_back_is_killed(pytester, monkeypatch):
    """Plants nn.LazyBatchNorm1d warning that lazy modules are new again (the pre-2.4 behaviour)."""
    monkeypatch.setattr(nn.LazyBatchNorm1d, "__init__", _lazy_init(True))
    result = run(pytester, f"{MOD}::test_lazy_batchnorm_constructs_silently_from_2_4")
    assert_killed(result, "test_lazy_batchnorm_constructs_silently_from_2_4")


@pytest.mark.skipif(torch_at_least("2.4"), reason="the warning spec is gated to torch<2.4")
def test_lazy_module_warning_dropped_early_is_killed(pytester, monkeypatch):
    """Plants nn.LazyBatchNorm1d without its new-feature warning before 2.4."""
    monkeypatch.setattr(nn.LazyBatchNorm1d, "__init__", _lazy_init(False))
    result = run(pytester, f"{MOD}::test_lazy_batchnorm_warns_that_lazy_modules_are_new_before_2_4")
    assert_killed(result, "test_lazy_batchnorm_warns_that_lazy_modules_are_new_before_2_4")


# --- release history, round 2 (mined from release notes and the tracker)

import torch.ao.quantization as _q  # noqa: E402

from specs.helpers import torch_at_least as _torch_at_least  # noqa: E402


@pytest.mark.skipif(_torch_at_least("2.11"), reason="the present-switch spec is gated to torch<2.11")
def test_exported_model_mode_switch_removed_early_is_killed(pytester, monkeypatch):
    """Plants the 2.11 removal of torch.ao.quantization.move_exported_model_to_eval/_train early."""
    for n in ("move_exported_model_to_eval", "move_exported_model_to_train"):
        monkeypatch.delattr(_q, n, raising=False)
    name = "test_torch_ao_can_switch_an_exported_models_mode_before_2_11"
    assert_killed(run(pytester, f"test_train_vs_eval.py::{name}"), name)


@pytest.mark.skipif(not _torch_at_least("2.11"), reason="the removal spec is gated to torch>=2.11")
def test_exported_model_mode_switch_back_is_killed(pytester, monkeypatch):
    """Plants torch.ao.quantization.move_exported_model_to_eval/_train back."""
    for n in ("move_exported_model_to_eval", "move_exported_model_to_train"):
        monkeypatch.setattr(_q, n, lambda model: model, raising=False)
    name = "test_torch_ao_has_no_exported_model_mode_switch_from_2_11"
    assert_killed(run(pytester, f"test_train_vs_eval.py::{name}"), name)


# --- release history, round 3 (found by running the suite on every release, then bisected)

_PT2E_SWITCH_SPEC = "test_move_exported_model_to_eval_makes_an_exported_dropout_the_identity_before_2_11"


@pytest.mark.skipif(
    _torch_at_least("2.11") or not _torch_at_least("2.1") or (_torch_at_least("2.3") and not _torch_at_least("2.4")),
    reason="the spec is gated to torch 2.1-2.10 and a known bug (strict xfail) on 2.3",
)
def test_move_exported_model_to_eval_that_matches_no_dropout_is_killed(pytester, monkeypatch):
    """Plants move_exported_model_to_eval as on 2.3 with a torch.export graph: it matches nothing and leaves Dropout dropping."""
    monkeypatch.setattr(_q, "move_exported_model_to_eval", lambda model: model)
    assert_killed(run(pytester, f"{MOD}::{_PT2E_SWITCH_SPEC}"), f"{_PT2E_SWITCH_SPEC}[cpu-to_eval]")


@pytest.mark.skipif(
    _torch_at_least("2.11") or not _torch_at_least("2.4"),
    reason="the to-train case is gated to torch 2.3-2.10 and a known bug (strict xfail) on 2.3",
)
def test_slice_move_exported_model_to_train_that_matches_no_dropout_is_killed(pytester, monkeypatch):
    """Plants move_exported_model_to_train that leaves the eval-form Dropout in place, breaking only the back-to-train case."""
    monkeypatch.setattr(_q, "move_exported_model_to_train", lambda model: model)
    assert_killed(run(pytester, f"{MOD}::{_PT2E_SWITCH_SPEC}"), f"{_PT2E_SWITCH_SPEC}[cpu-to_eval_then_to_train]")


INSTANCE = "test_instance_norm_uses_each_instances_statistics_in_train_and_eval_unless_it_tracks_running_stats"
MODELESS = "test_layer_norm_and_group_norm_hold_no_running_statistics_and_ignore_the_mode"


def test_slice_instance_norm_1d_not_updating_running_stats_is_killed(pytester, monkeypatch):
    """Plants F.instance_norm that leaves the running statistics of a 3-d input (InstanceNorm1d) alone in training."""
    import torch.nn.functional as F

    orig = F.instance_norm

    def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True, momentum=0.1, eps=1e-5):
        if input.dim() == 3:
            momentum = 0.0
        return orig(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)

    monkeypatch.setattr(F, "instance_norm", instance_norm)
    result = run(pytester, f"{MOD}::{INSTANCE}")
    assert_killed(result, f"{INSTANCE}[cpu-InstanceNorm1d-float32]", "running_mean after one training step")


def test_layer_norm_changing_in_eval_is_killed(pytester, monkeypatch):
    """Plants nn.LayerNorm whose eval() output uses another eps (as if LayerNorm had an eval mode)."""
    import torch.nn.functional as F

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps if self.training else 1e-2)

    monkeypatch.setattr(torch.nn.LayerNorm, "forward", forward)
    result = run(pytester, f"{MOD}::{MODELESS}")
    assert_killed(result, f"{MODELESS}[cpu-LayerNorm]", "in eval vs in train")


BIAS_FALSE = "test_norm_layers_built_with_bias_false_have_a_weight_and_no_bias"
BIAS_REFUSED = "test_norm_layers_refuse_a_bias_keyword_before_it_arrived"


def test_slice_layer_norm_keeping_its_bias_with_bias_false_is_killed(pytester, monkeypatch):
    """Plants nn.LayerNorm that ignores bias=False and still creates a bias (the other layers unchanged)."""
    orig = nn.LayerNorm.__init__

    def init(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        orig(self, normalized_shape, eps, elementwise_affine, True, device, dtype)

    monkeypatch.setattr(nn.LayerNorm, "__init__", init)
    result = run(pytester, f"{MOD}::{BIAS_FALSE}")
    assert_killed(result, f"{BIAS_FALSE}[cpu-LayerNorm]", "but should have only weight")


def test_pre_2_12_norm_layers_accepting_bias_is_killed(pytester, monkeypatch):
    """Plants a torch that reports 2.11.0 but whose BatchNorm/InstanceNorm/GroupNorm take bias= (this build's behaviour): the refusal spec must fail for them."""
    monkeypatch.setattr(torch, "__version__", "2.11.0")
    result = run(pytester, f"{MOD}::{BIAS_REFUSED}")
    assert_killed(result, f"{BIAS_REFUSED}[cpu-BatchNorm1d]", f"{BIAS_REFUSED}[cpu-GroupNorm]", "raised no TypeError")


# --- round 3: alpha dropout, channel dropout ranks, p's range, RMSNorm

import math as _math  # noqa: E402
import warnings as _w3  # noqa: E402

from torch import _VF  # noqa: E402
from torch.nn.modules.dropout import _DropoutNd  # noqa: E402

ALPHA = "test_alpha_dropout_in_training_sets_dropped_units_to_the_selu_saturation_then_applies_the_affine_map"
P_RANGE = "test_dropout_probability_outside_0_1_raises_value_error"
CHANNELS_1D3D = "test_dropout1d_and_unbatched_dropout3d_zero_whole_channels_in_training_and_are_the_identity_in_eval"
D1_RANKS = "test_dropout1d_refuses_an_input_that_is_not_2d_or_3d"
DEPRECATED = "test_dropout2d_and_3d_warn_that_an_unsupported_rank_is_deprecated_and_still_drop_channels"
RMS = "test_rms_norm_computes_x_over_root_mean_square_times_weight_in_train_and_eval_alike"
RMS_EPS = "test_rms_norm_default_eps_is_the_machine_epsilon_of_the_input_dtype"
RMS_HALF_NEW = "test_rms_norm_default_eps_for_half_precision_input_is_float32_epsilon_from_2_7"
RMS_HALF_OLD = "test_rms_norm_default_eps_for_half_precision_input_is_its_own_epsilon_before_2_7"
NO_RMS = "test_there_is_no_rms_norm_before_2_4"
_alpha_dropout, _feature_alpha_dropout, _dropout1d, _dropout3d = F.alpha_dropout, F.feature_alpha_dropout, F.dropout1d, F.dropout3d
_rms_norm = getattr(F, "rms_norm", None)
needs_rms_norm = pytest.mark.skipif(_rms_norm is None, reason="no RMSNorm before torch 2.4")


def test_alpha_dropout_as_plain_dropout_is_killed(monkeypatch, pytester):
    """Plants F.alpha_dropout that is plain inverted dropout (zeros and x/(1-p)) instead of the SELU-preserving affine map."""
    monkeypatch.setattr(F, "alpha_dropout", lambda x, p=0.5, training=False, inplace=False: _dropout(x, p, training, inplace))
    result = run(pytester, f"{MOD}::{ALPHA}")
    assert_killed(result, f"{ALPHA}[cpu-AlphaDropout-(N,F)-float32]", "neither a*x+b nor the dropped value")


def test_alpha_dropout_without_the_shift_is_killed(monkeypatch, pytester):
    """Plants F.alpha_dropout that forgets the shift b: dropped units a*alpha', kept ones a*x."""

    def alpha_dropout(x, p=0.5, training=False, inplace=False):
        if not training or p in (0, 1):
            return x
        sat = -1.0507009873554804934193349852946 * 1.6732632423543772848170429916717
        a = ((1 - p) * (1 + p * sat**2)) ** -0.5
        keep = torch.empty_like(x).bernoulli_(1 - p)
        return (x * keep + sat * (1 - keep)) * a

    monkeypatch.setattr(F, "alpha_dropout", alpha_dropout)
    assert_killed(run(pytester, f"{MOD}::{ALPHA}"), f"{ALPHA}[cpu-AlphaDropout-(N,F)-float32]")


def test_alpha_dropout_dropping_in_eval_is_killed(monkeypatch, pytester):
    """Plants F.alpha_dropout and F.feature_alpha_dropout that ignore training=False and keep dropping in eval."""
    monkeypatch.setattr(F, "alpha_dropout", lambda x, p=0.5, training=False, inplace=False: _alpha_dropout(x, p, True, inplace))
    monkeypatch.setattr(F, "feature_alpha_dropout", lambda x, p=0.5, training=False, inplace=False: _feature_alpha_dropout(x, p, True, inplace))
    assert_killed(run(pytester, f"{MOD}::{ALPHA}"), ALPHA, "in eval vs x")


def test_slice_feature_alpha_dropout_dropping_elements_is_killed(monkeypatch, pytester):
    """Slice: F.feature_alpha_dropout drops element by element (AlphaDropout's way) instead of whole x[n, c]."""
    monkeypatch.setattr(F, "feature_alpha_dropout", lambda x, p=0.5, training=False, inplace=False: _alpha_dropout(x, p, training, inplace))
    result = run(pytester, f"{MOD}::{ALPHA}")
    assert_killed(result, f"{ALPHA}[cpu-FeatureAlphaDropout-(N,C,L)-float32]", f"{ALPHA}[cpu-FeatureAlphaDropout-4D-float64]")
    assert result.parseoutcomes()["failed"] == 3


def test_slice_feature_alpha_dropout_reading_4d_input_as_unbatched_is_killed(monkeypatch, pytester):
    """Slice: the docs' reading: F.feature_alpha_dropout treats a 4-D input as unbatched (C, D, H, W) and drops whole x[c]."""

    def feature_alpha_dropout(x, p=0.5, training=False, inplace=False):
        if x.dim() == 4:
            return _feature_alpha_dropout(x.unsqueeze(0), p, training).squeeze(0)
        return _feature_alpha_dropout(x, p, training, inplace)

    monkeypatch.setattr(F, "feature_alpha_dropout", feature_alpha_dropout)
    result = run(pytester, f"{MOD}::{ALPHA}")
    assert_killed(result, f"{ALPHA}[cpu-FeatureAlphaDropout-4D-float64]")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_alpha_dropout_rate_off_by_5_percent_is_killed(monkeypatch, pytester):
    """Slice: F.alpha_dropout drops with probability p + 0.05 (with the affine map of p + 0.05), AlphaDropout only."""
    monkeypatch.setattr(F, "alpha_dropout", lambda x, p=0.5, training=False, inplace=False: _alpha_dropout(x, min(p + 0.05, 1.0), training, inplace))
    result = run(pytester, f"{MOD}::{ALPHA}")
    assert_killed(result, f"{ALPHA}[cpu-AlphaDropout-(N,F)-float32]", f"{ALPHA}[cpu-AlphaDropout-(N,C,H,W)-float64]")


def test_dropout_layers_accepting_any_p_is_killed(monkeypatch, pytester):
    """Plants the Dropout layers' constructor (_DropoutNd.__init__) without its range check on p."""

    def init(self, p=0.5, inplace=False):
        nn.Module.__init__(self)
        self.p, self.inplace = p, inplace

    monkeypatch.setattr(_DropoutNd, "__init__", init)
    result = run(pytester, f"{MOD}::{P_RANGE}")
    assert_killed(result, f"{P_RANGE}[cpu-Dropout]", f"{P_RANGE}[cpu-FeatureAlphaDropout]", "raised no ValueError")


def test_slice_functional_dropout_checking_p_only_in_training_is_killed(monkeypatch, pytester):
    """Slice: F.dropout checks p's range only when training (so F.dropout(x, 1.5, training=False) returns x)."""

    def dropout(x, p=0.5, training=True, inplace=False):
        return x if not training else _dropout(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout", dropout)
    result = run(pytester, f"{MOD}::{P_RANGE}")
    assert_killed(result, f"{P_RANGE}[cpu-F.dropout]")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_dropout1d_reading_unbatched_input_as_batched_is_killed(monkeypatch, pytester):
    """Slice: F.dropout1d reads a 2-D (C, L) input as (N, C) and drops element by element."""

    def dropout1d(x, p=0.5, training=True, inplace=False):
        if x.dim() == 2:
            return _VF.feature_dropout(x, p, training)
        return _dropout1d(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout1d", dropout1d)
    result = run(pytester, f"{MOD}::{CHANNELS_1D3D}")
    assert_killed(result, f"{CHANNELS_1D3D}[cpu-Dropout1d-(C,L)]")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_dropout3d_reading_4d_input_as_batched_is_killed(monkeypatch, pytester):
    """Slice: F.dropout3d reads a 4-D input as batched (N, C, H, W) and drops x[c, d] instead of x[c]."""

    def dropout3d(x, p=0.5, training=True, inplace=False):
        if x.dim() == 4:
            return _VF.feature_dropout(x, p, training)
        return _dropout3d(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout3d", dropout3d)
    result = run(pytester, f"{MOD}::{CHANNELS_1D3D}")
    assert_killed(result, f"{CHANNELS_1D3D}[cpu-Dropout3d-(C,D,H,W)]")
    assert result.parseoutcomes()["failed"] == 1


def test_dropout1d_elementwise_is_killed(monkeypatch, pytester):
    """Plants F.dropout1d that is plain element-wise dropout."""
    monkeypatch.setattr(F, "dropout1d", lambda x, p=0.5, training=True, inplace=False: _dropout(x, p, training, inplace))
    result = run(pytester, f"{MOD}::{CHANNELS_1D3D}")
    assert_killed(result, f"{CHANNELS_1D3D}[cpu-Dropout1d-(N,C,L)]", f"{CHANNELS_1D3D}[cpu-Dropout1d-(C,L)]")


def test_dropout1d_warning_on_supported_input_is_killed(monkeypatch, pytester):
    """Plants F.dropout1d that warns a (deprecation-like) UserWarning on every input."""

    def dropout1d(x, p=0.5, training=True, inplace=False):
        _w3.warn("dropout1d: Received an unbatched input to dropout1d, which is deprecated", UserWarning)
        return _dropout1d(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout1d", dropout1d)
    assert_killed(run(pytester, f"{MOD}::{CHANNELS_1D3D}"), f"{CHANNELS_1D3D}[cpu-Dropout1d-(C,L)]", "but the input is one it supports")


def test_dropout1d_accepting_4d_input_is_killed(monkeypatch, pytester):
    """Plants F.dropout1d that accepts any rank >= 2 (channel dropout over dims 0 and 1) instead of refusing ranks other than 2 and 3."""

    def dropout1d(x, p=0.5, training=True, inplace=False):
        if x.dim() > 3:
            return _VF.feature_dropout(x, p, training)
        return _dropout1d(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout1d", dropout1d)
    result = run(pytester, f"{MOD}::{D1_RANKS}")
    assert_killed(result, f"{D1_RANKS}[cpu-4-train]", f"{D1_RANKS}[cpu-5-eval]", "raised no RuntimeError")


def test_slice_dropout1d_checking_the_rank_only_in_training_is_killed(monkeypatch, pytester):
    """Slice: F.dropout1d returns its input in eval without checking the rank."""
    monkeypatch.setattr(F, "dropout1d", lambda x, p=0.5, training=True, inplace=False: x if not training else _dropout1d(x, p, training, inplace))
    result = run(pytester, f"{MOD}::{D1_RANKS}")
    assert_killed(result, f"{D1_RANKS}[cpu-1-eval]", f"{D1_RANKS}[cpu-4-eval]")
    assert result.parseoutcomes()["failed"] == 3


def test_dropout2d_unsupported_rank_silent_is_killed(monkeypatch, pytester):
    """Plants F.dropout2d and F.dropout3d that drop as before on an unsupported rank but no longer warn."""
    d2, d3 = F.dropout2d, _dropout3d

    def quiet(real):
        def drop(x, p=0.5, training=True, inplace=False):
            with _w3.catch_warnings():
                _w3.simplefilter("ignore")
                return real(x, p, training, inplace)
        return drop

    monkeypatch.setattr(F, "dropout2d", quiet(d2))
    monkeypatch.setattr(F, "dropout3d", quiet(d3))
    assert_killed(run(pytester, f"{MOD}::{DEPRECATED}"), f"{DEPRECATED}[cpu-Dropout2d-2D]", f"{DEPRECATED}[cpu-Dropout3d-6D]", "but one UserWarning should say")


def test_slice_dropout3d_reading_6d_input_as_batched_is_killed(monkeypatch, pytester):
    """Slice: F.dropout3d (warning kept) reads a 6-D input as batched and drops x[n, c] instead of x[c] along dim 0."""

    def dropout3d(x, p=0.5, training=True, inplace=False):
        if x.dim() == 6:
            _dropout3d(x.detach().clone(), p, False)  # the real warning
            return _VF.feature_dropout(x, p, training)
        return _dropout3d(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout3d", dropout3d)
    result = run(pytester, f"{MOD}::{DEPRECATED}")
    assert_killed(result, f"{DEPRECATED}[cpu-Dropout3d-6D]")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_dropout2d_on_5d_input_dropping_whole_samples_is_killed(monkeypatch, pytester):
    """Slice: F.dropout2d (warning kept) drops whole x[n] of a 5-D input instead of x[n, c]."""
    d2 = F.dropout2d

    def dropout2d(x, p=0.5, training=True, inplace=False):
        if x.dim() == 5:
            d2(x.detach().clone(), p, False)  # the real warning
            return _VF.feature_dropout(x.unsqueeze(0), p, training).squeeze(0)
        return d2(x, p, training, inplace)

    monkeypatch.setattr(F, "dropout2d", dropout2d)
    result = run(pytester, f"{MOD}::{DEPRECATED}")
    assert_killed(result, f"{DEPRECATED}[cpu-Dropout2d-5D]")
    assert result.parseoutcomes()["failed"] == 1


def _rms(*, centred=False, eps_outside=False, default_eps=None, eval_unweighted=False, half_own_eps=False):
    """A planted F.rms_norm: the real one with one thing wrong."""

    def rms_norm(x, normalized_shape, weight=None, eps=None):
        if eps is None and default_eps is not None:
            eps = default_eps
        if eps is None and half_own_eps and x.dtype in (torch.float16, torch.bfloat16):
            eps = torch.finfo(x.dtype).eps
        dims = tuple(range(-len(normalized_shape), 0))
        if centred:
            x = x - x.mean(dims, keepdim=True)
        if eps_outside:
            e = torch.finfo(x.dtype).eps if eps is None else eps
            out = x / (x.pow(2).mean(dims, keepdim=True).sqrt() + e)
            return out * weight if weight is not None else out
        return _rms_norm(x, normalized_shape, weight, eps)

    return rms_norm


@needs_rms_norm
def test_rms_norm_centring_like_layer_norm_is_killed(monkeypatch, pytester):
    """Plants F.rms_norm that subtracts the mean first (LayerNorm without the bias)."""
    monkeypatch.setattr(F, "rms_norm", _rms(centred=True))
    assert_killed(run(pytester, f"{MOD}::{RMS}"), RMS)


@needs_rms_norm
def test_rms_norm_adding_eps_outside_the_root_is_killed(monkeypatch, pytester):
    """Plants F.rms_norm computing x / (sqrt(mean(x^2)) + eps) instead of x / sqrt(mean(x^2) + eps)."""
    monkeypatch.setattr(F, "rms_norm", _rms(eps_outside=True))
    assert_killed(run(pytester, f"{MOD}::{RMS}"), RMS)


@needs_rms_norm
def test_rms_norm_ignoring_its_weight_in_eval_is_killed(monkeypatch, pytester):
    """Plants nn.RMSNorm.forward that drops its weight in eval mode."""
    real = nn.RMSNorm.forward
    monkeypatch.setattr(nn.RMSNorm, "forward", lambda self, x: real(self, x) if self.training else F.rms_norm(x, self.normalized_shape, None, self.eps))
    assert_killed(run(pytester, f"{MOD}::{RMS}"), RMS, "in eval vs in train")


@needs_rms_norm
def test_rms_norm_default_eps_1e_5_is_killed(monkeypatch, pytester):
    """Plants F.rms_norm whose eps=None means 1e-5 (LayerNorm's default) instead of the dtype's machine epsilon."""
    monkeypatch.setattr(F, "rms_norm", _rms(default_eps=1e-5))
    result = run(pytester, f"{MOD}::{RMS_EPS}")
    assert_killed(result, f"{RMS_EPS}[cpu-float32]", f"{RMS_EPS}[cpu-float64]")


@needs_rms_norm
def test_slice_rms_norm_default_eps_of_float32_for_float64_input_is_killed(monkeypatch, pytester):
    """Slice: F.rms_norm's eps=None means float32's epsilon for float64 input too."""
    monkeypatch.setattr(F, "rms_norm", _rms(default_eps=torch.finfo(torch.float32).eps))
    result = run(pytester, f"{MOD}::{RMS_EPS}")
    assert_killed(result, f"{RMS_EPS}[cpu-float64]")
    assert result.parseoutcomes()["failed"] == 1


@pytest.mark.skipif(not _torch_at_least("2.7"), reason="the float32-eps spec is gated to torch>=2.7")
def test_rms_norm_half_precision_eps_of_its_own_dtype_is_killed(monkeypatch, pytester):
    """Plants the 2.4-2.6 behaviour back: eps=None means torch.finfo(x.dtype).eps for float16/bfloat16 input."""
    monkeypatch.setattr(F, "rms_norm", _rms(half_own_eps=True))
    result = run(pytester, f"{MOD}::{RMS_HALF_NEW}")
    assert_killed(result, f"{RMS_HALF_NEW}[cpu-float16]", f"{RMS_HALF_NEW}[cpu-bfloat16]")


@pytest.mark.skipif(not _torch_at_least("2.7"), reason="this build's half-precision eps is float32's (2.7+)")
def test_rms_norm_float32_eps_for_half_precision_before_2_7_is_killed(monkeypatch, pytester):
    """Plants a torch that reports 2.6.0 but uses float32's eps for half-precision input (this build's behaviour, the 2.7 change early)."""
    monkeypatch.setattr(torch, "__version__", "2.6.0")
    result = run(pytester, f"{MOD}::{RMS_HALF_OLD}")
    assert_killed(result, f"{RMS_HALF_OLD}[cpu-float16]", f"{RMS_HALF_OLD}[cpu-bfloat16]")


@needs_rms_norm
def test_rms_norm_before_2_4_is_killed(monkeypatch, pytester):
    """Plants a torch that reports 2.3.1 but has nn.RMSNorm (this build's): the absence spec must fail."""
    monkeypatch.setattr(torch, "__version__", "2.3.1")
    assert_killed(run(pytester, f"{MOD}::{NO_RMS}"), NO_RMS, "torch.nn.RMSNorm exists")


P_EDGES = "test_every_dropout_layer_at_p1_returns_zeros_and_at_p0_returns_its_input_in_training"
RNN_DROP = "test_rnn_dropout_drops_between_stacked_layers_in_training_only"
RNN_WARN = "test_single_layer_rnn_with_dropout_warns_that_it_drops_nothing"
MHA = "test_multihead_attention_drops_attention_weights_in_training_only"


def test_slice_alpha_dropout_p1_giving_its_dropped_value_is_killed(monkeypatch, pytester):
    """Slice: F.alpha_dropout at p=1 returns the saturation value alpha' everywhere (the 'dropped' value) instead of zeros."""

    def alpha_dropout(x, p=0.5, training=False, inplace=False):
        if training and p == 1:
            return torch.full_like(x, -1.0507009873554804934193349852946 * 1.6732632423543772848170429916717)
        return _alpha_dropout(x, p, training, inplace)

    monkeypatch.setattr(F, "alpha_dropout", alpha_dropout)
    result = run(pytester, f"{MOD}::{P_EDGES}")
    assert_killed(result, f"{P_EDGES}[cpu-AlphaDropout]", "p=1) in training vs zeros")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_feature_alpha_dropout_p0_still_shifting_is_killed(monkeypatch, pytester):
    """Slice: F.feature_alpha_dropout at p=0 applies a*x + b with a tiny p instead of returning x."""
    monkeypatch.setattr(F, "feature_alpha_dropout", lambda x, p=0.5, training=False, inplace=False: _feature_alpha_dropout(x, p or 1e-3, training, inplace))
    result = run(pytester, f"{MOD}::{P_EDGES}")
    assert_killed(result, f"{P_EDGES}[cpu-FeatureAlphaDropout]")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_dropout3d_p1_nan_is_killed(monkeypatch, pytester):
    """Slice: F.dropout3d at p=1 scales by 1/(1-p) = inf and returns NaN instead of zeros."""
    monkeypatch.setattr(F, "dropout3d", lambda x, p=0.5, training=True, inplace=False: x * float("nan") if training and p == 1 else _dropout3d(x, p, training, inplace))
    result = run(pytester, f"{MOD}::{P_EDGES}")
    assert_killed(result, f"{P_EDGES}[cpu-Dropout3d]")
    assert result.parseoutcomes()["failed"] == 1


def _rnn_forward(cls, *, always_training=False, never_dropout=False, drop_output=False, drop_input=False):
    real = cls.forward

    def forward(self, x, hx=None):
        was, p = self.training, self.dropout
        try:
            if always_training:
                self.training = True
            if never_dropout:
                self.dropout = 0.0
            if drop_input and self.training:
                x = F.dropout(x, p)
            out, h = real(self, x, hx)
        finally:
            self.training, self.dropout = was, p
        if drop_output and self.training:
            out = F.dropout(out, p)
        return out, h

    return forward


def test_rnn_dropout_in_eval_is_killed(monkeypatch, pytester):
    """Plants nn.LSTM/GRU/RNN that keep dropping between layers in eval."""
    for cls in (nn.RNN, nn.LSTM, nn.GRU):
        monkeypatch.setattr(cls, "forward", _rnn_forward(cls, always_training=True))
    assert_killed(run(pytester, f"{MOD}::{RNN_DROP}"), f"{RNN_DROP}[cpu-LSTM]", "in eval vs dropout=0")


def test_rnn_dropout_ignored_in_training_is_killed(monkeypatch, pytester):
    """Plants nn.LSTM/GRU/RNN that never drop (dropout= ignored in training too)."""
    for cls in (nn.RNN, nn.LSTM, nn.GRU):
        monkeypatch.setattr(cls, "forward", _rnn_forward(cls, never_dropout=True))
    assert_killed(run(pytester, f"{MOD}::{RNN_DROP}"), f"{RNN_DROP}[cpu-GRU]", "but its input should be dropped")


def test_slice_lstm_dropping_its_last_layers_output_is_killed(monkeypatch, pytester):
    """Slice: nn.LSTM in training also drops the last layer's output."""
    monkeypatch.setattr(nn.LSTM, "forward", _rnn_forward(nn.LSTM, drop_output=True))
    result = run(pytester, f"{MOD}::{RNN_DROP}")
    assert_killed(result, f"{RNN_DROP}[cpu-LSTM]", "but the last layer's output is not dropped")
    assert result.parseoutcomes()["failed"] == 1


def test_slice_gru_dropping_its_input_is_killed(monkeypatch, pytester):
    """Slice: nn.GRU in training also drops its input (before the first layer)."""
    monkeypatch.setattr(nn.GRU, "forward", _rnn_forward(nn.GRU, drop_input=True))
    result = run(pytester, f"{MOD}::{RNN_DROP}")
    assert_killed(result, f"{RNN_DROP}[cpu-GRU]", "first layer's h_n vs dropout=0")
    assert result.parseoutcomes()["failed"] == 1


def test_single_layer_rnn_dropout_warning_dropped_is_killed(monkeypatch, pytester):
    """Plants RNN constructors that no longer warn about dropout with num_layers=1."""
    from torch.nn.modules.rnn import RNNBase

    real = RNNBase.__init__

    def init(self, *a, **k):
        with _w3.catch_warnings():
            _w3.simplefilter("ignore")
            real(self, *a, **k)

    monkeypatch.setattr(RNNBase, "__init__", init)
    assert_killed(run(pytester, f"{MOD}::{RNN_WARN}"), f"{RNN_WARN}[RNN]", f"{RNN_WARN}[LSTM]", "but should warn one UserWarning")


def test_slice_single_layer_lstm_dropping_its_output_is_killed(monkeypatch, pytester):
    """Slice: a single-layer nn.LSTM with dropout drops its output in training (dropout after the last layer)."""
    monkeypatch.setattr(nn.LSTM, "forward", _rnn_forward(nn.LSTM, drop_output=True))
    result = run(pytester, f"{MOD}::{RNN_WARN}")
    assert_killed(result, f"{RNN_WARN}[LSTM]", "in training vs dropout=0")
    assert result.parseoutcomes()["failed"] == 1


_mha_forward = F.multi_head_attention_forward


def test_multihead_attention_dropping_in_eval_is_killed(monkeypatch, pytester):
    """Plants F.multi_head_attention_forward that ignores training=False and keeps dropping attention weights in eval."""
    monkeypatch.setattr(F, "multi_head_attention_forward", lambda *a, **k: _mha_forward(*a, **{**k, "training": True}))
    assert_killed(run(pytester, f"{MOD}::{MHA}"), MHA, "in eval")


def test_multihead_attention_dropping_at_half_the_rate_is_killed(monkeypatch, pytester):
    """Plants F.multi_head_attention_forward that drops attention weights with probability p/2 (scaled for p/2)."""

    def mha(*a, **k):
        a = list(a)
        if "dropout_p" in k:
            k["dropout_p"] = k["dropout_p"] / 2
        else:
            a[10] = a[10] / 2  # query, key, value, E, heads, in_w, in_b, bias_k, bias_v, add_zero_attn, dropout_p
        return _mha_forward(*a, **k)

    monkeypatch.setattr(F, "multi_head_attention_forward", mha)
    assert_killed(run(pytester, f"{MOD}::{MHA}"), MHA)


SYNC = "test_sync_batchnorm_without_a_process_group_computes_as_batchnorm_in_train_and_eval"
SYNC_FLAG = "test_convert_sync_batchnorm_keeps_each_training_flag_from_2_2"
SYNC_FLAG_OLD = "test_convert_sync_batchnorm_leaves_every_sync_batchnorm_in_training_mode_before_2_2"
STATE = "test_the_training_flag_is_not_in_the_state_dict_but_travels_with_the_module_object"


@pytest.mark.skipif(not _torch_at_least("2.2"), reason="the flag-keeping spec is gated to torch>=2.2")
def test_convert_sync_batchnorm_resetting_flags_is_killed(monkeypatch, pytester):
    """Plants convert_sync_batchnorm that leaves every new SyncBatchNorm in training mode (drops module.training)."""
    real = nn.SyncBatchNorm.convert_sync_batchnorm.__func__

    def convert(cls, module, process_group=None):
        out = real(cls, module, process_group)
        for m in out.modules():
            if isinstance(m, nn.SyncBatchNorm):
                m.training = True
        return out

    monkeypatch.setattr(nn.SyncBatchNorm, "convert_sync_batchnorm", classmethod(convert))
    assert_killed(run(pytester, f"{MOD}::{SYNC_FLAG}"), SYNC_FLAG, "but should stay")


@pytest.mark.skipif(not _torch_at_least("2.2"), reason="this build's convert_sync_batchnorm keeps the flags (2.2+)")
def test_convert_sync_batchnorm_keeping_flags_before_2_2_is_killed(monkeypatch, pytester):
    """Plants a torch that reports 2.1.2 but whose convert_sync_batchnorm keeps each flag (the 2.2 change early)."""
    monkeypatch.setattr(torch, "__version__", "2.1.2")
    assert_killed(run(pytester, f"{MOD}::{SYNC_FLAG_OLD}"), SYNC_FLAG_OLD, "but should all be True")


@pytest.mark.skipif(not _torch_at_least("2.2"), reason="the flag-keeping spec is gated to torch>=2.2")
def test_sync_batchnorm_copying_the_running_stats_is_killed(monkeypatch, pytester):
    """Plants convert_sync_batchnorm that gives each SyncBatchNorm copies of the running stats instead of the BatchNorm's buffers."""
    real = nn.SyncBatchNorm.convert_sync_batchnorm.__func__

    def convert(cls, module, process_group=None):
        out = real(cls, module, process_group)
        for m in out.modules():
            if isinstance(m, nn.SyncBatchNorm) and m.running_mean is not None:
                m.running_mean = m.running_mean.clone()
        return out

    monkeypatch.setattr(nn.SyncBatchNorm, "convert_sync_batchnorm", classmethod(convert))
    assert_killed(run(pytester, f"{MOD}::{SYNC_FLAG}"), SYNC_FLAG, "should reuse the BatchNorm's buffer")


def test_sync_batchnorm_using_batch_stats_in_eval_is_killed(monkeypatch, pytester):
    """Plants SyncBatchNorm.forward that normalizes with batch statistics (and updates nothing) in eval too."""

    def forward(self, x):
        if self.training:
            return nn.BatchNorm1d.forward(self, x)
        return F.batch_norm(x, None, None, self.weight, self.bias, True, 0.0, self.eps)

    monkeypatch.setattr(nn.SyncBatchNorm, "forward", forward)
    assert_killed(run(pytester, f"{MOD}::{SYNC}"), SYNC)


def test_slice_load_state_dict_switching_to_eval_is_killed(monkeypatch, pytester):
    """Plants Module.load_state_dict that also calls eval() (as if the mode were part of the checkpoint)."""
    real = nn.Module.load_state_dict

    def load_state_dict(self, *a, **k):
        result = real(self, *a, **k)
        self.eval()
        return result

    monkeypatch.setattr(nn.Module, "load_state_dict", load_state_dict)
    result = run(pytester, f"{MOD}::{STATE}")
    assert_killed(result, f"{STATE}[load_state_dict]", "but every module should be True")
    assert result.parseoutcomes()["failed"] == 1


def test_unpickled_module_back_in_training_mode_is_killed(monkeypatch, pytester):
    """Plants Module.__setstate__ that resets training to True (deepcopy and torch.load lose the mode)."""
    real = nn.Module.__setstate__

    def setstate(self, state):
        real(self, state)
        self.training = True

    monkeypatch.setattr(nn.Module, "__setstate__", setstate)
    result = run(pytester, f"{MOD}::{STATE}")
    assert_killed(result, f"{STATE}[deepcopy]", f"{STATE}[torch.save/load]")


# --------------------------------------------------------------------------- momentum edges (blind battery round 5)


def test_slice_batchnorm_momentum_zero_read_as_the_default_is_killed(pytester, monkeypatch):
    """Plants BatchNorm whose momentum 0 is read as unset (``momentum or 0.1``): the running statistics move when they should stay."""
    orig = torch.nn.modules.batchnorm._BatchNorm.forward

    def forward(self, x):
        before = self.momentum
        if before == 0:
            self.momentum = 0.1
        try:
            return orig(self, x)
        finally:
            self.momentum = before

    monkeypatch.setattr(torch.nn.modules.batchnorm._BatchNorm, "forward", forward)
    name = "test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name, "momentum=0.0: BatchNorm")
