"""torch.nn modules vs torch.nn.functional: the same maths, different owners of state.

``torch.nn.functional`` (``F``) holds stateless functions: ``F.linear(x, weight, bias)``,
``F.conv2d(x, weight, bias, stride, padding, dilation, groups)``, ``F.relu(x)``,
``F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)``,
``F.dropout(x, p, training)``. Everything they use is passed in by the caller.

A ``torch.nn`` module (``nn.Linear``, ``nn.Conv2d``, ``nn.ReLU``, ``nn.BatchNorm2d``, ``nn.Dropout``
...) *owns* that state -- parameters and buffers, registered so that ``parameters()``,
``state_dict()`` and ``.to(device)`` see them -- plus its ``training`` flag, and its ``forward``
simply calls the functional with them. So a module's output equals the functional call made with
the module's own parameters, hyper-parameters and ``training=module.training``. Module == functional
alone proves little (the module *is* a call of the functional), so the equality specs also check
the functional against the maths written out in float64 numpy: ``x @ W.T + b`` for linear, the
convolution sum with its stride / padding / dilation / groups for conv2d, and the batch-norm formula
(biased batch variance to normalize, unbiased to update ``running_var``). On cuda both sides run with
cuDNN deterministic, no benchmarking and TF32 off, so they agree exactly and match float32 maths.

The pitfall is the ``training`` argument when you call a functional inside your own module:
``F.dropout(x, p)`` defaults to ``training=True`` and keeps dropping after ``model.eval()`` unless
you pass ``training=self.training``; ``F.batch_norm`` defaults to ``training=False`` and uses the
running statistics you pass.

What the source note (section 8, "torch.nn.xxx 与 torch.nn.functional.xxx") gets right: a
``torch.nn`` module "calls torch.nn.functional underneath" and, unlike the functional, "holds the
layer's parameters and copes with the training and test states", so with the functional you must
pass ``training=self.training`` yourself.

Where it is wrong: it recommends "using torch.nn.xxx modules throughout" because
"torch.functional.xxx 可能会在下一个版本中去掉" ("torch.functional.xxx may be removed in the next
version"). Neither namespace it may mean is going away:

* ``torch.nn.functional`` is a documented, supported API that the modules themselves call; the
  functions they call (``linear``, ``conv2d``, ``relu``, ``batch_norm``, ``dropout``) raise no
  deprecation warning, and the namespace itself never was deprecated. A few legacy *spellings*
  inside it do warn -- ``F.upsample`` / ``upsample_nearest`` / ``upsample_bilinear`` (use
  ``F.interpolate``), the ``size_average=`` / ``reduce=`` arguments of the losses (use
  ``reduction=``) and ``softmax`` / ``log_softmax`` / ``softmin`` without ``dim`` -- each with a
  ``UserWarning`` (not a DeprecationWarning, so it is shown by default) on every release checked
  (2.1, 2.9, 2.14, 2.15; the claim is ``test_deprecated_nn_functional_idioms_warn_user_warning_and_equal_their_replacement``
  below). (From 0.4.1 (pytorch#8748) through the 1.x releases the aliases ``F.sigmoid`` /
  ``F.tanh`` warned in favour of ``torch.sigmoid`` / ``torch.tanh``; from 2.0 on they do not.)
* ``torch.functional`` -- literally what the note wrote -- is a different module
  (``torch/functional.py``), not an alias of ``torch.nn.functional``: it holds tensor functions
  such as ``einsum``, ``meshgrid``, ``split``, ``broadcast_tensors``, ``tensordot``,
  ``cartesian_prod``, ``block_diag``, ``atleast_2d``, ``unique``, ``stft`` and ``norm``, which
  ``torch/__init__.py`` re-exports with ``from torch.functional import *``: ``torch.einsum`` *is*
  ``torch.functional.einsum``, and the docs list them as ``torch.einsum`` etc. Deprecation there is
  per function, never of the module: the docstrings of ``norm`` (use ``torch.linalg.vector_norm`` /
  ``matrix_norm``), ``chain_matmul`` (use ``torch.linalg.multi_dot``) and ``lu`` (use
  ``torch.linalg.lu_factor``) say they are deprecated and may be removed in a future release;
  ``stft`` deprecates only ``return_complex=False``. The one name dropped between 2.0 and
  2.15 is ``align_tensors``, a stub that only raised "not yet implemented" (listed up to 2.9, gone
  by 2.13).

The functional dropouts do not agree on their own default: ``F.dropout``/``dropout1d``/``2d``/``3d``
default to ``training=True`` (a bare call drops, even inside an ``eval()`` module), while
``F.alpha_dropout`` and ``F.feature_alpha_dropout`` default to ``training=False`` (a bare call never
drops).

Same name, different defaults or state elsewhere too (each a claim below): ``nn.Flatten()`` starts at
dim 1 and keeps the batch, ``torch.flatten(x)`` at dim 0; softmax without ``dim`` picks dim 0 for a
3-D x; only ``nn.Embedding`` zeroes its ``padding_idx`` row (once, at construction) -- the functional
just withholds that row's gradient; ``nn.CrossEntropyLoss`` holds its class ``weight`` as a buffer
and its 'mean' divides by the summed weights of class-index targets but by the count for
probability targets; an (N, 1) prediction against an (N,) target broadcasts to N x N pairs in every
elementwise regression loss; ``torch.func.functional_call`` runs a module's forward on tensors you
pass, leaving its own untouched; buffers registered with ``persistent=False`` follow the module but
stay out of its ``state_dict``. ``nn.RMSNorm`` / ``F.rms_norm`` exist from 2.4, ``nn.Buffer`` from 2.5.
"""

from __future__ import annotations

import inspect
import itertools
import math
import re
import warnings
from unittest import mock

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

import numpy as np
from specs.differential import Call, assert_compiles_like_eager, compile_tolerance
from specs.helpers import assert_device, assert_same, data, exact_kernels, raises, seeded, warn_always, warnings_recorded
from specs.inputs import (
    BATCHNORM_INPUTS, FLOATING, STRIDED, batchnorm_input, batchnorm_input_params, batchnorm_sizes, budget,
    compile_budget, dtype_params, layout_shapes, relayout, tensor_values,
)

# --------------------------------------------------------------------------- private helpers


#: Tolerances of a float32 / float64 result against the same maths done in float64 numpy.
TOL = {torch.float32: {"rtol": 1e-4, "atol": 1e-4}, torch.float64: {"rtol": 1e-10, "atol": 1e-10},
       # half precisions: the output rounded once (eps 2**-11, 2**-8) plus the rounding of partial sums of
       # at most 8 products of values up to ~4 (a few eps of the sum's magnitude)
       torch.float16: {"rtol": 1e-2, "atol": 2e-2}, torch.bfloat16: {"rtol": 4e-2, "atol": 1.5e-1}}


def np64(t):
    """A float64 numpy copy of ``t`` (for a float64 cpu tensor, .double().numpy() would share its memory)."""
    return None if t is None else t.detach().cpu().double().numpy().copy()


def assert_maths(actual, expected: np.ndarray, what: str):
    """``actual`` equals the float64 numpy ``expected`` within its dtype's tolerance."""
    __tracebackhide__ = True
    exp = torch.from_numpy(np.asarray(expected, dtype=np.float64))
    torch.testing.assert_close(actual.detach().cpu().double(), exp, **TOL[actual.dtype], msg=lambda m: f"{what}: {m}")


def linear_by_sums(x, w, b):
    """x @ W.T + b: out[..., o] = sum_i x[..., i] * W[o, i] + b[o], in float64."""
    out = np.einsum("...i,oi->...o", x, w)
    return out if b is None else out + b


def pair(v) -> tuple:
    """A conv hyper-parameter as (height, width): an int means the same for both."""
    return (v, v) if isinstance(v, int) else tuple(v)


def conv2d_by_sums(x, w, b, stride, padding, dilation, groups):
    """The convolution sum written out (float64): out[n, o, y, z] = b[o] + sum over the input
    channels c of o's group and kernel taps (i, j) of w[o, c, i, j] * xpad[n, g*cin + c,
    y*stride_h + i*dilation_h, z*stride_w + j*dilation_w], each hyper-parameter an int or an
    (H, W) pair; a 3-D x is one unbatched (C, H, W) sample."""
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    n, _, h, wd = x.shape
    cout_total, cin, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, cout_total, ho, wo))
    cout = cout_total // groups
    for o in range(cout_total):
        g = o // cout
        for c in range(cin):
            for i in range(kh):
                for j in range(kw):
                    y0, z0 = i * dh, j * dw
                    patch = xp[:, g * cin + c, y0 : y0 + sh * (ho - 1) + 1 : sh, z0 : z0 + sw * (wo - 1) + 1 : sw]
                    out[:, o] += w[o, c, i, j] * patch
        if b is not None:
            out[:, o] += b[o]
    return out[0] if unbatched else out


def batch_norm_by_formula(x, running_mean, running_var, weight, bias, training, factor, eps):
    """(output, new running_mean, new running_var) of batch norm in float64 numpy, channels on axis 1:
    training normalizes with the batch mean and biased variance and moves the running stats by
    ``factor`` towards the batch mean and the unbiased variance; eval normalizes with the running stats."""
    axes = tuple(d for d in range(x.ndim) if d != 1)
    ch = tuple(slice(None) if d == 1 else None for d in range(x.ndim))
    if training:
        count = x.size // x.shape[1]
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        running_mean = (1 - factor) * running_mean + factor * mean
        running_var = (1 - factor) * running_var + factor * var * count / (count - 1)
    else:
        mean, var = running_mean, running_var
    return (x - mean[ch]) / np.sqrt(var[ch] + eps) * weight[ch] + bias[ch], running_mean, running_var


seeds = st.integers(0, 2**32 - 1)
#: 0-d, empty and small shapes (relu's contiguous case)
shapes_0d = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
#: the module-vs-maths claims run in float32 and float64: the maths is done in float64 numpy, and the
#: half precisions' tolerance against it depends on each kernel's accumulation type (out of scope)
DTYPES = dtype_params((torch.float32, torch.float64))
ps = st.floats(0.0, 1.0)
momenta = st.floats(0.0, 1.0)
# Bounded sizes: features and channels up to 8, spatial sides up to 9 -- every stride/padding/
# dilation/groups combination below fits, and each call takes microseconds.
feats = st.integers(1, 8)


# --------------------------------------------------------------------------- module == functional


#: Linear input layouts: contiguous (any rank, 1-D and empty batches included), transposed and step-sliced
LINEAR_LAYOUTS = ("contiguous", "transposed", "step_sliced")


#: float32 and float64 x every layout, with a bias except in one case (without); float16 and bfloat16 (a
#: half-precision kernel of their own) in one layout each
LINEAR_CASES = [
    pytest.param(d, layout, not (d == torch.float32 and layout == "step_sliced"),
                 id=f"{str(d)[6:]}-{layout}" + ("" if not (d == torch.float32 and layout == "step_sliced") else "-no_bias"))
    for d in (torch.float32, torch.float64) for layout in LINEAR_LAYOUTS
] + [
    pytest.param(torch.float16, "transposed", True, id="float16-transposed", marks=pytest.mark.torch_version(
        ">=2.2", reason="no cpu float16 kernel for addmm (nn.Linear) before torch 2.2 ('addmm_impl_cpu_' not implemented "
        "for 'Half'; checked: RuntimeError on 2.0.1, works on 2.2.2 and later)")),
    pytest.param(torch.bfloat16, "contiguous", True, id="bfloat16-contiguous"),
]


@pytest.mark.parametrize("dtype, layout, bias", LINEAR_CASES)
@budget(len(LINEAR_CASES))
@given(inp=feats, out=feats, sides=st.tuples(st.integers(1, 3), st.integers(1, 3)), seed=seeds)
def test_linear_equals_f_linear_with_its_parameters(device, dtype, layout, bias, inp, out, sides, seed):
    """nn.Linear(x) equals F.linear(x, m.weight, m.bias), and both compute x @ W.T + b.

    float32 and float64 (and float16, bfloat16: their result in their own dtype, within two roundings
    and the partial sums' of the maths); in every example x with 0, 1 and 2 batch dims (a single 1-D sample) of
    drawn sides and an empty batch (a, 0), contiguous, transposed (column-major; 2-D and more, the
    two transposed sides >= 2 so the layout is real) and step-sliced; with a bias (and without, in one
    case).
    """
    a, b = sides
    if layout == "transposed":  # a side of 1 would leave a transposed x contiguous
        a, b, inp = max(a, 2), max(b, 2), max(inp, 2)
    batches = [(), (a,), (a, b), (a, 0)]
    m = nn.Linear(inp, out, bias=bias, device=device, dtype=dtype)
    for batch in batches[1:] if layout == "transposed" else batches:  # transposed needs a batch dim
        x = relayout(data((*batch, inp), seed + len(batch), device, dtype, scale=2.0), layout)
        with exact_kernels():
            out_module, out_functional = m(x), F.linear(x, m.weight, m.bias)
        assert_same(out_module, out_functional, f"nn.Linear(x) vs F.linear(x, m.weight, m.bias) on x of shape {tuple(x.shape)}")
        assert_maths(out_functional, linear_by_sums(np64(x), np64(m.weight), np64(m.bias)),
                     f"F.linear(x, W, b) on a {layout} x of shape {tuple(x.shape)} vs x @ W.T + b in float64")


def _two_distinct(lo, hi):
    """(a, b) with a != b, both in [lo, hi], in either order."""
    return st.integers(lo, hi - 1).flatmap(lambda a: st.integers(a + 1, hi).flatmap(lambda b: st.sampled_from([(a, b), (b, a)])))


