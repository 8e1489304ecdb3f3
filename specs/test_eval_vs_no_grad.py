"""model.eval() vs torch.no_grad(): two independent switches.

``model.eval()`` flips the ``training`` flag of the model's modules; only layers that read it
(Dropout, BatchNorm, ...) compute differently. It does nothing to autograd: an eval-mode model still
records a graph, its outputs require grad, and ``backward()`` fills the parameters' ``.grad``.

``torch.no_grad()`` (and the stricter ``torch.inference_mode()``) switches autograd off for the code
inside the block: no graph is recorded and outputs do not require grad. It knows nothing about
modules: a model in training mode still drops activations and BatchNorm still normalizes with batch
statistics and updates its running statistics under ``no_grad`` or ``inference_mode``.

So the two switches form a 2x2 table -- grad mode alone decides whether a graph is built, the
training flag alone decides how the layers behave -- and evaluating a model needs both:
``model.eval()`` for deterministic outputs and untouched running statistics, ``no_grad()`` /
``inference_mode()`` for no graph (less memory, faster).

Folklore corrected: the source note (section 4) describes the two correctly, but its section 5 says
``model.eval()`` "does not compute gradients" -- it does; only grad mode stops autograd.
"""

from __future__ import annotations

import contextlib
import copy

import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

from specs.helpers import assert_same, seeded

# --------------------------------------------------------------------------- private helpers


def net(p: float, device) -> nn.Module:
    """Linear -> BatchNorm1d -> ReLU -> Dropout(p) -> Linear, on ``device``, in training mode."""
    return nn.Sequential(nn.Linear(6, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(p), nn.Linear(32, 3)).to(device)


def inputs(batch: int, seed: int, device):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(batch, 6, generator=g) * 2 + 1).to(device)


def buffers(model):
    return {k: v.clone() for k, v in model.named_buffers()}


def assert_buffers(model, before, changed: bool, claim: str):
    __tracebackhide__ = True
    for name, value in model.named_buffers():
        same = torch.equal(value, before[name])
        assert same != changed, (
            f"{name} {'did not change' if same else 'changed'} ({before[name].flatten()[:3].tolist()} -> "
            f"{value.flatten()[:3].tolist()}), but should {'change' if changed else 'stay'} [{claim}]"
        )


GRAD_MODES = {"grad": contextlib.nullcontext, "no_grad": lambda: torch.no_grad(), "inference_mode": lambda: torch.inference_mode()}

# Bounded sizes: a batch of 2..16 rows through a 32-wide hidden layer keeps each call well under a
# millisecond while giving Dropout 64..512 activations to drop.
batches = st.integers(2, 16)
ps = st.floats(0.2, 0.8)
seeds = st.integers(0, 2**32 - 1)


# --------------------------------------------------------------------------- the 2x2 table


@pytest.mark.parametrize("grad", ["grad", "no_grad"])
@pytest.mark.parametrize("mode", ["train", "eval"])
@given(batch=batches, p=ps, seed=seeds)
def test_grad_mode_alone_decides_the_graph_and_training_flag_alone_decides_the_layers(device, mode, grad, batch, p, seed):
    """In all four {train, eval} x {grad, no_grad} cells, only grad mode decides the graph and only the training flag decides Dropout/BatchNorm.

    Expected per cell: output requires grad iff grad is enabled; running stats change and two calls
    differ (dropout masks) iff the model is in training mode.
    """
    claim = f"grad mode decides the graph, training flag decides the layers [{mode} x {grad}], device={device}"
    model = net(p, device)
    model.train() if mode == "train" else model.eval()
    x = inputs(batch, seed, device)
    before = buffers(model)
    with GRAD_MODES[grad](), seeded(device, seed):
        a, b = model(x), model(x)
    assert a.requires_grad == (grad == "grad"), f"out.requires_grad={a.requires_grad} [{claim}]"
    assert (a.grad_fn is not None) == (grad == "grad"), f"out.grad_fn={a.grad_fn} [{claim}]"
    assert_buffers(model, before, changed=(mode == "train"), claim=claim)
    differ = not torch.equal(a, b)
    assert differ == (mode == "train"), f"two calls {'differ' if differ else 'are equal'} [{claim}]"


