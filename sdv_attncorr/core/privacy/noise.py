"""Randomness for differential privacy, from the operating system's secure source.

The noise that makes training private must be unpredictable to whoever sees the model, so it
never comes from the user's ``random_state`` (a seeded generator anyone can replay) nor from
torch's Mersenne Twister: it comes from ``os.urandom`` (the kernel's CSPRNG). Normal draws use
the Box-Muller transform on 53-bit uniforms in float64.

Known limit: floating-point Gaussian noise is not the ideal real-valued mechanism (Mironov,
CCS 2012, showed attacks on the Laplace mechanism's floating-point gaps); Opacus' secure mode
has the same limit.
"""

from __future__ import annotations

import os

import numpy as np
import torch


def secure_uniform(n: int) -> np.ndarray:
    """Return ``n`` uniform draws in (0, 1], float64, from ``os.urandom``."""
    bits = np.frombuffer(os.urandom(8 * n), dtype=np.uint64) >> np.uint64(11)
    return (bits.astype(np.float64) + 1.0) / 2.0**53


def secure_normal(
    shape: tuple[int, ...], device: torch.device | str = 'cpu', dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """Return standard normal draws of ``shape`` from ``os.urandom`` (Box-Muller).

    Args:
        shape (tuple[int, ...]):
            The shape.
        device (torch.device or str):
            Where the tensor goes.
        dtype (torch.dtype):
            Its dtype.

    Returns:
        torch.Tensor:
            The draws.
    """
    n = int(np.prod(shape, dtype=np.int64))
    half = (n + 1) // 2
    radius = np.sqrt(-2.0 * np.log(secure_uniform(half)))
    angle = 2.0 * np.pi * secure_uniform(half)
    values = np.concatenate([radius * np.cos(angle), radius * np.sin(angle)])[:n]
    return torch.from_numpy(values.reshape(shape)).to(device=device, dtype=dtype)


def poisson_rows(n_rows: int, rate: float, device: torch.device | str = 'cpu') -> torch.Tensor:
    """Draw a Poisson sample of rows: each of ``n_rows`` joins with probability ``rate``.

    The accountant's subsampling amplification assumes exactly this draw, and that nobody can
    replay it, so it comes from the secure source too.

    Returns:
        torch.LongTensor:
            Indices of the rows drawn, ascending.
    """
    joined = secure_uniform(n_rows) <= rate
    return torch.from_numpy(np.flatnonzero(joined)).to(device)
