"""Transformer blocks that attend across the columns (tokens) of each row.

Attention runs over dimension 1 (the tokens of one row), never over the batch: rows cannot
leak into each other and a row's output does not depend on the batch size.

The blocks hold ``nn.TransformerEncoderLayer``'s parameters (so saved models keep their
layout) and train through ``pre_norm_block``: PyTorch's training path moves a batch-first
input to sequence-first and back and slices q, k and v out of one projection, copies that cost
6-10 % of a training step on lending_club (22 tokens); one batch-first path does without. In
eval mode (sampling, scoring) the blocks run as PyTorch's encoder, whose inference fast path
was no slower, so sampled rows stay the same to the bit.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional


def pre_norm_block(layer: nn.TransformerEncoderLayer, tokens: torch.Tensor) -> torch.Tensor:
    """Run a pre-norm GELU encoder layer without dropout on batch-first tokens.

    The same function as ``layer(tokens)`` (up to float rounding), in fewer copies.

    Args:
        layer (nn.TransformerEncoderLayer):
            A layer built with ``norm_first=True``, ``activation='gelu'`` and no dropout.
        tokens (torch.Tensor):
            ``[batch, n_tokens, d_token]``.

    Returns:
        torch.Tensor:
            ``[batch, n_tokens, d_token]``.

    """
    attention = layer.self_attn
    batch, n_tokens, d_token = tokens.shape
    n_heads = attention.num_heads
    projected = functional.linear(
        layer.norm1(tokens), attention.in_proj_weight, attention.in_proj_bias
    )
    query, key, value = projected.view(batch, n_tokens, 3, n_heads, -1).permute(2, 0, 3, 1, 4)
    mixed = functional.scaled_dot_product_attention(query, key, value)
    tokens = tokens + attention.out_proj(mixed.transpose(1, 2).reshape(batch, n_tokens, d_token))
    hidden = functional.gelu(layer.linear1(layer.norm2(tokens)))
    return tokens + layer.linear2(hidden)


class ColumnTransformer(nn.Module):
    """A stack of pre-norm transformer blocks over column tokens.

    Args:
        d_token (int):
            Width of a token.
        n_heads (int):
            Attention heads; must divide ``d_token``.
        n_blocks (int):
            Number of blocks.
        ffn_factor (int):
            Width of the feed-forward layer as a multiple of ``d_token``.

    Shape:
        Input and output ``[batch, n_tokens, d_token]``.

    """

    def __init__(self, *, d_token: int, n_heads: int, n_blocks: int, ffn_factor: int = 2) -> None:
        super().__init__()
        if n_blocks < 1:
            raise ValueError(f'n_blocks must be positive, got {n_blocks=}')
        if d_token % n_heads:
            raise ValueError(f'd_token must be a multiple of n_heads, got {d_token=}, {n_heads=}')

        layer = nn.TransformerEncoderLayer(
            d_model=d_token,
            nhead=n_heads,
            dim_feedforward=ffn_factor * d_token,
            dropout=0.0,
            activation='gelu',
            batch_first=True,
            norm_first=True,
        )
        self.blocks = nn.TransformerEncoder(layer, num_layers=n_blocks, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_token)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Apply the blocks."""
        if not self.training:
            return self.norm(self.blocks(tokens))

        for layer in self.blocks.layers:
            tokens = pre_norm_block(layer, tokens)

        return self.norm(tokens)
