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
    the condition's category, and (``conditions_first``) its embedding is in the state from
    the start, so every span is drawn given it, also one decoded before it. The drawn values
    are the ones the losses see, and gradients flow through them; with ``teacher`` rows,
    ``forward`` also scores their categories by teacher forcing (``teacher_log_likelihood``),
    which the likelihood loss trains on.

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

    row_positions: torch.Tensor
    condition_positions: torch.Tensor
    is_padding: torch.Tensor
    discrete_index: torch.Tensor
    conditions_first = False
    """Whether every span sees the conditioned values (a decoder saved before did not)."""

    def __init__(self, layout: TableLayout, *, d_context: int, order: str) -> None:
        super().__init__()
        if order not in (SEQUENTIAL, ANY_ORDER):
            raise ValueError(f"order must be 'sequential' or 'any_order', got {order=}")

        self.decoding = order
        self.conditions_first = True
        self.order = fixed_order(layout)
        self.widths = tuple(span.width for span in layout.spans)
        self.condition_blocks = condition_blocks(layout)
        self.condition_width = sum(width for _, width in self.condition_blocks.values())
        n_spans, max_width = len(self.widths), max(self.widths)
        self.head_weight = nn.Parameter(torch.empty(n_spans, d_context, max_width))
        self.head_bias = nn.Parameter(torch.zeros(n_spans, max_width))
        nn.init.normal_(self.head_weight, std=d_context**-0.5)
        self.value_embedding = nn.Parameter(torch.randn(n_spans, max_width, d_context) * 0.02)
        # Where each span's values lie in a row, and each discrete span's in a condition
        # vector, padded to ``max_width`` with the position of an appended 0 column: every
        # span is read at once through them.
        padding = torch.arange(max_width) >= torch.tensor(self.widths)[:, None]
        starts = torch.tensor([span.start for span in layout.spans])
        positions = starts[:, None] + torch.arange(max_width)
        discrete = sorted(self.condition_blocks)
        offsets = torch.tensor([self.condition_blocks[index][0] for index in discrete])
        in_condition = offsets.reshape(-1, 1) + torch.arange(max_width)
        in_condition = in_condition.masked_fill(padding[discrete], self.condition_width)
        self.register_buffer('row_positions', positions.masked_fill(padding, layout.width))
        self.register_buffer('condition_positions', in_condition)
        self.register_buffer('is_padding', padding)
        self.register_buffer('discrete_index', torch.tensor(discrete, dtype=torch.long))

    def forward(
        self,
        contexts: torch.Tensor,
        condition: torch.Tensor,
        head: OutputHead,
        *,
        rng: Draws = None,
        hard: bool = False,
        teacher: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, ...]:
        """Draw the spans in order; return raw and activated rows in layout order.

        With ``teacher`` (real rows ``[batch, layout.width]`` holding the batch's conditions),
        also return each teacher row's log-likelihood, ``[batch]``: its discrete values scored
        by the heads given the same contexts and its own values before them (teacher forcing,
        ``teacher_log_likelihood``), in the order of this draw.
        """
        n_spans = len(self.widths)
        order = self.order if self.decoding == SEQUENTIAL else random_order(n_spans, rng)
        # The conditioned values' embeddings, once for the draw and the teacher forcing.
        known = self._known(condition) if self._reads_conditions(condition) else None
        contexts_of = contexts.unbind(1)
        raw, values = self._draw(contexts_of, condition, known, head, order, rng=rng, hard=hard)
        if teacher is None:
            return raw, values

        return raw, values, self.teacher_log_likelihood(contexts, known, teacher, order)

    def _known(self, condition: torch.Tensor) -> torch.Tensor:
        """Embed each discrete span's conditioned value (0 where none), ``[b, discrete, d]``."""
        padded = nn.functional.pad(condition, (0, 1))[:, self.condition_positions]
        return torch.einsum('bsw,swd->bsd', padded, self.value_embedding[self.discrete_index])

    def _reads_conditions(self, condition: torch.Tensor) -> bool:
        return self.conditions_first and condition.shape[1] == self.condition_width > 0

    def _conditioned(
        self, condition: torch.Tensor, known: torch.Tensor | None, like: torch.Tensor
    ) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
        """Return the state the first span starts from and each conditioned span's block.

        With ``conditions_first``, the state starts with the embeddings of the conditioned
        values, so every span is drawn given them, also a span decoded before the conditioned
        one (a neighbourhood given its zoning); the conditioned span then adds nothing when
        its turn comes (its value is its block). Otherwise the state starts at 0.
        """
        if known is None:
            return torch.zeros_like(like), {}

        state = known.sum(dim=1)
        blocks = {
            index: condition[:, offset : offset + width]
            for index, (offset, width) in self.condition_blocks.items()
        }
        return state, blocks

    def _draw(
        self,
        contexts_of: tuple[torch.Tensor, ...],
        condition: torch.Tensor,
        known: torch.Tensor | None,
        head: OutputHead,
        order: tuple[int, ...],
        *,
        rng: Draws,
        hard: bool,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        weights, biases = self.head_weight.unbind(0), self.head_bias.unbind(0)
        embeddings = self.value_embedding.unbind(0)
        fixes = condition.shape[1] == self.condition_width
        state, blocks = self._conditioned(condition, known, contexts_of[0])
        raws, values = [state] * len(order), [state] * len(order)
        for step, index in enumerate(order):
            width = self.widths[index]
            raw = (contexts_of[index] + state) @ weights[index][:, :width] + biases[index][:width]
            value = raw
            if index in self.condition_blocks:
                value = head.gumbel_softmax(raw, rng=rng, hard=hard)
                if fixes:
                    value = impose_span(value, condition, *self.condition_blocks[index])
            if step + 1 < len(order):
                added = value - blocks[index] if index in blocks else value
                state = state + added @ embeddings[index][:width]
            raws[index], values[index] = raw, value

        return torch.cat(raws, dim=1), torch.cat(values, dim=1)

    def teacher_log_likelihood(
        self,
        contexts: torch.Tensor,
        known: torch.Tensor | None,
        teacher: torch.Tensor,
        order: tuple[int, ...],
    ) -> torch.Tensor:
        """Log-likelihood of real rows' categories, each span given the real values before it.

        The decoding of ``_draw`` with the real values in place of the drawn ones: each
        discrete span's softmax over its head's logits scores the row's own category, and
        the row's log-likelihood is their sum (over the spans, as an autoregressive model
        such as TabularARGN trains on it). It teaches the heads the conditional frequencies
        that the adversarial loss learns only through the soft samples the critic scores.

        Args:
            contexts (torch.Tensor):
                Each span's context, ``[batch, n_spans, d_context]``.
            known (torch.Tensor or None):
                The embeddings of the rows' conditioned values (``_known``; ``teacher`` holds
                them), ``[batch, discrete spans, d_context]``; None when they are not read.
            teacher (torch.Tensor):
                Real encoded rows, ``[batch, layout.width]``.
            order (tuple[int, ...]):
                The decoding order.

        Returns:
            torch.Tensor:
                Shape ``[batch]``.
        """
        padded = nn.functional.pad(teacher, (0, 1))[:, self.row_positions]
        embedded = torch.einsum('bsw,swd->bsd', padded, self.value_embedding)
        state = torch.zeros_like(contexts[:, 0])
        discrete = self.discrete_index
        if known is not None:
            # The conditioned values are in the state from the start, and add nothing after.
            state, embedded = known.sum(dim=1), embedded.index_add(1, discrete, -known)
        positions = torch.tensor(order, device=teacher.device)
        in_order = embedded[:, positions]
        states = torch.empty_like(embedded)
        states[:, positions] = in_order.cumsum(dim=1) - in_order  # the values before each span
        inputs = (contexts + states)[:, discrete] + state[:, None]
        logits = torch.einsum('bsd,sdw->bsw', inputs, self.head_weight[discrete])
        padding = self.is_padding[discrete]
        logits = (logits + self.head_bias[discrete]).masked_fill(padding, float('-inf'))
        scores = padded[:, discrete] * torch.log_softmax(logits, dim=2)
        return scores.masked_fill(padding, 0.0).sum(dim=(1, 2))
