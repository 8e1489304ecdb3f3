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
  channel), and warns that this will change (use ``Dropout1d`` for that behaviour). ``Dropout1d``
  takes (N, C, L) or unbatched (C, L) and refuses other ranks; ``Dropout3d`` reads a 4-D input as
  unbatched (C, D, H, W); Dropout2d/3d on another rank warn that it is deprecated.
* ``AlphaDropout`` / ``FeatureAlphaDropout`` (for SELU networks) set dropped units to SELU's
  saturation value and apply an affine map that keeps zero mean and unit variance; identity in eval.
  Every dropout layer returns zeros at p=1 and its input at p=0, and refuses p outside [0, 1].
* ``nn.RNN/LSTM/GRU(dropout=p)`` drop between stacked layers and ``nn.MultiheadAttention(dropout=p)``
  drops attention weights, both in training only.

Folklore corrected: the source note says ``model.train()`` "computes gradients" and
``model.eval()`` "does not". That is false: neither touches autograd or ``requires_grad`` -- an
eval-mode model still builds a graph and back-propagates (see ``test_eval_vs_no_grad``). The
note's "BatchNorm and Dropout set to True/False" is the ``training`` flag described here. Its
"eval() 不启用 BatchNormalization" (eval "does not enable" BatchNorm) is wrong too: in eval
BatchNorm still normalizes, with its running statistics and its affine weight and bias; only
Dropout becomes the identity.

The other normalization layers differ: InstanceNorm normalizes each (sample, channel) by its own
statistics in train and eval alike, unless ``track_running_stats=True`` gives it BatchNorm-like
running statistics; LayerNorm, GroupNorm and RMSNorm (torch 2.4+) hold none and ignore the mode. ``bias=False`` (LayerNorm
from torch 2.1, BatchNorm/InstanceNorm/GroupNorm from 2.12) keeps the weight and drops the bias.
"""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

from specs.differential import NORMALIZING_TOLERANCE, Call, assert_compiles_like_eager, compile_tolerance
from specs.helpers import assert_same, data, exact_kernels, raises, seeded, warnings_recorded
from specs.inputs import (
    BATCHNORM_INPUTS, GRAD_MODES, MODULE_FORMS, STRIDED, batchnorm_input, batchnorm_input_params, batchnorm_sizes,
    budget, compile_budget, covering, dtype_params, layout_params, layout_shapes, module_form, module_form_params,
    built_once,
    relayout, relayout_np, tensor_values,
)

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


#: BatchNorm is claimed in float32 and float64 against the formulas in float64. float16/bfloat16
#: BatchNorm is out of scope here: its tolerance against the formula depends on the kernel's
#: accumulation type, which is not part of the claim.
BN_DTYPES = dtype_params((torch.float32, torch.float64))
#: the two dtypes, for the claims that loop both inside every example
BN_DTYPE_VALUES = (torch.float32, torch.float64)
#: every BatchNorm input (class x accepted rank x memory format) crossed with both dtypes (the budget's
#: count for the claims enumerating the inputs and looping the dtypes)
BN_CASES = [
    pytest.param(k.values[0], d.values[0], id=f"{k.id}-{d.id}")
    for k in batchnorm_input_params() for d in BN_DTYPES
]
#: every BatchNorm input and both dtypes, each at least once (cheaper claims)
BN_COVER = covering(batchnorm_input_params(), BN_DTYPES)
momenta = st.floats(0.0, 1.0)
#: Tolerance of a BatchNorm result against the formula evaluated in float64 on the same values.
BN_TOL = {torch.float32: {"rtol": 1e-5, "atol": 1e-5}, torch.float64: {"rtol": 1e-7, "atol": 1e-7}}


@built_once
def bn_draws(kind):
    """(n, c, spatial sides, seed) for a BatchNorm input of ``kind``."""
    return st.tuples(batchnorm_sizes(kind), st.integers(0, 2**32 - 1)).map(lambda t: (*t[0], t[1]))


def bn_close(actual, expected, what: str):
    """``actual`` (float32 or float64) equals the float64 ``expected`` within its dtype's tolerance."""
    __tracebackhide__ = True
    torch.testing.assert_close(actual.double(), expected.double(), **BN_TOL[actual.dtype], msg=lambda m: f"{what} ({actual.dtype}): {m}")


def make_bn(kind, dtype, draw, device, **kwargs):
    """A BatchNorm of ``kind`` (class, rank, layout) in ``dtype`` on ``device`` with non-trivial affine
    parameters and running stats, and an input in ``kind``'s layout.

    ``draw`` is (n, c, spatial sides, seed). The specs evaluate the formulas in float64 on the same
    values (``.double()``) as the oracle.
    """
    cls = BATCHNORM_INPUTS[kind][0]
    n, c, sides, seed = draw
    bn = cls(c, **kwargs).to(device, dtype)
    with torch.no_grad():
        bn.weight.copy_(data(c, seed + 1, device, scale=0.5, shift=1.0))
        bn.bias.copy_(data(c, seed + 2, device))
        if bn.running_mean is not None:
            bn.running_mean.copy_(data(c, seed + 3, device))
            bn.running_var.copy_(data(c, seed + 4, device).abs() + 0.5)
    x = batchnorm_input(kind, data((n, c, *sides), seed, device, scale=2.0, shift=0.5).to(dtype))
    return bn, x


# --------------------------------------------------------------------------- train() / eval()


#: the ways to set the flag: name -> (call on a model, the mode it sets)
FLAG_CALLS = {
    "train()": (lambda m: m.train(), True),
    "train(True)": (lambda m: m.train(True), True),
    "train(mode=False)": (lambda m: m.train(mode=False), False),
    "train(False)": (lambda m: m.train(False), False),
    "eval()": (lambda m: m.eval(), False),
}


@pytest.mark.device_independent
@pytest.mark.parametrize("form", module_form_params())
@budget(len(MODULE_FORMS))
@given(depth=st.integers(0, 3), width=st.integers(1, 3), every=st.permutations(list(FLAG_CALLS)),
       more=st.lists(st.sampled_from(list(FLAG_CALLS)), max_size=3))
def test_train_and_eval_set_training_on_every_submodule_and_return_self(form, depth, width, every, more):
    """train() and eval() set ``.training`` on the module and every submodule, and return the module itself.

    The calls are every one of ``train()``, ``train(True)``, ``train(False)``, ``train(mode=False)``
    and ``eval()`` in a drawn order (so every example switches the flag both ways and uses the
    ``mode=`` keyword), then a random sequence of 0..3 more of them, on a nested model (Sequentials
    of Linear, Dropout, BatchNorm1d and ReLU ``depth`` levels deep), itself in every module form: top
    level, an attribute of a user's module, in a Sequential, a ModuleList, a nested ModuleDict. The flag is a Python attribute of the
    module object: no device is involved.
    """
    model, _ = module_form(form, lambda: tree(depth, width))
    for name in [*every, *more]:
        call, mode = FLAG_CALLS[name]
        returned = call(model)
        assert returned is model, f"{name} returned {returned!r}, but should return the module itself"
        assert_all_training(model, mode)


@pytest.mark.device_independent
@pytest.mark.parametrize("form", module_form_params())
@budget(len(MODULE_FORMS))
@given(depth=st.integers(0, 2), width=st.integers(1, 2))
def test_eval_is_train_false(form, depth, width):
    """eval() is train(False): it goes through train(), so a submodule overriding train() sees mode False.

    The model (with two overriding submodules) in every module form.
    """
    seen = []

    class Recorder(nn.Module):
        def train(self, mode=True):
            seen.append(mode)
            return super().train(mode)

    model, _ = module_form(form, lambda: nn.Sequential(tree(depth, width), Recorder(), nn.Sequential(Recorder())))
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
        lambda: nn.BatchNorm1d(3),
        lambda: nn.BatchNorm2d(3),
        lambda: nn.BatchNorm3d(3),
        lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Dropout()),
        lambda: type("Custom", (nn.Module,), {})(),
    ],
    ids=["Linear", "Dropout", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "Sequential", "custom"],
)
@pytest.mark.device_independent
def test_new_module_starts_in_training_mode(make):
    """A newly constructed module, and every submodule of it, is in training mode.

    Leaf layers, a Sequential and a custom module (each case: one module), each built in every module
    form in turn (top level, a user's module, Sequential, ModuleList, ModuleDict: the containers are new
    modules too; a failure names the form).
    """
    for form in MODULE_FORMS:
        model, _ = module_form(form, make)
        wrong = {k: v for k, v in flags(model).items() if v is not True}
        assert not wrong, f"built in the {form} form: training flags {wrong}, but every module should be True"


@pytest.mark.device_independent
@pytest.mark.parametrize("form", module_form_params())
@budget(len(MODULE_FORMS))
@given(depth=st.integers(0, 2), frozen=st.lists(st.booleans(), min_size=1, max_size=12))
def test_train_and_eval_leave_requires_grad_alone(form, depth, frozen):
    """train() and eval() do not change any parameter's requires_grad (they do not switch gradients on or off).

    A nested model with a random frozen/trainable pattern, in every module form.
    """
    model, _ = module_form(form, lambda: tree(depth, 2))
    for p, f in zip(model.parameters(), frozen * 100):
        p.requires_grad_(not f)
    before = [p.requires_grad for p in model.parameters()]
    for call in (model.eval, model.train, model.eval):
        call()
        after = [p.requires_grad for p in model.parameters()]
        assert after == before, f"requires_grad {after} after {call.__name__}(), but should stay {before}"


#: modes a user might pass for a bool: ints, strings, None, a 0-d bool tensor, numpy's bool
NON_BOOL_MODES = {"0": 0, "1": 1, "'eval'": "eval", "None": None, "tensor(True)": torch.tensor(True), "np.bool_(False)": np.bool_(False)}


@pytest.mark.device_independent
@pytest.mark.parametrize("mode", list(NON_BOOL_MODES))
def test_train_refuses_a_mode_that_is_not_a_bool(mode):
    """train(mode) raises ValueError "training mode is expected to be boolean" for a mode that is not a Python bool, and leaves every flag as it was.

    0, 1, 'eval', None, a 0-d bool tensor and numpy's bool_, on a nested model in eval mode (so a
    truthy mode that were accepted would flip flags). Source: torch/nn/modules/module.py ``train``
    (the isinstance check predates 2.0; checked on 2.14).
    """
    model = tree(1, 2).eval()
    with raises(ValueError, re.escape("training mode is expected to be boolean"), f"model.train({mode})"):
        model.train(NON_BOOL_MODES[mode])
    assert_all_training(model, False)


# --------------------------------------------------------------------------- Dropout

ps = st.floats(0.05, 0.95)
seeds = st.integers(0, 2**32 - 1)
#: Dropout runs on every floating dtype; before torch 2.2 there is no cpu float16 kernel for it (RuntimeError:
#: "bernoulli_scalar_cpu_" not implemented for 'Half'; checked: raises on 2.0.1 and 2.1.2, works from 2.2.2;
#: the kernel came with pytorch#104176 "add Half support for bernoulli on CPU", merged 2023-10, in 2.2).
#: The gate of every eager float16 Dropout case that draws a mask; p=0, p=1 and eval() draw none and hold on
#: 2.0 and 2.1 too, and so does compiled Dropout (checked on 2.0.1 and 2.1.2 with the gate lifted).
DROPOUT_FLOAT16 = pytest.mark.torch_version(">=2.2", reason="no cpu float16 bernoulli_ kernel before 2.2 (pytorch#104176)")
#: every floating dtype, float16 last (so a gated float16 case is the last of a covering)
DROPOUT_DTYPES = dtype_params((torch.bfloat16, torch.float32, torch.float64, torch.float16), marks={torch.float16: DROPOUT_FLOAT16})
#: layouts an eval/p=0/p=1 Dropout input comes in: the strided ones and a stride-0 expanded one
DROPOUT_LAYOUTS = layout_params(("contiguous", "transposed", "step_sliced", "offset", "expanded"))


#: (dtype, strided layout) cases of the training-mode Dropout claims: each dtype and each layout at least once
DROPOUT_TRAIN_CASES = covering(DROPOUT_DTYPES, layout_params(STRIDED))
#: the same and an expanded (stride 0) input, which out-of-place Dropout accepts (in-place refuses it)
DROPOUT_DRAW_CASES = covering(DROPOUT_DTYPES, layout_params((*STRIDED, "expanded")))


def strided_input(x, layout):
    """``x``'s values in a strided ``layout`` (a 1-D ``x`` is viewed as 2-D for ``transposed``)."""
    if layout == "transposed" and x.dim() < 2:
        x = x.view(2, -1)
    return relayout(x, layout)


