"""Planted regressions for specs/test_to_tensor_to_pil.py: each breaks one claim of ToTensor/ToPILImage."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

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
    assert_killed(result, "test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval")


def test_to_tensor_divides_by_256(pytester, monkeypatch):
    """to_tensor scales uint8 by 1/256 instead of 1/255 (a scale off by one level)."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic) * (255 / 256) if orig(pic).is_floating_point() else orig(pic))
    assert_killed(
        run(pytester, spec("test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval")),
        "test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval",
    )
    assert_killed(
        run(pytester, spec("test_note_manual_formula_equals_to_tensor_for_multichannel_images")),
        "test_note_manual_formula_equals_to_tensor_for_multichannel_images",
    )
    assert_killed(
        run(pytester, spec("test_uint8_image_to_tensor_to_pil_is_the_identity")),
        "test_uint8_image_to_tensor_to_pil_is_the_identity",
    )
    assert_killed(
        run(pytester, spec("test_multiples_of_1_255_survive_tensor_to_pil_to_tensor")),
        "test_multiples_of_1_255_survive_tensor_to_pil_to_tensor",
    )


def test_to_tensor_returns_hwc(pytester, monkeypatch):
    """to_tensor forgets the permute and returns H x W x C."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic).permute(1, 2, 0))
    result = run(pytester, spec("test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval"))
    assert_killed(result, "(img) under default dtype float16.shape=", "test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval")


def test_to_tensor_drops_the_255_factor_for_mode_1(pytester, monkeypatch):
    """to_tensor treats bilevel pixels as 0/1 bytes (no 255 *), giving 1/255 like the note's formula."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic) / 255 if getattr(pic, "mode", None) == "1" else orig(pic))
    assert_killed(
        run(pytester, spec("test_note_manual_formula_is_off_by_255_for_bilevel_images")),
        "test_note_manual_formula_is_off_by_255_for_bilevel_images",
    )
    assert_killed(
        run(pytester, spec("test_bilevel_image_comes_back_as_mode_L_with_0_and_255")), "test_bilevel_image_comes_back_as_mode_L_with_0_and_255"
    )


def test_to_tensor_scales_every_ndarray(pytester, monkeypatch):
    """to_tensor divides non-uint8 ndarrays by 255 too."""
    orig = F.to_tensor

    def to_tensor(pic):
        out = orig(pic)
        return out / 255 if isinstance(pic, np.ndarray) and pic.dtype != np.uint8 else out

    monkeypatch.setattr(F, "to_tensor", to_tensor)
    result = run(pytester, spec("test_to_tensor_scales_uint8_ndarrays_and_keeps_other_dtypes"))
    assert_killed(result, "test_to_tensor_scales_uint8_ndarrays_and_keeps_other_dtypes")


def test_to_tensor_scales_modes_I_and_F_as_its_docstring_says(pytester, monkeypatch):
    """to_tensor does what its docstring claims: scales modes I, I;16 and F into [0, 1]."""
    orig = F.to_tensor

    def to_tensor(pic):
        out = orig(pic)
        return out.double().div(2**31 - 1).float() if getattr(pic, "mode", None) in ("I", "I;16", "F") else out

    monkeypatch.setattr(F, "to_tensor", to_tensor)
    result = run(pytester, spec("test_to_tensor_does_not_scale_modes_I_I16_F"))
    assert_killed(result, "test_to_tensor_does_not_scale_modes_I_I16_F")


def test_pil_to_tensor_scales(pytester, monkeypatch):
    """pil_to_tensor (PILToTensor) starts dividing by 255 like to_tensor."""
    orig = F.pil_to_tensor
    monkeypatch.setattr(F, "pil_to_tensor", lambda pic: orig(pic).float() / 255)
    assert_killed(run(pytester, spec("test_pil_to_tensor_does_not_scale")), "test_pil_to_tensor_does_not_scale")


# --------------------------------------------------------------------------- the note's formulas, layout, batches


def test_from_numpy_copies_read_only_arrays_silently(pytester, monkeypatch):
    """torch.from_numpy copies a read-only array instead of warning that it is not writable."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: orig(a.copy()) if not a.flags.writeable else orig(a))
    result = run(pytester, spec("test_note_formula_from_numpy_of_asarray_warns_not_writable"))
    assert_killed(result, "test_note_formula_from_numpy_of_asarray_warns_not_writable", "emitted no 'not writable' UserWarning")


def test_from_numpy_warns_for_writable_arrays_too(pytester, monkeypatch):
    """torch.from_numpy warns 'not writable' for every array, also a writable np.array(img) copy."""
    orig = torch.from_numpy

    def from_numpy(a):
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support non-writable tensors.", UserWarning)
        return orig(a)

    monkeypatch.setattr(torch, "from_numpy", from_numpy)
    result = run(pytester, spec("test_note_formula_from_numpy_of_asarray_warns_not_writable"))
    assert_killed(result, "test_note_formula_from_numpy_of_asarray_warns_not_writable", "but should not (a writable copy)")


def _asarray_of_images(convert):
    """An np.asarray that applies ``convert`` to PIL images (what a Pillow change would do)."""
    orig = np.asarray

    def asarray(a, *args, **kwargs):
        return convert(a) if isinstance(a, Image.Image) else orig(a, *args, **kwargs)

    return asarray


def test_pil_asarray_returns_a_writable_copy(pytester, monkeypatch):
    """np.asarray of a PIL image returns a writable copy (so from_numpy would not warn)."""
    monkeypatch.setattr(np, "asarray", _asarray_of_images(np.array))
    result = run(pytester, spec("test_note_formula_from_numpy_of_asarray_warns_not_writable"))
    assert_killed(result, "test_note_formula_from_numpy_of_asarray_warns_not_writable", "np.asarray(img).flags.writeable=True")


def test_slice_pil_asarray_gives_single_channel_images_a_channel_axis_is_killed(pytester, monkeypatch):
    """np.asarray of a mode L / 1 image is H x W x 1 instead of H x W (other modes unchanged)."""
    orig = np.asarray
    monkeypatch.setattr(
        np, "asarray", _asarray_of_images(lambda img: orig(img)[:, :, None] if img.mode in ("L", "1") else orig(img))
    )
    result = run(pytester, spec("test_note_manual_formula_raises_RuntimeError_for_single_channel_images"))
    assert_killed(result, "test_note_manual_formula_raises_RuntimeError_for_single_channel_images", "np.asarray(img).shape=")


def test_permute_adds_missing_trailing_dims(pytester, monkeypatch):
    """Tensor.permute of a 2-D tensor with three dims treats it as H x W x 1 instead of raising."""
    orig = torch.Tensor.permute

    def permute(self, *dims):
        order = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        while self.dim() < len(order):
            self = self.unsqueeze(-1)
        return orig(self, *dims)

    monkeypatch.setattr(torch.Tensor, "permute", permute)
    result = run(pytester, spec("test_note_manual_formula_raises_RuntimeError_for_single_channel_images"))
    assert_killed(result, "test_note_manual_formula_raises_RuntimeError_for_single_channel_images", "raised no RuntimeError")


def test_to_tensor_swaps_height_and_width(pytester, monkeypatch):
    """to_tensor returns C x W x H (permute(2, 1, 0)) instead of C x H x W."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic).transpose(1, 2))
    result = run(pytester, spec("test_to_tensor_puts_channel_c_of_pixel_h_w_at_out_c_h_w"))
    assert_killed(result, "test_to_tensor_puts_channel_c_of_pixel_h_w_at_out_c_h_w", "out.shape=")


def test_slice_to_tensor_transposes_square_images_is_killed(pytester, monkeypatch):
    """to_tensor swaps H and W only for square images, where the shape cannot tell."""
    orig = F.to_tensor

    def to_tensor(pic):
        out = orig(pic)
        return out.transpose(1, 2).contiguous() if out.shape[1] == out.shape[2] else out

    monkeypatch.setattr(F, "to_tensor", to_tensor)
    result = run(pytester, spec("test_to_tensor_puts_channel_c_of_pixel_h_w_at_out_c_h_w"))
    assert_killed(result, "test_to_tensor_puts_channel_c_of_pixel_h_w_at_out_c_h_w")


def test_slice_to_tensor_reads_3_channel_ndarrays_as_bgr_is_killed(pytester, monkeypatch):
    """to_tensor reverses the channels of a 3-channel ndarray (BGR, as from cv2); PIL images unchanged."""
    orig = F.to_tensor

    def to_tensor(pic):
        out = orig(pic)
        return out.flip(0) if isinstance(pic, np.ndarray) and out.shape[0] == 3 else out

    monkeypatch.setattr(F, "to_tensor", to_tensor)
    result = run(pytester, spec("test_to_tensor_puts_channel_c_of_pixel_h_w_at_out_c_h_w"))
    assert_killed(result, "test_to_tensor_puts_channel_c_of_pixel_h_w_at_out_c_h_w")


def test_to_tensor_converts_nhwc_batches_as_the_note_says(pytester, monkeypatch):
    """to_tensor accepts a 4-D N x H x W x C ndarray and returns N x C x H x W."""
    orig = F.to_tensor
    monkeypatch.setattr(
        F, "to_tensor", lambda pic: torch.stack([orig(p) for p in pic]) if isinstance(pic, np.ndarray) and pic.ndim == 4 else orig(pic)
    )
    result = run(pytester, spec("test_to_tensor_and_to_pil_image_refuse_a_4d_batch_with_ValueError"))
    assert_killed(result, "test_to_tensor_and_to_pil_image_refuse_a_4d_batch_with_ValueError", "raised no ValueError")


