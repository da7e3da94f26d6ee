"""Statistical meta-features of a numeric table, equal to pymfe's and differentiable.

The meta-features are pymfe's ``statistical`` group, re-written in torch so that a generator
can be trained against them: each value equals
``pymfe.statistical.MFEStatistical.ft_<name>(N)`` with pymfe's default arguments (up to
floating-point rounding) and is differentiable with respect to the data. They are computed on
continuous (numeric) columns only, as pymfe's statistical group is numeric: callers pass the
continuous columns of the differentiable view, never one-hot or softmax spans.

pymfe's conventions, kept here: ``var``, ``sd``, ``cov`` and ``eigenvalues`` use ``ddof=1``;
``cor`` and ``cov`` are the absolute values of the strict lower triangle in row-major order
(``np.tril_indices(d, k=-1)``: ``(1, 0), (2, 0), (2, 1), (3, 0), ...``); ``eigenvalues`` are
those of the covariance matrix in ascending order (``np.linalg.eigvalsh``); ``skewness`` and
``kurtosis`` use pymfe's ``method=3`` (``m3 / s**3`` and ``m4 / s**4 - 3`` with ``s`` the
``ddof=1`` standard deviation); ``mad`` is the median absolute deviation times 1.4826;
``median``, ``iq_range`` use linearly interpolated quantiles (numpy's default, so an even
number of rows averages the two middle values); ``t_mean`` is the 20% trimmed mean.

Where pymfe returns NaN, a constant column (maximum equal to minimum) gets a finite value
instead, so that no NaN reaches a loss: its ``cor`` with every other column is 0 and its
``skewness`` and ``kurtosis`` are 0. Gradients stay finite there and on collinear columns.

Shape:
    - Input ``x``: ``[m, d]`` (``m >= 2`` rows, ``d`` numeric columns) or a batch of ``K``
      subsamples ``[K, m, d]``.
    - Output: ``{name: values}`` with values ``[n_values]``, or ``[K, n_values]`` for a batch,
      where ``n_values`` is ``d`` for column-wise features, ``d * (d - 1) // 2`` for ``cor``
      and ``cov``, and ``d`` for ``eigenvalues``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property

import torch

_MAD_FACTOR = 1.4826
_TRIM_PROPORTION = 0.2


class _ColumnStatistics:
    """Lazily computed column statistics shared by the meta-features of one input.

    Args:
        x (torch.Tensor):
            The data, ``[..., m, d]``; rows are along dimension ``-2``.

    """

    def __init__(self, x: torch.Tensor) -> None:
        self.x = x
        self.num_rows = x.shape[-2]

    @cached_property
    def sorted(self) -> torch.Tensor:
        """torch.Tensor: Each column sorted ascending, ``[..., m, d]``."""
        return torch.sort(self.x, dim=-2).values

    @cached_property
    def centered(self) -> torch.Tensor:
        """torch.Tensor: Each column minus its mean, ``[..., m, d]``; exactly 0 if constant.

        A float mean of equal values can differ from them in the last bit, and the denormal
        covariances that leaves made LAPACK's eigenvalue solver return NaN.
        """
        centered = self.x - self.x.mean(dim=-2, keepdim=True)
        return torch.where(self.constant.unsqueeze(-2), torch.zeros_like(centered), centered)

    @cached_property
    def var(self) -> torch.Tensor:
        """torch.Tensor: Column variances with ``ddof=1``, ``[..., d]``."""
        return self.centered.square().sum(dim=-2) / (self.num_rows - 1)

    @cached_property
    def constant(self) -> torch.Tensor:
        """torch.Tensor: Whether each column is constant, exactly (max == min), ``[..., d]``."""
        return self.sorted[..., -1, :] == self.sorted[..., 0, :]

    @cached_property
    def safe_sd(self) -> torch.Tensor:
        """torch.Tensor: ``ddof=1`` standard deviations, 1 on constant columns (or variance 0).

        The 1 keeps divisions finite, and keeps ``sqrt``'s infinite derivative at 0 out of the
        backward pass.
        """
        ones = torch.ones_like(self.var)
        return torch.where(self.constant | (self.var == 0), ones, self.var).sqrt()

    @cached_property
    def cov(self) -> torch.Tensor:
        """torch.Tensor: Covariance matrix with ``ddof=1``, ``[..., d, d]``."""
        return self.centered.mT @ self.centered / (self.num_rows - 1)

    def quantile(self, q: float) -> torch.Tensor:
        """Quantile of each column with numpy's linear interpolation.

        Args:
            q (float):
                The probability, in ``[0, 1]``.

        Returns:
            torch.Tensor:
                The ``q``-quantile of each column, ``[..., d]``.

        """
        return _sorted_quantile(self.sorted, q)

    def standardized_moment(self, order: int) -> torch.Tensor:
        """``E[(x - mean)**order] / sd**order`` per column, with ``sd = 1`` on constant columns.

        Args:
            order (int):
                The order of the moment.

        Returns:
            torch.Tensor:
                The standardised moment of each column, ``[..., d]``.

        """
        # Standardised before the power: a column spread over 1e-16 has a finite moment,
        # where its float32 ``sd**4`` underflows to 0 and the quotient is NaN.
        return (self.centered / self.safe_sd.unsqueeze(-2)).pow(order).mean(dim=-2)

    def zero_where_constant(self, values: torch.Tensor) -> torch.Tensor:
        """Replace the values of constant columns, where pymfe gives NaN, by 0.

        Args:
            values (torch.Tensor):
                One value per column, ``[..., d]``.

        Returns:
            torch.Tensor:
                ``values`` with 0 on constant columns.

        """
        return torch.where(self.constant, torch.zeros_like(values), values)


def _quantile_weights(num_rows: int, q: float) -> torch.Tensor:
    """Weights over the sorted rows whose sum is numpy's linearly interpolated q-quantile."""
    weights = torch.zeros(num_rows, dtype=torch.float64)
    position = q * (num_rows - 1)
    lower = int(position)
    upper = min(lower + 1, num_rows - 1)
    weights[lower] += 1 - (position - lower)
    weights[upper] += position - lower
    return weights


