"""Which columns our own metrics use, and the one numeric/categorical view they all read.

SDMetrics handles every sdtype itself. Our metrics (correlation, meta-features, utility,
privacy) read numerical and datetime columns as numbers (datetimes in days) and categorical and
boolean columns as categories (strings, with missing values as their own category); id, PII and
other sdtypes are left out and listed in the report.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

NUMERIC_SDTYPES = ('numerical', 'datetime')
CATEGORICAL_SDTYPES = ('categorical', 'boolean')
MISSING_CATEGORY = '<missing>'
_EPOCH = pd.Timestamp(0)


@dataclass(frozen=True)
class ColumnRoles:
    """The columns our metrics read, by role, in table order.

    Args:
        numeric (tuple[str]):
            Numerical and datetime columns.
        categorical (tuple[str]):
            Categorical and boolean columns.
        excluded (dict[str, str]):
            Every other column, mapped to its sdtype.
        datetime_formats (dict[str, str or None]):
            The ``datetime_format`` of each datetime column.
    """

    numeric: tuple
    categorical: tuple
    excluded: dict = field(default_factory=dict)
    datetime_formats: dict = field(default_factory=dict)

    @classmethod
    def from_metadata(cls, columns_metadata):
        """Sort the columns of a table's metadata into roles.

        Args:
            columns_metadata (dict):
                The ``columns`` entry of the table's metadata.

        Returns:
            ColumnRoles:
                The roles.
        """
        numeric, categorical, excluded, formats = [], [], {}, {}
        for column, column_metadata in columns_metadata.items():
            sdtype = column_metadata['sdtype']
            if sdtype in NUMERIC_SDTYPES:
                numeric.append(column)
            elif sdtype in CATEGORICAL_SDTYPES:
                categorical.append(column)
            else:
                excluded[column] = sdtype
            if sdtype == 'datetime':
                formats[column] = column_metadata.get('datetime_format')

        return cls(tuple(numeric), tuple(categorical), excluded, formats)

    @property
    def evaluated(self):
        """tuple[str]: The numeric then the categorical columns."""
        return self.numeric + self.categorical

    def without(self, column):
        """Return the roles without ``column``.

        Args:
            column (str):
                The column to leave out.

        Returns:
            ColumnRoles:
                The remaining roles.
        """
        return ColumnRoles(
            tuple(name for name in self.numeric if name != column),
            tuple(name for name in self.categorical if name != column),
            self.excluded,
            self.datetime_formats,
        )


@dataclass(frozen=True)
class EncodedTable:
    """A table as our metrics read it.

    Args:
        numeric (pandas.DataFrame):
            The numeric columns as float64 (datetimes in days since the epoch; NaN if missing).
        categorical (pandas.DataFrame):
            The categorical columns as strings (``'<missing>'`` if missing).
    """

    numeric: pd.DataFrame
    categorical: pd.DataFrame

    def __len__(self):
        return len(self.numeric)

    def take(self, rows):
        """Return the rows at positions ``rows``.

        Args:
            rows (numpy.ndarray):
                Row positions.

        Returns:
            EncodedTable:
                The selected rows, re-indexed from 0.
        """
        return EncodedTable(
            self.numeric.iloc[rows].reset_index(drop=True),
            self.categorical.iloc[rows].reset_index(drop=True),
        )


def _as_number(series, datetime_format):
    if datetime_format is not None or pd.api.types.is_datetime64_any_dtype(series):
        dates = pd.to_datetime(series, format=datetime_format, errors='coerce')
        return ((dates - _EPOCH) / pd.Timedelta(days=1)).astype('float64')

    return pd.to_numeric(series, errors='coerce').astype('float64')


def _as_category(series):
    return series.astype(object).where(series.notna(), MISSING_CATEGORY).astype(str)


def encode(data, roles):
    """Encode a table into the numeric/categorical view of ``roles``.

    Args:
        data (pandas.DataFrame):
            The table.
        roles (ColumnRoles):
            The column roles.

    Returns:
        EncodedTable:
            The encoded table.
    """
    numeric = pd.DataFrame(
        {
            column: _as_number(data[column], roles.datetime_formats.get(column))
            for column in roles.numeric
        },
        index=data.index,
    )
    categorical = pd.DataFrame(
        {column: _as_category(data[column]) for column in roles.categorical},
        index=data.index,
    )
    return EncodedTable(numeric, categorical)


def sample_rows(num_rows, max_rows, rng):
    """Pick at most ``max_rows`` row positions out of ``num_rows``, sorted.

    Args:
        num_rows (int):
            The number of rows available.
        max_rows (int or None):
            The most rows to keep; None keeps all.
        rng (numpy.random.Generator):
            The random generator.

    Returns:
        numpy.ndarray:
            The row positions.
    """
    if max_rows is None or num_rows <= max_rows:
        return np.arange(num_rows)

    return np.sort(rng.choice(num_rows, size=max_rows, replace=False))
