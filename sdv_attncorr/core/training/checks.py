"""Checks of single hyperparameter values: each returns what is wrong, or None.

A check is a small callable with a ``describe`` of what it accepts; the hyperparameter table
(``config.py``) names one per field, so validation and the documentation of bounds come from
the same declaration.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any


def is_number(value: Any) -> bool:
    """Whether ``value`` is a real number other than a bool or NaN."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value


@dataclass(frozen=True)
class Check:
    """A named predicate on one value.

    Args:
        describe (str):
            What a valid value is, completing "must be ...".
        accepts (callable):
            The predicate.
    """

    describe: str
    accepts: Callable[[Any], bool]

    def error(self, name: str, value: Any) -> str | None:
        """Return the message for a bad ``value`` of ``name``, or None when it is valid."""
        if self.accepts(value):
            return None

        return f'{name} must be {self.describe}, got {value!r}.'


def integer(minimum: int) -> Check:
    """Accept an integer (not a bool) of at least ``minimum``."""
    describe = 'a positive integer' if minimum == 1 else f'an integer >= {minimum}'
    return Check(
        describe,
        lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool) and int(v) >= minimum,
    )


def number(*, positive: bool = False, below: float | None = None) -> Check:
    """Accept a real number >= 0 (> 0 when ``positive``), below ``below`` when given."""
    describe = 'a positive number' if positive else 'a number >= 0'
    if below is not None:
        describe += f' and below {below}'

    def accepts(value: Any) -> bool:
        if not is_number(value) or value < 0 or (positive and value == 0):
            return False
        return below is None or value < below

    return Check(describe, accepts)


@dataclass(frozen=True)
class OneOf:
    """One of the names of a registry (or a tuple), read when checking: later entries count.

    Args:
        choices (collections.abc.Collection):
            The valid names.
    """

    choices: Collection[str]

    @property
    def describe(self) -> str:
        """str: What a valid value is."""
        return f'one of {tuple(self.choices)}'

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is one of the choices."""
        return isinstance(value, str) and value in self.choices

    def error(self, name: str, value: Any) -> str | None:
        """Return the message for a bad ``value`` of ``name``, or None when it is valid."""
        return None if self.accepts(value) else f'{name} must be {self.describe}, got {value!r}.'


def widths() -> Check:
    """Accept a tuple or list of positive integers (layer widths)."""
    width = integer(1)
    return Check(
        'a tuple of positive integers',
        lambda v: isinstance(v, (tuple, list)) and all(width.accepts(w) for w in v),
    )


@dataclass(frozen=True)
class NamesFrom:
    """None (the default set), or a list of names from ``choices``; the error lists the unknown.

    Args:
        choices (tuple[str]):
            The valid names.
    """

    choices: tuple[str, ...]

    @property
    def describe(self) -> str:
        """str: What a valid value is."""
        return f'None or a list of names from {self.choices}'

    def error(self, name: str, value: Any) -> str | None:
        """Return the message for a bad ``value`` of ``name``, or None when it is valid."""
        if value is None:
            return None
        unknown = [n for n in value if n not in self.choices] if isinstance(value, Iterable) else []
        if isinstance(value, (list, tuple)) and not unknown:
            return None

        return (
            f'Unknown name(s) in {name}: {unknown or value!r}. Give a list of names from '
            f'{self.choices}, or None for the default set.'
        )


BOOLEAN = Check('True or False', lambda v: isinstance(v, bool) or type(v).__name__ == 'bool_')
OPTIONAL_NAME = Check('a column name or None', lambda v: v is None or isinstance(v, str))
SHARE = Check('a number from 0 to 1', lambda v: is_number(v) and 0 <= v <= 1)
OPTIONAL_SEED = Check(
    'None or an integer >= 0',
    lambda v: v is None or integer(0).accepts(v),
)
OPTIONAL_PATH = Check(
    'a folder path or None', lambda v: v is None or isinstance(v, (str, os.PathLike))
)
OPTIONAL_SECONDS = Check(
    'None or a positive number of seconds',
    lambda v: v is None or number(positive=True).accepts(v),
)
OPTIONAL_ROWS = Check(
    'None or a positive whole number of rows', lambda v: v is None or integer(1).accepts(v)
)
OPTIONAL_POSITIVE = Check(
    'None or a positive number', lambda v: v is None or number(positive=True).accepts(v)
)
OPTIONAL_PROBABILITY = Check(
    'None or a number strictly between 0 and 1', lambda v: v is None or (is_number(v) and 0 < v < 1)
)
OPEN_SHARE = Check('a number strictly between 0 and 1', lambda v: is_number(v) and 0 < v < 1)


def _declaration(value: Any) -> bool:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return False
    items = list(value)
    is_bounds = isinstance(value, tuple) and len(items) == 2 and all(map(is_number, items))
    return is_bounds and items[0] < items[1] or not is_bounds and len(items) > 0


DECLARED = Check(
    'None or a dict of column name to its categories (a list) or its (low, high) bounds (a tuple)',
    lambda v: (
        v is None
        or isinstance(v, dict)
        and all(isinstance(k, str) and _declaration(d) for k, d in v.items())
    ),
)
