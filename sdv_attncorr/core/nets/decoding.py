"""Decoding orders: in which order a sequential generator produces the spans of a row.

``'joint'`` produces every span at once from the column tokens (no span sees another's value).
The sequential decodings produce one span after another, each given the values already drawn:

- ``'sequential'``: one fixed order, the discrete spans first from the most categories to the
  fewest (so a number is drawn given every category of its row, and a 35-valued grade before
  the columns that depend on it), then the continuous spans in table order;
- ``'any_order'``: a fresh random order for every batch (drawn from the batch's random
  source), so the generator learns every column given any subset of the others.
"""

from __future__ import annotations

import torch

from sdv_attncorr.core.layout import DISCRETE, TableLayout
from sdv_attncorr.core.random import Draws, RowDraws

JOINT = 'joint'
SEQUENTIAL = 'sequential'
ANY_ORDER = 'any_order'
DECODINGS = (JOINT, SEQUENTIAL, ANY_ORDER)


def fixed_order(layout: TableLayout) -> tuple[int, ...]:
    """Return the ``'sequential'`` order: discrete spans by falling width, then continuous ones.

    Args:
        layout (TableLayout):
            Layout of the rows.

    Returns:
        tuple[int, ...]:
            Indices of ``layout.spans`` in decoding order (ties keep table order).

    """
    spans = list(enumerate(layout.spans))
    discrete = sorted(
        (index for index, span in spans if span.kind == DISCRETE),
        key=lambda index: -layout.spans[index].width,
    )
    continuous = [index for index, span in spans if span.kind != DISCRETE]
    return (*discrete, *continuous)


def random_order(n_spans: int, rng: Draws) -> tuple[int, ...]:
    """Return a random order of ``n_spans`` spans, the same on every training process.

    Args:
        n_spans (int):
            Number of spans.
        rng (torch.Generator, RowDraws or None):
            Source of the draw (a ``RowDraws``' shared generator, so every rank agrees); the
            global one when None.

    Returns:
        tuple[int, ...]:
            A permutation of ``range(n_spans)``.

    """
    generator = rng.generator if isinstance(rng, RowDraws) else rng
    device = generator.device if generator is not None else 'cpu'
    keys = torch.rand(n_spans, generator=generator, device=device)
    return tuple(keys.argsort().tolist())