#: how the conv hyper-parameters are given: one int each (square kernel, symmetric stride / padding /
#: dilation), or (H, W) tuples that differ in H and W for every one of them (kernel, stride, padding, dilation)
CONV_HPARAMS = {
    "int": st.fixed_dictionaries({"kernel_size": st.integers(1, 3), "stride": st.integers(1, 2), "padding": st.integers(0, 2), "dilation": st.integers(1, 2)}),
    "asymmetric_tuple": st.fixed_dictionaries({"kernel_size": _two_distinct(1, 3), "stride": _two_distinct(1, 2), "padding": _two_distinct(0, 2), "dilation": _two_distinct(1, 2)}),
}
#: checked in every example of each form besides the drawn set: stride 2 with padding > 0 and a dilation of 2
#: on a kernel of 3 in H (each tuple still differs in H and W), so every run meets a strided, padded and
#: dilated convolution at every groups value
CONV_FIXED_HPARAMS = {
    "int": {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2},
    "asymmetric_tuple": {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 0), "dilation": (2, 1)},
}
#: conv inputs: batched (N, C, H, W) contiguous / channels_last / step-sliced, unbatched (C, H, W) contiguous / transposed
CONV_INPUTS = {
    "batched": (4, "contiguous"),
    "batched-channels_last": (4, "channels_last"),
    "batched-step_sliced": (4, "step_sliced"),
    "unbatched": (3, "contiguous"),
    "unbatched-transposed": (3, "transposed"),
}
#: every hyper-parameter form x every input, float32 and float64 alternately (each pair of form and dtype occurs)
CONV_CASES = [
    pytest.param(hp, inp, dtype, i % 4 != 3, id=f"{hp}-{inp}-{str(dtype)[6:]}" + ("-no_bias" if i % 4 == 3 else ""))
    for i, (hp, inp) in enumerate((hp, inp) for hp in CONV_HPARAMS for inp in CONV_INPUTS)
    for dtype in [(torch.float32, torch.float64)[i % 2]]
]


@pytest.mark.parametrize("hp, inp, dtype, bias", CONV_CASES)
@budget(len(CONV_CASES), floor=1)
@given(hyp=st.data(), cin=st.integers(1, 2), cout=st.integers(1, 2), h=st.integers(6, 9), w=st.integers(6, 9), seed=seeds)
def test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters(device, hp, inp, dtype, bias, hyp, cin, cout, h, w, seed):
    """nn.Conv2d(x) equals F.conv2d(x, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups), and both compute the convolution sum with that stride, padding, dilation and groups.

    Hyper-parameters given as ints (square kernel, symmetric) or as (H, W) tuples that differ in H
    and W for each of kernel, stride, padding and dilation -- in every example a drawn set and a fixed
    strided, padded and dilated one (stride 2 with padding 1, dilation 2 on a kernel of 3 in H), each
    at every groups value 1, 2 and 3; inputs batched (N, C, H, W)
    -- contiguous, channels_last, step-sliced -- and unbatched (C, H, W) -- contiguous, transposed --
    of height and width 6..9 drawn independently; float32 and float64 (module and input of the same
    dtype); with a bias (without in two cases); the sum is done in float64 numpy.
    """
    rank, layout = CONV_INPUTS[inp]
    for hps in (hyp.draw(CONV_HPARAMS[hp]), CONV_FIXED_HPARAMS[hp]):
        for groups in (1, 2, 3):  # every groups value in every example: a one-groups regression is caught on every run
            m = nn.Conv2d(groups * cin, groups * cout, **hps, groups=groups, bias=bias, device=device, dtype=dtype)
            x = relayout(data((2, groups * cin, h, w)[4 - rank :], seed + groups, device, dtype, scale=2.0), layout)
            with exact_kernels():
                out_module = m(x)
                expected = F.conv2d(x, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups)
            assert_same(out_module, expected, "nn.Conv2d(x) vs F.conv2d(x, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups)")
            by_sums = conv2d_by_sums(np64(x), np64(m.weight), np64(m.bias), hps["stride"], hps["padding"], hps["dilation"], groups)
            assert_maths(expected, by_sums, f"F.conv2d(kernel_size={hps['kernel_size']}, stride={hps['stride']}, padding={hps['padding']}, dilation={hps['dilation']}, groups={groups}) on a {inp} x vs the convolution sum")


