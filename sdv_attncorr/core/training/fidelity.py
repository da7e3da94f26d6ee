"""A cheap stand-in for SDMetrics' quality score, computed on encoded rows while training.

SDMetrics' quality (0.32) is the mean of two averages. Column Shapes: per column, 1 - the KS
statistic for numbers, 1 - the total variation distance (TVD) of the frequencies for
categories. Column Pair Trends: per pair of columns whose real association is strong (|Pearson|
> 0.5 for two numbers, Cramér's V > 0.3 otherwise), 1 - |Δ correlation| / 2 for two numbers,
1 - the TVD of the contingency table otherwise, numbers cut into 10 equal-width bins.
``FidelityScore`` computes the same figures on the encoded matrix, span by span (a numeric
column with missing values is a number and its null indicator), in a few tensor operations:

- the KS statistic and a binning do not change under a monotone map, so on the quantile-
  normalised score they are the original column's (given the bin edges mapped the same way);
- the correlation of two numbers is taken on their normal scores (Pearson's of the original
  values in SDMetrics): close, not equal, which is what a score that ranks checkpoints needs.
"""

from __future__ import annotations

import torch

from sdv_attncorr.core.layout import CONTINUOUS, TableLayout
from sdv_attncorr.core.losses.contingency import cramers_v

CONTINUOUS_BINS = 10
"""Bins of a number in a contingency table (SDMetrics' ``num_discrete_bins``)."""

CORRELATION_THRESHOLD = 0.5
"""A pair of numbers counts when its reference |correlation| exceeds this (as SDMetrics)."""

ASSOCIATION_THRESHOLD = 0.3
"""Any other pair counts when its reference Cramér's V exceeds this (as SDMetrics)."""

PAIR_INDEX_BUDGET = 4_000_000
"""Most ``rows x pairs`` bin indices held at once; wider tables are scored in pair chunks."""