@pytest.mark.parametrize("dtype, layout", DROPOUT_DRAW_CASES)
@budget(len(DROPOUT_DRAW_CASES))
@given(p=ps, seed=seeds, shape=st.sampled_from([(200_000,), (400, 500), (8, 125, 200)]))
@example(p=0.93, seed=0, shape=(400, 500))
def test_dropout_in_training_zeroes_each_element_with_probability_p(device, dtype, layout, p, seed, shape):
    """Dropout(p) in training zeroes each element with probability p: the zero count is Binomial(n, p).

    For every floating dtype (float16 from torch 2.2, bfloat16, float32, float64) and every strided
    input layout (contiguous, transposed, step-sliced, storage offset) and expanded (stride 0: the
    mask is still drawn per output element; each at least once).

    A binomial z-test at six sigma on n = 200,000 elements: ``|zeros - n*p| <= 6*sqrt(n*p*(1-p)) + 1``.
    A correct torch fails it with probability < 1e-8 per seed. The bound is at most 1,343 elements
    (0.7% of n), and at most 950 (0.95%) for each half of the elements, which is checked separately
    (so a mask not drawn element by element, say the first n*p elements, fails too). Hence a drop
    rate off by an absolute 0.02 (4,000 elements, 2,000 per half) -- let alone 0.05 -- is rejected on
    every seed, for every p in [0.05, 0.95].
    """
    x = strided_input(torch.rand(shape, device=device, dtype=dtype) + 1.0, layout)  # no zeros of its own
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


@pytest.mark.parametrize("dtype, layout", DROPOUT_DRAW_CASES)
@budget(len(DROPOUT_DRAW_CASES))
@given(p=st.floats(0.05, 0.9), seed=seeds, n=st.integers(256, 1024))
@example(p=0.9, seed=1, n=300)
def test_dropout_scales_survivors_by_exactly_one_over_one_minus_p(device, dtype, layout, p, seed, n):
    """Dropout(p) in training multiplies every surviving element by 1/(1-p): bit-exactly in float64, within two roundings in float32, float16 and bfloat16.

    float64: ``out == x * (1/(1-p))``. Lower precisions: releases differ in where they round (2.0
    rounds the scale to the dtype and multiplies in it, off by an ulp from the float64 product in
    float32; 2.15 multiplies in float32 and rounds once), so the claim is the bound all meet: within
    ``2 * eps`` relative of the exact product (the scale and the product each rounded once).
    n >= 256 and p <= 0.9 make "everything dropped" a < 1e-11 event. Every strided input layout
    (contiguous, transposed, step-sliced, storage offset) and expanded (stride 0; each at least once).
    """
    x = strided_input(data((2 * n,), seed, device, dtype=torch.float64).abs().to(dtype) + 0.1, layout)
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


@pytest.mark.parametrize("dtype, layout, form", covering(dtype_params((torch.bfloat16, torch.float32, torch.float64, torch.float16)), DROPOUT_LAYOUTS, module_form_params()))
@budget(len(DROPOUT_LAYOUTS))
@given(hyp=st.data(), seed=seeds)
def test_dropout_p0_is_identity_and_p1_zeroes_everything(device, dtype, layout, form, hyp, seed):
    """In training, Dropout(p=0) returns its input unchanged and Dropout(p=1) returns all zeros, for every floating dtype.

    Finite values up to the dtype's extremes (subnormals, +-0, the largest finite) in every strided
    layout and expanded (stride 0), the layer in every module form (each dtype, layout and form at
    least once). Non-finite values are out of scope: p=1 multiplies by 0, so NaN and inf give NaN.
    """
    a, t = hyp.draw(tensor_values(dtype, layout_shapes(layout), finite=True))
    x = relayout(t.to(device), layout)
    expected = torch.from_numpy(relayout_np(a, layout)).to(device, dtype)
    for p, want, what in ((0.0, expected, "x"), (1.0, torch.zeros_like(expected), "zeros")):
        model, drop = module_form(form, lambda: nn.Dropout(p))
        model.train()
        with seeded(device, seed):
            assert_same(drop(x), want, f"Dropout(p={p})(x) vs {what} ({layout} input, {form})")


@pytest.mark.parametrize("dtype, layout, form", covering(dtype_params((torch.bfloat16, torch.float32, torch.float64, torch.float16)), DROPOUT_LAYOUTS, module_form_params()))
@budget(len(DROPOUT_LAYOUTS))
@given(hyp=st.data(), p=st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0), seed=seeds)
def test_dropout_in_eval_is_exact_identity(device, dtype, layout, form, hyp, p, seed):
    """Dropout(p) in eval mode returns its input exactly, for every p in [0, 1] and every floating dtype.

    Any values (NaN, +-inf, subnormals, the extremes; and in every example the dtype's own edges: 1 + eps,
    tiny, max, a subnormal, +-0, +-inf, NaN), every strided layout and expanded (stride 0, sides >= 2),
    the layer in every module form with ``eval()`` called on the model (each dtype, layout and form at
    least once).
    """
    _, t = hyp.draw(tensor_values(dtype, layout_shapes(layout, min_side=2 if layout == "expanded" else 1)))
    x = relayout(t.to(device), layout)
    model, drop = module_form(form, lambda: nn.Dropout(p))
    model.eval()
    info = torch.finfo(dtype)  # the dtype's own edges in every example: 1 + eps, tiny, max, a subnormal, +-0, +-inf, nan
    edges = torch.tensor([1.0 + info.eps, info.tiny, info.max, info.tiny / 2, 0.0, -0.0, float("inf"), float("-inf"), float("nan")],
                         dtype=torch.float64).to(dtype).to(device)
    with seeded(device, seed):
        assert_same(drop(x), x, f"Dropout({p}) after {form}.eval(), on a {layout} x, vs x")
        assert_same(drop(edges), edges, f"Dropout({p}) after {form}.eval(), on the {dtype} edge values, vs them")


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


#: (class, input rank, layout) of a channel-dropout input: Dropout2d on (N, C, H, W), Dropout3d on (N, C, D, H, W)
CHANNEL_DROPOUT = {
    "2d-contiguous": (nn.Dropout2d, 4, "contiguous"),
    "2d-channels_last": (nn.Dropout2d, 4, "channels_last"),
    "3d-contiguous": (nn.Dropout3d, 5, "contiguous"),
    "3d-channels_last_3d": (nn.Dropout3d, 5, "channels_last_3d"),
}


@pytest.mark.parametrize("case", list(CHANNEL_DROPOUT))
@budget(len(CHANNEL_DROPOUT))
@given(n=st.integers(3, 5), c=st.integers(16, 24), side=st.integers(1, 3), p=st.floats(0.3, 0.7), seed=seeds)
def test_dropout2d_and_3d_zero_whole_channels_in_training_and_are_the_identity_in_eval(device, case, n, c, side, p, seed):
    """nn.Dropout2d on (N, C, H, W) and nn.Dropout3d on (N, C, D, H, W) in training zero each (n, c) channel whole or scale it by 1/(1-p); in eval they return the input.

    Contiguous and channels_last / channels_last_3d inputs, 3..5 samples of 16..24 channels, sides
    1..3, p in [0.3, 0.7]: some sample has both a zeroed and a kept channel except with probability
    < 1e-6 (so element-wise dropout, or whole-sample dropout, fails). Survivors compared exactly with
    x * (1/(1-p)) in float64.
    """
    cls, rank, layout = CHANNEL_DROPOUT[case]
    x = relayout(data((n, c, *(side + 1,) * (rank - 2)), seed, device, dtype=torch.float64).abs() + 0.1, layout)
    drop = cls(p).to(device)
    with seeded(device, seed):
        out = drop(x)
    zeroed = (out == 0).flatten(2).all(-1)  # (n, c): channels zeroed as a whole
    kept = ~zeroed
    assert_same(out[kept], x[kept] * (1.0 / (1.0 - p)), f"{cls.__name__}({p}) kept channels ({layout} input)")
    mixed = int((zeroed.any(1) & ~zeroed.all(1)).sum())
    assert mixed > 0, f"every sample of {tuple(x.shape)} had all its {c} channels zeroed or all kept, but channels should be dropped per (n, c)"
    with seeded(device, seed):
        assert_same(drop.eval()(x), x, f"{cls.__name__}({p}) in eval ({layout} input) vs x")


@pytest.mark.parametrize("dtype, layout", DROPOUT_TRAIN_CASES)
@budget(len(DROPOUT_TRAIN_CASES))
@given(p=st.floats(0.2, 0.8), seed=seeds, n=st.integers(256, 1024))
def test_dropout_inplace_writes_into_its_input_and_returns_it(device, dtype, layout, p, seed, n):
    """nn.Dropout(p, inplace=True) in training zeroes and scales x itself and returns x; in eval it returns x with its values untouched.

    Every floating dtype and strided layout (each at least once), p in [0.2, 0.8]: with n >= 256
    elements some are dropped and some kept except with probability < 1e-24. Survivors are x * 1/(1-p)
    within two roundings (exactly in float64), as in the out-of-place claim.
    """
    x = strided_input(data((2 * n,), seed, device, dtype=torch.float64).abs().to(dtype) + 0.1, layout)
    before = x.clone()
    drop = nn.Dropout(p, inplace=True).to(device)
    with seeded(device, seed):
        out = drop(x)
    assert out is x or (out.data_ptr() == x.data_ptr() and out.stride() == x.stride()), (
        f"Dropout(inplace=True) returned a new tensor (data_ptr {out.data_ptr()} vs x's {x.data_ptr()}), but should return x"
    )
    kept = x != 0
    assert 0 < int(kept.sum()) < x.numel(), f"{int(kept.sum())} of {x.numel()} elements of x kept by Dropout({p}, inplace=True), but x should be dropped in place"
    exact = before[kept].double() * (1.0 / (1.0 - p))
    tol = {"rtol": 0, "atol": 0} if dtype == torch.float64 else {"rtol": 2 * torch.finfo(dtype).eps, "atol": 0}
    torch.testing.assert_close(x[kept].double(), exact, **tol, msg=lambda m: f"x after Dropout({p}, inplace=True), survivors ({dtype}, {layout}): {m}")
    y = before.clone()
    out = drop.eval()(y)
    assert out is y or out.data_ptr() == y.data_ptr(), "Dropout(inplace=True) in eval returned a new tensor, but should return x"
    assert_same(y, before, f"x after Dropout({p}, inplace=True) in eval")


@pytest.mark.parametrize("mode", list(GRAD_MODES))
@given(n=st.integers(2, 5), c=st.integers(1, 4), p=st.floats(0.2, 0.8), seed=seeds)
def test_grad_mode_does_not_switch_dropout_or_batchnorm_between_train_and_eval(device, mode, n, c, p, seed):
    """The grad mode is not the training flag: under no_grad, set_grad_enabled or inference_mode a model in training still drops and updates BatchNorm's running stats, and one in eval still does neither.

    Every grad mode (no_grad, enable_grad, set_grad_enabled(False/True), inference_mode,
    inference_mode(False)) as a context manager, around Dropout(p) then BatchNorm1d on float64
    (N, C) input: in training the Dropout output is the one drawn with the same seed outside the
    mode (zeros and x * 1/(1-p)), and running_mean / running_var / num_batches_tracked move as the
    formulas say; in eval Dropout is the identity and the buffers stay.
    """
    model = nn.Sequential(nn.Dropout(p), nn.BatchNorm1d(c)).to(device, torch.float64)
    drop, bn = model
    x = data((n, 64 * c), seed, device, dtype=torch.float64).abs() + 0.1
    with seeded(device, seed):
        reference = nn.functional.dropout(x, p, training=True)
    with GRAD_MODES[mode][0](), seeded(device, seed):
        out = drop(x)
    assert_same(out, reference, f"Dropout({p}) in training under {mode} vs outside any grad mode")
    assert bool((out == 0).any()) and bool((out != 0).any()), f"Dropout({p}) in training under {mode} dropped {int((out == 0).sum())} of {out.numel()}"
    kept = out != 0
    assert_same(out[kept], x[kept] * (1.0 / (1.0 - p)), f"Dropout({p}) survivors under {mode}")
    xb = data((n, c), seed + 1, device, dtype=torch.float64)
    rm = bn.running_mean.clone()
    with GRAD_MODES[mode][0]():
        bn(xb)
    mean, _, _ = batch_stats(xb)
    bn_close(bn.running_mean, 0.9 * rm + 0.1 * mean, f"BatchNorm1d running_mean after a training call under {mode}")
    assert int(bn.num_batches_tracked) == 1, f"num_batches_tracked={int(bn.num_batches_tracked)} after a training call under {mode}, but should be 1"
    model.eval()
    before = {k: v.clone() for k, v in bn.named_buffers()}
    with GRAD_MODES[mode][0](), seeded(device, seed):
        assert_same(drop(x), x, f"Dropout({p}) in eval under {mode} vs x")
        bn(xb)
    for name, value in bn.named_buffers():
        assert_same(value, before[name], f"BatchNorm1d {name} after an eval call under {mode}")


# --------------------------------------------------------------------------- BatchNorm
# Every BatchNorm claim ranges over BATCHNORM_INPUTS (specs/inputs.py): BatchNorm1d on (N, C) --
# contiguous and transposed -- and on (N, C, L) -- contiguous and step-sliced --, BatchNorm2d on
# (N, C, H, W) contiguous and channels_last, BatchNorm3d on (N, C, D, H, W) contiguous and
# channels_last_3d; batches of 2..6, 1..4 channels, sides 1..3; in float32 and float64.