def _trimmed_mean_weights(num_rows: int) -> torch.Tensor:
    """Weights over the sorted rows whose sum is pymfe's 20 % trimmed mean."""
    weights = torch.zeros(num_rows, dtype=torch.float64)
    cut = int(_TRIM_PROPORTION * num_rows)
    weights[cut : num_rows - cut] = 1 / (num_rows - 2 * cut)
    return weights


def _extreme_weights(num_rows: int, sign_first: int, sign_last: int) -> torch.Tensor:
    """Weights ``sign_first`` on the smallest row and ``sign_last`` on the largest."""
    weights = torch.zeros(num_rows, dtype=torch.float64)
    weights[0] += sign_first
    weights[-1] += sign_last
    return weights


# Meta-features that are linear in the order statistics (the sorted rows of each column): all
# of them are one matrix product of the sorted data (one operation forward and backward,
# instead of a dozen small ones), which matters as the MFS loss computes them at every step.
_ORDER_STATISTIC_WEIGHTS: dict[str, Callable[[int], torch.Tensor]] = {
    'iq_range': lambda m: _quantile_weights(m, 0.75) - _quantile_weights(m, 0.25),
    'max': lambda m: _extreme_weights(m, 0, 1),
    'median': lambda m: _quantile_weights(m, 0.5),
    'min': lambda m: _extreme_weights(m, 1, 0),
    'range': lambda m: _extreme_weights(m, -1, 1),
    't_mean': _trimmed_mean_weights,
}


@functools.lru_cache(maxsize=64)
def _order_statistic_matrix(
    names: tuple[str, ...], num_rows: int, dtype: torch.dtype, device: torch.device
) -> torch.Tensor:
    """Return the ``[len(names), num_rows]`` weights of ``names`` (cached: asked every step)."""
    weights = torch.stack([_ORDER_STATISTIC_WEIGHTS[name](num_rows) for name in names])
    return weights.to(device=device, dtype=dtype)


def _order_statistic_features(
    stats: _ColumnStatistics, names: Sequence[str]
) -> dict[str, torch.Tensor]:
    """Compute the ``names`` of ``_ORDER_STATISTIC_WEIGHTS`` as one product of sorted rows."""
    x = stats.x
    weights = _order_statistic_matrix(tuple(names), stats.num_rows, x.dtype, x.device)
    values = torch.einsum('fm,...md->...fd', weights, stats.sorted)
    return {name: values[..., index, :] for index, name in enumerate(names)}


def _sorted_quantile(sorted_x: torch.Tensor, q: float) -> torch.Tensor:
    """Linearly interpolated quantile of columns already sorted along dimension ``-2``."""
    position = q * (sorted_x.shape[-2] - 1)
    lower = int(position)
    upper = min(lower + 1, sorted_x.shape[-2] - 1)
    low, high = sorted_x[..., lower, :], sorted_x[..., upper, :]
    return low + (position - lower) * (high - low)


def _lower_triangle(matrix: torch.Tensor) -> torch.Tensor:
    """Strict lower triangle of ``[..., d, d]`` in ``np.tril_indices(d, k=-1)`` order."""
    n_rows, n_cols = matrix.shape[-2:]
    rows, cols = torch.tril_indices(n_rows, n_cols, offset=-1, device=matrix.device)
    return matrix[..., rows, cols]


