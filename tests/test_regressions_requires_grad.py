"""Planted regressions for specs/test_requires_grad.py: each breaks one claim and must be killed."""

from __future__ import annotations


import pytest
import torch

from tests.plant import TENSOR_BASE, assert_killed, assert_passed, run

MOD = "test_requires_grad.py"


def test_control_specs_pass_unpatched(pytester):
    """Control: without a planted regression the module's specs pass."""
    assert_passed(run(pytester, MOD))


def test_like_factories_copying_requires_grad_are_killed(pytester, monkeypatch):
    """Plants torch.zeros_like copying requires_grad from its input (a flag leaking through *_like)."""
    orig = torch.zeros_like

    def zeros_like(input, *args, **kwargs):
        kwargs.setdefault("requires_grad", input.requires_grad)
        return orig(input, *args, **kwargs)

    monkeypatch.setattr(torch, "zeros_like", zeros_like)
    result = run(pytester, f"{MOD}::test_like_factories_never_copy_requires_grad")
    assert_killed(result, "test_like_factories_never_copy_requires_grad[cpu-zeros_like]")


def test_parameter_defaulting_to_no_grad_is_killed(pytester, monkeypatch):
    """Plants nn.Parameter whose requires_grad default flips to False."""
    orig = torch.nn.Parameter.__new__

    def new(cls, data=None, requires_grad=False):
        return orig(cls, data, requires_grad)

    monkeypatch.setattr(torch.nn.Parameter, "__new__", staticmethod(new))
    result = run(pytester, f"{MOD}::test_parameter_defaults_to_requires_grad_true")
    assert_killed(result, "test_parameter_defaults_to_requires_grad_true")


def test_requires_grad_method_doing_nothing_is_killed(pytester, monkeypatch):
    """Plants Tensor.requires_grad_() that returns self without setting the flag."""
    monkeypatch.setattr(torch.Tensor, "requires_grad_", lambda self, requires_grad=True: self)
    result = run(pytester, f"{MOD}::test_requires_grad_can_be_set_on_float_and_complex_leaves")
    assert_killed(result, "test_requires_grad_can_be_set_on_float_and_complex_leaves")


def test_integer_requires_grad_silently_ignored_is_killed(pytester, monkeypatch):
    """Plants requires_grad_() that silently ignores integer/bool tensors instead of raising."""
    orig = torch.Tensor.requires_grad_

    def requires_grad_(self, requires_grad=True):
        if not (self.is_floating_point() or self.is_complex()):
            return self
        return orig(self, requires_grad)

    monkeypatch.setattr(torch.Tensor, "requires_grad_", requires_grad_)
    result = run(pytester, f"{MOD}::test_integer_and_bool_tensors_cannot_require_grad")
    assert_killed(result, "test_integer_and_bool_tensors_cannot_require_grad")


def test_dtype_conversion_that_detaches_is_killed(pytester, monkeypatch):
    """Plants Tensor.to detaching its result whenever the dtype changes (float-to-float leaves the graph)."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        return out.detach() if out.dtype != self.dtype else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, f"{MOD}::test_converting_to_an_integer_dtype_drops_requires_grad")
    assert_killed(result, "test_converting_to_an_integer_dtype_drops_requires_grad")


def test_op_that_forgets_to_record_is_killed(pytester, monkeypatch):
    """Plants torch.mul returning an unrecorded (detached) output."""
    orig = torch.mul
    monkeypatch.setattr(torch, "mul", lambda *a, **k: orig(*a, **k).detach())
    result = run(pytester, f"{MOD}::test_op_output_requires_grad_iff_some_input_does")
    assert_killed(result, "test_op_output_requires_grad_iff_some_input_does")


def test_backward_filling_root_grad_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward that also populates .grad of the (non-leaf) tensor it is called on."""
    orig = torch.Tensor.backward

    def backward(self, *args, **kwargs):
        if self.requires_grad and not self.is_leaf:
            self.retain_grad()
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::test_only_leaves_get_grad")
    assert_killed(result, "test_only_leaves_get_grad")


def test_backward_overwriting_grad_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward that overwrites leaves' .grad instead of accumulating into it."""
    from specs.test_requires_grad import leaves

    orig = torch.Tensor.backward

    def backward(self, *args, **kwargs):
        for leaf in leaves(self):
            leaf.grad = None
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::test_gradients_accumulate_across_backward_calls")
    assert_killed(result, "test_gradients_accumulate_across_backward_calls")


def test_variable_that_copies_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.Variable copying its data instead of sharing it."""
    monkeypatch.setattr(
        torch.autograd, "Variable", lambda data, requires_grad=False: data.clone().requires_grad_(requires_grad)
    )
    result = run(pytester, f"{MOD}::test_variable_returns_a_plain_tensor_sharing_data")
    assert_killed(result, "test_variable_returns_a_plain_tensor_sharing_data")


def test_volatile_dropped_silently_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.Variable that drops volatile=... without the deprecation warning."""
    orig = torch.autograd.Variable
    monkeypatch.setattr(
        torch.autograd, "Variable", lambda data, requires_grad=False, volatile=False: orig(data, requires_grad=requires_grad)
    )
    result = run(pytester, f"{MOD}::test_variable_volatile_is_ignored_with_a_warning")
    assert_killed(result, "test_variable_volatile_is_ignored_with_a_warning")


def test_require_grad_alias_is_killed(pytester, monkeypatch):
    """Plants a Tensor.__setattr__ that treats the misspelling require_grad as requires_grad."""
    orig = torch.Tensor.__setattr__

    def setattr_(self, name, value):
        orig(self, "requires_grad" if name == "require_grad" else name, value)

    monkeypatch.setattr(torch.Tensor, "__setattr__", setattr_)
    result = run(pytester, f"{MOD}::test_misspelled_require_grad_silently_does_nothing")
    assert_killed(result, "test_misspelled_require_grad_silently_does_nothing")


# --------------------------------------------------------------------------- slice regressions (one slice only)


def test_slice_requires_grad_method_accepting_int16_is_killed(pytester, monkeypatch):
    """Plants Tensor.requires_grad_() that silently accepts (and ignores) int16 tensors only."""
    orig = torch.Tensor.requires_grad_

    def requires_grad_(self, requires_grad=True):
        return self if self.dtype == torch.int16 else orig(self, requires_grad)

    monkeypatch.setattr(torch.Tensor, "requires_grad_", requires_grad_)
    result = run(pytester, f"{MOD}::test_integer_and_bool_tensors_cannot_require_grad")
    assert_killed(result, "test_integer_and_bool_tensors_cannot_require_grad", "dtype=torch.int16 raised no RuntimeError")


def test_slice_requires_grad_method_refusing_bfloat16_is_killed(pytester, monkeypatch):
    """Plants Tensor.requires_grad_() that refuses bfloat16 tensors only (as if it were an integer dtype)."""
    orig = torch.Tensor.requires_grad_

    def requires_grad_(self, requires_grad=True):
        if self.dtype == torch.bfloat16 and requires_grad:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        return orig(self, requires_grad)

    monkeypatch.setattr(torch.Tensor, "requires_grad_", requires_grad_)
    result = run(pytester, f"{MOD}::test_requires_grad_can_be_set_on_float_and_complex_leaves")
    assert_killed(result, "test_requires_grad_can_be_set_on_float_and_complex_leaves")


def test_slice_factory_dropping_requires_grad_for_uint8_is_killed(pytester, monkeypatch):
    """Plants torch.zeros that silently drops requires_grad=True for uint8 instead of raising."""
    orig = torch.zeros

    def zeros(*args, requires_grad=False, **kwargs):
        if kwargs.get("dtype") == torch.uint8:
            requires_grad = False
        return orig(*args, requires_grad=requires_grad, **kwargs)

    monkeypatch.setattr(torch, "zeros", zeros)
    result = run(pytester, f"{MOD}::test_integer_and_bool_tensors_cannot_require_grad")
    assert_killed(result, "test_integer_and_bool_tensors_cannot_require_grad", "via zeros on dtype=torch.uint8 raised no")