@pytest.mark.parametrize("kind", batchnorm_input_params())
@budget(len(BN_CASES))
@given(hyp=st.data())
def test_batchnorm_training_normalizes_with_batch_mean_and_biased_variance(device, kind, hyp):
    """BatchNorm in training normalizes with the batch's per-channel mean and biased (1/n) variance.

    Over every BatchNorm class, input rank and memory format (see the section; each case: one), and in
    every example float32 and float64 on the same drawn sizes and values (a failure names the dtype).
    """
    draw = hyp.draw(bn_draws(kind))
    for dtype in BN_DTYPE_VALUES:
        bn, x = make_bn(kind, dtype, draw, device)
        mean, biased, _ = batch_stats(x.double())
        expected = normalize(x.double(), mean, biased, bn.eps, bn.weight.double(), bn.bias.double())
        bn_close(bn(x), expected, f"BatchNorm{kind} training output")


@pytest.mark.parametrize("kind", batchnorm_input_params())
@budget(len(BN_CASES))
@given(hyp=st.data(), momentum=st.floats(0.01, 1.0), batches=st.integers(1, 3))
def test_batchnorm_training_updates_running_stats_with_momentum_and_unbiased_variance(device, kind, hyp, momentum, batches):
    """BatchNorm in training sets running_mean <- (1-m)*running_mean + m*batch_mean, running_var likewise with the unbiased variance, and counts num_batches_tracked.

    Over every BatchNorm class, input rank and memory format (channels_last included; each case: one), and
    in every example float32 and float64 on the same drawn sizes and values (a failure names the dtype),
    momentum m drawn in [0.01, 1] and the two edges: m = 0 (the statistics stay
    exactly as they were: a momentum of 0 is a value, not "unset") and m = 1 (they become the last batch's),
    1..3 batches.
    """
    draw = hyp.draw(bn_draws(kind))
    for dtype in BN_DTYPE_VALUES:
        for m in (momentum, 0.0, 1.0):
            bn, x = make_bn(kind, dtype, draw, device, momentum=m)
            rm, rv = bn.running_mean.double().clone(), bn.running_var.double().clone()  # copies: .double() of float64 is the buffer itself
            for k in range(batches):
                xb = x * (k + 1) - k  # keeps x's memory format
                mean, _, unbiased = batch_stats(xb.double())
                bn(xb)
                rm = (1 - m) * rm + m * mean
                rv = (1 - m) * rv + m * unbiased
            bn_close(bn.running_mean, rm, f"momentum={m}: BatchNorm{kind} running_mean")
            bn_close(bn.running_var, rv, f"momentum={m}: BatchNorm{kind} running_var")
            assert int(bn.num_batches_tracked) == batches, (
                f"momentum={m}: BatchNorm{kind} ({dtype}) num_batches_tracked={int(bn.num_batches_tracked)}, but should be {batches}"
            )


@pytest.mark.parametrize("kind, dtype", BN_COVER)
@budget(len(BN_COVER))
@given(hyp=st.data(), batches=st.integers(2, 4))
def test_batchnorm_momentum_none_is_a_cumulative_average(device, kind, dtype, hyp, batches):
    """BatchNorm(momentum=None) makes the running stats the plain average of all batch means / unbiased variances seen.

    Over every BatchNorm class, input rank and memory format and both dtypes (each at least once),
    2..4 batches.
    """
    bn, x = make_bn(kind, dtype, hyp.draw(bn_draws(kind)), device, momentum=None)
    means, variances = [], []
    for k in range(batches):
        xb = x * (k + 1) + k
        mean, _, unbiased = batch_stats(xb.double())
        means.append(mean)
        variances.append(unbiased)
        bn(xb)
    bn_close(bn.running_mean, torch.stack(means).mean(0), f"BatchNorm{kind} running_mean")
    bn_close(bn.running_var, torch.stack(variances).mean(0), f"BatchNorm{kind} running_var")
    assert int(bn.num_batches_tracked) == batches, (
        f"num_batches_tracked={int(bn.num_batches_tracked)}, but should be {batches}"
    )


@pytest.mark.parametrize("kind, dtype", BN_COVER)
@budget(len(BN_COVER))
@given(hyp=st.data(), momentum=st.one_of(st.none(), momenta))
def test_batchnorm_eval_normalizes_with_running_stats_and_leaves_them_unchanged(device, kind, dtype, hyp, momentum):
    """In eval BatchNorm is not disabled: it normalizes with running_mean / running_var and its affine weight / bias, and leaves the running stats and num_batches_tracked unchanged.

    This corrects the source note's "eval() 不启用 BatchNormalization" ("eval does not enable
    BatchNorm"): the layer still computes ``(x - running_mean) / sqrt(running_var + eps) * w + b``
    -- random non-trivial running stats and affine parameters here -- so its output is not its input.
    What eval switches off is the use and the update of batch statistics. Any ``momentum`` (None
    included) only matters in training. Over every BatchNorm class, input rank and memory format and
    both dtypes (each at least once), momentum None or in [0, 1].
    """
    bn, x = make_bn(kind, dtype, hyp.draw(bn_draws(kind)), device, momentum=momentum)
    bn.eval()
    before = {k: v.clone() for k, v in bn.named_buffers()}
    expected = normalize(x.double(), *(t.double() for t in (bn.running_mean, bn.running_var)), bn.eps, bn.weight.double(), bn.bias.double())
    out = bn(x)
    assert not torch.equal(out, x), f"BatchNorm{kind}.eval()(x) == x (identity), but should normalize with the running stats"
    bn_close(out, expected, f"BatchNorm{kind} eval output")
    for name, value in bn.named_buffers():
        assert_same(value, before[name], f"{name} after an eval call vs before")


@pytest.mark.parametrize("kind, dtype", BN_COVER)
@budget(len(BN_COVER))
@given(hyp=st.data(), i=st.integers(0, 5), other_seed=seeds)
def test_batchnorm_eval_output_of_a_sample_does_not_depend_on_its_batch(device, kind, dtype, hyp, i, other_seed):
    """In eval, a sample's BatchNorm output is the same alone, in its batch, or among different batch-mates.

    Over every BatchNorm class, input rank and memory format and both dtypes (each at least once).
    """
    bn, x = make_bn(kind, dtype, hyp.draw(bn_draws(kind)), device)
    bn.eval()
    i = i % x.shape[0]
    others = batchnorm_input(kind, data(x.shape, other_seed, device, scale=5.0, shift=-3.0).to(x.dtype))
    others[i] = x[i]
    with exact_kernels():
        in_batch, with_others, alone = bn(x)[i], bn(others)[i], bn(x[i : i + 1])[0]
    torch.testing.assert_close(with_others, in_batch, msg=lambda m: f"sample {i} among other batch-mates vs in its batch: {m}")
    torch.testing.assert_close(alone, in_batch, msg=lambda m: f"sample {i} alone vs in its batch: {m}")


@pytest.mark.parametrize("kind, dtype", BN_COVER)
@budget(len(BN_COVER))
@given(hyp=st.data())
def test_batchnorm_without_running_stats_uses_batch_stats_in_eval_too(device, kind, dtype, hyp):
    """BatchNorm(track_running_stats=False) has no running stats and normalizes with batch statistics in eval as in training.

    Over every BatchNorm class, input rank and memory format and both dtypes (each at least once).
    """
    bn, x = make_bn(kind, dtype, hyp.draw(bn_draws(kind)), device, track_running_stats=False)
    assert bn.running_mean is None and bn.running_var is None, (
        f"running_mean={bn.running_mean}, running_var={bn.running_var}, but should be None"
    )
    mean, biased, _ = batch_stats(x.double())
    expected = normalize(x.double(), mean, biased, bn.eps, bn.weight.double(), bn.bias.double())
    bn_close(bn.eval()(x), expected, f"BatchNorm{kind} eval output")


#: a batch with a single value per channel, for every BatchNorm class and accepted rank
SINGLE_VALUE = {
    "1d(1,C)": (nn.BatchNorm1d, (1, 3)),
    "1d(1,C,1)": (nn.BatchNorm1d, (1, 2, 1)),
    "2d(1,C,1,1)": (nn.BatchNorm2d, (1, 4, 1, 1)),
    "3d(1,C,1,1,1)": (nn.BatchNorm3d, (1, 2, 1, 1, 1)),
}


@pytest.mark.parametrize("case", list(SINGLE_VALUE))
def test_batchnorm_training_on_a_single_value_per_channel_raises(device, case):
    """BatchNorm in training raises ValueError on a batch with a single value per channel; eval accepts it.

    For BatchNorm1d on (1, C) and (1, C, 1), BatchNorm2d on (1, C, 1, 1), BatchNorm3d on (1, C, 1, 1, 1).
    """
    cls, shape = SINGLE_VALUE[case]
    bn = cls(shape[1]).to(device)
    x = torch.randn(shape, device=device)
    with raises(ValueError, re.escape("Expected more than 1 value per channel when training"), f"bn(x) in training, x.shape={shape}"):
        bn(x)
    out = bn.eval()(x)
    assert out.shape == x.shape, f"bn.eval()(x).shape={tuple(out.shape)}, but should be {shape}"


#: (class, a rank it refuses, the ranks its error names)
WRONG_RANKS = {
    "1d-1D": (nn.BatchNorm1d, 1, "2D or 3D"),
    "1d-4D": (nn.BatchNorm1d, 4, "2D or 3D"),
    "2d-3D": (nn.BatchNorm2d, 3, "4D"),
    "2d-5D": (nn.BatchNorm2d, 5, "4D"),
    "3d-4D": (nn.BatchNorm3d, 4, "5D"),
    "3d-6D": (nn.BatchNorm3d, 6, "5D"),
}


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("case", list(WRONG_RANKS))
def test_batchnorm_refuses_a_rank_it_does_not_accept(device, case, training):
    """BatchNorm1d accepts only 2-D and 3-D input, BatchNorm2d only 4-D, BatchNorm3d only 5-D: another rank raises ValueError naming the expected and the given rank, in training and in eval.

    So there is no unbatched BatchNorm2d/3d input (unlike Conv2d): a (C, H, W) image needs its batch dim.
    """
    cls, rank, expected = WRONG_RANKS[case]
    bn = cls(2).to(device).train(training)
    x = torch.randn((3, 2, 2, 2, 2, 2)[:rank], device=device)
    with raises(ValueError, re.escape(f"expected {expected} input (got {rank}D input)"), f"{cls.__name__}(x) with x.dim()={rank}"):
        bn(x)


# --------------------------------------------------------------------------- InstanceNorm, LayerNorm, GroupNorm

#: InstanceNorm classes and the rank of the input each takes
INSTANCE_NORMS = {"InstanceNorm1d": (nn.InstanceNorm1d, 3), "InstanceNorm2d": (nn.InstanceNorm2d, 4), "InstanceNorm3d": (nn.InstanceNorm3d, 5)}
INSTANCE_CASES = [pytest.param(k, d, id=f"{k}-{str(d).replace('torch.', '')}") for k in INSTANCE_NORMS for d in (torch.float32, torch.float64)]


@pytest.mark.parametrize("kind, dtype", INSTANCE_CASES)
@given(n=st.integers(1, 3), c=st.integers(1, 3), side=st.integers(2, 4), seed=st.integers(0, 2**32 - 1))
@budget(len(INSTANCE_CASES))
def test_instance_norm_uses_each_instances_statistics_in_train_and_eval_unless_it_tracks_running_stats(device, kind, dtype, n, c, side, seed):
    """InstanceNorm normalizes each (sample, channel) by its own mean and biased variance in training and in eval alike; with track_running_stats=True, training moves the running statistics by momentum 0.1 toward the batch's average per-instance mean and unbiased variance, and eval normalizes with them.

    Ranges over InstanceNorm1d/2d/3d (enumerated, inputs of their ranks) in float32 and float64, with
    drawn batch, channels, spatial side (>= 2) and values. The default module (affine=False,
    track_running_stats=False) has no running statistics, so ``eval()`` changes nothing (the docs:
    "uses instance statistics computed from input data in both training and evaluation modes").
    The formulas are evaluated in float64.
    """
    cls, rank = INSTANCE_NORMS[kind]
    x = data((n, c, *(side,) * (rank - 2)), seed, device, dtype, scale=2.0, shift=0.5)
    dims = tuple(range(2, rank))
    xd = x.double()
    mean, var = xd.mean(dims, keepdim=True), xd.var(dims, unbiased=False, keepdim=True)
    own = (xd - mean) / torch.sqrt(var + 1e-5)
    m = cls(c).to(device, dtype)
    assert m.running_mean is None, f"{kind}(c).running_mean is {m.running_mean}, but should be None"
    for training in (True, False):
        bn_close(m.train(training)(x), own, f"{kind}(c) in {'train' if training else 'eval'} mode")
    t = cls(c, track_running_stats=True).to(device, dtype)
    t.train()(x)
    flat = xd.flatten(2)
    rm = 0.1 * flat.mean(-1).mean(0)
    rv = 0.9 + 0.1 * flat.var(-1, unbiased=True).mean(0)
    bn_close(t.running_mean, rm, f"{kind}(c, track_running_stats=True).running_mean after one training step")
    bn_close(t.running_var, rv, f"{kind}(c, track_running_stats=True).running_var after one training step")
    shape = (1, c) + (1,) * (rank - 2)
    bn_close(t.eval()(x), (xd - rm.view(shape)) / torch.sqrt(rv.view(shape) + 1e-5), f"{kind}(c, track_running_stats=True) in eval mode")