def test_slice_to_pil_image_squeezes_a_batch_of_one_is_killed(pytester, monkeypatch):
    """to_pil_image drops a leading batch axis of size 1 (N = 1 only) instead of raising."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor) and pic.dim() == 4 and pic.shape[0] == 1:
            pic = pic[0]
        return orig(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_to_tensor_and_to_pil_image_refuse_a_4d_batch_with_ValueError"))
    assert_killed(result, "test_to_tensor_and_to_pil_image_refuse_a_4d_batch_with_ValueError", "raised no ValueError")


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
    assert_killed(run(pytester, spec("test_to_pil_image_truncates_x_times_255")), "test_to_pil_image_truncates_x_times_255")
    assert_killed(
        run(pytester, spec("test_note_inverse_formula_agrees_with_to_pil_image_on_unit_interval")),
        "test_note_inverse_formula_agrees_with_to_pil_image_on_unit_interval",
    )
    assert_killed(
        run(pytester, spec("test_unit_floats_come_back_at_most_1_255_below")), "test_unit_floats_come_back_at_most_1_255_below"
    )


def test_slice_to_pil_image_rounds_two_channel_images_is_killed(pytester, monkeypatch):
    """to_pil_image rounds x * 255 instead of truncating, for 2-channel (LA) tensors only."""
    rounding = _to_pil_image_via(torch.round)
    orig = F.to_pil_image
    monkeypatch.setattr(
        F, "to_pil_image", lambda pic, mode=None: rounding(pic, mode) if pic.ndim == 3 and pic.shape[0] == 2 else orig(pic, mode)
    )
    result = run(pytester, spec("test_note_inverse_formula_agrees_with_to_pil_image_on_unit_interval"))
    assert_killed(result, "test_note_inverse_formula_agrees_with_to_pil_image_on_unit_interval")


def test_to_pil_image_keeps_the_channel_axis_of_one_channel_tensors(pytester, monkeypatch):
    """to_pil_image hands a 1-channel image to Image.fromarray as H x W x 1, like the note's formula (TypeError)."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor) and pic.ndim == 3 and pic.shape[0] == 1 and pic.is_floating_point():
            return Image.fromarray((pic.detach().cpu() * 255).byte().permute(1, 2, 0).numpy())
        return orig(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_note_inverse_formula_raises_TypeError_for_one_channel_where_to_pil_image_gives_mode_L"))
    assert_killed(result, "test_note_inverse_formula_raises_TypeError_for_one_channel_where_to_pil_image_gives_mode_L")


def test_slice_to_pil_image_gives_mode_F_for_one_channel_floats_is_killed(pytester, monkeypatch):
    """to_pil_image keeps a 1-channel float tensor as an unscaled mode F image (multi-channel unchanged)."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor) and pic.ndim == 3 and pic.shape[0] == 1 and pic.dtype == torch.float32:
            return orig(pic, "F")
        return orig(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_note_inverse_formula_raises_TypeError_for_one_channel_where_to_pil_image_gives_mode_L"))
    assert_killed(
        result, "test_note_inverse_formula_raises_TypeError_for_one_channel_where_to_pil_image_gives_mode_L", "mode=F, but should be L"
    )


def test_image_fromarray_accepts_h_w_1_arrays(pytester, monkeypatch):
    """Image.fromarray drops the channel axis of an H x W x 1 uint8 array (so the note's formula would work)."""
    from PIL import Image as PILImage

    orig = PILImage.fromarray

    def fromarray(obj, *args, **kwargs):
        if isinstance(obj, np.ndarray) and obj.ndim == 3 and obj.shape[2] == 1:
            obj = obj[:, :, 0]
        return orig(obj, *args, **kwargs)

    monkeypatch.setattr(PILImage, "fromarray", fromarray)
    result = run(pytester, spec("test_note_inverse_formula_raises_TypeError_for_one_channel_where_to_pil_image_gives_mode_L"))
    assert_killed(
        result, "test_note_inverse_formula_raises_TypeError_for_one_channel_where_to_pil_image_gives_mode_L", "raised no TypeError"
    )


def test_to_pil_image_clamps(pytester, monkeypatch):
    """to_pil_image clamps x * 255 to [0, 255] before the cast, like the note's formula."""
    monkeypatch.setattr(F, "to_pil_image", _to_pil_image_via(lambda x: x.clamp(0, 255)))
    result = run(pytester, spec("test_to_pil_image_does_not_clamp_out_of_range_values"))
    assert_killed(result, "test_to_pil_image_does_not_clamp_out_of_range_values")


def test_to_pil_image_maps_int16_to_mode_I(pytester, monkeypatch):
    """to_pil_image widens single-channel int16 to int32 and so returns mode I instead of I;16."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor) and pic.dtype == torch.int16:
            pic = pic.to(torch.int32)
        return orig(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_to_pil_image_infers_mode_from_channels_and_dtype"))
    assert_killed(result, "test_to_pil_image_infers_mode_from_channels_and_dtype[cpu-int16]", "int16 1-channel tensor).mode=I, but should be I;16")


def test_to_pil_image_accepts_int64_silently(pytester, monkeypatch):
    """to_pil_image narrows int64 tensors to int32 instead of raising TypeError."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor) and pic.dtype == torch.int64:
            pic = pic.to(torch.int32)
        return orig(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_to_pil_image_rejects_unsupported_dtypes_with_TypeError"))
    assert_killed(result, "test_to_pil_image_rejects_unsupported_dtypes_with_TypeError")


def test_to_pil_image_refuses_grad_tensors(pytester, monkeypatch):
    """to_pil_image calls plain .numpy() again, so a tensor that requires grad raises RuntimeError."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor):
            pic.numpy()  # the pre-force=True behaviour for float tensors in mode F, now for all
        return orig(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_to_pil_image_accepts_device_and_requires_grad_tensors"))
    assert_killed(result, "test_to_pil_image_accepts_device_and_requires_grad_tensors")


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
    assert_killed(result, "test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24")


def test_v2_to_dtype_skips_scaling_wide_ints(pytester, monkeypatch, v2):
    """v2 ToDtype(scale=True) no longer scales int32 and uint16 images (only uint8)."""
    from torchvision.transforms.v2 import functional as F2

    orig = F2.to_dtype_image

    def to_dtype_image(image, dtype=torch.float, scale=False):
        return orig(image, dtype, scale and image.dtype == torch.uint8)

    monkeypatch.setattr(v2.ToDtype, "transform", lambda self, inpt, params: to_dtype_image(inpt, self.dtype, self.scale))
    assert_killed(run(pytester, spec("test_v2_scales_mode_I_by_int32_max_where_v1_does_not")), "test_v2_scales_mode_I_by_int32_max_where_v1_does_not")
    assert_killed(
        run(pytester, spec("test_v2_scales_mode_I16_by_65535_where_v1_does_not")), "test_v2_scales_mode_I16_by_65535_where_v1_does_not"
    )


def test_v2_ToTensor_stops_warning(pytester, monkeypatch, v2):
    """v2.ToTensor's deprecation warning is dropped."""
    monkeypatch.setattr(v2.ToTensor, "__init__", lambda self: v2.Transform.__init__(self))
    result = run(pytester, spec("test_v2_ToTensor_warns_that_it_is_deprecated"))
    assert_killed(result, "test_v2_ToTensor_warns_that_it_is_deprecated")


# --------------------------------------------------------------------------- slice regressions (round 2)


def test_slice_to_tensor_scales_mode_P_by_1_256_is_killed(pytester, monkeypatch):
    """to_tensor divides palette indices (mode P only) by 256 instead of 255; every other mode unchanged."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic) * (255 / 256) if getattr(pic, "mode", None) == "P" else orig(pic))
    result = run(pytester, spec("test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval"))
    assert_killed(result, "test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval")


def test_slice_pil_to_tensor_converts_YCbCr_to_RGB_is_killed(pytester, monkeypatch):
    """pil_to_tensor converts a YCbCr image to RGB first (mode YCbCr only), so its bytes change."""
    orig = F.pil_to_tensor
    monkeypatch.setattr(F, "pil_to_tensor", lambda pic: orig(pic.convert("RGB") if pic.mode == "YCbCr" else pic))
    assert_killed(run(pytester, spec("test_pil_to_tensor_does_not_scale")), "test_pil_to_tensor_does_not_scale")


def test_slice_to_pil_image_rounds_one_row_images_is_killed(pytester, monkeypatch):
    """to_pil_image rounds x * 255 instead of truncating, only for 1 x N (single-row) tensors."""
    rounding = _to_pil_image_via(torch.round)
    orig = F.to_pil_image
    monkeypatch.setattr(
        F, "to_pil_image", lambda pic, mode=None: rounding(pic, mode) if pic.ndim == 3 and pic.shape[1] == 1 else orig(pic, mode)
    )
    result = run(pytester, spec("test_to_pil_image_truncates_x_times_255"))
    assert_killed(result, "test_to_pil_image_truncates_x_times_255")


def test_slice_v2_to_dtype_scales_four_channel_images_by_256_is_killed(pytester, monkeypatch, v2):
    """v2 ToDtype(scale=True) scales uint8 by 1/256 instead of 1/255, only for 4-channel images."""
    from torchvision.transforms.v2 import functional as F2

    orig = F2.to_dtype_image

    def to_dtype_image(image, dtype=torch.float, scale=False):
        out = orig(image, dtype, scale)
        four = image.ndim >= 3 and image.shape[-3] == 4
        return out * (255 / 256) if scale and four and image.dtype == torch.uint8 and dtype.is_floating_point else out

    monkeypatch.setattr(v2.ToDtype, "transform", lambda self, inpt, params: to_dtype_image(inpt, self.dtype, self.scale))
    result = run(pytester, spec("test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24"))
    assert_killed(result, "test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24")


def test_v2_to_pure_tensor_keeps_the_image_subclass(pytester, monkeypatch, v2):
    """v2 ToPureTensor returns its tv_tensors.Image input unchanged instead of a plain Tensor."""
    monkeypatch.setattr(v2.ToPureTensor, "transform", lambda self, inpt, params: inpt)
    result = run(pytester, spec("test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24"))
    assert_killed(result, "test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24", "but should be Tensor")


def test_v2_to_dtype_divides_by_255_like_v1(pytester, monkeypatch, v2):
    """v2 ToDtype(scale=True) divides uint8 by 255 (bitwise equal to ToTensor) instead of multiplying by 1/255."""
    from torchvision.transforms.v2 import functional as F2

    orig = F2.to_dtype_image

    def to_dtype_image(image, dtype=torch.float, scale=False):
        if scale and image.dtype == torch.uint8 and dtype.is_floating_point:
            return image.to(dtype).div(255)
        return orig(image, dtype, scale)

    monkeypatch.setattr(v2.ToDtype, "transform", lambda self, inpt, params: to_dtype_image(inpt, self.dtype, self.scale))
    result = run(pytester, spec("test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24"))
    assert_killed(result, "test_v2_to_image_to_dtype_matches_to_tensor_within_2_pow_minus_24", "but should differ")


# --------------------------------------------------------------------------- issue 21/23: negative strides, enumerated slices


def _copying_negative_strides(orig, only=lambda pic: True):
    """A conversion that silently copies an ndarray with a negative stride (where ``only(pic)``) instead of refusing it."""

    def convert(pic, *args, **kwargs):
        if isinstance(pic, np.ndarray) and any(s < 0 for s in pic.strides) and only(pic):
            pic = pic.copy()
        return orig(pic, *args, **kwargs)

    return convert


def test_to_tensor_copies_negative_stride_arrays_silently(pytester, monkeypatch):
    """to_tensor copies an ndarray with a negative stride (img[..., ::-1]) instead of raising ValueError."""
    monkeypatch.setattr(F, "to_tensor", _copying_negative_strides(F.to_tensor))
    result = run(pytester, spec("test_to_tensor_refuses_negative_stride_ndarrays_with_ValueError"))
    assert_killed(result, "test_to_tensor_refuses_negative_stride_ndarrays_with_ValueError", "raised no ValueError")


def test_slice_to_tensor_accepts_the_bgr_to_rgb_view_is_killed(pytester, monkeypatch):
    """to_tensor copies an ndarray whose only negative stride is the channel axis (the BGR->RGB view); row/column flips still refused."""
    only_channels = lambda pic: pic.ndim == 3 and pic.strides[2] < 0 and min(pic.strides[:2]) >= 0  # noqa: E731
    monkeypatch.setattr(F, "to_tensor", _copying_negative_strides(F.to_tensor, only_channels))
    result = run(pytester, spec("test_to_tensor_refuses_negative_stride_ndarrays_with_ValueError"))
    assert_killed(result, "test_to_tensor_refuses_negative_stride_ndarrays_with_ValueError[cpu-F.to_tensor+ToTensor()-channels_reversed]")


def test_slice_v2_to_image_copies_negative_stride_arrays_is_killed(pytester, monkeypatch):
    """v2.ToImage (only) copies a negative-stride ndarray instead of refusing it; v1 to_tensor unchanged."""
    from torchvision.transforms.v2 import functional as F2

    monkeypatch.setattr(_v2.ToImage, "transform", lambda self, inpt, params: F2.to_image(inpt.copy() if isinstance(inpt, np.ndarray) else inpt))
    result = run(pytester, spec("test_to_tensor_refuses_negative_stride_ndarrays_with_ValueError"))
    assert_killed(result, "test_to_tensor_refuses_negative_stride_ndarrays_with_ValueError", "v2.ToImage()")


def test_slice_to_tensor_reads_fortran_arrays_in_memory_order_is_killed(pytester, monkeypatch):
    """to_tensor reads an ndarray that is not C-contiguous in its memory order as if it were C order (scrambled pixels)."""
    orig = F.to_tensor

    def to_tensor(pic):
        if isinstance(pic, np.ndarray) and not pic.flags.c_contiguous and pic.flags.f_contiguous:
            pic = pic.ravel(order="K").reshape(pic.shape)
        return orig(pic)

    monkeypatch.setattr(F, "to_tensor", to_tensor)
    result = run(pytester, spec("test_to_tensor_scales_uint8_ndarrays_and_keeps_other_dtypes"))
    assert_killed(result, "test_to_tensor_scales_uint8_ndarrays_and_keeps_other_dtypes", "to_tensor(fortran array)")


def test_slice_to_tensor_ignores_a_bfloat16_default_dtype_is_killed(pytester, monkeypatch):
    """to_tensor returns float32 when the default dtype is bfloat16 (every other default honoured)."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic).float() if torch.get_default_dtype() == torch.bfloat16 and orig(pic).is_floating_point() else orig(pic))
    result = run(pytester, spec("test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval"))
    assert_killed(result, "test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval", "default dtype bfloat16")


def test_slice_v2_ToTensor_scales_by_1_256_is_killed(pytester, monkeypatch):
    """The deprecated v2.ToTensor (only) scales by 1/256; v1 F.to_tensor and ToTensor() unchanged."""
    monkeypatch.setattr(_v2.ToTensor, "transform", lambda self, inpt, params: F.to_tensor(inpt) * (255 / 256))
    result = run(pytester, spec("test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval"))
    assert_killed(result, "test_to_tensor_scales_8bit_images_to_default_float_chw_in_unit_interval", "v2.ToTensor()(img)")


def test_slice_pil_to_tensor_reads_I16_as_int16_is_killed(pytester, monkeypatch):
    """pil_to_tensor reads an I;16 image as int16 (like to_tensor), so pixels above 32767 wrap; other modes unchanged."""
    orig = F.pil_to_tensor
    monkeypatch.setattr(F, "pil_to_tensor", lambda pic: orig(pic).view(torch.int16) if pic.mode == "I;16" else orig(pic))
    result = run(pytester, spec("test_pil_to_tensor_does_not_scale"))
    assert_killed(result, "test_pil_to_tensor_does_not_scale[cpu-I16-F.pil_to_tensor+PILToTensor()+v2.PILToTensor()]")


def test_slice_v2_ToPILImage_rounds_is_killed(pytester, monkeypatch):
    """v2.ToPILImage (only) rounds x * 255 instead of truncating; v1 to_pil_image and ToPILImage() unchanged."""
    rounding = _to_pil_image_via(torch.round)
    monkeypatch.setattr(_v2.ToPILImage, "transform", lambda self, inpt, params: rounding(inpt.as_subclass(torch.Tensor), self.mode))
    result = run(pytester, spec("test_to_pil_image_truncates_x_times_255"))
    assert_killed(result, "test_to_pil_image_truncates_x_times_255", "v2.ToPILImage()(x) pixels")


def test_slice_to_pil_image_takes_the_real_part_of_complex_tensors_is_killed(pytester, monkeypatch):
    """to_pil_image converts a complex tensor by taking its real part instead of raising TypeError."""
    orig = F.to_pil_image
    monkeypatch.setattr(F, "to_pil_image", lambda pic, mode=None: orig(pic.real, mode) if isinstance(pic, torch.Tensor) and pic.is_complex() else orig(pic, mode))
    result = run(pytester, spec("test_to_pil_image_rejects_unsupported_dtypes_with_TypeError"))
    assert_killed(result, "test_to_pil_image_rejects_unsupported_dtypes_with_TypeError[cpu-complex64-1ch]")


def test_slice_to_tensor_reads_I16_as_uint16_is_killed(pytester, monkeypatch):
    """to_tensor returns mode I;16 pixels as unsigned values (no int16 wrap); modes I and F unchanged."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: torch.from_numpy(np.array(pic).astype(np.int32))[None] if getattr(pic, "mode", None) == "I;16" else orig(pic))
    result = run(pytester, spec("test_to_tensor_does_not_scale_modes_I_I16_F"))
    assert_killed(result, "test_to_tensor_does_not_scale_modes_I_I16_F[cpu-I16]")


def test_slice_to_tensor_converts_a_float16_batch_is_killed(pytester, monkeypatch):
    """to_tensor of a 4-D float16 ndarray converts its first image instead of raising; other dtypes unchanged."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic[0]) if isinstance(pic, np.ndarray) and pic.ndim == 4 and pic.dtype == np.float16 else orig(pic))
    result = run(pytester, spec("test_to_tensor_and_to_pil_image_refuse_a_4d_batch_with_ValueError"))
    assert_killed(result, "test_to_tensor_and_to_pil_image_refuse_a_4d_batch_with_ValueError[cpu-float16]")


def test_slice_from_numpy_copies_read_only_F_arrays_silently_is_killed(pytester, monkeypatch):
    """torch.from_numpy copies a read-only float32 array (a mode F image's) silently; other dtypes still warn."""
    orig = torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: orig(a.copy()) if not a.flags.writeable and a.dtype == np.float32 else orig(a))
    result = run(pytester, spec("test_note_formula_from_numpy_of_asarray_warns_not_writable"))
    assert_killed(result, "test_note_formula_from_numpy_of_asarray_warns_not_writable[cpu-F]")


# --------------------------------------------------------------------------- under torch.compile


def _compile_wrapping(wrap):
    """A torch.compile whose compiled function is ``wrap(compiled, fn)`` (the real compile underneath)."""
    orig = torch.compile

    def compile(fn=None, *args, **kwargs):
        return wrap(orig(fn, *args, **kwargs), fn)

    return compile


def test_compiled_to_dtype_returning_its_first_result_is_killed(pytester, monkeypatch):
    """torch.compile whose compiled function returns the result of its first call again (a stale graph output)."""

    def wrap(compiled, fn):
        first = []

        def call(*args):
            if not first:
                first.append(compiled(*args))
            return first[0].clone()

        return call

    monkeypatch.setattr(torch, "compile", _compile_wrapping(wrap))
    result = run(pytester, spec("test_v2_to_dtype_scaling_a_uint8_image_under_compile"))
    assert_killed(result, "test_v2_to_dtype_scaling_a_uint8_image_under_compile", "call 1 (after inverting the pixels in place): output 0")


def test_compiled_to_dtype_dividing_by_255_is_killed(pytester, monkeypatch):
    """torch.compile of to_dtype(scale=True) computes x / 255 (v1's rounding) instead of eager v2's x * (1/255)."""
    monkeypatch.setattr(torch, "compile", _compile_wrapping(lambda compiled, fn: lambda x: x.to(torch.float32) / 255))
    result = run(pytester, spec("test_v2_to_dtype_scaling_a_uint8_image_under_compile"))
    assert_killed(result, "test_v2_to_dtype_scaling_a_uint8_image_under_compile", "output 0")


# --- release history (mined from release notes; see docs/release-history.md)

import importlib as _importlib  # noqa: E402
import types as _types  # noqa: E402

import torchvision as _tv  # noqa: E402
from packaging.version import Version as _Version  # noqa: E402

from specs.helpers import torch_at_least  # noqa: E402

_TV = _Version(_Version(_tv.__version__).base_version)


def _import_module(mode):
    orig = _importlib.import_module

    def import_module(name, *a, **k):
        if name == "torchvision.transforms.functional_tensor":
            if mode == "present":
                return _types.ModuleType(name)
            raise ModuleNotFoundError(f"No module named {name!r}")
        return orig(name, *a, **k)

    return import_module


@pytest.mark.skipif(_TV < _Version("0.17"), reason="the removal spec is gated to torchvision>=0.17")
def test_functional_tensor_module_back_is_killed(pytester, monkeypatch):
    """Plants an importable torchvision.transforms.functional_tensor again (removed in 0.17)."""
    monkeypatch.setattr(_importlib, "import_module", _import_module("present"))
    result = run(pytester, spec("test_transforms_functional_tensor_is_gone_from_0_17"))
    assert_killed(result, "test_transforms_functional_tensor_is_gone_from_0_17")


@pytest.mark.skipif(_TV >= _Version("0.17"), reason="the deprecated-module spec is gated to torchvision<0.17")
def test_functional_tensor_module_gone_early_is_killed(pytester, monkeypatch):
    """Plants torchvision.transforms.functional_tensor missing before 0.17."""
    monkeypatch.setattr(_importlib, "import_module", _import_module("missing"))
    result = run(pytester, spec("test_transforms_functional_tensor_imports_with_a_removal_warning_before_0_17"))
    assert_killed(result, "test_transforms_functional_tensor_imports_with_a_removal_warning_before_0_17")


def _resize_default(antialias):
    orig = _tv.transforms.Resize

    class Resize(orig):
        def __init__(self, size, *a, **k):
            k.setdefault("antialias", antialias)
            super().__init__(size, *a, **k)

    return Resize


@pytest.mark.skipif(_TV < _Version("0.17"), reason="the antialias-by-default spec is gated to torchvision>=0.17")
def test_resize_without_antialias_by_default_is_killed(pytester, monkeypatch):
    """Plants transforms.Resize defaulting to antialias=False on tensors (the pre-0.17 result)."""
    monkeypatch.setattr(_tv.transforms, "Resize", _resize_default(False))
    result = run(pytester, spec("test_resize_of_a_tensor_antialiases_by_default_from_0_17"))
    assert_killed(result, "test_resize_of_a_tensor_antialiases_by_default_from_0_17")


@pytest.mark.skipif(_TV >= _Version("0.17"), reason="the no-antialias spec is gated to torchvision<0.17")
def test_resize_antialiasing_by_default_early_is_killed(pytester, monkeypatch):
    """Plants transforms.Resize defaulting to antialias=True before 0.17."""
    monkeypatch.setattr(_tv.transforms, "Resize", _resize_default(True))
    result = run(pytester, spec("test_resize_of_a_tensor_does_not_antialias_by_default_and_warns_before_0_17"))
    assert_killed(result, "test_resize_of_a_tensor_does_not_antialias_by_default_and_warns_before_0_17")


@pytest.mark.skipif(_TV < _Version("0.16"), reason="the ToImage spec is gated to torchvision>=0.16")
def test_to_image_returning_a_plain_tensor_is_killed(pytester, monkeypatch):
    """Plants v2.ToImage returning a plain tensor instead of a tv_tensors.Image."""
    orig = _v2.ToImage

    class ToImage(orig):
        def __call__(self, *a, **k):
            return super().__call__(*a, **k).as_subclass(torch.Tensor)

    monkeypatch.setattr(_v2, "ToImage", ToImage)
    result = run(pytester, spec("test_v2_image_conversion_is_to_image_returning_tv_tensors_from_0_16"))
    assert_killed(result, "test_v2_image_conversion_is_to_image_returning_tv_tensors_from_0_16")


@pytest.mark.skipif(_TV >= _Version("0.16"), reason="the ToImageTensor spec is gated to torchvision<0.16")
def test_to_image_present_early_is_killed(pytester, monkeypatch):
    """Plants a v2.ToImage in torchvision 0.15."""
    monkeypatch.setattr(_v2, "ToImage", _v2.ToImageTensor, raising=False)
    result = run(pytester, spec("test_v2_image_conversion_is_to_image_tensor_returning_datapoints_in_0_15"))
    assert_killed(result, "test_v2_image_conversion_is_to_image_tensor_returning_datapoints_in_0_15")


_to_tensor = F.to_tensor


@pytest.mark.skipif(not torch_at_least("2.3"), reason="the uint16 spec is gated to torch>=2.3")
def test_to_tensor_scaling_uint16_arrays_is_killed(pytester, monkeypatch):
    """Plants F.to_tensor that scales a uint16 array to [0, 1] (as v2 ToDtype(scale=True) would) instead of keeping it."""
    def to_tensor(pic):
        out = _to_tensor(pic)
        return out.float().div(65535) if out.dtype == torch.uint16 else out

    monkeypatch.setattr(F, "to_tensor", to_tensor)
    result = run(pytester, spec("test_to_tensor_keeps_a_uint16_ndarray_unscaled_from_torch_2_3"))
    assert_killed(result, "test_to_tensor_keeps_a_uint16_ndarray_unscaled_from_torch_2_3")


@pytest.mark.skipif(torch_at_least("2.3"), reason="the TypeError spec is gated to torch<2.3")
def test_to_tensor_accepting_uint16_early_is_killed(pytester, monkeypatch):
    """Plants F.to_tensor that accepts a uint16 array (as int32) before torch 2.3."""
    def to_tensor(pic):
        if isinstance(pic, np.ndarray) and pic.dtype == np.uint16:
            pic = pic.astype(np.int32)
        return _to_tensor(pic)

    monkeypatch.setattr(F, "to_tensor", to_tensor)
    result = run(pytester, spec("test_to_tensor_refuses_a_uint16_ndarray_before_torch_2_3"))
    assert_killed(result, "test_to_tensor_refuses_a_uint16_ndarray_before_torch_2_3")


_to_pil_image = F.to_pil_image


@pytest.mark.skipif(_TV < _Version("0.17"), reason="the mode-L spec is gated to torchvision>=0.17")
def test_float_ndarray_to_pil_as_mode_f_again_is_killed(pytester, monkeypatch):
    """Plants to_pil_image that turns a float ndarray into a mode-F image of the raw values (the 0.15/0.16 behaviour)."""
    from PIL import Image as _Image

    def to_pil_image(pic, mode=None):
        if isinstance(pic, np.ndarray) and pic.dtype.kind == "f" and pic.ndim == 3 and pic.shape[2] == 1:
            return _Image.fromarray(pic[:, :, 0].astype(np.float32))
        return _to_pil_image(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_to_pil_image_of_a_float_ndarray_scales_it_into_mode_l_from_0_17"))
    assert_killed(result, "test_to_pil_image_of_a_float_ndarray_scales_it_into_mode_l_from_0_17")


@pytest.mark.skipif(_TV >= _Version("0.17"), reason="the mode-F spec is gated to torchvision<0.17")
def test_float_ndarray_to_pil_as_mode_l_early_is_killed(pytester, monkeypatch):
    """Plants to_pil_image that scales a float ndarray into mode L before 0.17."""
    monkeypatch.setattr(F, "to_pil_image", lambda pic, mode=None: _to_pil_image(torch.from_numpy(np.ascontiguousarray(pic.transpose(2, 0, 1))).float() if isinstance(pic, np.ndarray) else pic, mode))
    result = run(pytester, spec("test_to_pil_image_of_a_float_ndarray_is_a_mode_f_image_of_the_raw_values_before_0_17"))
    assert_killed(result, "test_to_pil_image_of_a_float_ndarray_is_a_mode_f_image_of_the_raw_values_before_0_17")


@pytest.mark.skipif(_TV < _Version("0.17"), reason="the refusal spec is gated to torchvision>=0.17")
def test_bfloat16_to_pil_converted_silently_is_killed(pytester, monkeypatch):
    """Plants to_pil_image that converts a bfloat16 tensor to float32 first (the 0.15/0.16 behaviour)."""
    monkeypatch.setattr(F, "to_pil_image", lambda pic, mode=None: _to_pil_image(pic.float() if isinstance(pic, torch.Tensor) and pic.dtype == torch.bfloat16 else pic, mode))
    result = run(pytester, spec("test_to_pil_image_refuses_a_bfloat16_tensor_from_0_17"))
    assert_killed(result, "test_to_pil_image_refuses_a_bfloat16_tensor_from_0_17")


@pytest.mark.skipif(_TV >= _Version("0.17"), reason="the conversion spec is gated to torchvision<0.17")
def test_bfloat16_to_pil_refused_early_is_killed(pytester, monkeypatch):
    """Plants to_pil_image refusing a bfloat16 tensor before 0.17."""
    def to_pil_image(pic, mode=None):
        if isinstance(pic, torch.Tensor) and pic.dtype == torch.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        return _to_pil_image(pic, mode)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    result = run(pytester, spec("test_to_pil_image_converts_a_bfloat16_tensor_like_float32_before_0_17"))
    assert_killed(result, "test_to_pil_image_converts_a_bfloat16_tensor_like_float32_before_0_17")


@pytest.mark.skipif(_TV < _Version("0.18"), reason="the 2-D ndarray spec is gated to torchvision>=0.18")
def test_to_image_of_a_2d_ndarray_transposed_is_killed(pytester, monkeypatch):
    """Plants v2.ToImage that reads a 2-D ndarray as W x H (transposed)."""
    orig = _v2.ToImage

    class ToImage(orig):
        def __call__(self, inpt, *a, **k):
            if isinstance(inpt, np.ndarray) and inpt.ndim == 2:
                inpt = np.ascontiguousarray(inpt.T)
            return super().__call__(inpt, *a, **k)

    monkeypatch.setattr(_v2, "ToImage", ToImage)
    result = run(pytester, spec("test_v2_to_image_of_a_2d_ndarray_is_a_one_channel_image_from_0_18"))
    assert_killed(result, "test_v2_to_image_of_a_2d_ndarray_is_a_one_channel_image_from_0_18")


@pytest.mark.skipif(not (_Version("0.16") <= _TV < _Version("0.18")), reason="the refusal spec is gated to 0.16-0.17")
def test_to_image_of_a_2d_ndarray_accepted_early_is_killed(pytester, monkeypatch):
    """Plants v2.ToImage that accepts a 2-D ndarray before 0.18."""
    orig = _v2.ToImage

    class ToImage(orig):
        def __call__(self, inpt, *a, **k):
            if isinstance(inpt, np.ndarray) and inpt.ndim == 2:
                inpt = inpt[:, :, None]
            return super().__call__(inpt, *a, **k)

    monkeypatch.setattr(_v2, "ToImage", ToImage)
    result = run(pytester, spec("test_v2_to_image_refuses_a_2d_ndarray_before_0_18"))
    assert_killed(result, "test_v2_to_image_refuses_a_2d_ndarray_before_0_18")


# --- release history, round 2 (mined from release notes and the tracker)


@pytest.mark.skipif(_TV >= _Version("0.18"), reason="the missing-RGB spec is gated to torchvision<0.18")
def test_v2_rgb_early_is_killed(pytester, monkeypatch):
    """Plants a v2.RGB transform before torchvision 0.18."""
    monkeypatch.setattr(_v2, "RGB", type("RGB", (), {}), raising=False)
    name = "test_v2_has_no_rgb_transform_before_0_18"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(_TV < _Version("0.18"), reason="the RGB spec is gated to torchvision>=0.18")
def test_v2_rgb_averaging_like_grayscale_is_killed(pytester, monkeypatch):
    """Plants v2.RGB that converts like v2.Grayscale(num_output_channels=3): a 3-channel image is averaged instead of passed through."""
    monkeypatch.setattr(_v2, "RGB", lambda: _v2.Grayscale(num_output_channels=3))
    name = "test_v2_rgb_expands_one_channel_to_three_equal_channels_from_0_18"
    assert_killed(run(pytester, spec(name)), name)


# --- memory sharing of to_tensor (noticed on the release runs)

SHARES = "test_to_tensor_of_a_non_uint8_ndarray_shares_its_memory_where_no_copy_is_needed"


def test_to_tensor_that_always_copies_is_killed(pytester, monkeypatch):
    """Plants to_tensor that returns a copy for every ndarray (what the docs' silence lets one assume)."""
    orig = F.to_tensor
    monkeypatch.setattr(F, "to_tensor", lambda pic: orig(pic).clone() if isinstance(pic, np.ndarray) else orig(pic))
    result = run(pytester, spec(f"{SHARES}[float32]"), spec(f"{SHARES}[int16]"))
    assert_killed(result, f"{SHARES}[float32]", f"{SHARES}[int16]", "F.to_tensor(float32 array", "F.to_tensor(int16 array")


def test_slice_to_tensor_returning_a_strided_view_of_a_multichannel_array_is_killed(pytester, monkeypatch):
    """Plants to_tensor that returns the permuted (non-contiguous) view of a non-uint8 H x W x C ndarray instead of contiguous()'s copy: the same values, but shared memory."""
    orig = F.to_tensor

    def to_tensor(pic):
        if isinstance(pic, np.ndarray) and pic.ndim == 3 and pic.dtype != np.uint8:
            return torch.from_numpy(pic).permute(2, 0, 1)
        return orig(pic)

    monkeypatch.setattr(F, "to_tensor", to_tensor)
    result = run(pytester, spec(f"{SHARES}[float64]"))
    assert_killed(result, f"{SHARES}[float64]", "F.to_tensor(float64 array")


# --------------------------------------------------------------------------- round 3: ToDtype rules, tv_tensors, ToImage memory, mode=

import torchvision.transforms.v2.functional as _F2  # noqa: E402

try:  # torchvision.tv_tensors is new in 0.16 (0.15 named it datapoints); the plants below target >=0.16 specs
    import torchvision.tv_tensors as _tvt
except ImportError:
    _tvt = None
V2_STABLE = pytest.mark.skipif(_TV < _Version("0.16"), reason="the ToDtype(scale=...) / tv_tensors specs are gated to torchvision>=0.16")


def _patched_to_dtype(monkeypatch, v2, replace):
    """ToDtype.transform whose result is ``replace(self, inpt)`` where that is not None, the real one's otherwise."""
    orig = v2.ToDtype.transform

    def transform(self, inpt, params):
        out = replace(self, inpt)
        return orig(self, inpt, params) if out is None else out

    monkeypatch.setattr(v2.ToDtype, "transform", transform)


def _float_to_uint8(fn):
    """A replacement for ToDtype(uint8, scale=True) of a float image: ``fn(x)`` (a float tensor) cast to uint8."""

    def replace(self, inpt):
        if self.dtype == torch.uint8 and self.scale and isinstance(inpt, torch.Tensor) and inpt.is_floating_point():
            return _tvt.wrap(fn(inpt.as_subclass(torch.Tensor)).to(torch.uint8), like=inpt)
        return None

    return replace


@V2_STABLE
def test_v2_to_dtype_float_to_uint8_by_255_like_to_pil_image_is_killed(pytester, monkeypatch, v2):
    """ToDtype(uint8, scale=True) of a float image multiplies by 255 and truncates (to_pil_image's rule): 0.999 -> 254."""
    _patched_to_dtype(monkeypatch, v2, _float_to_uint8(lambda x: x * 255))
    name = "test_v2_to_dtype_scales_a_float_image_to_uint8_as_trunc_x_times_255_999"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-float32]", f"{name}[cpu-float64]")


@V2_STABLE
def test_slice_v2_to_dtype_rounding_float64_images_to_uint8_is_killed(pytester, monkeypatch, v2):
    """ToDtype(uint8, scale=True) rounds x * 255 for float64 images only (0.5 -> 128); float32 keeps trunc(x * 255.999)."""
    _patched_to_dtype(monkeypatch, v2, lambda self, inpt: _float_to_uint8(lambda x: torch.round(x * 255))(self, inpt)
                      if isinstance(inpt, torch.Tensor) and inpt.dtype == torch.float64 else None)
    name = "test_v2_to_dtype_scales_a_float_image_to_uint8_as_trunc_x_times_255_999"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-float64]")


def _int_to_int(fn, only=lambda src, dst: True):
    def replace(self, inpt):
        if (isinstance(self.dtype, torch.dtype) and self.scale and isinstance(inpt, torch.Tensor) and not inpt.is_floating_point()
                and not self.dtype.is_floating_point and only(inpt.dtype, self.dtype)):
            return _tvt.wrap(fn(inpt.as_subclass(torch.Tensor), self.dtype), like=inpt)
        return None

    return replace


@V2_STABLE
def test_v2_to_dtype_int_to_int_ignoring_scale_is_killed(pytester, monkeypatch, v2):
    """ToDtype(int dtype, scale=True) of an integer image just casts (no bit shift): uint8 255 -> int16 255."""
    _patched_to_dtype(monkeypatch, v2, _int_to_int(lambda x, dst: x.to(dst)))
    name = "test_v2_to_dtype_between_integer_dtypes_shifts_by_the_difference_in_value_bits"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-uint8]", f"{name}[cpu-int32]",
                  "ToDtype(int8, scale=True)(uint8 image)", "ToDtype(uint8, scale=True)(int32 image)")


