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

Freezing is a third, separate switch: ``model.requires_grad_(False)`` turns off ``requires_grad`` on every
parameter (not on buffers, and not the training flag), so backward fills no parameter's ``.grad``; the frozen
model still computes in the mode its flag says and still records the graph of an input that requires grad.
Grad modes and the training flag never set each other: entering ``no_grad`` leaves every ``.training`` alone,
and ``eval()`` leaves ``torch.is_grad_enabled()`` alone.

Where the two switches meet: ``nn.TransformerEncoder`` (and ``TransformerEncoderLayer``) take a "fast path"
-- a fused native kernel, with nested tensors for padded batches -- only when the model is in eval mode *and*
autograd cannot record (grad mode off, or nothing that requires grad: frozen parameters and input), as their
docs list. Its values match the ordinary path, except that with a key padding mask and
``enable_nested_tensor=True`` the padded positions come out as zeros instead of the values the ordinary path
computes for them: the one place in ``torch.nn`` where eval + no_grad together change an output.

Neither switch freezes a module's state either: ``nn.Embedding(max_norm=m)`` renormalizes the rows it
looks up, in place, on every forward -- after ``eval()``, under ``no_grad`` and under
``inference_mode`` alike.
"""

from __future__ import annotations

import contextlib
import copy
import warnings

import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

from specs.differential import NORMALIZING_TOLERANCE, Call, assert_compiles_like_eager
from specs.helpers import assert_same, data, exact_kernels, seeded
from specs.inputs import GRAD_MODES as _GRAD_MODES
from specs.inputs import MODULE_FORMS, budget, compile_budget, dtype_params, module_form

# --------------------------------------------------------------------------- private helpers


def net(p: float, device, seed: int = 0) -> nn.Module:
    """Linear -> BatchNorm1d -> ReLU -> Dropout(p) -> Linear, on ``device``, in training mode.

    The BatchNorm gets random affine parameters and running statistics (not the defaults 1, 0, 0, 1),
    so a BatchNorm that silently dropped its weight/bias or its running stats changes the output.
    """
    model = nn.Sequential(nn.Linear(6, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(p), nn.Linear(32, 3))
    randomize(model[1], seed)
    return model.to(device)


def randomize(bn: nn.modules.batchnorm._BatchNorm, seed: int):
    """Random non-default weight (around 1.5), bias, running_mean and positive running_var, drawn on cpu."""
    g = torch.Generator().manual_seed(seed ^ 0x5EED)
    c = bn.num_features
    with torch.no_grad():
        bn.weight.copy_(torch.rand(c, generator=g) + 1.0)
        bn.bias.copy_(torch.randn(c, generator=g) + 0.5)
        bn.running_mean.copy_(torch.randn(c, generator=g))
        bn.running_var.copy_(torch.rand(c, generator=g) * 2 + 0.5)
    return bn


def bn_formula(x, mean, var, eps, weight, bias):
    """The batch-norm formula written out, per channel (dim 1): (x - mean) / sqrt(var + eps) * w + b."""
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def inputs(batch: int, seed: int, device):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(batch, 6, generator=g) * 2 + 1).to(device)


def buffers(model):
    return {k: v.clone() for k, v in model.named_buffers()}


def assert_buffers(model, before, changed: bool, case: str = ""):
    """Every buffer changed (``changed=True``) or none did; ``case`` prefixes the message."""
    __tracebackhide__ = True
    for name, value in model.named_buffers():
        same = torch.equal(value, before[name])
        assert same != changed, (
            f"{case}{name} {'did not change' if same else 'changed'} ({before[name].flatten()[:3].tolist()} -> "
            f"{value.flatten()[:3].tolist()}), but should {'change' if changed else 'stay'}"
        )


GRAD_MODES = {"grad": contextlib.nullcontext, "no_grad": lambda: torch.no_grad(), "inference_mode": lambda: torch.inference_mode()}
#: no mode at all ("default", grad enabled) and every grad mode of specs/inputs.py: name -> (factory, grad, inference)
MODES = {"default": (contextlib.nullcontext, True, False), **_GRAD_MODES}

# Bounded sizes: a batch of 2..16 rows through a 32-wide hidden layer keeps each call well under a
# millisecond while giving Dropout 64..512 activations to drop.
batches = st.integers(2, 16)
ps = st.floats(0.2, 0.8)
seeds = st.integers(0, 2**32 - 1)


# --------------------------------------------------------------------------- the 2x2 table


#: the layers that read the training flag, with every input rank they accept: name -> (make(p), ranks)
LAYERS = {
    "Dropout": (lambda p: nn.Dropout(p), (1, 2, 3, 4)),
    "BatchNorm1d(N,C)": (lambda p: nn.BatchNorm1d(3, momentum=p), (2,)),
    "BatchNorm1d(N,C,L)": (lambda p: nn.BatchNorm1d(3, momentum=p), (3,)),
    "BatchNorm2d": (lambda p: nn.BatchNorm2d(3, momentum=p), (4,)),
    "BatchNorm3d": (lambda p: nn.BatchNorm3d(3, momentum=p), (5,)),
    "Dropout(inplace=True)": (lambda p: nn.Dropout(p, inplace=True), (1, 2, 3, 4)),
    "Dropout2d": (lambda p: nn.Dropout2d(p), (4,)),  # whole channels; each (1, 1) channel is one element here
}
#: flag x layer, the cases; every mode runs inside each, each (mode, layer) with one module form: the forms
#: rotate over the modes and layers, so every (flag, mode) and every (flag, layer) meets every form, at a fifth
#: of the cost of the full product
TABLE_CASES = [pytest.param(flag, layer, id=f"{flag}-{layer}") for flag in ("train", "eval") for layer in LAYERS]


def _table_form(mode: str, layer: str) -> str:
    """The module form the rotation gives (mode, layer): form (i + j) mod 5 for mode i and layer j."""
    return MODULE_FORMS[(list(MODES).index(mode) + list(LAYERS).index(layer)) % len(MODULE_FORMS)]


def _layer_input(layer, rank, batch, seed):
    """float64 input of ``rank`` for ``layer``: 3 channels in dim 1 for BatchNorm, at least 64 elements for Dropout."""
    g = torch.Generator().manual_seed(seed)
    if layer.startswith("Dropout"):
        shape = (batch, 64 // batch + 1, 1, 1)[:rank] if rank > 1 else (64,)
    else:
        shape = (batch, 3, 2, 3, 2)[:rank]
    return torch.randn(shape, generator=g, dtype=torch.float64) * 2 + 1


def _bn_expected(layer_module, x, before, training):
    """The BatchNorm output and running stats written out (float64): batch stats in training, running stats in eval."""
    dims = [0] + list(range(2, x.dim()))
    view = [1, -1] + [1] * (x.dim() - 2)
    w, b = layer_module.weight.detach().view(view), layer_module.bias.detach().view(view)
    rm, rv = before["running_mean"], before["running_var"]
    if not training:
        return bn_formula(x, rm.view(view), rv.view(view), layer_module.eps, w, b), rm, rv
    m, n = layer_module.momentum, x.numel() // x.shape[1]
    mean, var = x.mean(dims), x.var(dims, unbiased=False)
    out = bn_formula(x, mean.view(view), var.view(view), layer_module.eps, w, b)
    return out, (1 - m) * rm + m * mean, (1 - m) * rv + m * var * n / (n - 1)


@pytest.mark.parametrize(("flag", "layer"), TABLE_CASES)
@budget(len(TABLE_CASES) * len(MODES), floor=1)
@given(batch=st.integers(2, 4), p=ps, seed=seeds, data=st.data())
def test_grad_mode_alone_decides_the_graph_and_training_flag_alone_decides_the_layers(device, flag, layer, batch, p, seed, data):
    """In every {train, eval} x grad-mode cell, only grad mode decides the graph and only the training flag decides Dropout and BatchNorm.

    Ranges over train()/eval() set on the outermost module x Dropout and Dropout(inplace=True) (input
    rank 1-4 drawn), Dropout2d (4-D), BatchNorm1d on 2-D and on 3-D input, BatchNorm2d, BatchNorm3d (each
    case: one flag and one layer), and in every example over no mode and the six grad modes (no_grad,
    enable_grad, set_grad_enabled(False/True), inference_mode, inference_mode(False), as ``with`` blocks;
    the other forms: test_detach_vs_no_grad), each (mode, layer) in one module form (top level, an
    attribute of a user's Module, nested in Sequential, ModuleList, ModuleDict: rotated so that every
    flag x mode and every flag x layer meets every form) -- a failure names the flag, mode, layer and
    form. Expected per cell: the
    output requires grad and has a grad_fn iff the mode records (grad on, inference off) and is an inference tensor iff inference_mode; in training
    Dropout zeroes elements and scales survivors by 1/(1-p), two calls differing, and BatchNorm
    normalizes with batch statistics and updates its running statistics (the formulas in float64);
    in eval Dropout is the identity and BatchNorm uses and keeps its running statistics.
    Hypothesis draws the batch, p (the dropout rate / BatchNorm momentum), Dropout's input rank and the
    seed, shared by the seven modes of an example.
    """
    make, ranks = LAYERS[layer]
    rank = data.draw(st.sampled_from(ranks), label="rank")
    x = _layer_input(layer, rank, batch, seed).to(device)
    training = flag == "train"
    for mode, (factory, grad, inference) in MODES.items():
        records = grad and not inference
        form = _table_form(mode, layer)
        model, inner = module_form(form, lambda: make(p).to(device, torch.float64))
        case = f"{flag} x {mode}, {layer} ({form}): "
        if not layer.startswith("Dropout"):
            randomize(inner, seed)
        model.train() if training else model.eval()
        assert inner.training is training, f"{case}layer.training={inner.training} after model.{flag}(), but should be {training}"
        before = {k: v.clone() for k, v in inner.named_buffers()}
        leaf = x.clone().requires_grad_()
        with seeded(device, seed), exact_kernels():
            with factory():
                a = inner(leaf * 1)  # recorded or not by the mode (eval Dropout returns its input itself)
            with factory():
                b = inner(leaf * 1)
        got = (a.requires_grad, a.grad_fn is not None, a.is_inference())
        assert got == (records, records, inference), (
            f"{case}out (requires_grad, has grad_fn, is_inference)={got}, but should be {(records, records, inference)}"
        )
        out = a.detach()
        if layer.startswith("Dropout"):
            if training:
                kept = out != 0
                assert not kept.all(), f"{case}0 of {x.numel()} elements dropped, but Dropout({p:.2f}) in training should drop some"
                torch.testing.assert_close(out[kept], x[kept] / (1 - p), msg=lambda m: f"{case}survivors vs x / (1 - p): {m}")
                assert not torch.equal(a.detach(), b.detach()), f"{case}two calls are equal, but should differ (new masks)"
            else:
                assert_same(out, x, f"{case}Dropout output in eval")
            continue
        expected, rm, rv = _bn_expected(inner, x, before, training)
        # the second call updated the running stats again in training: compare the first update only
        torch.testing.assert_close(out, expected, msg=lambda m: f"{case}BatchNorm output vs formula: {m}")
        if training:
            _, rm2, rv2 = _bn_expected(inner, x, {"running_mean": rm, "running_var": rv}, True)
            torch.testing.assert_close(inner.running_mean, rm2, msg=lambda m: f"{case}running_mean after two calls: {m}")
            torch.testing.assert_close(inner.running_var, rv2, msg=lambda m: f"{case}running_var after two calls: {m}")
        else:
            for name, value in inner.named_buffers():
                assert_same(value, before[name], f"{case}{name} after two calls in eval")


@budget(2)
@given(batch=batches, p=ps, seed=seeds)
@example(batch=4, p=0.5, seed=0)
def test_eval_does_not_disable_autograd(device, batch, p, seed):
    """An eval()-mode model still builds a graph: outputs require grad and backward() fills every parameter's grad."""
    model = net(p, device, seed).eval()
    out = model(inputs(batch, seed, device))
    assert out.requires_grad and out.grad_fn is not None, (
        f"out.requires_grad={out.requires_grad}, grad_fn={out.grad_fn}, but should record a graph"
    )
    out.square().sum().backward()
    missing = [n for n, prm in model.named_parameters() if prm.grad is None]
    assert not missing, f"{missing}.grad=None after backward(), but should be filled"