#: torch 2.0 has no cpu float16 kernel for relu (RuntimeError: "clamp_min_scalar_cpu" not implemented
#: for 'Half'); checked: it raises on 2.0.1 and works from 2.1.2 on (every minor release 2.1-2.15).
RELU_FLOAT16 = pytest.mark.torch_version(">=2.1", reason="no cpu float16 relu (clamp_min) kernel in 2.0; checked 2.0.1 raises, 2.1.2-2.15 work")
#: every floating dtype x both forms (out of place, inplace=True), each case with one strided layout so
#: that every layout meets both forms
RELU_CASES = [
    pytest.param(d.values[0], form, STRIDED[(i + i // 4) % 4], id=f"{d.id}-{form}-{STRIDED[(i + i // 4) % 4]}", marks=d.marks)
    for i, (d, form) in enumerate((d, form) for d in dtype_params(FLOATING, marks={torch.float16: RELU_FLOAT16}) for form in ("out_of_place", "inplace"))
]


#: NaN, +-inf, +-0, a subnormal, the largest finite value and ordinary values, checked in every case
RELU_SPECIALS = [[float("nan"), -float("inf"), float("inf"), -0.0], [0.0, -1.5, 2.5, 1e-40], [-3e38, 3e38, -1e-40, 7.0]]


def _relu_case(a, b, v, dtype, inplace, layout, what):
    __tracebackhide__ = True
    by_maths = torch.from_numpy(np.where(np.isnan(v) | (v > 0), v, 0.0)).to(a.device, dtype)
    out_module, out_functional = nn.ReLU(inplace=inplace)(a), F.relu(b, inplace=inplace)
    assert_same(out_module, out_functional, f"nn.ReLU(inplace={inplace})(x) vs F.relu(x, inplace={inplace}) ({what})")
    assert_same(out_functional, by_maths, f"F.relu(x, inplace={inplace}) on {dtype} ({layout}, {what}) vs max(x, 0)")
    assert_same(a, b, f"x after nn.ReLU(inplace={inplace}) vs x after F.relu ({what})")
    if inplace:
        assert out_module is a and out_functional is b, (
            f"inplace=True returned a new tensor ({what}): nn.ReLU result is x: {out_module is a}, F.relu result is x: {out_functional is b}"
        )


@pytest.mark.parametrize("dtype, form, layout", RELU_CASES)
@budget(len(RELU_CASES))
@given(hyp=st.data())
def test_relu_equals_f_relu(device, dtype, form, layout, hyp):
    """nn.ReLU(x) equals F.relu(x) and max(x, 0) (NaN stays NaN); with inplace=True both write the result into x and return x itself.

    For every floating dtype (float16 from torch 2.1, bfloat16, float32, float64), both forms
    (``inplace=False`` and ``inplace=True``), x contiguous (0-d and empty included), transposed,
    step-sliced or at a storage offset (sides >= 2, so the layout is real), drawn values incl. the
    dtype's extremes, and in every case a fixed x of NaN, +-inf, +-0, subnormals and the extremes.
    """
    inplace = form == "inplace"
    v, t = hyp.draw(tensor_values(dtype, layout_shapes(layout, min_side=2) if layout != "contiguous" else shapes_0d))
    specials = torch.tensor(RELU_SPECIALS, dtype=dtype)  # rounded to the dtype: +-inf beyond its range
    for what, values, tensor in (("drawn x", v, t), ("special values", specials.double().numpy(), specials)):
        a, b = relayout(tensor.to(device), layout), relayout(tensor.to(device), layout)
        _relu_case(a, b, np.asarray(values, dtype=np.float64), dtype, inplace, layout, what)


#: every BatchNorm input (class x rank x memory format) in training and in eval, float32 and float64 alternately
BN_CASES = [
    pytest.param(k.values[0], training, dtype, id=f"{k.id}-{'train' if training else 'eval'}-{str(dtype)[6:]}")
    for i, (k, training) in enumerate((k, t) for t in (True, False) for k in batchnorm_input_params())
    for dtype in [(torch.float32, torch.float64)[(i + i // 8) % 2]]
]


@pytest.mark.parametrize("kind, training, dtype", BN_CASES)
@budget(len(BN_CASES))
@given(hyp=st.data(), momentum=st.none() | momenta, tracked=st.integers(0, 5))
def test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag(device, kind, training, dtype, hyp, momentum, tracked):
    """nn.BatchNorm(x) equals F.batch_norm(x, running_mean, running_var, weight, bias, training=m.training, momentum, eps), buffer updates included, and both follow the batch-norm formula.

    The formula: in training, ``(x - mean) / sqrt(var + eps) * weight + bias`` with the batch's
    per-channel mean and biased variance, and the running stats move by ``momentum`` towards the
    batch mean and the *unbiased* batch variance; ``momentum=None`` passes ``1 / num_batches_tracked``
    (after counting this batch) to F.batch_norm -- a cumulative average; in eval, the running stats
    normalize and stay put, and num_batches_tracked counts training batches only. Over every
    BatchNorm class, input rank and memory format (BatchNorm1d (N, C) and (N, C, L), BatchNorm2d
    incl. channels_last, BatchNorm3d incl. channels_last_3d), momentum None or in [0, 1], 0..5
    batches tracked before, float32 and float64; the formula is done in float64 numpy.
    """
    n, c, sides = hyp.draw(batchnorm_sizes(kind, max_batch=5))
    seed = hyp.draw(seeds)
    m = BATCHNORM_INPUTS[kind][0](c, momentum=momentum, device=device, dtype=dtype).train(training)
    with torch.no_grad():
        m.weight.uniform_(0.5, 1.5), m.bias.uniform_(-1, 1)
        m.running_mean.uniform_(-1, 1), m.running_var.uniform_(0.5, 2)
        m.num_batches_tracked.fill_(tracked)
    rm, rv = m.running_mean.clone(), m.running_var.clone()
    rm0, rv0, w, b = np64(rm), np64(rv), np64(m.weight), np64(m.bias)
    factor = (1.0 / (tracked + 1) if momentum is None else momentum) if training else 0.0
    x = batchnorm_input(kind, data((n, c, *sides), seed, device, dtype, scale=2.0))
    with exact_kernels():
        out_module = m(x)
        expected = F.batch_norm(x, rm, rv, m.weight, m.bias, training=m.training, momentum=factor, eps=m.eps)
    mode = "train" if training else "eval"
    assert_same(out_module, expected, f"nn.BatchNorm{kind}(x) in {mode} mode vs F.batch_norm(x, ...)")
    assert_same(m.running_mean, rm, "m.running_mean vs the running_mean F.batch_norm updated")
    assert_same(m.running_var, rv, "m.running_var vs the running_var F.batch_norm updated")
    assert int(m.num_batches_tracked) == tracked + training, (
        f"num_batches_tracked={int(m.num_batches_tracked)} after a {mode} call from {tracked}, but should be {tracked + training}"
    )
    formula, want_rm, want_rv = batch_norm_by_formula(np64(x), rm0, rv0, w, b, training, factor, m.eps)
    assert_maths(expected, formula, f"F.batch_norm(x, ...) on BatchNorm{kind} input in {mode} mode vs (x - mean) / sqrt(var + eps) * weight + bias")
    assert_maths(rm, want_rm, f"running_mean after {mode} vs (1 - momentum) * running_mean + momentum * batch mean")
    assert_maths(rv, want_rv, f"running_var after {mode} vs (1 - momentum) * running_var + momentum * unbiased batch var")


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@given(p=ps, shape=st.sampled_from([(5,), (4, 6), (2, 3, 5)]), seed=seeds)
@example(p=0.5, shape=(4, 6), seed=0)
def test_dropout_equals_f_dropout_with_its_p_and_training_flag(device, training, p, shape, seed):
    """nn.Dropout(p)(x) equals F.dropout(x, p, training=m.training) under the same seed."""
    m = nn.Dropout(p).train(training)
    x = data(shape, seed, device, torch.float32, scale=2.0)
    with seeded(device, seed):
        out = m(x)
    with seeded(device, seed):
        expected = F.dropout(x, p, training=m.training)
    assert_same(out, expected, f"nn.Dropout(p={p}).train({training})(x) vs F.dropout(x, p, training={training})")


# --------------------------------------------------------------------------- who owns state

OWNED = {
    "Linear": (lambda: nn.Linear(3, 2), {"weight", "bias"}, set()),
    "Conv2d": (lambda: nn.Conv2d(2, 4, 3), {"weight", "bias"}, set()),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(3), {"weight", "bias"}, {"running_mean", "running_var", "num_batches_tracked"}),
}


@pytest.mark.parametrize("dtype", dtype_params(FLOATING))
@pytest.mark.parametrize("name", list(OWNED))
def test_modules_own_their_parameters_and_buffers_and_functionals_hold_none(device, name, dtype):
    """A module's parameters and buffers appear in parameters() and state_dict() and follow .to(device, dtype).

    Linear, Conv2d and BatchNorm2d, moved to every floating dtype.

    The functional counterpart holds none of this: it takes every tensor as an argument (the
    equality specs above pass the module's own parameters and buffers to it).
    """
    make, params, bufs = OWNED[name]
    m = make().to(device, dtype)
    assert {n for n, _ in m.named_parameters()} == params, f"{name} parameters: {sorted(n for n, _ in m.named_parameters())}, but should be {sorted(params)}"
    assert {n for n, _ in m.named_buffers()} == bufs, f"{name} buffers: {sorted(n for n, _ in m.named_buffers())}, but should be {sorted(bufs)}"
    assert set(m.state_dict()) == params | bufs, f"{name} state_dict keys: {sorted(m.state_dict())}, but should be {sorted(params | bufs)}"
    for n, t in [*m.named_parameters(), *m.named_buffers()]:
        want = torch.int64 if n == "num_batches_tracked" else dtype  # .to(dtype) only converts floating tensors
        assert t.device.type == device.type and t.dtype == want, f"{name}.{n} is {t.dtype} on {t.device} after .to({device}, {dtype}), but should be {want} on {device}"


@given(p=st.floats(0.2, 0.8), seed=seeds)
def test_f_dropout_defaults_to_training_true_and_keeps_dropping_after_eval(device, p, seed):
    """F.dropout(x, p) defaults to training=True, so inside a module it keeps dropping after eval() unless you pass training=self.training."""

    class Naive(nn.Module):
        def forward(self, x):
            return F.dropout(x, p)

    class Correct(nn.Module):
        def forward(self, x):
            return F.dropout(x, p, training=self.training)

    assert inspect.signature(F.dropout).parameters["training"].default is True, f"F.dropout signature {inspect.signature(F.dropout)}: training should default to True"
    x = torch.rand(256, device=device) + 1.0
    with seeded(device, seed):
        naive = Naive().eval()(x)
    assert (naive == 0).any() and not torch.equal(naive, x), f"F.dropout(x, {p}) inside an eval() module zeroed nothing: {naive.tolist()[:8]}..."
    assert_same(Correct().eval()(x), x, "F.dropout(x, p, training=self.training) inside an eval() module")


#: the functional dropouts: name -> (the default of `training` in their signature, an input shape they take)
F_DROPOUTS = {
    "dropout": (True, (8, 16, 8)),
    "dropout1d": (True, (8, 16, 8)),
    "dropout2d": (True, (8, 16, 4, 4)),
    "dropout3d": (True, (8, 16, 2, 2, 2)),
    "alpha_dropout": (False, (8, 16, 8)),
    "feature_alpha_dropout": (False, (8, 16, 4, 4)),
}


@pytest.mark.parametrize("name", list(F_DROPOUTS))
@given(p=st.floats(0.2, 0.8), seed=seeds)
@budget(len(F_DROPOUTS))
def test_functional_dropouts_default_to_training_true_but_the_alpha_ones_to_false(device, name, p, seed):
    """F.dropout, dropout1d, dropout2d and dropout3d default to training=True (called bare they drop), while F.alpha_dropout and F.feature_alpha_dropout default to training=False (called bare they return the input unchanged).

    Ranges over the six functional dropouts (enumerated; the docs' signatures) and drawn rates and
    seeds, on inputs of the ranks each takes. The opposite defaults are a trap in both directions: a
    bare ``F.dropout`` keeps dropping after ``eval()`` (the spec above), a bare ``F.alpha_dropout``
    never drops, even in training.
    """
    training, shape = F_DROPOUTS[name]
    fn = getattr(F, name)
    assert inspect.signature(fn).parameters["training"].default is training, (
        f"F.{name}{inspect.signature(fn)}: training should default to {training}"
    )
    x = torch.rand(shape, device=device) + 1.0
    with seeded(device, seed):
        out = fn(x, p)
    if training:
        assert not torch.equal(out, x), f"F.{name}(x, {p}) called bare left x unchanged, but should drop (training defaults to True)"
    else:
        assert_same(out, x, f"F.{name}(x, {p}) called bare (training defaults to False)")


@given(n=st.integers(2, 5), c=st.integers(1, 4), seed=seeds)
def test_f_batch_norm_defaults_to_training_false_and_uses_the_running_stats(device, n, c, seed):
    """F.batch_norm(x, running_mean, running_var) defaults to training=False: it normalizes with the given running stats and leaves them unchanged."""
    x = data((n, c, 4), seed, device, torch.float64, scale=2.0)
    rm, rv = data(c, seed + 1, device, scale=2.0), data(c, seed + 2, device, scale=2.0).abs() + 0.5
    before = rm.clone(), rv.clone()
    out = F.batch_norm(x, rm, rv)
    expected = (x - rm[:, None]) / torch.sqrt(rv[:, None] + 1e-5)
    torch.testing.assert_close(out, expected, msg=lambda m: f"F.batch_norm(x, rm, rv) vs (x - rm) / sqrt(rv + 1e-5): {m}")
    assert_same(rm, before[0], "rm after F.batch_norm(x, rm, rv)")
    assert_same(rv, before[1], "rv after F.batch_norm(x, rm, rv)")


# --------------------------------------------------------------------------- modules call F


SPIED = {
    "Linear": (lambda d: nn.Linear(4, 3, device=d), "linear", (5, 4), lambda m: {}),
    "Conv2d": (lambda d: nn.Conv2d(2, 3, 3, padding=1, device=d), "conv2d", (1, 2, 5, 5), lambda m: {}),
    "ReLU": (lambda d: nn.ReLU(), "relu", (6,), lambda m: {}),
    "BatchNorm1d": (lambda d: nn.BatchNorm1d(4, device=d), "batch_norm", (3, 4), lambda m: {"training": m.training}),
    "Dropout": (lambda d: nn.Dropout(0.3), "dropout", (8,), lambda m: {"training": m.training}),
}


def call_arg(call, index: int, name: str):
    """Argument ``name`` of a recorded call, whether it was passed by position or keyword."""
    args, kwargs = call
    return kwargs[name] if name in kwargs else args[index]


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name", list(SPIED))
def test_modules_call_torch_nn_functional_underneath(device, name, training):
    """Each module's forward calls its torch.nn.functional counterpart on its input, passing training=self.training where the functional takes it."""
    make, fname, shape, expect = SPIED[name]
    m = make(device).train(training)
    x = torch.randn(shape, device=device)
    with mock.patch.object(F, fname, wraps=getattr(F, fname)) as spy:
        m(x)
    # The first recorded call is the module's own; a torch-function mode (e.g. the one
    # torch.set_default_device installs) re-dispatches through F and may record it again.
    assert spy.called, f"F.{fname} was never called"
    first = spy.call_args_list[0]
    assert call_arg(first, 0, "input") is x, f"F.{fname} was not called on the input"
    index = {"batch_norm": 5, "dropout": 2}.get(fname)
    for key, value in expect(m).items():
        got = call_arg(first, index, key)
        assert got == value, f"F.{fname} got {key}={got}, but should be {value}"


FUNCTIONAL_CALLS = {
    "linear": lambda x: F.linear(x, torch.ones(3, x.shape[-1], device=x.device)),
    "conv2d": lambda x: F.conv2d(x.reshape(1, 1, 2, -1), torch.ones(1, 1, 1, 1, device=x.device)),
    "relu": lambda x: F.relu(x),
    "batch_norm": lambda x: F.batch_norm(x.reshape(2, -1), None, None, training=True),
    "dropout": lambda x: F.dropout(x, 0.5),
}


@pytest.mark.parametrize("fname", list(FUNCTIONAL_CALLS))
def test_torch_nn_functional_is_a_documented_supported_api(device, fname):
    """torch.nn.functional's linear/conv2d/relu/batch_norm/dropout are documented and raise no deprecation warning."""
    fn = getattr(torch.nn.functional, fname)
    assert (fn.__doc__ or "").strip(), f"F.{fname} has no documentation"
    x = torch.randn(6, device=device)
    with warnings_recorded() as caught:
        FUNCTIONAL_CALLS[fname](x)
    deprecations = [
        str(w.message) for w in caught
        if issubclass(w.category, (DeprecationWarning, FutureWarning, PendingDeprecationWarning))
        or "deprecat" in str(w.message).lower() or "removed" in str(w.message).lower()
    ]
    assert not deprecations, f"F.{fname} warned {deprecations}"


# --------------------------------------------------------------------------- torch.functional is another module

#: name -> (call on torch tensors, numpy oracle): integer-valued floats keep every product and sum exact.
#: ``A`` is m x k, ``B`` k x n, ``v`` has m elements, ``w`` n elements; ``size`` is the split size.
TORCH_FUNCTIONAL = {
    "einsum": (lambda f, A, B, v, w, size, ix: f("ij,jk->ik", A, B), lambda A, B, v, w, size, ix: A @ B),
    "tensordot": (lambda f, A, B, v, w, size, ix: f(A, B, dims=1), lambda A, B, v, w, size, ix: np.tensordot(A, B, axes=1)),
    "meshgrid": (
        lambda f, A, B, v, w, size, ix: f(v, w, indexing=ix),
        lambda A, B, v, w, size, ix: np.meshgrid(v, w, indexing=ix),
    ),
    "split": (
        lambda f, A, B, v, w, size, ix: f(v, size),
        lambda A, B, v, w, size, ix: [v[i : i + size] for i in range(0, len(v), size)],
    ),
    "broadcast_tensors": (
        lambda f, A, B, v, w, size, ix: f(v[:, None], w[None, :]),
        lambda A, B, v, w, size, ix: np.broadcast_arrays(v[:, None], w[None, :]),
    ),
    "cartesian_prod": (
        lambda f, A, B, v, w, size, ix: f(v, w),
        lambda A, B, v, w, size, ix: np.array(list(itertools.product(v, w))).reshape(len(v) * len(w), 2),
    ),
    "block_diag": (lambda f, A, B, v, w, size, ix: f(A, B), lambda A, B, v, w, size, ix: _block_diag(A, B)),
    "atleast_2d": (lambda f, A, B, v, w, size, ix: f(v), lambda A, B, v, w, size, ix: v.reshape(1, -1)),
    "unique": (lambda f, A, B, v, w, size, ix: f(v, sorted=True), lambda A, B, v, w, size, ix: np.unique(v)),
}


def _block_diag(*blocks):
    """The block-diagonal matrix of ``blocks``, by index arithmetic."""
    out = np.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)), dtype=blocks[0].dtype)
    r = c = 0
    for b in blocks:
        out[r : r + b.shape[0], c : c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    return out


def _deprecation_warnings(caught):
    return [
        f"{w.category.__name__}: {w.message}" for w in caught
        if issubclass(w.category, (DeprecationWarning, FutureWarning, PendingDeprecationWarning))
        or "deprecat" in str(w.message).lower() or "removed" in str(w.message).lower()
    ]


@given(
    m=st.integers(1, 4), k=st.integers(1, 4), n=st.integers(1, 4), size=st.integers(1, 5),
    indexing=st.sampled_from(["ij", "xy"]), dtype=st.sampled_from([np.float32, np.float64]), seed=seeds,
)
@example(m=2, k=3, n=4, size=1, indexing="xy", dtype=np.float64, seed=0)
@example(m=4, k=1, n=3, size=3, indexing="ij", dtype=np.float32, seed=1)
def test_torch_functional_is_a_separate_module_of_torch_functions_not_deprecated(device, m, k, n, size, indexing, dtype, seed):
    """torch.functional is a module of its own, not torch.nn.functional: its einsum/meshgrid/split/... are torch.einsum/... themselves and compute right on the device without a deprecation warning."""
    assert inspect.ismodule(torch.functional) and torch.functional.__name__ == "torch.functional", (
        f"torch.functional={torch.functional!r}, but should be the module torch.functional"
    )
    assert torch.functional is not F, "torch.functional is torch.nn.functional, but should be a module of its own"
    rng = np.random.default_rng(seed)
    A, B = rng.integers(-9, 10, (m, k)).astype(dtype), rng.integers(-9, 10, (k, n)).astype(dtype)
    v, w = rng.integers(-3, 4, m).astype(dtype), rng.integers(-9, 10, n).astype(dtype)
    tensors = [torch.tensor(a, device=device) for a in (A, B, v, w)]
    for name, (call, oracle) in TORCH_FUNCTIONAL.items():
        fn = getattr(torch.functional, name)
        assert name in torch.functional.__all__, f"{name!r} missing from torch.functional.__all__={torch.functional.__all__}"
        assert fn is getattr(torch, name), f"torch.functional.{name}={fn!r}, but should be torch.{name}={getattr(torch, name)!r}"
        assert (fn.__doc__ or "").strip(), f"torch.functional.{name}.__doc__={fn.__doc__!r}, but should document it"
        with warnings_recorded() as caught:
            out = call(fn, *tensors, size, indexing)
        assert not _deprecation_warnings(caught), f"torch.functional.{name} warned {_deprecation_warnings(caught)}"
        expected = oracle(A, B, v, w, size, indexing)
        outs, exps = (list(out), list(expected)) if isinstance(out, (tuple, list)) else ([out], [expected])
        assert len(outs) == len(exps), f"torch.functional.{name} returned {len(outs)} tensors, but should return {len(exps)}"
        for i, (o, e) in enumerate(zip(outs, exps)):
            assert_device(o, device, f"torch.functional.{name}(...)[{i}]")
            assert_same(o.cpu(), torch.from_numpy(np.ascontiguousarray(e)), f"torch.functional.{name}(...)[{i}] vs numpy")


#: Of torch.functional.__all__, the functions whose docstrings say they are deprecated, and what replaces them.
DEPRECATED_IN_TORCH_FUNCTIONAL = {
    "norm": ["torch.linalg.vector_norm", "torch.linalg.matrix_norm"],
    "chain_matmul": ["torch.linalg.multi_dot"],
    "lu": ["torch.linalg.lu_factor"],
}


@pytest.mark.device_independent
def test_torch_functional_documents_only_norm_chain_matmul_and_lu_as_deprecated():
    """Of torch.functional's functions only norm, chain_matmul and lu are documented as deprecated (each for a torch.linalg function), not the module."""
    documented = {
        name: getattr(torch.functional, name).__doc__ or "" for name in torch.functional.__all__
    }
    deprecated = {name for name, doc in documented.items() if re.search(rf"torch\.{name}`? is deprecated", doc)}
    assert deprecated == set(DEPRECATED_IN_TORCH_FUNCTIONAL), (
        f"documented as deprecated: {sorted(deprecated)}, but should be {sorted(DEPRECATED_IN_TORCH_FUNCTIONAL)}"
    )
    for name, replacements in DEPRECATED_IN_TORCH_FUNCTIONAL.items():
        missing = [r for r in replacements if r not in documented[name]]
        assert not missing, f"torch.functional.{name}.__doc__ names no {missing}"


#: The documented-deprecated torch.functional functions that warn at each call (a TORCH_WARN_ONCE: once per
#: process unless warn_always): name -> (call on a square float64 matrix a, the warning's stable text)
WARNING_DEPRECATED = {
    "chain_matmul": (lambda a: torch.chain_matmul(a, a.mT, a + 1), r"torch\.chain_matmul is deprecated and will be removed"),
    "lu": (lambda a: torch.lu(a), r"torch\.lu is deprecated in favor of torch\.linalg\.lu_factor"),
}


@pytest.mark.parametrize("name", list(WARNING_DEPRECATED))
@given(k=st.integers(2, 5), seed=seeds)
def test_torch_chain_matmul_and_lu_warn_user_warning_and_still_compute(device, name, k, seed):
    """torch.chain_matmul and torch.lu warn UserWarning that they are deprecated (for torch.linalg.multi_dot / lu_factor) and still give their replacement's result.

    Checked on 2.3, 2.8 and 2.14 (a TORCH_WARN_ONCE: the spec sets ``torch.set_warn_always(True)`` so it
    fires in every call); a k x k float64 matrix, k in 2..5: chain_matmul(a, a^T, a + 1) against the
    product in numpy (a + 1 last, so the order matters), lu(a) against torch.linalg.lu_factor(a).
    """
    call, text = WARNING_DEPRECATED[name]
    a = data((k, k), seed, device, torch.float64) + 3 * torch.eye(k, device=device, dtype=torch.float64)
    with warn_always():
        out, caught = _recorded(lambda: call(a))
    hits = [c for c, m in caught if re.search(text, m)]
    assert hits and all(c is UserWarning for c in hits), f"torch.{name} warned {caught}, but should warn UserWarning matching {text!r}"
    if name == "chain_matmul":
        an = np64(a)
        assert_maths(out, an @ an.T @ (an + 1), "torch.chain_matmul(a, a.T, a + 1) vs a @ a.T @ (a + 1) in numpy")
    else:
        lu, pivots = torch.linalg.lu_factor(a)
        assert_same(out[0], lu, "torch.lu(a)[0] vs torch.linalg.lu_factor(a).LU")
        assert_same(out[1], pivots, "torch.lu(a)[1] vs torch.linalg.lu_factor(a).pivots")


# --------------------------------------------------------------------------- under torch.compile


class _Stats(nn.Module):
    """Copies of a BatchNorm's running statistics, held as buffers, for the functional call."""

    def __init__(self, bn):
        super().__init__()
        self.register_buffer("rm", bn.running_mean.clone())
        self.register_buffer("rv", bn.running_var.clone())


def _zoo(lin, conv, bn, relu, stats, xl, xc, xb, xr):
    """Each module next to its functional counterpart called with the module's own state (the
    functional batch norm on copies of the running stats)."""
    return (
        lin(xl), F.linear(xl, lin.weight, lin.bias),
        conv(xc), F.conv2d(xc, conv.weight, conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups),
        bn(xb), F.batch_norm(xb, stats.rm, stats.rv, bn.weight, bn.bias, bn.training, bn.momentum, bn.eps),
        relu(xr), F.relu(xr),
    )


@pytest.mark.known_bug(
    "<2.5",
    issue="https://github.com/pytorch/pytorch/issues/88813",
    reason="AOTAutograd's CSE (fx_graph_cse, run on the joint graph when anything requires grad) merged the identical "
    "nn.ReLU()(xr) and F.relu(xr), so the compiled call returned one tensor for both outputs where eager returns two "
    "(#88813, #114344; fixed by pytorch#134726, which keeps returned nodes out of CSE). Checked (cpu, aot_eager): "
    "'call 0 (train): output 7 shares memory with output 10' on 2.1.2, 2.2.2, 2.3.1 and 2.4.1; passes on 2.5.1, "
    "2.6.0 and 2.14.1 (2.0 cannot run Dynamo on Python 3.11)",
)
@compile_budget()
@given(hyp=st.data(), seed=seeds, momentum=st.floats(0.05, 1.0))
def test_modules_and_functionals_under_compile_compute_the_written_out_maths(device, backend, hyp, seed, momentum):
    """Compiled, nn.Linear / Conv2d / BatchNorm2d / ReLU give what they give eagerly, what their F counterparts give in the same compiled graph, and the written-out maths.

    One compiled function (float32) calls each module and its functional with the module's state:
    Linear on a (3, 4) batch against ``x @ W.T + b``; Conv2d with asymmetric (H, W) tuples for
    kernel, stride, padding and dilation and 2 groups against the convolution sum; BatchNorm2d
    (momentum in [0.05, 1]: the running stats move) in training and then after ``eval()`` against the batch-norm formula,
    running statistics included; ReLU against ``max(x, 0)`` (NaN, +-inf). Compared with eager by
    ``assert_compiles_like_eager`` (outputs, buffers incl. the functional's running stats -- held in
    a module: their version counters are another claim, below), then each compiled output against
    its functional twin and the maths in float64 numpy.
    """
    hps = hyp.draw(CONV_HPARAMS["asymmetric_tuple"])
    relu_values = np.array([float("nan"), -float("inf"), float("inf"), -1.5, -0.0, 0.0, 2.5], dtype=np.float32)

    def make():
        lin = nn.Linear(4, 3, device=device)
        conv = nn.Conv2d(4, 2, **hps, groups=2, device=device)
        bn = nn.BatchNorm2d(3, momentum=momentum, device=device)
        with torch.no_grad():
            bn.weight.uniform_(0.5, 1.5), bn.bias.uniform_(-1, 1), bn.running_mean.uniform_(-1, 1), bn.running_var.uniform_(0.5, 2)
        xb = data((4, 3, 3, 2), seed + 2, device, torch.float32, scale=2.0)
        return (lin, conv, bn, nn.ReLU(), _Stats(bn), data((3, 4), seed, device, torch.float32),
                data((2, 4, 8, 7), seed + 1, device, torch.float32), xb, torch.from_numpy(relu_values).to(device))

    record = []
    compiled_zoo = None

    def recording(*args):
        bn = args[2]
        before = (np64(bn.running_mean), np64(bn.running_var), bn.training)
        out = compiled_zoo(*args)
        record.append((args, before, out))
        return out

    torch._dynamo.reset()
    compiled_zoo = torch.compile(_zoo, backend=backend)
    calls = [Call(name="train"), Call(before=lambda *args: args[2].eval(), name="eval()")]
    assert_compiles_like_eager(_zoo, make, backend, calls=calls, compiled=recording, **compile_tolerance(backend, normalizes=True))
    close = (lambda a, b, what: torch.testing.assert_close(a, b, **compile_tolerance(backend, normalizes=True), equal_nan=True, msg=lambda m: f"{what}: {m}")) if backend == "inductor" else assert_same
    for (lin, conv, bn, relu, stats, xl, xc, xb, xr), (rm0, rv0, training), out in record:
        rm, rv = stats.rm, stats.rv
        mode = "train" if training else "eval"
        for k, name in enumerate(("Linear", "Conv2d", "BatchNorm2d", "ReLU")):
            close(out[2 * k], out[2 * k + 1], f"compiled nn.{name} vs compiled F counterpart ({mode})")
        assert_maths(out[1], linear_by_sums(np64(xl), np64(lin.weight), np64(lin.bias)), "compiled F.linear vs x @ W.T + b")
        by_sums = conv2d_by_sums(np64(xc), np64(conv.weight), np64(conv.bias), hps["stride"], hps["padding"], hps["dilation"], 2)
        assert_maths(out[3], by_sums, f"compiled F.conv2d({hps}) vs the convolution sum")
        formula, want_rm, want_rv = batch_norm_by_formula(np64(xb), rm0, rv0, np64(bn.weight), np64(bn.bias), training, momentum, bn.eps)
        assert_maths(out[5], formula, f"compiled F.batch_norm ({mode}) vs the batch-norm formula")
        assert_maths(rm, want_rm, f"running_mean after compiled F.batch_norm ({mode}) vs the formula")
        assert_maths(rv, want_rv, f"running_var after compiled F.batch_norm ({mode}) vs the formula")
        assert_same(out[7].cpu(), torch.from_numpy(np.where(np.isnan(relu_values) | (relu_values > 0), relu_values, np.float32(0))),
                    "compiled F.relu vs max(x, 0)")


BATCH_NORM_VERSIONS = (
    "eager batch_norm updates running_mean/running_var in place without bumping their version counters "
    "(pytorch#13402, open since 2018; the same for _native_batch_norm_legit, pytorch#120622); compiled "
    "(functionalized) code writes the new stats back with copy_, which bumps them. Checked with aot_eager "
    "on 2.1, 2.2, 2.3, 2.14 and 2.15 (2.0 cannot run Dynamo on Python 3.11)"
)


@pytest.mark.known_bug(">=2.1", issue="https://github.com/pytorch/pytorch/issues/13402", reason=BATCH_NORM_VERSIONS)
@pytest.mark.parametrize("momentum", [0.1, 1.0], ids=["momentum=0.1", "momentum=1"])
def test_f_batch_norm_under_compile_moves_the_running_stats_versions_as_eager(device, backend, momentum):
    """Compiled F.batch_norm in training updates the running stats it is given in place exactly as eager does, their version counters included.

    A fixed (4, 3, 3) float32 batch, momentum 0.1 and 1; ``assert_compiles_like_eager`` compares the output, the running stats' values and
    whether their ``_version`` moved. Not drawn by hypothesis: where the known bug holds the claim
    fails, and shrinking a failing compile claim recompiles for minutes.
    """
    n, c, seed = 4, 3, 0
    def make():
        return (data((n, c, 3), seed, device, torch.float32, scale=2.0), data(c, seed + 1, device, torch.float32),
                data(c, seed + 2, device, torch.float32).abs() + 0.5)

    assert_compiles_like_eager(lambda x, rm, rv: F.batch_norm(x, rm, rv, training=True, momentum=momentum), make, backend,
                               **compile_tolerance(backend, normalizes=True))


@pytest.mark.known_bug(
    ">=2.1", issue="https://github.com/pytorch/pytorch/issues/128198",
    reason="the module form of the bug above: a compiled nn.BatchNorm1d in training bumps the version counters of "
    "running_mean and running_var (eager: unchanged) and num_batches_tracked (eager: by one, with its add_(1)); "
    "#128198 reports it for Dynamo's inlined nn modules (the default since 2.5). " + BATCH_NORM_VERSIONS,
)
def test_batchnorm_module_under_compile_moves_its_buffers_versions_as_eager(device, backend):
    """A compiled nn.BatchNorm1d updates its buffers in place exactly as eager does, version counters included: in training running_mean/running_var keep their versions and num_batches_tracked's moves; in eval none moves.

    The buffers are passed next to the module, so ``specs/differential.py`` compares whether each one's
    ``_version`` moved (and the output, the buffers' values); calls: train, then after ``eval()``. A fixed
    (4, 3) float32 batch (a known bug: no shrinking).
    """
    def make():
        bn = nn.BatchNorm1d(3).to(device)
        return bn, data((4, 3), 0, device, torch.float32, scale=2.0), bn.running_mean, bn.running_var, bn.num_batches_tracked

    assert_compiles_like_eager(lambda bn, x, *buffers: bn(x), make, backend,
                               calls=[Call(name="train"), Call(before=lambda bn, *rest: bn.eval(), name="eval()")],
                               **compile_tolerance(backend, normalizes=True))


# --- release history (mined from release notes; see docs/release-history.md)


def _recorded(call):
    """Run ``call()``; return (its result, [(category, message)] of every warning it raised)."""
    with warnings_recorded() as caught:
        out = call()
    return out, [(w.category, str(w.message)) for w in caught]


#: The nn.functional idioms the source note's readers still type, each with the spelling that replaces it:
#: name -> (deprecated call, replacement call, the warning's stable text). x is a (1, 2, 3, 3) float tensor.
DEPRECATED_IDIOMS = {
    "F.upsample": (
        lambda x: F.upsample(x, scale_factor=2),
        lambda x: F.interpolate(x, scale_factor=2),
        r"nn\.functional\.upsample`? is deprecated",
    ),
    "F.upsample_nearest": (
        lambda x: F.upsample_nearest(x, scale_factor=2),
        lambda x: F.interpolate(x, scale_factor=2, mode="nearest"),
        r"nn\.functional\.upsample_nearest`? is deprecated",
    ),
    "F.upsample_bilinear": (
        lambda x: F.upsample_bilinear(x, scale_factor=2),
        lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True),
        r"nn\.functional\.upsample_bilinear`? is deprecated",
    ),
    "F.mse_loss(size_average=False)": (
        lambda x: F.mse_loss(x, x.flip(-1), size_average=False),
        lambda x: F.mse_loss(x, x.flip(-1), reduction="sum"),
        r"size_average and reduce args will be deprecated, please use reduction='sum'",
    ),
    "F.l1_loss(reduce=False)": (
        lambda x: F.l1_loss(x, x.flip(-1), reduce=False),
        lambda x: F.l1_loss(x, x.flip(-1), reduction="none"),
        r"size_average and reduce args will be deprecated, please use reduction='none'",
    ),
    "nn.MSELoss(size_average=False)": (
        lambda x: nn.MSELoss(size_average=False)(x, x.flip(-1)),
        lambda x: nn.MSELoss(reduction="sum")(x, x.flip(-1)),
        r"size_average and reduce args will be deprecated, please use reduction='sum'",
    ),
    "F.softmax(x) without dim": (
        lambda x: F.softmax(x.flatten(2)[0]),
        lambda x: F.softmax(x.flatten(2)[0], dim=1),
        r"Implicit dimension choice for softmax has been deprecated",
    ),
    "F.log_softmax(x) without dim": (
        lambda x: F.log_softmax(x.flatten(2)[0]),
        lambda x: F.log_softmax(x.flatten(2)[0], dim=1),
        r"Implicit dimension choice for log_softmax has been deprecated",
    ),
    "nn.Softmax() without dim": (
        lambda x: nn.Softmax()(x.flatten(2)[0]),
        lambda x: nn.Softmax(dim=1)(x.flatten(2)[0]),
        r"Implicit dimension choice for softmax has been deprecated",
    ),
}


@pytest.mark.parametrize("idiom", list(DEPRECATED_IDIOMS))
def test_deprecated_nn_functional_idioms_warn_user_warning_and_equal_their_replacement(device, idiom):
    """F.upsample*, the size_average/reduce loss arguments and softmax without dim warn UserWarning on every 2.x release and compute what their replacement computes.

    The note's era of code still runs: ``F.upsample`` (use ``F.interpolate``), ``size_average=`` /
    ``reduce=`` (use ``reduction=``) and an implicit softmax ``dim`` (2-D input: ``dim=1``) each warn
    a ``UserWarning`` -- not a DeprecationWarning, so it is shown by default -- and give exactly the
    replacement's result. Checked on 2.0-2.15 (the upsample text gained backticks around the name in
    2.4); this is what makes ``nn.functional`` "not deprecated" only as a namespace. Ranges over the
    nine idioms; x is a fixed (1, 2, 3, 3) float32 tensor on the device.
    """
    old, new, text = DEPRECATED_IDIOMS[idiom]
    x = torch.arange(18, dtype=torch.float32, device=device).reshape(1, 2, 3, 3) / 7
    out, caught = _recorded(lambda: old(x))
    matching = [(c, m) for c, m in caught if re.search(text, m)]
    assert [c for c, _ in matching] == [UserWarning], (
        f"{idiom} warned {[(c.__name__, m[:70]) for c, m in caught]}, but should warn one UserWarning matching {text!r}"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = new(x)
    assert_device(out, device, idiom)
    assert_same(out, expected, f"{idiom} vs its replacement")


NN_DEPRECATION_CATEGORY = (
    "torch 2.4 turned the nn deprecation warnings (non-full backward hooks, nn.utils.weight_norm, "
    "nn.utils.stateless.functional_call, positional state_dict arguments) from UserWarning into FutureWarning "
    "(https://github.com/pytorch/pytorch/releases/tag/v2.4.0, 'Deprecations'); checked: UserWarning on "
    "2.0-2.3, FutureWarning on 2.4-2.15"
)


class _TwoNodes(nn.Module):
    def __init__(self, device):
        super().__init__()
        self.linear = nn.Linear(2, 2, device=device)

    def forward(self, x):
        return self.linear(x).relu() * 2  # several autograd nodes: a non-full backward hook is deprecated here


def _backward_hook(device):
    m = _TwoNodes(device)
    m.register_backward_hook(lambda *args: None)
    m(torch.ones(1, 2, device=device, requires_grad=True)).sum().backward()
    return m.linear.weight.grad


def _stateless_call(device):
    from torch.nn.utils import stateless

    m = nn.Linear(2, 1, device=device)
    params = {"weight": torch.ones(1, 2, device=device), "bias": torch.zeros(1, device=device)}
    return stateless.functional_call(m, params, (torch.ones(1, 2, device=device),))


def _state_dict_positional(device):
    from collections import OrderedDict

    return nn.Linear(2, 1, device=device).state_dict(OrderedDict(), "prefix.")["prefix.weight"]


#: deprecated nn API -> (call on device, the warning's stable text)
NN_DEPRECATIONS = {
    "Module.register_backward_hook": (_backward_hook, r"non-full backward hook"),
    "nn.utils.weight_norm": (
        lambda device: nn.utils.weight_norm(nn.Linear(2, 2, device=device)).weight,
        r"weight_norm`? is deprecated in favor of `?torch\.nn\.utils\.parametrizations\.weight_norm",
    ),  # warns from 2.1 on (2.0 is silent): see the gate on its case below
    "nn.utils.stateless.functional_call": (_stateless_call, r"deprecated as of PyTorch 2\.0"),
    "Module.state_dict(destination, prefix)": (_state_dict_positional, r"Positional args are being deprecated"),
}


def _nn_deprecation_categories(device, api):
    call, text = NN_DEPRECATIONS[api]
    out, caught = _recorded(lambda: call(device))
    assert_device(out, device, f"{api} result")
    return [c for c, m in caught if re.search(text, m)], caught


WEIGHT_NORM_DEPRECATED = (
    "torch 2.1 deprecated torch.nn.utils.weight_norm in favour of torch.nn.utils.parametrizations.weight_norm "
    "and made it warn (https://github.com/pytorch/pytorch/releases/tag/v2.1.0); checked: silent on 2.0, warns from 2.1"
)


@pytest.mark.torch_version("<2.4", reason=NN_DEPRECATION_CATEGORY)
@pytest.mark.parametrize(
    "api",
    [
        pytest.param(api, marks=pytest.mark.torch_version(">=2.1", reason=WEIGHT_NORM_DEPRECATED)) if api == "nn.utils.weight_norm" else api
        for api in NN_DEPRECATIONS
    ],
)
def test_nn_deprecations_warn_user_warning_before_2_4(device, api):
    """Before torch 2.4, the deprecated nn APIs (non-full backward hooks, weight_norm, stateless.functional_call, positional state_dict) still work and warn UserWarning.

    ``nn.utils.weight_norm`` is deprecated (and warns) only from 2.1; on 2.0 its case is gated off.
    """
    categories, caught = _nn_deprecation_categories(device, api)
    assert categories == [UserWarning], f"{api} warned {[(c.__name__, str(m)[:70]) for c, m in caught]}, but should warn one UserWarning"


@pytest.mark.torch_version(">=2.4", reason=NN_DEPRECATION_CATEGORY)
@pytest.mark.parametrize("api", list(NN_DEPRECATIONS))
def test_nn_deprecations_warn_future_warning_from_2_4(device, api):
    """From torch 2.4, the deprecated nn APIs (non-full backward hooks, weight_norm, stateless.functional_call, positional state_dict) still work and warn FutureWarning."""
    categories, caught = _nn_deprecation_categories(device, api)
    assert categories == [FutureWarning], f"{api} warned {[(c.__name__, str(m)[:70]) for c, m in caught]}, but should warn one FutureWarning"


# --- release history, round 2 (mined from release notes and the tracker)

DTYPE_NOT_IMPLEMENTED = (
    "pytorch#155470 ('[BE] Raise NotImplementedError', June 2025, bc-breaking note: NotImplementedError is raised when "
    "an ATen op is called on a dtype it has no kernel for; https://github.com/pytorch/pytorch/releases/tag/v2.8.0); "
    "NotImplementedError subclasses RuntimeError, so `except RuntimeError` still catches it; checked on cpu with "
    "nn.Hardshrink/F.hardshrink: RuntimeError on 2.3.1-2.7.1, NotImplementedError on 2.8.0, 2.9.1 and 2.14.1"
)
#: the module and functional forms of one op, called on an integer tensor it has no kernel for
HARDSHRINK_FORMS = {
    "nn.Hardshrink()": lambda x: nn.Hardshrink()(x),
    "F.hardshrink": lambda x: F.hardshrink(x),
}
INTEGER_DTYPES_WITHOUT_HARDSHRINK = [torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8]


def _hardshrink_error(device, form, dtype):
    x = torch.arange(-2, 3, device=device).to(dtype)
    try:
        HARDSHRINK_FORMS[form](x)
    except RuntimeError as e:  # NotImplementedError is a RuntimeError subclass: the exact type is the claim
        assert re.search(r"not implemented for", str(e)), f"{form} raised {type(e).__name__}({e}), but should say 'not implemented for'"
        return type(e)
    pytest.fail(f"{form} of a {dtype} tensor raised nothing, but should refuse it")


@pytest.mark.torch_version("<2.8", reason=DTYPE_NOT_IMPLEMENTED)
@pytest.mark.parametrize("dtype", INTEGER_DTYPES_WITHOUT_HARDSHRINK, ids=str)
@pytest.mark.parametrize("form", list(HARDSHRINK_FORMS))
def test_a_dtype_without_a_kernel_raises_plain_runtime_error_in_both_forms_before_2_8(device, form, dtype):
    """Before torch 2.8, nn.Hardshrink() and F.hardshrink of an integer tensor (no kernel for that dtype) raise a plain RuntimeError saying 'not implemented for'.

    Over both forms and the integer dtypes.
    """
    kind = _hardshrink_error(device, form, dtype)
    assert kind is RuntimeError, f"{form} raised {kind.__name__}, but should raise RuntimeError"


@pytest.mark.torch_version(">=2.8", reason=DTYPE_NOT_IMPLEMENTED)
@pytest.mark.parametrize("dtype", INTEGER_DTYPES_WITHOUT_HARDSHRINK, ids=str)
@pytest.mark.parametrize("form", list(HARDSHRINK_FORMS))
def test_a_dtype_without_a_kernel_raises_not_implemented_error_in_both_forms_from_2_8(device, form, dtype):
    """From torch 2.8, nn.Hardshrink() and F.hardshrink of an integer tensor (no kernel for that dtype) raise NotImplementedError (a RuntimeError subclass) saying 'not implemented for'.

    Over both forms and the integer dtypes.
    """
    kind = _hardshrink_error(device, form, dtype)
    assert kind is NotImplementedError, f"{form} raised {kind.__name__}, but should raise NotImplementedError"


# --- round 3: the pairs users confuse -- defaults, losses, pooling, embeddings, activations, functional_call,
# --- buffers (mined from the nn / nn.functional docs, the release notes and the tracker)


def _rowmajor(a: np.ndarray, start: int) -> tuple:
    """The shape ``a`` flattened from ``start`` on keeps: its first ``start`` sides, then the product of the rest."""
    return (*a.shape[:start], int(np.prod(a.shape[start:], dtype=np.int64)))


#: the flatten spellings -> (the call, the start_dim it means when none is given or the one given)
FLATTEN_FORMS = {
    "nn.Flatten()": (lambda x: nn.Flatten()(x), 1),
    "torch.flatten(x)": (lambda x: torch.flatten(x), 0),
    "x.flatten()": (lambda x: x.flatten(), 0),
    "nn.Flatten(0)": (lambda x: nn.Flatten(0)(x), 0),
    "torch.flatten(x, 1)": (lambda x: torch.flatten(x, 1), 1),
}
#: ranks 4 to 0, a side of 1 and an empty side among them
FLATTEN_SHAPES = [(2, 1, 3, 2), (2, 3, 4), (3, 0, 2), (5, 2), (4,), ()]


@pytest.mark.parametrize("layout", ["contiguous", "permuted"])
@pytest.mark.parametrize("form", list(FLATTEN_FORMS))
def test_nn_flatten_keeps_dim_0_but_torch_flatten_flattens_every_dim(device, form, layout):
    """nn.Flatten() defaults to start_dim=1 and keeps dim 0 ((N, *rest) -> (N, prod(rest))) while torch.flatten(x) and x.flatten() default to start_dim=0 and flatten every dim; a 1-D or 0-d x, which has no dim 1, is refused by nn.Flatten() with IndexError.

    The same word, two defaults: the module is made to sit between a conv stack and a Linear, so it
    keeps the batch; the function flattens everything (a 0-d x becomes shape (1,)). Ranges over the
    five spellings (both defaults and each made explicit the other way), x of rank 4 to 0 (a side
    of 1 and an empty side included), contiguous or permuted (every dim reversed: the values are
    read in logical row-major order, not memory order); the oracle is numpy's row-major reshape.
    """
    call, start = FLATTEN_FORMS[form]
    for shape in FLATTEN_SHAPES:
        if layout == "permuted":
            x = data(shape[::-1], len(shape), device, torch.float32).permute(tuple(range(len(shape)))[::-1])
        else:
            x = data(shape, len(shape), device, torch.float32)
        a = np64(x)
        if start > max(x.ndim - 1, 0):
            with raises(IndexError, r"out of range", f"{form} on x of shape {shape}"):
                call(x)
            continue
        out = call(x)
        expected = torch.from_numpy(a.reshape(_rowmajor(a, start)) if a.ndim else a.reshape(1)).to(device, x.dtype)
        assert_same(out, expected, f"{form} on a {layout} x of shape {shape} vs the row-major reshape from dim {start}")


#: the softmax family called without dim -> (the call, the name in its warning, the maths on the chosen axis)
def _softmax_np(a, axis):
    z = np.exp(a - a.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def _log_softmax_np(a, axis):
    z = a - a.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


IMPLICIT_DIM_FORMS = {
    "F.softmax": (lambda x: F.softmax(x), "softmax", _softmax_np),
    "F.log_softmax": (lambda x: F.log_softmax(x), "log_softmax", _log_softmax_np),
    "F.softmin": (lambda x: F.softmin(x), "softmin", lambda a, axis: _softmax_np(-a, axis)),
    "nn.Softmax()": (lambda x: nn.Softmax()(x), "softmax", _softmax_np),
    "nn.LogSoftmax()": (lambda x: nn.LogSoftmax()(x), "log_softmax", _log_softmax_np),
    "nn.Softmin()": (lambda x: nn.Softmin()(x), "softmin", lambda a, axis: _softmax_np(-a, axis)),
}
#: x of rank 0 to 5 -> the dim torch picks: 0 for rank 0, 1 and 3, else 1 (torch.nn.functional._get_softmax_dim)
IMPLICIT_DIMS = [((), 0), ((4,), 0), ((2, 3), 1), ((2, 3, 4), 0), ((2, 3, 2, 2), 1), ((2, 2, 3, 1, 2), 1)]


@pytest.mark.parametrize("form", list(IMPLICIT_DIM_FORMS))
def test_softmax_without_dim_warns_and_picks_dim_0_for_rank_0_1_3_and_dim_1_otherwise(device, form):
    """F.softmax / log_softmax / softmin and nn.Softmax() / LogSoftmax() / Softmin() without dim warn 'Implicit dimension choice' (a UserWarning) on every call and normalize over dim 0 for a 0-d, 1-D or 3-D x, over dim 1 for any other rank.

    The legacy rule (``_get_softmax_dim``): a 3-D x is taken as an unbatched (C, H, W) image, so an
    (N, L, C) batch of sequences is normalized across the *batch*, and a 4-D or 5-D one over dim 1.
    ``nn.Softmax()`` (``dim=None``) inherits it by calling the functional with its ``dim``. Ranges
    over the six forms and x of rank 0 to 5 (sides 2-4, float64, drawn once per rank); the oracle is
    the softmax / log-softmax / softmin written out in numpy on the expected axis.
    """
    call, name, maths = IMPLICIT_DIM_FORMS[form]
    for shape, dim in IMPLICIT_DIMS:
        x = data(shape, len(shape), device, torch.float64, scale=2.0)
        out, caught = _recorded(lambda: call(x))
        warned = [c for c, m in caught if re.search(rf"Implicit dimension choice for {name}\b", m)]
        assert warned == [UserWarning], f"{form} on a {len(shape)}-D x warned {[(c.__name__, m[:60]) for c, m in caught]}, but should warn one UserWarning"
        a = np64(x).reshape(shape or (1,))
        assert_maths(out, maths(a, dim).reshape(shape), f"{form} on a {len(shape)}-D x of shape {shape} vs the maths over dim {dim}")


def cross_entropy_by_formula(logits, target, weight, reduction, ignore_index, smoothing):
    """Cross-entropy in float64 numpy, classes on axis 1 (C classes, weights w_c, smoothing e).
    Class-index targets y: loss = (1 - e) * -w_y * log p_y + e / C * sum_c -w_c * log p_c, 0 where y ==
    ignore_index; 'mean' divides the sum by the sum of w_y over the counted targets (nan when none counts).
    Probability targets t: loss = -sum_c w_c * ((1 - e) * t_c + e / C) * log p_c; 'mean' divides by the number
    of losses (N * d1 * ...), weights left out."""
    x = np.moveaxis(logits, 1, -1)
    c = x.shape[-1]
    z = x - x.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    w = np.ones(c) if weight is None else weight
    if target.dtype.kind == "f":
        t = (1 - smoothing) * np.moveaxis(target, 1, -1) + smoothing / c
        loss = -(w * t * logp).sum(axis=-1)
        count = float(loss.size)
    else:
        kept = target != ignore_index
        y = np.where(kept, target, 0)
        picked = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]
        loss = np.where(kept, (1 - smoothing) * -w[y] * picked + smoothing / c * -(w * logp).sum(axis=-1), 0.0)
        count = np.where(kept, w[y], 0.0).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"none": loss, "sum": loss.sum(), "mean": np.float64(loss.sum()) / count}[reduction]


#: target kinds: class indices (no ignore_index given: -100 is the default), a custom ignore_index, probabilities
CE_TARGETS = ("class_index", "class_index-ignore_index=2", "probabilities")
#: every target kind x reduction, float32 and float64 alternately (each kind meets both)
CE_CASES = [
    pytest.param(kind, reduction, dtype, id=f"{kind}-{reduction}-{str(dtype)[6:]}")
    for i, (kind, reduction) in enumerate(itertools.product(CE_TARGETS, ("none", "sum", "mean")))
    for dtype in [(torch.float32, torch.float64)[i % 2]]
]


def _ce_target(kind, shape, c, seed, device, dtype):
    """A target for logits of ``shape`` (N, C, *d): probabilities on axis 1, or class indices with the ignored
    value (-100, or 2 for the custom case) at a few positions."""
    g = torch.Generator().manual_seed(seed)
    if kind == "probabilities":
        return torch.softmax(torch.randn(shape, generator=g, dtype=torch.float64), 1).to(device, dtype)
    y = torch.randint(0, c, (shape[0], *shape[2:]), generator=g)
    y.view(-1)[::3] = 2 if kind.endswith("=2") else -100
    return y.to(device)


@pytest.mark.parametrize("kind, reduction, dtype", CE_CASES)
def test_cross_entropy_module_equals_f_cross_entropy_and_the_written_out_loss(device, kind, reduction, dtype):
    """nn.CrossEntropyLoss(weight, ignore_index, reduction, label_smoothing)(x, y) equals F.cross_entropy with the same arguments and the loss written out: log-softmax over dim 1, weighted, smoothed, ignored targets counting 0, and 'mean' dividing by the summed weights of the counted class-index targets (nan when none counts) but by the number of losses for probability targets.

    The module holds ``weight`` as a buffer (in its state_dict); everything else is a hyper-parameter
    it passes on. Ranges over the target kinds (class indices with the default ignore_index -100 at
    every third position, a custom ignore_index=2, class probabilities), the three reductions, and in
    every case: no weight and per-class weights, label_smoothing 0 and 0.2, logits (N, C) and (N, C, d)
    (the classes on dim 1, not last); float32 and float64 alternately; a 'mean' over class indices that are all
    ignored is nan. The oracle is the formula in float64 numpy (``cross_entropy_by_formula``).
    """
    n, c = 5, 4
    weights = (None, torch.tensor([0.5, 2.0, 1.0, 1.5], dtype=torch.float64))
    ignore = {"ignore_index": 2} if kind.endswith("=2") else {}
    for w, smoothing, shape in itertools.product(weights, (0.0, 0.2), ((n, c), (n, c, 3))):
        x = data(shape, len(shape), device, dtype, scale=2.0)
        y = _ce_target(kind, shape, c, len(shape) + 7, device, dtype)
        wd = None if w is None else w.to(device, dtype)
        m = nn.CrossEntropyLoss(weight=wd, reduction=reduction, label_smoothing=smoothing, **ignore)
        what = f"{kind}, reduction={reduction!r}, weight={'no' if w is None else 'yes'}, label_smoothing={smoothing}, x {tuple(shape)} {dtype}"
        assert ("weight" in m.state_dict()) is (w is not None), f"nn.CrossEntropyLoss state_dict {list(m.state_dict())} ({what})"
        out = m(x, y)
        assert_same(out, F.cross_entropy(x, y, weight=wd, reduction=reduction, label_smoothing=smoothing, **ignore), f"nn.CrossEntropyLoss vs F.cross_entropy ({what})")
        expected = cross_entropy_by_formula(np64(x), y.cpu().numpy() if kind != "probabilities" else np64(y), np64(w), reduction, ignore.get("ignore_index", -100), smoothing)
        assert_maths(out, expected, f"F.cross_entropy ({what}) vs the written-out loss")
    if kind != "probabilities" and reduction == "mean":
        x = data((n, c), 0, device, torch.float32)
        all_ignored = torch.full((n,), ignore.get("ignore_index", -100), device=device)
        out = F.cross_entropy(x, all_ignored, reduction="mean", **ignore)
        assert torch.isnan(out), f"F.cross_entropy 'mean' over targets that are all ignored = {out.item()}, but should be nan (0 / 0)"


def pool2d_by_windows(x, kind, kernel_size, stride, padding, ceil_mode, count_include_pad=True, divisor_override=None):
    """max / avg 2-D pooling written out in float64 numpy. Output side: floor (or ceil, with ceil_mode) of
    (L + 2p - k) / s, plus 1, minus 1 when ceil_mode's last window would start in the right padding. Each window
    runs from i*s - p to min(i*s - p + k, L + p); max over its pixels inside the input (padding never wins); avg
    = its pixels' sum / divisor_override, else its size counted up to L + p (count_include_pad=True), else its
    pixels inside the input."""
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel_size), pair(stride), pair(padding)
    n, c, h, w = x.shape

    def side(length, k, s, p):
        o = (-(-(length + 2 * p - k) // s) if ceil_mode else (length + 2 * p - k) // s) + 1
        return o - 1 if ceil_mode and (o - 1) * s >= length + p else o

    ho, wo = side(h, kh, sh, ph), side(w, kw, sw, pw)
    out = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            h0, w0 = i * sh - ph, j * sw - pw
            h1, w1 = min(h0 + kh, h + ph), min(w0 + kw, w + pw)
            window = x[:, :, max(h0, 0) : min(h1, h), max(w0, 0) : min(w1, w)]
            if kind == "max":
                out[:, :, i, j] = window.max(axis=(2, 3))
            else:
                size = (h1 - h0) * (w1 - w0) if count_include_pad else window.shape[2] * window.shape[3]
                out[:, :, i, j] = window.sum(axis=(2, 3)) / (divisor_override or size)
    return out


#: pooling module -> (class, functional, kind, its extra hyper-parameters)
POOLS = {
    "MaxPool2d": (nn.MaxPool2d, F.max_pool2d, "max", {}),
    "AvgPool2d": (nn.AvgPool2d, F.avg_pool2d, "avg", {}),
    "AvgPool2d(count_include_pad=False)": (nn.AvgPool2d, F.avg_pool2d, "avg", {"count_include_pad": False}),
    "AvgPool2d(divisor_override=5)": (nn.AvgPool2d, F.avg_pool2d, "avg", {"divisor_override": 5}),
}
#: (kernel_size, stride, padding): square, and asymmetric (H != W) for each; on the input sides below ceil_mode adds
#: a clipped last window in some and drops one that would start in the padding in others
POOL_HPARAMS = [(3, 2, 1), (2, 2, 0), ((2, 3), (3, 2), (1, 0)), ((3, 2), (2, 3), (0, 1)), ((3, 3), (2, 1), (1, 1))]
POOL_SIDES = [(5, 7), (6, 6), (7, 5)]
POOL_CASES = [
    pytest.param(name, ceil, (torch.float32, torch.float64)[i % 2], id=f"{name}-{'ceil_mode' if ceil else 'floor'}-{str((torch.float32, torch.float64)[i % 2])[6:]}")
    for i, (name, ceil) in enumerate(itertools.product(POOLS, (False, True)))
]


@pytest.mark.parametrize("name, ceil_mode, dtype", POOL_CASES)
def test_pooling_modules_equal_their_functionals_and_the_windows_written_out(device, name, ceil_mode, dtype):
    """nn.MaxPool2d / nn.AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)(x) equal F.max_pool2d / F.avg_pool2d with the same arguments and the pooling windows written out: ceil_mode adds a last partial window unless it would start in the right padding; max ignores the padding; avg divides by the window counted up to the padded edge (count_include_pad=True, the default), by its pixels inside the input (False), or by divisor_override.

    Ranges over max pooling, avg pooling with each divisor rule, floor and ceil_mode (float32 and
    float64 alternately); in every case five (kernel, stride, padding) sets -- square, and asymmetric
    in H and W -- on three input sides, a (2, 3, H, W) x. The oracle is ``pool2d_by_windows`` in
    float64 numpy.
    """
    cls, fn, kind, extra = POOLS[name]
    for (k, s, p), (h, w) in itertools.product(POOL_HPARAMS, POOL_SIDES):
        x = data((2, 3, h, w), h * w, device, dtype, scale=2.0)
        what = f"{name}(kernel_size={k}, stride={s}, padding={p}, ceil_mode={ceil_mode}) on x of shape {tuple(x.shape)}"
        out = cls(k, s, p, ceil_mode=ceil_mode, **extra)(x)
        assert_same(out, fn(x, k, s, p, ceil_mode=ceil_mode, **extra), f"{what} vs F.{fn.__name__}")
        assert_maths(out, pool2d_by_windows(np64(x), kind, k, s, p, ceil_mode, **extra), f"{what} vs the windows written out")


def _nearest_sources(size_in, size_out, exact, ratio=None):
    """Source index per output index: floor(dst * r) ('nearest') or floor((dst + 0.5) * r) ('nearest-exact'), r = in/out
    or 1/scale_factor, clamped to the last pixel."""
    r = size_in / size_out if ratio is None else ratio
    dst = np.arange(size_out) + (0.5 if exact else 0.0)
    return np.minimum(np.floor(dst * r).astype(int), size_in - 1)


def _linear_sources(size_in, size_out, align_corners, ratio=None):
    """(left index, right index, weight of the right one) per output index: the source coordinate is
    dst * (in - 1) / (out - 1) with align_corners=True, else (dst + 0.5) * r - 0.5 clamped at 0 (r = in/out or 1/scale)."""
    dst = np.arange(size_out)
    if align_corners:
        src = dst * (size_in - 1) / (size_out - 1) if size_out > 1 else np.zeros(size_out)
    else:
        src = np.maximum((dst + 0.5) * (size_in / size_out if ratio is None else ratio) - 0.5, 0.0)
    left = np.minimum(np.floor(src).astype(int), size_in - 1)
    return left, np.minimum(left + 1, size_in - 1), src - left


def interpolate_by_sampling(a, size, mode, align_corners=None, ratios=(None, None)):
    """2-D nearest / nearest-exact / bilinear resampling of the last two axes of ``a``, written out in float64 numpy."""
    if mode.startswith("nearest"):
        rows = _nearest_sources(a.shape[-2], size[0], mode == "nearest-exact", ratios[0])
        cols = _nearest_sources(a.shape[-1], size[1], mode == "nearest-exact", ratios[1])
        return a[..., rows, :][..., cols]
    (t, b, wy), (lft, rgt, wx) = (_linear_sources(a.shape[-2], size[0], align_corners, ratios[0]),
                                  _linear_sources(a.shape[-1], size[1], align_corners, ratios[1]))
    rows = a[..., t, :] * (1 - wy)[:, None] + a[..., b, :] * wy[:, None]
    return rows[..., lft] * (1 - wx) + rows[..., rgt] * wx


#: resampling modes -> F.interpolate / nn.Upsample keyword arguments
UPSAMPLE_MODES = {
    "nearest": {"mode": "nearest"},
    "nearest-exact": {"mode": "nearest-exact"},
    "bilinear": {"mode": "bilinear"},  # align_corners=None: False
    "bilinear-align_corners": {"mode": "bilinear", "align_corners": True},
}
#: (input H, W) -> output size: up, down and mixed
UPSAMPLE_SIZES = [((4, 5), (8, 10)), ((5, 7), (3, 4)), ((3, 3), (7, 5))]
UPSAMPLE_SCALES = [1.5, 0.7, 2.0]


@pytest.mark.parametrize("by", ["size", "scale_factor"])
@pytest.mark.parametrize("mode", list(UPSAMPLE_MODES))
def test_upsample_equals_f_interpolate_and_the_sampling_written_out(device, mode, by):
    """nn.Upsample(size or scale_factor, mode, align_corners)(x) equals F.interpolate with the same arguments, and both sample as written out: 'nearest' reads src floor(dst * r) (the legacy off-centre rule), 'nearest-exact' floor((dst + 0.5) * r), 'bilinear' blends the neighbours of (dst + 0.5) * r - 0.5 (align_corners=False, the default; clamped at 0) or of dst * (in - 1) / (out - 1) (align_corners=True); r = in/out for a size, 1/scale_factor for a scale_factor.

    ``nn.Upsample`` holds no state: it only stores the arguments it passes on. Ranges over the
    four samplings and both ways of giving the output (sizes up, down and mixed; scale factors 1.5,
    0.7 and 2, where 1/scale_factor, not in/out, sets the source coordinates), on a float64
    (1, 2, H, W) x; the oracle is ``interpolate_by_sampling`` in numpy.
    """
    kwargs = UPSAMPLE_MODES[mode]
    targets = UPSAMPLE_SIZES if by == "size" else [((5, 6), s) for s in UPSAMPLE_SCALES]
    for (h, w), target in targets:
        x = data((1, 2, h, w), h * w, device)
        how = {"size": target} if by == "size" else {"scale_factor": target}
        out = nn.Upsample(**how, **kwargs)(x)
        what = f"nn.Upsample({how}, {kwargs}) on x of shape {tuple(x.shape)}"
        assert_same(out, F.interpolate(x, **how, **kwargs), f"{what} vs F.interpolate")
        size = target if by == "size" else (math.floor(h * target), math.floor(w * target))
        ratios = (None, None) if by == "size" else (1 / target, 1 / target)
        assert_maths(out, interpolate_by_sampling(np64(x), size, kwargs["mode"], kwargs.get("align_corners", False), ratios), f"{what} vs the sampling written out")


#: the elementwise regression losses: name -> (module, functional, the per-pair loss in numpy)
def _huber_np(d, delta=1.0):
    return np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


REGRESSION_LOSSES = {
    "mse": (nn.MSELoss, F.mse_loss, lambda d: d * d),
    "l1": (nn.L1Loss, F.l1_loss, np.abs),
    "smooth_l1": (nn.SmoothL1Loss, F.smooth_l1_loss, _huber_np),  # beta=1: the same as huber with delta=1
    "huber": (nn.HuberLoss, F.huber_loss, _huber_np),
}


@pytest.mark.parametrize("form", ["module", "functional"])
@pytest.mark.parametrize("loss", list(REGRESSION_LOSSES))
def test_regression_losses_broadcast_a_mismatched_target_with_a_user_warning(device, loss, form):
    """nn.MSELoss / L1Loss / SmoothL1Loss / HuberLoss and F.mse_loss / l1_loss / smooth_l1_loss / huber_loss given an (N, 1) input and an (N,) target warn 'Using a target size ... different to the input size' (a UserWarning) and compute over the broadcast (N, N) pairs -- the mean of loss(x_i - y_j) over every i, j -- not over the N matching pairs.

    The classic regression-head pitfall (a ``Linear(k, 1)`` output against a 1-D target): the
    result is a number, just the wrong one. Ranges over the four losses, module and functional
    forms; N = 5, float64; the oracle is numpy broadcasting of the per-pair loss, and the matched
    shapes (N,) and (N,) give the N-pair mean without a warning.
    """
    cls, fn, per_pair = REGRESSION_LOSSES[loss]
    call = cls() if form == "module" else fn
    x, y = data((5, 1), 0, device, scale=2.0), data(5, 1, device, scale=2.0)
    out, caught = _recorded(lambda: call(x, y))
    warned = [c for c, m in caught if "different to the input size" in m]
    assert warned == [UserWarning], f"{loss} ({form}) of (5, 1) vs (5,) warned {[(c.__name__, m[:60]) for c, m in caught]}, but should warn one UserWarning"
    a, b = np64(x), np64(y)
    assert_maths(out, per_pair(a - b[None, :]).mean(), f"{loss} ({form}) of (5, 1) vs (5,): the mean over the broadcast 5 x 5 pairs")
    matched, caught = _recorded(lambda: call(x[:, 0], y))
    assert not [m for _, m in caught if "different to the input size" in m], f"{loss} ({form}) of (5,) vs (5,) warned {caught}"
    assert_maths(matched, per_pair(a[:, 0] - b).mean(), f"{loss} ({form}) of (5,) vs (5,): the mean over the 5 pairs")


@pytest.mark.parametrize("form", ["nn.Dropout2d", "F.dropout2d"])
@given(p=st.floats(0.2, 0.8), seed=seeds)
@budget(2)
def test_dropout2d_on_a_3d_input_warns_and_drops_rows_like_dropout1d(device, form, p, seed):
    """nn.Dropout2d / F.dropout2d given a 3-D x warn (a UserWarning) that they take it as (N, C, L) and drop whole rows x[n, c, :] -- exactly what F.dropout1d does under the same seed -- not whole (C, H, W) channels of an unbatched image.

    Each row comes out all zero or all x / (1 - p). Ranges over both forms, drawn rates and seeds;
    x is a (4, 6, 5) float32 tensor of positive values (the 4-D case is the ordinary channel dropout).
    """
    x = torch.rand(4, 6, 5, device=device) + 1.0
    call = (lambda t: nn.Dropout2d(p)(t)) if form == "nn.Dropout2d" else (lambda t: F.dropout2d(t, p))
    with seeded(device, seed):
        out, caught = _recorded(lambda: call(x))
    warned = [c for c, m in caught if re.search(r"Received a 3D input to dropout2d", m)]
    assert warned == [UserWarning], f"{form} on a 3-D x warned {[(c.__name__, m[:60]) for c, m in caught]}, but should warn one UserWarning"
    with seeded(device, seed):
        expected = F.dropout1d(x, p)
    assert_same(out, expected, f"{form}(p={p}) on a (4, 6, 5) x vs F.dropout1d under the same seed")
    kept = (out != 0).all(dim=-1)
    assert torch.equal(kept, (out != 0).any(dim=-1)), f"{form}(p={p}): a row x[n, c, :] is partly zeroed, but rows should drop whole"
    assert_maths(out[kept], np64(x)[kept.cpu().numpy()] / (1 - p), f"{form}(p={p}): kept rows vs x / (1 - p)")


@pytest.mark.parametrize("sparse", [False, True], ids=["dense_grad", "sparse_grad"])
@pytest.mark.parametrize("padding_idx", [1, -2], ids=["padding_idx=1", "padding_idx=-2"])
def test_embedding_padding_row_gets_no_gradient_and_only_the_module_zeroes_it(device, padding_idx, sparse):
    """The padding_idx row of nn.Embedding and F.embedding gets no gradient, and both look it up as stored; only nn.Embedding zeroes that row, once, at construction.

    F.embedding(idx, weight, padding_idx) neither zeroes nor masks the row: the row's own values come
    out, it is only excluded from the gradient (every other row gets the sum of the output gradients
    at the positions that look it up). A negative padding_idx counts from the end (-2 of 6 rows is
    row 4). Ranges over padding_idx 1 and -2, dense and sparse gradients (``sparse=True``: a sparse
    COO gradient with the same values); indices (2, 4) that look up the padding row twice, float64
    weights; the gradient oracle is ``np.add.at`` with the padding row left at 0.
    """
    num, dim = 6, 3
    row = padding_idx % num
    idx = torch.tensor([[0, 1, 4, 1], [4, 5, 4, 2]], device=device)
    up = data((2, 4, dim), 1, device)
    expected = np.zeros((num, dim))
    np.add.at(expected, idx.cpu().numpy(), np64(up))
    expected[row] = 0.0
    m = nn.Embedding(num, dim, padding_idx=padding_idx, sparse=sparse, device=device, dtype=torch.float64)
    assert m.padding_idx == row, f"nn.Embedding(padding_idx={padding_idx}).padding_idx={m.padding_idx}, but should be {row}"
    assert_same(m.weight.detach()[row], torch.zeros(dim, dtype=torch.float64, device=device), f"row {row} of a new nn.Embedding(padding_idx={padding_idx})")
    w = data((num, dim), 0, device).requires_grad_()
    with torch.no_grad():
        m.weight.copy_(w)  # the padding row is not zero any more: nothing zeroes it again
    for form, weight, call in (
        ("F.embedding", w, lambda: F.embedding(idx, w, padding_idx=padding_idx, sparse=sparse)),
        ("nn.Embedding", m.weight, lambda: m(idx)),
    ):
        out = call()
        assert_same(out, w.detach()[idx], f"{form}(idx) with padding_idx={padding_idx}: the rows as stored, padding row included")
        (out * up).sum().backward()
        grad = weight.grad
        assert grad.is_sparse is sparse, f"{form} with sparse={sparse}: weight.grad.is_sparse={grad.is_sparse}"
        assert_maths(grad.to_dense() if sparse else grad, expected, f"{form} weight.grad with padding_idx={padding_idx} (row {row} must get none)")


#: GELU's two formulas in float64 numpy: x * Phi(x) exactly, and the tanh approximation
GELU_FORMULAS = {
    "none": lambda a: a / 2 * (1 + np.vectorize(math.erf)(a / math.sqrt(2))),
    "tanh": lambda a: a / 2 * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a**3))),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("approximate", list(GELU_FORMULAS))
def test_gelu_module_equals_f_gelu_and_its_formula(device, approximate, dtype):
    """nn.GELU(approximate=a)(x) equals F.gelu(x, approximate=a): x/2 * (1 + erf(x / sqrt(2))) for 'none' (the default of both), x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) for 'tanh' -- a different function, off by up to ~5e-4 -- and any other approximate is refused with RuntimeError.

    Ranges over both formulas, float32 and float64; x is 121 points from -6 to 6 and 64 normal
    draws. The oracle is each formula written out in float64 numpy (``math.erf``, ``np.tanh``).
    """
    x = torch.cat([torch.linspace(-6, 6, 121, dtype=dtype), data(64, 0, "cpu", dtype, scale=2.0)]).to(device)
    kwargs = {} if approximate == "none" else {"approximate": approximate}
    out = nn.GELU(**kwargs)(x)
    assert_same(out, F.gelu(x, approximate=approximate), f"nn.GELU({kwargs}) vs F.gelu(x, approximate={approximate!r})")
    a = np64(x)
    assert_maths(out, GELU_FORMULAS[approximate](a), f"F.gelu(x, approximate={approximate!r}) on {dtype} vs its formula")
    other = GELU_FORMULAS["tanh" if approximate == "none" else "none"](a)
    gap = np.abs(GELU_FORMULAS[approximate](a) - other).max()
    assert 1e-4 < gap < 1e-3, f"the two GELU formulas differ by at most {gap:.2e} on x, but should by ~5e-4"
    for bad in ("Tanh", "erf"):
        with raises(RuntimeError, r"approximate argument must be either none or tanh", f"F.gelu(x, approximate={bad!r})"):
            F.gelu(x, approximate=bad)


GELU_INFINITIES = (
    "F.gelu evaluates x/2 * (1 + erf(x / sqrt(2))) (or its tanh form) literally, so gelu(-inf) = -inf * 0 = nan in both "
    "approximations and both forms (the limit is 0); cpu's vectorized float32 erf path also gives nan for +inf (a lone "
    "element gives inf). Open as pytorch#185770 (duplicate #187293; fixes proposed in #185790, #192318 for cpu/mps, #194278 "
    "for cuda). Checked on cpu: nan on 2.0.1, 2.3.1, 2.5.1, 2.14.1 and 2.15.0"
)


@pytest.mark.known_bug(">=2.0", issue="https://github.com/pytorch/pytorch/issues/185770", reason=GELU_INFINITIES)
@pytest.mark.parametrize("approximate", list(GELU_FORMULAS))
def test_gelu_maps_the_infinities_to_their_limits(device, approximate):
    """nn.GELU and F.gelu map +inf to +inf and -inf to 0 -- the limits of x * Phi(x) -- in both approximations, and NaN to NaN.

    Ranges over both approximations and both forms; a float32 x holding each infinity twice among
    finite values (so the vectorized kernels see them). A known bug: no shrinking, a fixed x.
    """
    inf, nan = float("inf"), float("nan")
    x = torch.tensor([inf, -inf, nan, 1.0, -2.0, 0.5, inf, -inf, 3.0], device=device)
    for form, out in (("F.gelu", F.gelu(x, approximate=approximate)), ("nn.GELU", nn.GELU(approximate=approximate)(x))):
        got = out.cpu()[[0, 6, 1, 7, 2]].tolist()
        assert got[:4] == [inf, inf, 0.0, 0.0] and math.isnan(got[4]), (
            f"{form}(x, approximate={approximate!r}) at (+inf, +inf, -inf, -inf, nan) = {got}, but should be [inf, inf, 0.0, 0.0, nan]"
        )


#: which of the module's tensors functional_call gets: name -> the keys of Sequential(Linear(3, 2), BatchNorm1d(2)) substituted
SUBSTITUTED = {
    "all_parameters": ("0.weight", "0.bias", "1.weight", "1.bias"),
    "some_parameters": ("0.weight", "1.bias"),
    "parameters_and_buffers": ("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"),
}


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("substituted", list(SUBSTITUTED))
def test_functional_call_runs_the_module_on_the_given_tensors_and_leaves_its_own_untouched(device, substituted, training):
    """torch.func.functional_call(m, tensors, (x,)) computes m's forward with the given tensors in place of the parameters and buffers of those names (the module's own for the rest); the module's own keep their values and identity, the given buffers take a training call's running-stat update, and the gradient goes to the given tensors.

    This is the bridge between the two worlds: a module's forward turned into a function of its
    state. Ranges over substituting every parameter, some of them, and the parameters with the
    buffers, on a Sequential(Linear(3, 2), BatchNorm1d(2)) in train and eval mode (float64). The
    oracle is the linear and batch-norm maths written out in numpy on the tensors each name should
    resolve to.
    """
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).to(device, torch.float64).train(training)
    own = dict(m.state_dict(keep_vars=True))
    with torch.no_grad():
        own["1.running_mean"].uniform_(-1, 1), own["1.running_var"].uniform_(0.5, 2), own["1.num_batches_tracked"].fill_(3)
    before = {k: v.detach().clone() for k, v in own.items()}
    given = {}
    for i, k in enumerate(SUBSTITUTED[substituted]):
        if k == "1.num_batches_tracked":
            given[k] = torch.tensor(7, device=device)
        elif k in ("1.running_mean", "1.running_var"):
            given[k] = data(own[k].shape, 20 + i, device).abs() + 0.5
        else:
            given[k] = data(own[k].shape, 20 + i, device).requires_grad_()
    given_before = {k: v.detach().clone() for k, v in given.items()}
    used = {k: np64(given_before[k] if k in given else before[k]) for k in own if k != "1.num_batches_tracked"}
    x = data((4, 3), 1, device)
    out = torch.func.functional_call(m, given, (x,))
    hidden = linear_by_sums(np64(x), used["0.weight"], used["0.bias"])
    formula, want_rm, want_rv = batch_norm_by_formula(hidden, used["1.running_mean"], used["1.running_var"], used["1.weight"], used["1.bias"], training, 0.1, 1e-5)
    assert_maths(out, formula, f"functional_call(m, {substituted}) in {'train' if training else 'eval'} vs the maths on the given tensors")
    for k, t in own.items():
        assert m.state_dict(keep_vars=True)[k] is t, f"m.{k} is another tensor after functional_call, but should be the module's own"
        if k in given or k.startswith("0.") or k in ("1.weight", "1.bias") or not training:
            assert_same(t.detach(), before[k], f"the module's own {k} after functional_call({substituted})")
    moved = given if "1.running_mean" in given else own
    if training:
        assert_maths(moved["1.running_mean"], want_rm, f"{'given' if moved is given else 'own'} running_mean after a training functional_call")
        assert_maths(moved["1.running_var"], want_rv, f"{'given' if moved is given else 'own'} running_var after a training functional_call")
    out.sum().backward()
    for k, t in given.items():
        if t.requires_grad:
            assert t.grad is not None, f"the given {k} got no gradient from functional_call's output"
    for k, t in own.items():
        if t.requires_grad:
            assert (t.grad is None) is (k in given), f"the module's own {k}.grad is {'None' if t.grad is None else 'set'}, but only the tensors it ran with get one"


