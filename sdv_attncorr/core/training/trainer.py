"""The one GAN trainer: critic steps, a generator step, epochs, callbacks."""

from __future__ import annotations

import time
import warnings
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from sdv_attncorr.core.losses.adversarial import CriticRegularizer
from sdv_attncorr.core.losses.regularizers import GeneratorBatch, GeneratorRegularizer
from sdv_attncorr.core.nets.critics import PacCritic
from sdv_attncorr.core.nets.generators import generate, generate_teacher_forced
from sdv_attncorr.core.nets.heads import OutputHead
from sdv_attncorr.core.random import Draws, RowDraws, Shard, normal_rows
from sdv_attncorr.core.training.conditions import ConditionSampler
from sdv_attncorr.core.training.distributed import (
    any_rank,
    gather_columns,
    mean_over_ranks,
    synchronised,
)
from sdv_attncorr.core.training.schedule import steps_per_epoch

if TYPE_CHECKING:
    from sdv_attncorr.core.training.config import GANConfig
    from sdv_attncorr.core.training.private_critic import PrivateCriticStep

Losses = dict[str, torch.Tensor]
PRIVACY_BUDGET_SPENT = 'privacy budget spent'
CTGAN_LOSS_COLUMNS = ('Generator Loss', 'Discriminator Loss')
# Devices where torch.optim.Adam has a fused kernel.
FUSED_ADAM_DEVICES = {'cpu', 'cuda'}


def gradient_norm(module: nn.Module) -> torch.Tensor:
    """Return the L2 norm of all of ``module``'s parameter gradients.

    Args:
        module (torch.nn.Module):
            A module after ``backward``.

    Returns:
        torch.Tensor:
            The norm, 0-d (0 when no parameter has a gradient).
    """
    gradients = [p.grad for p in module.parameters() if p.grad is not None]
    if not gradients:
        return torch.zeros(())

    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in gradients]))


def adam(
    module: nn.Module,
    lr: float,
    weight_decay: float,
    *,
    faster: nn.Module | None = None,
    multiplier: float = 1.0,
) -> torch.optim.Adam:
    """Adam with GAN betas (0.5, 0.9), as CTGAN.

    Fused (one kernel over every parameter) on the CPU and CUDA, where torch has that kernel:
    on the CPU it steps a generator and critic's parameters 4x faster than ``foreach`` (7.4
    vs 1.7 ms for ames_housing's), the same update up to rounding. ``faster``, a part of
    ``module``, learns at ``multiplier`` times ``lr``.
    """
    devices = {parameter.device.type for parameter in module.parameters()}
    kernel = {'fused': True} if devices <= FUSED_ADAM_DEVICES else {'foreach': True}
    groups: list[dict[str, Any]] = [{'params': list(module.parameters())}]
    if faster is not None and multiplier != 1:
        own = {id(parameter) for parameter in faster.parameters()}
        rest = [parameter for parameter in module.parameters() if id(parameter) not in own]
        groups = [{'params': rest}, {'params': list(faster.parameters()), 'lr': lr * multiplier}]

    return torch.optim.Adam(groups, lr=lr, betas=(0.5, 0.9), weight_decay=weight_decay, **kernel)


@contextmanager
def frozen(module: nn.Module) -> Iterator[nn.Module]:
    """Build the graph through ``module`` without gradients for its own parameters."""
    parameters = [p for p in module.parameters() if p.requires_grad]
    for parameter in parameters:
        parameter.requires_grad_(False)
    try:
        yield module
    finally:
        for parameter in parameters:
            parameter.requires_grad_(True)


