"""How a table's size sets the batch: quality follows optimizer steps, not epochs."""

from __future__ import annotations

from sdv_attncorr.core.training.config import GANConfig

MIN_ADAPTED_BATCH = 50
LARGE_TABLE_EPOCH_SHARE = 0.5
LARGE_TABLE_LR_FACTOR = 2.0


def effective_batch(config: GANConfig, n_rows: int) -> tuple[int, int]:
    """Return ``(batch_size, pac)`` adapted to a table of ``n_rows`` rows.

    The batch shrinks (down to 50 rows) so that an epoch has at least ``min_steps_per_epoch``
    steps, is never larger than the table, and stays a multiple of ``pac``; a table smaller
    than one pack is trained with packs of one row.
    """
    pac = config.pac if n_rows >= config.pac else 1
    per_step = max(MIN_ADAPTED_BATCH, n_rows // config.min_steps_per_epoch)
    batch_size = min(config.batch_size, per_step, n_rows)
    return max(pac, batch_size // pac * pac), pac


def scaled_for_size(config: GANConfig, n_rows: int) -> GANConfig:
    """Return the hyperparameters a table of ``n_rows`` rows trains with.

    From ``large_table_rows`` rows on, half of ``epochs`` (at least one) at twice both
    learning rates; ``config`` itself below it, or when ``large_table_rows`` is None.
    """
    if config.large_table_rows is None or n_rows < config.large_table_rows:
        return config

    return config.replace(
        epochs=max(1, round(config.epochs * LARGE_TABLE_EPOCH_SHARE)),
        generator_lr=config.generator_lr * LARGE_TABLE_LR_FACTOR,
        discriminator_lr=config.discriminator_lr * LARGE_TABLE_LR_FACTOR,
    )


def steps_per_epoch(n_rows: int, batch_size: int) -> int:
    """Return the generator steps in an epoch: ``n_rows // batch_size``, at least one."""
    return max(1, n_rows // batch_size)


def sharded_batch(batch_size: int, pac: int, world: int) -> int:
    """Return the largest batch up to ``batch_size`` split into ``world`` shares of whole packs.

    Raises:
        ValueError:
            If not even one pack per process fits in ``batch_size``.
    """
    unit = pac * world
    if batch_size < unit:
        raise ValueError(
            f'A batch of {batch_size} rows cannot give each of {world} processes a pack of '
            f'{pac} rows: train with fewer processes or a larger table.'
        )

    return batch_size // unit * unit
