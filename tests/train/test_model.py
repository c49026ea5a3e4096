"""The model is the seed architecture, layer for layer."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")


def test_layers_match_seed_architecture():
    from train.model import build_model

    model = build_model()
    # Dropout is an identity at inference; everything else is the seed.
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.Dropout)]
    kinds = [type(layer).__name__ for layer in layers]
    assert kinds == ["Rescaling", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
                     "Flatten", "Dense", "Dense"]
    rescale, conv1, pool1, conv2, pool2, _, dense1, dense2 = layers
    assert rescale.scale == pytest.approx(1 / 255)
    assert (conv1.filters, conv1.kernel_size, conv1.activation.__name__) == (32, (3, 3), "relu")
    assert (conv2.filters, conv2.kernel_size, conv2.activation.__name__) == (64, (3, 3), "relu")
    assert pool1.pool_size == pool2.pool_size == (2, 2)
    assert (dense1.units, dense1.activation.__name__) == (128, "relu")
    assert (dense2.units, dense2.activation.__name__) == (10, "softmax")
    assert model.input_shape == (None, 28, 28, 1)
    # 320 + 18,496 + (1,600 * 128 + 128) + 1,290
    assert model.count_params() == 225_034


def test_model_takes_raw_pixels():
    from train.model import build_model

    model = build_model()
    probs = model(np.full((2, 28, 28, 1), 255, np.float32), training=False).numpy()
    assert probs.shape == (2, 10)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_augmentation_keeps_shape_range_and_changes_pixels():
    import tensorflow as tf

    from train.augment import augment_batch

    images = np.zeros((16, 28, 28, 1), np.float32)
    images[:, 8:20, 12:16] = 255.0  # a bar, like a "1"
    out = augment_batch(tf.constant(images)).numpy()
    assert out.shape == images.shape
    assert out.min() >= 0.0 and out.max() <= 255.0
    assert np.mean(np.abs(out - images)) > 1.0
    # The bar stays in the frame: most of its ink survives the transform.
    assert 0.6 < out.sum() / images.sum() < 1.6


@pytest.mark.slow
def test_mirrored_strategy_trains(tmp_path, mnist_dir, monkeypatch):
    from train import styles
    from train.training import TrainConfig, train

    styled = []  # the training digits' 1s and 7s go through train.styles
    monkeypatch.setattr(styles, "some_styled",
                        lambda images, labels, seed: styled.append(len(images)) or images.copy())
    result = train(TrainConfig(epochs=1, train_limit=512, test_limit=200, strategy="mirrored",
                               data_dir=mnist_dir, output_dir=tmp_path, batch_size=64))
    assert result.epochs_run == 1 and (tmp_path / "digits.keras").is_file()
    assert 0.0 <= result.test_accuracy <= 1.0
    assert styled == [512]


def test_unknown_strategy_is_refused():
    from train.training import TrainConfig

    with pytest.raises(ValueError, match="strategy must be one of default, mirrored, multi-worker"):
        TrainConfig(strategy="tpu")


@pytest.mark.slow
def test_a_diverged_training_installs_nothing(mnist_dir, tmp_path):
    from train.training import TrainConfig, TrainingDiverged, train
    (tmp_path / "digits.keras").write_bytes(b"the last good model")
    with pytest.raises(TrainingDiverged, match="training diverged"):
        train(TrainConfig(epochs=1, train_limit=512, test_limit=100, learning_rate=1e30, data_dir=mnist_dir,
                          output_dir=tmp_path, augment=False, outlier_fraction=0.0))
    assert (tmp_path / "digits.keras").read_bytes() == b"the last good model"
    assert not (tmp_path / "metrics.json").exists()
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]
