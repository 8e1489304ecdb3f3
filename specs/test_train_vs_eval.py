"""train() vs eval(): a flag that changes what some layers compute, nothing else.

Every ``nn.Module`` has a boolean ``training`` attribute. ``model.train()`` sets it to True and
``model.eval()`` -- which is literally ``model.train(False)`` -- sets it to False, on the module and
recursively on every submodule, and both return the module itself so calls chain
(``model = Net().to(device).eval()``). A freshly constructed module is in training mode.

The flag is read by the layers whose maths differs between fitting and inference:

* ``Dropout(p)`` in training zeroes each element independently with probability ``p`` and scales
  the survivors by ``1/(1-p)`` so the expected value is unchanged ("inverted dropout"); in eval it
  is the identity, whatever ``p``.
* ``BatchNorm1d/2d`` in training normalizes with the statistics of the current batch (mean and
  *biased* variance) and updates its running estimates,
  ``running_mean <- (1-momentum)*running_mean + momentum*batch_mean`` and the same for
  ``running_var`` with the *unbiased* batch variance; ``num_batches_tracked`` counts the batches and
  ``momentum=None`` turns the update into a cumulative average. In eval it normalizes with the
  running statistics and leaves them alone, so a sample's output no longer depends on the other
  samples of its batch. With ``track_running_stats=False`` there are no running statistics and
  batch statistics are used in eval too. A batch with a single value per channel cannot be
  normalized in training and raises.

* ``Dropout2d(p)`` zeroes whole channels. On a 3-D input it does NOT read (C, H, W): in every
  supported release it treats the input as (N, C, L), zeroes whole length-L rows per (sample,
  channel), and warns that this will change (use ``Dropout1d`` for that behaviour).

Folklore corrected: the source note says ``model.train()`` "computes gradients" and
``model.eval()`` "does not". That is false: neither touches autograd or ``requires_grad`` -- an
eval-mode model still builds a graph and back-propagates (see ``test_eval_vs_no_grad``). The
note's "BatchNorm and Dropout set to True/False" is the ``training`` flag described here. Its
"eval() 不启用 BatchNormalization" (eval "does not enable" BatchNorm) is wrong too: in eval
BatchNorm still normalizes, with its running statistics and its affine weight and bias; only
Dropout becomes the identity.
"""

from __future__ import annotations

import copy
import math
import re

import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

from specs.helpers import assert_same, data, exact_kernels, raises, seeded, torch_at_least

# --------------------------------------------------------------------------- private helpers


def flags(model: nn.Module):
    return {name or "<root>": m.training for name, m in model.named_modules()}


def assert_all_training(model, expected: bool):
    __tracebackhide__ = True
    wrong = {k: v for k, v in flags(model).items() if v is not expected}
    assert not wrong, f"training flags {wrong}, but every module should be {expected}"


def tree(depth: int, width: int) -> nn.Module:
    """A nested Sequential ``depth`` levels deep, ``width`` branches per level, mixed leaf layers."""
    if depth == 0:
        return nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5), nn.BatchNorm1d(3))
    return nn.Sequential(*(tree(depth - 1, width) for _ in range(width)), nn.ReLU())


def batch_stats(x):
    """Per-channel mean, biased and unbiased variance over every dim but 1."""
    dims = [d for d in range(x.dim()) if d != 1]
    return x.mean(dims), x.var(dims, unbiased=False), x.var(dims, unbiased=True)


def per_channel(v, x):
    return v.reshape((1, -1) + (1,) * (x.dim() - 2))


def normalize(x, mean, var, eps, weight, bias):
    return (x - per_channel(mean, x)) / torch.sqrt(per_channel(var, x) + eps) * per_channel(
        weight, x
    ) + per_channel(bias, x)


#: (BatchNorm class, input shape builder): BatchNorm1d on (N, C) and (N, C, L), BatchNorm2d on (N, C, H, W).
BN_KINDS = {
    "1d(N,C)": (nn.BatchNorm1d, lambda n, c, s: (n, c)),
    "1d(N,C,L)": (nn.BatchNorm1d, lambda n, c, s: (n, c, s)),
    "2d(N,C,H,W)": (nn.BatchNorm2d, lambda n, c, s: (n, c, s, s + 1)),
}