#: eval-mode layers and an input shape each: name -> (make(), input shape)
EVAL_BACKWARD = {
    "BatchNorm1d(N,C)": (lambda: nn.BatchNorm1d(3), (4, 3)),
    "BatchNorm1d(N,C,L)": (lambda: nn.BatchNorm1d(3), (2, 3, 4)),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(3), (2, 3, 2, 2)),
    "Dropout": (lambda: nn.Dropout(0.5), (4, 3)),
}


@pytest.mark.parametrize("layer", list(EVAL_BACKWARD))
def test_backward_through_an_eval_layer_differentiates_its_eval_maths(device, layer):
    """Backward through an eval()-mode layer gives the gradients of its eval maths: through BatchNorm d/dx = g * weight / sqrt(running_var + eps), d/dweight = sum of g * (x - running_mean) / sqrt(running_var + eps), d/dbias = sum of g; through Dropout d/dx = g.

    Ranges over BatchNorm1d on (N, C) and (N, C, L), BatchNorm2d and Dropout(0.5) in eval mode (enumerated), float64,
    two fixed seeds each (random weight, bias, running stats, input and upstream gradient ``g`` of
    ``loss = sum(layer(x) * g)``). So an eval model is trainable with respect to its eval behaviour -- the running
    statistics are constants, not functions of the batch -- and ``eval()`` only changes what is differentiated.
    """
    make, shape = EVAL_BACKWARD[layer]
    for seed in (0, 1):
        module = make().to(device, torch.float64).eval()
        x = data(shape, seed, device).requires_grad_()
        g = data(shape, seed + 7, device)
        if layer == "Dropout":
            (module(x) * g).sum().backward()
            assert_same(x.grad, g, f"{layer} in eval: d/dx")
            continue
        randomize(module, seed)
        (module(x) * g).sum().backward()
        view = [1, -1] + [1] * (x.dim() - 2)
        dims = [0] + list(range(2, x.dim()))
        scale = torch.sqrt(module.running_var + module.eps).view(view)
        expected = {
            "x": g * module.weight.detach().view(view) / scale,
            "weight": (g * (x.detach() - module.running_mean.view(view)) / scale).sum(dims),
            "bias": g.sum(dims),
        }
        for name, got in (("x", x.grad), ("weight", module.weight.grad), ("bias", module.bias.grad)):
            assert got is not None, f"{layer} in eval (seed {seed}): {name}.grad is None after backward"
            torch.testing.assert_close(got, expected[name], msg=lambda m: f"{layer} in eval (seed {seed}): d/d{name} vs the eval formula: {m}")