RMS_NORM = (
    "torch 2.4 added nn.RMSNorm and F.rms_norm (https://github.com/pytorch/pytorch/pull/121364, 'will be available in 2.4'; "
    "https://github.com/pytorch/pytorch/releases/tag/v2.4.0); checked: absent on 2.3.1, present on 2.4.1, 2.14.1 and 2.15.0"
)


@pytest.mark.torch_version(">=2.4", reason=RMS_NORM)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("eps", [None, 1e-3], ids=["eps=None", "eps=1e-3"])
@pytest.mark.parametrize("normalized_shape", [(4,), (3, 4)], ids=["last_dim", "last_two_dims"])
def test_rmsnorm_equals_f_rms_norm_and_the_root_mean_square_formula(device, normalized_shape, eps, dtype):
    """From torch 2.4, nn.RMSNorm(normalized_shape, eps)(x) equals F.rms_norm(x, normalized_shape, m.weight, m.eps) and x / sqrt(mean(x^2 over the normalized dims) + eps) * weight, with eps=None meaning torch.finfo(x.dtype).eps; no mean is subtracted.

    Ranges over normalizing the last dim and the last two, eps None and 1e-3, float32 and float64,
    and the module without its weight (``elementwise_affine=False``: no parameters); x is (2, 3, 4),
    one row scaled to 1e-3 so eps matters. The oracle is the formula in float64 numpy.
    """
    x = data((2, 3, 4), 0, device, dtype, scale=2.0) * torch.tensor([1.0, 1e-3], dtype=dtype, device=device)[:, None, None]
    axes = tuple(range(-len(normalized_shape), 0))
    e = torch.finfo(dtype).eps if eps is None else eps
    a = np64(x)
    rms = np.sqrt((a * a).mean(axis=axes, keepdims=True) + e)
    for affine in (True, False):
        m = nn.RMSNorm(normalized_shape, eps=eps, elementwise_affine=affine, device=device, dtype=dtype)
        if affine:
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
        assert {n for n, _ in m.named_parameters()} == ({"weight"} if affine else set()), f"nn.RMSNorm(elementwise_affine={affine}) parameters {[n for n, _ in m.named_parameters()]}"
        out = m(x)
        assert_same(out, F.rms_norm(x, normalized_shape, m.weight, m.eps), f"nn.RMSNorm({normalized_shape}, eps={eps}, elementwise_affine={affine}) vs F.rms_norm")
        weight = np64(m.weight) if affine else 1.0
        assert_maths(out, a / rms * weight, f"nn.RMSNorm({normalized_shape}, eps={eps}, elementwise_affine={affine}) on {dtype} vs x / sqrt(mean(x^2) + {e:g}) * weight")


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.4", reason=RMS_NORM)
def test_rmsnorm_and_f_rms_norm_do_not_exist_before_2_4():
    """Before torch 2.4 neither nn.RMSNorm nor F.rms_norm exists (write x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight yourself)."""
    assert not hasattr(nn, "RMSNorm") and not hasattr(F, "rms_norm"), f"torch {torch.__version__}: nn.RMSNorm / F.rms_norm exist, but should not before 2.4"


