"""Adversarial losses and the gradient penalty (a critic regulariser)."""

from __future__ import annotations

from typing import Protocol

import torch
from torch import nn
from torch.nn import functional

from sdv_attncorr.core.random import Draws, uniform_rows


class WassersteinLoss:
    """The Wasserstein GAN losses (to be used with ``GradientPenalty``)."""

    name = 'wgan-gp'

    @staticmethod
    def critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        """Return the critic's loss: it scores real rows high and generated rows low."""
        return fake_scores.mean() - real_scores.mean()

    @staticmethod
    def generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
        """Return the generator's loss: it wants its rows scored high."""
        return -fake_scores.mean()


class NonSaturatingLoss:
    """The non-saturating binary cross-entropy GAN losses."""

    name = 'bce'

    @staticmethod
    def critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        """Return the critic's loss: cross-entropy of real (1) against generated (0)."""
        return functional.softplus(-real_scores).mean() + functional.softplus(fake_scores).mean()

    @staticmethod
    def generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
        """Return the generator's loss: cross-entropy of its rows against the label real."""
        return functional.softplus(-fake_scores).mean()


ADVERSARIAL_LOSSES = {loss.name: loss for loss in (WassersteinLoss, NonSaturatingLoss)}


class CriticRegularizer(Protocol):
    """What the trainer needs of a critic regulariser (such as ``GradientPenalty``)."""

    name: str

    def __call__(
        self,
        critic: nn.Module,
        real: torch.Tensor,
        fake: torch.Tensor,
        rng: Draws = None,
    ) -> torch.Tensor:
        """Return the scalar penalty of the critic on ``real`` and ``fake`` rows."""
        ...


class GradientPenalty:
    """WGAN-GP: penalise the critic's gradient norm away from 1 between real and fake rows.

    The interpolation weight is shared by the rows of a pack, so the penalty applies to packs
    as the critic sees them.

    Args:
        pac (int):
            Rows per critic pack.

    """

    name = 'Gradient Penalty'

    def __init__(self, *, pac: int) -> None:
        self.pac = pac

    def __call__(
        self,
        critic: nn.Module,
        real: torch.Tensor,
        fake: torch.Tensor,
        rng: Draws = None,
    ) -> torch.Tensor:
        """Compute the penalty.

        Args:
            critic (torch.nn.Module):
                The critic (a ``PacCritic``, or its DDP wrapper).
            real (torch.Tensor):
                Real rows with their condition, shape ``[batch, d_in]``.
            fake (torch.Tensor):
                Generated rows with their condition, same shape.
            rng (torch.Generator, RowDraws or None):
                Source of the interpolation weights and dropout masks.

        Returns:
            torch.Tensor:
                Scalar penalty.

        """
        n_packs = real.shape[0] // self.pac
        alpha = uniform_rows((n_packs, 1, 1), rng=rng, like=real)
        alpha = alpha.expand(n_packs, self.pac, 1).reshape(-1, 1)
        mixed = (alpha * real + (1 - alpha) * fake.detach()).requires_grad_(True)
        scores = critic(mixed, rng)
        (gradients,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
        norms = gradients.reshape(n_packs, -1).norm(2, dim=1)
        return ((norms - 1) ** 2).mean()