# Bounded sizes: a batch of 2..6 with 1..4 channels and sides up to 4 already exercises every
# reduction; larger tensors only cost time.
bn_cases = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(list(BN_KINDS)),
        "n": st.integers(2, 6),
        "c": st.integers(1, 4),
        "s": st.integers(1, 4),
        "seed": st.integers(0, 2**32 - 1),
        "dtype": st.sampled_from([torch.float32, torch.float64]),
    }
)
momenta = st.floats(0.01, 1.0)
#: Tolerance of a BatchNorm result against the formula evaluated in float64 on the same values.
BN_TOL = {torch.float32: {"rtol": 1e-5, "atol": 1e-5}, torch.float64: {"rtol": 1e-7, "atol": 1e-7}}


def bn_close(actual, expected, what: str):
    """``actual`` (float32 or float64) equals the float64 ``expected`` within its dtype's tolerance."""
    __tracebackhide__ = True
    torch.testing.assert_close(actual.double(), expected.double(), **BN_TOL[actual.dtype], msg=lambda m: f"{what} ({actual.dtype}): {m}")


def make_bn(case, device, **kwargs):
    """A BatchNorm of the case's dtype (float32 or float64) on ``device`` with non-trivial affine parameters and running stats.

    The specs evaluate the formulas in float64 on the same values (``.double()``) as the oracle.
    """
    cls, shape = BN_KINDS[case["kind"]]
    dtype = case["dtype"]
    bn = cls(case["c"], **kwargs).to(device, dtype)
    c, seed = case["c"], case["seed"]
    with torch.no_grad():
        bn.weight.copy_(data(c, seed + 1, device, scale=0.5, shift=1.0))
        bn.bias.copy_(data(c, seed + 2, device))
        if bn.running_mean is not None:
            bn.running_mean.copy_(data(c, seed + 3, device))
            bn.running_var.copy_(data(c, seed + 4, device).abs() + 0.5)
    x = data(shape(case["n"], c, case["s"]), seed, device, scale=2.0, shift=0.5).to(dtype)
    return bn, x


# --------------------------------------------------------------------------- train() / eval()


@pytest.mark.device_independent
@given(depth=st.integers(0, 3), width=st.integers(1, 3), calls=st.lists(st.booleans(), min_size=1, max_size=4))
def test_train_and_eval_set_training_on_every_submodule_and_return_self(depth, width, calls):
    """train() and eval() set ``.training`` on the module and every submodule, and return the module itself.

    ``calls`` is a random sequence of ``train()`` (True) / ``eval()`` (False) on a nested model.
    The flag is a Python attribute of the module object: no device is involved.
    """
    model = tree(depth, width)
    for mode in calls:
        returned = model.train() if mode else model.eval()
        assert returned is model, f"{'train' if mode else 'eval'}() returned {returned!r}, but should return the module itself"
        assert_all_training(model, mode)


@pytest.mark.device_independent
@given(depth=st.integers(0, 2), width=st.integers(1, 2))
def test_eval_is_train_false(depth, width):
    """eval() is train(False): it goes through train(), so a submodule overriding train() sees mode False."""
    seen = []

    class Recorder(nn.Module):
        def train(self, mode=True):
            seen.append(mode)
            return super().train(mode)

    model = nn.Sequential(tree(depth, width), Recorder(), nn.Sequential(Recorder()))
    reference = copy.deepcopy(model).train(False)
    seen.clear()  # the reference's train(False) was recorded too
    model.eval()
    assert seen == [False, False], f"overridden train() saw {seen}, but should see [False, False]"
    assert flags(model) == flags(reference), f"training flags after eval() {flags(model)}, but should be train(False)'s {flags(reference)}"


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Linear(4, 2),
        lambda: nn.Dropout(0.3),
        lambda: nn.BatchNorm2d(3),
        lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Dropout()),
        lambda: type("Custom", (nn.Module,), {})(),
    ],
    ids=["Linear", "Dropout", "BatchNorm2d", "Sequential", "custom"],
)
@pytest.mark.device_independent
def test_new_module_starts_in_training_mode(make):
    """A newly constructed module, and every submodule of it, is in training mode."""
    model = make()
    assert_all_training(model, True)