@V2_STABLE
def test_slice_v2_to_dtype_narrowing_into_uint8_saturates_is_killed(pytester, monkeypatch, v2):
    """ToDtype(uint8, scale=True) of a signed integer image clamps the shifted negatives to 0 instead of wrapping them."""
    def narrow(x, dst):
        bits = {torch.int8: 7, torch.int16: 15, torch.int32: 31, torch.int64: 63}[x.dtype]
        return x.bitwise_right_shift(bits - 8).clamp(0, 255).to(dst) if bits > 8 else x.clamp(0).to(dst).bitwise_left_shift_(8 - bits)

    _patched_to_dtype(monkeypatch, v2, _int_to_int(narrow, only=lambda src, dst: dst == torch.uint8 and src != torch.uint8))
    name = "test_v2_to_dtype_between_integer_dtypes_shifts_by_the_difference_in_value_bits"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-int32]", f"{name}[cpu-int8]",
                  "ToDtype(uint8, scale=True)(int32 image)", "ToDtype(uint8, scale=True)(int8 image)")


@V2_STABLE
def test_v2_to_dtype_scaling_float32_to_int32_silently_is_killed(pytester, monkeypatch, v2):
    """ToDtype(int32/int64, scale=True) of a float32 (or float64 -> int64) image multiplies by the integer maximum instead of refusing."""
    def replace(self, inpt):
        if isinstance(self.dtype, torch.dtype) and self.scale and isinstance(inpt, torch.Tensor) and inpt.is_floating_point() \
                and self.dtype in (torch.int32, torch.int64):
            return _tvt.wrap(inpt.as_subclass(torch.Tensor).double().mul(torch.iinfo(self.dtype).max).to(self.dtype), like=inpt)
        return None

    _patched_to_dtype(monkeypatch, v2, replace)
    name = "test_v2_to_dtype_refuses_to_scale_float32_to_int32_or_int64_and_float64_to_int64"
    assert_killed(run(pytester, spec(name)), name, "raised no RuntimeError")


