"""Early stopping: score the generator while it trains, keep the best, stop on a plateau.

Every few epochs the generator samples rows as ``sample()`` would (eval mode, hard categories,
conditions at the data's own counts) and ``FidelityScore`` compares them with real training
rows. The rows are not held out: a GAN's generator never sees a real row, only the critic's
judgement of its own, so what it reproduces of the training rows is the distribution, which is
what the score measures; holding out 20 % would cost a 107-row table a fifth of its few rows
and give a score from 21. Each evaluation draws its noise and conditions from the same seed
(common random numbers), so two checkpoints differ in score by what they generate, not by
which draws they got; the training draws are untouched, so a fit with early stopping trains
exactly as one without until it stops.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import torch

from sdv_attncorr.core.training.fidelity import FidelityScore

SCORE_COLUMN = 'Validation Score'
"""The score's column in the loss history (NaN at epochs without a score)."""

REFERENCE_ROWS = 5_000
"""Most real rows the score compares with (a fixed random subset of larger tables)."""

MIN_SCORED_ROWS = 1_000
"""Fewest generated rows scored: a small table is scored on more rows than it has."""

STEPS_PER_SCORE = 50
"""Generator steps between two scores (at least one epoch): 2.7 % of fit time on crop, 3.6 % on
abalone, 5.1 % on the demo table (``benchmarks/validation_score.py``)."""

Sampler = Callable[[int, torch.Generator], torch.Tensor]


def score_interval(steps_per_epoch: int) -> int:
    """Epochs between two scores: ``STEPS_PER_SCORE`` generator steps, at least one epoch."""
    return max(1, math.ceil(STEPS_PER_SCORE / max(steps_per_epoch, 1)))


class EarlyStopping:
    """A trainer callback that scores the generator, keeps its best state and stops training.

    Args:
        score (FidelityScore):
            Scores generated rows against the reference rows.
        sample (callable):
            ``sample(n, rng)`` generates ``n`` encoded rows with the current generator.
        n_rows (int):
            Rows generated per score.
        seed (int):
            Seed of every evaluation's draws.
        interval (int):
            Epochs between two scores (the last epoch is always scored).
        patience (int or None):
            Stop after this many scores in a row without a new best; None never stops early.
    """

    def __init__(
        self,
        score: FidelityScore,
        sample: Sampler,
        *,
        n_rows: int,
        seed: int,
        interval: int,
        patience: int | None,
    ) -> None:
        self.score, self.sample = score, sample
        self.n_rows, self.seed = n_rows, seed
        self.interval, self.patience = interval, patience
        self.best_score = -math.inf
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None
        self.stale = 0

    def on_fit_start(self, trainer: Any) -> None:
        """Forget any earlier fit's best."""
        self.best_score, self.best_epoch, self.best_state, self.stale = -math.inf, None, None, 0

    def evaluate(self, generator: torch.nn.Module, device: torch.device) -> float:
        """Score ``generator`` on rows drawn from this callback's seed; leave it in train mode."""
        rng = torch.Generator(device).manual_seed(self.seed)
        try:
            return self.score(self.sample(self.n_rows, rng).to(device))
        finally:
            generator.train()

    def on_epoch_end(self, trainer: Any, record: dict[str, float]) -> None:
        """Score every ``interval``-th and the last epoch; keep a new best, or count a stale one."""
        epoch = int(record['Epoch'])
        last = epoch + 1 == trainer.epochs or trainer.stop_reason is not None
        if (epoch + 1) % self.interval and not last:
            return

        value = self.evaluate(trainer.generator, trainer.data.device)
        record[SCORE_COLUMN] = value
        if value > self.best_score:
            self.best_score, self.best_epoch, self.stale = value, epoch, 0
            self.best_state = copy.deepcopy(trainer.generator.state_dict())
            return

        self.stale += 1
        if self.patience is not None and self.stale >= self.patience:
            trainer.stop(f'no better validation score in {self.stale} scores')

    def on_fit_end(self, trainer: Any) -> None:
        """Restore the best generator."""
        if self.best_state is not None:
            trainer.generator.load_state_dict(self.best_state)
