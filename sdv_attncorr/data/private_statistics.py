"""What the encoder and the condition sampler learn of a table under differential privacy.

Without DP the encoder reads each numeric column's quantiles (up to 1,000 of its values, its
minimum and maximum among them) and each discrete column's categories, and the sampler its
category counts. Under DP they learn the same things from one Gaussian mechanism instead:

- a numeric column: a histogram over a public partition of the reals (two bins per octave
  of ``|x|`` from 2^-32 to 2^64 on either side of 0, or ``DECLARED_BINS`` equal bins
  between bounds the user declared), plus a bin of missing values;
- a discrete column: a count per category; declared categories all get a count, otherwise
  only categories seen in the rows can, so those whose noisy count is below a threshold are
  dropped (the threshold makes a category held by one row appear with probability at most
  ``delta_threshold`` over all columns: the "DP set union" argument, Gopi et al. 2020).

A row adds 1 to one bin of each histogram, so the released histograms together have L2
sensitivity ``sqrt(k)`` for ``k`` of them; each count gets noise of std
``noise_multiplier · sqrt(k)``. Everything after the release (which bins survive, the grids,
rounding) is post-processing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy.special import ndtri

from sdv_attncorr.core.layout import NULL_SUFFIX, TableLayout
from sdv_attncorr.core.privacy.noise import secure_normal

OCTAVE_BINS = 2
"""int: Bins per octave of ``|x|`` in the public partition of a numeric column."""
EXPONENT_RANGE = (-32, 64)
"""tuple[int, int]: The octaves the public partition covers (beyond: the outer bins)."""
DECLARED_BINS = 32
"""int: Equal bins between a numeric column's declared bounds."""
SURVIVING_STDS = {'partition': 4.0, 'declared': 1.0}
"""dict: A bin keeps its noisy count when that is above this many noise stds (the public
partition has ~400 mostly empty bins: at 4 stds about 0.01 of them keep noise alone)."""


def public_partition() -> np.ndarray:
    """Return the edges of the public partition of the reals (sorted, symmetric about 0)."""
    low, high = EXPONENT_RANGE
    positive = 2.0 ** np.arange(low, high + 1e-9, 1 / OCTAVE_BINS)
    return np.concatenate([-positive[::-1], positive])


@dataclass
class NumericRelease:
    """A numeric column's noisy histogram: ``edges`` of its bins, their counts, missing rows.

    ``counts`` is post-processed: bins below the survival threshold are 0.
    """

    edges: np.ndarray
    counts: np.ndarray
    missing: float


@dataclass
class PrivateStatistics:
    """The released statistics of a processed table.

    Attributes:
        numeric (dict[str, NumericRelease]):
            Each numeric column's histogram.
        categories (dict[str, list]):
            Each discrete column's released categories, in order.
        counts (dict[str, numpy.ndarray]):
            Their noisy counts (at least 1 each).
        noise_std (float):
            The std of the noise on each count.
    """

    numeric: dict[str, NumericRelease] = field(default_factory=dict)
    categories: dict[str, list] = field(default_factory=dict)
    counts: dict[str, np.ndarray] = field(default_factory=dict)
    noise_std: float = 0.0

    def replace_unreleased(self, data: pd.DataFrame) -> pd.DataFrame:
        """Return ``data`` with each discrete value that was not released replaced.

        A dropped category becomes its column's most frequent released one, so every
        training row encodes (the rows stay protected by DP-SGD; the category never shows).
        """
        data = data.copy()
        for column, released in self.categories.items():
            known = pd.Series(released, dtype=object)
            unknown = ~data[column].isin(known) & ~(data[column].isna() & known.isna().any())
            if unknown.any():
                top = released[int(np.argmax(self.counts[column]))]
                data[column] = data[column].astype(object).where(~unknown, top)
        return data


def _noisy(counts: np.ndarray, std: float) -> np.ndarray:
    """Add Gaussian noise of ``std`` (from the secure source) to each count."""
    return counts + std * secure_normal(counts.shape).double().numpy()


def release_numeric(
    values: np.ndarray, std: float, bounds: tuple[float, float] | None = None
) -> NumericRelease:
    """Release a numeric column's histogram (missing values as NaN) with noise of ``std``.

    Args:
        values (numpy.ndarray):
            The column, float.
        std (float):
            Noise std on each count.
        bounds (tuple[float, float] or None):
            Declared ``(low, high)``: equal bins between them, values clipped into them; None
            takes the public partition.

    Returns:
        NumericRelease:
            The released histogram.
    """
    missing = np.isnan(values)
    observed = values[~missing]
    if bounds is None:
        edges, kind = public_partition(), 'partition'
    else:
        edges, kind = np.linspace(bounds[0], bounds[1], DECLARED_BINS + 1), 'declared'
    inner = np.clip(np.searchsorted(edges, observed, side='right') - 1, 0, len(edges) - 2)
    noisy = _noisy(np.bincount(inner, minlength=len(edges) - 1).astype(float), std)
    counts = np.where(noisy > SURVIVING_STDS[kind] * std, noisy, 0.0)
    if not counts.any():
        counts[int(np.argmax(noisy))] = 1.0
    return NumericRelease(edges, counts, float(_noisy(np.array([missing.sum()]), std)[0]))


