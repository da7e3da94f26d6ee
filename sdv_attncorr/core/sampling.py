"""Imposing conditions on generated values.

On whole rows when sampling; span by span while a sequential decoder draws them
(``nets/decoding.py``).
"""

from __future__ import annotations

import torch

from sdv_attncorr.core.layout import DISCRETE, TableLayout


def impose_conditions(
    rows: torch.Tensor, conditions: torch.Tensor, layout: TableLayout
) -> torch.Tensor:
    """Set each conditioned span of generated ``rows`` to its condition's category.

    The generator learns to reproduce its condition; imposing it keeps the rest of each row
    consistent with the category it was generated for. The condition vector holds one block
    per discrete span of ``layout``, in order.

    Args:
        rows (torch.Tensor):
            Generated rows with one-hot discrete spans, ``[n, layout.width]``.
        conditions (torch.Tensor):
            Their condition vectors, ``[n, d_condition]``.
        layout (TableLayout):
            The layout of a row.

    Returns:
        torch.Tensor:
            ``rows``, changed in place.
    """
    for index, (offset, width) in condition_blocks(layout).items():
        span = layout.spans[index]
        rows[:, span.start : span.end] = impose_span(
            rows[:, span.start : span.end], conditions, offset, width
        )

    return rows


def condition_blocks(layout: TableLayout) -> dict[int, tuple[int, int]]:
    """Map each discrete span's index to ``(offset, width)`` of its block in a condition vector.

    The condition vector holds one block per discrete span of ``layout``, in order.
    """
    blocks, offset = {}, 0
    for index, span in enumerate(layout.spans):
        if span.kind == DISCRETE:
            blocks[index] = (offset, span.width)
            offset += span.width

    return blocks


def impose_span(
    values: torch.Tensor, conditions: torch.Tensor, offset: int, width: int
) -> torch.Tensor:
    """Return one span's ``values`` with its condition's category on the rows that set one.

    Args:
        values (torch.Tensor):
            The span's generated values, ``[n, width]``.
        conditions (torch.Tensor):
            The rows' condition vectors, ``[n, d_condition]``.
        offset (int):
            Where the span's block starts in a condition vector.
        width (int):
            The span's width.

    Returns:
        torch.Tensor:
            A new tensor, ``[n, width]`` (no device sync: a ``torch.where``).
    """
    block = conditions[:, offset : offset + width]
    return torch.where(block.sum(dim=1, keepdim=True) > 0, block, values)