@pytest.mark.device_independent
@given(depth=st.integers(0, 2), frozen=st.lists(st.booleans(), min_size=1, max_size=12))
def test_train_and_eval_leave_requires_grad_alone(depth, frozen):
    """train() and eval() do not change any parameter's requires_grad (they do not switch gradients on or off)."""
    model = tree(depth, 2)
    for p, f in zip(model.parameters(), frozen * 100):
        p.requires_grad_(not f)
    before = [p.requires_grad for p in model.parameters()]
    for call in (model.eval, model.train, model.eval):
        call()
        after = [p.requires_grad for p in model.parameters()]
        assert after == before, f"requires_grad {after} after {call.__name__}(), but should stay {before}"


# --------------------------------------------------------------------------- Dropout

ps = st.floats(0.05, 0.95)
seeds = st.integers(0, 2**32 - 1)
#: Dropout runs on every floating dtype; torch 2.0 has no cpu float16 kernel for it (RuntimeError:
#: "bernoulli_scalar_cpu_" not implemented for 'Half'; checked on 2.0.1, works on 2.2.2 and later).
DROPOUT_DTYPES = [*([torch.float16] if torch_at_least("2.1") else []), torch.bfloat16, torch.float32, torch.float64]
dropout_dtypes = st.sampled_from(DROPOUT_DTYPES)


