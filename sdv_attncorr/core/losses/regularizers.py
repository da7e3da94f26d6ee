"""Generator regularisers: small callables added, weighted, to the adversarial loss.

Each takes a ``GeneratorBatch`` and returns a scalar tensor. The correlation losses compare
the *view* of the data (DESIGN.md §3): continuous columns as their standardised value, discrete
columns as one-hot (real) or soft probabilities (generated), for rows generated with conditions
drawn at the data's own frequencies, so that a perfect generator reaches zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch
from torch.nn import functional

from sdv_attncorr.core.nets.heads import OutputHead

VARIANCE_FLOOR = 1e-10
EPSILON = 1e-8


@dataclass
class GeneratorBatch:
    """What the generator produced in one step, as the regularisers see it.

    Args:
        raw (torch.Tensor):
            Raw output for the adversarial rows, ``[batch, width]``.
        condition (torch.Tensor):
            Their condition vectors, ``[batch, d_condition]``.
        view (torch.Tensor or None):
            Activated rows generated at the data's own frequencies, ``[n_view, width]``.
        view_classes (torch.LongTensor or None):
            Class index of each view row when a class column is set, ``[n_view]``.
        log_likelihood (torch.Tensor or None):
            Log-likelihood of the categories of the real rows holding the batch's conditions,
            teacher-forced through the batch's contexts (when a regulariser sets
            ``uses_teacher = True``), ``[batch]``.

    """

    raw: torch.Tensor
    condition: torch.Tensor
    view: torch.Tensor | None = None
    view_classes: torch.Tensor | None = None
    log_likelihood: torch.Tensor | None = None

    def require_view(self) -> torch.Tensor:
        """Return the view rows, or raise if the batch was generated without them.

        Returns:
            torch.Tensor:
                ``view``, shape ``[n_view, width]``.

        Raises:
            ValueError:
                If ``view`` is None (the regulariser lacks ``uses_view = True``).

        """
        if self.view is None:
            raise ValueError(
                'this regulariser needs view rows, but the batch has none: give its class '
                '`uses_view = True` so that the trainer generates them'
            )

        return self.view


class GeneratorRegularizer(Protocol):
    """What the trainer needs of a generator regulariser.

    A regulariser may also set ``uses_view = True`` (it reads ``batch.view``), ``uses_teacher
    = True`` (it reads ``batch.log_likelihood``) and ``interval`` (generator steps between two
    computations); the trainer reads them with ``getattr``.
    """

    name: str

    def __call__(self, batch: GeneratorBatch) -> torch.Tensor:
        """Return the scalar loss of ``batch``."""
        ...


def correlation_matrix(x: torch.Tensor) -> torch.Tensor:
    """Pearson correlation matrix of the columns of ``x``; constant columns correlate 0.

    Args:
        x (torch.Tensor):
            Shape ``[n, v]``.

    Returns:
        torch.Tensor:
            Shape ``[v, v]``.

    """
    centered = x - x.mean(dim=0)
    covariance = centered.T @ centered / x.shape[0]
    std = torch.sqrt(torch.diagonal(covariance).clamp_min(0) + EPSILON)
    return covariance / (std[:, None] * std[None, :])


def varying_pairs(x: torch.Tensor) -> torch.Tensor:
    """Mask of the column pairs ``i < j`` where both columns of ``x`` vary.

    Args:
        x (torch.Tensor):
            Shape ``[n, v]``.

    Returns:
        torch.BoolTensor:
            Shape ``[v, v]``.

    """
    if len(x) < 2:
        varies = torch.zeros(x.shape[1], dtype=torch.bool, device=x.device)
    else:
        varies = x.var(dim=0, unbiased=False) > VARIANCE_FLOOR

    upper = torch.ones(x.shape[1], x.shape[1], dtype=torch.bool, device=x.device).triu(1)
    return upper & varies[:, None] & varies[None, :]


class ConditionLoss:
    """Cross-entropy of the conditioned spans against their condition (as CTGAN).

    Args:
        head (OutputHead):
            The output head, whose padded layout of discrete spans the condition follows.

    """

    name = 'Condition Loss'

    def __init__(self, head: OutputHead) -> None:
        self.head = head
        self.index = self.condition_index()  # once: its count would sync a GPU every step

    def __call__(self, batch: GeneratorBatch) -> torch.Tensor:
        """Compute the loss."""
        if batch.condition.shape[1] == 0:
            return batch.raw.new_zeros(())

        log_probabilities = torch.log_softmax(self.head.padded_logits(batch.raw), dim=-1)
        log_probabilities = log_probabilities.masked_fill(~self.head.valid, 0.0)
        padded_condition = functional.pad(batch.condition, (0, 1))[:, self.index]
        return -(padded_condition * log_probabilities).sum(dim=(1, 2)).mean()

    def condition_index(self) -> torch.Tensor:
        """Index gathering a condition vector into the head's padded block (padding last)."""
        index = self.head.padding_index
        ranks = torch.cumsum(self.head.valid.flatten().long(), 0).view_as(index) - 1
        return torch.where(self.head.valid, ranks, int(self.head.valid.sum()))


class CorrelationLoss:
    """Mean squared difference between the real and generated correlation matrices.

    Args:
        real_view (torch.Tensor):
            The whole training table in the view, ``[n_rows, v]``; the targets come from it.
        view_index (torch.LongTensor):
            Positions of the view's columns in an encoded row, ``[v]``.

    """

    name = 'Correlation Loss'
    uses_view = True

    def __init__(self, real_view: torch.Tensor, view_index: torch.Tensor) -> None:
        self.view_index = view_index
        self.target = correlation_matrix(real_view)
        # The pairs' positions, found once: a boolean index asks the GPU for its count.
        self.pairs = varying_pairs(real_view).nonzero(as_tuple=True)
        self.has_pairs = len(self.pairs[0]) > 0

    def __call__(self, batch: GeneratorBatch) -> torch.Tensor:
        """Compute the loss on the batch's view rows."""
        view = batch.require_view()
        if not self.has_pairs:
            return view.new_zeros(())

        generated = correlation_matrix(view[:, self.view_index])
        return ((generated - self.target)[self.pairs] ** 2).mean()