@V2_STABLE
def test_v2_to_dtype_converting_masks_with_a_single_dtype_is_killed(pytester, monkeypatch, v2):
    """ToDtype(float32, scale=True) converts a Mask too (a single dtype applied to every tv_tensor)."""
    _patched_to_dtype(monkeypatch, v2, lambda self, inpt: _tvt.wrap(inpt.as_subclass(torch.Tensor).to(self.dtype), like=inpt)
                      if isinstance(self.dtype, torch.dtype) and isinstance(inpt, _tvt.Mask) else None)
    name = "test_v2_to_dtype_with_one_dtype_converts_only_images_videos_and_a_lone_plain_tensor"
    assert_killed(run(pytester, spec(name)), name)


@V2_STABLE
def test_v2_to_dtype_passing_a_lone_plain_tensor_through_is_killed(pytester, monkeypatch, v2):
    """ToDtype(float32, scale=True) never converts a plain tensor, even alone (only tv_tensors.Image/Video)."""
    _patched_to_dtype(monkeypatch, v2, lambda self, inpt: inpt if type(inpt) is torch.Tensor else None)
    name = "test_v2_to_dtype_with_one_dtype_converts_only_images_videos_and_a_lone_plain_tensor"
    assert_killed(run(pytester, spec(name)), name, "(plain tensor).dtype=torch.uint8")