@given(p=ps, seed=seeds, shape=st.sampled_from([(200_000,), (400, 500), (8, 125, 200)]), dtype=dropout_dtypes)
@example(p=0.5, seed=0, shape=(200_000,), dtype=torch.float32)
@example(p=0.93, seed=0, shape=(400, 500), dtype=torch.float64)
@example(p=0.07, seed=1, shape=(8, 125, 200), dtype=torch.bfloat16)
def test_dropout_in_training_zeroes_each_element_with_probability_p(device, p, seed, shape, dtype):
    """Dropout(p) in training zeroes each element with probability p: the zero count is Binomial(n, p).

    For every floating dtype (float16 from torch 2.1, bfloat16, float32, float64).

    A binomial z-test at six sigma on n = 200,000 elements: ``|zeros - n*p| <= 6*sqrt(n*p*(1-p)) + 1``.
    A correct torch fails it with probability < 1e-8 per seed. The bound is at most 1,343 elements
    (0.7% of n), and at most 950 (0.95%) for each half of the elements, which is checked separately
    (so a mask not drawn element by element, say the first n*p elements, fails too). Hence a drop
    rate off by an absolute 0.02 (4,000 elements, 2,000 per half) -- let alone 0.05 -- is rejected on
    every seed, for every p in [0.05, 0.95].
    """
    x = torch.rand(shape, device=device, dtype=dtype) + 1.0  # no zeros of its own
    drop = nn.Dropout(p).to(device)
    with seeded(device, seed):
        out = drop(x)
    flat = (out == 0).flatten()
    for part, mask in (("all", flat), ("first half", flat[: flat.numel() // 2]), ("second half", flat[flat.numel() // 2 :])):
        n, zeros = mask.numel(), int(mask.sum())
        bound = 6 * math.sqrt(n * p * (1 - p)) + 1
        assert abs(zeros - n * p) <= bound, (
            f"{zeros} of {n} elements ({part}) zeroed by Dropout({p}), but should be {n * p:.1f} +- {bound:.1f}"
        )


@given(p=st.floats(0.05, 0.9), seed=seeds, n=st.integers(256, 1024), dtype=dropout_dtypes)
@example(p=0.5, seed=0, n=256, dtype=torch.float64)
@example(p=0.9, seed=1, n=300, dtype=torch.bfloat16)
def test_dropout_scales_survivors_by_exactly_one_over_one_minus_p(device, p, seed, n, dtype):
    """Dropout(p) in training multiplies every surviving element by 1/(1-p): bit-exactly in float64, within two roundings in float32, float16 and bfloat16.

    float64: ``out == x * (1/(1-p))``. Lower precisions: releases differ in where they round (2.0
    rounds the scale to the dtype and multiplies in it, off by an ulp from the float64 product in
    float32; 2.15 multiplies in float32 and rounds once), so the claim is the bound all meet: within
    ``2 * eps`` relative of the exact product (the scale and the product each rounded once).
    n >= 256 and p <= 0.9 make "everything dropped" a < 1e-11 event.
    """
    x = data((n,), seed, device, dtype=torch.float64).abs().to(dtype) + 0.1
    with seeded(device, seed):
        out = nn.Dropout(p).to(device)(x)
    kept = out != 0
    assert kept.any(), f"all {n} elements dropped by Dropout({p}), cannot check the scale"
    if dtype == torch.float64:
        assert_same(out[kept], x[kept] * (1.0 / (1.0 - p)), f"Dropout({p}) survivors ({dtype})")
    else:
        exact = x[kept].double() * (1.0 / (1.0 - p))
        torch.testing.assert_close(out[kept].double(), exact, rtol=2 * torch.finfo(dtype).eps, atol=0,
                                   msg=lambda m: f"Dropout({p}) survivors ({dtype}) vs x * 1/(1-p): {m}")


@given(x=st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=50), seed=seeds, dtype=dropout_dtypes)
@example(x=[1.0, -2.0, 0.5, 3.0, 1e-3], seed=0, dtype=torch.float32)
@example(x=[1.0, -2.0, 0.5, 3.0, 1e-3], seed=0, dtype=torch.float64)
def test_dropout_p0_is_identity_and_p1_zeroes_everything(device, x, seed, dtype):
    """In training, Dropout(p=0) returns its input unchanged and Dropout(p=1) returns all zeros, for every floating dtype."""
    t = torch.tensor(x, device=device, dtype=dtype)
    with seeded(device, seed):
        assert_same(nn.Dropout(0.0).to(device)(t), t, "Dropout(p=0)(t) vs t")
        assert_same(nn.Dropout(1.0).to(device)(t), torch.zeros_like(t), "Dropout(p=1)(t) vs zeros")


@given(p=st.floats(0.0, 1.0), seed=seeds, shape=st.sampled_from([(7,), (3, 5), (2, 3, 4)]), dtype=dropout_dtypes)
@example(p=0.5, seed=0, shape=(3, 5), dtype=torch.float32)
@example(p=1.0, seed=0, shape=(7,), dtype=torch.float64)
def test_dropout_in_eval_is_exact_identity(device, p, seed, shape, dtype):
    """Dropout(p) in eval mode returns its input exactly, for every p in [0, 1] and every floating dtype."""
    x = data(shape, seed, device, dtype=torch.float64).to(dtype)
    drop = nn.Dropout(p).to(device).eval()
    assert_same(drop(x), x, f"Dropout({p}).eval()(x) vs x")


DROPOUT2D_3D_WARNING = (
    "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - "
    "input is interpreted as shape (N, C, L)"
)


@given(n=st.integers(3, 5), c=st.integers(16, 24), length=st.integers(1, 12), p=st.floats(0.3, 0.7), seed=seeds)
@example(n=4, c=16, length=50, p=0.5, seed=0)
def test_dropout2d_on_3d_input_zeroes_whole_rows_per_sample_and_channel_and_warns(device, n, c, length, p, seed):
    """nn.Dropout2d in training treats a 3-D input as (N, C, L): each (n, c) row of L values is zeroed whole or scaled by 1/(1-p), with a UserWarning that this will change.

    Not a (C, H, W) no-batch-dim reading (which the docs' warning says a future release will adopt,
    and which would zero whole x[n] planes): with
    3..5 samples of 16..24 channels at p in [0.3, 0.7], some sample has both a zeroed and a kept row
    except with probability < 1e-6. Same behaviour and warning text in every supported release
    (2.0.1 .. 2.15.0, checked); source: torch/nn/functional.py ``dropout2d`` ("This behavior will
    change in a future release", https://github.com/pytorch/pytorch/issues/77081).
    """
    x = data((n, c, length), seed, device).abs() + 0.1  # no zeros of its own
    drop = nn.Dropout2d(p).to(device)
    with seeded(device, seed), pytest.warns(UserWarning, match=re.escape(DROPOUT2D_3D_WARNING)) as record:
        out = drop(x)
    assert any("will change in a future release" in str(w.message) for w in record), (
        f"warnings {[str(w.message) for w in record]}, but one should say the 3-D behaviour will change"
    )
    zeroed = (out == 0).all(-1)  # (n, c): rows zeroed as a whole
    assert_same(out[~zeroed], x[~zeroed] * (1.0 / (1.0 - p)), f"Dropout2d({p}) kept rows")
    mixed = int((zeroed.any(1) & ~zeroed.all(1)).sum())
    assert mixed > 0, f"every sample of {tuple(x.shape)} had all its {c} rows zeroed or all kept, but rows should be dropped per (n, c)"


# --------------------------------------------------------------------------- BatchNorm


@given(case=bn_cases)
def test_batchnorm_training_normalizes_with_batch_mean_and_biased_variance(device, case):
    """BatchNorm in training normalizes with the batch's per-channel mean and biased (1/n) variance."""
    bn, x = make_bn(case, device)
    mean, biased, _ = batch_stats(x.double())
    expected = normalize(x.double(), mean, biased, bn.eps, bn.weight.double(), bn.bias.double())
    bn_close(bn(x), expected, f"BatchNorm{case['kind']} training output")


@given(case=bn_cases, momentum=momenta, batches=st.integers(1, 3))
@example(case={"kind": "2d(N,C,H,W)", "n": 2, "c": 3, "s": 2, "seed": 0, "dtype": torch.float64}, momentum=0.1, batches=2)
@example(case={"kind": "1d(N,C,L)", "n": 3, "c": 2, "s": 3, "seed": 1, "dtype": torch.float32}, momentum=1.0, batches=1)
def test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance(device, case, momentum, batches):
    """BatchNorm in training sets running_mean <- (1-m)*running_mean + m*batch_mean, running_var likewise with the unbiased variance, and counts num_batches_tracked."""
    bn, x = make_bn(case, device, momentum=momentum)
    rm, rv = bn.running_mean.double().clone(), bn.running_var.double().clone()  # copies: .double() of float64 is the buffer itself
    for k in range(batches):
        xb = x * (k + 1) - k
        mean, _, unbiased = batch_stats(xb.double())
        bn(xb)
        rm = (1 - momentum) * rm + momentum * mean
        rv = (1 - momentum) * rv + momentum * unbiased
    bn_close(bn.running_mean, rm, "running_mean")
    bn_close(bn.running_var, rv, "running_var")
    assert int(bn.num_batches_tracked) == batches, (
        f"num_batches_tracked={int(bn.num_batches_tracked)}, but should be {batches}"
    )


@given(case=bn_cases, batches=st.integers(2, 4))
def test_batchnorm_momentum_none_is_a_cumulative_average(device, case, batches):
    """BatchNorm(momentum=None) makes the running stats the plain average of all batch means / unbiased variances seen."""
    bn, x = make_bn(case, device, momentum=None)
    means, variances = [], []
    for k in range(batches):
        xb = x * (k + 1) + k
        mean, _, unbiased = batch_stats(xb.double())
        means.append(mean)
        variances.append(unbiased)
        bn(xb)
    bn_close(bn.running_mean, torch.stack(means).mean(0), "running_mean")
    bn_close(bn.running_var, torch.stack(variances).mean(0), "running_var")


@given(case=bn_cases, momentum=st.one_of(st.none(), momenta))
@example(case={"kind": "1d(N,C)", "n": 3, "c": 2, "s": 1, "seed": 0, "dtype": torch.float64}, momentum=None)
@example(case={"kind": "2d(N,C,H,W)", "n": 2, "c": 3, "s": 2, "seed": 1, "dtype": torch.float32}, momentum=0.5)
def test_batchnorm_eval_normalizes_with_running_stats_and_leaves_them_unchanged(device, case, momentum):
    """In eval BatchNorm is not disabled: it normalizes with running_mean / running_var and its affine weight / bias, and leaves the running stats and num_batches_tracked unchanged.

    This corrects the source note's "eval() 不启用 BatchNormalization" ("eval does not enable
    BatchNorm"): the layer still computes ``(x - running_mean) / sqrt(running_var + eps) * w + b``
    -- random non-trivial running stats and affine parameters here -- so its output is not its input.
    What eval switches off is the use and the update of batch statistics. Any ``momentum`` (None
    included) only matters in training.
    """
    bn, x = make_bn(case, device, momentum=momentum)
    bn.eval()
    before = {k: v.clone() for k, v in bn.named_buffers()}
    expected = normalize(x.double(), *(t.double() for t in (bn.running_mean, bn.running_var)), bn.eps, bn.weight.double(), bn.bias.double())
    out = bn(x)
    assert not torch.equal(out, x), f"BatchNorm{case['kind']}.eval()(x) == x (identity), but should normalize with the running stats"
    bn_close(out, expected, f"BatchNorm{case['kind']} eval output")
    for name, value in bn.named_buffers():
        assert_same(value, before[name], f"{name} after an eval call vs before")


@given(case=bn_cases, i=st.integers(0, 5), other_seed=seeds)
def test_batchnorm_eval_output_of_a_sample_does_not_depend_on_its_batch(device, case, i, other_seed):
    """In eval, a sample's BatchNorm output is the same alone, in its batch, or among different batch-mates."""
    bn, x = make_bn(case, device)
    bn.eval()
    i = i % x.shape[0]
    others = data(x.shape, other_seed, device, scale=5.0, shift=-3.0).to(x.dtype)
    others[i] = x[i]
    with exact_kernels():
        in_batch, with_others, alone = bn(x)[i], bn(others)[i], bn(x[i : i + 1])[0]
    torch.testing.assert_close(with_others, in_batch, msg=lambda m: f"sample {i} among other batch-mates vs in its batch: {m}")
    torch.testing.assert_close(alone, in_batch, msg=lambda m: f"sample {i} alone vs in its batch: {m}")


@given(case=bn_cases)
def test_batchnorm_without_running_stats_uses_batch_stats_in_eval_too(device, case):
    """BatchNorm(track_running_stats=False) has no running stats and normalizes with batch statistics in eval as in training."""
    bn, x = make_bn(case, device, track_running_stats=False)
    assert bn.running_mean is None and bn.running_var is None, (
        f"running_mean={bn.running_mean}, running_var={bn.running_var}, but should be None"
    )
    mean, biased, _ = batch_stats(x.double())
    expected = normalize(x.double(), mean, biased, bn.eps, bn.weight.double(), bn.bias.double())
    bn_close(bn.eval()(x), expected, f"BatchNorm{case['kind']} eval output")


@pytest.mark.parametrize("cls, shape", [(nn.BatchNorm1d, (1, 3)), (nn.BatchNorm1d, (1, 2, 1)), (nn.BatchNorm2d, (1, 4, 1, 1))])
def test_batchnorm_training_on_a_single_value_per_channel_raises(device, cls, shape):
    """BatchNorm in training raises ValueError on a batch with a single value per channel; eval accepts it."""
    bn = cls(shape[1]).to(device)
    x = torch.randn(shape, device=device)
    with raises(ValueError, re.escape("Expected more than 1 value per channel when training"), f"bn(x) in training, x.shape={shape}"):
        bn(x)
    out = bn.eval()(x)
    assert out.shape == x.shape, f"bn.eval()(x).shape={tuple(out.shape)}, but should be {shape}"
