"""Building blocks shared by generators and critics.

No block mixes rows: normalisation is per row (``LayerNorm``), never over the batch, so a row's
output never depends on the other rows of its batch.
"""

from __future__ import annotations

import torch
from torch import nn

from sdv_attncorr.core.random import Draws, uniform_rows


class ResidualBlock(nn.Module):
    """Linear layer, layer norm and ReLU, concatenated with its input (CTGAN's residual).

    Args:
        d_in (int):
            Input width.
        d_out (int):
            Width of the new features; the output has ``d_in + d_out`` features.

    Shape:
        Input ``[batch, d_in]``, output ``[batch, d_in + d_out]``.

    """

    def __init__(self, *, d_in: int, d_out: int) -> None:
        super().__init__()
        self.linear = nn.Linear(d_in, d_out)
        self.norm = nn.LayerNorm(d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block."""
        return torch.cat([torch.relu(self.norm(self.linear(x))), x], dim=1)


class LocalDropout(nn.Module):
    """Dropout that draws its mask from a given ``torch.Generator`` (never the global one).

    Args:
        p (float):
            Probability of zeroing a value, in ``[0, 1)``.

    Shape:
        Any; the output has the input's shape.

    """

    def __init__(self, p: float) -> None:
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f'dropout probability must be in [0, 1), got {p=}')

        self.p = p

    def forward(self, x: torch.Tensor, rng: Draws = None) -> torch.Tensor:
        """Apply dropout in training mode, identity otherwise (rows are ``x``'s first dim)."""
        if not self.training or self.p == 0:
            return x

        keep = uniform_rows(tuple(x.shape), rng=rng, like=x) >= self.p
        return x * keep / (1 - self.p)