#: normalization layers with no running statistics: name -> (make, the formula of their output in float64)
MODELESS_NORMS = {
    "LayerNorm": (lambda c: nn.LayerNorm(c), lambda x: (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + 1e-5)),
    "GroupNorm(1 group)": (lambda c: nn.GroupNorm(1, c), lambda x: (x - x.mean((1, 2), keepdim=True)) / torch.sqrt(x.var((1, 2), unbiased=False, keepdim=True) + 1e-5)),
}


@pytest.mark.parametrize("name", list(MODELESS_NORMS))
@given(n=st.integers(1, 3), c=st.integers(2, 4), seed=st.integers(0, 2**32 - 1))
@budget(len(MODELESS_NORMS))
def test_layer_norm_and_group_norm_hold_no_running_statistics_and_ignore_the_mode(device, name, n, c, seed):
    """LayerNorm and GroupNorm register no buffers and give the same output in train and eval: they normalize by the statistics of the input itself, whatever the mode.

    Ranges over LayerNorm (over the last dimension) and GroupNorm with one group (over channels and
    length), enumerated, with drawn sizes and values; the formula, evaluated in float64, is the
    oracle (weight 1 and bias 0 at initialization).
    """
    make, formula = MODELESS_NORMS[name]
    x = data((n, c, 5), seed, device, torch.float32, scale=2.0, shift=0.5)
    m = make(c if name != "LayerNorm" else 5).to(device)
    assert not list(m.buffers()), f"{name} registers buffers {[b for b, _ in m.named_buffers()]}, but should hold no running statistics"
    train_out, eval_out = m.train()(x), m.eval()(x)
    assert_same(eval_out, train_out, f"{name} in eval vs in train")
    bn_close(train_out, formula(x.double()), f"{name}")


NORM_BIAS = (
    "torch 2.12 gave BatchNorm, InstanceNorm and GroupNorm a keyword-only bias= (pytorch#176573, for pytorch#157144): "
    "bias=False keeps the affine weight and drops the bias; LayerNorm has had it since 2.1 (pytorch#101683). Before, "
    "the keyword raises TypeError. Checked: TypeError on 2.0.1 (all four) and on 2.1.2, 2.4.1, 2.8.0, 2.11.0 (all but "
    "LayerNorm); accepted on 2.12.1, 2.13.0, 2.14.1 and 2.15.0"
)
#: normalization layers with a bias= keyword: name -> (make with bias=..., release it arrived in, input rank)
BIAS_NORMS = {
    "LayerNorm": (lambda bias: nn.LayerNorm(4, bias=bias), "2.1", 3),
    "BatchNorm1d": (lambda bias: nn.BatchNorm1d(4, bias=bias), "2.12", 3),
    "InstanceNorm1d": (lambda bias: nn.InstanceNorm1d(4, affine=True, bias=bias), "2.12", 3),
    "GroupNorm": (lambda bias: nn.GroupNorm(2, 4, bias=bias), "2.12", 3),
}


def _bias_params(accepted: bool) -> list:
    return [pytest.param(name, id=name, marks=pytest.mark.torch_version((">=" if accepted else "<") + since, reason=NORM_BIAS))
            for name, (_, since, _) in BIAS_NORMS.items()]


@pytest.mark.parametrize("name", _bias_params(True))
@given(seed=st.integers(0, 2**32 - 1))
@budget(len(BIAS_NORMS))
def test_norm_layers_built_with_bias_false_have_a_weight_and_no_bias(device, name, seed):
    """LayerNorm (from torch 2.1) and BatchNorm, InstanceNorm and GroupNorm (from 2.12) built with bias=False own a weight and no bias, and compute what the same layer with a zero bias computes, in train and in eval.

    Ranges over the four layers (enumerated, each gated to the release that gave it the keyword) and
    drawn weights and inputs (4 channels / features, length 4).
    """
    make, _, rank = BIAS_NORMS[name]
    m, ref = make(False).to(device), make(True).to(device)
    assert [n for n, _ in m.named_parameters()] == ["weight"], f"{name}(bias=False) has parameters {[n for n, _ in m.named_parameters()]}, but should have only weight"
    assert "bias" not in m.state_dict(), f"{name}(bias=False).state_dict() holds a bias"
    with torch.no_grad():
        m.weight.copy_(data(m.weight.shape, seed, device, torch.float32, shift=1.0))
        ref.weight.copy_(m.weight)
        ref.bias.zero_()
    x = data((3, 4, 4), seed + 1, device, torch.float32, scale=2.0)
    for training in (True, False):
        assert_same(m.train(training)(x), ref.train(training)(x), f"{name}(bias=False) vs a zero bias in {'train' if training else 'eval'} mode")


@pytest.mark.parametrize("name", _bias_params(False))
def test_norm_layers_refuse_a_bias_keyword_before_it_arrived(device, name):
    """Before the release that gave it the keyword (LayerNorm 2.1; BatchNorm, InstanceNorm, GroupNorm 2.12), a normalization layer built with bias=False raises TypeError.

    Ranges over the four layers (enumerated, each gated to the releases before its keyword).
    """
    make, _, _ = BIAS_NORMS[name]
    with raises(TypeError, "unexpected keyword argument 'bias'", f"{name}(..., bias=False)"):
        make(False).to(device)


# --------------------------------------------------------------------------- eval()/train() through every module form


@pytest.mark.parametrize("dtype, form", covering(BN_DTYPES, module_form_params()))
@budget(len(MODULE_FORMS))
@given(n=st.integers(2, 5), c=st.integers(1, 4), p=st.floats(0.3, 0.9), seed=seeds)
def test_eval_and_train_on_a_container_switch_the_dropout_and_batchnorm_inside(device, dtype, form, n, c, p, seed):
    """model.eval() on any model switches the Dropout and BatchNorm inside it to inference (identity, running stats untouched); model.train() switches them back.

    The layer (Dropout(p) then BatchNorm1d) at top level, as an attribute of a user's module, in a
    Sequential, a ModuleList and a nested ModuleDict; float32 and float64 (each at least once).
    """
    model, layer = module_form(form, lambda: nn.Sequential(nn.Dropout(p), nn.BatchNorm1d(c)))
    model.to(device, dtype)
    bn = layer[1]
    with torch.no_grad():
        bn.running_mean.copy_(data(c, seed + 1, device)), bn.running_var.copy_(data(c, seed + 2, device).abs() + 0.5)
    x = data((n, c), seed, device, scale=2.0, shift=0.5).to(dtype)
    before = {k: v.clone() for k, v in bn.named_buffers()}
    model.eval()
    expected = normalize(x.double(), bn.running_mean.double(), bn.running_var.double(), bn.eps, bn.weight.double(), bn.bias.double())
    bn_close(layer(x), expected, f"{form}.eval(): Dropout then BatchNorm1d output")
    for name, value in bn.named_buffers():
        assert_same(value, before[name], f"{form}.eval(): BatchNorm1d {name} after a call")
    model.train()
    with seeded(device, seed):
        layer(x)
    assert int(bn.num_batches_tracked) == 1, f"{form}.train(): num_batches_tracked={int(bn.num_batches_tracked)} after a call, but should be 1"


# --------------------------------------------------------------------------- under torch.compile


def counting(backend: str):
    """(a torch.compile backend that is ``backend`` and records each graph it compiles, the record)."""
    graphs = []

    from torch._dynamo.backends.registry import lookup_backend  # torch._dynamo.lookup_backend is missing on 2.1

    def compile_graph(gm, example_inputs):
        graphs.append(gm)
        return lookup_backend(backend)(gm, example_inputs)

    return compile_graph, graphs


def _call_forms(*models_and_x):
    """The layer of every module form called on x: (top, custom, Sequential, ModuleList, ModuleDict, x)."""
    top, custom, seq, ml, md, x = models_and_x
    return top(x), custom(x), seq(x), ml[0][0](x), md["block"]["layer"](x)


def _all(mode):
    return lambda *inputs: [m.train(mode) for m in inputs if isinstance(m, nn.Module)]


@compile_budget()
@given(n=st.integers(2, 5), c=st.integers(1, 4), p=st.floats(0.2, 0.8))
def test_train_and_eval_flips_are_followed_under_compile(device, backend, n, c, p):
    """A compiled model follows every train()/eval() flip made between its calls exactly as eager does (no stale graph): it recompiles once per flag value and reuses each graph when the flag flips back.

    One compiled function calls the layer (Dropout(p) then BatchNorm1d) in every module form (top
    level, an attribute of a user's module, in a Sequential, a ModuleList, a nested ModuleDict) while
    train() and eval() are called on the models: train, eval, train, eval. Compared with eager:
    outputs, running statistics, num_batches_tracked, every training flag, parameters (dropout masks
    drawn from torch's generators on both sides: inductor with ``fallback_random``), within
    torch.testing's float32 tolerance on every backend (compiled dropout rounds its scaling in
    another order than eager's kernel: one ulp, amplified by the normalization after it).
    """
    def make():
        models = [module_form(form, lambda: nn.Sequential(nn.Dropout(p), nn.BatchNorm1d(c)))[0].to(device)
                  for form in MODULE_FORMS]
        return (*models, data((n, c), 0, device, torch.float32, scale=2.0))

    calls = [Call(name="train"), Call(before=_all(False), name="eval()"), Call(before=_all(True), name="train()"),
             Call(before=_all(False), name="eval() again")]
    torch._dynamo.reset()
    compile_graph, graphs = counting(backend)
    compiled = torch.compile(_call_forms, backend=compile_graph)  # compiles at its first call: with eager's RNG there
    # one rounding apart on any backend: compiled dropout scales in another order (1 ulp seen on
    # 2.14 with aot_eager at p=0.74), which the BatchNorm after it amplifies
    assert_compiles_like_eager(_call_forms, make, backend, calls=calls, compiled=compiled, **NORMALIZING_TOLERANCE)
    assert len(graphs) == 2, f"{len(graphs)} graphs compiled for train, eval, train, eval, but should be 2 (one per training flag)"


#: every floating dtype; float16 needs no gate here (compiled Dropout holds on 2.1.2 too; 2.0 has no Dynamo on 3.11)
DROPOUT_COMPILE_DTYPES = [
    pytest.param((torch.bfloat16, torch.float32, torch.float64), id="bfloat16,float32,float64"),
    pytest.param((torch.float16,), id="float16"),
]


@pytest.mark.parametrize("dtypes", DROPOUT_COMPILE_DTYPES)
@compile_budget()
@given(p=ps, seed=seeds)
def test_dropout_under_compile_drops_at_rate_p_in_training_and_is_the_identity_in_eval(device, backend, dtypes, p, seed):
    """Compiled Dropout(p) in training zeroes each element with probability p and scales the survivors by 1/(1-p); after eval() it returns its input exactly; after train() it drops again.

    For every floating dtype (one compiled function over all of them), on 200,000 elements: the
    zero count within the six-sigma binomial bound of the eager claim, each half separately; the
    survivors within two roundings of x * 1/(1-p) (bit-exact in float64); any backend (its own random
    numbers: inductor draws its masks differently from eager, so no mask is compared).
    """
    xs = [(torch.rand(200_000, device=device, dtype=torch.float64) + 1.0).to(d) for d in dtypes]
    drop = nn.Dropout(p).to(device)
    torch._dynamo.reset()
    compiled = torch.compile(lambda m, *xs: tuple(m(x) for x in xs), backend=backend)
    for step in ("train", "eval", "train again"):
        drop.train(step != "eval")
        with seeded(device, seed):
            outs = compiled(drop, *xs)
        for x, out in zip(xs, outs):
            what = f"compiled Dropout({p}) ({x.dtype}, {step})"
            if step == "eval":
                assert_same(out, x, f"{what} vs x")
                continue
            flat = (out == 0).flatten()
            for part, mask in (("all", flat), ("first half", flat[:100_000]), ("second half", flat[100_000:])):
                k, zeros = mask.numel(), int(mask.sum())
                bound = 6 * math.sqrt(k * p * (1 - p)) + 1
                assert abs(zeros - k * p) <= bound, f"{what}: {zeros} of {k} elements ({part}) zeroed, but should be {k * p:.1f} +- {bound:.1f}"
            kept = out != 0
            exact = x[kept].double() * (1.0 / (1.0 - p))
            rtol = 0 if x.dtype == torch.float64 else 2 * torch.finfo(x.dtype).eps
            torch.testing.assert_close(out[kept].double(), exact, rtol=rtol, atol=0, msg=lambda m: f"{what} survivors vs x * 1/(1-p): {m}")


