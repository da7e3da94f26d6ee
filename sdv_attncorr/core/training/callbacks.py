"""Trainer callbacks: the extension points of the training loop.

A callback may define ``on_fit_start(trainer)``, ``on_epoch_end(trainer, record)`` and
``on_fit_end(trainer)``; the trainer calls whichever exist.
"""

from __future__ import annotations

import math
from typing import Any

from tqdm.auto import tqdm

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
    """A tqdm bar over epochs with the latest losses in its description.

    Args:
        verbose (bool):
            Show the bar; a disabled bar costs nothing.

    """

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.bar: Any = None

    def on_fit_start(self, trainer: Any) -> None:
        """Open the bar."""
        self.bar = tqdm(total=trainer.epochs, disable=not self.verbose, desc='Training')

    def on_epoch_end(self, trainer: Any, record: Record) -> None:
        """Advance the bar and show the losses."""
        self.bar.set_description(
            f'Gen. ({record["Generator Loss"]:.2f}) | Discrim. ({record["Discriminator Loss"]:.2f})'
        )
        self.bar.update(1)

    def on_fit_end(self, trainer: Any) -> None:
        """Close the bar (if it was opened)."""
        if self.bar is not None:
            self.bar.close()
