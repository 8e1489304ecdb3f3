"""Planted regressions for specs/test_to_tensor_to_pil.py: each breaks one claim of ToTensor/ToPILImage."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.plant import assert_killed, assert_passed, run

MOD = "test_to_tensor_to_pil.py"

try:  # not importorskip: a torch/torchvision mismatch raises RuntimeError, not ImportError
    import torchvision.transforms.functional as F
    import torchvision.transforms.v2 as _v2
except Exception as exc:  # noqa: BLE001
    pytest.skip(f"torchvision is unusable, no regressions to plant: {type(exc).__name__}: {exc}", allow_module_level=True)


def spec(name: str) -> str:
    return f"{MOD}::{name}"


def test_control_all_specs_pass(pytester):
    """Without a planted regression the module passes."""
    assert_passed(run(pytester, MOD))


def test_to_tensor_forgets_the_default_dtype(pytester, monkeypatch):
    """to_tensor always returns float32, ignoring set_default_dtype(float64)."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic).float() if orig(pic).is_floating_point() else orig(pic))
    result = run(pytester, spec("test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval"))
    assert_killed(result, "to_tensor scales 8-bit images to k/255 in the default dtype")


def test_to_tensor_divides_by_256(pytester, monkeypatch):
    """to_tensor scales uint8 by 1/256 instead of 1/255 (a scale off by one level)."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic) * (255 / 256) if orig(pic).is_floating_point() else orig(pic))
    assert_killed(
        run(pytester, spec("test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval")),
        "to_tensor scales 8-bit images to k/255",
    )
    assert_killed(
        run(pytester, spec("test_note_manual_formula_equals_to_tensor_for_multichannel_images")),
        "the note's manual formula equals to_tensor",
    )
    assert_killed(
        run(pytester, spec("test_uint8_image_to_tensor_to_pil_is_the_identity")),
        "uint8 image -> tensor -> image is the identity",
    )
    assert_killed(
        run(pytester, spec("test_multiples_of_1_255_survive_tensor_to_pil_to_tensor")),
        "multiples of 1/255 survive tensor -> image -> tensor exactly",
    )


def test_to_tensor_returns_hwc(pytester, monkeypatch):
    """to_tensor forgets the permute and returns H x W x C."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic).permute(1, 2, 0))
    result = run(pytester, spec("test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval"))
    assert_killed(result, "out.shape=", "to_tensor scales 8-bit images")


def test_to_tensor_drops_the_255_factor_for_mode_1(pytester, monkeypatch):
    """to_tensor treats bilevel pixels as 0/1 bytes (no 255 *), giving 1/255 like the note's formula."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic) / 255 if getattr(pic, "mode", None) == "1" else orig(pic))
    assert_killed(
        run(pytester, spec("test_note_manual_formula_is_off_by_255_for_bilevel_images")),
        "to_tensor maps mode 1 pixels to 0/1",
    )
    assert_killed(
        run(pytester, spec("test_bilevel_image_comes_back_as_mode_L_with_0_and_255")), "mode 1 round-trips to mode L"
    )


def test_to_tensor_scales_every_ndarray(pytester, monkeypatch):
    """to_tensor divides non-uint8 ndarrays by 255 too."""
    orig = F.to_tensor

    def to_tensor(pic):
        out = orig(pic)
        return out / 255 if isinstance(pic, np.ndarray) and pic.dtype != np.uint8 else out

    monkeypatch.setattr(F, "to_tensor", to_tensor)
    result = run(pytester, spec("test_to_tensor_scales_uint8_ndarrays_and_keeps_other_dtypes"))
    assert_killed(result, "to_tensor scales only uint8 ndarrays")


def test_to_tensor_scales_modes_I_and_F_as_its_docstring_says(pytester, monkeypatch):
    """to_tensor does what its docstring claims: scales modes I, I;16 and F into [0, 1]."""
    orig = F.to_tensor

    def to_tensor(pic):
        out = orig(pic)
        return out.double().div(2**31 - 1).float() if getattr(pic, "mode", None) in ("I", "I;16", "F") else out

    monkeypatch.setattr(F, "to_tensor", to_tensor)
    result = run(pytester, spec("test_to_tensor_does_not_scale_modes_I_I16_F"))
    assert_killed(result, "to_tensor does not scale modes I, I;16, F")


def test_pil_to_tensor_scales(pytester, monkeypatch):
    """pil_to_tensor (PILToTensor) starts dividing by 255 like to_tensor."""
    orig = F.pil_to_tensor
    monkeypatch.setattr(F, "pil_to_tensor", lambda pic: orig(pic).float() / 255)
    assert_killed(run(pytester, spec("test_pil_to_tensor_does_not_scale")), "PILToTensor does not scale")


def _to_pil_image_via(transform):
    """A to_pil_image whose float -> uint8 step is ``transform(x * 255)``."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor) and pic.is_floating_point() and mode != "F":
            pic = transform(pic.detach().cpu() * 255).to(torch.uint8)
        return orig(pic, mode)

    return to_pil_image


