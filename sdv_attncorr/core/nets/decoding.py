"""Sequential decoding: the spans of a row drawn one after another, each given those before it.

``'joint'`` produces every span at once (no span sees another's value). The sequential
decodings (``SequentialDecoder``) produce one span after another, each given the values already
drawn, in one of two orders:

- ``'sequential'``: one fixed order, the discrete spans first from the most categories to the
  fewest (so a number is drawn given every category of its row, and a 35-valued grade before
  the columns that depend on it), then the continuous spans in table order;
- ``'any_order'``: a fresh random order for every batch (drawn from the batch's random
  source), so the generator learns every column given any subset of the others. On a GPU,
  reading the order back costs one device sync per batch.
"""

from __future__ import annotations

import torch
from torch import nn

from sdv_attncorr.core.layout import DISCRETE, TableLayout
from sdv_attncorr.core.nets.heads import OutputHead
from sdv_attncorr.core.random import Draws, RowDraws
from sdv_attncorr.core.sampling import condition_blocks, impose_span

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


class SequentialDecoder(nn.Module):
    """Draw the spans of a row one after another from per-span contexts (autoregressive).

    In the decoding order, each span's linear head reads its context plus the embeddings of
    the values already drawn in its row; its value is drawn (a Gumbel-softmax for a discrete
    span, the raw value for a number) and embedded for the spans after it. So a span's logits
    depend on every earlier value of its row (linearly: every pair's interaction can be
    learned) and never on a later one. A discrete span that the condition vector sets takes
    the condition's category while decoding, so the spans after it are drawn given it. No
    teacher forcing: the drawn values are the ones the losses see, and gradients flow through
    them.

    Args:
        layout (TableLayout):
            Layout of the rows.
        d_context (int):
            Width of a span's context and of the embeddings of drawn values.
        order (str):
            ``'sequential'`` (``fixed_order``) or ``'any_order'`` (``random_order`` per call).

    Shape:
        Contexts ``[batch, n_spans, d_context]`` and condition ``[batch, d_condition]`` in; raw
        and activated rows ``[batch, layout.width]`` out.

    """

    def __init__(self, layout: TableLayout, *, d_context: int, order: str) -> None:
        super().__init__()
        if order not in (SEQUENTIAL, ANY_ORDER):
            raise ValueError(f"order must be 'sequential' or 'any_order', got {order=}")

        self.decoding = order
        self.order = fixed_order(layout)
        self.widths = tuple(span.width for span in layout.spans)
        self.condition_blocks = condition_blocks(layout)
        self.condition_width = sum(width for _, width in self.condition_blocks.values())
        n_spans, max_width = len(self.widths), max(self.widths)
        self.head_weight = nn.Parameter(torch.empty(n_spans, d_context, max_width))
        self.head_bias = nn.Parameter(torch.zeros(n_spans, max_width))
        nn.init.normal_(self.head_weight, std=d_context**-0.5)
        self.value_embedding = nn.Parameter(torch.randn(n_spans, max_width, d_context) * 0.02)

    def forward(
        self,
        contexts: torch.Tensor,
        condition: torch.Tensor,
        head: OutputHead,
        *,
        rng: Draws = None,
        hard: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw the spans in order; return raw and activated rows in layout order."""
        contexts_of = contexts.unbind(1)
        weights, biases = self.head_weight.unbind(0), self.head_bias.unbind(0)
        embeddings = self.value_embedding.unbind(0)
        fixes = condition.shape[1] == self.condition_width
        n_spans = len(self.widths)
        order = self.order if self.decoding == SEQUENTIAL else random_order(n_spans, rng)
        state = torch.zeros_like(contexts_of[0])
        raws, values = [state] * n_spans, [state] * n_spans
        for step, index in enumerate(order):
            width = self.widths[index]
            raw = (contexts_of[index] + state) @ weights[index][:, :width] + biases[index][:width]
            value = raw
            if index in self.condition_blocks:
                value = head.gumbel_softmax(raw, rng=rng, hard=hard)
                if fixes:
                    value = impose_span(value, condition, *self.condition_blocks[index])
            if step + 1 < n_spans:
                state = state + value @ embeddings[index][:width]
            raws[index], values[index] = raw, value

        return torch.cat(raws, dim=1), torch.cat(values, dim=1)