NN_BUFFER = (
    "torch 2.5 added torch.nn.Buffer, assigned like nn.Parameter to register a buffer (pytorch#125971, fixing #35735; "
    "https://github.com/pytorch/pytorch/releases/tag/v2.5.0); checked: absent on 2.4.1, present on 2.5.1, 2.14.1 and 2.15.0"
)


class _Buffered(nn.Module):
    """A Linear(2, 2) with two buffers, ``kept`` (persistent) and ``scratch`` (persistent=False), registered by ``form``."""

    def __init__(self, form):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        if form == "nn.Buffer":
            self.kept = nn.Buffer(torch.ones(3))
            self.scratch = nn.Buffer(torch.full((3,), 2.0), persistent=False)
        else:
            self.register_buffer("kept", torch.ones(3))
            self.register_buffer("scratch", torch.full((3,), 2.0), persistent=False)


@pytest.mark.parametrize("form", ["register_buffer", pytest.param("nn.Buffer", marks=pytest.mark.torch_version(">=2.5", reason=NN_BUFFER))])
def test_non_persistent_buffers_follow_the_module_but_stay_out_of_its_state_dict(device, form):
    """A buffer registered with persistent=False is in named_buffers() and follows .to(device, dtype) like a persistent one, but is left out of state_dict(), and a strict load_state_dict neither needs nor touches it; neither kind is a parameter.

    Ranges over ``register_buffer(name, t, persistent=...)`` and, from torch 2.5, assigning
    ``nn.Buffer(t, persistent=...)``, on a module with a Linear and one buffer of each kind.
    """
    m = _Buffered(form).to(device, torch.float64)
    assert {n for n, _ in m.named_buffers()} == {"kept", "scratch"}, f"{form}: named_buffers {[n for n, _ in m.named_buffers()]}"
    assert {n for n, _ in m.named_parameters()} == {"linear.weight", "linear.bias"}, f"{form}: named_parameters {[n for n, _ in m.named_parameters()]}"
    assert set(m.state_dict()) == {"linear.weight", "linear.bias", "kept"}, f"{form}: state_dict keys {sorted(m.state_dict())}, but should leave 'scratch' out"
    for n in ("kept", "scratch"):
        t = getattr(m, n)
        assert t.device.type == device.type and t.dtype == torch.float64, f"{form}: buffer {n} is {t.dtype} on {t.device} after .to({device}, float64)"
    fresh = _Buffered(form).to(device, torch.float64)
    with torch.no_grad():
        fresh.scratch.fill_(5.0)
        m.kept.fill_(3.0)
    result = fresh.load_state_dict(m.state_dict(), strict=True)
    assert not result.missing_keys and not result.unexpected_keys, f"{form}: strict load_state_dict reported {result}"
    assert_same(fresh.kept, m.kept, f"{form}: the persistent buffer after load_state_dict")
    assert_same(fresh.scratch, torch.full((3,), 5.0, dtype=torch.float64, device=device), f"{form}: the non-persistent buffer after load_state_dict")


