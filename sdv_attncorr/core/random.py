"""Local random state: torch generators owned by a model, never the global seed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import numpy as np
import torch

T = TypeVar('T')

RngState: TypeAlias = (
    int | np.integer | tuple[np.random.RandomState, torch.Generator] | torch.Generator | None
)
"""What ``make_rng`` accepts: a seed, SDV's pair of states, a generator, or None."""


def make_rng(state: RngState = None, device: str | torch.device = 'cpu') -> torch.Generator:
    """Build a ``torch.Generator`` from a seed, an existing generator or nothing.

    Args:
        state (int, tuple[np.random.RandomState, torch.Generator], torch.Generator or None):
            A seed; SDV's pair of states (the torch generator's state is copied); a generator
            (its state is copied); or None for a seed from the operating system's entropy.
        device (str or torch.device):
            Device of the generator.

    Returns:
        torch.Generator:
            A new generator.

    """
    rng = torch.Generator(device=device)
    if isinstance(state, tuple):
        state = state[1]

    if isinstance(state, torch.Generator):
        rng.set_state(state.get_state())
    elif state is None:
        rng.manual_seed(fresh_seed())
    elif isinstance(state, (int, np.integer)):
        rng.manual_seed(int(state))
    else:
        raise TypeError(
            'random state must be an int, a (numpy RandomState, torch Generator) tuple, '
            f'a torch.Generator or None, got {type(state).__name__}'
        )

    return rng


def fresh_seed() -> int:
    """Return a seed drawn from the operating system's entropy (63 bits, as torch takes)."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))


def seeded_init(seed: int, build: Callable[[], T]) -> T:
    """Call ``build()`` with the global torch seed set to ``seed``, then restore it.

    Module constructors draw their initial weights from the global generator; this keeps
    initialisation reproducible without changing the caller's global random state.

    Args:
        seed (int):
            Seed for the initial weights.
        build (Callable[[], T]):
            Function that builds and returns the modules.

    Returns:
        T:
            What ``build`` returns.

    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


@dataclass(frozen=True)
class Shard:
    """A process's place among the training processes.

    Args:
        rank (int):
            Index of this process, ``0 <= rank < world``.
        world (int):
            Number of processes.
    """

    rank: int = 0
    world: int = 1

    @property
    def is_distributed(self) -> bool:
        """bool: Whether more than one process trains."""
        return self.world > 1

    def local(self, rows: torch.Tensor) -> torch.Tensor:
        """Return this rank's share of a global batch (equal contiguous parts along dim 0)."""
        if not self.is_distributed:
            return rows

        size = rows.shape[0] // self.world
        return rows[self.rank * size : (self.rank + 1) * size]


class RowDraws:
    """A seeded generator whose draws cover a whole global batch; this rank keeps its rows.

    Pass it where a ``torch.Generator`` is taken for per-row draws (``uniform_rows``,
    ``normal_rows``): the first dimension of a shape is this rank's rows.

    Args:
        generator (torch.Generator):
            The source, seeded alike on every rank.
        shard (Shard):
            This process's share.
    """

    def __init__(self, generator: torch.Generator, shard: Shard) -> None:
        self.generator = generator
        self.shard = shard


Draws = torch.Generator | RowDraws | None


def uniform_rows(shape: tuple[int, ...], *, rng: Draws, like: torch.Tensor) -> torch.Tensor:
    """Draw U[0, 1) noise of ``shape`` (rows first), with ``like``'s dtype and device."""
    return _rows(torch.rand, shape, rng, like.dtype, like.device)


def normal_rows(
    shape: tuple[int, ...], *, rng: Draws, device: torch.device | str | None = None
) -> torch.Tensor:
    """Draw standard normal noise of ``shape`` (rows first), float32."""
    return _rows(torch.randn, shape, rng, torch.float32, device)


def _rows(draw: Any, shape: tuple[int, ...], rng: Draws, dtype: Any, device: Any) -> torch.Tensor:
    if not isinstance(rng, RowDraws):
        return draw(shape, generator=rng, dtype=dtype, device=device)

    world = rng.shard.world
    whole = draw(
        (shape[0] * world, *shape[1:]), generator=rng.generator, dtype=dtype, device=device
    )
    return rng.shard.local(whole)
