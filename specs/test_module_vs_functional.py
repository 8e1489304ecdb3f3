"""torch.nn modules vs torch.nn.functional: the same maths, different owners of state.

``torch.nn.functional`` (``F``) holds stateless functions: ``F.linear(x, weight, bias)``,
``F.conv2d(x, weight, bias, stride, padding, dilation, groups)``, ``F.relu(x)``,
``F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)``,
``F.dropout(x, p, training)``. Everything they use is passed in by the caller.

A ``torch.nn`` module (``nn.Linear``, ``nn.Conv2d``, ``nn.ReLU``, ``nn.BatchNorm2d``, ``nn.Dropout``
...) *owns* that state -- parameters and buffers, registered so that ``parameters()``,
``state_dict()`` and ``.to(device)`` see them -- plus its ``training`` flag, and its ``forward``
simply calls the functional with them. So a module's output equals the functional call made with
the module's own parameters, hyper-parameters and ``training=module.training``.

The pitfall is the ``training`` argument when you call a functional inside your own module:
``F.dropout(x, p)`` defaults to ``training=True`` and keeps dropping after ``model.eval()`` unless
you pass ``training=self.training``; ``F.batch_norm`` defaults to ``training=False`` and uses the
running statistics you pass.

Folklore corrected: the source note (section 8) warns that ``torch.nn.functional`` "may be removed
in the next version" and recommends using only ``torch.nn`` modules. ``torch.nn.functional`` is a
documented, supported API that the modules themselves call; these functions raise no deprecation
warning. (What was once deprecated were the aliases ``F.sigmoid`` / ``F.tanh`` in favour of
``torch.sigmoid`` / ``torch.tanh``; the functional namespace itself never was.)
"""

from __future__ import annotations

import inspect
import warnings
from unittest import mock

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

from specs.helpers import assert_same, seeded

# --------------------------------------------------------------------------- private helpers


def data(shape, seed: int, device, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=dtype) * 2).to(device)


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
def test_linear_equals_f_linear_with_its_parameters(device, inp, out, batch, bias, dtype, seed):
    """nn.Linear(x) equals F.linear(x, m.weight, m.bias)."""
    m = nn.Linear(inp, out, bias=bias, device=device, dtype=dtype)
    x = data((*batch, inp), seed, device, dtype)
    assert_same(m(x), F.linear(x, m.weight, m.bias), f"Linear == F.linear(x, w, b), device={device}")


@given(
    groups=st.integers(1, 3), cin=st.integers(1, 2), cout=st.integers(1, 2), k=st.integers(1, 3),
    stride=st.integers(1, 2), padding=st.integers(0, 2), dilation=st.integers(1, 2),
    bias=st.booleans(), seed=seeds,
)
@example(groups=2, cin=2, cout=1, k=3, stride=2, padding=1, dilation=2, bias=True, seed=0)
def test_conv2d_equals_f_conv2d_with_its_parameters_and_hyperparameters(device, groups, cin, cout, k, stride, padding, dilation, bias, seed):
    """nn.Conv2d(x) equals F.conv2d(x, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups)."""
    m = nn.Conv2d(groups * cin, groups * cout, k, stride, padding, dilation, groups, bias=bias, device=device)
    x = data((2, groups * cin, 9, 8), seed, device)
    expected = F.conv2d(x, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups)
    assert_same(m(x), expected, f"Conv2d == F.conv2d with its stride/padding/dilation/groups, device={device}")


@given(x=st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1, max_size=40), inplace=st.booleans())
@example(x=[-2.0, -0.0, 0.0, 0.5, 3.0], inplace=False)
def test_relu_equals_f_relu(device, x, inplace):
    """nn.ReLU(x) equals F.relu(x) (also with inplace=True, which both apply to x itself)."""
    claim = f"ReLU == F.relu, inplace={inplace}, device={device}"
    a, b = torch.tensor(x, device=device), torch.tensor(x, device=device)
    out_module, out_functional = nn.ReLU(inplace=inplace)(a), F.relu(b, inplace=inplace)
    assert_same(out_module, out_functional, claim)
    assert_same(a, b, f"inputs after the call differ: {claim}")
    if inplace:
        assert out_module is a and out_functional is b, f"inplace=True returned a new tensor [{claim}]"


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@given(n=st.integers(2, 5), c=st.integers(1, 4), momentum=momenta, seed=seeds)
@example(n=4, c=3, momentum=0.3, seed=0)
def test_batchnorm_equals_f_batch_norm_with_its_buffers_and_training_flag(device, training, n, c, momentum, seed):
    """nn.BatchNorm2d(x) equals F.batch_norm(x, running_mean, running_var, weight, bias, training=m.training, momentum, eps), buffer updates included."""
    claim = f"BatchNorm == F.batch_norm(..., training=m.training), training={training}, device={device}"
    m = nn.BatchNorm2d(c, momentum=momentum, device=device).train(training)
    with torch.no_grad():
        m.weight.uniform_(0.5, 1.5), m.bias.uniform_(-1, 1)
        m.running_mean.uniform_(-1, 1), m.running_var.uniform_(0.5, 2)
    rm, rv = m.running_mean.clone(), m.running_var.clone()
    x = data((n, c, 3, 2), seed, device)
    expected = F.batch_norm(x, rm, rv, m.weight, m.bias, training=m.training, momentum=m.momentum, eps=m.eps)
    assert_same(m(x), expected, claim)
    assert_same(m.running_mean, rm, f"running_mean: {claim}")
    assert_same(m.running_var, rv, f"running_var: {claim}")


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@given(p=ps, shape=st.sampled_from([(5,), (4, 6), (2, 3, 5)]), seed=seeds)
@example(p=0.5, shape=(4, 6), seed=0)
def test_dropout_equals_f_dropout_with_its_p_and_training_flag(device, training, p, shape, seed):
    """nn.Dropout(p)(x) equals F.dropout(x, p, training=m.training) under the same seed."""
    m = nn.Dropout(p).train(training)
    x = data(shape, seed, device)
    with seeded(device, seed):
        out = m(x)
    with seeded(device, seed):
        expected = F.dropout(x, p, training=m.training)
    assert_same(out, expected, f"Dropout == F.dropout(x, p, training=m.training), training={training}, device={device}")


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
    claim = f"modules own parameters/buffers, functionals hold none [{name}], device={device}"
    make, params, bufs = OWNED[name]
    m = make().to(device, dtype)
    assert {n for n, _ in m.named_parameters()} == params, f"parameters: {dict(m.named_parameters()).keys()} [{claim}]"
    assert {n for n, _ in m.named_buffers()} == bufs, f"buffers: {dict(m.named_buffers()).keys()} [{claim}]"
    assert set(m.state_dict()) == params | bufs, f"state_dict keys {set(m.state_dict())} [{claim}]"
    for n, t in [*m.named_parameters(), *m.named_buffers()]:
        want = torch.int64 if n == "num_batches_tracked" else dtype  # .to(dtype) only converts floating tensors
        assert t.device.type == device.type and t.dtype == want, f"{n} is {t.dtype} on {t.device} after .to({device}, {dtype}) [{claim}]"