@pytest.mark.device_independent
@pytest.mark.torch_version("<2.5", reason=NN_BUFFER)
def test_nn_buffer_does_not_exist_before_2_5():
    """Before torch 2.5 there is no torch.nn.Buffer: register_buffer(name, tensor, persistent=...) is the only way to register a buffer."""
    assert not hasattr(nn, "Buffer"), f"torch {torch.__version__}: torch.nn.Buffer exists, but should not before 2.5"


# --- release history, round 4 (release notes 2.10-2.15)

SOFTMAX_DIM_CHECK = (
    "torch 2.14 made nn.Softmax and nn.LogSoftmax check dim when they are built (pytorch#185055, for pytorch#133750 "
    "'Softmax() returns a wrong error message'; https://github.com/pytorch/pytorch/releases/tag/v2.14.0): a dim that "
    "is not an int or None (a bool, a float) raises TypeError 'dim must be an int or None'; before, the module was "
    "built and only its call failed, with the same TypeError F.softmax / F.log_softmax raise for that dim. "
    "nn.Softmin got no check (still built on 2.15.0). Checked: built, TypeError at the call, on 2.0.1, 2.12.1 and 2.13.0; "
    "TypeError at construction on 2.14.1 and 2.15.0"
)
#: the modules with a dim checked from 2.14, and the functional each one calls
DIM_CHECKED = {"Softmax": (nn.Softmax, F.softmax), "LogSoftmax": (nn.LogSoftmax, F.log_softmax)}
BAD_DIMS = {"bool": True, "float": 1.0}


