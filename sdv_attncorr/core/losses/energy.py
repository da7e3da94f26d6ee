"""The energy loss: energy distance between generated and real rows, within each class.

The energy distance between the distributions of ``X`` and ``Y`` (Székely and Rizzo),

    E = 2 E|X - Y| - E|X - X'| - E|Y - Y'|,

is zero only when the two are the same, and its U-statistic (pairs of distinct rows within a
sample) is unbiased. Matching a class's mean and spread on the few rows a batch holds of it
would shrink its spread (a small sample's error rewards a narrow generator); the energy
distance on the same rows does not, since its estimate is unbiased at any sample size.
"""

from __future__ import annotations

import torch

from sdv_attncorr.core.category_rows import CategoryRows
from sdv_attncorr.core.losses.regularizers import GeneratorBatch

EPSILON = 1e-8


def pairwise_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Euclidean distance between every row of ``a`` and every row of ``b``.

    Differentiable everywhere, also between identical rows.

    Args:
        a (torch.Tensor):
            Shape ``[n, v]``.
        b (torch.Tensor):
            Shape ``[m, v]``.

    Returns:
        torch.Tensor:
            Shape ``[n, m]``.

    """
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return torch.sqrt(squared.clamp_min(0) + EPSILON)


def class_mean_distances(
    distances: torch.Tensor, classes: torch.Tensor, n_classes: int, *, distinct: bool
) -> torch.Tensor:
    """Mean distance over the pairs of rows of the same class, for each class.

    Args:
        distances (torch.Tensor):
            Distances between two samples whose row ``i`` both have class ``classes[i]``,
            ``[n, n]``.
        classes (torch.LongTensor):
            Shape ``[n]``.
        n_classes (int):
            Number of classes.
        distinct (bool):
            Leave out the pairs of a row with itself (both samples are the same).

    Returns:
        torch.Tensor:
            Shape ``[n_classes]``; 0 for a class without pairs.

    """
    same = classes[:, None] == classes[None, :]
    if distinct:
        same = same & ~torch.eye(len(classes), dtype=torch.bool, device=classes.device)

    totals = torch.zeros(n_classes, device=distances.device, dtype=distances.dtype)
    totals = totals.index_add(0, classes, (distances * same).sum(dim=1))
    pairs = torch.zeros_like(totals).index_add(0, classes, same.sum(dim=1).to(totals.dtype))
    return totals / pairs.clamp_min(1)


class EnergyLoss:
    """Energy distance between generated and real rows of each class, weighted by frequency.

    Each generated view row is paired with a real row of its class, drawn at random from the
    whole training table. Without a class column, every row is of one class and the loss is
    the energy distance over the whole table.

    Args:
        real_view (torch.Tensor):
            The whole training table in the view, ``[n_rows, v]``.
        real_classes (torch.LongTensor):
            Class of each real row, ``[n_rows]`` (all 0 without a class column).
        n_classes (int):
            Number of classes.
        columns (torch.LongTensor):
            Positions, within the view, of the columns compared (the class column's own span
            left out).
        rng (torch.Generator):
            Source of randomness of the real rows drawn.

    """

    name = 'Energy Loss'
    uses_view = True

    def __init__(
        self,
        real_view: torch.Tensor,
        real_classes: torch.Tensor,
        n_classes: int,
        columns: torch.Tensor,
        rng: torch.Generator,
    ) -> None:
        # The table's view itself, not a copy of its compared columns: those are picked from
        # each step's drawn rows (one copy of the table on the device, issue #16).
        self.real = real_view
        self.n_classes = n_classes
        self.columns = columns
        self.rng = rng
        # The class column as the one span of an index of rows by category.
        self.rows_by_class = CategoryRows(real_classes[:, None], [n_classes])

    def real_rows_like(self, classes: torch.Tensor) -> torch.Tensor:
        """Draw, for each class in ``classes``, a real row of that class (in the view)."""
        spans = torch.zeros_like(classes)
        return self.real[self.rows_by_class.rows_with(spans, classes, self.rng)][:, self.columns]

    def __call__(self, batch: GeneratorBatch) -> torch.Tensor:
        """Compute the loss on the batch's view rows and their classes."""
        fake = batch.require_view()[:, self.columns]
        classes = batch.view_classes
        if classes is None:
            classes = torch.zeros(len(fake), dtype=torch.long, device=fake.device)

        real = self.real_rows_like(classes)
        between = class_mean_distances(
            pairwise_distances(fake, real), classes, self.n_classes, distinct=False
        )
        within_fake, within_real = (
            class_mean_distances(pairwise_distances(x, x), classes, self.n_classes, distinct=True)
            for x in (fake, real)
        )
        # Counted by scatter_add, not bincount, which asks the GPU for the largest class.
        rows = fake.new_zeros(self.n_classes).scatter_add_(0, classes, fake.new_ones(classes.shape))
        weights = rows * (rows >= 2)
        energy = 2 * between - within_fake - within_real
        # No class of 2 rows or more: 0, without asking the device whether (a sync).
        return (weights * energy).sum() / weights.sum().clamp_min(1)