def test_slice_from_numpy_requiring_grad_for_float64_is_killed(pytester, monkeypatch):
    """Plants torch.from_numpy returning a tensor that requires grad for float64 arrays only."""
    orig = torch.from_numpy

    def from_numpy(a):
        out = orig(a)
        return out.requires_grad_() if out.dtype == torch.float64 else out

    monkeypatch.setattr(torch, "from_numpy", from_numpy)
    result = run(pytester, f"{MOD}::test_factories_and_conversions_default_to_requires_grad_false")
    assert_killed(result, "test_factories_and_conversions_default_to_requires_grad_false")


# --------------------------------------------------------------------------- round 3 (issues 21, 22): every factory, every dtype, compile

LIKES = ["zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like", "randint_like"]


@pytest.mark.parametrize("like", LIKES)
def test_slice_like_factory_copying_requires_grad_is_killed(pytester, monkeypatch, like):
    """Plants one *_like factory (the reviewer's ones_like/full_like/empty_like/randn_like among them) copying requires_grad from its input."""
    orig = getattr(torch, like)

    def copying(input, *args, **kwargs):
        kwargs.setdefault("requires_grad", input.requires_grad)
        return orig(input, *args, **kwargs)

    monkeypatch.setattr(torch, like, copying)
    result = run(pytester, f"{MOD}::test_like_factories_never_copy_requires_grad[cpu-{like}]")
    assert_killed(result, f"test_like_factories_never_copy_requires_grad[cpu-{like}]")


def _requiring(orig):
    def factory(*args, **kwargs):
        out = orig(*args, **kwargs)
        return out.requires_grad_() if (out.is_floating_point() or out.is_complex()) and out.is_leaf else out
    return factory


TORCH_FACTORIES = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "rand", "randn", "empty_strided",
                   "arange", "linspace", "eye"]


@pytest.mark.parametrize("name", TORCH_FACTORIES)
def test_slice_factory_requiring_grad_by_default_is_killed(pytester, monkeypatch, name):
    """Plants one torch factory whose floating results require grad by default."""
    monkeypatch.setattr(torch, name, _requiring(getattr(torch, name)))
    case = {"from_numpy": "from_numpy"}.get(name, name)
    result = run(pytester, f"{MOD}::test_factories_and_conversions_default_to_requires_grad_false[cpu-{case}]")
    assert_killed(result, f"test_factories_and_conversions_default_to_requires_grad_false[cpu-{case}]")


@pytest.mark.parametrize("name", ["new_zeros", "new_ones", "new_empty", "new_full", "new_tensor"])
def test_slice_new_method_copying_requires_grad_is_killed(pytester, monkeypatch, name):
    """Plants one Tensor.new_* method copying requires_grad from the tensor it is called on."""
    orig = getattr(torch.Tensor, name)

    def copying(self, *args, **kwargs):
        kwargs.setdefault("requires_grad", self.requires_grad)
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, name, copying)
    result = run(pytester, f"{MOD}::test_factories_and_conversions_default_to_requires_grad_false[cpu-{name}]")
    assert_killed(result, f"test_factories_and_conversions_default_to_requires_grad_false[cpu-{name}]")


def test_slice_to_device_requiring_grad_is_killed(pytester, monkeypatch):
    """Plants Tensor.to whose result requires grad when only the device is named (a same-device move included)."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        moved = args and isinstance(args[0], (torch.device, str)) and not isinstance(args[0], torch.dtype)
        return out.detach().requires_grad_() if moved and out.is_floating_point() and not out.requires_grad else out

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, f"{MOD}::test_factories_and_conversions_default_to_requires_grad_false[cpu-.to(device)]")
    assert_killed(result, "test_factories_and_conversions_default_to_requires_grad_false[cpu-.to(device)]")


def test_slice_requires_grad_method_accepting_uint32_is_killed(pytester, monkeypatch):
    """Plants Tensor.requires_grad_() that silently accepts (and ignores) uint32 tensors only (a 2.3 dtype)."""
    orig = torch.Tensor.requires_grad_
    monkeypatch.setattr(torch.Tensor, "requires_grad_", lambda self, requires_grad=True: self if self.dtype == torch.uint32 else orig(self, requires_grad))
    result = run(pytester, f"{MOD}::test_integer_and_bool_tensors_cannot_require_grad[cpu-uint32]")
    assert_killed(result, "test_integer_and_bool_tensors_cannot_require_grad[cpu-uint32]", "dtype=torch.uint32 raised no RuntimeError")


def test_slice_like_factory_ignoring_requires_grad_for_bool_is_killed(pytester, monkeypatch):
    """Plants torch.zeros_like that silently drops requires_grad=True for bool inputs instead of raising."""
    orig = torch.zeros_like

    def zeros_like(input, *args, requires_grad=False, **kwargs):
        return orig(input, *args, requires_grad=requires_grad and input.dtype != torch.bool, **kwargs)

    monkeypatch.setattr(torch, "zeros_like", zeros_like)
    result = run(pytester, f"{MOD}::test_integer_and_bool_tensors_cannot_require_grad[cpu-bool]")
    assert_killed(result, "test_integer_and_bool_tensors_cannot_require_grad[cpu-bool]", "via like on dtype=torch.bool raised no RuntimeError")


def test_slice_tensor_dropping_requires_grad_for_complex128_is_killed(pytester, monkeypatch):
    """Plants torch.tensor that drops requires_grad=True for complex128 only."""
    orig = torch.tensor

    def tensor(data, *args, requires_grad=False, **kwargs):
        return orig(data, *args, requires_grad=requires_grad and kwargs.get("dtype") != torch.complex128, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    result = run(pytester, f"{MOD}::test_requires_grad_can_be_set_on_float_and_complex_leaves[cpu-complex128]")
    assert_killed(result, "test_requires_grad_can_be_set_on_float_and_complex_leaves[cpu-complex128]")


def test_slice_conversion_to_int8_refused_for_grad_tensors_is_killed(pytester, monkeypatch):
    """Plants Tensor.to raising for int8 targets when the tensor requires grad (instead of silently dropping the flag)."""
    orig = torch.Tensor.to

    def to(self, *args, **kwargs):
        if self.requires_grad and (torch.int8 in args or kwargs.get("dtype") == torch.int8):
            raise RuntimeError("cannot convert a tensor that requires grad to an integer dtype")
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)
    result = run(pytester, f"{MOD}::test_converting_to_an_integer_dtype_drops_requires_grad[cpu-int8]")
    assert_killed(result, "test_converting_to_an_integer_dtype_drops_requires_grad[cpu-int8]")


def test_slice_maximum_unrecorded_for_float16_is_killed(pytester, monkeypatch):
    """Plants torch.maximum returning an unrecorded (detached) output for float16 only."""
    orig = torch.maximum
    monkeypatch.setattr(torch, "maximum", lambda a, b, **k: orig(a, b, **k).detach() if a.dtype == torch.float16 else orig(a, b, **k))
    result = run(pytester, f"{MOD}::test_op_output_requires_grad_iff_some_input_does[cpu-float16]")
    assert_killed(result, "test_op_output_requires_grad_iff_some_input_does[cpu-float16]")


def test_slice_backward_overwriting_bfloat16_grads_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward that overwrites bfloat16 leaves' .grad instead of accumulating into it."""
    from specs.test_requires_grad import leaves

    orig = torch.Tensor.backward

    def backward(self, *args, **kwargs):
        for leaf in leaves(self):
            if leaf.dtype == torch.bfloat16:
                leaf.grad = None
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::test_gradients_accumulate_across_backward_calls[cpu-bfloat16]")
    assert_killed(result, "test_gradients_accumulate_across_backward_calls[cpu-bfloat16]")


def test_slice_backward_filling_float64_root_grad_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward that also populates .grad of the (non-leaf) float64 tensor it is called on."""
    orig = torch.Tensor.backward

    def backward(self, *args, **kwargs):
        if self.requires_grad and not self.is_leaf and self.dtype == torch.float64:
            self.retain_grad()
        return orig(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::test_only_leaves_get_grad[cpu-float64]")
    assert_killed(result, "test_only_leaves_get_grad[cpu-float64]")


def test_slice_variable_copying_complex64_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.Variable copying complex64 data instead of sharing it."""
    orig = torch.autograd.Variable

    def variable(data, requires_grad=False, **kwargs):
        if data.dtype == torch.complex64:
            return data.clone().requires_grad_(requires_grad)
        return orig(data, requires_grad=requires_grad, **kwargs)

    monkeypatch.setattr(torch.autograd, "Variable", variable)
    result = run(pytester, f"{MOD}::test_variable_returns_a_plain_tensor_sharing_data[cpu-complex64]")
    assert_killed(result, "test_variable_returns_a_plain_tensor_sharing_data[cpu-complex64]")