@pytest.mark.torch_version("<2.14", reason=SOFTMAX_DIM_CHECK)
@pytest.mark.parametrize("bad", list(BAD_DIMS))
@pytest.mark.parametrize("name", list(DIM_CHECKED))
def test_softmax_modules_with_a_non_int_dim_fail_only_when_called_before_2_14(device, name, bad):
    """Before torch 2.14, nn.Softmax / nn.LogSoftmax built with a non-int dim (a bool, a float) are built; calling one raises the TypeError its functional raises for that dim.

    Over the two modules and a bool and a float dim, on a 2 x 3 float32 input.
    """
    make, functional = DIM_CHECKED[name]
    dim = BAD_DIMS[bad]
    layer = make(dim=dim)
    x = torch.randn(2, 3, device=device)
    with raises(TypeError, r"dim|argument", f"{functional.__name__}(x, dim={dim!r})"):
        functional(x, dim=dim)
    with raises(TypeError, r"dim|argument", f"nn.{name}(dim={dim!r})(x)"):
        layer(x)


@pytest.mark.torch_version(">=2.14", reason=SOFTMAX_DIM_CHECK)
@pytest.mark.parametrize("bad", list(BAD_DIMS))
@pytest.mark.parametrize("name", list(DIM_CHECKED))
def test_softmax_modules_refuse_a_non_int_dim_when_built_from_2_14(device, name, bad):
    """From torch 2.14, building nn.Softmax / nn.LogSoftmax with a dim that is not an int or None raises TypeError 'dim must be an int or None'; an int dim builds a module that equals its functional.

    Over the two modules and a bool and a float dim; the int-dim module is checked against the
    functional on a 2 x 3 float32 input.
    """
    make, functional = DIM_CHECKED[name]
    dim = BAD_DIMS[bad]
    with raises(TypeError, r"dim must be an int or None", f"nn.{name}(dim={dim!r})"):
        make(dim=dim)
    x = torch.randn(2, 3, device=device)
    assert_same(make(dim=1)(x), functional(x, dim=1), f"nn.{name}(dim=1)(x)")