#: momenta the BatchNorm inputs are compiled with in turn: a float, 1 (replace) and 0 (freeze); None (cumulative average) apart
COMPILE_MOMENTA = (0.1, 1.0, 0.0)


@compile_budget()
@given(n=st.integers(2, 4), seed=seeds)
def test_batchnorm_running_stats_under_compile_are_updated_as_in_eager(device, backend, n, seed):
    """Compiled BatchNorm updates running_mean, running_var and num_batches_tracked exactly as eager does, for every momentum (None included), in training; in eval it leaves them alone.

    Every BatchNorm input (BatchNorm1d (N, C) contiguous/transposed and (N, C, L)
    contiguous/step-sliced, BatchNorm2d contiguous/channels_last, BatchNorm3d
    contiguous/channels_last_3d; float32 and float64 alternately) with momentum 0.1, 1.0 and 0.0 in
    turn in one compiled function (which must compile a graph), and each with momentum=None in another; calls:
    train, train, eval, train. Compared with eager: outputs, every buffer, parameters and flags after
    each call. momentum=None reads ``float(num_batches_tracked)``: Dynamo breaks the graph there and
    runs that part eagerly (``fullgraph=True`` fails: pytorch#194504), which must not change a value.
    """
    kinds = list(BATCHNORM_INPUTS)

    def zoo(momenta):
        def make():
            mods, xs = [], []
            for i, kind in enumerate(kinds):
                cls, rank, _ = BATCHNORM_INPUTS[kind]
                dtype = (torch.float32, torch.float64)[i % 2]
                x = data((n, 2, *(3,) * (rank - 2)), seed + i, device, scale=2.0, shift=0.5).to(dtype)
                mods.append(cls(2, momentum=momenta[i % len(momenta)]).to(device, dtype))
                xs.append(batchnorm_input(kind, x))
            return (*mods, *xs)
        return make

    def fn(*inputs):
        half = len(inputs) // 2
        return tuple(m(x) for m, x in zip(inputs[:half], inputs[half:]))

    calls = [Call(name="train"), Call(name="train again"), Call(before=_all(False), name="eval()"), Call(before=_all(True), name="train()")]
    for momenta in (COMPILE_MOMENTA, (None,)):
        torch._dynamo.reset()
        compile_graph, graphs = counting(backend)
        compiled = torch.compile(fn, backend=compile_graph)
        assert_compiles_like_eager(fn, zoo(momenta), backend, calls=calls, compiled=compiled, **compile_tolerance(backend, normalizes=True))
        if None not in momenta:
            assert graphs, f"BatchNorm with momentum {momenta} compiled no graph: torch.compile ran it eagerly"


# --- release history (mined from release notes; see docs/release-history.md)


BATCHNORM_CPU_HALF = (
    "torch 2.2 added float16 to the cpu batch_norm kernels (https://github.com/pytorch/pytorch/releases/tag/v2.2.0); "
    "checked on cpu: 'batch_norm not implemented for Half' in 2.0/2.1, works on 2.2-2.15"
)
LAZY_WARNING = (
    "lazy modules (nn.LazyLinear, nn.LazyBatchNorm1d, ...) warned 'Lazy modules are a new feature under heavy "
    "development' on construction until torch 2.4 dropped the warning (https://github.com/pytorch/pytorch/releases/tag/v2.4.0); "
    "checked: UserWarning on 2.0-2.3, silent on 2.4-2.15"
)


@pytest.mark.torch_version(">=2.2", reason=BATCHNORM_CPU_HALF)
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_batchnorm_normalizes_float16_in_train_and_eval(device, training):
    """From torch 2.2, BatchNorm1d in float16 (module and input) normalizes like the batch-norm formula in both modes, on cpu as on cuda.

    Train mode uses the batch mean and biased variance, eval mode the running statistics (here
    mean 0.5, variance 2). The formula is computed in float64 from the float16 input; the float16
    output agrees within 2 float16 ulps (rtol = atol = 2**-9).
    """
    g = torch.Generator().manual_seed(7)
    x = torch.randn(6, 3, generator=g).to(device=device, dtype=torch.float16)
    bn = nn.BatchNorm1d(3).to(device=device, dtype=torch.float16)
    bn.running_mean.fill_(0.5)
    bn.running_var.fill_(2.0)
    bn.train(training)
    out = bn(x)
    x64 = x.double()
    if training:
        mean, var = x64.mean(0), x64.var(0, unbiased=False)
    else:
        mean, var = torch.full((3,), 0.5, dtype=torch.float64, device=device), torch.full((3,), 2.0, dtype=torch.float64, device=device)
    expected = (x64 - mean) / torch.sqrt(var + bn.eps)
    assert out.dtype == torch.float16, f"BatchNorm1d(float16)(x).dtype={out.dtype}, but should be torch.float16"
    torch.testing.assert_close(out.double(), expected, rtol=2**-9, atol=2**-9, msg=lambda m: f"float16 BatchNorm vs formula: {m}")


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.2", reason=BATCHNORM_CPU_HALF)
def test_batchnorm_has_no_cpu_float16_kernel_before_2_2():
    """Before torch 2.2, BatchNorm1d in float16 on cpu raises RuntimeError "batch_norm" not implemented for 'Half' (in train and eval mode)."""
    bn = nn.BatchNorm1d(3).half()
    x = torch.randn(6, 3).half()
    for training in (True, False):
        with raises(RuntimeError, r"batch_norm.* not implemented for 'Half'", f"BatchNorm1d(float16) in {'train' if training else 'eval'} mode on cpu"):
            bn.train(training)(x)


def _lazy_warnings(device):
    with warnings_recorded() as caught:
        bn = nn.LazyBatchNorm1d(device=device)
    out = bn(torch.arange(8.0, device=device).reshape(4, 2))
    assert bn.running_mean.shape == (2,), f"running_mean.shape={tuple(bn.running_mean.shape)} after the first batch, but should be (2,)"
    assert out.device.type == device.type, f"LazyBatchNorm1d output on {out.device}, but should be on {device}"
    return [(w.category, str(w.message)) for w in caught if "Lazy modules are a new feature" in str(w.message)]


@pytest.mark.torch_version("<2.4", reason=LAZY_WARNING)
def test_lazy_batchnorm_warns_that_lazy_modules_are_new_before_2_4(device):
    """Before torch 2.4, constructing nn.LazyBatchNorm1d warns UserWarning that lazy modules are a new feature; it infers num_features from the first batch."""
    found = _lazy_warnings(device)
    assert [c for c, _ in found] == [UserWarning], f"LazyBatchNorm1d() warned {found}, but should warn one UserWarning"


@pytest.mark.torch_version(">=2.4", reason=LAZY_WARNING)
def test_lazy_batchnorm_constructs_silently_from_2_4(device):
    """From torch 2.4, constructing nn.LazyBatchNorm1d warns nothing; it infers num_features from the first batch."""
    found = _lazy_warnings(device)
    assert found == [], f"LazyBatchNorm1d() warned {found}, but should be silent"


# --- release history, round 2 (mined from release notes and the tracker)

PT2E_MODE_SWITCH_REMOVED = (
    "torch.ao.quantization.move_exported_model_to_eval / move_exported_model_to_train rewrite an exported graph's "
    "Dropout and BatchNorm between their train and eval forms (ep.module().eval() refuses, see "
    "test_dynamic_vs_static_graphs.py); with the PT2E quantization code migrated to torchao (pytorch#157591, "
    "pytorch/executorch#17554: 'Recent update removed the move_exported_model_to_eval and move_exported_model_to_train "
    "from torch.ao.quantization. The functions are now accessed from torchao.quantization.pt2e') torch 2.11 no longer "
    "has them, nor torch.ao.quantization.quantize_pt2e (https://github.com/pytorch/pytorch/releases/tag/v2.11.0); "
    "checked: present on 2.1.2, 2.3.1, 2.4.1-2.10.0, gone on 2.11.0 and 2.14.1"
)


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.1,<2.11", reason=PT2E_MODE_SWITCH_REMOVED)
@pytest.mark.parametrize("name", [
    "move_exported_model_to_eval",
    pytest.param("move_exported_model_to_train", marks=pytest.mark.torch_version(
        ">=2.3", reason="move_exported_model_to_train joined move_exported_model_to_eval in torch.ao.quantization in "
        "torch 2.3 (checked: missing on 2.1.2 and 2.2.2, present on 2.3.1)")),
])
def test_torch_ao_can_switch_an_exported_models_mode_before_2_11(name):
    """Before torch 2.11, torch.ao.quantization has move_exported_model_to_eval and move_exported_model_to_train, the functions that switch an exported module between train and eval."""
    import torch.ao.quantization as q

    assert callable(getattr(q, name, None)), f"torch.ao.quantization.{name} is missing"


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.11", reason=PT2E_MODE_SWITCH_REMOVED)
@pytest.mark.parametrize("name", ["move_exported_model_to_eval", "move_exported_model_to_train"])
def test_torch_ao_has_no_exported_model_mode_switch_from_2_11(name):
    """From torch 2.11, torch.ao.quantization has no move_exported_model_to_eval / move_exported_model_to_train (they live in torchao.quantization.pt2e), and an exported module still refuses .eval()."""
    import torch.ao.quantization as q

    assert not hasattr(q, name), f"torch.ao.quantization.{name} still exists"
    gm = torch.export.export(nn.Sequential(nn.Dropout(0.5)).train(), (torch.ones(4),)).module()
    with raises(NotImplementedError, r"eval|train", "ep.module().eval()"):
        gm.eval()


PT2E_DROPOUT_ON_2_3 = (
    "move_exported_model_to_eval rewrites the exported graph's train-mode dropout pattern into its eval form and is "
    "silent where it matches nothing. On 2.1-2.2 torch.export.export gives aten.native_dropout, which the pass matches "
    "(eval form aten.clone); on 2.3 the pass matches the pre-dispatch aten.dropout of capture_pre_autograd_graph, but "
    "torch.export.export still gives aten.native_dropout, so the exported Dropout keeps zeroing and scaling; torch 2.4 "
    "switched torch.export.export to the pre-dispatch IR, which keeps aten.dropout (pytorch#125860), and the pass "
    "matches again. pytorch#103681 is the underlying bug: an exported Dropout cannot be switched by .eval(). Checked: "
    "the identity on 2.1.2, 2.2.2, 2.4.1, 2.5.1, 2.6.0, 2.7.1, 2.8.0, 2.9.1, 2.10.0; still dropping on 2.3.1"
)
_PT2E_DROPOUT_BUG = pytest.mark.known_bug(
    ">=2.3,<2.4", issue="https://github.com/pytorch/pytorch/issues/103681", reason=PT2E_DROPOUT_ON_2_3
)


def _assert_inverted_dropout(y, n, p, what):
    """``y`` is Dropout(p) of ones(n) in train mode: every element 0 or 1/(1-p), the zeros a binomial(n, p) count."""
    __tracebackhide__ = True
    scale = 1 / (1 - p)
    odd = y[(y != 0) & (y != scale)]
    assert odd.numel() == 0, f"{what} has values {odd[:5].tolist()}, but train-mode Dropout({p}) of ones gives only 0 and {scale}"
    zeros = int((y == 0).sum())
    sd = math.sqrt(n * p * (1 - p))
    assert abs(zeros - n * p) < 8 * sd, f"{what} zeroed {zeros} of {n}, but train-mode Dropout({p}) zeroes about {n * p:.0f}"


@pytest.mark.torch_version(">=2.1,<2.11", reason=PT2E_MODE_SWITCH_REMOVED)
@pytest.mark.parametrize("switch", [
    pytest.param("to_eval", marks=_PT2E_DROPOUT_BUG),
    pytest.param("to_eval_then_to_train", marks=(_PT2E_DROPOUT_BUG, pytest.mark.torch_version(
        ">=2.3", reason="move_exported_model_to_train joined move_exported_model_to_eval in torch.ao.quantization in "
        "torch 2.3 (checked: missing on 2.1.2 and 2.2.2, present on 2.3.1)"))),
])
def test_move_exported_model_to_eval_makes_an_exported_dropout_the_identity_before_2_11(device, switch):
    """Before torch 2.11, torch.ao.quantization.move_exported_model_to_eval turns a Dropout exported in train mode into the identity, and move_exported_model_to_train turns it back into inverted dropout.

    Ranges over: the switch (to eval; to eval and back to train). The module is Dropout(0.5) exported
    by torch.export.export in train mode (ep.module().eval() refuses); the input is ones(1000), so
    train-mode outputs are 0 or 2 with about 500 zeros (8 standard deviations of slack), and the
    eval-mode output is the input itself.
    """
    import torch.ao.quantization as q

    p, n = 0.5, 1000
    x = torch.ones(n, device=device)
    gm = torch.export.export(nn.Sequential(nn.Dropout(p)).to(device).train(), (x,)).module()
    with seeded(device, 0):
        _assert_inverted_dropout(gm(x), n, p, "the train-mode export's output")
        gm = q.move_exported_model_to_eval(gm) or gm
        assert_same(gm(x), x, "output after move_exported_model_to_eval")
        if switch == "to_eval_then_to_train":
            gm = q.move_exported_model_to_train(gm) or gm
            _assert_inverted_dropout(gm(x), n, p, "output after move_exported_model_to_train")


