"""Training pictures: learning curves and the test-set confusion matrix."""

from __future__ import annotations

import os

import numpy as np

from edge import spec
from edge.files import atomic_output


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")  # files only: no display on a server or in CI
    import matplotlib.pyplot as plt
    return plt


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray,
                     num_classes: int = spec.NUM_CLASSES) -> np.ndarray:
    """(C, C) int64 counts; rows are true labels, columns predictions."""
    matrix = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(matrix, (labels.astype(np.int64), predictions.astype(np.int64)), 1)
    return matrix


def plot_training_curves(history: dict[str, list[float]], best_epoch: int,
                         path: str | os.PathLike) -> None:
    """Loss and accuracy per epoch, training against validation, best epoch marked."""
    plt = _pyplot()
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    # Training loss includes the non-digit crops, whose uniform target keeps it above
    # ln(10) times their share; training accuracy counts the digits only.
    labels = {"loss": "training (augmented, with non-digits)", "accuracy": "training (augmented, digits)"}
    for ax, key, title in ((ax_loss, "loss", "Loss"), (ax_acc, "accuracy", "Accuracy")):
        ax.plot(epochs, history[key], "o-", label=labels[key], color="#1f77b4")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], "o-", label="validation", color="#d62728")
        ax.axvline(best_epoch, color="grey", linestyle=":", label=f"best epoch ({best_epoch})")
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    if "val_accuracy" in history:
        lo = min(min(history["accuracy"]), min(history["val_accuracy"]))
        ax_acc.set_ylim(max(lo - 0.005, 0.0), 1.0)
        ax_acc.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.1%}"))
    fig.tight_layout()
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)


def plot_confusion_matrix(matrix: np.ndarray, path: str | os.PathLike, title: str) -> None:
    """Heatmap of counts; the diagonal and the errors on separate colour scales."""
    plt = _pyplot()
    n = len(matrix)
    errors = matrix.astype(float).copy()
    np.fill_diagonal(errors, 0)
    peak = max(errors.max(), 1)
    cmap = plt.get_cmap("Reds").with_extremes(bad="white")
    fig, ax = plt.subplots(figsize=(7.2, 6.4))
    # Errors are a few dozen against ~1000 correct per class: colour the errors alone,
    # and leave empty cells white so the mistakes stand out.
    image = ax.imshow(np.ma.masked_equal(errors, 0), cmap=cmap, vmin=0, vmax=peak)
    for i in range(n):
        ax.add_patch(plt.Rectangle((i - 0.5, i - 0.5), 1, 1, color="#d8ecd8"))
        for j in range(n):
            count = matrix[i, j]
            if i == j or count:
                dark = i != j and count > 0.6 * peak
                ax.text(j, i, str(count), ha="center", va="center", fontsize=8.5,
                        color="white" if dark else "black", weight="bold" if i == j else None)
    ax.set_xticks(range(n), spec.LABELS)
    ax.set_yticks(range(n), spec.LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="misclassified images")
    fig.tight_layout()
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