@given(batch=batches, p=ps, seed=seeds)
@example(batch=4, p=0.5, seed=0)
def test_eval_does_not_disable_autograd(device, batch, p, seed):
    """An eval()-mode model still builds a graph: outputs require grad and backward() fills every parameter's grad."""
    claim = f"eval() does not disable autograd, device={device}"
    model = net(p, device).eval()
    out = model(inputs(batch, seed, device))
    assert out.requires_grad and out.grad_fn is not None, (
        f"out.requires_grad={out.requires_grad}, grad_fn={out.grad_fn}, but should record a graph [{claim}]"
    )
    out.square().sum().backward()
    missing = [n for n, prm in model.named_parameters() if prm.grad is None]
    assert not missing, f"no .grad on {missing} after backward() [{claim}]"


@given(batch=batches, p=ps, seed=seeds)
def test_no_grad_does_not_turn_off_dropout(device, batch, p, seed):
    """Under no_grad a training-mode Dropout still drops, with exactly the mask it uses when grad is enabled."""
    claim = f"no_grad does not change Dropout in training mode, p={p}, device={device}"
    drop = nn.Dropout(p).to(device)
    x = torch.rand(batch, 64, device=device) + 1.0
    with seeded(device, seed):
        with_grad = drop(x)
    with seeded(device, seed), torch.no_grad():
        without = drop(x)
    assert (without == 0).any(), f"nothing dropped out of {x.numel()} elements under no_grad [{claim}]"
    assert_same(without, with_grad, claim)


@given(batch=batches, seed=seeds, momentum=st.floats(0.05, 1.0))
def test_no_grad_does_not_stop_batchnorm_from_using_batch_stats_and_updating_running_stats(device, batch, seed, momentum):
    """Under no_grad a training-mode BatchNorm normalizes with batch stats and updates its running stats, exactly as with grad enabled."""
    claim = f"no_grad does not change BatchNorm in training mode, device={device}"
    bn = nn.BatchNorm1d(6, momentum=momentum).to(device)
    twin = copy.deepcopy(bn)
    x = inputs(batch, seed, device)
    before = buffers(bn)
    with torch.no_grad():
        out = bn(x)
    expected = twin(x).detach()
    assert_buffers(bn, before, changed=True, claim=claim)
    for name, value in twin.named_buffers():
        assert_same(dict(bn.named_buffers())[name], value, f"{name}: {claim}")
    assert_same(out, expected, claim)


@pytest.mark.parametrize("grad", ["no_grad", "inference_mode"])
@given(batch=batches, p=ps, seed=seeds)
@example(batch=4, p=0.5, seed=0)
def test_eval_plus_no_grad_gives_deterministic_graph_free_outputs_and_leaves_running_stats(device, grad, batch, p, seed):
    """eval() together with no_grad() or inference_mode() gives deterministic outputs, no graph, and unchanged running stats."""
    claim = f"eval() + {grad}() is deterministic, graph-free, leaves running stats, device={device}"
    model = net(p, device)
    model(inputs(8, seed + 1, device))  # one training step so the running stats are not the defaults
    model.eval()
    x = inputs(batch, seed, device)
    reference = model(x).detach()
    before = buffers(model)
    with GRAD_MODES[grad]():
        a, b = model(x), model(x)
    assert_same(a, b, f"two calls differ: {claim}")
    assert_same(a, reference, f"differs from the grad-enabled eval output: {claim}")
    assert not a.requires_grad and a.grad_fn is None, f"out.requires_grad={a.requires_grad}, grad_fn={a.grad_fn} [{claim}]"
    assert a.is_inference() == (grad == "inference_mode"), f"out.is_inference()={a.is_inference()} [{claim}]"
    assert_buffers(model, before, changed=False, claim=claim)


@given(batch=batches, p=ps, seed=seeds)
def test_inference_mode_does_not_call_eval(device, batch, p, seed):
    """inference_mode() leaves a training-mode model in training mode: Dropout still drops and BatchNorm still uses and updates batch stats.

    Inside the block the model computes exactly its training-mode output (same seed, same dropout
    mask), which is not its eval-mode output.
    """
    claim = f"inference_mode does not call eval(), device={device}"
    model = net(p, device)
    twin, evaluated = copy.deepcopy(model), copy.deepcopy(model).eval()
    x = inputs(batch, seed, device)
    before = buffers(model)
    with torch.inference_mode(), seeded(device, seed):
        out = model(x)
    with seeded(device, seed):
        expected = twin(x).detach()
    switched = [n or "<root>" for n, m in model.named_modules() if not m.training]
    assert not switched, f"modules switched to eval inside inference_mode: {switched} [{claim}]"
    assert_same(out.clone(), expected, f"not the training-mode output: {claim}")
    assert not torch.equal(out, evaluated(x)), f"equals the eval-mode output [{claim}]"
    assert_buffers(model, before, changed=True, claim=claim)
