"""Training-time augmentation that mimics a camera crop after the edge preprocessing.

Small rotations, shifts and zoom (a hand-drawn digit is never exactly MNIST's
centring), and thinner or thicker strokes (pens differ). Runs in the tf.data
pipeline, outside the model, so the inference graph stays the seed architecture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import tensorflow as tf


@dataclass(frozen=True)
class AugmentConfig:
    max_rotation_deg: float = 12.0
    max_shift_px: float = 2.5
    zoom_range: tuple[float, float] = (0.85, 1.12)
    max_aspect_jitter: float = 0.1  # independent x/y scale, +-10 %
    thicken_fraction: float = 0.2
    thin_fraction: float = 0.2


def _affine_transforms(batch: tf.Tensor, size: int, cfg: AugmentConfig) -> tf.Tensor:
    """(B, 8) output->input projective transforms for ImageProjectiveTransformV3."""
    angle = tf.random.uniform([batch], -1.0, 1.0) * (cfg.max_rotation_deg * math.pi / 180)
    zoom = tf.random.uniform([batch], *cfg.zoom_range)
    aspect = 1.0 + tf.random.uniform([batch], -1.0, 1.0) * cfg.max_aspect_jitter
    sx, sy = zoom * aspect, zoom / aspect
    tx = tf.random.uniform([batch], -1.0, 1.0) * cfg.max_shift_px
    ty = tf.random.uniform([batch], -1.0, 1.0) * cfg.max_shift_px
    cos, sin = tf.cos(angle), tf.sin(angle)
    # Inverse of: scale, rotate about the centre, then shift.
    a0, a1 = cos / sx, sin / sx
    b0, b1 = -sin / sy, cos / sy
    c = (size - 1) / 2.0
    a2 = c - (a0 * (c + tx) + a1 * (c + ty))
    b2 = c - (b0 * (c + tx) + b1 * (c + ty))
    zeros = tf.zeros([batch])
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def augment_batch(images: tf.Tensor, cfg: AugmentConfig = AugmentConfig()) -> tf.Tensor:
    """(B, 28, 28, 1) float32 pixels 0..255 -> the same, randomly transformed."""
    batch = tf.shape(images)[0]
    size = images.shape[1]
    warped = tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=_affine_transforms(batch, size, cfg),
        output_shape=tf.shape(images)[1:3], fill_value=0.0,
        interpolation="BILINEAR", fill_mode="CONSTANT")
    thick = tf.nn.max_pool2d(warped, ksize=2, strides=1, padding="SAME")
    thin = -tf.nn.max_pool2d(-warped, ksize=2, strides=1, padding="SAME")
    pick = tf.random.uniform([batch, 1, 1, 1])
    out = tf.where(pick < cfg.thicken_fraction, thick, warped)
    out = tf.where(pick > 1.0 - cfg.thin_fraction, thin, out)
    return out
