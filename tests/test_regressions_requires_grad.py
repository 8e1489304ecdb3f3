"""Planted regressions for specs/test_requires_grad.py: each breaks one claim and must be killed."""

from __future__ import annotations

import torch

from tests.plant import assert_killed, assert_passed, run

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
    result = run(pytester, f"{MOD}::test_factories_and_conversions_default_to_requires_grad_false")
    assert_killed(result, "test_factories_and_conversions_default_to_requires_grad_false")


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
    assert_killed(result, "test_integer_and_bool_tensors_cannot_require_grad", "via factory on dtype=torch.uint8 raised no")


def test_slice_from_numpy_requiring_grad_for_float64_is_killed(pytester, monkeypatch):
    """Plants torch.from_numpy returning a tensor that requires grad for float64 arrays only."""
    orig = torch.from_numpy

    def from_numpy(a):
        out = orig(a)
        return out.requires_grad_() if out.dtype == torch.float64 else out

    monkeypatch.setattr(torch, "from_numpy", from_numpy)
    result = run(pytester, f"{MOD}::test_factories_and_conversions_default_to_requires_grad_false")
    assert_killed(result, "test_factories_and_conversions_default_to_requires_grad_false")
