"""What sampling does to generated rows that training does not: impose their conditions."""

from __future__ import annotations

import torch

from sdv_attncorr.core.layout import TableLayout


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
    offset = 0
    for span in layout.discrete_spans:
        block = conditions[:, offset : offset + span.width]
        conditioned = block.sum(dim=1) > 0
        rows[conditioned, span.start : span.end] = block[conditioned]
        offset += span.width

    return rows
