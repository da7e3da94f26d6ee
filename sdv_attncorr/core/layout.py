"""The layout of an encoded table: which slice of the matrix holds which column.

An encoded row is a float vector. A ``TableLayout`` splits it into spans, one per encoded part
of a table column: a ``continuous`` span of width 1 (a standardised value) or a ``discrete``
span (a one-hot block over the categories of a column, or over its null indicator).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import torch

CONTINUOUS = 'continuous'
DISCRETE = 'discrete'
NULL_SUFFIX = '#null'
"""Suffix of the name of a numeric column's null-indicator span: ``[present, missing]``."""


@dataclass(frozen=True)
class Span:
    """One encoded part of a table column.

    Args:
        column (str):
            Name of the table column the span encodes.
        kind (str):
            ``'continuous'`` or ``'discrete'``.
        start (int):
            Index of the span's first value in the encoded row.
        width (int):
            Number of values in the span (1 for a continuous span).

    """

    column: str
    kind: str
    start: int
    width: int

    def __post_init__(self) -> None:
        if self.kind not in (CONTINUOUS, DISCRETE):
            raise ValueError(f"kind must be 'continuous' or 'discrete', got {self.kind=}")
        if self.width < 1 or (self.kind == CONTINUOUS and self.width != 1):
            raise ValueError(f'invalid span width for {self.kind} span: {self.width=}')

    @property
    def is_null_indicator(self) -> bool:
        """bool: Whether the span is a numeric column's null indicator."""
        return self.column.endswith(NULL_SUFFIX)

    @property
    def end(self) -> int:
        """int: Index one past the span's last value."""
        return self.start + self.width


@dataclass(frozen=True)
class TableLayout:
    """The spans of an encoded row, in order and without gaps.

    Args:
        spans (tuple[Span, ...]):
            The spans, each starting where the previous one ends.

    """

    spans: tuple[Span, ...]

    def __post_init__(self) -> None:
        position = 0
        for span in self.spans:
            if span.start != position:
                raise ValueError(f'spans must be contiguous: {span} should start at {position}')
            position = span.end

    @classmethod
    def from_widths(cls, parts: Iterable[tuple[str, str, int]]) -> TableLayout:
        """Build a layout from ``(column, kind, width)`` triples laid out one after another.

        Args:
            parts (Iterable[tuple[str, str, int]]):
                The column, kind and width of each span, in order.

        Returns:
            TableLayout:
                The layout.

        """
        spans, start = [], 0
        for column, kind, width in parts:
            spans.append(Span(column, kind, start, width))
            start += width

        return cls(tuple(spans))

    @property
    def width(self) -> int:
        """int: Number of values in an encoded row."""
        return self.spans[-1].end if self.spans else 0

    @property
    def columns(self) -> tuple[str, ...]:
        """tuple[str, ...]: Table columns in the order of their first span."""
        return tuple(dict.fromkeys(span.column for span in self.spans))

    @property
    def discrete_spans(self) -> tuple[Span, ...]:
        """tuple[Span, ...]: The discrete spans, in order."""
        return tuple(span for span in self.spans if span.kind == DISCRETE)

    @property
    def continuous_spans(self) -> tuple[Span, ...]:
        """tuple[Span, ...]: The continuous spans, in order."""
        return tuple(span for span in self.spans if span.kind == CONTINUOUS)

    def missing_positions(self) -> torch.Tensor:
        """Return, for each continuous span, the position of its "missing" flag, or -1.

        Returns:
            torch.LongTensor:
                Shape ``[n_continuous]``.
        """
        flags = {span.column: span.start + 1 for span in self.spans if span.is_null_indicator}
        return torch.tensor(
            [flags.get(span.column + NULL_SUFFIX, -1) for span in self.continuous_spans],
            dtype=torch.long,
        )

    def continuous_index(self) -> torch.Tensor:
        """Return the positions of the continuous values in an encoded row.

        Returns:
            torch.LongTensor:
                Shape ``[n_continuous]``.

        """
        return torch.tensor([span.start for span in self.continuous_spans], dtype=torch.long)

    def discrete_padding_index(self) -> torch.Tensor:
        """Return an index that gathers the discrete spans into a padded block.

        Position ``[s, k]`` holds the row position of category ``k`` of discrete span ``s``, or
        ``width`` (one past the row, a padding slot) where the span has fewer categories.

        Returns:
            torch.LongTensor:
                Shape ``[n_discrete, max_categories]``.

        """
        spans = self.discrete_spans
        max_width = max((span.width for span in spans), default=0)
        index = torch.full((len(spans), max_width), self.width, dtype=torch.long)
        for position, span in enumerate(spans):
            index[position, : span.width] = torch.arange(span.start, span.end)

        return index

    def column_of_position(self) -> torch.Tensor:
        """Return, for each position of an encoded row, the index of its table column.

        Returns:
            torch.LongTensor:
                Shape ``[width]``, values in ``range(len(self.columns))``.

        """
        column_ids = {column: index for index, column in enumerate(self.columns)}
        owner = [column_ids[span.column] for span in self.spans for _ in range(span.width)]
        return torch.tensor(owner, dtype=torch.long)