@V2_STABLE
def test_v2_to_dtype_dict_scaling_masks_too_is_killed(pytester, monkeypatch, v2):
    """ToDtype({..., Mask: int64}, scale=True) scales the Mask like an image (uint8 -> int64 shifted left by 55 bits)."""
    _patched_to_dtype(monkeypatch, v2, lambda self, inpt: _tvt.wrap(
        _F2.to_dtype_image(inpt.as_subclass(torch.Tensor), self.dtype[_tvt.Mask], scale=self.scale), like=inpt)
        if isinstance(self.dtype, dict) and isinstance(inpt, _tvt.Mask) and self.dtype.get(_tvt.Mask) else None)
    name = "test_v2_to_dtype_with_a_dict_converts_each_type_to_its_dtype_and_scales_only_images"
    assert_killed(run(pytester, spec(name)), name, "out['mask']")


@V2_STABLE
def test_v2_to_dtype_dict_passing_unnamed_types_through_is_killed(pytester, monkeypatch, v2):
    """ToDtype with a dict lacking "others" passes a type it does not name through instead of raising ValueError."""
    _patched_to_dtype(monkeypatch, v2, lambda self, inpt: inpt
                      if isinstance(self.dtype, dict) and type(inpt) not in self.dtype and "others" not in self.dtype else None)
    name = "test_v2_to_dtype_with_a_dict_converts_each_type_to_its_dtype_and_scales_only_images"
    assert_killed(run(pytester, spec(name)), name, "raised no ValueError")


