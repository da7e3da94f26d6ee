"""Generator bodies: map noise and a condition vector to an encoded row.

``MLPGenerator`` and ``AttentionGenerator`` return raw values, which ``OutputHead`` activates;
their sequential forms draw their values span by span (``decoding.py``) and so take the head.
``generate`` runs any of them. None mixes rows of a batch.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from sdv_attncorr.core.layout import TableLayout
from sdv_attncorr.core.nets.attention import ColumnTransformer
from sdv_attncorr.core.nets.blocks import ResidualBlock
from sdv_attncorr.core.nets.decoding import SequentialDecoder
from sdv_attncorr.core.nets.heads import OutputHead
from sdv_attncorr.core.random import Draws


def residual_stack(d_in: int, hidden_dims: tuple[int, ...]) -> tuple[nn.Sequential, int]:
    """Return CTGAN's residual blocks on ``d_in`` features and the width of their output."""
    blocks, width = [], d_in
    for d_hidden in hidden_dims:
        blocks.append(ResidualBlock(d_in=width, d_out=d_hidden))
        width += d_hidden

    return nn.Sequential(*blocks), width


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
        self.blocks, width = residual_stack(d_noise + d_condition, hidden_dims)
        self.output = nn.Linear(width, layout.width)

    def forward(self, noise: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Generate raw rows."""
        return self.output(self.blocks(torch.cat([noise, condition], dim=1)))


class ColumnTokenBody(nn.Module):
    """The column tokens of the attention generators.

    Each span of the layout (a table column, or its null indicator) is a token: the noise and
    the condition are projected into one vector per token, a learned column embedding is
    added, and pre-norm transformer blocks attend across the tokens of each row.

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
        max_width = max(span.width for span in kwargs['layout'].spans)
        self.head_weight = nn.Parameter(torch.empty(self.n_tokens, self.d_token, max_width))
        self.head_bias = nn.Parameter(torch.zeros(self.n_tokens, max_width))
        nn.init.normal_(self.head_weight, std=self.d_token**-0.5)
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


class SequentialForm(nn.Module):
    """What a generator decoded by a ``SequentialDecoder`` shares: its ``forward``.

    A subclass sets ``self.decoder`` and defines ``contexts(noise, condition)``, one context
    per span ``[batch, n_spans, d_context]``.
    """

    decoder: SequentialDecoder
    activates_itself = True
    """The generator draws its values itself: it takes the output head and returns its rows."""

    def contexts(self, noise: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Return one context per span (defined by each subclass)."""
        raise NotImplementedError

    def forward(
        self,
        noise: torch.Tensor,
        condition: torch.Tensor,
        head: OutputHead,
        *,
        rng: Draws = None,
        hard: bool = False,
        teacher: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, ...]:
        """Generate raw rows and their drawn values, span by span.

        With ``teacher`` real rows, also their log-likelihood (``SequentialDecoder.forward``).
        """
        contexts = self.contexts(noise, condition)
        return self.decoder(contexts, condition, head, rng=rng, hard=hard, teacher=teacher)


class SequentialAttentionGenerator(SequentialForm, ColumnTokenBody):
    """Attention generator whose row is drawn column after column by a ``SequentialDecoder``.

    The column transformer runs once (``ColumnTokenBody``); its tokens are the decoder's
    per-span contexts (``decoding.py``).

    Args:
        decoding (str):
            ``'sequential'`` (one fixed order) or ``'any_order'`` (a random order per batch).
        **kwargs:
            ``ColumnTokenBody``'s arguments.

    Shape:
        Noise ``[batch, d_noise]`` and condition ``[batch, d_condition]`` in, raw and
        activated rows ``[batch, layout.width]`` out.

    """

    def __init__(self, *, decoding: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.decoder = SequentialDecoder(kwargs['layout'], d_context=self.d_token, order=decoding)

    def contexts(self, noise: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Return the column tokens, the decoder's contexts."""
        return self.column_tokens(noise, condition)


class SequentialMLPGenerator(SequentialForm):
    """Residual MLP generator whose row is drawn column after column by a ``SequentialDecoder``.

    The residual blocks of ``MLPGenerator`` run once; a linear layer maps their features to one
    context per span of the layout, which the decoder reads (``decoding.py``).

    Args:
        decoding (str):
            ``'sequential'`` (one fixed order) or ``'any_order'`` (a random order per batch).
        d_context (int):
            Width of a span's context and of the decoder's state.
        **kwargs:
            ``MLPGenerator``'s arguments.

    Shape:
        Noise ``[batch, d_noise]`` and condition ``[batch, d_condition]`` in, raw and
        activated rows ``[batch, layout.width]`` out.

    """

    def __init__(
        self,
        *,
        decoding: str,
        d_context: int,
        d_noise: int,
        d_condition: int,
        layout: TableLayout,
        hidden_dims: tuple[int, ...] = (256, 256),
    ) -> None:
        super().__init__()
        self.blocks, width = residual_stack(d_noise + d_condition, hidden_dims)
        self.n_spans, self.d_context = len(layout.spans), d_context
        self.context = nn.Linear(width, self.n_spans * d_context)
        self.decoder = SequentialDecoder(layout, d_context=d_context, order=decoding)

    def contexts(self, noise: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Return one context per span, ``[batch, n_spans, d_context]``."""
        features = self.blocks(torch.cat([noise, condition], dim=1))
        return self.context(features).view(-1, self.n_spans, self.d_context)


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


def generate_teacher_forced(
    generator: nn.Module,
    head: OutputHead,
    noise: torch.Tensor,
    condition: torch.Tensor,
    teacher: torch.Tensor,
    *,
    rng: Draws = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Run ``generate`` and score real rows through the same contexts (sequential decoding).

    ``generator`` (a ``SequentialForm`` body, or a distributed wrapper of one), ``head``,
    ``noise``, ``condition`` and ``rng`` are ``generate``'s; ``teacher`` holds the real encoded
    rows that hold the batch's conditions, ``[batch, layout.width]``.

    Returns:
        tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            Raw and activated rows, each ``[batch, layout.width]``, and each teacher row's
            log-likelihood of its categories, ``[batch]``.

    Raises:
        ValueError:
            If the body draws every column at once (``decoding='joint'``).
    """
    body = getattr(generator, 'module', generator)
    if not isinstance(body, SequentialForm):
        raise ValueError('teacher forcing needs a sequential decoding, not joint decoding')

    return generator(noise, condition, head, rng=rng, teacher=teacher)
