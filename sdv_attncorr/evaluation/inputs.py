"""Check and normalise what ``evaluate`` is given: tables, metadata and column names."""

import pandas as pd
from sdv.metadata import Metadata

_COMPATIBLE_KINDS = (
    {'boolean', 'object'},  # a boolean column with missing values is stored as object
    {'datetime', 'object'},  # datetimes are often kept as formatted strings
)


def load_metadata(metadata):
    """Return the metadata as a single-table ``Metadata`` and the name of its table.

    Args:
        metadata (sdv.metadata.Metadata or dict):
            The metadata, or its ``to_dict()`` form.

    Returns:
        tuple[sdv.metadata.Metadata, str]:
            The metadata and its only table name.
    """
    if isinstance(metadata, dict):
        metadata = Metadata.load_from_dict(metadata)
    if not isinstance(metadata, Metadata):
        raise TypeError(
            f'metadata must be an sdv.metadata.Metadata, got {type(metadata).__name__}; '
            'build one with Metadata.detect_from_dataframes({name: df}).'
        )

    table_names = list(metadata.to_dict()['tables'])
    if len(table_names) != 1:
        raise ValueError(
            f'evaluate() compares a single table, but the metadata describes {table_names}; '
            'pass metadata with exactly one table.'
        )

    return metadata, table_names[0]


def as_frame(data, argument, table_name):
    """Return ``data`` as a DataFrame, unwrapping an SDV-style ``{table_name: DataFrame}``.

    Args:
        data (pandas.DataFrame or dict):
            The table, or a dict holding it as its only value.
        argument (str):
            The argument name, for error messages.
        table_name (str):
            The metadata's table name.

    Returns:
        pandas.DataFrame:
            The table.
    """
    if isinstance(data, dict):
        if table_name in data:
            data = data[table_name]
        elif len(data) == 1:
            data = next(iter(data.values()))
        else:
            raise ValueError(
                f'{argument} holds tables {list(data)}; pass a single DataFrame or '
                f'{{{table_name!r}: DataFrame}}.'
            )
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f'{argument} must be a pandas DataFrame, got {type(data).__name__}.')

    if data.empty:
        raise ValueError(
            f'{argument} is empty ({len(data)} rows, {data.shape[1]} columns): '
            'pass a table with at least one row.'
        )

    return data.reset_index(drop=True)


def _kind(series):
    if pd.api.types.is_bool_dtype(series):
        return 'boolean'
    if pd.api.types.is_datetime64_any_dtype(series):
        return 'datetime'
    if pd.api.types.is_numeric_dtype(series):
        return 'numeric'
    return 'object'


def _check_same_columns(real, other, argument):
    missing = [column for column in real.columns if column not in other.columns]
    extra = [column for column in other.columns if column not in real.columns]
    if missing:
        raise ValueError(
            f'{argument} lacks column(s) {missing} that real_data has; '
            'sample all the columns of the real table.'
        )
    if extra:
        raise ValueError(
            f'{argument} has column(s) {extra} that real_data lacks; drop them or add them to '
            'real_data and the metadata.'
        )


def _check_same_kinds(real, other, argument):
    for column in real.columns:
        kinds = {_kind(real[column]), _kind(other[column])}
        if len(kinds) == 1 or kinds in _COMPATIBLE_KINDS:
            continue
        raise ValueError(
            f'Column {column!r} has dtype {real[column].dtype} in real_data but '
            f'{other[column].dtype} in {argument}; cast {argument}[{column!r}] to '
            f'{real[column].dtype}.'
        )


def match_tables(real, other, argument):
    """Check that ``other`` has the columns and dtypes of ``real``; return it in their order.

    Args:
        real (pandas.DataFrame):
            The real table.
        other (pandas.DataFrame):
            The synthetic or holdout table.
        argument (str):
            The argument name of ``other``, for error messages.

    Returns:
        pandas.DataFrame:
            ``other`` with its columns in the order of ``real``.
    """
    _check_same_columns(real, other, argument)
    other = other[list(real.columns)]
    _check_same_kinds(real, other, argument)
    return other


def check_metadata_columns(real, columns_metadata):
    """Check that the metadata and the real table name the same columns.

    Args:
        real (pandas.DataFrame):
            The real table.
        columns_metadata (dict):
            The ``columns`` entry of the table's metadata.
    """
    missing = [column for column in columns_metadata if column not in real.columns]
    unknown = [column for column in real.columns if column not in columns_metadata]
    if missing or unknown:
        raise ValueError(
            f'The metadata and real_data disagree: column(s) {missing} are in the metadata but '
            f'not in real_data, column(s) {unknown} are in real_data but not in the metadata; '
            'detect the metadata from this table or fix the column names.'
        )
