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
        self.numbers = layout.continuous_index() if with_numbers else torch.zeros(0).long()
        self.missing = layout.missing_positions() if with_numbers else torch.zeros(0).long()
        self.edges = edges if edges is not None and with_numbers else torch.zeros(0, 0)
        bins = self.edges.shape[1] + 2  # the interior edges' bins and a missing bin
        widths = [span.width for span in spans] + [bins] * len(self.numbers)
        ends = torch.tensor(widths).cumsum(0).tolist()
        columns = [slice(end - width, end) for end, width in zip(ends, widths)]
        # Where each pair's contingency table lies in DᵀD, (rows, columns). Discrete columns
        # come first, so a pair holding one starts with it; two numbers are not a pair here
        # (SDMetrics correlates them).
        self.pair_slices = [
            (columns[a], columns[b]) for a in range(len(spans)) for b in range(a + 1, len(columns))
        ]

    def to(self, device: torch.device) -> MembershipBlocks:
        """Move the index tensors to ``device``; return self."""
        for name in ('positions', 'numbers', 'missing', 'edges'):
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


def cramers_v(tables: list[torch.Tensor]) -> torch.Tensor:
    """Cramér's V (no bias correction, as SciPy's) of each contingency table of frequencies.

    Empty rows and columns are dropped first; a table with fewer than 2 of either has V = 0.

    Args:
        tables (list[torch.Tensor]):
            Joint frequencies, each ``[categories_a, categories_b]`` and summing to 1.

    Returns:
        torch.Tensor:
            Shape ``[len(tables)]``, float32 on the CPU.
    """
    values = []
    for table in tables:
        table = table[table.sum(dim=1) > 0][:, table.sum(dim=0) > 0]
        smaller = min(table.shape)
        if smaller < 2:
            values.append(0.0)
            continue
        expected = table.sum(dim=1, keepdim=True) * table.sum(dim=0, keepdim=True)
        phi_squared = float(((table - expected) ** 2 / expected).sum())
        values.append((phi_squared / (smaller - 1)) ** 0.5)
    return torch.tensor(values, dtype=torch.float).reshape(-1)


class ContingencyLoss:
    """Total variation distance between generated and real contingency tables, pair-weighted.

    Over every pair of columns that SDMetrics scores by contingency (two discrete columns, or a
    discrete one and a number when ``edges`` are given), ``½ Σ |p_generated − p_real|``,
    averaged with weights proportional to the pair's real association (Cramér's V): SDMetrics'
    quality counts only associated pairs (V > 0.3), and an independent pair's distance is
    mostly the batch's sampling noise. Uniform weights when no pair is associated.

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
        if not self.blocks.pair_slices:
            raise ValueError('the contingency loss needs a pair of columns, one of them discrete')

        self.target = joint_frequencies(data, self.blocks)
        tables = [self.target[rows, columns] for rows, columns in self.blocks.pair_slices]
        strength = cramers_v(tables)
        share = strength / strength.sum() if strength.sum() > 0 else strength + 1 / len(tables)
        # A float mask of weights, not boolean indexing: that would sync a GPU every step.
        self.weights = torch.zeros_like(self.target)
        for (rows, columns), pair_share in zip(self.blocks.pair_slices, share.tolist()):
            self.weights[rows, columns] = 0.5 * pair_share

    def __call__(self, batch: GeneratorBatch) -> torch.Tensor:
        """Compute the loss on the batch's view rows (activated rows, every column)."""
        generated = joint_frequencies(batch.require_view(), self.blocks)
        return ((generated - self.target).abs() * self.weights).sum()
