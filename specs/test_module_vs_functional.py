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

* ``torch.nn.functional`` is a documented, supported API that the modules themselves call; its
  functions raise no deprecation warning. (From 0.4.1 (pytorch#8748) through the 1.x releases the
  aliases ``F.sigmoid`` / ``F.tanh`` warned in favour of ``torch.sigmoid`` / ``torch.tanh``; from
  2.0 on they do not, and the namespace itself never was deprecated.)
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
"""

from __future__ import annotations

import inspect
import itertools
import re
import warnings
from unittest import mock

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

import numpy as np
from specs.helpers import assert_device, assert_same, data, exact_kernels, seeded, torch_at_least

# --------------------------------------------------------------------------- private helpers


#: Tolerances of a float32 / float64 result against the same maths done in float64 numpy.
TOL = {torch.float32: {"rtol": 1e-4, "atol": 1e-4}, torch.float64: {"rtol": 1e-10, "atol": 1e-10}}


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


def conv2d_by_sums(x, w, b, stride, padding, dilation, groups):
    """The convolution sum written out (float64): out[n, o, y, z] = b[o] + sum over the input
    channels c of o's group and kernel taps (i, j) of w[o, c, i, j] * xpad[n, g*cin + c,
    y*stride + i*dilation, z*stride + j*dilation]."""
    n, _, h, wd = x.shape
    cout_total, cin, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    wo = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n, cout_total, ho, wo))
    cout = cout_total // groups
    for o in range(cout_total):
        g = o // cout
        for c in range(cin):
            for i in range(kh):
                for j in range(kw):
                    y0, z0 = i * dilation, j * dilation
                    patch = xp[:, g * cin + c, y0 : y0 + stride * (ho - 1) + 1 : stride, z0 : z0 + stride * (wo - 1) + 1 : stride]
                    out[:, o] += w[o, c, i, j] * patch
        if b is not None:
            out[:, o] += b[o]
    return out


seeds = st.integers(0, 2**32 - 1)
dtypes = st.sampled_from([torch.float32, torch.float64])
ps = st.floats(0.0, 1.0)
momenta = st.floats(0.01, 1.0)
# Bounded sizes: features and channels up to 8, spatial sides up to 9 -- every stride/padding/
# dilation/groups combination below fits, and each call takes microseconds.
feats = st.integers(1, 8)


# --------------------------------------------------------------------------- module == functional


@given(inp=feats, out=feats, batch=st.lists(st.integers(0, 3), max_size=2), bias=st.booleans(), dtype=dtypes, seed=seeds)
@example(inp=3, out=2, batch=[4], bias=True, dtype=torch.float32, seed=0)
@example(inp=2, out=3, batch=[2, 3], bias=True, dtype=torch.float64, seed=1)
def test_linear_equals_f_linear_with_its_parameters(device, inp, out, batch, bias, dtype, seed):
    """nn.Linear(x) equals F.linear(x, m.weight, m.bias), and both compute x @ W.T + b."""
    m = nn.Linear(inp, out, bias=bias, device=device, dtype=dtype)
    x = data((*batch, inp), seed, device, dtype, scale=2.0)
    with exact_kernels():
        out_module, out_functional = m(x), F.linear(x, m.weight, m.bias)
    assert_same(out_module, out_functional, "nn.Linear(x) vs F.linear(x, m.weight, m.bias)")
    assert_maths(out_functional, linear_by_sums(np64(x), np64(m.weight), np64(m.bias)), "F.linear(x, W, b) vs x @ W.T + b in float64")


@given(
    groups=st.integers(1, 3), cin=st.integers(1, 2), cout=st.integers(1, 2), k=st.integers(1, 3),
    stride=st.integers(1, 2), padding=st.integers(0, 2), dilation=st.integers(1, 2),
    bias=st.booleans(), dtype=dtypes, seed=seeds,
)
@example(groups=2, cin=2, cout=1, k=3, stride=2, padding=1, dilation=2, bias=True, dtype=torch.float32, seed=0)
@example(groups=1, cin=2, cout=2, k=2, stride=1, padding=0, dilation=1, bias=True, dtype=torch.float64, seed=1)
def test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters(device, groups, cin, cout, k, stride, padding, dilation, bias, dtype, seed):
    """nn.Conv2d(x) equals F.conv2d(x, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups), and both compute the convolution sum with that stride, padding, dilation and groups.

    In float32 and float64 (module and input of the same dtype); the sum is done in float64 numpy.
    """
    m = nn.Conv2d(groups * cin, groups * cout, k, stride, padding, dilation, groups, bias=bias, device=device, dtype=dtype)
    x = data((2, groups * cin, 9, 8), seed, device, dtype, scale=2.0)
    with exact_kernels():
        out_module = m(x)
        expected = F.conv2d(x, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups)
    assert_same(out_module, expected, "nn.Conv2d(x) vs F.conv2d(x, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups)")
    by_sums = conv2d_by_sums(np64(x), np64(m.weight), np64(m.bias), stride, padding, dilation, groups)
    assert_maths(expected, by_sums, f"F.conv2d(stride={stride}, padding={padding}, dilation={dilation}, groups={groups}) vs the convolution sum")


#: torch 2.0 has no cpu float16 kernel for relu (RuntimeError: "clamp_min_scalar_cpu" not implemented
#: for 'Half'); checked: it raises on 2.0.1 and works on 2.2.2 and later (2.1 not checked).
RELU_DTYPES = [*([torch.float16] if torch_at_least("2.1") else []), torch.bfloat16, torch.float32, torch.float64]


@given(x=st.lists(st.floats(allow_nan=True, allow_infinity=True, width=16), min_size=1, max_size=40),
       inplace=st.booleans(), dtype=st.sampled_from(RELU_DTYPES))
@example(x=[-2.0, -0.0, 0.0, 0.5, 3.0], inplace=False, dtype=torch.float32)
@example(x=[float("nan"), -float("inf"), float("inf"), -1e-3, 1e-3], inplace=True, dtype=torch.bfloat16)
@example(x=[-65504.0, -6e-08, 6e-08, 65504.0], inplace=False, dtype=torch.float64)
def test_relu_equals_f_relu(device, x, inplace, dtype):
    """nn.ReLU(x) equals F.relu(x) and max(x, 0) (NaN stays NaN); with inplace=True both write the result into x and return x itself.

    For every floating dtype (float16 from torch 2.1, bfloat16, float32, float64), values incl. +-0, +-inf and NaN.
    """
    a, b = torch.tensor(x, device=device, dtype=dtype), torch.tensor(x, device=device, dtype=dtype)
    v = a.double().cpu().numpy()  # the input as stored in dtype, exactly
    by_maths = torch.from_numpy(np.where(np.isnan(v) | (v > 0), v, 0.0)).to(device, dtype)
    out_module, out_functional = nn.ReLU(inplace=inplace)(a), F.relu(b, inplace=inplace)
    assert_same(out_module, out_functional, f"nn.ReLU(inplace={inplace})(x) vs F.relu(x, inplace={inplace})")
    assert_same(out_functional, by_maths, f"F.relu(x, inplace={inplace}) on {dtype} vs max(x, 0)")
    assert_same(a, b, f"x after nn.ReLU(inplace={inplace}) vs x after F.relu")
    if inplace:
        assert out_module is a and out_functional is b, (
            f"inplace=True returned a new tensor: nn.ReLU result is x: {out_module is a}, F.relu result is x: {out_functional is b}"
        )


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@given(n=st.integers(2, 5), c=st.integers(1, 4), momentum=momenta, dtype=dtypes, seed=seeds)
@example(n=4, c=3, momentum=0.3, dtype=torch.float32, seed=0)
@example(n=2, c=1, momentum=1.0, dtype=torch.float64, seed=1)
def test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag(device, training, n, c, momentum, dtype, seed):
    """nn.BatchNorm2d(x) equals F.batch_norm(x, running_mean, running_var, weight, bias, training=m.training, momentum, eps), buffer updates included, and both follow the batch-norm formula.

    The formula: in training, ``(x - mean) / sqrt(var + eps) * weight + bias`` with the batch's
    per-channel mean and biased variance, and the running stats move by ``momentum`` towards the
    batch mean and the *unbiased* batch variance; in eval, the running stats normalize and stay put.
    In float32 and float64 (module and input of the same dtype); the formula is done in float64 numpy.
    """
    m = nn.BatchNorm2d(c, momentum=momentum, device=device, dtype=dtype).train(training)
    with torch.no_grad():
        m.weight.uniform_(0.5, 1.5), m.bias.uniform_(-1, 1)
        m.running_mean.uniform_(-1, 1), m.running_var.uniform_(0.5, 2)
    rm, rv = m.running_mean.clone(), m.running_var.clone()
    rm0, rv0, w, b = np64(rm), np64(rv), np64(m.weight), np64(m.bias)
    x = data((n, c, 3, 2), seed, device, dtype, scale=2.0)
    with exact_kernels():
        out_module = m(x)
        expected = F.batch_norm(x, rm, rv, m.weight, m.bias, training=m.training, momentum=m.momentum, eps=m.eps)
    mode = "train" if training else "eval"
    assert_same(out_module, expected, f"nn.BatchNorm2d(x) in {mode} mode vs F.batch_norm(x, ...)")
    assert_same(m.running_mean, rm, "m.running_mean vs the running_mean F.batch_norm updated")
    assert_same(m.running_var, rv, "m.running_var vs the running_var F.batch_norm updated")
    xs = np64(x)
    count = xs.size // c
    if training:
        mean, var = xs.mean(axis=(0, 2, 3)), xs.var(axis=(0, 2, 3))
        want_rm = (1 - momentum) * rm0 + momentum * mean
        want_rv = (1 - momentum) * rv0 + momentum * var * count / (count - 1)
    else:
        mean, var, want_rm, want_rv = rm0, rv0, rm0, rv0
    ch = (None, slice(None), None, None)
    formula = (xs - mean[ch]) / np.sqrt(var[ch] + m.eps) * w[ch] + b[ch]
    assert_maths(expected, formula, f"F.batch_norm(x, ...) in {mode} mode vs (x - mean) / sqrt(var + eps) * weight + bias")
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


@pytest.mark.parametrize("name", list(OWNED))
@given(dtype=dtypes)
def test_modules_own_their_parameters_and_buffers_and_functionals_hold_none(device, name, dtype):
    """A module's parameters and buffers appear in parameters() and state_dict() and follow .to(device, dtype).

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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
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
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
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