@given(batch=batches, p=ps, seed=seeds)
def test_no_grad_does_not_turn_off_dropout(device, batch, p, seed):
    """Under no_grad a training-mode Dropout still drops, with exactly the mask it uses when grad is enabled."""
    drop = nn.Dropout(p).to(device)
    x = torch.rand(batch, 64, device=device) + 1.0
    with seeded(device, seed):
        with_grad = drop(x)
    with seeded(device, seed), torch.no_grad():
        without = drop(x)
    assert (without == 0).any(), f"0 of {x.numel()} elements dropped under no_grad, but Dropout({p}) should drop some"
    assert_same(without, with_grad, "drop(x) under no_grad")


@budget(2)
@given(batch=batches, seed=seeds, momentum=st.floats(0.05, 1.0))
@example(batch=4, seed=0, momentum=0.9)
def test_no_grad_does_not_stop_batchnorm_from_using_batch_stats_and_updating_running_stats(device, batch, seed, momentum):
    """Under no_grad a training-mode BatchNorm normalizes with batch stats and its affine weight/bias and updates its running stats, exactly as with grad enabled.

    Weight, bias and running stats are random (not the defaults 1, 0, 0, 1) and the expected values
    are the formulas written out in float64: ``(x - mean) / sqrt(biased_var + eps) * w + b`` and
    ``running <- (1-m)*running + m*batch_stat`` with the unbiased variance; the grad-enabled twin
    must agree bit for bit.
    """
    bn = randomize(nn.BatchNorm1d(6, momentum=momentum), seed).to(device, torch.float64)
    twin = copy.deepcopy(bn)
    x = inputs(batch, seed, device).to(torch.float64)
    w, b, rm, rv = (t.detach().clone() for t in (bn.weight, bn.bias, bn.running_mean, bn.running_var))
    before = buffers(bn)
    with torch.no_grad(), exact_kernels():
        out = bn(x)
    with exact_kernels():
        expected = twin(x).detach()
    mean, biased, unbiased = x.mean(0), x.var(0, unbiased=False), x.var(0, unbiased=True)
    torch.testing.assert_close(out, bn_formula(x, mean, biased, bn.eps, w, b), msg=lambda m: f"bn(x) under no_grad vs formula: {m}")
    torch.testing.assert_close(bn.running_mean, (1 - momentum) * rm + momentum * mean, msg=lambda m: f"running_mean: {m}")
    torch.testing.assert_close(bn.running_var, (1 - momentum) * rv + momentum * unbiased, msg=lambda m: f"running_var: {m}")
    assert_buffers(bn, before, changed=True)
    for name, value in twin.named_buffers():
        assert_same(dict(bn.named_buffers())[name], value, f"{name} after bn(x) under no_grad")
    assert_same(out, expected, "bn(x) under no_grad")


