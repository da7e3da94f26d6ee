"""Meta-feature statistics (MFS) distance, with pymfe's statistical meta-features.

pymfe's statistical group describes numeric data only, so this metric reads the numeric
columns (numerical and datetime sdtypes). pymfe takes no missing values: columns missing in more
than 10% of the real rows are left out (and listed), then rows with a missing value are dropped.
Each table gives ``n_subsamples`` subsamples of ``subsample_rows`` rows (without replacement
within a subsample, drawn with the same seed for both tables, so identical tables score exactly
0). Every subsample yields a vector of meta-features, e.g. ``cor`` gives one value per column
pair. For each component, the 1-D Wasserstein distance (core's ``wasserstein_1d``) between its
values over the real and over the synthetic subsamples is divided by the standard deviation of
its real values (left as is where that is 0), so a component's scale does not dominate; a
meta-feature's distance is the mean over its components, and the MFS distance is the mean over
meta-features. The same distance between two independent sets of real subsamples is reported
as a baseline: the sampling noise a perfect synthesizer would show.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import torch
from pymfe.statistical import MFEStatistical

from sdv_attncorr.core.losses.wasserstein import wasserstein_1d

DEFAULT_META_FEATURES = (
    'mean',
    'median',
    't_mean',
    'sd',
    'var',
    'mad',
    'iq_range',
    'min',
    'max',
    'range',
    'skewness',
    'kurtosis',
    'cor',
    'cov',
    'eigenvalues',
    'nr_cor_attr',
    'nr_outliers',
)
_MIN_SUBSAMPLE_ROWS = 10
MAX_MISSING_SHARE = 0.1


def meta_features(matrix, names=DEFAULT_META_FEATURES):
    """Compute pymfe's statistical meta-features of one numeric matrix.

    Args:
        matrix (numpy.ndarray):
            The data, shape ``[rows, columns]``, without missing values.
        names (tuple[str]):
            Names of ``MFEStatistical.ft_<name>`` functions that take only the data.

    Returns:
        dict[str, numpy.ndarray]:
            Each meta-feature as a 1-D array.
    """
    with warnings.catch_warnings(), np.errstate(all='ignore'):
        warnings.simplefilter('ignore', RuntimeWarning)
        return {
            name: np.atleast_1d(getattr(MFEStatistical, f'ft_{name}')(matrix)).astype(float)
            for name in names
        }


def _subsample_features(matrix, rng, n_subsamples, subsample_rows, names):
    rows = [
        meta_features(matrix[rng.choice(len(matrix), subsample_rows, replace=False)], names)
        for _ in range(n_subsamples)
    ]
    return {name: np.stack([row[name] for row in rows]) for name in names}


def wasserstein_per_component(real, synthetic):
    """Standardised 1-D Wasserstein distance of each column of two samples.

    The distance is core's ``wasserstein_1d`` (the package's one 1-D Wasserstein, equal to
    ``scipy.stats.wasserstein_distance`` on each column), on float64 tensors of the arrays.

    Args:
        real (numpy.ndarray):
            Real values, shape ``[samples, components]``.
        synthetic (numpy.ndarray):
            Synthetic values, shape ``[samples, components]`` (the number of samples may
            differ from ``real``'s).

    Returns:
        numpy.ndarray:
            One distance per component, divided by the real values' standard deviation (where
            it is positive); NaN where either side has a missing value.
    """
    real, synthetic = (np.asarray(values, dtype='float64') for values in (real, synthetic))
    distance = wasserstein_1d(torch.from_numpy(real), torch.from_numpy(synthetic)).numpy()
    scale = real.std(axis=0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    return distance / scale


def _feature_distances(real, synthetic):
    distances = {}
    for name, real_values in real.items():
        per_component = wasserstein_per_component(real_values, synthetic[name])
        if per_component.size and not np.isnan(per_component).all():
            distances[name] = float(np.nanmean(per_component))

    return distances


@dataclass
class MetaFeatureDistance:
    """The MFS distance and how it was computed.

    Args:
        per_feature (dict[str, float]):
            The distance of each meta-feature.
        baseline_per_feature (dict[str, float]):
            The same between two independent sets of real subsamples.
        columns (tuple[str]):
            The numeric columns used.
        dropped_columns (tuple[str]):
            Numeric columns left out for missing values.
        n_subsamples (int):
            Subsamples per table.
        subsample_rows (int):
            Rows per subsample.
        dropped_rows (dict[str, int]):
            Rows left out of each table for missing values.
    """

    per_feature: dict
    baseline_per_feature: dict
    columns: tuple
    dropped_columns: tuple
    n_subsamples: int
    subsample_rows: int
    dropped_rows: dict

    @property
    def distance(self):
        """float or None: The mean distance over meta-features."""
        return float(np.mean(list(self.per_feature.values()))) if self.per_feature else None

    @property
    def baseline(self):
        """float or None: The real-versus-real distance over the same meta-features."""
        values = [self.baseline_per_feature[name] for name in self.per_feature]
        values = [value for value in values if not np.isnan(value)]
        return float(np.mean(values)) if values else None


def _usable_columns(real_numeric):
    missing = real_numeric.isna().mean()
    return tuple(missing.index[missing <= MAX_MISSING_SHARE])


def _complete_rows(numeric, columns):
    matrix = numeric[list(columns)].to_numpy(dtype='float64')
    return matrix[~np.isnan(matrix).any(axis=1)]


def mfs_distance(
    real, synthetic, *, n_subsamples=32, subsample_rows=500, names=DEFAULT_META_FEATURES, seed=0
):
    """Compute the MFS distance of the numeric columns of two encoded tables.

    Args:
        real (sdv_attncorr.evaluation.columns.EncodedTable):
            The real table.
        synthetic (sdv_attncorr.evaluation.columns.EncodedTable):
            The synthetic table.
        n_subsamples (int):
            Subsamples per table. Defaults to 32.
        subsample_rows (int):
            Rows per subsample, lowered to half the smaller table. Defaults to 500.
        names (tuple[str]):
            The meta-features (``MFEStatistical.ft_<name>`` that take only the data).
            Defaults to ``DEFAULT_META_FEATURES``.
        seed (int):
            The seed of the subsampling. Defaults to 0.

    Returns:
        tuple[MetaFeatureDistance or None, str or None]:
            The result, or None and the reason it could not be computed.
    """
    if real.numeric.shape[1] == 0:
        return None, 'the table has no numeric columns (pymfe statistical features are numeric)'

    columns = _usable_columns(real.numeric)
    if not columns:
        return None, f'every numeric column misses over {MAX_MISSING_SHARE:.0%} of its values'

    real_matrix = _complete_rows(real.numeric, columns)
    synthetic_matrix = _complete_rows(synthetic.numeric, columns)

    rows = min(subsample_rows, len(real_matrix) // 2, len(synthetic_matrix) // 2)
    if rows < _MIN_SUBSAMPLE_ROWS:
        return None, f'fewer than {2 * _MIN_SUBSAMPLE_ROWS} complete numeric rows in a table'

    args = (n_subsamples, rows, tuple(names))
    real_features = _subsample_features(real_matrix, np.random.default_rng(seed), *args)
    synthetic_features = _subsample_features(synthetic_matrix, np.random.default_rng(seed), *args)
    other_real = _subsample_features(real_matrix, np.random.default_rng([seed, 1]), *args)
    result = MetaFeatureDistance(
        per_feature=_feature_distances(real_features, synthetic_features),
        baseline_per_feature=_feature_distances(real_features, other_real),
        columns=columns,
        dropped_columns=tuple(name for name in real.numeric.columns if name not in columns),
        n_subsamples=n_subsamples,
        subsample_rows=rows,
        dropped_rows={
            'real': len(real) - len(real_matrix),
            'synthetic': len(synthetic) - len(synthetic_matrix),
        },
    )
    return result, None