@V2_STABLE
def test_tv_tensor_ops_keeping_the_image_type_by_default_is_killed(pytester, monkeypatch):
    """Every torch operation on a tv_tensors.Image returns an Image by default (as if set_return_type("TVTensor") were on)."""
    import torchvision.tv_tensors._tv_tensor as tv_tensor

    monkeypatch.setattr(tv_tensor, "_must_return_subclass", lambda: True)
    name = "test_tv_tensors_image_torch_ops_return_plain_tensors_except_clone_to_detach_requires_grad"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-img + 1]", f"{name}[cpu-img.sum()]",
                  "img + 1 (return type default) gave Image", "img.sum() (return type default) gave Image")


@V2_STABLE
def test_slice_tv_tensor_sum_keeping_the_image_type_is_killed(pytester, monkeypatch):
    """Tensor.sum joins clone/to/detach among the operations that keep a tv_tensors.Image's type."""
    import torchvision.tv_tensors._tv_tensor as tv_tensor

    monkeypatch.setattr(tv_tensor, "_FORCE_TORCHFUNCTION_SUBCLASS", tv_tensor._FORCE_TORCHFUNCTION_SUBCLASS | {torch.Tensor.sum})
    name = "test_tv_tensors_image_torch_ops_return_plain_tensors_except_clone_to_detach_requires_grad"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-img.sum()]", "img.sum() (return type default) gave Image")


@V2_STABLE
def test_slice_tv_tensor_clone_unwrapping_is_killed(pytester, monkeypatch):
    """Tensor.clone of a tv_tensors.Image returns a plain tensor (clone dropped from the type-keeping operations)."""
    import torchvision.tv_tensors._tv_tensor as tv_tensor

    monkeypatch.setattr(tv_tensor, "_FORCE_TORCHFUNCTION_SUBCLASS", tv_tensor._FORCE_TORCHFUNCTION_SUBCLASS - {torch.Tensor.clone})
    name = "test_tv_tensors_image_torch_ops_return_plain_tensors_except_clone_to_detach_requires_grad"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-img.clone()]", "img.clone() (return type default) gave Tensor")


@V2_STABLE
def test_tv_tensor_set_return_type_not_restored_is_killed(pytester, monkeypatch):
    """Leaving a set_return_type("TVTensor") block keeps the TVTensor return type on."""
    import torchvision.tv_tensors._torch_function_helpers as helpers

    monkeypatch.setattr(helpers._ReturnTypeCM, "__exit__", lambda self, *args: None)
    name = "test_tv_tensors_image_torch_ops_return_plain_tensors_except_clone_to_detach_requires_grad"
    try:
        result = run(pytester, spec(name) + "[cpu-img + 1]")
    finally:
        helpers._TORCHFUNCTION_SUBCLASS = False  # the plant leaked the flag: restore the default
    assert_killed(result, f"{name}[cpu-img + 1]", "after img + 1 (return type TVTensor)", "return type not restored")


def _patched_to_image(monkeypatch, wrap):
    orig = _F2.to_image
    monkeypatch.setattr(_F2, "to_image", lambda inpt: wrap(inpt, orig))


@V2_STABLE
def test_v2_to_image_copying_every_input_is_killed(pytester, monkeypatch):
    """v2.ToImage always returns new memory (a clone), also for a tensor or a single-channel array."""
    _patched_to_image(monkeypatch, lambda inpt, orig: _tvt.Image(orig(inpt).as_subclass(torch.Tensor).clone()))
    name = "test_v2_to_image_shares_memory_with_a_tensor_and_with_an_ndarray_whose_chw_view_is_contiguous"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-tensor-CxHxW]", f"{name}[cpu-uint8-ndarray-HxWx1]")