def release_categories(
    column: pd.Series, std: float, threshold: float, declared: Sequence[Any] | None = None
) -> tuple[list, np.ndarray]:
    """Release a discrete column's categories and their noisy counts.

    Args:
        column (pandas.Series):
            The column.
        std (float):
            Noise std on each count.
        threshold (float):
            Seen categories whose noisy count is not above it are dropped (declared ones
            never are).
        declared (list or None):
            The column's categories as the user declared them (public), or None.

    Returns:
        tuple[list, numpy.ndarray]:
            The categories and their counts (each at least 1).

    Raises:
        ValueError:
            If the column holds a value outside its declared categories, or no seen category
            is frequent enough to release.
    """
    counts = column.value_counts(dropna=False)
    if declared is not None:
        declared = list(declared)
        # Missing values match by pd.isna: a NaN is not equal to another NaN object.
        known = pd.Index(declared)
        extra = [value for value in counts.index if not _in(value, known)]
        if extra:
            raise ValueError(
                f'Column {column.name!r} holds {extra[:5]!r}, not among its categories in '
                f'dp_declared: declare every category it can hold (NaN for missing values).'
            )
        held = [_count_of(value, counts) for value in declared]
        return declared, np.maximum(np.round(_noisy(np.array(held, dtype=float), std)), 1.0)

    noisy = _noisy(counts.to_numpy(float), std)
    kept = noisy > threshold
    if not kept.any():
        raise ValueError(
            f'No category of column {column.name!r} is frequent enough to release under this '
            f'epsilon (a noisy count above {threshold:.0f} rows): declare its categories with '
            f'dp_declared={{{column.name!r}: [...]}}, or raise epsilon or dp_statistics_share.'
        )
    return list(counts.index[kept]), np.round(noisy[kept])


def _in(value: Any, known: pd.Index) -> bool:
    return bool(known.isna().any()) if pd.isna(value) else value in known


def _count_of(value: Any, counts: pd.Series) -> int:
    if pd.isna(value):
        return int(counts[counts.index.isna()].sum())
    return int(counts.get(value, 0))


def threshold_for(std: float, delta: float, n_columns: int) -> float:
    """Return the count a seen category must beat so that one row's shows w.p. <= ``delta``.

    Over ``n_columns`` discrete columns (a row holds one category of each), by a union bound:
    ``1 + std · Φ⁻¹(1 - delta / n_columns)``.
    """
    return 1.0 + std * float(ndtri(1.0 - delta / max(n_columns, 1)))


def release_statistics(
    data: pd.DataFrame,
    discrete_columns: Collection[str],
    noise_multiplier: float,
    delta_threshold: float,
    declared: Mapping[str, Any] | None = None,
) -> PrivateStatistics:
    """Release what the encoder and the sampler need of ``data``, in one Gaussian mechanism.

    Args:
        data (pandas.DataFrame):
            The processed table.
        discrete_columns (Collection[str]):
            Its discrete columns; the others are numeric.
        noise_multiplier (float):
            Noise std per unit of L2 sensitivity (the mechanism's, for the accountant).
        delta_threshold (float):
            The chance that some category held by one row is released.
        declared (Mapping[str, Any] or None):
            Public knowledge: a discrete column's category list, or a numeric column's
            ``(low, high)`` bounds.

    Returns:
        PrivateStatistics:
            The release.
    """
    declared = declared or {}
    std = noise_multiplier * np.sqrt(len(data.columns))
    n_discrete = sum(column in discrete_columns for column in data.columns)
    threshold = threshold_for(std, delta_threshold, n_discrete)
    statistics = PrivateStatistics(noise_std=std)
    for column in data.columns:
        if column in discrete_columns:
            released = release_categories(data[column], std, threshold, declared.get(column))
            statistics.categories[column], statistics.counts[column] = released
        else:
            values = pd.to_numeric(data[column]).to_numpy(dtype=float)
            statistics.numeric[column] = release_numeric(values, std, declared.get(column))
    return statistics


def released_span_counts(layout: TableLayout, statistics: PrivateStatistics) -> torch.Tensor:
    """Return the released counts of each discrete span's categories, for the sampler.

    A discrete column's are its categories'; a numeric column's null-indicator span gets its
    histogram's total and its missing count. Each count is at least 1.

    Returns:
        torch.LongTensor:
            ``[n_discrete_spans, widest span]``, zero-padded.
    """
    spans = layout.discrete_spans
    counts = torch.zeros(len(spans), max((s.width for s in spans), default=0), dtype=torch.long)
    for index, span in enumerate(spans):
        if span.column in statistics.counts:
            values = statistics.counts[span.column]
        else:
            release = statistics.numeric[span.column.removesuffix(NULL_SUFFIX)]
            values = np.array([release.counts.sum(), release.missing])
        counts[index, : span.width] = torch.from_numpy(np.maximum(np.round(values), 1).astype(int))
    return counts
