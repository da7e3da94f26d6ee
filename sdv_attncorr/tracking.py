"""Experiment tracking with Aim (optional: ``pip install 'sdv-attncorr[aim]'``)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aim import Run

    from sdv_attncorr.core.training.trainer import Trainer

AIM_INSTALL_HINT = "pip install 'sdv-attncorr[aim]'"
EXPERIMENT = 'sdv-attncorr'


class MissingDependencyError(ImportError):
    """Raised when an optional feature is asked for and its package is not installed."""


def require_aim() -> None:
    """Raise ``MissingDependencyError`` with the install command unless Aim is installed."""
    if importlib.util.find_spec('aim') is None:
        raise MissingDependencyError(
            f'aim_repo needs the Aim package, which is not installed: run {AIM_INSTALL_HINT} '
            '(or pip install aim), or leave aim_repo=None.'
        )


def _plain(value: object) -> object:
    """Return ``value`` as something Aim stores (tuples as lists, other objects as text)."""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value

    return str(value)


class AimTracker:
    """A trainer callback that logs a fit to an Aim repository.

    Logs the hyperparameters (``run['hparams']``) and, every epoch, each loss of the loss
    history, the mean gradient norm of the generator and of the critic, and, when the MFS loss
    is on, each meta-feature's own distance (metric ``MFS Distance``, context ``feature``).

    Args:
        repo (str or pathlib.Path):
            The Aim repository (a folder; created if it does not exist).
        hparams (Mapping[str, object]):
            Hyperparameters to record.
        experiment (str):
            Aim experiment name. Defaults to ``'sdv-attncorr'``.
    """

    tracks_gradients = True

    def __init__(
        self, repo: str | Path, hparams: Mapping[str, object], experiment: str = EXPERIMENT
    ) -> None:
        require_aim()
        self.repo = str(repo)
        self.hparams = {name: _plain(value) for name, value in hparams.items()}
        self.experiment = experiment
        self.run: Run | None = None
        self.run_hash: str | None = None

    def on_fit_start(self, trainer: Trainer) -> None:
        """Open the run and record the hyperparameters.

        Args:
            trainer (sdv_attncorr.core.training.trainer.Trainer):
                The trainer about to train.
        """
        from aim import Run

        self.run = Run(
            repo=self.repo,
            experiment=self.experiment,
            system_tracking_interval=None,
            log_system_params=False,
            capture_terminal_logs=False,
        )
        self.run_hash = self.run.hash
        self.run['hparams'] = self.hparams

    def on_epoch_end(self, trainer: Trainer, record: Mapping[str, float]) -> None:
        """Track the epoch's losses, gradient norms and meta-feature distances.

        Args:
            trainer (sdv_attncorr.core.training.trainer.Trainer):
                The trainer; its ``gradient_norms`` and regularisers are read.
            record (Mapping[str, float]):
                The epoch's mean losses, with ``Epoch``.
        """
        run = self.run
        if run is None:
            raise RuntimeError('AimTracker.on_epoch_end was called before on_fit_start.')

        epoch = int(record['Epoch'])
        for name, value in record.items():
            if name != 'Epoch':
                run.track(value, name=name, epoch=epoch, step=epoch)
        for name, value in trainer.gradient_norms.items():
            run.track(value, name=name, epoch=epoch, step=epoch)
        for feature, value in self._feature_distances(trainer).items():
            context = {'feature': feature}
            run.track(value, name='MFS Distance', epoch=epoch, step=epoch, context=context)

    @staticmethod
    def _feature_distances(trainer: Trainer) -> dict[str, float]:
        losses = [r for _, r in trainer.generator_regularizers if hasattr(r, 'feature_distances')]
        if not losses:
            return {}

        batch = trainer.diagnostic_batch()
        return {name: d for loss in losses for name, d in loss.feature_distances(batch).items()}

    def on_fit_end(self, trainer: Trainer) -> None:
        """Close the run (also when training stopped early).

        Args:
            trainer (sdv_attncorr.core.training.trainer.Trainer):
                The trainer.
        """
        if self.run is not None:
            self.run.close()
            self.run = None