@V2_STABLE
def test_slice_v2_to_image_returning_a_view_of_a_multichannel_array_is_killed(pytester, monkeypatch):
    """v2.ToImage of an ndarray returns the permuted view (no contiguous copy), so a C-order H x W x 3 array is shared."""
    _patched_to_image(monkeypatch, lambda inpt, orig: _tvt.Image(torch.from_numpy(np.atleast_3d(inpt)).permute(2, 0, 1))
                      if isinstance(inpt, np.ndarray) else orig(inpt))
    name = "test_v2_to_image_shares_memory_with_a_tensor_and_with_an_ndarray_whose_chw_view_is_contiguous"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-uint8-ndarray-HxWx3]")


def test_slice_to_pil_image_converting_rgb_bytes_into_ycbcr_is_killed(pytester, monkeypatch):
    """to_pil_image(t, mode='YCbCr'/'HSV') reads the bytes as RGB and converts them into that mode (a colour conversion)."""
    orig = F.to_pil_image
    monkeypatch.setattr(F, "to_pil_image", lambda pic, mode=None: orig(pic, "RGB").convert(mode) if mode in ("YCbCr", "HSV") else orig(pic, mode))
    name = "test_to_pil_image_mode_argument_labels_the_bytes_without_converting_them"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-F.to_pil_image]", f"{name}[cpu-ToPILImage()]",
                  "F.to_pil_image(3-channel t, mode='YCbCr') bytes", "ToPILImage()(3-channel t, mode='YCbCr') bytes")


def test_to_pil_image_ignoring_the_mode_argument_is_killed(pytester, monkeypatch):
    """to_pil_image ignores mode= and infers the mode from the channels (CMYK data comes back as RGBA)."""
    orig = F.to_pil_image
    monkeypatch.setattr(F, "to_pil_image", lambda pic, mode=None: orig(pic))
    name = "test_to_pil_image_mode_argument_labels_the_bytes_without_converting_them"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-F.to_pil_image]", "mode='YCbCr').mode=RGB, but should be YCbCr")
    assert_killed(run(pytester, spec("test_to_pil_image_mode_F_keeps_a_one_channel_float32_tensor_unscaled")),
                  "test_to_pil_image_mode_F_keeps_a_one_channel_float32_tensor_unscaled")


def test_to_pil_image_scaling_mode_F_floats_is_killed(pytester, monkeypatch):
    """to_pil_image(float32 tensor, mode='F') multiplies the values by 255 like the other float paths."""
    orig = F.to_pil_image
    monkeypatch.setattr(F, "to_pil_image", lambda pic, mode=None: orig(pic * 255, mode) if mode == "F" else orig(pic, mode))
    name = "test_to_pil_image_mode_F_keeps_a_one_channel_float32_tensor_unscaled"
    assert_killed(run(pytester, spec(name)), name)


def test_to_pil_image_falling_back_from_a_mismatched_mode_is_killed(pytester, monkeypatch):
    """to_pil_image swallows a mode that does not fit the tensor and infers one (or refuses with TypeError) instead of ValueError."""
    orig = F.to_pil_image

    def to_pil_image(pic, mode=None):
        try:
            return orig(pic, mode)
        except ValueError:
            if isinstance(pic, torch.Tensor) and pic.dtype == torch.int32:
                raise TypeError("Input type int32 is not supported") from None
            return orig(pic)

    monkeypatch.setattr(F, "to_pil_image", to_pil_image)
    name = "test_to_pil_image_refuses_a_mode_that_does_not_fit_the_channels_or_dtype_with_ValueError"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-uint8-3ch-RGBA]", f"{name}[cpu-float64-1ch-F]")


@V2_STABLE
def test_v2_to_dtype_float_to_float_clamping_is_killed(pytester, monkeypatch, v2):
    """ToDtype(float dtype, scale=True) of a float image clamps it into [0, 1] while casting."""
    _patched_to_dtype(monkeypatch, v2, lambda self, inpt: _tvt.wrap(inpt.as_subclass(torch.Tensor).clamp(0, 1).to(self.dtype), like=inpt)
                      if isinstance(self.dtype, torch.dtype) and self.dtype.is_floating_point and self.scale
                      and isinstance(inpt, torch.Tensor) and inpt.is_floating_point() else None)
    name = "test_v2_to_dtype_between_float_dtypes_casts_without_scaling_or_clamping"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-float32-to-float64]")


@V2_STABLE
def test_slice_v2_to_dtype_scaling_into_float16_by_255_is_killed(pytester, monkeypatch, v2):
    """ToDtype(float16, scale=True) of a float image divides by 255 (as if it were 8-bit), only for float16 targets."""
    _patched_to_dtype(monkeypatch, v2, lambda self, inpt: _tvt.wrap((inpt.as_subclass(torch.Tensor) / 255).to(self.dtype), like=inpt)
                      if self.dtype == torch.float16 and self.scale and isinstance(inpt, torch.Tensor) and inpt.is_floating_point() else None)
    name = "test_v2_to_dtype_between_float_dtypes_casts_without_scaling_or_clamping"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-float32-to-float16]", f"{name}[cpu-float64-to-float16]")


def _patched_image_new(monkeypatch, change):
    orig = _tvt.Image.__new__

    def new(cls, data, **kwargs):
        return change(data, lambda d: orig(cls, d, **kwargs), cls)

    monkeypatch.setattr(_tvt.Image, "__new__", staticmethod(new))


@V2_STABLE
def test_tv_tensors_image_transposing_hwc_arrays_is_killed(pytester, monkeypatch):
    """tv_tensors.Image(ndarray) reads a 3-D array as H x W x C and transposes it (as ToImage does)."""
    _patched_image_new(monkeypatch, lambda data, make, cls: make(np.ascontiguousarray(data.transpose(2, 0, 1)))
                       if isinstance(data, np.ndarray) and data.ndim == 3 else make(data))
    name = "test_tv_tensors_image_of_an_ndarray_keeps_its_axes_unlike_to_image"
    assert_killed(run(pytester, spec(name)), f"{name}[HxWx3-ndarray]")


@V2_STABLE
def test_slice_tv_tensors_image_keeping_a_2d_array_2d_is_killed(pytester, monkeypatch):
    """tv_tensors.Image of an H x W ndarray stays H x W (no leading channel axis)."""
    _patched_image_new(monkeypatch, lambda data, make, cls: make(data).as_subclass(torch.Tensor)[0].as_subclass(cls)
                       if isinstance(data, np.ndarray) and data.ndim == 2 else make(data))
    name = "test_tv_tensors_image_of_an_ndarray_keeps_its_axes_unlike_to_image"
    assert_killed(run(pytester, spec(name)), f"{name}[HxW-ndarray]")


def test_to_pil_image_transposing_2d_pictures_is_killed(pytester, monkeypatch):
    """to_pil_image of a 2-D picture reads it as W x H (transposed)."""
    orig = F.to_pil_image
    monkeypatch.setattr(F, "to_pil_image", lambda pic, mode=None: orig(pic.T if pic.ndim == 2 else pic, mode))
    name = "test_to_pil_image_of_a_2d_h_x_w_picture_is_a_one_channel_image"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-uint8-tensor]", f"{name}[cpu-uint8-ndarray]")


def test_slice_to_pil_image_casting_a_2d_float_tensor_unscaled_is_killed(pytester, monkeypatch):
    """to_pil_image of a 2-D float tensor casts it to uint8 without the * 255 (only the 2-D float path)."""
    orig = F.to_pil_image
    monkeypatch.setattr(F, "to_pil_image", lambda pic, mode=None: orig(pic.to(torch.uint8), mode)
                        if isinstance(pic, torch.Tensor) and pic.ndim == 2 and pic.is_floating_point() else orig(pic, mode))
    name = "test_to_pil_image_of_a_2d_h_x_w_picture_is_a_one_channel_image"
    assert_killed(run(pytester, spec(name)), f"{name}[cpu-float32-tensor]")


@V2_STABLE
def test_v2_to_pure_tensor_copying_is_killed(pytester, monkeypatch, v2):
    """v2.ToPureTensor returns a copy of each tv_tensor instead of a view of its memory."""
    monkeypatch.setattr(v2.ToPureTensor, "transform", lambda self, inpt, params: inpt.as_subclass(torch.Tensor).clone())
    name = "test_v2_to_pure_tensor_unwraps_every_tv_tensor_in_a_sample_without_copying"
    assert_killed(run(pytester, spec(name)), name, "ToPureTensor copied a")


@V2_STABLE
def test_slice_v2_to_pure_tensor_skipping_bounding_boxes_is_killed(pytester, monkeypatch, v2):
    """v2.ToPureTensor leaves BoundingBoxes wrapped (it unwraps images, videos and masks only)."""
    orig = v2.ToPureTensor.transform
    monkeypatch.setattr(v2.ToPureTensor, "transform", lambda self, inpt, params: inpt if isinstance(inpt, _tvt.BoundingBoxes) else orig(self, inpt, params))
    name = "test_v2_to_pure_tensor_unwraps_every_tv_tensor_in_a_sample_without_copying"
    assert_killed(run(pytester, spec(name)), name, "for a BoundingBoxes")


@pytest.mark.skipif(_TV < _Version("0.20"), reason="the uint16 scaling spec is gated to torchvision>=0.20")
def test_v2_to_dtype_uint16_to_uint8_rounding_is_killed(pytester, monkeypatch, v2):
    """ToDtype(uint8, scale=True) of a uint16 image rounds x / 257 (the max ratio) instead of truncating x / 256."""
    _patched_to_dtype(monkeypatch, v2, lambda self, inpt: _tvt.wrap(torch.round(inpt.as_subclass(torch.Tensor).double() / 257).to(torch.uint8), like=inpt)
                      if self.dtype == torch.uint8 and self.scale and isinstance(inpt, torch.Tensor) and inpt.dtype == torch.uint16 else None)
    name = "test_v2_to_dtype_scales_between_uint16_and_uint8_by_256_from_0_20"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(_TV < _Version("0.20"), reason="the uint16 scaling spec is gated to torchvision>=0.20")