@pytest.mark.parametrize("dtype", dtype_params([torch.float32, torch.float64]))
@pytest.mark.parametrize("grad", ["no_grad", "inference_mode"])
@budget(4)
@given(batch=st.integers(1, 16), seed=seeds)
@example(batch=1, seed=0)
def test_eval_batchnorm_under_no_grad_uses_running_stats_and_its_affine_weight_and_bias(device, grad, dtype, batch, seed):
    """Under no_grad or inference_mode an eval()-mode BatchNorm computes (x - running_mean) / sqrt(running_var + eps) * weight + bias.

    Random weight, bias and running stats; the expectation is the formula in float64, cast to the
    dtype. A batch of one is fine in eval (no batch statistics are needed). Ranges over no_grad and
    inference_mode x float32 and float64 (BatchNorm1d on 2-D input; every BatchNorm, rank, grad mode
    and module form: the table claim above); hypothesis draws the batch (1 included) and seed.
    """
    bn = randomize(nn.BatchNorm1d(6), seed).to(device, dtype).eval()
    x = inputs(batch, seed, device).to(dtype)
    params = [t.detach().to(torch.float64) for t in (bn.running_mean, bn.running_var, bn.weight, bn.bias)]
    rm, rv, w, b = params
    expected = bn_formula(x.to(torch.float64), rm, rv, bn.eps, w, b).to(dtype)
    with GRAD_MODES[grad]():
        out = bn(x)
    torch.testing.assert_close(out, expected, msg=lambda m: f"{grad}: eval bn(x) vs formula: {m}")


