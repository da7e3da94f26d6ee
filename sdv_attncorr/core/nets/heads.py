"""Output activations derived from a ``TableLayout``.

Continuous values pass through unchanged (they are standard-normal scores). Each discrete span
gets a Gumbel-softmax: soft probabilities while training (so losses see gradients), a one-hot
sample when ``hard=True`` (so sampled rows hold exactly one category per span). All discrete
spans are activated at once through a padded block, with no Python loop over spans.

Shape:
    Input ``[batch, layout.width]`` raw values, output ``[batch, layout.width]``.
"""

from __future__ import annotations

import torch
from torch import nn

from sdv_attncorr.core.layout import TableLayout
from sdv_attncorr.core.random import Draws, uniform_rows


def gumbel_noise(
    shape: tuple[int, ...],
    *,
    like: torch.Tensor,
    rng: Draws = None,
) -> torch.Tensor:
    """Draw standard Gumbel noise from a local random source.

    Args:
        shape (tuple[int, ...]):
            Shape of the noise.
        like (torch.Tensor):
            Tensor whose dtype and device the noise takes.
        rng (torch.Generator, RowDraws or None):
            Source of randomness (rows first); the global one when None.

    Returns:
        torch.Tensor:
            The noise.

    """
    uniform = uniform_rows(shape, rng=rng, like=like)
    tiny = torch.finfo(like.dtype).tiny
    exponential = (-torch.log(uniform.clamp_min(tiny))).clamp_min(tiny)
    return -torch.log(exponential)


class OutputHead(nn.Module):
    """Activate raw generator outputs span by span.

    Args:
        layout (TableLayout):
            Layout of the encoded row.
        temperature (float):
            Gumbel-softmax temperature used while training. Defaults to 0.2 (as CTGAN).

    """

    padding_index: torch.Tensor
    valid: torch.Tensor
    discrete_positions: torch.Tensor

    def __init__(self, layout: TableLayout, *, temperature: float = 0.2) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be positive, got {temperature=}')

        self.temperature = temperature
        self.width = layout.width
        padding_index = layout.discrete_padding_index()
        valid = padding_index < layout.width
        self.register_buffer('padding_index', padding_index, persistent=False)
        self.register_buffer('valid', valid, persistent=False)
        self.register_buffer('discrete_positions', padding_index[valid], persistent=False)

    def padded_logits(self, raw: torch.Tensor) -> torch.Tensor:
        """Gather the discrete spans of ``raw`` into a block padded with ``-inf``.

        Args:
            raw (torch.Tensor):
                Shape ``[batch, width]``.

        Returns:
            torch.Tensor:
                Shape ``[batch, n_discrete, max_categories]``.

        """
        padding = raw.new_full((raw.shape[0], 1), float('-inf'))
        return torch.cat([raw, padding], dim=1)[:, self.padding_index]

    def forward(self, raw: torch.Tensor, *, rng: Draws = None, hard: bool = False) -> torch.Tensor:
        """Activate ``raw``.

        Args:
            raw (torch.Tensor):
                Raw generator output, shape ``[batch, width]``.
            rng (torch.Generator or None):
                Source of the Gumbel noise.
            hard (bool):
                Return one-hot samples instead of soft probabilities.

        Returns:
            torch.Tensor:
                Shape ``[batch, width]``.

        """
        if self.discrete_positions.numel() == 0:
            return raw

        probabilities = self.gumbel_softmax(self.padded_logits(raw), rng=rng, hard=hard)
        positions = self.discrete_positions.expand(raw.shape[0], -1)
        return raw.scatter(1, positions, probabilities[:, self.valid])

    def gumbel_softmax(
        self, logits: torch.Tensor, *, rng: Draws = None, hard: bool = False
    ) -> torch.Tensor:
        """Activate the logits of one or more discrete spans (categories last).

        Args:
            logits (torch.Tensor):
                Shape ``[batch, ..., categories]``; ``-inf`` marks padding.
            rng (torch.Generator, RowDraws or None):
                Source of the Gumbel noise.
            hard (bool):
                Return one-hot samples instead of soft probabilities.

        Returns:
            torch.Tensor:
                The logits' shape: probabilities (or one-hot rows) over the last dimension.

        """
        perturbed = logits + gumbel_noise(logits.shape, like=logits, rng=rng)
        if hard:
            index = perturbed.argmax(dim=-1, keepdim=True)
            return torch.zeros_like(logits).scatter_(-1, index, 1.0)

        return torch.softmax(perturbed / self.temperature, dim=-1)