def test_v2_to_dtype_refusing_uint16_again_is_killed(pytester, monkeypatch, v2):
    """ToDtype(scale=True) of a uint16 image raises TypeError again (the pre-0.20 behaviour)."""
    def replace(self, inpt):
        if self.scale and isinstance(inpt, torch.Tensor) and torch.uint16 in (inpt.dtype, self.dtype) and not self.dtype.is_floating_point:
            raise TypeError(f"Number of value bits is only defined for integer dtypes, but got {torch.uint16}.")
        return None

    _patched_to_dtype(monkeypatch, v2, replace)
    name = "test_v2_to_dtype_scales_between_uint16_and_uint8_by_256_from_0_20"
    assert_killed(run(pytester, spec(name)), name)


@pytest.mark.skipif(_TV >= _Version("0.20") or _TV < _Version("0.16") or not torch_at_least("2.3"),
                    reason="the uint16 TypeError spec is gated to torchvision 0.16-0.19 with torch>=2.3")
def test_v2_to_dtype_scaling_uint16_early_is_killed(pytester, monkeypatch, v2):
    """ToDtype(uint8, scale=True) of a uint16 image converts (x >> 8) before torchvision 0.20."""
    _patched_to_dtype(monkeypatch, v2, lambda self, inpt: _tvt.wrap((inpt.as_subclass(torch.Tensor).to(torch.int32) // 256).to(torch.uint8), like=inpt)
                      if self.dtype == torch.uint8 and self.scale and isinstance(inpt, torch.Tensor) and inpt.dtype == torch.uint16 else None)
    name = "test_v2_to_dtype_refuses_to_scale_a_uint16_image_to_uint8_before_0_20"
    assert_killed(run(pytester, spec(name)), name)


# --- release history, round 4 (release notes 2.10-2.15)

import torchvision.transforms.v2 as _v2  # noqa: E402


def _v2_resize_reading_strings_as(mode_of):
    """v2.Resize whose interpolation strings are turned into a mode by ``mode_of`` before the real constructor sees them."""
    orig = _v2.Resize

    class Resize(orig):
        def __init__(self, size, interpolation=_tv.transforms.InterpolationMode.BILINEAR, *a, **k):
            if isinstance(interpolation, str):
                interpolation = mode_of(interpolation)
            super().__init__(size, interpolation, *a, **k)

    return Resize


def _known_mode(name):
    if name not in {"nearest", "bilinear", "bicubic"}:
        raise ValueError(f"Invalid interpolation mode: {name!r}")
    return _tv.transforms.InterpolationMode[name.upper()]


@pytest.mark.skipif(_TV < _Version("0.28"), reason="the string-interpolation spec is gated to torchvision>=0.28")
def test_slice_v2_resize_reading_every_string_as_nearest_is_killed(pytester, monkeypatch):
    """Plants a v2.Resize that takes any interpolation string as 'nearest': the 'bilinear' and 'bicubic' cases must fail, 'nearest' not."""
    monkeypatch.setattr(_v2, "Resize", _v2_resize_reading_strings_as(lambda name: _known_mode(name) and _tv.transforms.InterpolationMode.NEAREST))
    name = "test_v2_resize_takes_an_interpolation_string_as_its_mode_from_0_28"
    result = run(pytester, spec(name))
    assert_killed(result, f"{name}[bilinear-tv_tensors.Image]", f"{name}[bicubic-PIL LA]", "Resize((4, 4), interpolation=")
    failed = [r.nodeid for r in result.reprec.getfailures() if r.when == "call"]
    assert not any("[nearest-" in f for f in failed), f"the 'nearest' cases should pass: {failed}"


def test_v2_resize_taking_strings_before_0_28_is_killed(pytester, monkeypatch):
    """Plants a torchvision 0.27 whose v2.Resize already takes interpolation strings: the <0.28 spec must fail."""
    monkeypatch.setattr(_v2, "Resize", _v2_resize_reading_strings_as(_known_mode))
    monkeypatch.setattr(_tv, "__version__", "0.27.1")
    name = "test_v2_resize_refuses_an_interpolation_string_before_0_28"
    result = run(pytester, spec(name))
    assert_killed(result, f"{name}[bilinear]", "raised no ValueError")


def _v2_resize_lanczos_as_bicubic_on_tensors():
    """v2.Resize that quietly swaps LANCZOS for BICUBIC on tensor images (PIL images keep LANCZOS)."""
    orig = _v2.Resize
    modes = _tv.transforms.InterpolationMode

    class Resize(orig):
        def forward(self, *inputs):
            if self.interpolation == modes.LANCZOS and isinstance(inputs[0], torch.Tensor):
                self.interpolation = modes.BICUBIC
                try:
                    return super().forward(*inputs)
                finally:
                    self.interpolation = modes.LANCZOS
            return super().forward(*inputs)

    return Resize


@pytest.mark.skipif(_TV < _Version("0.27"), reason="the tensor-LANCZOS spec is gated to torchvision>=0.27")
def test_v2_resize_swapping_lanczos_for_bicubic_on_tensors_is_killed(pytester, monkeypatch):
    """Plants a v2.Resize that resizes tensor images with BICUBIC when LANCZOS is asked for: the result strays from PIL's LANCZOS."""
    monkeypatch.setattr(_v2, "Resize", _v2_resize_lanczos_as_bicubic_on_tensors())
    name = "test_v2_resize_of_a_tensor_with_lanczos_matches_pil_from_0_27"
    result = run(pytester, spec(name))
    assert_killed(result, name, "from PIL's LANCZOS, but should be within 1")


def test_v2_resize_taking_lanczos_tensors_before_0_27_is_killed(pytester, monkeypatch):
    """Plants a torchvision 0.26 whose v2.Resize resizes tensor images under LANCZOS (with BICUBIC) instead of raising."""
    monkeypatch.setattr(_v2, "Resize", _v2_resize_lanczos_as_bicubic_on_tensors())
    monkeypatch.setattr(_tv, "__version__", "0.26.0")
    name = "test_v2_resize_of_a_tensor_with_lanczos_raises_not_implemented_error_before_0_27"
    result = run(pytester, spec(name))
    assert_killed(result, name, "raised no NotImplementedError")


# --------------------------------------------------------------------------- integer -> float scaling (blind battery round 5)

INT_TO_FLOAT_SPEC = "test_v2_to_dtype_scales_an_integer_image_into_0_1_by_its_dtypes_maximum_for_every_float_dtype"


def _patch_to_dtype_kernel(monkeypatch, post):
    """Plants the Image kernel of v2.functional.to_dtype (what ToDtype and to_dtype both dispatch to) as
    ``post(image, dtype, scale, out)`` applied to the real kernel's output."""
    from torchvision import tv_tensors
    from torchvision.transforms.v2 import functional as F2
    from torchvision.transforms.v2.functional._utils import _KERNEL_REGISTRY

    registry = _KERNEL_REGISTRY[F2.to_dtype]
    orig = registry[tv_tensors.Image]

    def kernel(image, dtype=torch.float, scale=False):
        return post(image, dtype, scale, orig(image, dtype=dtype, scale=scale))

    monkeypatch.setitem(registry, tv_tensors.Image, kernel)


@V2_STABLE
def test_slice_to_dtype_scaling_uint8_to_float64_by_256_is_killed(pytester, monkeypatch):
    """Plants ToDtype(float64, scale=True) that divides a uint8 image by 256 instead of 255 (one target's kernel)."""
    _patch_to_dtype_kernel(monkeypatch, lambda image, dtype, scale, out: out * (255 / 256)
                           if scale and image.dtype == torch.uint8 and dtype == torch.float64 else out)
    result = run(pytester, spec(INT_TO_FLOAT_SPEC))
    assert_killed(result, f"{INT_TO_FLOAT_SPEC}[cpu-uint8-to-float64]")


@V2_STABLE
def test_slice_to_dtype_dividing_int16_by_max_plus_one_is_killed(pytester, monkeypatch):
    """Plants ToDtype(scale=True) that divides an int16 image by 2**15 instead of 2**15 - 1 (the maximum never reaches 1.0)."""
    _patch_to_dtype_kernel(monkeypatch, lambda image, dtype, scale, out: out * (32767 / 32768)
                           if scale and image.dtype == torch.int16 and dtype.is_floating_point else out)
    result = run(pytester, spec(INT_TO_FLOAT_SPEC))
    assert_killed(result, f"{INT_TO_FLOAT_SPEC}[cpu-int16-to-float32]", "should map to 1.0")


@V2_STABLE
def test_to_dtype_casting_int64_without_scaling_is_killed(pytester, monkeypatch):
    """Plants ToDtype(float, scale=True) that only casts an int64 image (no scaling)."""
    _patch_to_dtype_kernel(monkeypatch, lambda image, dtype, scale, out: image.to(dtype)
                           if scale and image.dtype == torch.int64 and dtype.is_floating_point else out)
    result = run(pytester, spec(INT_TO_FLOAT_SPEC))
    assert_killed(result, f"{INT_TO_FLOAT_SPEC}[cpu-int64-to-float64]", "outside [0, 1]")