@pytest.mark.parametrize("grad", ["no_grad", "inference_mode"])
@budget(2)
@given(batch=batches, p=ps, seed=seeds)
@example(batch=4, p=0.5, seed=0)
def test_eval_plus_no_grad_gives_deterministic_graph_free_outputs_and_leaves_running_stats(device, grad, batch, p, seed):
    """eval() together with no_grad() or inference_mode() gives deterministic outputs, no graph, and unchanged running stats."""
    model = net(p, device, seed)
    model(inputs(8, seed + 1, device))  # one training step so the running stats are not the defaults
    model.eval()
    x = inputs(batch, seed, device)
    with exact_kernels():
        reference = model(x).detach()
    before = buffers(model)
    with GRAD_MODES[grad](), exact_kernels():
        a, b = model(x), model(x)
    assert_same(b, a, f"second call under {grad} vs first")
    assert_same(a, reference, f"out under {grad} vs grad-enabled eval output")
    assert not a.requires_grad and a.grad_fn is None, (
        f"{grad}: out.requires_grad={a.requires_grad}, grad_fn={a.grad_fn}, but should be False/None"
    )
    assert a.is_inference() == (grad == "inference_mode"), (
        f"{grad}: out.is_inference()={a.is_inference()}, but should be {grad == 'inference_mode'}"
    )
    assert_buffers(model, before, changed=False, case=f"{grad}: ")


@budget(2)
@given(batch=batches, p=ps, seed=seeds)
def test_inference_mode_does_not_call_eval(device, batch, p, seed):
    """inference_mode() leaves a training-mode model in training mode: Dropout still drops and BatchNorm still uses and updates batch stats.

    Inside the block the model computes exactly its training-mode output (same seed, same dropout
    mask), which is not its eval-mode output.
    """
    model = net(p, device, seed)
    twin, evaluated = copy.deepcopy(model), copy.deepcopy(model).eval()
    x = inputs(batch, seed, device)
    before = buffers(model)
    with torch.inference_mode(), seeded(device, seed), exact_kernels():
        out = model(x)
    with seeded(device, seed), exact_kernels():
        expected = twin(x).detach()
    switched = [n or "<root>" for n, m in model.named_modules() if not m.training]
    assert not switched, f"{switched}.training=False inside inference_mode, but should stay True"
    assert_same(out.clone(), expected, "out under inference_mode vs training-mode output")
    assert not torch.equal(out, evaluated(x)), "out under inference_mode equals the eval-mode output, but should not"
    assert_buffers(model, before, changed=True)


#: how the forward runs: label -> (prepare the module, the context)
EMBEDDING_RUNS = {
    "eval + no_grad": (lambda m: m.eval(), torch.no_grad),
    "eval + inference_mode": (lambda m: m.eval(), torch.inference_mode),
    "train + no_grad": (lambda m: m.train(), torch.no_grad),
    "eval, grad on": (lambda m: m.eval(), contextlib.nullcontext),
}


@pytest.mark.parametrize("run", list(EMBEDDING_RUNS))
@given(max_norm=st.floats(0.5, 2.0), seed=st.integers(0, 2**32 - 1))
@budget(len(EMBEDDING_RUNS))
def test_embedding_max_norm_rewrites_its_weight_in_place_in_eval_and_under_no_grad_too(device, run, max_norm, seed):
    """nn.Embedding(max_norm=m) renormalizes the looked-up rows of its weight to norm m, in place, on every forward -- after eval(), under no_grad and under inference_mode alike: neither switch means "leave the module's state alone".

    Ranges over four ways to run the forward (enumerated: eval with no_grad, eval with inference_mode,
    train with no_grad, eval with grad on), drawn max_norm and weights of norms 3 to 6. The looked-up
    rows become ``row * m / (norm + 1e-7)`` (the docs' note on ``max_norm``: "the forward method will
    modify the weight tensor in-place"); the other rows stay as they were.
    """
    prepare, context = EMBEDDING_RUNS[run]
    with seeded(device, seed):
        e = torch.nn.Embedding(5, 4, max_norm=max_norm).to(device)
        with torch.no_grad():
            e.weight.mul_(3.0 / e.weight.norm(dim=1, keepdim=True)).mul_(torch.arange(1, 6, device=device).unsqueeze(1) * 0.75 + 2.25)
    before = e.weight.detach().clone()
    prepare(e)
    with context():
        e(torch.tensor([1, 2], device=device))
    after = e.weight.detach()
    norms = before.norm(dim=1, keepdim=True)
    expected = before.clone()
    expected[[1, 2]] = before[[1, 2]] * (max_norm / (norms[[1, 2]] + 1e-7))
    torch.testing.assert_close(after, expected, rtol=1e-5, atol=1e-6, msg=lambda m: f"the weight after a forward ({run}): {m}")


# --------------------------------------------------------------------------- the third switch: freezing parameters


def _flags(model):
    return {n or "<root>": m.training for n, m in model.named_modules()}


