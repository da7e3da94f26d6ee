"""Trainer callbacks: the extension points of the training loop.

A callback may define ``on_fit_start(trainer)``, ``on_epoch_end(trainer, record)`` and
``on_fit_end(trainer)``; the trainer calls whichever exist.
"""

from __future__ import annotations

import math
from typing import Any

from tqdm.auto import tqdm

from sdv_attncorr.core.training.early_stopping import SCORE_COLUMN

Record = dict[str, float]


class TrainingDivergedError(RuntimeError):
    """Raised when a loss becomes NaN or infinite during training."""


class NaNGuard:
    """Stop training with a clear error as soon as an epoch's loss is not finite."""

    def on_epoch_end(self, trainer: Any, record: Record) -> None:
        """Raise ``TrainingDivergedError`` naming the epoch and the loss."""
        for name, value in record.items():
            if not math.isfinite(value):
                raise TrainingDivergedError(
                    f"Training diverged at epoch {record['Epoch']}: '{name}' is {value}. "
                    'Try a lower generator_lr / discriminator_lr (e.g. half), a smaller '
                    'regulariser weight, or check the data for extreme values.'
                )


class ProgressBar:
    """A tqdm bar over epochs with the latest losses and validation score in its description.

    Args:
        verbose (bool):
            Show the bar; a disabled bar costs nothing.

    """

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.bar: Any = None
        self.score: float | None = None

    def on_fit_start(self, trainer: Any) -> None:
        """Open the bar."""
        self.score = None
        self.bar = tqdm(total=trainer.epochs, disable=not self.verbose, desc='Training')

    def on_epoch_end(self, trainer: Any, record: Record) -> None:
        """Advance the bar and show the losses (and the latest score, once there is one)."""
        if SCORE_COLUMN in record:
            self.score = record[SCORE_COLUMN]
        description = (
            f'Gen. ({record["Generator Loss"]:.2f}) | Discrim. ({record["Discriminator Loss"]:.2f})'
        )
        if self.score is not None:
            description += f' | Score ({self.score:.3f})'
        self.bar.set_description(description)
        self.bar.update(1)

    def on_fit_end(self, trainer: Any) -> None:
        """Say why training ended early, if it did, and close the bar (if it was opened)."""
        if self.bar is None:
            return
        if trainer.stop_reason is not None:
            self.bar.set_postfix_str(f'stopped: {trainer.stop_reason}')
        self.bar.close()