def test_to_pil_image_rounds(pytester, monkeypatch):
    """to_pil_image rounds x * 255 to the nearest integer instead of truncating."""
    monkeypatch.setattr(F, "to_pil_image", _to_pil_image_via(torch.round))
    assert_killed(run(pytester, spec("test_to_pil_image_truncates_x_times_255")), "to_pil_image truncates x*255")
    assert_killed(
        run(pytester, spec("test_note_inverse_formula_agrees_with_to_pil_image_on_unit_interval")),
        "the note's inverse formula agrees with to_pil_image",
    )
    assert_killed(
        run(pytester, spec("test_unit_floats_come_back_at_most_1_255_below")), "unit floats come back at most 1/255 below"
    )


def test_to_pil_image_clamps(pytester, monkeypatch):
    """to_pil_image clamps x * 255 to [0, 255] before the cast, like the note's formula."""
    monkeypatch.setattr(F, "to_pil_image", _to_pil_image_via(lambda x: x.clamp(0, 255)))
    result = run(pytester, spec("test_to_pil_image_does_not_clamp_out_of_range_values"))
    assert_killed(result, "to_pil_image does not clamp out-of-range values")


def test_to_pil_image_maps_int16_to_mode_I(pytester, monkeypatch):
    """to_pil_image widens single-channel int16 to int32 and so returns mode I instead of I;16."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor) and pic.dtype == torch.int16:
            pic = pic.to(torch.int32)
        return orig(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_to_pil_image_infers_mode_from_channels_and_dtype"))
    assert_killed(result, "to_pil_image infers the mode from channels and dtype")


def test_to_pil_image_accepts_int64_silently(pytester, monkeypatch):
    """to_pil_image narrows int64 tensors to int32 instead of raising TypeError."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor) and pic.dtype == torch.int64:
            pic = pic.to(torch.int32)
        return orig(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_to_pil_image_rejects_unsupported_dtypes_with_TypeError"))
    assert_killed(result, "to_pil_image rejects unsupported dtypes with TypeError")


def test_to_pil_image_refuses_grad_tensors(pytester, monkeypatch):
    """to_pil_image calls plain .numpy() again, so a tensor that requires grad raises RuntimeError."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor):
            pic.numpy()  # the pre-force=True behaviour for float tensors in mode F, now for all
        return orig(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_to_pil_image_accepts_device_and_requires_grad_tensors"))
    assert_killed(result, "to_pil_image accepts device and requires-grad tensors")


# --------------------------------------------------------------------------- v2


@pytest.fixture
def v2():
    return _v2


def test_v2_to_dtype_scales_by_256(pytester, monkeypatch, v2):
    """v2 ToDtype(scale=True) scales uint8 by 1/256 instead of 1/255."""
    from torchvision.transforms.v2 import functional as F2

    orig = F2.to_dtype_image

    def to_dtype_image(image, dtype=torch.float, scale=False):
        out = orig(image, dtype, scale)
        return out * (255 / 256) if scale and image.dtype == torch.uint8 and dtype.is_floating_point else out

    monkeypatch.setattr(v2.ToDtype, "transform", lambda self, inpt, params: to_dtype_image(inpt, self.dtype, self.scale))
    result = run(pytester, spec("test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24"))
    assert_killed(result, "v2 ToImage+ToDtype(scale=True) matches ToTensor within 2**-24")


def test_v2_to_dtype_skips_scaling_wide_ints(pytester, monkeypatch, v2):
    """v2 ToDtype(scale=True) no longer scales int32 and uint16 images (only uint8)."""
    from torchvision.transforms.v2 import functional as F2

    orig = F2.to_dtype_image

    def to_dtype_image(image, dtype=torch.float, scale=False):
        return orig(image, dtype, scale and image.dtype == torch.uint8)

    monkeypatch.setattr(v2.ToDtype, "transform", lambda self, inpt, params: to_dtype_image(inpt, self.dtype, self.scale))
    assert_killed(run(pytester, spec("test_v2_scales_mode_I_by_int32_max_where_v1_does_not")), "v2 scales mode I")
    assert_killed(
        run(pytester, spec("test_v2_scales_mode_I16_by_65535_where_v1_does_not")), "v2 scales mode I;16 by 65535"
    )


def test_v2_ToTensor_stops_warning(pytester, monkeypatch, v2):
    """v2.ToTensor's deprecation warning is dropped."""
    monkeypatch.setattr(v2.ToTensor, "__init__", lambda self: v2.Transform.__init__(self))
    result = run(pytester, spec("test_v2_ToTensor_warns_that_it_is_deprecated"))
    assert_killed(result, "v2.ToTensor warns that it is deprecated")
