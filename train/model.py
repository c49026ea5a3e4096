"""The digit CNN: the seed architecture, layer for layer, taking raw 0..255 pixels."""

from __future__ import annotations

import keras

from edge import spec

DROPOUT_CONV = 0.25
DROPOUT_DENSE = 0.5


def build_model(learning_rate: float = 1e-3, decay_steps: int | None = None) -> keras.Model:
    """Conv 32 -> pool -> Conv 64 -> pool -> Dense 128 -> Dense 10 softmax, compiled.

    Dropout is the only addition; it is an identity at inference, so the
    converted graph is exactly the seed architecture.

    Args:
      learning_rate: Adam's initial step size.
      decay_steps: when given, the rate follows a cosine decay to zero over
        this many steps.
    """
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=spec.INPUT_SHAPE, name="pixels"),
            layers.Rescaling(1.0 / spec.VALUE_MAX, name="scale"),
            layers.Conv2D(32, 3, activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(64, 3, activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Dropout(DROPOUT_CONV, name="drop_conv"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense1"),
            layers.Dropout(DROPOUT_DENSE, name="drop_dense"),
            layers.Dense(spec.NUM_CLASSES, activation="softmax", name="probs"),
        ],
        name="digits",
    )
    schedule = (keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps)
                if decay_steps else learning_rate)
    # Targets are distributions, not class indices: a digit is one-hot, a non-digit
    # crop (outlier exposure, train/outliers.py) is uniform.
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss="categorical_crossentropy", metrics=[DigitAccuracy()])
    return model


@keras.saving.register_keras_serializable(package="digits")
class DigitAccuracy(keras.metrics.Metric):
    """Accuracy over the digits of a batch only: a non-digit's uniform target has no right class."""

    def __init__(self, name: str = "accuracy", **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.right = self.add_weight(name="right", initializer="zeros")
        self.digits = self.add_weight(name="digits", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        ops = keras.ops
        is_digit = ops.cast(ops.max(y_true, axis=-1) > 0.5, "float32")
        hit = ops.cast(ops.argmax(y_true, axis=-1) == ops.argmax(y_pred, axis=-1), "float32")
        self.right.assign_add(ops.sum(hit * is_digit))
        self.digits.assign_add(ops.sum(is_digit))

    def result(self):
        return self.right / keras.ops.maximum(self.digits, 1.0)

    def reset_state(self) -> None:
        self.right.assign(0.0)
        self.digits.assign(0.0)
