"""Keep SDV from rounding numbers at more decimals than a float64 holds.

SDV's metadata detection gives a full-precision float column ``decimal_places`` 15 (abalone's
standardised columns), and SDV's ``NumericalFormatter`` then rounds every sampled value to 15
decimals. That moves the last bits of most values (abalone's 0.3702257747696853 becomes
0.370225774769685; 74 % of its ``Height`` values are not equal to themselves rounded), so the
sampled values equalled none of the data's 39 heights, and SDMetrics' KSComplement, which
compares values exactly, scored the column 0.925 where the same values, unrounded, score 0.961.
RDT's own rounding rule (``learn_rounding_digits``) keeps no rounding for such a column; we
apply it to the decimal places the metadata holds beyond what the column's magnitude leaves a
float64.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rdt.transformers.utils import MAX_DECIMALS


def decimals_beyond_precision(column: pd.Series, decimals: int) -> bool:
    """Whether rounding ``column`` at ``decimals`` only moves the last bits of its values.

    That is: ``decimals`` is more than a float64 holds after the column's integer digits
    (RDT's ``MAX_DECIMALS`` less them, as ``learn_rounding_digits`` counts), and rounding there
    changes some of the column's values.

    Args:
        column (pandas.Series):
            The column's training values.
        decimals (int):
            The decimal places SDV rounds it to.

    Returns:
        bool:
            True when the rounding should be dropped.
    """
    values = pd.to_numeric(column, errors='coerce').to_numpy(dtype='float64')
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return False

    highest_int = int(np.max(np.abs(values)))
    integer_digits = len(str(highest_int)) if highest_int else 0
    if decimals <= max(0, MAX_DECIMALS - integer_digits):
        return False

    return not np.array_equal(np.round(values, decimals), values)


def drop_rounding_beyond_precision(formatters: dict, data: pd.DataFrame) -> list[str]:
    """Stop SDV's formatters rounding the columns of ``data`` where it only moves bits.

    Args:
        formatters (dict):
            SDV's ``DataProcessor.formatters`` (column to formatter), fitted on ``data``.
        data (pandas.DataFrame):
            The training table.

    Returns:
        list[str]:
            The columns whose rounding was dropped.
    """
    dropped = []
    for column, formatter in formatters.items():
        decimals = getattr(formatter, '_rounding_digits', None)
        if column not in data.columns or not isinstance(decimals, int | np.integer):
            continue
        if decimals_beyond_precision(data[column], int(decimals)):
            formatter._rounding_digits = None
            dropped.append(column)

    return dropped
