"""Association matrix of a table with numeric and categorical columns.

One measure per kind of pair, each 1 for a perfect relationship and 0 for none:

- numeric x numeric: Pearson's correlation coefficient r (signed, in [-1, 1]), on the rows
  where both values are present;
- numeric x categorical: the correlation ratio eta = sqrt(SS_between / SS_total) of the numeric
  column grouped by the categories (in [0, 1]; eta is |r| when the category is binary);
- categorical x categorical: Cramér's V = sqrt(chi2 / (n * (min(k, l) - 1))) of the
  contingency table (in [0, 1], symmetric, without bias correction).

A pair with no defined value (a constant column, or a single category) gets ``undefined``: 0 by
default, no association can be seen; NaN marks it, so that a distance can leave it out. The
diagonal is 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sdv_attncorr.evaluation.columns import EncodedTable


def _correlation_ratio(values, codes, undefined):
    present = ~np.isnan(values)
    values = values[present]
    codes = codes[present]
    if values.size < 2:
        return undefined

    counts = np.bincount(codes)
    means = np.bincount(codes, weights=values) / np.maximum(counts, 1)
    total = np.square(values - values.mean()).sum()
    if total <= 0:
        return undefined

    between = (counts * np.square(means - values.mean())).sum()
    return float(np.sqrt(min(between / total, 1.0)))


def _cramers_v(first, second, undefined):
    first_codes, first_levels = pd.factorize(first)
    second_codes, second_levels = pd.factorize(second)
    smaller = min(len(first_levels), len(second_levels))
    if smaller < 2:
        return undefined

    observed = np.zeros((len(first_levels), len(second_levels)))
    np.add.at(observed, (first_codes, second_codes), 1)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    chi2 = (np.square(observed - expected) / expected).sum()
    return float(np.sqrt(min(chi2 / (observed.sum() * (smaller - 1)), 1.0)))


def _mixed_block(numeric, categorical, undefined):
    block = np.zeros((numeric.shape[1], categorical.shape[1]))
    codes = [pd.factorize(categorical[column])[0] for column in categorical.columns]
    for row, column in enumerate(numeric.columns):
        values = numeric[column].to_numpy(dtype='float64')
        for position, column_codes in enumerate(codes):
            block[row, position] = _correlation_ratio(values, column_codes, undefined)

    return block


def _categorical_block(categorical, undefined):
    size = categorical.shape[1]
    block = np.eye(size)
    columns = [categorical[column].to_numpy() for column in categorical.columns]
    for row in range(size):
        for position in range(row + 1, size):
            value = _cramers_v(columns[row], columns[position], undefined)
            block[row, position] = block[position, row] = value

    return block


def association_matrix(table: EncodedTable, undefined: float = 0.0) -> pd.DataFrame:
    """Compute the association matrix of an encoded table.

    Args:
        table (sdv_attncorr.evaluation.columns.EncodedTable):
            The table; numeric columns first, then categorical ones, in the matrix.
        undefined (float):
            The value of a pair with no defined association: 0 (no association can be seen)
            or NaN (unknown). Defaults to 0.

    Returns:
        pandas.DataFrame:
            A square matrix indexed by column name, with 1 on the diagonal.
    """
    numeric, categorical = table.numeric, table.categorical
    columns = list(numeric.columns) + list(categorical.columns)
    size_numeric = numeric.shape[1]
    matrix = np.zeros((len(columns), len(columns)))
    with np.errstate(divide='ignore', invalid='ignore'):
        matrix[:size_numeric, :size_numeric] = numeric.corr(method='pearson').to_numpy()

    mixed = _mixed_block(numeric, categorical, undefined)
    matrix[:size_numeric, size_numeric:] = mixed
    matrix[size_numeric:, :size_numeric] = mixed.T
    matrix[size_numeric:, size_numeric:] = _categorical_block(categorical, undefined)
    matrix = np.nan_to_num(matrix, nan=undefined)
    np.fill_diagonal(matrix, 1.0)
    return pd.DataFrame(matrix, index=columns, columns=columns)