@pytest.mark.parametrize("flag", ["train", "eval"])
@pytest.mark.parametrize("form", MODULE_FORMS)
def test_module_requires_grad_false_freezes_every_parameter_and_nothing_else(device, form, flag):
    """model.requires_grad_(False) returns the model and sets requires_grad=False on every parameter, nested ones included, leaving its buffers and every module's training flag as they were; requires_grad_() turns every parameter back on.

    Ranges over the model of ``net`` (Linear, BatchNorm1d, ReLU, Dropout, Linear) in every module form (top
    level, a user's module, Sequential, ModuleList, ModuleDict) x train() and eval() set before. Freezing is the
    docs' way to stop gradients for parameters ("Setting requires_grad" in the autograd notes: ``module.requires_grad_()``),
    a switch of its own: it is not ``eval()`` and does not call it, and never marks a buffer as requiring grad.
    """
    model, inner = module_form(form, lambda: net(0.5, device))
    model.train() if flag == "train" else model.eval()
    flags, before = _flags(model), buffers(model)
    for on in (False, True):
        returned = model.requires_grad_(on)
        assert returned is model, f"requires_grad_({on}) returned {type(returned).__name__}, but should return the model itself"
        wrong = [n for n, p in model.named_parameters() if p.requires_grad is not on]
        assert len(list(model.parameters())) == 6 and not wrong, f"after requires_grad_({on}): {wrong}.requires_grad != {on}"
        marked = [n for n, b in model.named_buffers() if b.requires_grad]
        assert not marked, f"after requires_grad_({on}): buffers {marked} require grad, but should not"
        assert _flags(model) == flags, f"after requires_grad_({on}) (in {flag} mode): training flags {_flags(model)}, but should stay {flags}"
        assert_buffers(model, before, changed=False, case=f"requires_grad_({on}): ")


@pytest.mark.parametrize("input_grad", [False, True], ids=["input", "input-requiring-grad"])
@pytest.mark.parametrize("flag", ["train", "eval"])
def test_a_frozen_model_computes_as_its_flag_says_and_records_only_an_inputs_graph(device, flag, input_grad):
    """A model frozen with requires_grad_(False) computes exactly as unfrozen (in training Dropout still drops and BatchNorm still updates its running stats), and records a graph only when its input requires grad: backward then fills the input's .grad and no parameter's.

    Ranges over train() and eval() x an input that does or does not require grad (enumerated); fixed batch of 4,
    Dropout(0.5), seed 0 (the maths of each layer: the table claim above). The unfrozen twin, called with the same seed, gives the expected output,
    buffers and input gradient bit for bit; in training the running stats move, in eval they do not. Freezing is
    neither ``eval()`` (the layers keep their mode) nor ``no_grad`` (an input that requires grad is still
    recorded through the frozen layers -- how a frozen feature extractor still passes gradients to what feeds it).
    """
    batch, p, seed = 4, 0.5, 0
    model = net(p, device, seed)
    model.train() if flag == "train" else model.eval()
    twin = copy.deepcopy(model)
    model.requires_grad_(False)
    x = inputs(batch, seed, device)
    before = buffers(model)
    outs, grads = [], []
    for m in (model, twin):
        leaf = x.clone().requires_grad_(input_grad)
        with seeded(device, seed), exact_kernels():
            outs.append(m(leaf))
        grads.append(leaf)
    out, expected = outs
    assert_same(out.detach(), expected.detach(), f"frozen model's output in {flag} mode vs the unfrozen twin's")
    for name, value in twin.named_buffers():
        assert_same(dict(model.named_buffers())[name], value, f"frozen model's {name} vs the twin's")
    assert_buffers(model, before, changed=flag == "train", case=f"frozen, {flag}: ")
    got = (out.requires_grad, out.grad_fn is not None)
    assert got == (input_grad, input_grad), f"frozen model's out (requires_grad, has grad_fn)={got}, but should be {(input_grad, input_grad)}"
    if input_grad:
        out.square().sum().backward()
        expected.square().sum().backward()
        assert_same(grads[0].grad, grads[1].grad, "the input's .grad through the frozen model vs through the twin")
        filled = [n for n, prm in model.named_parameters() if prm.grad is not None]
        assert not filled, f"{filled}.grad filled by backward through the frozen model, but should stay None"