# --------------------------------------------------------------------------- round 3: alpha dropout, channel dropout ranks, p's range, RMSNorm

#: SELU's constants (torch.nn.SELU; Klambauer et al. 2017): alpha' = -scale * alpha is SELU's negative saturation value
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def alpha_dropout_affine(p: float):
    """(a, b, alpha') of alpha dropout at ``p``: a dropped unit becomes a*alpha' + b, a kept one a*x + b."""
    saturation = -SELU_SCALE * SELU_ALPHA
    a = ((1 - p) * (1 + p * saturation**2)) ** -0.5
    return a, -a * saturation * p, saturation


#: alpha dropout cases: name -> (class, input shape, the number of leading dims that index a unit). AlphaDropout's
#: unit is one element; FeatureAlphaDropout's is x[n, c], whatever the rank: it reads dim 0 as the batch and dim 1 as
#: the channels, so a 4-D input is (N, C, H, W), not the docs' unbatched (C, D, H, W) (pytorch#69960, open: "The
#: docs for FeatureAlphaDropout are wrong ... [it] has no way of distinguishing between inputs that have or don't
#: have batch dimension"; checked on 2.0.1, 2.14.1, 2.15.0)
ALPHA_DROPOUTS = {
    "AlphaDropout-(N,F)": (nn.AlphaDropout, (160, 128), 2),
    "AlphaDropout-(N,C,H,W)": (nn.AlphaDropout, (8, 40, 8, 8), 4),
    "FeatureAlphaDropout-(N,C,L)": (nn.FeatureAlphaDropout, (64, 256, 2), 2),
    "FeatureAlphaDropout-4D": (nn.FeatureAlphaDropout, (64, 256, 1, 2), 2),
    "FeatureAlphaDropout-(N,C,D,H,W)": (nn.FeatureAlphaDropout, (32, 512, 1, 1, 2), 2),
}
ALPHA_CASES = covering([pytest.param(k, id=k) for k in ALPHA_DROPOUTS], BN_DTYPES)
#: a float32 alpha-dropout result against the float64 formula: a*x + b rounded a few times
ALPHA_TOL = {torch.float32: {"rtol": 1e-6, "atol": 1e-6}, torch.float64: {"rtol": 1e-12, "atol": 1e-12}}


@pytest.mark.parametrize("case, dtype", ALPHA_CASES)
@budget(len(ALPHA_CASES))
@given(p=st.floats(0.05, 0.95), seed=seeds)
@example(p=0.5, seed=0)
def test_alpha_dropout_in_training_sets_dropped_units_to_the_selu_saturation_then_applies_the_affine_map(device, case, dtype, p, seed):
    """AlphaDropout(p) / FeatureAlphaDropout(p) in training set each dropped unit (with probability p) to alpha' = -scale*alpha of SELU, then map everything by a*v + b with a = ((1-p)(1+p*alpha'^2))^(-1/2), b = -a*alpha'*p; in eval they return the input exactly.

    AlphaDropout drops elements; FeatureAlphaDropout drops x[n, c] whole, on (N, C, L), a 4-D input
    and (N, C, D, H, W) alike (dim 1 is the channel dim at every rank: pytorch#69960, the docs' unbatched
    (C, D, H, W) is read as (N, C, H, W)); float32 and float64 (each case and dtype at least once), p in
    [0.05, 0.95]. Every unit must be a*x + b (kept) or a*alpha' + b (dropped) throughout, formula in
    float64; the dropped-unit count within six sigma of Binomial(units, p) (>= 16,384 units, so a
    rate off by 0.05 fails on every seed). Source: torch/nn/modules/dropout.py (AlphaDropout's
    docstring, "scaled and shifted to maintain zero mean and unit standard deviation") and
    aten/src/ATen/native/Dropout.cpp ``_dropout_impl``.
    """
    cls, shape, lead = ALPHA_DROPOUTS[case]
    x = data(shape, seed, device, dtype=torch.float64).to(dtype)
    drop = cls(p).to(device)
    with seeded(device, seed):
        out = drop(x)
    a, b, saturation = alpha_dropout_affine(p)
    units = out.double().reshape(math.prod(shape[:lead]), -1)
    kept_value = (x.double() * a + b).reshape(units.shape)
    dropped_value = a * saturation + b
    close = lambda u, v: torch.isclose(u, torch.as_tensor(v, dtype=torch.float64, device=u.device), **ALPHA_TOL[dtype])
    dropped, kept = close(units, dropped_value).all(-1), close(units, kept_value).all(-1)
    stray = ~(dropped | kept)
    assert not bool(stray.any()), (
        f"{case}({p}) ({dtype}): {int(stray.sum())} of {units.shape[0]} units are neither a*x+b nor the dropped value "
        f"a*alpha'+b={dropped_value:.6f} throughout, e.g. {units[stray][0][:4].tolist()} for x {x.double().reshape(units.shape)[stray][0][:4].tolist()}"
    )
    n, zeros = units.shape[0], int(dropped.sum())
    bound = 6 * math.sqrt(n * p * (1 - p)) + 1
    assert abs(zeros - n * p) <= bound, f"{case}({p}) dropped {zeros} of {n} units, but should drop {n * p:.1f} +- {bound:.1f}"
    with seeded(device, seed):
        assert_same(drop.eval()(x), x, f"{case}({p}) in eval vs x")


#: every Dropout layer and functional form, each a callable of p
DROPOUT_CONSTRUCTORS = {
    "Dropout": nn.Dropout, "Dropout1d": nn.Dropout1d, "Dropout2d": nn.Dropout2d, "Dropout3d": nn.Dropout3d,
    "AlphaDropout": nn.AlphaDropout, "FeatureAlphaDropout": nn.FeatureAlphaDropout,
}
DROPOUT_FUNCTIONS = {
    "F.dropout": nn.functional.dropout, "F.dropout1d": nn.functional.dropout1d, "F.dropout2d": nn.functional.dropout2d, "F.dropout3d": nn.functional.dropout3d,
    "F.alpha_dropout": nn.functional.alpha_dropout, "F.feature_alpha_dropout": nn.functional.feature_alpha_dropout,
}
out_of_range_ps = st.floats(max_value=-1e-9, allow_nan=False) | st.floats(min_value=1 + 1e-9, allow_nan=False)


@pytest.mark.parametrize("name", [*DROPOUT_CONSTRUCTORS, *DROPOUT_FUNCTIONS])
@budget(len(DROPOUT_CONSTRUCTORS) + len(DROPOUT_FUNCTIONS))
@given(p=out_of_range_ps)
@example(p=-0.1)
@example(p=1.1)
def test_dropout_probability_outside_0_1_raises_value_error(device, name, p):
    """A dropout probability p < 0 or p > 1 raises ValueError "dropout probability has to be between 0 and 1" when the layer is built, and from the functional form even with training=False.

    Every Dropout layer (Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout) and its
    functional form (called in eval, on a (2, 3, 4) input: the check does not depend on drawing a
    mask), p drawn from (-inf, 0) and (1, inf). Source: torch/nn/modules/dropout.py ``_DropoutNd``
    and torch/nn/functional.py (checked on 2.0.1, 2.14.1 and 2.15.0).
    """
    match = r"dropout probability has to be between 0 and 1, but got"
    if name in DROPOUT_CONSTRUCTORS:
        with raises(ValueError, match, f"nn.{name}(p={p})"):
            DROPOUT_CONSTRUCTORS[name](p)
    else:
        x = torch.ones(2, 3, 4, device=device)
        with raises(ValueError, match, f"{name}(x, p={p}, training=False)"):
            DROPOUT_FUNCTIONS[name](x, p, training=False)


#: channel dropout on inputs whose channel dim is not dim 1: name -> (class, shape, dims that index a channel)
CHANNEL_DROPOUT_FORMS = {
    "Dropout1d-(N,C,L)": (nn.Dropout1d, (4, 24, 6), 2),
    "Dropout1d-(C,L)": (nn.Dropout1d, (48, 6), 1),
    "Dropout3d-(C,D,H,W)": (nn.Dropout3d, (48, 2, 2, 2), 1),
}


@pytest.mark.parametrize("case", list(CHANNEL_DROPOUT_FORMS))
@budget(len(CHANNEL_DROPOUT_FORMS))
@given(p=st.floats(0.3, 0.7), seed=seeds)
def test_dropout1d_and_unbatched_dropout3d_zero_whole_channels_in_training_and_are_the_identity_in_eval(device, case, p, seed):
    """nn.Dropout1d on (N, C, L) and unbatched (C, L), and nn.Dropout3d on unbatched (C, D, H, W), in training zero each channel whole or scale it by 1/(1-p), without a warning; in eval they return the input.

    A channel is x[n, c] (batched) or x[c] (unbatched: the input is read with a batch of one, not
    as (N, C, ...)). 48..96 channels at p in [0.3, 0.7]: some channel zeroed and some kept except with
    probability < 1e-6 (so element-wise dropout, or whole-input dropout, fails). Survivors compared
    exactly with x * (1/(1-p)) in float64. Source: the classes' docs (Shape: "(N, C, L) or (C, L)",
    "(N, C, D, H, W) or (C, D, H, W)"); checked on 2.0.1, 2.14.1, 2.15.0.
    """
    cls, shape, lead = CHANNEL_DROPOUT_FORMS[case]
    x = data(shape, seed, device).abs() + 0.1  # no zeros of its own
    drop = cls(p).to(device)
    with seeded(device, seed), warnings_recorded() as caught:
        out = drop(x)
    ours = [str(w.message) for w in caught if "dropout" in str(w.message).lower()]
    assert not ours, f"{case}({p}) warned {ours}, but the input is one it supports"
    flat_out, flat_x = out.reshape(math.prod(shape[:lead]), -1), x.reshape(math.prod(shape[:lead]), -1)
    zeroed = (flat_out == 0).all(-1)
    assert_same(flat_out[~zeroed], flat_x[~zeroed] * (1.0 / (1.0 - p)), f"{case}({p}) kept channels")
    assert 0 < int(zeroed.sum()) < zeroed.numel(), f"{case}({p}) zeroed {int(zeroed.sum())} of {zeroed.numel()} channels, but should zero some and keep some"
    with seeded(device, seed):
        assert_same(drop.eval()(x), x, f"{case}({p}) in eval vs x")


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("rank", [1, 4, 5])
def test_dropout1d_refuses_an_input_that_is_not_2d_or_3d(device, rank, training):
    """nn.Dropout1d raises RuntimeError "dropout1d: Expected 2D or 3D input, but received a <k>D input" for any other rank, in training and in eval.

    Ranks 1, 4 and 5 (enumerated), each in train and eval mode: the check precedes the mode.
    Unlike Dropout2d/3d, which warn on a rank they do not support and drop anyway. Source:
    torch/nn/functional.py ``dropout1d``; checked on 2.0.1, 2.14.1, 2.15.0.
    """
    x = torch.ones((3, 4, 2, 2, 2)[:rank], device=device)
    drop = nn.Dropout1d(0.5).train(training)
    with raises(RuntimeError, re.escape(f"dropout1d: Expected 2D or 3D input, but received a {rank}D input"), f"Dropout1d on a {rank}-D input ({'train' if training else 'eval'})"):
        drop(x)


#: (class, an unsupported rank, its input shape, the leading dims that index what it drops whole): Dropout2d supports 3-D
#: and 4-D input, Dropout3d 4-D and 5-D. On another rank Dropout2d still reads (N, C, ...) and drops x[n, c];
#: Dropout3d reads any rank but 5 as unbatched (it unsqueezes a batch dim), so it drops x[c] along dim 0.
DEPRECATED_RANKS = {
    "Dropout2d-2D": (nn.Dropout2d, (4, 12), 2),
    "Dropout2d-5D": (nn.Dropout2d, (4, 12, 2, 1, 2), 2),
    "Dropout3d-3D": (nn.Dropout3d, (48, 2, 2), 1),
    "Dropout3d-6D": (nn.Dropout3d, (48, 2, 1, 2, 1, 1), 1),
}


