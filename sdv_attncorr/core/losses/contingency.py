"""The contingency loss: joint frequencies of every pair of columns that SDMetrics bins.

SDMetrics scores a pair that holds a discrete column by ``1 - TVD`` of the pair's contingency
table (``ContingencySimilarity``), a number cut into equal-width bins of its observed range.
The correlation loss sees such a pair only through Pearson correlations (of indicators, scaled
by each category's spread, and blind to spans wider than ``MAX_VIEW_CATEGORIES``); this loss
compares the joint frequencies themselves. Each column becomes a block of memberships: a
discrete span its one-hot (real) or probabilities (generated); with bin edges, a number its
soft bins (a smooth step at each edge, the same on both sides so that a perfect generator
reaches zero) and a last bin for its missing values. With the blocks side by side as one
``[n, K]`` matrix ``D``, every pair's joint frequencies are blocks of ``DᵀD / n``: one matrix
product a step.
"""

from __future__ import annotations

import torch

from sdv_attncorr.core.layout import TableLayout
from sdv_attncorr.core.losses.regularizers import GeneratorBatch

ROW_CHUNK = 16_384
"""Rows of the training table whose products are taken at once for the targets."""
EDGE_SOFTNESS = 0.05
"""Scale, in encoded (normal-score) units, of the logistic step a number takes at a bin edge."""


class MembershipBlocks:
    """Turns encoded rows into the column blocks the contingency tables are counted over.

    Args:
        layout (TableLayout):
            Layout of an encoded row.
        edges (torch.Tensor or None):
            Interior bin edges of each continuous span in encoded values, ``[n_continuous,
            bins - 1]`` (``FidelityScore``'s); None leaves numbers out.

    """

    def __init__(self, layout: TableLayout, edges: torch.Tensor | None = None) -> None:
        with_numbers = edges is not None and len(layout.continuous_spans) > 0
        spans = [s for s in layout.discrete_spans if not (with_numbers and s.is_null_indicator)]
        self.positions = torch.tensor([p for s in spans for p in range(s.start, s.end)])
        owners = [i for i, span in enumerate(spans) for _ in range(span.width)]
        self.numbers = layout.continuous_index() if with_numbers else torch.zeros(0).long()
        self.missing = layout.missing_positions() if with_numbers else torch.zeros(0).long()
        self.edges = edges if edges is not None and with_numbers else torch.zeros(0, 0)
        bins = self.edges.shape[1] + 2  # the interior edges' bins and a missing bin
        owners += [len(spans) + i for i in range(len(self.numbers)) for _ in range(bins)]
        owner = torch.tensor(owners, dtype=torch.long)
        is_number = owner >= len(spans)
        self.pairs = (owner[:, None] < owner[None, :]) & ~(is_number[:, None] & is_number[None, :])
        n_columns = len(spans) + len(self.numbers)
        self.n_pairs = (
            n_columns * (n_columns - 1) // 2 - len(self.numbers) * (len(self.numbers) - 1) // 2
        )

    def to(self, device: torch.device) -> MembershipBlocks:
        """Move the index tensors to ``device``; return self."""
        for name in ('positions', 'numbers', 'missing', 'edges', 'pairs'):
            setattr(self, name, getattr(self, name).to(device))
        return self

    def __call__(self, rows: torch.Tensor) -> torch.Tensor:
        """Return the blocks of ``rows`` (``[n, width]``) side by side, ``[n, K]``."""
        blocks = rows[:, self.positions]
        if self.numbers.numel() == 0:
            return blocks

        values = rows[:, self.numbers]
        above = torch.sigmoid((values[:, :, None] - self.edges.to(rows)) / EDGE_SOFTNESS)
        ones, zeros = torch.ones_like(above[:, :, :1]), torch.zeros_like(above[:, :, :1])
        cumulative = torch.cat([ones, above, zeros], dim=2)
        bins = cumulative[:, :, :-1] - cumulative[:, :, 1:]
        missing = rows[:, self.missing.clamp(min=0)] * (self.missing >= 0)
        numbers = torch.cat([bins * (1 - missing)[:, :, None], missing[:, :, None]], dim=2)
        return torch.cat([blocks, numbers.flatten(1)], dim=1)


def joint_frequencies(
    x: torch.Tensor, blocks: MembershipBlocks, chunk_rows: int = ROW_CHUNK
) -> torch.Tensor:
    """Return ``DᵀD / n`` for ``D = blocks(x)``, taken in chunks of rows.

    Args:
        x (torch.Tensor):
            Encoded rows, ``[n, width]``.
        blocks (MembershipBlocks):
            What turns a chunk of rows into its ``[rows, K]`` memberships.
        chunk_rows (int):
            Rows turned and multiplied at once (no ``D`` of the whole table is made).

    Returns:
        torch.Tensor:
            Shape ``[K, K]``: entry ``(a, b)`` is the share of rows in both ``a`` and ``b``.
    """
    products = None
    for start in range(0, len(x), chunk_rows):
        part = blocks(x[start : start + chunk_rows])
        products = part.T @ part if products is None else products + part.T @ part

    assert products is not None, 'no rows'  # noqa: S101
    return products / len(x)


class ContingencyLoss:
    """Mean total variation distance between generated and real contingency tables.

    Over every pair of columns that SDMetrics scores by contingency (two discrete columns, or a
    discrete one and a number when ``edges`` are given): ``½ Σ |p_generated − p_real|``.

    Args:
        data (torch.Tensor):
            The encoded training table, ``[n_rows, width]``; the targets come from it.
        layout (TableLayout):
            Layout of an encoded row (at least two discrete spans, or one and a number).
        edges (torch.Tensor or None):
            Interior bin edges of each continuous span in encoded values; None compares
            discrete pairs only.

    """

    name = 'Contingency Loss'
    uses_view = True

    def __init__(
        self, data: torch.Tensor, layout: TableLayout, edges: torch.Tensor | None = None
    ) -> None:
        self.blocks = MembershipBlocks(layout, edges).to(data.device)
        if self.blocks.n_pairs == 0:
            raise ValueError('the contingency loss needs a pair of columns, one of them discrete')

        # A float mask, not boolean indexing: that would sync a GPU every step.
        self.weights = self.blocks.pairs.to(data.dtype) * (0.5 / self.blocks.n_pairs)
        self.target = joint_frequencies(data, self.blocks)

    def __call__(self, batch: GeneratorBatch) -> torch.Tensor:
        """Compute the loss on the batch's view rows (activated rows, every column)."""
        generated = joint_frequencies(batch.require_view(), self.blocks)
        return ((generated - self.target).abs() * self.weights).sum()
