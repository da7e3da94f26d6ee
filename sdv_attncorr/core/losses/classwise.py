"""The class-wise correlation loss: correlations within each class of a chosen column."""

from __future__ import annotations

import torch

from sdv_attncorr.core.losses.regularizers import EPSILON, GeneratorBatch, varying_pairs


def classwise_correlations(
    x: torch.Tensor, classes: torch.Tensor, n_classes: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pearson correlation matrix of ``x`` within each class, all classes at once.

    Args:
        x (torch.Tensor):
            Shape ``[n, v]``.
        classes (torch.LongTensor):
            Class of each row, shape ``[n]``.
        n_classes (int):
            Number of classes.

    Returns:
        tuple[torch.Tensor, torch.Tensor]:
            Correlations ``[n_classes, v, v]`` (0 for empty classes) and rows per class
            ``[n_classes]``.

    """
    membership = torch.nn.functional.one_hot(classes, n_classes).to(x.dtype)
    counts = membership.sum(dim=0)
    safe_counts = counts.clamp_min(1)[:, None]
    means = membership.T @ x / safe_counts
    n_rows, width = x.shape
    weighted = (membership[:, :, None] * x[:, None, :]).reshape(n_rows, n_classes * width)
    second = (weighted.T @ x).view(n_classes, width, width) / safe_counts[:, :, None]
    covariance = second - means[:, :, None] * means[:, None, :]
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
        if weights.sum() == 0:
            return per_class.sum() * 0.0

        return (weights * per_class).sum() / weights.sum()
