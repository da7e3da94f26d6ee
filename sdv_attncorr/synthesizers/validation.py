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