@given(p=st.floats(0.2, 0.8), seed=seeds)
def test_f_dropout_defaults_to_training_true_and_keeps_dropping_after_eval(device, p, seed):
    """F.dropout(x, p) defaults to training=True, so inside a module it keeps dropping after eval() unless you pass training=self.training."""
    claim = f"F.dropout defaults to training=True and ignores eval(), device={device}"

    class Naive(nn.Module):
        def forward(self, x):
            return F.dropout(x, p)

    class Correct(nn.Module):
        def forward(self, x):
            return F.dropout(x, p, training=self.training)

    assert inspect.signature(F.dropout).parameters["training"].default is True, f"signature {inspect.signature(F.dropout)} [{claim}]"
    x = torch.rand(256, device=device) + 1.0
    with seeded(device, seed):
        naive = Naive().eval()(x)
    assert (naive == 0).any() and not torch.equal(naive, x), f"Naive module in eval did not drop [{claim}]"
    assert_same(Correct().eval()(x), x, f"training=self.training in eval should be the identity: {claim}")


@given(n=st.integers(2, 5), c=st.integers(1, 4), seed=seeds)
def test_f_batch_norm_defaults_to_training_false_and_uses_the_running_stats(device, n, c, seed):
    """F.batch_norm(x, running_mean, running_var) defaults to training=False: it normalizes with the given running stats and leaves them unchanged."""
    claim = f"F.batch_norm defaults to training=False, device={device}"
    x = data((n, c, 4), seed, device, torch.float64)
    rm, rv = data(c, seed + 1, device, torch.float64), data(c, seed + 2, device, torch.float64).abs() + 0.5
    before = rm.clone(), rv.clone()
    out = F.batch_norm(x, rm, rv)
    expected = (x - rm[:, None]) / torch.sqrt(rv[:, None] + 1e-5)
    torch.testing.assert_close(out, expected, msg=lambda m: f"{m}\n[{claim}]")
    assert_same(rm, before[0], f"running_mean changed: {claim}")
    assert_same(rv, before[1], f"running_var changed: {claim}")


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
    claim = f"{name} calls F.{SPIED[name][1]} underneath, training={training}, device={device}"
    make, fname, shape, expect = SPIED[name]
    m = make(device).train(training)
    x = torch.randn(shape, device=device)
    with mock.patch.object(F, fname, wraps=getattr(F, fname)) as spy:
        m(x)
    # The first recorded call is the module's own; a torch-function mode (e.g. the one
    # torch.set_default_device installs) re-dispatches through F and may record it again.
    assert spy.called, f"F.{fname} was never called [{claim}]"
    first = spy.call_args_list[0]
    assert call_arg(first, 0, "input") is x, f"F.{fname} was not called on the input [{claim}]"
    index = {"batch_norm": 5, "dropout": 2}.get(fname)
    for key, value in expect(m).items():
        got = call_arg(first, index, key)
        assert got == value, f"F.{fname} got {key}={got}, but should be {value} [{claim}]"


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
    claim = f"torch.nn.functional.{fname} is documented and not deprecated, device={device}"
    fn = getattr(torch.nn.functional, fname)
    assert (fn.__doc__ or "").strip(), f"F.{fname} has no documentation [{claim}]"
    x = torch.randn(6, device=device)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        FUNCTIONAL_CALLS[fname](x)
    deprecations = [
        str(w.message) for w in caught
        if issubclass(w.category, (DeprecationWarning, FutureWarning, PendingDeprecationWarning))
        or "deprecat" in str(w.message).lower() or "removed" in str(w.message).lower()
    ]
    assert not deprecations, f"F.{fname} warned {deprecations} [{claim}]"
