"""The class-wise correlation loss: correlations within each class of a chosen column."""

from __future__ import annotations

import torch

from sdv_attncorr.core.losses.regularizers import EPSILON, GeneratorBatch, varying_pairs

ROW_CHUNK = 16_384
"""Rows whose ``[rows, classes x columns]`` products are held at once (43 MB at 22 classes
and 30 columns): a 1M-row table's class-wise targets no longer need gigabytes."""


def class_products(
    x: torch.Tensor,
    classes: torch.Tensor,
    membership: torch.Tensor,
    per_class: bool | None = None,
) -> torch.Tensor:
    """Sum of ``x_i x_i^T`` over the rows of each class, ``[n_classes, v, v]``.

    Per class: one product per class over its own rows (``n v^2`` multiplications; ames_housing's
    7 classes, 344 columns: 9 -> 2.5 ms forward and backward). Masked: one product over all rows
    masked by class (``n_classes`` times as many), which never asks the device for the class
    sizes (a sync on a GPU).

    Args:
        x (torch.Tensor):
            Shape ``[n, v]``.
        classes (torch.LongTensor):
            Class of each row, shape ``[n]``.
        membership (torch.Tensor):
            One-hot classes, ``[n, n_classes]``, in ``x``'s dtype.
        per_class (bool or None):
            Per class (True) or masked (False); None: per class on the CPU, masked elsewhere.
    """
    n_classes, width = membership.shape[1], x.shape[1]
    if not (x.device.type == 'cpu' if per_class is None else per_class):
        weighted = (membership[:, :, None] * x[:, None, :]).reshape(len(x), -1)
        return (weighted.T @ x).view(n_classes, width, width)

    sizes = torch.bincount(classes, minlength=n_classes).tolist()
    blocks = x[classes.argsort()].split(sizes)
    return torch.stack([block.T @ block for block in blocks])


def classwise_correlations(
    x: torch.Tensor, classes: torch.Tensor, n_classes: int, chunk_rows: int = ROW_CHUNK
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pearson correlation matrix of ``x`` within each class, all classes at once.

    Args:
        x (torch.Tensor):
            Shape ``[n, v]``.
        classes (torch.LongTensor):
            Class of each row, shape ``[n]``.
        n_classes (int):
            Number of classes.
        chunk_rows (int):
            Rows whose class-wise sums are taken at once (a training batch is one chunk).

    Returns:
        tuple[torch.Tensor, torch.Tensor]:
            Correlations ``[n_classes, v, v]`` (0 for empty classes) and rows per class
            ``[n_classes]``.

    """
    width = x.shape[1]
    counts = x.new_zeros(n_classes)
    sums = x.new_zeros(n_classes, width)
    products = x.new_zeros(n_classes, width, width)
    for start in range(0, len(x), chunk_rows):
        part, part_classes = x[start : start + chunk_rows], classes[start : start + chunk_rows]
        membership = torch.nn.functional.one_hot(part_classes, n_classes).to(x.dtype)
        counts = counts + membership.sum(dim=0)
        sums = sums + membership.T @ part
        products = products + class_products(part, part_classes, membership)

    safe_counts = counts.clamp_min(1)[:, None]
    means = sums / safe_counts
    covariance = products / safe_counts[:, :, None] - means[:, :, None] * means[:, None, :]
    variance = torch.diagonal(covariance, dim1=1, dim2=2).clamp_min(0)
    std = torch.sqrt(variance + EPSILON)
    return covariance / (std[:, :, None] * std[:, None, :]), counts


class ClasswiseCorrelationLoss:
    """Correlation loss within each class of ``class_column``, weighted by class frequency.

    Targets come from each class's rows in the whole training table; the generated side from
    the view rows conditioned on each class. Pairs that are constant within a class in the
    real data (including the class column's own span) are left out, and classes with fewer
    than ``min_rows`` rows in a batch are skipped.

    Args:
        real_view (torch.Tensor):
            The whole training table in the view, ``[n_rows, v]``.
        real_classes (torch.LongTensor):
            Class of each real row, ``[n_rows]``.
        n_classes (int):
            Number of classes.
        view_index (torch.LongTensor):
            Positions of the view's columns in an encoded row, ``[v]``.
        class_positions (torch.LongTensor):
            Positions, within the view, of the class column's own span (left out).
        min_rows (int):
            Fewest generated rows of a class for it to count in a batch.

    """

    name = 'Classwise Correlation Loss'
    uses_view = True

    def __init__(
        self,
        real_view: torch.Tensor,
        real_classes: torch.Tensor,
        n_classes: int,
        view_index: torch.Tensor,
        class_positions: torch.Tensor,
        min_rows: int = 5,
    ) -> None:
        self.view_index = view_index
        self.n_classes = n_classes
        self.min_rows = min_rows
        self.targets, counts = classwise_correlations(real_view, real_classes, n_classes)
        masks = [varying_pairs(real_view[real_classes == c]) for c in range(n_classes)]
        self.masks = torch.stack(masks) if masks else torch.zeros(0, 0, 0, dtype=torch.bool)
        self.masks[:, class_positions, :] = False
        self.masks[:, :, class_positions] = False
        self.weights = counts / counts.sum()

    def __call__(self, batch: GeneratorBatch) -> torch.Tensor:
        """Compute the loss on the batch's view rows and their classes."""
        view, classes = batch.require_view(), batch.view_classes
        if classes is None:
            raise ValueError(f'{self.name} needs the class of each view row; the batch has none.')

        generated, counts = classwise_correlations(
            view[:, self.view_index], classes, self.n_classes
        )
        squared = (generated - self.targets) ** 2 * self.masks
        pairs = self.masks.sum(dim=(1, 2))
        per_class = squared.sum(dim=(1, 2)) / pairs.clamp_min(1)
        weights = self.weights * ((counts >= self.min_rows) & (pairs > 0))
        # No class counts: 0, without asking the device whether (a sync).
        total = weights.sum().clamp_min(torch.finfo(weights.dtype).tiny)
        return (weights * per_class).sum() / total
