"""The differentiable view the regularisers compare (DESIGN.md §3)."""

from __future__ import annotations

import torch

from sdv_attncorr.core.layout import TableLayout

MAX_VIEW_CATEGORIES = 50


def view_index(layout: TableLayout, max_categories: int = MAX_VIEW_CATEGORIES) -> torch.Tensor:
    """Positions of an encoded row that the correlation losses compare.

    Every continuous value, and the one-hot block of every discrete span with at most
    ``max_categories`` categories (wider spans would make the correlation matrix quadratic in
    their size for little signal).

    Args:
        layout (TableLayout):
            Layout of an encoded row.
        max_categories (int):
            Widest discrete span kept.

    Returns:
        torch.LongTensor:
            Shape ``[v]``.
    """
    positions = [
        position
        for span in layout.spans
        if span.width <= max_categories
        for position in range(span.start, span.end)
    ]
    return torch.tensor(positions, dtype=torch.long)


def view_of(data: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Return the view of the encoded rows ``data``: ``data`` itself when it keeps every column.

    Args:
        data (torch.Tensor):
            Encoded rows, ``[n_rows, width]``.
        index (torch.LongTensor):
            The view's positions (``view_index``).

    Returns:
        torch.Tensor:
            ``data[:, index]``, without a copy of the table when ``index`` is every position in
            order (no discrete span wider than ``MAX_VIEW_CATEGORIES``).
    """
    if torch.equal(index, torch.arange(data.shape[1], device=index.device)):
        return data

    return data[:, index]
