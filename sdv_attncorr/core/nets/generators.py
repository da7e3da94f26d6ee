"""Generator bodies: map noise and a condition vector to a raw encoded row.

Both return raw values; ``OutputHead`` activates them. Neither mixes rows of a batch.
"""

from __future__ import annotations

import torch
from torch import nn

from sdv_attncorr.core.layout import TableLayout
from sdv_attncorr.core.nets.attention import ColumnTransformer
from sdv_attncorr.core.nets.blocks import ResidualBlock


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


class AttentionGenerator(nn.Module):
    """Generator whose tokens are the table's columns, mixed by self-attention across columns.

    Each span of the layout (a table column, or its null indicator) is a token: the noise and
    the condition are projected into one vector per token, a learned column embedding is
    added, pre-norm transformer blocks attend across the tokens of each row, and a per-column
    linear head maps each token to its span's values.

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

    Shape:
        Noise ``[batch, d_noise]`` and condition ``[batch, d_condition]`` in,
        ``[batch, layout.width]`` out.

    """

    flat_index: torch.Tensor

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
        flat_index = [
            token * max_width + offset
            for token, span in enumerate(layout.spans)
            for offset in range(span.width)
        ]
        self.register_buffer('flat_index', torch.tensor(flat_index), persistent=False)

    def forward(self, noise: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Generate raw rows."""
        tokens = self.input(torch.cat([noise, condition], dim=1))
        tokens = tokens.view(-1, self.n_tokens, self.d_token) + self.column_embedding
        tokens = self.transformer(tokens)
        values = torch.einsum('btd,tdw->btw', tokens, self.head_weight) + self.head_bias
        return values.flatten(1)[:, self.flat_index]
