"""Validation of converted models on the MNIST test set, through the device's own code."""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from edge.runtime import Classifier


@dataclass(frozen=True)
class Evaluation:
    accuracy: float
    predictions: np.ndarray  # (N,) int


def evaluate_predictions(predictions: np.ndarray, labels: np.ndarray) -> Evaluation:
    return Evaluation(float(np.mean(predictions == labels)), predictions)


def evaluate_tflite(classifier: Classifier, images: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Runs a loaded .tflite over (N, 28, 28) uint8 images, as the device does."""
    return evaluate_predictions(np.argmax(classifier.scores(images), axis=1), labels)


def evaluate_keras(model, images: np.ndarray, labels: np.ndarray) -> Evaluation:
    probs = model.predict(images[..., np.newaxis].astype(np.float32), batch_size=1024, verbose=0)
    return evaluate_predictions(np.argmax(probs, axis=1), labels)


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of images on which two models predict the same class."""
    return float(np.mean(a == b))