@pytest.mark.parametrize("case", list(DEPRECATED_RANKS))
@given(p=st.floats(0.3, 0.7), seed=seeds)
@budget(len(DEPRECATED_RANKS))
def test_dropout2d_and_3d_warn_that_an_unsupported_rank_is_deprecated_and_still_drop_channels(device, case, p, seed):
    """nn.Dropout2d on a 2-D or 5-D input and nn.Dropout3d on a 3-D or 6-D input warn UserWarning "Received a <k>-D input to dropout<d>d, which is deprecated and will result in an error in a future release", then drop channels: Dropout2d each x[n, c] whole, Dropout3d each x[c] along dim 0 (any rank but 5 is read as unbatched).

    The four unsupported ranks (enumerated); survivors x * 1/(1-p) exactly; 48 units (4 x 12 for
    Dropout2d, of which some row has both a zeroed and a kept channel, so dropping whole x[n] fails;
    48 x[c] of 4..8 elements for Dropout3d, so dropping x[c, d] or elements fails), except with
    probability < 1e-6. Source: torch/nn/functional.py ``dropout2d`` (no unsqueeze) / ``dropout3d``
    (``is_batched = inp_dim == 5``); checked: same on 2.0.1, 2.4.1, 2.14.1, 2.15.0.
    """
    cls, shape, lead = DEPRECATED_RANKS[case]
    x = data(shape, seed, device).abs() + 0.1
    name = cls.__name__.lower()
    with seeded(device, seed), warnings_recorded() as caught:
        out = cls(p).to(device)(x)
    want = f"Received a {len(shape)}-D input to {name}, which is deprecated and will result in an error in a future release"
    found = [w for w in caught if want in str(w.message)]
    assert [w.category for w in found] == [UserWarning], f"{case}: warnings {[str(w.message)[:120] for w in caught]}, but one UserWarning should say {want!r}"
    units = math.prod(shape[:lead])
    flat_out, flat_x = out.reshape(units, -1), x.reshape(units, -1)
    zeroed = (flat_out == 0).all(-1)
    unit = "x[n, c]" if lead == 2 else "x[c]"
    assert_same(flat_out[~zeroed], flat_x[~zeroed] * (1.0 / (1.0 - p)), f"{case}({p}) kept {unit} (each kept whole)")
    if lead == 2:
        rows = zeroed.reshape(shape[:2])
        mixed = int((rows.any(1) & ~rows.all(1)).sum())
        assert mixed > 0, f"{case}({p}): every x[n] had all its x[n, c] zeroed or all kept, but x[n, c] should be dropped one by one"
    assert 0 < int(zeroed.sum()) < units, f"{case}({p}) zeroed {int(zeroed.sum())} of {units} {unit}, but should zero some and keep some"

RMS_NORM_NEW = (
    "nn.RMSNorm and F.rms_norm are new in torch 2.4 (https://github.com/pytorch/pytorch/releases/tag/v2.4.0, "
    "pytorch#121364); checked: missing on 2.0.1 and 2.3.1, present on 2.4.1, 2.14.1, 2.15.0"
)
#: RMSNorm's normalized_shape: the last dim or the last two
RMS_SHAPES = {"last dim": 1, "last two dims": 2}
RMS_CASES = covering(BN_DTYPES, [pytest.param(k, id=k) for k in RMS_SHAPES])


@pytest.mark.torch_version(">=2.4", reason=RMS_NORM_NEW)
@pytest.mark.parametrize("dtype, dims", RMS_CASES)
@budget(len(RMS_CASES))
@given(n=st.integers(1, 3), c=st.integers(2, 5), eps=st.floats(1e-6, 1.0), seed=seeds)
def test_rms_norm_computes_x_over_root_mean_square_times_weight_in_train_and_eval_alike(device, dtype, dims, n, c, eps, seed):
    """nn.RMSNorm(shape, eps) computes x / sqrt(mean(x^2 over the normalized dims) + eps) * weight, the same in train and eval: it holds no buffers and no bias, only its weight.

    float32 and float64, normalized over the last dim or the last two (each at least once); drawn
    sizes, eps in [1e-6, 1] (large enough to matter on small inputs), weights and values (scale 0.1,
    so eps is not negligible). The formula in float64 is the oracle. Source: torch.nn.RMSNorm's docs
    (new in 2.4).
    """
    x = data((n, c, 4), seed, device, scale=0.1).to(dtype)
    shape = tuple(x.shape[-RMS_SHAPES[dims]:])
    m = nn.RMSNorm(shape, eps=eps).to(device, dtype)
    assert [k for k, _ in m.named_parameters()] == ["weight"] and not list(m.buffers()), (
        f"RMSNorm has parameters {[k for k, _ in m.named_parameters()]} and buffers {[k for k, _ in m.named_buffers()]}, but should hold only weight"
    )
    with torch.no_grad():
        m.weight.copy_(data(shape, seed + 1, device, shift=1.0))
    xd = x.double()
    reduce_dims = tuple(range(-RMS_SHAPES[dims], 0))
    expected = xd / torch.sqrt(xd.pow(2).mean(reduce_dims, keepdim=True) + eps) * m.weight.double()
    train_out = m.train()(x)
    eval_out = m.eval()(x)
    assert_same(eval_out, train_out, f"RMSNorm{shape} in eval vs in train")
    bn_close(train_out, expected, f"RMSNorm{shape}, eps={eps}")


RMS_EPS_DTYPES = dtype_params((torch.float32, torch.float64))


@pytest.mark.torch_version(">=2.4", reason=RMS_NORM_NEW)
@pytest.mark.parametrize("dtype", RMS_EPS_DTYPES)
@given(c=st.integers(2, 6), seed=seeds)
@budget(len(RMS_EPS_DTYPES))
def test_rms_norm_default_eps_is_the_machine_epsilon_of_the_input_dtype(device, dtype, c, seed):
    """nn.RMSNorm(shape) (eps=None) adds torch.finfo(x.dtype).eps to the mean square, for float32 and float64 input, in train and eval.

    Inputs scaled so that mean(x^2) is about that eps (so adding 0, 1e-5 or the other dtype's eps
    changes the output by far more than the tolerance); the formula in float64 with
    ``torch.finfo(dtype).eps`` is the oracle; ``m.eps`` stays None. Source: torch.nn.RMSNorm's docs.
    """
    fe = torch.finfo(dtype).eps
    x = (data((3, c), seed, device) * math.sqrt(fe)).to(dtype)
    m = nn.RMSNorm(c, elementwise_affine=False)
    assert m.eps is None, f"RMSNorm(c).eps={m.eps}, but should be None (the input's machine epsilon at call time)"
    xd = x.double()
    expected = xd / torch.sqrt(xd.pow(2).mean(-1, keepdim=True) + fe)
    for training in (True, False):
        bn_close(m.train(training)(x), expected, f"RMSNorm({c}) (eps=None) on {dtype} input in {'train' if training else 'eval'} mode")


RMS_NORM_HALF_EPS = (
    "RMSNorm's default eps (eps=None) for float16/bfloat16 input: torch.finfo(x.dtype).eps (as the docs said) up to "
    "2.6; from 2.7 the kernel upcasts half-precision input to float32 and takes float32's epsilon "
    "(std::numeric_limits<opmath_type>::epsilon, pytorch#142848, Jan 2025), a change the docs caught up with in "
    "pytorch#173039 ('For fp16/bf16 inputs, computation is done in fp32, so the default epsilon is "
    "torch.finfo(torch.float32).eps'; pytorch#155527). Checked: the input's eps on 2.4.1 and 2.6.0, float32's on "
    "2.7.1, 2.14.1, 2.15.0"
)
RMS_HALF_DTYPES = dtype_params((torch.float16, torch.bfloat16))


def _rms_half(device, dtype, c, seed, eps):
    """RMSNorm(c) (eps=None) of a ``dtype`` input whose mean square is about the dtype's eps, against the formula with ``eps``."""
    x = (data((3, c), seed, device) * math.sqrt(torch.finfo(dtype).eps)).to(dtype)
    m = nn.RMSNorm(c, elementwise_affine=False)
    xd = x.double()
    expected = xd / torch.sqrt(xd.pow(2).mean(-1, keepdim=True) + eps)
    for training in (True, False):
        out = m.train(training)(x)
        assert out.dtype == dtype, f"RMSNorm({c}) of {dtype} input returned {out.dtype}"
        # two roundings of the dtype: far below the factor up to sqrt(2) between the two epsilons
        torch.testing.assert_close(out.double(), expected, rtol=2 * torch.finfo(dtype).eps, atol=2 * torch.finfo(dtype).eps,
                                   msg=lambda msg: f"RMSNorm({c}) (eps=None) on {dtype} input in {'train' if training else 'eval'} mode, vs the formula with eps={eps}: {msg}")


@pytest.mark.torch_version(">=2.7", reason=RMS_NORM_HALF_EPS)
@pytest.mark.parametrize("dtype", RMS_HALF_DTYPES)
@given(c=st.integers(2, 6), seed=seeds)
@budget(len(RMS_HALF_DTYPES))
def test_rms_norm_default_eps_for_half_precision_input_is_float32_epsilon_from_2_7(device, dtype, c, seed):
    """From torch 2.7, nn.RMSNorm(shape) (eps=None) adds torch.finfo(torch.float32).eps, not the input's own epsilon, for float16 and bfloat16 input, in train and eval.

    float16 and bfloat16 (enumerated); inputs scaled so that mean(x^2) is about the input dtype's
    eps (so adding that eps instead would shrink the output by up to 1/sqrt(2)); the formula in
    float64 is the oracle, within two roundings of the dtype.
    """
    _rms_half(device, dtype, c, seed, torch.finfo(torch.float32).eps)


@pytest.mark.torch_version(">=2.4,<2.7", reason=RMS_NORM_HALF_EPS)
@pytest.mark.parametrize("dtype", RMS_HALF_DTYPES)
@given(c=st.integers(2, 6), seed=seeds)
@budget(len(RMS_HALF_DTYPES))
def test_rms_norm_default_eps_for_half_precision_input_is_its_own_epsilon_before_2_7(device, dtype, c, seed):
    """From torch 2.4 to 2.6, nn.RMSNorm(shape) (eps=None) adds torch.finfo(x.dtype).eps for float16 and bfloat16 input too, in train and eval.

    float16 and bfloat16 (enumerated); inputs scaled so that mean(x^2) is about that eps; the
    formula in float64 is the oracle, within two roundings of the dtype.
    """
    _rms_half(device, dtype, c, seed, torch.finfo(dtype).eps)


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.4", reason=RMS_NORM_NEW)
def test_there_is_no_rms_norm_before_2_4():
    """Before torch 2.4, torch.nn has no RMSNorm and torch.nn.functional no rms_norm."""
    assert not hasattr(nn, "RMSNorm"), "torch.nn.RMSNorm exists"
    assert not hasattr(nn.functional, "rms_norm"), "torch.nn.functional.rms_norm exists"


#: every dropout layer with an input of a rank it supports (its channels whole or its elements)
DROPOUT_LAYERS = {
    "Dropout": (nn.Dropout, (4, 6)),
    "Dropout1d": (nn.Dropout1d, (4, 6, 3)),
    "Dropout2d": (nn.Dropout2d, (4, 6, 3, 2)),
    "Dropout3d": (nn.Dropout3d, (4, 6, 2, 2, 2)),
    "AlphaDropout": (nn.AlphaDropout, (4, 6)),
    "FeatureAlphaDropout": (nn.FeatureAlphaDropout, (4, 6, 3, 2)),
}


@pytest.mark.parametrize("name", list(DROPOUT_LAYERS))
@budget(len(DROPOUT_LAYERS))
@given(seed=seeds)
def test_every_dropout_layer_at_p1_returns_zeros_and_at_p0_returns_its_input_in_training(device, name, seed):
    """Every dropout layer in training with p=1 returns all zeros (AlphaDropout and FeatureAlphaDropout too: not their dropped value a*alpha'+b, whose a is infinite at p=1), and with p=0 returns its input unchanged.

    Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout (enumerated) on float64 inputs of a
    rank each supports, finite values of both signs (x * 0 gives -0.0 for negatives, which equals 0).
    Source: aten/src/ATen/native/Dropout.cpp ``_dropout_impl`` (p == 0: the input; p == 1: input * 0,
    for every kind of dropout); checked on 2.0.1, 2.14.1, 2.15.0.
    """
    cls, shape = DROPOUT_LAYERS[name]
    x = data(shape, seed, device)
    with seeded(device, seed):
        ones, zeros = cls(1.0).to(device)(x), cls(0.0).to(device)(x)
    assert_same(ones, torch.zeros_like(x), f"{name}(p=1) in training vs zeros")
    assert_same(zeros, x, f"{name}(p=0) in training vs x")


#: the recurrent layers, all of which take dropout= between their stacked layers
RNNS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


def _final_hidden(h):
    return h[0] if isinstance(h, tuple) else h


