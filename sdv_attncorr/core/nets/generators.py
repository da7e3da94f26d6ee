"""Generator bodies: map noise and a condition vector to an encoded row.

``MLPGenerator`` and ``AttentionGenerator`` return raw values, which ``OutputHead`` activates;
``SequentialAttentionGenerator`` draws its values span by span and so takes the head itself.
``generate`` runs any of them. None mixes rows of a batch.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from sdv_attncorr.core.layout import DISCRETE, TableLayout
from sdv_attncorr.core.nets.attention import ColumnTransformer
from sdv_attncorr.core.nets.blocks import ResidualBlock
from sdv_attncorr.core.nets.decoding import ANY_ORDER, SEQUENTIAL, fixed_order, random_order
from sdv_attncorr.core.nets.heads import OutputHead
from sdv_attncorr.core.random import Draws


class MLPGenerator(nn.Module):
    """Residual MLP generator (CTGAN's body, with layer norm instead of batch norm).

    Args:
        d_noise (int):
            Width of the noise vector.
        d_condition (int):
            Width of the condition vector (0 for no conditioning).
        layout (TableLayout):
            Layout of the rows to generate.
        hidden_dims (tuple[int, ...]):
            Width of each residual block's new features.

    Shape:
        Noise ``[batch, d_noise]`` and condition ``[batch, d_condition]`` in,
        ``[batch, layout.width]`` out.

    """

    def __init__(
        self,
        *,
        d_noise: int,
        d_condition: int,
        layout: TableLayout,
        hidden_dims: tuple[int, ...] = (256, 256),
    ) -> None:
        super().__init__()
        blocks, width = [], d_noise + d_condition
        for d_hidden in hidden_dims:
            blocks.append(ResidualBlock(d_in=width, d_out=d_hidden))
            width += d_hidden

        self.blocks = nn.Sequential(*blocks)
        self.output = nn.Linear(width, layout.width)

    def forward(self, noise: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Generate raw rows."""
        return self.output(self.blocks(torch.cat([noise, condition], dim=1)))


class ColumnTokenBody(nn.Module):
    """The column tokens of the attention generators, and one linear head per span.

    Each span of the layout (a table column, or its null indicator) is a token: the noise and
    the condition are projected into one vector per token, a learned column embedding is
    added, and pre-norm transformer blocks attend across the tokens of each row. Subclasses
    map each token to its span's values through ``head_weight`` and ``head_bias``.

    Args:
        d_noise (int):
            Width of the noise vector.
        d_condition (int):
            Width of the condition vector (0 for no conditioning).
        layout (TableLayout):
            Layout of the rows to generate.
        d_token (int):
            Width of a column token.
        n_heads (int):
            Attention heads; must divide ``d_token``.
        n_blocks (int):
            Transformer blocks.

    """

    def __init__(
        self,
        *,
        d_noise: int,
        d_condition: int,
        layout: TableLayout,
        d_token: int = 64,
        n_heads: int = 4,
        n_blocks: int = 2,
    ) -> None:
        super().__init__()
        self.n_tokens = len(layout.spans)
        self.d_token = d_token
        self.input = nn.Linear(d_noise + d_condition, self.n_tokens * d_token)
        self.column_embedding = nn.Parameter(torch.randn(self.n_tokens, d_token) * 0.02)
        self.transformer = ColumnTransformer(d_token=d_token, n_heads=n_heads, n_blocks=n_blocks)
        max_width = max(span.width for span in layout.spans)
        self.head_weight = nn.Parameter(torch.empty(self.n_tokens, d_token, max_width))
        self.head_bias = nn.Parameter(torch.zeros(self.n_tokens, max_width))
        nn.init.normal_(self.head_weight, std=d_token**-0.5)

    def column_tokens(self, noise: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Return the transformer's column tokens, ``[batch, n_tokens, d_token]``."""
        tokens = self.input(torch.cat([noise, condition], dim=1))
        tokens = tokens.view(-1, self.n_tokens, self.d_token) + self.column_embedding
        return self.transformer(tokens)


class AttentionGenerator(ColumnTokenBody):
    """Generator whose tokens are the table's columns, mixed by self-attention across columns.

    The column tokens of ``ColumnTokenBody``; a per-column linear head maps each token to its
    span's raw values, all spans at once.

    Args:
        **kwargs:
            ``ColumnTokenBody``'s arguments.

    Shape:
        Noise ``[batch, d_noise]`` and condition ``[batch, d_condition]`` in,
        ``[batch, layout.width]`` out.

    """

    flat_index: torch.Tensor

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        max_width = self.head_weight.shape[-1]
        flat_index = [
            token * max_width + offset
            for token, span in enumerate(kwargs['layout'].spans)
            for offset in range(span.width)
        ]
        self.register_buffer('flat_index', torch.tensor(flat_index), persistent=False)

    def forward(self, noise: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Generate raw rows."""
        tokens = self.column_tokens(noise, condition)
        values = torch.einsum('btd,tdw->btw', tokens, self.head_weight) + self.head_bias
        return values.flatten(1)[:, self.flat_index]


class SequentialAttentionGenerator(ColumnTokenBody):
    """Attention generator that draws the spans of a row one after another (autoregressive).

    The column transformer runs once (``ColumnTokenBody``). Then, in the decoding order
    (``decoding.py``), each span's head reads its column token plus the embeddings of the
    values already drawn, and its value is drawn (a Gumbel-softmax for a discrete span) and
    embedded for the spans after it. So a span's logits depend on every earlier value of its
    row (linearly: every pair's interaction can be learned), and never on a later one. A
    discrete span that the condition vector fixes takes the condition's category while
    decoding, so the spans after it are drawn given it.

    Args:
        decoding (str):
            ``'sequential'`` (one fixed order) or ``'any_order'`` (a random order per batch).
        **kwargs:
            ``ColumnTokenBody``'s arguments.

    Shape:
        Noise ``[batch, d_noise]`` and condition ``[batch, d_condition]`` in, raw and
        activated rows ``[batch, layout.width]`` out.

    """

    activates_itself = True
    """The generator draws its values itself: it takes the output head and returns its rows."""

    def __init__(self, *, decoding: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if decoding not in (SEQUENTIAL, ANY_ORDER):
            raise ValueError(f"decoding must be 'sequential' or 'any_order', got {decoding=}")

        layout: TableLayout = kwargs['layout']
        self.decoding = decoding
        self.order = fixed_order(layout)
        self.widths = tuple(span.width for span in layout.spans)
        self.condition_blocks = _condition_blocks(layout)
        max_width = max(self.widths)
        self.value_embedding = nn.Parameter(
            torch.randn(self.n_tokens, max_width, self.d_token) * 0.02
        )

    def forward(
        self,
        noise: torch.Tensor,
        condition: torch.Tensor,
        head: OutputHead,
        *,
        rng: Draws = None,
        hard: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Generate raw rows and their drawn values, span by span."""
        tokens = self.column_tokens(noise, condition).unbind(1)
        weights, biases = self.head_weight.unbind(0), self.head_bias.unbind(0)
        embeddings = self.value_embedding.unbind(0)
        fixes = condition.shape[1] == sum(width for _, width in self.condition_blocks.values())
        order = self.order if self.decoding == SEQUENTIAL else random_order(self.n_tokens, rng)
        state = torch.zeros_like(tokens[0])
        raws, values = [tokens[0]] * self.n_tokens, [tokens[0]] * self.n_tokens
        for step, index in enumerate(order):
            width = self.widths[index]
            raw = (tokens[index] + state) @ weights[index][:, :width] + biases[index][:width]
            value = raw
            if index in self.condition_blocks:
                value = head.gumbel_softmax(raw, rng=rng, hard=hard)
                if fixes:
                    value = _impose(value, condition, *self.condition_blocks[index])
            if step + 1 < len(order):
                state = state + value @ embeddings[index][:width]
            raws[index], values[index] = raw, value

        return torch.cat(raws, dim=1), torch.cat(values, dim=1)


def _condition_blocks(layout: TableLayout) -> dict[int, tuple[int, int]]:
    """Map each discrete span's index to ``(offset, width)`` of its block in a condition vector."""
    blocks, offset = {}, 0
    for index, span in enumerate(layout.spans):
        if span.kind == DISCRETE:
            blocks[index] = (offset, span.width)
            offset += span.width

    return blocks


def _impose(value: torch.Tensor, condition: torch.Tensor, offset: int, width: int) -> torch.Tensor:
    """Replace ``value`` by its condition's category on the rows whose condition sets one."""
    block = condition[:, offset : offset + width]
    return torch.where(block.sum(dim=1, keepdim=True) > 0, block, value)


def generate(
    generator: nn.Module,
    head: OutputHead,
    noise: torch.Tensor,
    condition: torch.Tensor,
    *,
    rng: Draws = None,
    hard: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run any generator body (or its distributed wrapper): return raw and activated rows.

    Args:
        generator (nn.Module):
            A body of ``registry.GENERATOR_BODIES``, or a ``DistributedDataParallel`` of one.
        head (OutputHead):
            Activates the raw values.
        noise (torch.Tensor):
            ``[batch, d_noise]``.
        condition (torch.Tensor):
            ``[batch, d_condition]``.
        rng (torch.Generator, RowDraws or None):
            Source of the Gumbel noise (and of an ``'any_order'`` decoding's order).
        hard (bool):
            One-hot discrete values instead of soft probabilities.

    Returns:
        tuple[torch.Tensor, torch.Tensor]:
            Raw and activated rows, each ``[batch, layout.width]``.

    """
    body = getattr(generator, 'module', generator)
    if getattr(body, 'activates_itself', False):
        return generator(noise, condition, head, rng=rng, hard=hard)

    raw = generator(noise, condition)
    return raw, head(raw, rng=rng, hard=hard)
