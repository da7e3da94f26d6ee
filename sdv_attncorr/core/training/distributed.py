"""Training one model on several processes with torch DistributedDataParallel (``torchrun``).

Each rank takes an equal, contiguous share of every global batch. What makes ``N`` processes
train as one does:

- **Draws.** Every random draw of a global batch is made at the global batch's size, from the
  same seeded generator on every rank, and each rank keeps its own rows (``RowDraws``). So a
  row's noise, condition, real row, Gumbel noise, dropout mask and gradient-penalty weight are
  a function of the seed and the row's position in the global batch, never of the rank.
- **Batch statistics.** The generator's regularisers (correlation, energy, meta-features) are
  computed on the gathered global batch (``gather_rows``), identically on every rank.
- **Gradients.** DDP averages the ranks' gradients: the mean of the per-row losses over each
  share is the global mean, and ``gather_rows`` hands back ``N`` times its rows' gradient so
  that the average of a loss every rank computes on the whole batch is its gradient.

With one process (no ``torchrun``) nothing of this runs: ``Shard()`` is the whole batch.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from sdv_attncorr.core.random import Shard

LAUNCH_VARIABLES = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK')


def launched_shard() -> Shard:
    """Return the shard ``torchrun`` launched this process as; ``Shard()`` without torchrun.

    Raises:
        RuntimeError:
            If only some of ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` are set.
    """
    present = [name for name in LAUNCH_VARIABLES if name in os.environ]
    if not present:
        return Shard()
    if len(present) < len(LAUNCH_VARIABLES):
        missing = ', '.join(sorted(set(LAUNCH_VARIABLES) - set(present)))
        raise RuntimeError(
            f'{", ".join(present)} set but not {missing}: launch with torchrun, which sets '
            'all three, or unset them to train in one process.'
        )

    return Shard(int(os.environ['RANK']), int(os.environ['WORLD_SIZE']))


def launched_device(device: torch.device | str) -> torch.device:
    """Return ``device``, on this process's own GPU (``LOCAL_RANK``) when it is CUDA."""
    device = torch.device(device)
    if device.type == 'cuda' and device.index is None and 'LOCAL_RANK' in os.environ:
        return torch.device('cuda', int(os.environ['LOCAL_RANK']))

    return device


@contextmanager
def process_group(shard: Shard, device: torch.device) -> Iterator[None]:
    """Join the training processes (gloo on CPU, NCCL on GPU) unless already joined.

    A group this call created is destroyed on exit; one the caller created is left alone.
    """
    if not shard.is_distributed or dist.is_initialized():
        yield
        return

    backend = 'nccl' if device.type == 'cuda' else 'gloo'
    if device.type == 'cuda':
        torch.cuda.set_device(device)  # NCCL's barrier and collectives use the current device
    dist.init_process_group(backend, rank=shard.rank, world_size=shard.world)
    try:
        yield
        # Leave together: a process that tears its connections down while another still
        # holds them open can abort the other one (gloo). After an error, leave at once.
        dist.barrier()
    finally:
        dist.destroy_process_group()


class _GatherRows(torch.autograd.Function):
    """All-gather along rows; backward keeps this rank's rows' gradient times the world size.

    Every rank computes the same loss on the gathered rows, so the sum over ranks of the
    gradient of this rank's rows (what a reduce-scatter would return) is ``world`` times the
    local one: no collective is needed in the backward pass.
    """

    @staticmethod
    def forward(ctx: Any, rows: torch.Tensor, rank: int, world: int) -> torch.Tensor:
        ctx.rank, ctx.world, ctx.size = rank, world, rows.shape[0]
        parts = [torch.empty_like(rows) for _ in range(world)]
        dist.all_gather(parts, rows.contiguous())
        return torch.cat(parts)

    @staticmethod
    def backward(ctx: Any, gradient: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        start = ctx.rank * ctx.size
        return gradient[start : start + ctx.size] * ctx.world, None, None


def gather_rows(rows: torch.Tensor, shard: Shard) -> torch.Tensor:
    """Return the global batch from every rank's ``rows`` (``rows`` itself in one process).

    Gradients flow back to this rank's rows, scaled so that DDP's average over ranks of a loss
    computed alike on every rank is the gradient of that loss (see ``_GatherRows``).
    """
    if not shard.is_distributed:
        return rows

    return _GatherRows.apply(rows, shard.rank, shard.world)


def gather_columns(parts: Sequence[torch.Tensor | None], shard: Shard) -> list[torch.Tensor | None]:
    """Gather several ``[rows, ...]`` tensors of the same rows in one collective.

    Each part is flattened to float columns, the columns are gathered together
    (``gather_rows``) and split back, each part with its own shape and dtype (integer parts,
    such as class indices, must be exact in float32). None parts stay None.

    Returns:
        list[torch.Tensor or None]:
            The global batch of each part; the parts themselves in one process.
    """
    present = [part for part in parts if part is not None]
    if not shard.is_distributed or not present:
        return list(parts)

    columns = [part.reshape(len(part), -1).to(torch.float32) for part in present]
    gathered = gather_rows(torch.cat(columns, dim=1), shard)
    pieces = iter(gathered.split([c.shape[1] for c in columns], dim=1))
    return [
        None if part is None else next(pieces).reshape(-1, *part.shape[1:]).to(part.dtype)
        for part in parts
    ]


def mean_over_ranks(values: dict[str, torch.Tensor], shard: Shard) -> dict[str, torch.Tensor]:
    """Average each value over the ranks (one all-reduce); unchanged in one process."""
    if not shard.is_distributed or not values:
        return values

    names = list(values)
    stacked = torch.stack([torch.as_tensor(values[name], dtype=torch.float64) for name in names])
    dist.all_reduce(stacked)
    return {name: value / shard.world for name, value in zip(names, stacked, strict=True)}


def any_rank(flag: bool, shard: Shard, device: torch.device) -> bool:
    """Return whether ``flag`` holds on any rank (so that every rank decides alike)."""
    if not shard.is_distributed:
        return flag

    value = torch.tensor([float(flag)], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def synchronised(module: nn.Module, shard: Shard) -> nn.Module:
    """Wrap ``module`` in DDP when several processes train; ``module`` itself otherwise.

    Only calls through the wrapper average gradients: the trainer runs the plain module where
    its gradients must not count (the generator in the critic's step, the frozen critic in the
    generator's), so each network's gradients are all-reduced once per its own step.
    """
    if not shard.is_distributed:
        return module

    device = next(module.parameters()).device
    return DistributedDataParallel(
        module,
        device_ids=[device.index] if device.type == 'cuda' else None,
        # Gradients live in the all-reduce buckets: no copy in and out each step.
        gradient_as_bucket_view=True,
    )
