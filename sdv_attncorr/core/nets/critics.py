"""The critic (discriminator): an MLP over packs of rows (PacGAN)."""

from __future__ import annotations

import torch
from torch import nn

from sdv_attncorr.core.nets.blocks import LocalDropout
from sdv_attncorr.core.random import Draws


class PacCritic(nn.Module):
    """MLP critic that scores packs of ``pac`` rows together (PacGAN), as CTGAN's.

    Args:
        d_in (int):
            Width of one row (encoded row plus condition vector).
        hidden_dims (tuple[int, ...]):
            Width of each hidden layer.
        pac (int):
            Rows per pack; the batch size must be a multiple of it.
        dropout (float):
            Dropout after each hidden layer.

    Shape:
        Input ``[batch, d_in]``, output ``[batch // pac, 1]``.

    """

    def __init__(
        self,
        *,
        d_in: int,
        hidden_dims: tuple[int, ...] = (256, 256),
        pac: int = 10,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        if pac < 1:
            raise ValueError(f'pac must be positive, got {pac=}')

        self.pac = pac
        self.d_in = d_in
        layers, width = [], d_in * pac
        for d_hidden in hidden_dims:
            layers.append(nn.Linear(width, d_hidden))
            width = d_hidden

        self.hidden = nn.ModuleList(layers)
        self.dropout = LocalDropout(dropout)
        self.output = nn.Linear(width, 1)

    def forward(self, rows: torch.Tensor, rng: Draws = None) -> torch.Tensor:
        """Score packs of rows.

        Args:
            rows (torch.Tensor):
                Shape ``[batch, d_in]`` with ``batch`` a multiple of ``pac``.
            rng (torch.Generator, RowDraws or None):
                Source of the dropout masks.

        Returns:
            torch.Tensor:
                Shape ``[batch // pac, 1]``.

        """
        if rows.shape[0] % self.pac:
            raise ValueError(f'batch of {rows.shape[0]} rows is not a multiple of {self.pac=}')

        hidden = rows.reshape(-1, self.pac * self.d_in)
        for layer in self.hidden:
            hidden = self.dropout(torch.nn.functional.leaky_relu(layer(hidden), 0.2), rng)

        return self.output(hidden)
