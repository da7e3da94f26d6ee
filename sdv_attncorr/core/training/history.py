"""The loss history: one record per epoch."""

from __future__ import annotations

from typing import Any


class LossHistory:
    """Per-epoch mean losses, as a list of records.

    Every record holds ``Epoch``, ``Generator Loss`` and ``Discriminator Loss`` (the names
    SDV's ``LossValuesMixin`` reads) plus one entry per regulariser.
    """

    def __init__(self) -> None:
        self.records: list[dict[str, float]] = []

    def on_fit_start(self, trainer: Any) -> None:
        """Start a new history."""
        self.records = []

    def on_epoch_end(self, trainer: Any, record: dict[str, float]) -> None:
        """Store the epoch's record."""
        self.records.append(dict(record))

    def on_fit_end(self, trainer: Any) -> None:
        """Nothing to do at the end."""