class Trainer:
    """Train a conditional generator against a critic, with composable regularisers.

    Generator loss = adversarial term + Σ weight · regulariser(batch); critic loss = adversarial
    term + Σ weight · critic regulariser (e.g. the gradient penalty). A step is
    ``discriminator_steps`` critic updates and one generator update; with ``shared_batch`` (and
    no DP) the last critic update scores the batch the generator update trains through.

    Args:
        generator (torch.nn.Module):
            Maps ``(noise, condition)`` to raw rows.
        head (OutputHead):
            Activates raw rows.
        critic (PacCritic):
            Scores packs of rows with their conditions.
        adversarial (WassersteinLoss or NonSaturatingLoss):
            The adversarial losses.
        conditions (ConditionSampler):
            Draws conditions and matching real rows.
        data (torch.Tensor):
            The encoded training table, ``[n_rows, width]``.
        rng (torch.Generator):
            Source of all randomness of training.
        config (GANConfig):
            The hyperparameters (critic steps, noise width, learning rates, weight decays).
        batch_size (int):
            Rows per step over all processes (the table-adapted batch,
            ``schedule.effective_batch``); a multiple of the critic's pack times ``shard.world``.
        class_positions (tuple[int, int] or None):
            ``(start, end)`` of the class column's span in a row, or None.
        generator_regularizers (list[tuple[float, callable]]):
            ``(weight, regulariser)`` pairs; a regulariser with ``uses_view`` gets view rows;
            one with an ``interval`` of n > 1 is lazy: computed every n-th generator step only,
            with its weight multiplied by n (as StyleGAN2's lazy regularisation), so it costs
            1/n of the time for the same expected gradient.
        critic_regularizers (list[tuple[float, callable]]):
            ``(weight, regulariser)`` pairs called as ``(critic, real, fake, rng)``.
        callbacks (list):
            Objects with any of ``on_fit_start``, ``on_epoch_end``, ``on_fit_end``; when one
            has ``tracks_gradients = True``, each epoch's mean gradient norms are measured and
            left in ``trainer.gradient_norms`` (they cost a little time, so only then). A
            callback ends training after the current epoch with ``trainer.stop(reason)``.
        shard (Shard):
            This process's share of each batch when ``torchrun`` launched several
            (``training/distributed.py``); the whole batch by default.
        private_critic (PrivateCriticStep or None):
            Under differential privacy, what updates the critic (DP-SGD on Poisson-sampled
            rows; ``adversarial`` and ``critic_regularizers`` are then unused by the critic);
            training stops before a step it cannot afford.
    """

    def __init__(
        self,
        *,
        generator: nn.Module,
        head: OutputHead,
        critic: PacCritic,
        adversarial: Any,
        conditions: ConditionSampler,
        data: torch.Tensor,
        rng: torch.Generator,
        config: GANConfig,
        batch_size: int,
        class_positions: tuple[int, int] | None = None,
        generator_regularizers: Sequence[tuple[float, GeneratorRegularizer]] = (),
        critic_regularizers: Sequence[tuple[float, CriticRegularizer]] = (),
        callbacks: Sequence[Any] = (),
        shard: Shard | None = None,
        private_critic: PrivateCriticStep | None = None,
    ) -> None:
        shard = shard or Shard()
        if batch_size % (critic.pac * shard.world):
            raise ValueError(
                f'batch of {batch_size} rows does not split into {shard.world} equal shares of '
                f'whole packs of {critic.pac} rows'
            )

        self.generator, self.head, self.critic = generator, head, critic
        self.shard = shard
        # The modules whose gradients are averaged over the processes (themselves in one).
        self.synced_generator = synchronised(generator, shard)
        self.synced_critic = synchronised(critic, shard)
        self.draws: Draws = RowDraws(rng, shard) if shard.is_distributed else rng
        self.adversarial, self.conditions, self.data = adversarial, conditions, data
        self.rng = rng
        self.batch_size = batch_size
        self.critic_steps = config.discriminator_steps
        self.d_noise = config.embedding_dim
        self.class_positions = class_positions
        self.generator_regularizers = list(generator_regularizers)
        self.critic_regularizers = list(critic_regularizers)
        self.uses_view = any(getattr(r, 'uses_view', False) for _, r in generator_regularizers)
        self.teaches = any(getattr(r, 'uses_teacher', False) for _, r in generator_regularizers)
        self.callbacks = list(callbacks)
        self.generator_steps = 0
        self.tracks_gradients = any(getattr(c, 'tracks_gradients', False) for c in callbacks)
        self.gradient_norms: dict[str, float] = {}
        self.epochs = 0
        self.stop_reason: str | None = None
        self.deadline: float | None = None
        self.private_critic = private_critic
        self.shares_batch = config.shared_batch and private_critic is None
        self.generator_optimizer = adam(
            generator,
            config.generator_lr,
            config.generator_decay,
            faster=getattr(generator, 'decoder', None),
            # Only what the likelihood teaches learns faster (not under DP, which has none).
            multiplier=config.decoder_lr_multiplier if self.teaches else 1.0,
        )
        self.critic_optimizer = adam(critic, config.discriminator_lr, config.discriminator_decay)

    def generate(
        self,
        condition: torch.Tensor,
        *,
        generator: nn.Module | None = None,
        teacher: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, ...]:
        """Generate raw and activated rows for this process's rows of ``condition``.

        ``generator`` is the module to run (``synced_generator`` when its gradients count);
        the plain generator by default. With ``teacher`` (real rows holding the conditions),
        also their log-likelihood (``generate_teacher_forced``).
        """
        noise = normal_rows((condition.shape[0], self.d_noise), rng=self.draws, device=self.device)
        body = self.generator if generator is None else generator
        if teacher is None:
            return generate(body, self.head, noise, condition, rng=self.draws)

        return generate_teacher_forced(body, self.head, noise, condition, teacher, rng=self.draws)

    @property
    def device(self) -> torch.device:
        """torch.device: Where the training table is."""
        return self.data.device

    def critic_step(self) -> Losses:
        """Update the critic once; return its losses."""
        if self.private_critic is not None:
            return self.private_critic(self)

        condition, rows = self.conditions.sample_training(self.batch_size, self.rng)
        condition, rows = self.shard.local(condition), self.shard.local(rows)
        with torch.no_grad():
            _, fake = self.generate(condition)

        real = torch.cat([self.data[rows], condition], dim=1)
        return self._critic_update(real, torch.cat([fake, condition], dim=1))

    def _critic_update(self, real: torch.Tensor, fake: torch.Tensor) -> Losses:
        """Update the critic once on real and generated rows (conditions appended)."""
        critic = self.synced_critic
        loss = self.adversarial.critic_loss(critic(real, self.draws), critic(fake, self.draws))
        losses = {'Discriminator Loss': loss}
        total = loss
        for weight, regularizer in self.critic_regularizers:
            losses[regularizer.name] = regularizer(critic, real, fake, self.draws)
            total = total + weight * losses[regularizer.name]

        return self._update(self.critic_optimizer, self.critic, total, losses)

    def _update(
        self,
        optimizer: torch.optim.Optimizer,
        module: nn.Module,
        total: torch.Tensor,
        losses: Losses,
    ) -> Losses:
        """Step ``optimizer`` on ``total``; add the gradient norm to ``losses`` if tracked."""
        optimizer.zero_grad(set_to_none=True)
        total.backward()
        if self.tracks_gradients:
            role = 'Generator' if module is self.generator else 'Critic'
            losses[f'{role} Gradient Norm'] = gradient_norm(module)
        optimizer.step()
        return losses

    def _generator_conditions(self) -> torch.Tensor:
        # Regularisers compare against the whole table, so when any is on, the generator's
        # rows are conditioned at the data's own frequencies (the conditional critic scores
        # them all the same); otherwise at log-frequency, as CTGAN.
        if self.uses_view:
            return self.conditions.sample_empirical(self.batch_size, self.rng)

        return self.conditions.sample_conditions(self.batch_size, self.rng)

    def _generator_batch(
        self, condition: torch.Tensor, real_rows: torch.Tensor | None = None
    ) -> tuple[GeneratorBatch, torch.Tensor]:
        # ``condition``: this process's rows of the batch's conditions; ``real_rows``: the
        # real rows holding them, which teacher forcing scores (None when nothing does).
        teacher = self.data[real_rows] if self.teaches and real_rows is not None else None
        raw, rows, *likelihood = self.generate(
            condition, generator=self.synced_generator, teacher=teacher
        )
        classes = None
        if self.class_positions is not None:
            classes = rows[:, self.class_positions[0] : self.class_positions[1]].argmax(dim=1)

        # The regularisers see the global batch (its statistics), alike on every process.
        view = rows if self.uses_view else None
        parts = [raw, condition, view, classes, likelihood[0] if likelihood else None]
        batch = GeneratorBatch(*gather_columns(parts, self.shard))  # type: ignore[arg-type]
        return batch, torch.cat([rows, condition], dim=1)

    def _draw_generator_rows(self) -> tuple[torch.Tensor, torch.Tensor]:
        # ``_generator_conditions``' draw (the same draws, outside DP) with the real rows that
        # hold the conditions: the critic's rows of a shared step, and teacher forcing's.
        conditions = self.conditions
        draw = conditions.sample_empirical_rows if self.uses_view else conditions.sample_training
        condition, real_rows = draw(self.batch_size, self.rng)
        return self.shard.local(condition), self.shard.local(real_rows)

    def generator_step(self) -> Losses:
        """Update the generator once; return its losses."""
        if self.teaches:
            return self._generator_update(*self._generator_batch(*self._draw_generator_rows()))

        condition = self.shard.local(self._generator_conditions())
        return self._generator_update(*self._generator_batch(condition))

    def shared_step(self) -> tuple[Losses, Losses]:
        """Generate one batch, update the critic on it, then the generator through it.

        The critic's last update of a step scores the rows the generator step trains through
        (as DCGAN trains) against real rows holding the same conditions (drawn as the
        generator's: at the data's frequencies when a regulariser reads the batch), instead
        of rows generated for it alone, so a step runs the generator once, not twice.

        Returns:
            tuple[dict, dict]:
                The critic's and the generator's losses.
        """
        condition, real_rows = self._draw_generator_rows()
        batch, rows = self._generator_batch(condition, real_rows)
        real = torch.cat([self.data[real_rows], condition], dim=1)
        critic_losses = self._critic_update(real, rows.detach())
        return critic_losses, self._generator_update(batch, rows)

    def _generator_update(self, batch: GeneratorBatch, rows: torch.Tensor) -> Losses:
        """Update the generator once on its batch (``rows`` with their conditions)."""
        with frozen(self.critic):
            scores = self.critic(rows, self.draws)
        loss = self.adversarial.generator_loss(scores)
        losses, total = {'Generator Loss': loss}, loss
        for weight, regularizer in self.generator_regularizers:
            interval = getattr(regularizer, 'interval', 1)
            if self.generator_steps % interval:
                continue
            losses[regularizer.name] = regularizer(batch)
            total = total + interval * weight * losses[regularizer.name]

        self.generator_steps += 1
        return self._update(self.generator_optimizer, self.generator, total, losses)

    def _time_is_up(self) -> bool:
        """Whether the time budget is spent (on any process, so that all stop alike)."""
        if self.deadline is None:
            return False

        return any_rank(time.monotonic() > self.deadline, self.shard, self.device)

    @torch.no_grad()
    def diagnostic_batch(self) -> GeneratorBatch:
        """Return a generator batch, as the generator step sees it, without gradients.

        The training random state is restored afterwards, so that looking at the model (e.g.
        an experiment tracker) does not change how it trains.

        Returns:
            GeneratorBatch:
                The batch.
        """
        state = self.rng.get_state()
        try:
            return self._generator_batch(self.shard.local(self._generator_conditions()))[0]
        finally:
            self.rng.set_state(state)

    def run_epoch(self, epoch: int) -> dict[str, float]:
        """Run one epoch (``n_rows // batch_size`` generator steps); return its mean losses."""
        sums: defaultdict[str, Any] = defaultdict(float)
        counts: defaultdict[str, int] = defaultdict(int)
        for _ in range(steps_per_epoch(self.data.shape[0], self.batch_size)):
            if self.private_critic and not self.private_critic.affordable(self.critic_steps):
                self.stop(PRIVACY_BUDGET_SPENT)
                break
            for _ in range(self.critic_steps - self.shares_batch):
                self._accumulate(self.critic_step(), sums, counts)
            if self.shares_batch:
                for losses in self.shared_step():
                    self._accumulate(losses, sums, counts)
            else:
                self._accumulate(self.generator_step(), sums, counts)
            if self._time_is_up():
                self.stop('time budget spent')
                break

        # Each process's per-row losses are means over its share: their mean is the batch's.
        shares = {name: sums[name] / counts[name] for name in sums}
        means = {name: float(value) for name, value in mean_over_ranks(shares, self.shard).items()}
        self.gradient_norms = {n: v for n, v in means.items() if n.endswith('Gradient Norm')}
        # CTGAN's columns first, in CTGAN's order (code reading by position gets the right
        # loss), then ours in the order the steps report them.
        record: dict[str, float] = {'Epoch': epoch}
        for name in (*CTGAN_LOSS_COLUMNS, *means):
            if name in means and name not in self.gradient_norms:
                record[name] = means[name]
        return record

    @staticmethod
    def _accumulate(step_losses: Losses, sums: defaultdict, counts: defaultdict) -> None:
        for name, value in step_losses.items():
            sums[name] += value.detach()
            counts[name] += 1

    def _notify(self, event: str, *args: Any) -> None:
        for callback in self.callbacks:
            method = getattr(callback, event, None)
            if method is not None:
                method(self, *args)

    def stop(self, reason: str) -> None:
        """End training after the current epoch; ``reason`` is left in ``stop_reason``."""
        self.stop_reason = reason

    def fit(self, epochs: int, max_seconds: float | None = None) -> None:
        """Train for at most ``epochs`` epochs, and at most ``max_seconds`` when given.

        The time budget is checked after each generator step; the epoch it runs out in ends
        there. A ``KeyboardInterrupt`` stops training with a warning and keeps the epochs done
        so far.
        """
        self.epochs, self.stop_reason = epochs, None
        self.deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.generator.train()
        self.critic.train()
        try:
            self._notify('on_fit_start')
            for epoch in range(epochs):
                if self.private_critic and not self.private_critic.affordable(self.critic_steps):
                    self.stop(PRIVACY_BUDGET_SPENT)
                    break
                self._notify('on_epoch_end', self.run_epoch(epoch))
                if any_rank(self.stop_reason is not None, self.shard, self.device):
                    self.stop_reason = self.stop_reason or 'stopped by another process'
                    break
        except KeyboardInterrupt:
            warnings.warn(
                'Training interrupted: the model keeps the epochs completed so far.',
                stacklevel=2,
            )
        finally:
            self._notify('on_fit_end')
            self.generator.eval()
