"""Transformer blocks that attend across the columns (tokens) of each row.

Attention runs over dimension 1 (the tokens of one row), never over the batch: rows cannot
leak into each other and a row's output does not depend on the batch size.
"""

from __future__ import annotations

import torch
from torch import nn


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
        return self.norm(self.blocks(tokens))