# found by the battery (issue 21): slices the specs did not reach


@pytest.mark.parametrize("name", ["empty", "eye", "full", "empty_strided"])
def test_slice_factory_dropping_asked_requires_grad_is_killed(pytester, monkeypatch, name):
    """Plants one factory (not torch.zeros) ignoring requires_grad=True for 0-d or 1-d results (a fast path that forgets the flag)."""
    orig = getattr(torch, name)

    def factory(*args, **kwargs):
        out = orig(*args, **kwargs)
        return out.detach() if kwargs.get("requires_grad") and out.dim() <= 2 else out

    monkeypatch.setattr(torch, name, factory)
    result = run(pytester, f"{MOD}::test_requires_grad_can_be_set_on_float_and_complex_leaves")
    assert_killed(result, "test_requires_grad_can_be_set_on_float_and_complex_leaves")


def test_slice_factory_accepting_requires_grad_for_int32_is_killed(pytester, monkeypatch):
    """Plants torch.empty silently dropping requires_grad=True for int32 instead of raising."""
    orig = torch.empty

    def empty(*args, **kwargs):
        if kwargs.get("dtype") == torch.int32:
            kwargs["requires_grad"] = False
        return orig(*args, **kwargs)

    monkeypatch.setattr(torch, "empty", empty)
    result = run(pytester, f"{MOD}::test_integer_and_bool_tensors_cannot_require_grad[cpu-int32]")
    assert_killed(result, "test_integer_and_bool_tensors_cannot_require_grad[cpu-int32]")


def test_slice_parameter_not_requiring_grad_for_float64_is_killed(pytester, monkeypatch):
    """Plants nn.Parameter defaulting to requires_grad=False for float64 data only."""
    orig = torch.nn.Parameter.__new__

    def new(cls, data=None, requires_grad=True):
        return orig(cls, data, requires_grad and not (data is not None and data.dtype == torch.float64))

    monkeypatch.setattr(torch.nn.Parameter, "__new__", staticmethod(new))
    result = run(pytester, f"{MOD}::test_parameter_defaults_to_requires_grad_true")
    assert_killed(result, "test_parameter_defaults_to_requires_grad_true")


def test_slice_backward_giving_unconjugated_complex_grads_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward leaving complex leaves' .grad without the conjugate (a convention slip for complex only)."""
    from specs.test_requires_grad import leaves

    orig = torch.Tensor.backward

    def backward(self, *args, **kwargs):
        before = {id(leaf): leaf.grad for leaf in leaves(self)}
        out = orig(self, *args, **kwargs)
        for leaf in leaves(self):
            if leaf.is_complex() and leaf.grad is not None:
                old = before.get(id(leaf))
                step = leaf.grad - (old if old is not None else 0)
                leaf.grad = (old if old is not None else 0) + step.conj().resolve_conj()
        return out

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::test_gradients_accumulate_across_backward_calls")
    assert_killed(result, "test_gradients_accumulate_across_backward_calls[cpu-complex64]")


def test_as_tensor_detaching_a_tensor_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor returning a detached alias of a tensor that requires grad (as if it were torch.tensor)."""
    orig = torch.as_tensor

    def as_tensor(data, *args, **kwargs):
        out = orig(data, *args, **kwargs)
        return out.detach() if isinstance(data, torch.Tensor) and out.requires_grad else out

    monkeypatch.setattr(torch, "as_tensor", as_tensor)
    result = run(pytester, f"{MOD}::test_as_tensor_of_a_tensor_keeps_its_graph_where_torch_tensor_copies_it_out")
    assert_killed(result, "test_as_tensor_of_a_tensor_keeps_its_graph_where_torch_tensor_copies_it_out")


def test_slice_as_tensor_copying_a_bfloat16_tensor_is_killed(pytester, monkeypatch):
    """Plants torch.as_tensor copying a bfloat16 tensor of the requested dtype instead of returning it."""
    orig = torch.as_tensor

    def as_tensor(data, *args, **kwargs):
        out = orig(data, *args, **kwargs)
        return out.clone() if out is data and out.dtype == torch.bfloat16 else out

    monkeypatch.setattr(torch, "as_tensor", as_tensor)
    result = run(pytester, f"{MOD}::test_as_tensor_of_a_tensor_keeps_its_graph_where_torch_tensor_copies_it_out")
    assert_killed(result, "test_as_tensor_of_a_tensor_keeps_its_graph_where_torch_tensor_copies_it_out[cpu-bfloat16]")


def test_result_accepting_requires_grad_false_is_killed(pytester, monkeypatch):
    """Plants Tensor.requires_grad_(False) on a recorded result silently returning it instead of raising."""
    orig = torch.Tensor.requires_grad_

    def requires_grad_(self, requires_grad=True):
        return self if not requires_grad and self.grad_fn is not None else orig(self, requires_grad)

    monkeypatch.setattr(torch.Tensor, "requires_grad_", requires_grad_)
    result = run(pytester, f"{MOD}::test_only_leaves_can_switch_requires_grad_off")
    assert_killed(result, "test_only_leaves_can_switch_requires_grad_off")


def test_slice_result_detaching_on_requires_grad_false_for_complex64_is_killed(pytester, monkeypatch):
    """Slice: requires_grad_(False) on a complex64 result detaches it in place instead of raising."""
    orig = torch.Tensor.requires_grad_

    def requires_grad_(self, requires_grad=True):
        if not requires_grad and self.grad_fn is not None and self.dtype == torch.complex64:
            return self.detach_()
        return orig(self, requires_grad)

    monkeypatch.setattr(torch.Tensor, "requires_grad_", requires_grad_)
    spec = "test_only_leaves_can_switch_requires_grad_off"
    assert_killed(run(pytester, f"{MOD}::{spec}[cpu-complex64]"), f"{spec}[cpu-complex64]")


def test_tensor_of_a_tensor_keeping_its_graph_is_killed(pytester, monkeypatch):
    """Plants torch.tensor(t) of a tensor that requires grad returning a recorded copy (clone) instead of a fresh leaf."""
    orig = torch.tensor

    def tensor(data, *args, **kwargs):
        if isinstance(data, torch.Tensor) and data.requires_grad and not args and not kwargs:
            orig(data.detach())  # keep the warning
            return data.clone()
        return orig(data, *args, **kwargs)

    monkeypatch.setattr(torch, "tensor", tensor)
    result = run(pytester, f"{MOD}::test_as_tensor_of_a_tensor_keeps_its_graph_where_torch_tensor_copies_it_out")
    assert_killed(result, "test_as_tensor_of_a_tensor_keeps_its_graph_where_torch_tensor_copies_it_out")


# under torch.compile: torch.compile is wrapped so that the compiled function misbehaves

OUTPUTS_SPEC = "test_requires_grad_of_outputs_under_compile"
INSIDE_SPEC = "test_leaves_created_inside_compile_require_grad_and_get_grad"


def _compile_wrapping(monkeypatch, transform, catch=None):
    """Replace torch.compile by one whose compiled function returns ``transform(outputs)`` (or ``catch(exc, args)``)."""
    orig = torch.compile

    def compile(fn=None, **kwargs):
        inner = orig(fn, **kwargs)

        def compiled(*args):
            try:
                out = inner(*args)
            except RuntimeError as exc:
                if catch is None:
                    raise
                return catch(exc, args)
            return transform(out)
        return compiled

    monkeypatch.setattr(torch, "compile", compile)


def _each(fn):
    def transform(out):
        if isinstance(out, torch.Tensor):
            return fn(out)
        return type(out)(fn(o) if isinstance(o, torch.Tensor) else o for o in out)
    return transform


def test_compiled_outputs_dropping_requires_grad_is_killed(pytester, monkeypatch):
    """Plants a compiled function whose outputs that require grad come back detached."""
    _compile_wrapping(monkeypatch, _each(lambda o: o.detach() if o.requires_grad and not o.is_leaf else o))
    assert_killed(run(pytester, f"{MOD}::{OUTPUTS_SPEC}"), OUTPUTS_SPEC)


def test_compiled_like_outputs_requiring_grad_is_killed(pytester, monkeypatch):
    """Plants a compiled function whose floating leaf outputs (the *_like results) come back requiring grad."""
    _compile_wrapping(monkeypatch, _each(lambda o: o.requires_grad_() if o.is_leaf and o.is_floating_point() and not o.requires_grad else o))
    assert_killed(run(pytester, f"{MOD}::{OUTPUTS_SPEC}"), OUTPUTS_SPEC)


def test_slice_compiled_float64_conversion_detached_is_killed(pytester, monkeypatch):
    """Slice: a compiled function whose float64 outputs (w.double()) come back detached; every other output is right."""
    _compile_wrapping(monkeypatch, _each(lambda o: o.detach() if o.dtype == torch.float64 and o.requires_grad else o))
    assert_killed(run(pytester, f"{MOD}::{OUTPUTS_SPEC}"), OUTPUTS_SPEC, "requires_grad")


def test_compiled_leaves_made_inside_returned_as_copies_is_killed(pytester, monkeypatch):
    """Plants a compiled function returning fresh copies of the leaves it made (flags and values right, but backward never reaches them: .grad stays None)."""
    _compile_wrapping(monkeypatch, _each(lambda o: o.detach().clone().requires_grad_() if o.is_leaf and o.requires_grad else o))
    assert_killed(run(pytester, f"{MOD}::{INSIDE_SPEC}"), INSIDE_SPEC, ".grad is None after backward")


def test_compiled_leaves_made_inside_not_requiring_grad_is_killed(pytester, monkeypatch):
    """Plants a compiled function whose leaves made with requires_grad=True come back without the flag."""
    _compile_wrapping(monkeypatch, _each(lambda o: o.detach() if o.is_leaf and o.requires_grad else o))
    assert_killed(run(pytester, f"{MOD}::{INSIDE_SPEC}"), INSIDE_SPEC)


def test_slice_compiled_leaves_made_under_no_grad_not_requiring_grad_is_killed(pytester, monkeypatch):
    """Slice: only under torch.no_grad() does the compiled function return its requires_grad=True leaves without the flag."""
    _compile_wrapping(monkeypatch, _each(lambda o: o.detach() if o.is_leaf and o.requires_grad and not torch.is_grad_enabled() else o))
    assert_killed(run(pytester, f"{MOD}::{INSIDE_SPEC}"), INSIDE_SPEC, "call 1 (no_grad)")


def test_compiled_integer_leaf_silently_accepted_is_killed(pytester, monkeypatch):
    """Plants a compiled function that, asked for an integer tensor requiring grad, returns one without the flag instead of raising."""
    _compile_wrapping(monkeypatch, lambda out: out, catch=lambda exc, args: torch.zeros(args[0].shape, dtype=torch.int64))
    assert_killed(run(pytester, f"{MOD}::{INSIDE_SPEC}"), INSIDE_SPEC, "raised no RuntimeError")


# --- release history (mined from release notes; see docs/release-history.md)

import pytest  # noqa: E402

from specs.helpers import torch_at_least  # noqa: E402

_grad = torch.autograd.grad


def _materializing(requires_grad, value=0.0):
    def grad(outputs, inputs, *args, materialize_grads=False, **kwargs):
        if not materialize_grads:
            return _grad(outputs, inputs, *args, **kwargs)
        kwargs["allow_unused"] = True
        got = _grad(outputs, inputs, *args, **kwargs)
        return tuple(
            torch.full_like(i, value).requires_grad_(requires_grad) if g is None else g for g, i in zip(got, inputs)
        )

    return grad


@pytest.mark.skipif(not torch_at_least("2.10"), reason="the no-requires_grad spec is gated to torch>=2.10")
def test_materialized_zeros_requiring_grad_again_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad whose materialized zero gradients require grad (the pre-2.10 behaviour)."""
    monkeypatch.setattr(torch.autograd, "grad", _materializing(True))
    result = run(pytester, f"{MOD}::test_materialized_zero_gradients_do_not_require_grad_from_2_10")
    assert_killed(result, "test_materialized_zero_gradients_do_not_require_grad_from_2_10")