@pytest.mark.parametrize("name", list(RNNS))
@budget(4 * len(RNNS))  # each example builds and runs a stacked RNN 4 times: 2 examples per case under ci
@given(layers=st.integers(2, 3), p=st.floats(0.3, 0.7), seed=seeds)
def test_rnn_dropout_drops_between_stacked_layers_in_training_only(device, name, layers, p, seed):
    """nn.RNN/LSTM/GRU(num_layers > 1, dropout=p) apply dropout to the outputs of every layer but the last, in training only: in eval they compute what the same weights with dropout=0 compute.

    RNN, LSTM and GRU (enumerated), 2..3 layers of 16 hidden units, float64, sequence 6 x batch 3.
    In training the first layer's final state h_n[0] (and LSTM's c_n[0]) is the dropout=0 module's
    (nothing is dropped before it), the last layer's h_n[-1] is not (its input was dropped, except
    with probability < 1e-30), and the output holds no exact zeros (the last layer's output is not
    dropped). In eval every output equals the dropout=0 module's. Source: the classes' docs
    ("introduces a Dropout layer on the outputs of each ... layer except the last layer").
    """
    cls = RNNS[name]
    m = cls(4, 16, num_layers=layers, dropout=p).to(device, torch.float64)
    ref = cls(4, 16, num_layers=layers, dropout=0.0).to(device, torch.float64)
    ref.load_state_dict(m.state_dict())
    x = data((6, 3, 4), seed, device)
    expected_out, expected_h = ref(x)
    with seeded(device, seed):
        out, h = m.train()(x)
    torch.testing.assert_close(_final_hidden(h)[0], _final_hidden(expected_h)[0], msg=lambda msg: f"{name} in training: first layer's h_n vs dropout=0: {msg}")
    if isinstance(h, tuple):
        torch.testing.assert_close(h[1][0], expected_h[1][0], msg=lambda msg: f"{name} in training: first layer's c_n vs dropout=0: {msg}")
    assert not torch.allclose(_final_hidden(h)[-1], _final_hidden(expected_h)[-1]), f"{name}(dropout={p}) in training: the last layer's h_n equals dropout=0's, but its input should be dropped"
    assert not bool((out == 0).any()), f"{name}(dropout={p}) in training: {int((out == 0).sum())} zeros in the output, but the last layer's output is not dropped"
    with seeded(device, seed):
        out, h = m.eval()(x)
    torch.testing.assert_close(out, expected_out, msg=lambda msg: f"{name}(dropout={p}) in eval vs dropout=0 output: {msg}")
    torch.testing.assert_close(_final_hidden(h), _final_hidden(expected_h), msg=lambda msg: f"{name}(dropout={p}) in eval vs dropout=0 h_n: {msg}")


@pytest.mark.device_independent
@pytest.mark.parametrize("name", list(RNNS))
def test_single_layer_rnn_with_dropout_warns_that_it_drops_nothing(name):
    """nn.RNN/LSTM/GRU(num_layers=1, dropout=p>0) warns UserWarning "non-zero dropout expects num_layers greater than 1": the dropout sits between layers, so one layer never drops, in training either.

    RNN, LSTM and GRU (enumerated); the layer then computes in training what dropout=0 computes.
    Source: torch/nn/modules/rnn.py ``RNNBase.__init__``; checked on 2.0.1, 2.14.1, 2.15.0.
    """
    cls = RNNS[name]
    with warnings_recorded() as caught:
        m = cls(3, 5, num_layers=1, dropout=0.5)
    found = [w for w in caught if "non-zero dropout expects num_layers greater than 1" in str(w.message)]
    assert [w.category for w in found] == [UserWarning], f"{name}(num_layers=1, dropout=0.5) warned {[str(w.message) for w in caught]}, but should warn one UserWarning"
    ref = cls(3, 5, num_layers=1)
    ref.load_state_dict(m.state_dict())
    x = data((4, 2, 3), 0, "cpu", dtype=torch.float32)
    assert_same(m.train()(x)[0], ref(x)[0], f"{name}(num_layers=1, dropout=0.5) in training vs dropout=0")


@budget(6)  # a 4-head attention run 4 times per example: 2 examples under ci
@given(p=st.floats(0.2, 0.8), seed=seeds)
def test_multihead_attention_drops_attention_weights_in_training_only(device, p, seed):
    """nn.MultiheadAttention(dropout=p) in training zeroes each attention weight with probability p and scales the rest by 1/(1-p) (the returned per-head weights show it); in eval it computes what the same weights with dropout=0 compute.

    float64, embed 8 with 4 heads, target and source length 16, batch 4 (4,096 weights: the zero
    count within six sigma of Binomial(4096, p)); the dropout=0 module's softmax weights are the
    oracle for the kept ones. Source: torch.nn.MultiheadAttention's docs (dropout: "Dropout
    probability on attn_output_weights") and torch/nn/functional.py ``multi_head_attention_forward``
    (``if not training: dropout_p = 0.0``).
    """
    m = nn.MultiheadAttention(8, 4, dropout=p).to(device, torch.float64)
    ref = nn.MultiheadAttention(8, 4, dropout=0.0).to(device, torch.float64)
    ref.load_state_dict(m.state_dict())
    q = data((16, 4, 8), seed, device)
    expected_out, expected_w = ref(q, q, q, average_attn_weights=False)
    with seeded(device, seed):
        _, w = m.train()(q, q, q, average_attn_weights=False)
    kept = w != 0
    n, zeros = w.numel(), int((~kept).sum())
    bound = 6 * math.sqrt(n * p * (1 - p)) + 1
    assert abs(zeros - n * p) <= bound, f"MultiheadAttention(dropout={p}) in training zeroed {zeros} of {n} weights, but should zero {n * p:.1f} +- {bound:.1f}"
    torch.testing.assert_close(w[kept], expected_w[kept] / (1 - p), msg=lambda msg: f"MultiheadAttention(dropout={p}) kept weights vs softmax / (1-p): {msg}")
    with seeded(device, seed):
        out, w = m.eval()(q, q, q, average_attn_weights=False)
    torch.testing.assert_close(w, expected_w, msg=lambda msg: f"MultiheadAttention(dropout={p}) in eval: weights vs dropout=0: {msg}")
    torch.testing.assert_close(out, expected_out, msg=lambda msg: f"MultiheadAttention(dropout={p}) in eval: output vs dropout=0: {msg}")


#: BatchNorm classes and an input rank of each, for the SyncBatchNorm claim
SYNC_BNS = {"BatchNorm1d": (nn.BatchNorm1d, 3), "BatchNorm2d": (nn.BatchNorm2d, 4), "BatchNorm3d": (nn.BatchNorm3d, 5)}


def _bn_zoo(device, c, seed, flags_):
    """A Sequential of BatchNorm1d, 2d and 3d (float64, drawn affine parameters and running stats) with the training ``flags_``."""
    model = nn.Sequential(*(cls(c) for cls, _ in SYNC_BNS.values())).to(device, torch.float64)
    for i, (bn, training) in enumerate(zip(model, flags_)):
        with torch.no_grad():
            bn.weight.copy_(data(c, seed + 4 * i, device, shift=1.0))
            bn.bias.copy_(data(c, seed + 4 * i + 1, device))
            bn.running_mean.copy_(data(c, seed + 4 * i + 2, device))
            bn.running_var.copy_(data(c, seed + 4 * i + 3, device).abs() + 0.5)
        bn.train(training)
    return model


@budget(3 * len(SYNC_BNS))
@given(n=st.integers(2, 4), c=st.integers(1, 3), flags_=st.lists(st.booleans(), min_size=3, max_size=3), seed=seeds)
def test_sync_batchnorm_without_a_process_group_computes_as_batchnorm_in_train_and_eval(device, n, c, flags_, seed):
    """Without a process group, a SyncBatchNorm made by nn.SyncBatchNorm.convert_sync_batchnorm computes what its BatchNorm computes, in train and in eval: same outputs, same running-stat updates.

    A Sequential of BatchNorm1d, 2d and 3d with drawn non-trivial running stats and affine
    parameters, float64, converted; then each layer set to a drawn mode (train or eval) on both
    copies, called, and every flag flipped with train()/eval() on the whole model and called again.
    Compared with a deep copy left as BatchNorm: each output and running_mean / running_var /
    num_batches_tracked. Source: torch/nn/modules/batchnorm.py ``SyncBatchNorm.forward`` ("fallback
    to framework BN when synchronization is not necessary"; "Don't sync batchnorm stats in inference
    mode"); checked on 2.0.1, 2.14.1, 2.15.0.
    """
    model = _bn_zoo(device, c, seed, [True] * 3)
    reference = copy.deepcopy(model)
    synced = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    kinds = [type(m).__name__ for m in synced]
    assert kinds == ["SyncBatchNorm"] * 3, f"convert_sync_batchnorm gave {kinds}, but every BatchNorm should become a SyncBatchNorm"
    for sync, bn, training in zip(synced, reference, flags_):
        sync.train(training), bn.train(training)
    xs = [data((n, c, *(2,) * (rank - 2)), seed + 100 + rank, device, scale=2.0) for _, rank in SYNC_BNS.values()]
    for step in ("drawn modes", "flipped"):
        if step == "flipped":
            mode = not flags_[0]
            synced.train(mode), reference.train(mode)
        for name, sync, bn, x in zip(SYNC_BNS, synced, reference, xs):
            what = f"SyncBatchNorm from {name} ({'train' if bn.training else 'eval'}, {step})"
            torch.testing.assert_close(sync(x), bn(x), msg=lambda m: f"{what} output vs {name}: {m}")
            for buf in ("running_mean", "running_var", "num_batches_tracked"):
                torch.testing.assert_close(getattr(sync, buf), getattr(bn, buf), msg=lambda m: f"{what} {buf} vs {name}: {m}")


SYNC_BN_FLAG = (
    "convert_sync_batchnorm copies each BatchNorm's training flag to its SyncBatchNorm from torch 2.2 "
    "(pytorch#111998 'keep sync bn training flag same with converted bn's training flag', merged 2023-10); before, "
    "every new SyncBatchNorm starts in training mode. Checked: all True on 2.0.1 and 2.1.2, the flags kept on 2.2.2, "
    "2.14.1, 2.15.0"
)


@pytest.mark.device_independent
@pytest.mark.torch_version(">=2.2", reason=SYNC_BN_FLAG)
@given(flags_=st.lists(st.booleans(), min_size=3, max_size=3))
def test_convert_sync_batchnorm_keeps_each_training_flag_from_2_2(flags_):
    """From torch 2.2, nn.SyncBatchNorm.convert_sync_batchnorm gives each SyncBatchNorm the training flag of the BatchNorm it replaces (and shares its running stats).

    A Sequential of BatchNorm1d, 2d and 3d with drawn flags.
    """
    model = _bn_zoo("cpu", 2, 0, flags_)
    stats = [bn.running_mean for bn in model]
    synced = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert [m.training for m in synced] == flags_, f"training flags {[m.training for m in synced]} after convert_sync_batchnorm, but should stay {flags_}"
    assert all(s.running_mean is r for s, r in zip(synced, stats)), "convert_sync_batchnorm copied running_mean, but should reuse the BatchNorm's buffer"


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.2", reason=SYNC_BN_FLAG)
def test_convert_sync_batchnorm_leaves_every_sync_batchnorm_in_training_mode_before_2_2():
    """Before torch 2.2, nn.SyncBatchNorm.convert_sync_batchnorm leaves every new SyncBatchNorm in training mode, even where the BatchNorm it replaces was in eval: call eval() after converting."""
    synced = nn.SyncBatchNorm.convert_sync_batchnorm(_bn_zoo("cpu", 2, 0, [False, True, False]))
    assert [m.training for m in synced] == [True] * 3, f"training flags {[m.training for m in synced]} after convert_sync_batchnorm, but should all be True before 2.2"


@pytest.mark.device_independent
@pytest.mark.parametrize("how", ["load_state_dict", "deepcopy", "torch.save/load"])
@given(flags_=st.lists(st.booleans(), min_size=3, max_size=3))
@budget(3)
def test_the_training_flag_is_not_in_the_state_dict_but_travels_with_the_module_object(how, flags_):
    """The training flag is not part of state_dict: load_state_dict leaves every flag of the receiving model as it was; a deep copy or a pickled module (torch.save / torch.load) keeps every flag.

    Ranges over how the model travels (load_state_dict into a fresh model in training mode, deepcopy,
    torch.save/torch.load of the whole module through a buffer) and drawn flags of a Sequential of
    Linear, Dropout and BatchNorm1d. Source: torch.nn.Module.state_dict's docs (parameters and
    persistent buffers only); ``training`` is a plain attribute.
    """
    import io

    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.BatchNorm1d(2))
    for m, training in zip(model, flags_):
        m.train(training)
    model.training = not flags_[0]
    before = flags(model)
    if how == "load_state_dict":
        fresh = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.BatchNorm1d(2))
        state = model.state_dict()
        assert not any("training" in k for k in state), f"state_dict keys {list(state)} mention training"
        fresh.load_state_dict(state)
        assert_all_training(fresh, True)
        return
    if how == "deepcopy":
        moved = copy.deepcopy(model)
    else:
        buf = io.BytesIO()
        torch.save(model, buf)
        buf.seek(0)
        moved = torch.load(buf, weights_only=False) if "weights_only" in torch.load.__code__.co_varnames else torch.load(buf)
    assert flags(moved) == before, f"training flags after {how}: {flags(moved)}, but should stay {before}"
