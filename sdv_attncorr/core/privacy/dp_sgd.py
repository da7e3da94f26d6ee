"""DP-SGD for a network of linear layers: per-row clipped gradients plus Gaussian noise.

Per-row gradient norms come without per-row gradients (the "ghost norm" of Goodfellow 2015,
Li et al. 2022): for a linear layer ``z = a Wᵀ + b`` seen by one row, the row's gradient of
``W`` is the outer product ``δ aᵀ`` (``δ`` the loss's gradient at ``z``), whose norm is
``|δ|·|a|``. One backward pass to the layers' outputs gives every row's norm, and the clipped
sum ``Σ_i c_i δ_i a_iᵀ`` is one matrix product per layer. It holds when each row's loss
depends on its own row only (no batch statistics, no packs of rows): the critic under DP has
``pac = 1``, per-row dropout and no normalisation over the batch.

Why not Opacus: its hooks compute the same thing, but its privacy engine wraps the optimiser
and the data loader, which our trainer owns; per-row gradients through ``torch.func`` need
the whole ``[rows, parameters]`` tensor (measured: 600 ms against 6 ms for a critic step of
500 rows with the gradient penalty).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from sdv_attncorr.core.privacy.noise import secure_normal


class GhostClipper:
    """Clip each row's gradient of a loss to ``max_norm`` and sum them, for linear layers.

    Args:
        module (torch.nn.Module):
            A network whose parameters all belong to ``nn.Linear`` layers applied row-wise.
        max_norm (float):
            The clipping norm ``C``: each row changes the summed gradient by at most ``C``.
    """

    def __init__(self, module: nn.Module, max_norm: float) -> None:
        self.layers = [m for m in module.modules() if isinstance(m, nn.Linear)]
        owned = {id(p) for layer in self.layers for p in layer.parameters()}
        if any(id(p) not in owned for p in module.parameters()):
            raise ValueError('GhostClipper needs a network whose parameters are linear layers')

        self.max_norm = max_norm
        self._seen: list[tuple[torch.Tensor, torch.Tensor]] = []

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Record each linear layer's input and output during the forward passes inside."""
        self._seen = []
        hooks = [layer.register_forward_hook(self._record) for layer in self.layers]
        try:
            yield
        finally:
            for hook in hooks:
                hook.remove()

    def _record(self, layer: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        self._seen.append((inputs[0].detach(), output))

    def clipped_sum(self, row_losses: torch.Tensor) -> list[torch.Tensor]:
        """Return ``Σ_i clip(∇ loss_i)`` for each parameter, in ``layers`` order (weight, bias).

        Args:
            row_losses (torch.Tensor):
                One loss per row, ``[rows]``, computed inside ``recording()``.

        Returns:
            list[torch.Tensor]:
                The clipped sums, shaped like the parameters.
        """
        if len(self._seen) != len(self.layers):
            raise RuntimeError('clipped_sum needs one recorded forward pass through the network')

        inputs = [seen[0] for seen in self._seen]
        deltas = torch.autograd.grad(row_losses.sum(), [seen[1] for seen in self._seen])
        squared = sum(
            (d**2).sum(1) * ((a**2).sum(1) + 1) for d, a in zip(deltas, inputs, strict=True)
        )
        factors = (self.max_norm / (torch.as_tensor(squared).sqrt() + 1e-12)).clamp(max=1.0)
        sums = []
        for delta, inputs_ in zip(deltas, inputs, strict=True):
            scaled = delta * factors[:, None]
            sums += [scaled.T @ inputs_, scaled.sum(0)]
        return sums

    def parameters(self) -> list[torch.Tensor]:
        """Return the parameters in the order ``clipped_sum`` returns their sums."""
        return [p for layer in self.layers for p in (layer.weight, layer.bias)]


def noisy_mean(
    sums: list[torch.Tensor], noise_multiplier: float, max_norm: float, expected_rows: float
) -> list[torch.Tensor]:
    """Add Gaussian noise of std ``noise_multiplier · max_norm`` to clipped sums; divide.

    Dividing by the *expected* number of rows (not the drawn one, which is private under
    Poisson sampling) gives an unbiased estimate of the mean clipped gradient.

    Returns:
        list[torch.Tensor]:
            The private gradients.
    """
    std = noise_multiplier * max_norm
    return [
        (s + std * secure_normal(tuple(s.shape), s.device, s.dtype)) / expected_rows for s in sums
    ]