@pytest.mark.skipif(not torch_at_least("2.1") or torch_at_least("2.10"), reason="the requires_grad spec is gated to 2.1-2.9")
def test_materialized_zeros_without_requires_grad_early_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad whose materialized zero gradients do not require grad before 2.10."""
    monkeypatch.setattr(torch.autograd, "grad", _materializing(False))
    result = run(pytester, f"{MOD}::test_materialized_zero_gradients_require_grad_before_2_10")
    assert_killed(result, "test_materialized_zero_gradients_require_grad_before_2_10")


@pytest.mark.skipif(not torch_at_least("2.1"), reason="materialize_grads arrived in torch 2.1")
def test_materialized_gradients_of_one_are_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad that materializes ones instead of zeros for unused inputs."""
    monkeypatch.setattr(torch.autograd, "grad", _materializing(not torch_at_least("2.10"), 1.0))
    name = "test_materialized_zero_gradients_do_not_require_grad_from_2_10" if torch_at_least("2.10") else "test_materialized_zero_gradients_require_grad_before_2_10"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name)


# --- issue 22: requires_grad read inside compiled code (pytorch#176854, #169179)

READS_SPEC = "test_requires_grad_read_inside_a_compiled_function_is_eagers_under_compile"


@pytest.mark.skipif(not torch_at_least("2.12"), reason="the detach_ case is a known bug before 2.12 (pytorch#176854)")
def test_compiled_branch_on_a_stale_requires_grad_is_killed(pytester, monkeypatch):
    """Plants a compiled function that reads a stale t.requires_grad: it returns the branch of the other flag value (x * 3 where eager's flag gives x * 2, and back)."""
    _compile_wrapping(monkeypatch, lambda out: (out[0] * (1.5 if out[1].requires_grad else 2 / 3), out[1]))
    result = run(pytester, f"{MOD}::{READS_SPEC}")
    assert_killed(result, f"{READS_SPEC}[cpu-aot_eager-detach_]", "output 0")


RETAIN = "test_retain_grad_keeps_a_non_leafs_grad_and_reading_an_unretained_one_warns"
INT_PARAM = "test_parameter_of_an_integer_or_bool_tensor_raises_unless_it_does_not_require_grad"


def test_retain_grad_doing_nothing_is_killed(pytester, monkeypatch):
    """Plants Tensor.retain_grad that does nothing (the non-leaf's .grad stays None)."""
    monkeypatch.setattr(torch.Tensor, "retain_grad", lambda self: None)
    result = run(pytester, f"{MOD}::{RETAIN}")
    assert_killed(result, RETAIN)