@pytest.mark.device_independent
@pytest.mark.parametrize("flag", ["train", "eval"])
@pytest.mark.parametrize("mode", list(_GRAD_MODES))
def test_grad_modes_and_the_training_flag_never_set_each_other(mode, flag):
    """Entering or leaving a grad mode changes no module's training flag, and train()/eval() called inside one change neither is_grad_enabled() nor is_inference_mode_enabled().

    Ranges over the six grad modes as ``with`` blocks (no_grad, enable_grad, set_grad_enabled(False/True),
    inference_mode, inference_mode(False)) x train() and eval() called inside, on ``net``'s model set to the other
    flag before. The flag set inside survives the block; the grad mode inside is the mode's and, after the block,
    the one before (grad on, inference off). Both are plain state (a Python attribute per module, a thread-local
    autograd switch): no device is involved.
    """
    factory, grad, inference = _GRAD_MODES[mode]
    model = net(0.5, "cpu")
    model.eval() if flag == "train" else model.train()
    flags = _flags(model)
    ambient = (torch.is_grad_enabled(), torch.is_inference_mode_enabled())
    with factory():
        assert _flags(model) == flags, f"entering {mode}: training flags {_flags(model)}, but should stay {flags}"
        inside = (torch.is_grad_enabled(), torch.is_inference_mode_enabled())
        model.train() if flag == "train" else model.eval()
        after = (torch.is_grad_enabled(), torch.is_inference_mode_enabled())
        assert after == inside == (grad, inference), (
            f"{mode}: (is_grad_enabled, is_inference_mode_enabled)={inside} in the block, {after} after model.{flag}(), "
            f"but should be {(grad, inference)} both times"
        )
    assert (torch.is_grad_enabled(), torch.is_inference_mode_enabled()) == ambient, f"leaving {mode}: the grad mode is not back to {ambient}"
    wrong = [n for n, t in _flags(model).items() if t is not (flag == "train")]
    assert not wrong, f"after leaving {mode}: {wrong}.training is not {flag == 'train'}, which model.{flag}() set inside"


# --------------------------------------------------------------------------- recurrent layers' dropout


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU], ids=lambda c: c.__name__)
def test_recurrent_dropout_between_layers_follows_the_training_flag_in_every_grad_mode(device, cls):
    """RNN/LSTM/GRU drop between their layers exactly in training mode, in every grad mode; in eval they equal their dropout-free twin.

    Ranges over: RNN, LSTM and GRU (enumerated, each case: one class), and in every case over no grad-mode
    block and the six grad modes (a failure names the mode); a two-layer module with ``dropout=0.5`` on a
    (3, 5, 4) batch. In training mode two calls give different
    outputs, each unlike the dropout-free twin's (same weights, ``dropout=0``); in eval mode the output is
    the twin's, call after call. Outputs require grad exactly where the grad mode records.
    """
    with seeded(torch.device("cpu"), 0):
        model = cls(4, 6, num_layers=2, dropout=0.5, batch_first=True)
        twin = cls(4, 6, num_layers=2, dropout=0.0, batch_first=True)
        x = torch.randn(3, 5, 4)
    twin.load_state_dict(model.state_dict())
    model, twin, x = model.to(device), twin.to(device), x.to(device)
    with torch.no_grad():
        plain = twin.eval()(x)[0]
    for mode, (factory, records, _) in MODES.items():
        with seeded(device, 1), factory():
            first, second = model.train()(x)[0], model(x)[0]
            evaluated, again = model.eval()(x)[0], model(x)[0]
        assert not torch.equal(first, second), f"{cls.__name__} in training mode under {mode}: two calls gave equal outputs, but dropout should differ"
        assert not torch.allclose(first, plain), f"{cls.__name__} in training mode under {mode} equals its dropout-free twin, but should drop"
        torch.testing.assert_close(evaluated.detach(), plain, rtol=1e-5, atol=1e-6,
                                   msg=lambda m: f"{cls.__name__} in eval mode under {mode} vs its dropout-free twin: {m}")
        assert_same(again.detach(), evaluated.detach(), f"{cls.__name__} in eval mode under {mode}, second call")
        for name, out in (("training-mode", first), ("eval-mode", evaluated)):
            assert out.requires_grad is records, f"{cls.__name__}'s {name} output under {mode}: requires_grad={out.requires_grad}, but should be {records}"


# --------------------------------------------------------------------------- where they meet: the Transformer fast path

#: how autograd is kept from recording around the call, or not: (context, freeze the parameters first)
FAST_PATH_GRAD = {
    "enable_grad": (torch.enable_grad, False),
    "no_grad": (torch.no_grad, False),
    "inference_mode": (torch.inference_mode, False),
    "set_grad_enabled(False)": (lambda: torch.set_grad_enabled(False), False),
    "frozen parameters": (torch.enable_grad, True),
}


