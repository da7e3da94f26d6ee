"""Checks of the data and the conditions a synthesizer is given, with errors that name the fix."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from sdv.errors import InvalidDataError, SynthesizerInputError

MAX_CATEGORIES = 1000


def validate_finite(processed_data: pd.DataFrame) -> None:
    """Refuse infinite numbers, naming each column that holds one."""
    numeric = processed_data.select_dtypes('number')
    infinite = [column for column in numeric if np.isinf(numeric[column]).any()]
    if infinite:
        raise InvalidDataError(
            [
                f'Column {column!r} holds infinite values: replace them with NaN (missing) or a '
                'finite number before fitting.'
                for column in infinite
            ]
        )


def validate_category_counts(processed_data: pd.DataFrame, discrete_columns: Iterable[str]) -> None:
    """Refuse a discrete column with more categories than a one-hot GAN can hold."""
    for column in discrete_columns:
        count = processed_data[column].nunique(dropna=False)
        if count > MAX_CATEGORIES:
            raise SynthesizerInputError(
                f'Column {column!r} has {count} categories, more than the {MAX_CATEGORIES} a '
                'one-hot GAN can model within bounded memory. Encode it as a number first: '
                f"synthesizer.update_transformers({{'{column}': UniformEncoder()}}) "
                '(from rdt.transformers import UniformEncoder), or set its sdtype to id or PII '
                'if its values need not follow the data.'
            )


def validate_class_column(class_column: str | None, discrete_columns: Sequence[str]) -> None:
    """Refuse a class column that is not one of the metadata's discrete columns."""
    if class_column is not None and class_column not in discrete_columns:
        raise SynthesizerInputError(
            f'class_column {class_column!r} is not a discrete column of the metadata. '
            f'Choose one of {list(discrete_columns)} (sdtype categorical, boolean or ordinal), '
            'or None.'
        )


def validate_class_column_processed(
    class_column: str | None, discrete_columns: Sequence[str]
) -> None:
    """Refuse a class column that preprocessing turned into numbers."""
    if class_column is not None and class_column not in discrete_columns:
        raise SynthesizerInputError(
            f'class_column {class_column!r} is not discrete after preprocessing: its '
            "transformer must be None (update_transformers({'"
            f"{class_column}': None}})) or the column must be in the data."
        )


def validate_condition_categories(frame: pd.DataFrame, encoder) -> None:
    """Refuse, before sampling starts, a condition on a category never seen in ``fit``.

    Args:
        frame (pandas.DataFrame):
            The conditioned columns and their values.
        encoder (TableEncoder or None):
            The fitted encoder (None before ``fit``: nothing to check).
    """
    for column in frame.columns:
        if encoder is None or column not in encoder.discrete_columns:
            continue
        for value in frame[column].unique():
            if encoder.category_index(column, value) is None:
                categories = sorted(encoder.categories_of(column), key=str)
                seen = ', '.join(repr(c) for c in categories[:20])
                raise ValueError(
                    f'Cannot condition on {column}={value!r}: that category never appears '
                    f'in the training data. Seen categories: {seen}.'
                )


def validate_condition_ranges(frame: pd.DataFrame, processed: pd.DataFrame, encoder) -> None:
    """Refuse, before sampling starts, a condition on a number that sampling never draws.

    A number is generated within its quantile grid's range: the training range, less the
    extremes ``value_protection`` keeps out. SDV's reject sampling would otherwise try in vain
    and suggest more tries.

    Args:
        frame (pandas.DataFrame):
            The conditioned columns and their values, as the user gave them.
        processed (pandas.DataFrame):
            The same, through the synthesizer's preprocessing (the model's space).
        encoder (TableEncoder):
            The fitted encoder.
    """
    for column in frame.columns:
        normalizer = encoder.normalizer_of(column)
        if normalizer is None or column not in processed or not _is_number(frame[column]):
            continue
        low, high = normalizer.value_range()
        values = pd.to_numeric(processed[column], errors='coerce').to_numpy()
        outside = np.flatnonzero((values < low) | (values > high))
        if len(outside):
            value = frame[column].iloc[outside[0]]
            value = value.item() if isinstance(value, np.generic) else value
            raise ValueError(
                f'Cannot condition on {column}={value!r}: generated values of {column!r} lie '
                f'within [{low:g}, {high:g}]{_protection_note(normalizer.protected)}'
            )


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _protection_note(protected: int) -> str:
    if protected == 1:
        return ', the training range. Condition on a value within it.'

    kept_out = protected - 1
    values = 'value' if kept_out == 1 else 'values'
    return (
        f' (value_protection keeps the {kept_out} most extreme training {values} at each end '
        'out of synthetic data). Condition on a value within it, or fit with '
        'value_protection=1 to draw every training value.'
    )