class FidelityScore:
    """Score encoded rows against fixed reference rows, as SDMetrics' quality would.

    Args:
        layout (TableLayout):
            Layout of an encoded row.
        reference (torch.Tensor):
            Encoded real rows, ``[n, width]``, with one-hot discrete spans.
        edges (torch.Tensor or None):
            Interior bin edges of each continuous span in encoded values,
            ``[n_continuous, CONTINUOUS_BINS - 1]`` (SDMetrics' equal-width bins of the
            original values, mapped through the encoding); None cuts at the reference deciles.
    """

    def __init__(
        self, layout: TableLayout, reference: torch.Tensor, edges: torch.Tensor | None = None
    ) -> None:
        self.layout = layout
        self.numbers = layout.continuous_index().to(reference.device)
        self.missing = layout.missing_positions().to(reference.device)
        numbers = reference[:, self.numbers]
        self.edges = _decile_edges(numbers) if edges is None else edges.to(numbers)
        self.sorted_reference = self._observed(reference).T.sort(dim=1).values.contiguous()
        # A number's missing values are a bin of their own, as numpy.digitize puts NaN.
        self.sizes = torch.tensor(
            [CONTINUOUS_BINS + 1 if s.kind == CONTINUOUS else s.width for s in layout.spans]
        )
        correlation = _correlation(numbers)
        upper = torch.triu_indices(len(self.numbers), len(self.numbers), offset=1)
        strong = correlation[upper[0], upper[1]].abs() > CORRELATION_THRESHOLD
        self._number_pairs = upper[:, strong.cpu()]
        self.reference_correlations = correlation[self._number_pairs[0], self._number_pairs[1]]
        codes = self.codes(reference)
        self.reference_marginals = self._marginals(codes)
        # Every candidate pair first, to measure its association; then the associated ones.
        self._pairs = _pairs_to_count(layout)
        associated = cramers_v(self._joint_tables(codes)) > ASSOCIATION_THRESHOLD
        self._pairs = self._pairs[associated]
        cells = self.sizes[self._pairs[:, 0]] * self.sizes[self._pairs[:, 1]]
        self._pair_of_cell = torch.repeat_interleave(torch.arange(len(self._pairs)), cells)
        self.reference_joints = self._joints(codes)

    def _observed(self, rows: torch.Tensor) -> torch.Tensor:
        """Return the numbers of ``rows``, ``[n, n_continuous]``, with +inf where missing."""
        numbers = rows[:, self.numbers]
        flags = rows[:, self.missing.clamp(min=0)] > 0.5
        return torch.where(flags & (self.missing >= 0), torch.inf, numbers)

    def codes(self, rows: torch.Tensor) -> torch.Tensor:
        """Return each span's category (a number's bin) in each row, ``[n, n_spans]``."""
        columns = []
        # right=True: a value on an edge goes to the bin above, as numpy.digitize puts it;
        # +inf (missing) goes past the last interior edge's bin, to a bin of its own.
        values = self._observed(rows).T.contiguous()
        bins = torch.searchsorted(self.edges, values, right=True).T
        bins = torch.where(torch.isinf(values.T), CONTINUOUS_BINS, bins)
        number = 0
        for span in self.layout.spans:
            if span.kind == CONTINUOUS:
                columns.append(bins[:, number])
                number += 1
            else:
                columns.append(rows[:, span.start : span.end].argmax(dim=1))
        return torch.stack(columns, dim=1)

    def _marginals(self, codes: torch.Tensor) -> list[torch.Tensor]:
        return [
            torch.bincount(codes[:, s], minlength=int(self.sizes[s])) / len(codes)
            for s, span in enumerate(self.layout.spans)
            if span.kind != CONTINUOUS and not span.is_null_indicator
        ]

    def _joints(self, codes: torch.Tensor) -> torch.Tensor:
        """Return the joint frequencies of the counted pairs, one flattened pair after another."""
        chunk = max(1, PAIR_INDEX_BUDGET // max(len(codes), 1))
        sizes = self.sizes.to(codes.device)
        joints = [codes.new_zeros(0, dtype=torch.float)]
        for start in range(0, len(self._pairs), chunk):
            first, second = self._pairs[start : start + chunk].to(codes.device).T
            cells = sizes[first] * sizes[second]
            offsets = torch.cumsum(cells, 0) - cells
            index = offsets + codes[:, first] * sizes[second] + codes[:, second]
            counts = torch.bincount(index.flatten(), minlength=int(cells.sum()))
            joints.append(counts / len(codes))
        return torch.cat(joints)

    def _joint_tables(self, codes: torch.Tensor) -> list[torch.Tensor]:
        """Return the contingency table (frequencies) of each counted pair."""
        joints, tables, start = self._joints(codes).cpu(), [], 0
        for first, second in self._pairs.tolist():
            shape = (int(self.sizes[first]), int(self.sizes[second]))
            tables.append(joints[start : start + shape[0] * shape[1]].reshape(shape))
            start += shape[0] * shape[1]
        return tables

    def shapes(self, rows: torch.Tensor) -> torch.Tensor:
        """Column Shapes of ``rows``: 1 - KS per number, then 1 - TVD per category column.

        Null indicators are left out (SDMetrics scores a number's observed values only).
        """
        return self._shapes(rows, self.codes(rows))

    def _shapes(self, rows: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        ks = _ks_statistics(self.sorted_reference, self._observed(rows).T)
        tvds = [
            0.5 * (mine - theirs).abs().sum()
            for mine, theirs in zip(self._marginals(codes), self.reference_marginals, strict=True)
        ]
        return 1 - torch.cat([ks, torch.stack(tvds) if tvds else ks.new_zeros(0)])

    def pair_trends(self, rows: torch.Tensor) -> torch.Tensor:
        """Column Pair Trends of each counted pair of spans of ``rows``, ``[n_counted]``."""
        return self._pair_trends(rows, self.codes(rows))

    def _pair_trends(self, rows: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        correlation = _correlation(rows[:, self.numbers])
        mine = correlation[self._number_pairs[0], self._number_pairs[1]]
        trends = [1 - (mine - self.reference_correlations).abs() / 2]
        gaps = (self._joints(codes) - self.reference_joints).abs().cpu()
        tvd = torch.zeros(len(self._pairs)).index_add_(0, self._pair_of_cell, gaps) / 2
        return torch.cat([*trends, 1 - tvd.to(rows.device)])

    def __call__(self, rows: torch.Tensor) -> float:
        """Return the quality stand-in of ``rows``: mean of the shapes' and pairs' means.

        Without a counted pair, it is the shapes' mean (SDMetrics leaves the pairs out too).
        """
        codes = self.codes(rows)  # once for both parts
        shapes, trends = self._shapes(rows, codes).mean(), self._pair_trends(rows, codes)
        if len(trends) == 0:
            return float(shapes)

        return float((shapes + trends.mean()) / 2)


def _decile_edges(numbers: torch.Tensor) -> torch.Tensor:
    """Interior bin edges at the deciles of each column of ``numbers``, ``[c, bins - 1]``."""
    if numbers.shape[1] == 0:
        return numbers.new_zeros(0, CONTINUOUS_BINS - 1)

    quantiles = torch.linspace(0, 1, CONTINUOUS_BINS + 1, device=numbers.device)[1:-1]
    return torch.quantile(numbers, quantiles, dim=0).T.contiguous()


def _pairs_to_count(layout: TableLayout) -> torch.Tensor:
    """Return the pairs of spans whose trend is a contingency table, ``[p, 2]``.

    Not two numbers (a correlation), and no null indicator: SDMetrics sees a number's missing
    values as its own, not as a column, and a rare indicator would add near-perfect pairs.
    """
    spans = layout.spans
    pairs = [
        (a, b)
        for a in range(len(spans))
        for b in range(a + 1, len(spans))
        if not (spans[a].kind == CONTINUOUS and spans[b].kind == CONTINUOUS)
        and not (spans[a].is_null_indicator or spans[b].is_null_indicator)
    ]
    return torch.tensor(pairs, dtype=torch.long).reshape(-1, 2)


def _correlation(values: torch.Tensor) -> torch.Tensor:
    """Pearson correlations of the columns of ``values`` (0 where a column is constant)."""
    centred = values - values.mean(dim=0)
    norms = centred.norm(dim=0)
    scaled = centred / torch.where(norms > 0, norms, torch.ones_like(norms))
    return scaled.T @ scaled


def _ks_statistics(sorted_reference: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """Two-sample KS statistic of each row of ``values`` against the sorted reference rows.

    +inf marks a missing value: left out of both samples (as SciPy's test on dropped NaN).

    Args:
        sorted_reference (torch.Tensor):
            ``[c, n]``, each row sorted.
        values (torch.Tensor):
            ``[c, m]``.

    Returns:
        torch.Tensor:
            ``[c]``.
    """
    mine = values.sort(dim=1).values.contiguous()
    points = torch.cat([sorted_reference, mine], dim=1)
    cdfs = []
    for sample in (sorted_reference, mine):
        observed = torch.isfinite(sample).sum(dim=1, keepdim=True)
        below = torch.searchsorted(sample, points, right=True).clamp(max=observed)
        cdfs.append(below / observed.clamp(min=1))
    gaps = torch.where(torch.isfinite(points), cdfs[0] - cdfs[1], 0.0)
    return gaps.abs().amax(dim=1) if points.shape[1] else gaps.new_zeros(len(gaps))
