"""The critic's step under differential privacy (DP-SGD), and the budget it spends.

Privacy unit: one training row. The critic scores one row at a time (``pac = 1``): with packs,
a row's pack changes with the draw, and clipping a pack's gradient bounds the pack, not the
row, once Poisson sampling makes packs of a random size. Each step draws the real rows by
Poisson sampling (each row with probability ``batch_size / rows``, from the secure source),
clips each real row's gradient to ``dp_max_grad_norm``, sums them and adds Gaussian noise of
std ``noise_multiplier · dp_max_grad_norm`` (``privacy/dp_sgd.py``). The generated rows' term
of the loss reads no real row and gets its exact gradient.

Nothing drawn for a real row depends on which other rows were drawn (their number is
private): its condition's span comes from a draw for every training row, and the critic has
no dropout under DP (a mask's position in the random stream would depend on the rows before
it, so one row could change the others' gradients past the clipping bound).

The loss is the non-saturating one and there is no gradient penalty: a penalty between real
and generated rows needs each row's gradient of a gradient, whose per-row form costs 100 times
a step (``privacy/dp_sgd.py``), while the non-saturating loss needs none to stay stable.

The generator sees real rows only through the critic, so its training is post-processing;
the sampler's and encoder's statistics are a released part of their own
(``data/private_statistics.py``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch.nn import functional

from sdv_attncorr.core.privacy.accountant import (
    PrivacyLedger,
    noise_for_epsilon,
    subsampled_gaussian_rdp,
)
from sdv_attncorr.core.privacy.dp_sgd import GhostClipper, noisy_mean
from sdv_attncorr.core.privacy.noise import poisson_rows

if TYPE_CHECKING:
    from sdv_attncorr.core.nets.critics import PacCritic
    from sdv_attncorr.core.training.trainer import Losses, Trainer

CRITIC_PART = 'critic (DP-SGD)'
"""str: The ledger's name for what the critic's steps spend."""


def dp_schedule(
    epsilon: float,
    delta: float,
    *,
    rate: float,
    steps_per_epoch: int,
    batch_size: int,
    most_epochs: int,
    gradient_noise: float,
    spent_rdp: np.ndarray,
) -> tuple[int, float]:
    """Return the epochs and noise multiplier of a DP fit that spends ``epsilon`` at its end.

    More steps need more noise per step for the same budget. The schedule takes the most
    epochs, up to ``most_epochs``, whose calibrated noise keeps the noise on the critic's mean
    gradient (``noise_multiplier / batch_size`` per unit of clipping norm) at or below
    ``gradient_noise``; one epoch when none does. Larger tables (larger batches) and larger
    budgets so train longer.

    Args:
        epsilon (float):
            The budget, with what ``spent_rdp`` holds.
        delta (float):
            The delta of the RDP conversion.
        rate (float):
            Poisson sampling rate of a step.
        steps_per_epoch (int):
            Critic steps per epoch.
        batch_size (int):
            Expected rows per step.
        most_epochs (int):
            The upper bound.
        gradient_noise (float):
            The largest noise std on the mean gradient.
        spent_rdp (numpy.ndarray):
            What the ledger holds already.

    Returns:
        tuple[int, float]:
            The epochs and the noise multiplier.
    """

    @functools.cache
    def noise(epochs: int) -> float:
        steps = epochs * steps_per_epoch
        return noise_for_epsilon(epsilon, delta, rate, steps, spent_rdp=spent_rdp)

    def fits(epochs: int) -> bool:
        return noise(epochs) / batch_size <= gradient_noise

    low, high = 1, most_epochs
    if fits(high):
        return high, noise(high)
    while high - low > 1:  # the answer is in [low, high): high does not fit
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low, noise(low)


class PrivateCriticStep:
    """Update the critic by DP-SGD and record what each step spends.

    Args:
        critic (PacCritic):
            The critic, with ``pac = 1``.
        ledger (PrivacyLedger):
            Where the steps' spending is recorded (it may hold other parts already).
        epsilon (float):
            The budget: a step that would take the ledger above it is not taken.
        n_rows (int):
            Rows of the training table.
        batch_size (int):
            Expected rows per step (the sampling rate is ``batch_size / n_rows``).
        noise_multiplier (float):
            Noise std per unit of clipping norm.
        max_norm (float):
            The clipping norm.
    """

    def __init__(
        self,
        critic: PacCritic,
        ledger: PrivacyLedger,
        *,
        epsilon: float,
        n_rows: int,
        batch_size: int,
        noise_multiplier: float,
        max_norm: float,
    ) -> None:
        if critic.pac != 1:
            raise ValueError(
                f'DP-SGD clips one row at a time: the critic needs pac=1, not {critic.pac}'
            )

        self.clipper = GhostClipper(critic, max_norm)
        self.critic, self.ledger, self.epsilon = critic, ledger, epsilon
        self.n_rows, self.expected_rows = n_rows, batch_size
        self.rate = min(1.0, batch_size / n_rows)
        self.noise_multiplier, self.max_norm = noise_multiplier, max_norm
        self.step_rdp = subsampled_gaussian_rdp(self.rate, noise_multiplier, 1)

    def affordable(self, steps: int) -> bool:
        """Whether ``steps`` more steps keep the total within the budget."""
        # The noise was calibrated to spend the budget at the last step exactly: a step-by-step
        # sum of the same RDP may round above it in the last bits.
        return not self.ledger.would_exceed(steps * self.step_rdp, self.epsilon * (1 + 1e-9))

    def __call__(self, trainer: Trainer) -> Losses:
        """Take one step with ``trainer``'s data, conditions, generator and optimiser."""
        real = self._real_rows(trainer)
        fake_condition = trainer.conditions.sample_conditions(self.expected_rows, trainer.rng)
        with torch.no_grad():
            _, fake = trainer.generate(fake_condition)

        with self.clipper.recording():
            real_scores = self.critic(real, trainer.draws)
        sums = self.clipper.clipped_sum(functional.softplus(-real_scores).flatten())
        private = noisy_mean(sums, self.noise_multiplier, self.max_norm, self.expected_rows)
        fake_rows = torch.cat([fake, fake_condition], dim=1)
        fake_loss = functional.softplus(self.critic(fake_rows, trainer.draws)).mean()
        exact = torch.autograd.grad(fake_loss, self.clipper.parameters())
        trainer.critic_optimizer.zero_grad(set_to_none=True)
        for parameter, noisy, generated in zip(self.clipper.parameters(), private, exact):
            parameter.grad = noisy + generated
        trainer.critic_optimizer.step()
        self.ledger.spend(CRITIC_PART, self.step_rdp)
        # Only the generated rows' term is reported: the real rows' is a statistic of them,
        # without noise.
        return {'Discriminator Loss': fake_loss.detach()}

    def _real_rows(self, trainer: Trainer) -> torch.Tensor:
        rows = poisson_rows(self.n_rows, self.rate, trainer.device)
        condition = trainer.conditions.own_conditions(rows, trainer.rng)
        return torch.cat([trainer.data[rows], condition], dim=1)
