"""Distance between the association matrices of the real and the synthetic table.

For matrices R (real) and S (synthetic) over the same k columns (see ``association``):
``mean_abs_diff`` is the mean of |S - R| over the k(k-1)/2 column pairs, and ``frobenius`` is
the Frobenius norm ||S - R||_F of the whole k x k difference (each pair counted twice; the
diagonal is 0). The class-wise version computes both on the rows of each class of
``class_column`` (the class column itself left out), then averages them with weights equal to
the classes' frequencies in the real table; a class with fewer than ``min_class_rows`` rows in
either table is skipped and listed.

A pair with no defined association (a constant or all-missing column) counts as 0 in its
table by default, so a column that collapses to a constant is charged the real association;
with ``undefined=NaN`` a pair undefined in either table is left out of both distances instead
(the benchmark's |Δ Pearson|).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sdv_attncorr.evaluation.association import association_matrix
from sdv_attncorr.evaluation.columns import EncodedTable

MIN_CLASS_ROWS = 10
"""int: Fewest rows of a class, in each table, for its class-wise distance (``evaluate`` and the
benchmark). Pearson's r over n rows has a standard error of about sqrt((1 - r²) / (n - 2)): 1 at
3 rows (pure chance), 0.35 at 10. A class scored on a handful of synthetic rows would weigh in
the mean with its real frequency while measuring noise, so it is left out and listed.
``Limits.min_class_rows`` overrides it in ``evaluate``."""


@dataclass
class CorrelationDistance:
    """The association matrices of both tables and their distance.

    Args:
        real (pandas.DataFrame):
            The real association matrix.
        synthetic (pandas.DataFrame):
            The synthetic association matrix.
    """

    real: pd.DataFrame
    synthetic: pd.DataFrame

    @property
    def difference(self):
        """pandas.DataFrame: The synthetic minus the real matrix."""
        return self.synthetic - self.real

    @property
    def mean_abs_diff(self) -> float | None:
        """float or None: The mean |difference| over defined column pairs; None without one."""
        upper = np.triu_indices(len(self.real), k=1)
        differences = np.abs(self.difference.to_numpy()[upper])
        differences = differences[~np.isnan(differences)]
        return float(differences.mean()) if differences.size else None

    @property
    def frobenius(self) -> float:
        """float: The Frobenius norm of the difference; undefined (NaN) pairs count 0."""
        return float(np.linalg.norm(np.nan_to_num(self.difference.to_numpy(), nan=0.0)))


def correlation_distance(
    real: EncodedTable, synthetic: EncodedTable, undefined: float = 0.0
) -> CorrelationDistance:
    """Compare the association matrices of two encoded tables.

    Args:
        real (sdv_attncorr.evaluation.columns.EncodedTable):
            The real table.
        synthetic (sdv_attncorr.evaluation.columns.EncodedTable):
            The synthetic table, with the same columns.
        undefined (float):
            The association of a pair with no defined value: 0, or NaN to leave such pairs
            out of the distances (see the module docstring). Defaults to 0.

    Returns:
        CorrelationDistance:
            The matrices and their distance.
    """
    return CorrelationDistance(
        association_matrix(real, undefined), association_matrix(synthetic, undefined)
    )


def _without_column(table, column):
    return type(table)(table.numeric, table.categorical.drop(columns=column))


def _class_row(label, real_rows, synthetic_rows, min_class_rows):
    row = {'class': label, 'real_rows': int(real_rows.sum())}
    row['synthetic_rows'] = int(synthetic_rows.sum())
    if min(row['real_rows'], row['synthetic_rows']) < min_class_rows:
        row['skipped'] = f'fewer than {min_class_rows} rows in the real or synthetic table'

    return row


@dataclass
class ClasswiseCorrelationDistance:
    """The correlation distance within each class of a column.

    Args:
        class_column (str):
            The column whose classes split the rows.
        classes (pandas.DataFrame):
            One row per real class: ``class``, ``real_rows``, ``synthetic_rows``, ``weight``,
            ``mean_abs_diff``, ``frobenius`` and ``skipped`` (the reason, or None).
        distances (dict[str, CorrelationDistance]):
            The distance of each class that was not skipped.
    """

    class_column: str
    classes: pd.DataFrame
    distances: dict

    def _weighted(self, column):
        scored = self.classes.dropna(subset=[column])
        if scored.empty:
            return None

        return float(np.average(scored[column], weights=scored['weight']))

    @property
    def mean_abs_diff(self):
        """float or None: The class-frequency-weighted mean of the per-class mean |diff|."""
        return self._weighted('mean_abs_diff')

    @property
    def frobenius(self):
        """float or None: The class-frequency-weighted mean of the per-class Frobenius norms."""
        return self._weighted('frobenius')


def classwise_correlation_distance(
    real: EncodedTable,
    synthetic: EncodedTable,
    class_column: str,
    min_class_rows: int = MIN_CLASS_ROWS,
    undefined: float = 0.0,
) -> ClasswiseCorrelationDistance:
    """Compare the association matrices within each class of ``class_column``.

    Args:
        real (sdv_attncorr.evaluation.columns.EncodedTable):
            The real table.
        synthetic (sdv_attncorr.evaluation.columns.EncodedTable):
            The synthetic table.
        class_column (str):
            A categorical column of both tables.
        min_class_rows (int):
            Classes with fewer rows than this in either table are skipped. Defaults to
            ``MIN_CLASS_ROWS`` (10).
        undefined (float):
            The association of a pair with no defined value in a class: 0, or NaN to leave
            such pairs out (see the module docstring). Defaults to 0.

    Returns:
        ClasswiseCorrelationDistance:
            The per-class distances and their weighted means.
    """
    real_labels = real.categorical[class_column]
    synthetic_labels = synthetic.categorical[class_column]
    real_rest = _without_column(real, class_column)
    synthetic_rest = _without_column(synthetic, class_column)
    rows, distances = [], {}
    for label in sorted(real_labels.unique()):
        real_mask, synthetic_mask = real_labels == label, synthetic_labels == label
        row = _class_row(label, real_mask, synthetic_mask, min_class_rows)
        if 'skipped' not in row:
            distance = correlation_distance(
                real_rest.take(np.flatnonzero(real_mask)),
                synthetic_rest.take(np.flatnonzero(synthetic_mask)),
                undefined,
            )
            distances[label] = distance
            row.update(mean_abs_diff=distance.mean_abs_diff, frobenius=distance.frobenius)
        rows.append(row)

    classes = pd.DataFrame(rows).reindex(
        columns=['class', 'real_rows', 'synthetic_rows', 'mean_abs_diff', 'frobenius', 'skipped']
    )
    classes.insert(3, 'weight', classes['real_rows'] / classes['real_rows'].sum())
    classes['skipped'] = classes['skipped'].astype(object).where(classes['skipped'].notna(), None)
    return ClasswiseCorrelationDistance(class_column, classes, distances)