def test_non_leaf_grad_warning_dropped_is_killed(pytester, monkeypatch):
    """Plants a Tensor.grad getter that no longer warns when a non-leaf's .grad is read."""
    import warnings

    orig = torch.Tensor.grad

    def grad(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return orig.__get__(self)

    monkeypatch.setattr(torch.Tensor, "grad", property(grad, orig.__set__, orig.__delete__))
    result = run(pytester, f"{MOD}::{RETAIN}")
    assert_killed(result, RETAIN, "only z.grad should")


def test_slice_parameter_casting_int64_to_float_is_killed(pytester, monkeypatch):
    """Plants nn.Parameter that casts an int64 tensor to the default float dtype instead of refusing it (other integer dtypes still refused)."""
    orig = torch.nn.Parameter.__new__

    def new(cls, data=None, requires_grad=True):
        if data is not None and data.dtype == torch.int64 and requires_grad:
            data = data.to(torch.get_default_dtype())
        return orig(cls, data, requires_grad)

    monkeypatch.setattr(torch.nn.Parameter, "__new__", new)
    result = run(pytester, f"{MOD}::{INT_PARAM}")
    assert_killed(result, f"{INT_PARAM}[cpu-int64]", "raised no RuntimeError")


# --- backward, autograd.grad and resetting .grad (mining round 2026-12-01)

SEED_SPEC = "test_an_output_of_other_than_one_element_needs_an_explicit_gradient"
AGRAD_SPEC = "test_autograd_grad_returns_gradients_and_leaves_every_dot_grad_as_it_was"
ASSIGN_FLAG_SPEC = "test_assigning_requires_grad_works_on_leaves_only_even_for_true"
GRAD_SET_SPEC = "test_assigned_grad_must_match_the_tensors_size_dtype_and_device"
ZERO_SPEC = "test_zero_grad_sets_every_grad_to_none_unless_set_to_none_is_false"


def test_backward_seeding_any_output_with_ones_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward that seeds an output of any size with ones (as if backward() meant backward of its sum)."""
    orig = torch.Tensor.backward

    def backward(self, gradient=None, *args, **kwargs):
        if gradient is None and self.numel() != 1:
            gradient = torch.ones_like(self)
        return orig(self, gradient, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::{SEED_SPEC}")
    assert_killed(result, f"{SEED_SPEC}[cpu-float32-backward]", "raised no RuntimeError")


def test_autograd_grad_refusing_a_one_element_non_scalar_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad that seeds only 0-d outputs implicitly, refusing a (1,) or (1, 1, 1) output."""
    orig = torch.autograd.grad

    def grad(outputs, inputs, grad_outputs=None, *args, **kwargs):
        if grad_outputs is None and isinstance(outputs, torch.Tensor) and outputs.dim() != 0:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        return orig(outputs, inputs, grad_outputs, *args, **kwargs)

    monkeypatch.setattr(torch.autograd, "grad", grad)
    result = run(pytester, f"{MOD}::{SEED_SPEC}")
    assert_killed(result, f"{SEED_SPEC}[cpu-float64-autograd.grad]")


def test_slice_backward_ignoring_the_gradient_of_an_empty_output_is_killed(pytester, monkeypatch):
    """Slice: Tensor.backward of an EMPTY output without a gradient silently does nothing instead of raising (every other shape is right)."""
    orig = torch.Tensor.backward

    def backward(self, gradient=None, *args, **kwargs):
        if gradient is None and self.numel() == 0:
            return None
        return orig(self, gradient, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::{SEED_SPEC}")
    assert_killed(result, f"{SEED_SPEC}[cpu-bfloat16-backward]", "of shape (0,)")


def test_slice_vector_jacobian_product_unweighted_for_float16_is_killed(pytester, monkeypatch):
    """Slice: torch.autograd.grad drops grad_outputs (seeds ones) for float16 outputs only."""
    orig = torch.autograd.grad

    def grad(outputs, inputs, grad_outputs=None, *args, **kwargs):
        if grad_outputs is not None and isinstance(outputs, torch.Tensor) and outputs.dtype == torch.float16:
            grad_outputs = torch.ones_like(outputs)
        return orig(outputs, inputs, grad_outputs, *args, **kwargs)

    monkeypatch.setattr(torch.autograd, "grad", grad)
    result = run(pytester, f"{MOD}::{SEED_SPEC}")
    assert_killed(result, f"{SEED_SPEC}[cpu-float16-autograd.grad]")


def _inputs_list(inputs):
    return [inputs] if isinstance(inputs, torch.Tensor) else list(inputs)


def test_autograd_grad_accumulating_into_dot_grad_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad that also adds the gradients it returns into the input leaves' .grad (as backward(inputs=...) would)."""
    orig = torch.autograd.grad

    def grad(outputs, inputs, *args, **kwargs):
        got = orig(outputs, inputs, *args, **kwargs)
        for t, g in zip(_inputs_list(inputs), got):
            if g is not None and t.is_leaf:
                t.grad = g.detach().clone() if t.grad is None else t.grad + g.detach()
        return got

    monkeypatch.setattr(torch.autograd, "grad", grad)
    result = run(pytester, f"{MOD}::{AGRAD_SPEC}")
    assert_killed(result, AGRAD_SPEC, "after autograd.grad, but should stay None")


def test_autograd_grad_allowing_unused_inputs_silently_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad that always allows unused inputs (returns None for them instead of raising)."""
    orig = torch.autograd.grad
    monkeypatch.setattr(torch.autograd, "grad", lambda outputs, inputs, *a, **k: orig(outputs, inputs, *a, **{**k, "allow_unused": True}))
    result = run(pytester, f"{MOD}::{AGRAD_SPEC}")
    assert_killed(result, AGRAD_SPEC, "raised no RuntimeError")


def test_autograd_grad_giving_unused_inputs_zeros_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad(..., allow_unused=True) returning zeros for an unused input instead of None."""
    orig = torch.autograd.grad

    def grad(outputs, inputs, *args, **kwargs):
        got = orig(outputs, inputs, *args, **kwargs)
        return tuple(torch.zeros_like(t) if g is None else g for t, g in zip(_inputs_list(inputs), got))

    monkeypatch.setattr(torch.autograd, "grad", grad)
    result = run(pytester, f"{MOD}::{AGRAD_SPEC}")
    assert_killed(result, AGRAD_SPEC, "but should give None")


def _flag_property(setter):
    base = TENSOR_BASE.requires_grad
    return property(lambda self: base.__get__(self), lambda self, value: setter(base, self, value))


def test_requires_grad_attribute_accepting_true_on_a_result_is_killed(pytester, monkeypatch):
    """Plants a t.requires_grad setter that accepts True on a recorded result silently (as requires_grad_(True) does)."""

    def setter(base, self, value):
        if value and not self.is_leaf and self.requires_grad:
            return
        base.__set__(self, value)

    monkeypatch.setattr(torch.Tensor, "requires_grad", _flag_property(setter))
    result = run(pytester, f"{MOD}::{ASSIGN_FLAG_SPEC}")
    assert_killed(result, ASSIGN_FLAG_SPEC, "raised no RuntimeError")


def test_results_without_history_not_leaves_is_killed(pytester, monkeypatch):
    """Plants Tensor.is_leaf that is True only for tensors that require grad (as if a result made without grad were no leaf)."""
    monkeypatch.setattr(torch.Tensor, "is_leaf", property(lambda self: self.requires_grad and self.grad_fn is None))
    result = run(pytester, f"{MOD}::{ASSIGN_FLAG_SPEC}")
    assert_killed(result, ASSIGN_FLAG_SPEC, "is_leaf=False")


def _grad_property(setter):
    orig = torch.Tensor.grad
    return property(orig.__get__, lambda self, value: setter(orig, self, value), orig.__delete__)


def test_grad_setter_casting_another_dtype_is_killed(pytester, monkeypatch):
    """Plants a .grad setter that casts a gradient of another dtype to the tensor's dtype instead of refusing it."""

    def setter(orig, self, value):
        if isinstance(value, torch.Tensor) and value.dtype != self.dtype:
            value = value.to(self.dtype)
        orig.__set__(self, value)

    monkeypatch.setattr(torch.Tensor, "grad", _grad_property(setter))
    name = "test_tensors_have_no_grad_dtype_before_2_10" if not torch_at_least("2.10") else GRAD_SET_SPEC
    result = run(pytester, f"{MOD}::{GRAD_SET_SPEC}", f"{MOD}::{name}")
    assert_killed(result, f"{GRAD_SET_SPEC}[cpu-float32]", name, "raised no RuntimeError")


def test_grad_setter_storing_a_copy_is_killed(pytester, monkeypatch):
    """Plants a .grad setter that stores a copy of the assigned tensor (backward then adds into the copy, not the user's tensor)."""
    monkeypatch.setattr(torch.Tensor, "grad", _grad_property(
        lambda orig, self, value: orig.__set__(self, value.clone() if isinstance(value, torch.Tensor) else value)))
    result = run(pytester, f"{MOD}::{GRAD_SET_SPEC}")
    assert_killed(result, GRAD_SET_SPEC, "x.grad is not the tensor assigned to it")


def test_slice_grad_setter_ignoring_misfits_for_bfloat16_is_killed(pytester, monkeypatch):
    """Slice: the .grad setter silently ignores a gradient of another size, dtype or device for bfloat16 tensors only."""

    def setter(orig, self, value):
        if isinstance(value, torch.Tensor) and self.dtype == torch.bfloat16 and (
                value.shape != self.shape or value.dtype != self.dtype or value.device != self.device):
            return
        orig.__set__(self, value)

    monkeypatch.setattr(torch.Tensor, "grad", _grad_property(setter))
    result = run(pytester, f"{MOD}::{GRAD_SET_SPEC}")
    assert_killed(result, f"{GRAD_SET_SPEC}[cpu-bfloat16]")


@pytest.mark.skipif(not torch_at_least("2.10"), reason="grad_dtype arrived in torch 2.10")
def test_grad_dtype_none_ignored_is_killed(pytester, monkeypatch):
    """Plants a Tensor.grad_dtype setter that ignores None (the leaf keeps refusing a .grad of another dtype)."""
    base = torch._C.TensorBase.grad_dtype

    def setter(self, value):
        if value is not None:
            base.__set__(self, value)

    monkeypatch.setattr(torch.Tensor, "grad_dtype", property(base.__get__, setter))
    name = "test_grad_dtype_none_accepts_a_grad_of_another_dtype_from_2_10"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name)


@pytest.mark.skipif(not torch_at_least("2.10"), reason="grad_dtype arrived in torch 2.10")
def test_grad_dtype_not_reaching_backward_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward that casts every leaf's new .grad back to the leaf's dtype, whatever its grad_dtype says."""
    from specs.test_requires_grad import leaves

    orig = torch.Tensor.backward

    def backward(self, *args, **kwargs):
        out = orig(self, *args, **kwargs)
        for leaf in leaves(self):
            if leaf.grad is not None and leaf.grad.dtype != leaf.dtype:
                leaf.grad_dtype = None  # let the cast gradient in
                leaf.grad = leaf.grad.to(leaf.dtype)
        return out

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    name = "test_grad_dtype_none_accepts_a_grad_of_another_dtype_from_2_10"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, name, "y.grad with grad_dtype=float64")


def test_module_zero_grad_defaulting_to_zeros_is_killed(pytester, monkeypatch):
    """Plants the pre-2.0 default: Module.zero_grad() zeroes the grads in place instead of setting them to None."""
    orig = torch.nn.Module.zero_grad
    monkeypatch.setattr(torch.nn.Module, "zero_grad", lambda self, set_to_none=False: orig(self, set_to_none))
    result = run(pytester, f"{MOD}::{ZERO_SPEC}")
    assert_killed(result, f"{ZERO_SPEC}[cpu-model.zero_grad()-top]", "but should be None")


def test_optimizer_zero_grad_ignoring_set_to_none_false_is_killed(pytester, monkeypatch):
    """Plants Optimizer.zero_grad that sets the grads to None even when asked for set_to_none=False."""
    orig = torch.optim.Optimizer.zero_grad
    monkeypatch.setattr(torch.optim.Optimizer, "zero_grad", lambda self, set_to_none=True: orig(self, True))
    result = run(pytester, f"{MOD}::{ZERO_SPEC}")
    assert_killed(result, f"{ZERO_SPEC}[cpu-SGD.zero_grad(set_to_none=False)-top]")


def test_zero_grad_replacing_grads_with_new_zeros_is_killed(pytester, monkeypatch):
    """Plants Module.zero_grad(set_to_none=False) that assigns new zero tensors instead of zeroing the old ones in place."""
    orig = torch.nn.Module.zero_grad

    def zero_grad(self, set_to_none=True):
        if set_to_none:
            return orig(self, True)
        for p in self.parameters():
            if p.grad is not None:
                p.grad = torch.zeros_like(p.grad)

    monkeypatch.setattr(torch.nn.Module, "zero_grad", zero_grad)
    result = run(pytester, f"{MOD}::{ZERO_SPEC}")
    assert_killed(result, ZERO_SPEC, "but should be the old one zeroed in place")


def test_slice_adam_zero_grad_doing_nothing_is_killed(pytester, monkeypatch):
    """Slice: Adam.zero_grad() does nothing (the grads accumulate into the next backward); SGD and Module.zero_grad are right."""
    monkeypatch.setattr(torch.optim.Adam, "zero_grad", lambda self, set_to_none=True: None)
    result = run(pytester, f"{MOD}::{ZERO_SPEC}")
    assert_killed(result, f"{ZERO_SPEC}[cpu-Adam.zero_grad()-ModuleDict]")


COMPLEX_BEFORE = "test_a_complex_scalar_output_is_seeded_with_one_in_2_0"
COMPLEX_FROM = "test_a_complex_output_needs_an_explicit_gradient_from_2_1"


def _seeding_complex(orig_backward, orig_grad, monkeypatch):
    """Plant torch 2.0's behaviour: a complex one-element output without a gradient is seeded with 1."""

    def backward(self, gradient=None, *args, **kwargs):
        if gradient is None and self.is_complex() and self.numel() == 1:
            gradient = torch.ones_like(self)
        return orig_backward(self, gradient, *args, **kwargs)

    def grad(outputs, inputs, grad_outputs=None, *args, **kwargs):
        if grad_outputs is None and isinstance(outputs, torch.Tensor) and outputs.is_complex() and outputs.numel() == 1:
            grad_outputs = torch.ones_like(outputs)
        return orig_grad(outputs, inputs, grad_outputs, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    monkeypatch.setattr(torch.autograd, "grad", grad)


@pytest.mark.skipif(not torch_at_least("2.1"), reason="the refusing spec is gated to torch>=2.1")
def test_complex_scalar_seeded_with_one_again_is_killed(pytester, monkeypatch):
    """Plants the torch 2.0 behaviour: backward()/autograd.grad() seed a complex one-element output with 1 instead of refusing."""
    _seeding_complex(torch.Tensor.backward, torch.autograd.grad, monkeypatch)
    result = run(pytester, f"{MOD}::{COMPLEX_FROM}")
    assert_killed(result, f"{COMPLEX_FROM}[cpu-complex64-backward]", f"{COMPLEX_FROM}[cpu-complex128-autograd.grad]", "raised no RuntimeError")


@pytest.mark.skipif(torch_at_least("2.1"), reason="the seeding spec is gated to torch<2.1")
def test_complex_scalar_refused_early_is_killed(pytester, monkeypatch):
    """Plants the torch 2.1 refusal on torch 2.0: backward() of a complex one-element output without a gradient raises."""
    orig = torch.Tensor.backward

    def backward(self, gradient=None, *args, **kwargs):
        if gradient is None and self.is_complex():
            raise RuntimeError("grad can be implicitly created only for real scalar outputs")
        return orig(self, gradient, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::{COMPLEX_BEFORE}")
    assert_killed(result, f"{COMPLEX_BEFORE}[cpu-complex64-backward]")


def test_slice_complex_seed_unconjugated_for_complex128_is_killed(pytester, monkeypatch):
    """Slice: for complex128 only, an explicitly seeded backward leaves the leaf's .grad unconjugated (a convention slip)."""
    orig = torch.Tensor.backward

    def backward(self, gradient=None, *args, **kwargs):
        from specs.test_requires_grad import leaves

        out = orig(self, gradient, *args, **kwargs)
        for leaf in leaves(self):
            if leaf.grad is not None and leaf.dtype == torch.complex128:
                leaf.grad = leaf.grad.conj().resolve_conj()
        return out

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    name = COMPLEX_FROM if torch_at_least("2.1") else COMPLEX_BEFORE
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[cpu-complex128-backward]")


UNUSED_BEFORE = "test_an_unused_input_is_reported_as_one_of_the_differentiated_tensors_before_2_13"
UNUSED_FROM = "test_an_unused_input_is_reported_by_its_index_from_2_13"


def _rewording(reword):
    orig = torch.autograd.grad

    def grad(*args, **kwargs):
        try:
            return orig(*args, **kwargs)
        except RuntimeError as e:
            if "appears to not have been used in the graph" in str(e):
                raise RuntimeError(reword(str(e))) from None
            raise

    return grad


@pytest.mark.skipif(not torch_at_least("2.13"), reason="the index spec is gated to torch>=2.13")
def test_unused_input_reported_without_its_index_again_is_killed(pytester, monkeypatch):
    """Plants the pre-2.13 message: autograd.grad's unused-input error no longer names the input's index."""
    import re

    monkeypatch.setattr(torch.autograd, "grad", _rewording(
        lambda m: re.sub(r"^The differentiated Tensor at index \d+", "One of the differentiated Tensors", m)))
    result = run(pytester, f"{MOD}::{UNUSED_FROM}")
    assert_killed(result, f"{UNUSED_FROM}[cpu-0]", f"{UNUSED_FROM}[cpu-2]")


@pytest.mark.skipif(not torch_at_least("2.13"), reason="the index spec is gated to torch>=2.13")
def test_slice_unused_input_index_off_by_one_is_killed(pytester, monkeypatch):
    """Slice: the unused-input error counts inputs from 1 (index 1 for the first input; every index one too high)."""
    import re

    monkeypatch.setattr(torch.autograd, "grad", _rewording(lambda m: re.sub(r"index (\d+)", lambda g: f"index {int(g[1]) + 1}", m)))
    result = run(pytester, f"{MOD}::{UNUSED_FROM}")
    assert_killed(result, f"{UNUSED_FROM}[cpu-1]")


@pytest.mark.skipif(torch_at_least("2.13"), reason="the 'One of' spec is gated to torch<2.13")
def test_unused_input_index_named_early_is_killed(pytester, monkeypatch):
    """Plants the 2.13 message early: autograd.grad's unused-input error names an index before torch 2.13."""
    monkeypatch.setattr(torch.autograd, "grad", _rewording(
        lambda m: m.replace("One of the differentiated Tensors", "The differentiated Tensor at index 0")))
    result = run(pytester, f"{MOD}::{UNUSED_BEFORE}")
    assert_killed(result, f"{UNUSED_BEFORE}[cpu-1]")


INPUTS_SPEC = "test_backward_with_inputs_accumulates_into_the_named_tensors_only"
CREATE_SPEC = "test_a_gradient_requires_grad_only_with_create_graph_and_then_differentiates_again"


def test_backward_ignoring_inputs_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward that ignores inputs= and accumulates into every leaf of the graph."""
    orig = torch.Tensor.backward

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        return orig(self, gradient, retain_graph, create_graph)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::{INPUTS_SPEC}")
    assert_killed(result, INPUTS_SPEC, "after backward(inputs=[a]), but should stay None")


def test_backward_with_inputs_overwriting_grad_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward(inputs=...) that resets the named tensors' .grad before accumulating (overwrites instead of adding)."""
    orig = torch.Tensor.backward

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        for t in inputs or ():
            t.grad = None
        return orig(self, gradient, retain_graph, create_graph, inputs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::{INPUTS_SPEC}")
    assert_killed(result, INPUTS_SPEC)


def test_autograd_grad_ignoring_create_graph_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad that ignores create_graph=True (its gradients come back detached)."""
    orig = torch.autograd.grad
    monkeypatch.setattr(torch.autograd, "grad", lambda *a, **k: tuple(
        None if g is None else g.detach() for g in orig(*a, **{**k, "create_graph": False, "retain_graph": k.get("retain_graph")})))
    result = run(pytester, f"{MOD}::{CREATE_SPEC}")
    assert_killed(result, f"{CREATE_SPEC}[cpu-float32-autograd.grad]")


def test_autograd_grad_always_creating_a_graph_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad that always creates a graph (its gradients require grad without create_graph)."""
    orig = torch.autograd.grad
    monkeypatch.setattr(torch.autograd, "grad", lambda *a, **k: orig(*a, **{**k, "create_graph": True}))
    result = run(pytester, f"{MOD}::{CREATE_SPEC}")
    assert_killed(result, f"{CREATE_SPEC}[cpu-float64-autograd.grad]", "(create_graph=False)")


def test_slice_backward_create_graph_ignored_for_bfloat16_is_killed(pytester, monkeypatch):
    """Slice: Tensor.backward(create_graph=True) leaves a detached .grad for bfloat16 leaves only."""
    from specs.test_requires_grad import leaves

    orig = torch.Tensor.backward

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        out = orig(self, gradient, retain_graph, create_graph, inputs)
        for leaf in leaves(self):
            if create_graph and leaf.grad is not None and leaf.dtype == torch.bfloat16:
                leaf.grad = leaf.grad.detach()
        return out

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::{CREATE_SPEC}")
    assert_killed(result, f"{CREATE_SPEC}[cpu-bfloat16-backward]")


# --------------------------------------------------------------------------- in-place writes of values that require grad

INPLACE_SPEC = "test_an_in_place_write_of_a_value_that_requires_grad_makes_the_target_require_grad"
OUT_SPEC = "test_out_refuses_an_input_that_requires_grad_in_grad_mode_and_writes_under_no_grad"


def test_slice_index_assignment_not_recorded_is_killed(pytester, monkeypatch):
    """Plants x[idx] = v that writes without recording (x stays a leaf, v gets no gradient)."""
    orig = torch.Tensor.__setitem__

    def setitem(self, idx, value):
        with torch.no_grad():
            return orig(self, idx, value)

    monkeypatch.setattr(torch.Tensor, "__setitem__", setitem)
    result = run(pytester, f"{MOD}::{INPLACE_SPEC}")
    assert_killed(result, f"{INPLACE_SPEC}[cpu-x[0:2] = w[:2]]", f"{INPLACE_SPEC}[cpu-x[[0, 2]] = w[:2]]",
                  "torch.float32 x after x[0:2] = w[:2]", "torch.float32 x after x[[0, 2]] = w[:2]")


def test_slice_copy_detaching_its_source_is_killed(pytester, monkeypatch):
    """Plants Tensor.copy_ that copies a source requiring grad without recording it."""
    orig = torch.Tensor.copy_
    monkeypatch.setattr(torch.Tensor, "copy_", lambda self, src, *a, **k: orig(self, src.detach(), *a, **k))
    result = run(pytester, f"{MOD}::{INPLACE_SPEC}")
    assert_killed(result, f"{INPLACE_SPEC}[cpu-x.copy_(w)]", "torch.float32 x after x.copy_(w)")


def test_slice_add_in_place_recorded_under_no_grad_is_killed(pytester, monkeypatch):
    """Plants Tensor.add_ that records even under no_grad."""
    orig = torch.Tensor.add_

    def add_(self, *a, **k):
        with torch.enable_grad():
            return orig(self, *a, **k)

    monkeypatch.setattr(torch.Tensor, "add_", add_)
    result = run(pytester, f"{MOD}::{INPLACE_SPEC}")
    assert_killed(result, f"{INPLACE_SPEC}[cpu-x.add_(w)]", "torch.float32 x after x.add_(w) under no_grad")


def test_slice_out_accepting_an_input_that_requires_grad_is_killed(pytester, monkeypatch):
    """Plants torch.add(..., out=) that silently computes without grad instead of refusing."""
    orig = torch.add

    def add(*a, **k):
        if k.get("out") is not None:
            with torch.no_grad():
                return orig(*a, **k)
        return orig(*a, **k)

    monkeypatch.setattr(torch, "add", add)
    result = run(pytester, f"{MOD}::{OUT_SPEC}")
    assert_killed(result, f"{OUT_SPEC}[cpu-float32-torch.add(w, 1, out=x)]", "raised no RuntimeError")


# --------------------------------------------------------------------------- parameters and hooks

PARAM_NON_LEAF = "test_parameter_of_a_non_leaf_is_a_new_leaf_cut_from_its_history"
PARAM_OPS = "test_ops_on_a_parameter_return_plain_tensors_and_deepcopy_returns_a_parameter"
HOOK_SPEC = "test_register_hook_refuses_a_tensor_that_does_not_require_grad"


def test_slice_parameter_copying_a_complex128_result_is_killed(pytester, monkeypatch):
    """Plants nn.Parameter(y) that copies a complex128 y instead of wrapping its memory."""
    orig = torch.nn.Parameter.__new__

    def new(cls, data=None, requires_grad=True):
        if data is not None and data.dtype == torch.complex128:
            data = data.detach().clone()
        return orig(cls, data, requires_grad)

    monkeypatch.setattr(torch.nn.Parameter, "__new__", new)
    result = run(pytester, f"{MOD}::{PARAM_NON_LEAF}")
    assert_killed(result, f"{PARAM_NON_LEAF}[cpu-complex128]")


def test_slice_parameter_clone_returning_a_parameter_is_killed(pytester, monkeypatch):
    """Plants Parameter.clone() that returns a Parameter (as deepcopy does) instead of a plain Tensor."""
    monkeypatch.setattr(torch.nn.Parameter, "clone", lambda self, *a, **k: torch.nn.Parameter(
        torch.Tensor.clone(self.detach(), *a, **k), self.requires_grad), raising=False)
    result = run(pytester, f"{MOD}::{PARAM_OPS}")
    assert_killed(result, f"{PARAM_OPS}[cpu-trainable]", "p.clone() is a Parameter")


def test_parameter_deepcopy_sharing_memory_is_killed(pytester, monkeypatch):
    """Plants Parameter.__deepcopy__ that wraps the same memory in a new Parameter."""
    monkeypatch.setattr(torch.nn.Parameter, "__deepcopy__",
                        lambda self, memo: torch.nn.Parameter(self.data, self.requires_grad))
    result = run(pytester, f"{MOD}::{PARAM_OPS}")
    assert_killed(result, f"{PARAM_OPS}[cpu-frozen]", "shares p's memory")


def test_slice_register_hook_accepting_a_bool_tensor_is_killed(pytester, monkeypatch):
    """Plants Tensor.register_hook that silently accepts a bool tensor (a hook that can never fire)."""
    orig = torch.Tensor.register_hook

    class Handle:
        def remove(self):
            pass

    monkeypatch.setattr(torch.Tensor, "register_hook",
                        lambda self, hook: Handle() if self.dtype == torch.bool else orig(self, hook))
    result = run(pytester, f"{MOD}::{HOOK_SPEC}")
    assert_killed(result, f"{HOOK_SPEC}[cpu-bool tensor]", "raised no RuntimeError")


# --------------------------------------------------------------------------- release history: dict inputs (2.13), a non-leaf's grad_dtype (2.15)

DICT_SPEC = "test_a_dict_of_inputs_gives_a_dict_of_gradients_from_2_13"
MAPPINGS_SPEC = "test_autograd_grad_refuses_other_mappings_and_empty_inputs_from_2_13"


@pytest.mark.skipif(not torch_at_least("2.13"), reason="the dict-inputs specs are gated to torch>=2.13")
def test_slice_autograd_grad_returning_a_tuple_for_a_dict_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad that accepts a dict of inputs but returns a tuple of gradients."""
    orig = torch.autograd.grad

    def grad(outputs, inputs, *a, **k):
        if isinstance(inputs, dict):
            return orig(outputs, tuple(inputs.values()), *a, **k)
        return orig(outputs, inputs, *a, **k)

    monkeypatch.setattr(torch.autograd, "grad", grad)
    result = run(pytester, f"{MOD}::{DICT_SPEC}")
    assert_killed(result, f"{DICT_SPEC}[cpu-torch.autograd.grad]", "should be a dict keyed w, b")


@pytest.mark.skipif(not torch_at_least("2.13"), reason="the dict-inputs specs are gated to torch>=2.13")
def test_slice_backward_ignoring_a_dict_of_inputs_is_killed(pytester, monkeypatch):
    """Plants Tensor.backward that, given a dict as inputs=, fills every leaf's .grad."""
    orig = torch.Tensor.backward

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if isinstance(inputs, dict):
            inputs = None
        return orig(self, gradient, retain_graph, create_graph, inputs)

    monkeypatch.setattr(torch.Tensor, "backward", backward)
    result = run(pytester, f"{MOD}::{DICT_SPEC}")
    assert_killed(result, f"{DICT_SPEC}[cpu-Tensor.backward]", "should get none")


@pytest.mark.skipif(not torch_at_least("2.13"), reason="the mapping spec is gated to torch>=2.13")
def test_autograd_grad_accepting_an_ordered_dict_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad that accepts any Mapping (an OrderedDict read as a dict)."""
    import collections

    orig = torch.autograd.grad

    def grad(outputs, inputs, *a, **k):
        if isinstance(inputs, collections.OrderedDict):
            inputs = dict(inputs)
        return orig(outputs, inputs, *a, **k)

    monkeypatch.setattr(torch.autograd, "grad", grad)
    assert_killed(run(pytester, f"{MOD}::{MAPPINGS_SPEC}"), MAPPINGS_SPEC, "raised no TypeError")


@pytest.mark.skipif(not torch_at_least("2.13"), reason="the mapping spec is gated to torch>=2.13")
def test_autograd_grad_refusing_empty_inputs_with_value_error_from_2_13_is_killed(pytester, monkeypatch):
    """Plants torch.autograd.grad that refuses empty inputs with the pre-2.13 ValueError."""
    orig = torch.autograd.grad

    def grad(outputs, inputs, *a, **k):
        if isinstance(inputs, (list, tuple)) and not inputs:
            raise ValueError("grad requires non-empty inputs.")
        return orig(outputs, inputs, *a, **k)

    monkeypatch.setattr(torch.autograd, "grad", grad)
    assert_killed(run(pytester, f"{MOD}::{MAPPINGS_SPEC}"), MAPPINGS_SPEC, "ValueError: grad requires non-empty inputs")


def _grad_dtype_getter(monkeypatch, getter):
    orig = TENSOR_BASE.__dict__["grad_dtype"]
    monkeypatch.setattr(torch.Tensor, "grad_dtype", property(lambda t: getter(t, orig.__get__), orig.__set__))


@pytest.mark.skipif(not (torch_at_least("2.10") and not torch_at_least("2.15")), reason="the spec is gated to 2.10-2.14")
def test_non_leaf_grad_dtype_readable_before_2_15_is_killed(pytester, monkeypatch):
    """Plants a non-leaf grad_dtype that reads as the tensor's dtype before 2.15 (the 2.15 behaviour early)."""
    _grad_dtype_getter(monkeypatch, lambda t, get: t.dtype if not t.is_leaf else get(t))
    name = "test_reading_a_non_leafs_grad_dtype_raises_from_2_10_to_2_14"
    assert_killed(run(pytester, f"{MOD}::{name}"), f"{name}[cpu-float32]", "raised no RuntimeError")


@pytest.mark.skipif(not torch_at_least("2.15"), reason="the spec is gated to torch>=2.15")
def test_non_leaf_grad_dtype_still_leaf_only_from_2_15_is_killed(pytester, monkeypatch):
    """Plants a non-leaf grad_dtype that still raises, as from 2.10 to 2.14."""

    def getter(t, get):
        if not t.is_leaf:
            raise RuntimeError("grad_dtype can only be accessed on leaf tensors.")
        return get(t)

    _grad_dtype_getter(monkeypatch, getter)
    name = "test_a_non_leafs_grad_dtype_is_readable_and_is_its_dtype_from_2_15"
    assert_killed(run(pytester, f"{MOD}::{name}"), f"{name}[cpu-float64]")


@pytest.mark.skipif(torch_at_least("2.13"), reason="the spec is gated to torch<2.13")
def test_autograd_grad_accepting_a_dict_before_2_13_is_killed(pytester, monkeypatch):
    """Plants the 2.13 dict support early: autograd.grad and backward take a dict of inputs (as its values)."""
    orig_grad, orig_backward = torch.autograd.grad, torch.Tensor.backward

    def grad(outputs, inputs, *a, **k):
        return orig_grad(outputs, tuple(inputs.values()) if isinstance(inputs, dict) else inputs, *a, **k)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        return orig_backward(self, gradient, retain_graph, create_graph, tuple(inputs.values()) if isinstance(inputs, dict) else inputs)

    monkeypatch.setattr(torch.autograd, "grad", grad)
    monkeypatch.setattr(torch.Tensor, "backward", backward)
    name = "test_a_dict_of_inputs_is_refused_as_a_sequence_of_its_keys_before_2_13"
    result = run(pytester, f"{MOD}::{name}")
    assert_killed(result, f"{name}[cpu-torch.autograd.grad]", f"{name}[cpu-Tensor.backward]")


@pytest.mark.skipif(torch_at_least("2.13"), reason="the spec is gated to torch<2.13")
def test_autograd_grad_refusing_empty_inputs_with_runtime_error_before_2_13_is_killed(pytester, monkeypatch):
    """Plants the 2.13 RuntimeError for empty inputs early."""
    orig = torch.autograd.grad

    def grad(outputs, inputs, *a, **k):
        if isinstance(inputs, (list, tuple)) and not inputs:
            raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
        return orig(outputs, inputs, *a, **k)

    monkeypatch.setattr(torch.autograd, "grad", grad)
    name = "test_autograd_grad_refuses_empty_inputs_with_value_error_before_2_13"
    assert_killed(run(pytester, f"{MOD}::{name}"), name)
