"""The likelihood loss: teacher-forced cross-entropy of the sequential decoder's categories.

The adversarial loss teaches the decoder's heads their conditional frequencies only through
the soft samples the critic scores, and on a rare category it hardly does: on ames_housing,
rows drawn as Floating Village (all in Somerset in the data) fell in Somerset at the
neighbourhood's own rate. Scored on real rows (each span given the real values before it,
through the contexts of the batch's noise and conditions), the negative log-likelihood is what
an autoregressive model such as TabularARGN trains on, and its gradient reaches every category
of every head at every step.
"""

from __future__ import annotations

import torch

from sdv_attncorr.core.losses.regularizers import GeneratorBatch


class LikelihoodLoss:
    """Negative log-likelihood of real rows' categories under teacher forcing, per row."""

    name = 'Likelihood Loss'
    uses_teacher = True

    def __call__(self, batch: GeneratorBatch) -> torch.Tensor:
        """Return the mean over the batch's real rows."""
        if batch.log_likelihood is None:
            raise ValueError(
                'the likelihood loss needs teacher-forced rows, but the batch has none: give '
                'its class `uses_teacher = True` so that the trainer scores them'
            )

        return -batch.log_likelihood.mean()