@pytest.mark.parametrize("grad", list(FAST_PATH_GRAD))
@pytest.mark.parametrize("flag", ["train", "eval"])
def test_transformer_encoder_zeroes_padded_positions_only_in_eval_with_autograd_unable_to_record(device, flag, grad):
    """nn.TransformerEncoder zeroes the padded positions of its output exactly when it is in eval mode and autograd cannot record: its fast path.

    Ranges over: {train, eval} × five grad settings (enumerated: ``enable_grad``, ``no_grad``,
    ``inference_mode``, ``set_grad_enabled(False)``, and grad mode on with every parameter frozen by
    ``requires_grad_(False)``), each case run with two seeds (weights and input; a failure names the
    seed); a 2-layer encoder (d_model 8, 2 heads, dropout 0, batch first,
    ``enable_nested_tensor=True``) on a batch of two sequences of 5, the second with its last two positions
    masked by ``src_key_padding_mask``. The fast path (eval, and no_grad / inference_mode /
    set_grad_enabled(False) / frozen parameters) gives exactly 0 at the padded positions; every other cell
    gives the ordinary path's values there (not all zero). At the unpadded positions every cell equals the
    ordinary path in eval mode with grad on (the model computed the plain way, layer by layer) within 1e-5.
    """
    context, freeze = FAST_PATH_GRAD[grad]
    fast = flag == "eval" and grad != "enable_grad"
    mask = torch.tensor([[False] * 5, [False] * 3 + [True] * 2], device=device)
    for seed in (0, 1):
        case = f"seed {seed}, {flag} mode under {grad}"
        with seeded(torch.device("cpu"), seed):
            layer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "enable_nested_tensor is True, but ..." where it cannot nest
                model = torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=True).to(device)
            x = torch.randn(2, 5, 8).to(device)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nested tensors' prototype warning
            reference = model.eval()(x, src_key_padding_mask=mask).detach()  # grad on: the ordinary path
            model.train(flag == "train")
            if freeze:
                model.requires_grad_(False)
            with context():
                out = model(x, src_key_padding_mask=mask)
        padded = out[1, 3:]
        if fast:
            assert_same(padded.clone(), torch.zeros_like(padded), f"padded positions ({case})")
        else:
            assert padded.abs().sum() > 0, (
                f"padded positions ({case}) are all 0 (the fast path), but the ordinary path should run there"
            )
        torch.testing.assert_close(out[0].clone(), reference[0], rtol=1e-4, atol=1e-5,
                                   msg=lambda m: f"unpadded sequence ({case}) vs the ordinary path: {m}")
        torch.testing.assert_close(out[1, :3].clone(), reference[1, :3], rtol=1e-4, atol=1e-5,
                                   msg=lambda m: f"unpadded positions of the padded sequence ({case}) vs the ordinary path: {m}")


# --- under torch.compile


def _nested_model(p: float):
    """Linear -> BatchNorm1d -> Dropout(p) -> Linear, nested two containers deep (the ModuleDict form)."""
    block = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.Dropout(p), nn.Linear(8, 3))
    randomize(block[1], 0)
    return nn.ModuleDict({"outer": nn.ModuleDict({"block": block})})


def _forward(model, x):
    return model["outer"]["block"](x)


def _flag(name):
    return lambda model, x: model.train() if name == "train" else model.eval()


#: the six cells of {train, eval} x {grad, no_grad, inference_mode}, in turn on one compiled function; no_grad
#: first, so an inference graph is compiled first and the grad cell after it must not reuse it (pytorch#100977:
#: Dynamo did not guard the grad mode through module parameters, so the inference graph ran where autograd should)
CELLS = [
    Call(_flag("train"), lambda: torch.no_grad(), name="train, no_grad"),
    Call(_flag("train"), name="train, grad"),
    Call(_flag("eval"), lambda: torch.no_grad(), name="eval, no_grad"),
    Call(_flag("eval"), name="eval, grad"),
    Call(_flag("train"), lambda: torch.inference_mode(), name="train, inference_mode"),
    Call(_flag("eval"), lambda: torch.inference_mode(), name="eval, inference_mode"),
]


@compile_budget()
@given(batch=st.integers(2, 6), p=ps)
def test_eval_and_grad_mode_stay_independent_for_a_compiled_module_under_compile(device, backend, batch, p):
    """A compiled model keeps the two switches independent, as eagerly: in every {train, eval} x {grad, no_grad, inference_mode} cell its outputs, graph, dropout masks, running statistics and gradients are eager's.

    One compile of the forward of a model nested in two ModuleDicts (Linear, BatchNorm1d with random
    affine parameters and running stats, Dropout(p), Linear), called in turn in the six cells with
    train()/eval() set on the outermost module before each call (so each call may recompile);
    ``specs/differential.py`` compares outputs (requires_grad, grad_fn, is_inference, values within
    ``NORMALIZING_TOLERANCE`` on every backend: a compiled Dropout rounds its
    scaling in another order, which the BatchNorm magnifies in the gradients),
    every submodule's training flag, buffers and parameters, and the gradients. Hypothesis draws the
    batch and p (float32).
    """
    assert_compiles_like_eager(
        _forward,
        lambda: (_nested_model(p).to(device), inputs(batch, 0, device)),
        backend,
        calls=CELLS,
        backward=True,
        # on every backend, as for the train/eval flips: AOTAutograd decomposes Dropout, rounding its
        # 1/(1-p) scaling in another order than eager's kernel (1 ulp of an output seen on 2.14 under
        # aot_eager), and BatchNorm's backward magnifies that in the first layer's gradients (16 ulps seen)
        **NORMALIZING_TOLERANCE,
    )
