"""Local random state: torch generators owned by a model, never the global seed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias, TypeVar

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