def _cor(stats: _ColumnStatistics) -> torch.Tensor:
    sd = stats.safe_sd
    cor = stats.cov / (sd.unsqueeze(-1) * sd.unsqueeze(-2))
    either_constant = stats.constant.unsqueeze(-1) | stats.constant.unsqueeze(-2)
    return _lower_triangle(torch.where(either_constant, torch.zeros_like(cor), cor)).abs()


def _eigenvalues(stats: _ColumnStatistics) -> torch.Tensor:
    # eigvalsh's backward is V diag(grad) V^T, with no 1 / (lambda_i - lambda_j) term (that term
    # belongs to the eigenvectors), so repeated or zero eigenvalues from collinear or constant
    # columns keep finite gradients without jitter, and the values stay equal to pymfe's.
    # LAPACK raises on NaN input: a non-finite matrix is decomposed as zeros and its values
    # set to NaN, which lets the NaN guard report the divergence. Masking on the tensor side,
    # not testing it in Python, keeps a GPU from waiting on the answer every step.
    finite = torch.isfinite(stats.cov).all(dim=-1).all(dim=-1, keepdim=True)
    safe = torch.where(finite.unsqueeze(-1), stats.cov, torch.zeros_like(stats.cov))
    values = torch.linalg.eigvalsh(safe)
    return torch.where(finite, values, torch.full_like(values, torch.nan))


def _mad(stats: _ColumnStatistics) -> torch.Tensor:
    deviations = (stats.x - stats.quantile(0.5).unsqueeze(-2)).abs()
    return _sorted_quantile(torch.sort(deviations, dim=-2).values, 0.5) * _MAD_FACTOR


_FEATURES: dict[str, Callable[[_ColumnStatistics], torch.Tensor]] = {
    'cor': _cor,
    'cov': lambda stats: _lower_triangle(stats.cov).abs(),
    'eigenvalues': _eigenvalues,
    'kurtosis': lambda stats: stats.zero_where_constant(stats.standardized_moment(4) - 3),
    'mad': _mad,
    'mean': lambda stats: stats.x.mean(dim=-2),
    'sd': lambda stats: stats.zero_where_constant(stats.safe_sd),
    'skewness': lambda stats: stats.zero_where_constant(stats.standardized_moment(3)),
    'var': lambda stats: stats.var,
}

META_FEATURES = tuple(sorted({*_FEATURES, *_ORDER_STATISTIC_WEIGHTS}))
"""tuple[str, ...]: The supported meta-feature names, pymfe's ``ft_<name>`` methods."""


def _check_input(x: torch.Tensor) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f'x must be a floating-point torch.Tensor, got {type(x)=}')
    if not x.is_floating_point():
        raise TypeError(f'x must be a floating-point torch.Tensor, got {x.dtype=}')
    if x.ndim not in (2, 3):
        raise ValueError(f'x must be [m, d] or [K, m, d], got shape {tuple(x.shape)}')
    if x.shape[-2] < 2:
        raise ValueError(f'x needs at least 2 rows (ddof=1), got {x.shape[-2]} rows')


def _check_features(features: Iterable[str]) -> None:
    unknown = [name for name in features if name not in META_FEATURES]
    if unknown:
        raise ValueError(f'Unknown meta-features {unknown}; valid names are {META_FEATURES}.')


def meta_features(
    x: torch.Tensor, features: str | Iterable[str] | None = None
) -> dict[str, torch.Tensor]:
    """Compute pymfe's statistical meta-features of a table, or of a batch of subsamples.

    All ``K`` subsamples of a batch are computed at once, with no Python loop over them.

    Args:
        x (torch.Tensor):
            Numeric data, ``[m, d]``, or ``K`` subsamples of ``m`` rows, ``[K, m, d]``.
        features (str or Iterable[str] or None):
            A name or names from ``META_FEATURES``, computed in this order. ``None`` (default)
            means all of them.

    Returns:
        dict[str, torch.Tensor]:
            ``{name: values}`` with values ``[n_values]``, or ``[K, n_values]`` for a batch, in
            the order pymfe returns them; differentiable with respect to ``x``.

    Raises:
        ValueError:
            If a name is not in ``META_FEATURES``, or ``x`` has the wrong shape.
        TypeError:
            If ``x`` is not a floating-point tensor.

    """
    _check_input(x)
    if features is None:
        names = META_FEATURES
    else:
        names = (features,) if isinstance(features, str) else tuple(features)
    _check_features(names)
    stats = _ColumnStatistics(x)
    linear = [name for name in names if name in _ORDER_STATISTIC_WEIGHTS]
    values = _order_statistic_features(stats, linear) if linear else {}
    return {name: values[name] if name in values else _FEATURES[name](stats) for name in names}
