"""Sampling straight to a file, or to a Parquet dataset folder, batch by batch, at constant memory.

A path without a suffix is a Parquet dataset folder: one part per process under ``torchrun``
(``part-00001-of-00004.parquet``), one part otherwise; any Parquet reader reads the folder as one
table (``pandas.read_parquet(folder)``).
"""

import re
from pathlib import Path

import numpy as np
import pyarrow
import pyarrow.parquet
from sdv.errors import SynthesizerInputError

from sdv_attncorr.core.random import Shard
from sdv_attncorr.core.training.distributed import launched_shard

DEFAULT_BATCH_ROWS = 10_000
PART_NAME = re.compile(r'part-\d{5}-of-(\d{5})\.parquet')


def _open_writer(path):
    if path.suffix.lower() == '.csv':
        return _CsvWriter(path)
    if path.suffix.lower() in ('.parquet', '.pq'):
        return _ParquetWriter(path)

    raise SynthesizerInputError(
        f'Cannot write {path.name!r}: sample_to_file writes a .csv or .parquet file, or a '
        'Parquet dataset folder when the path has no suffix.'
    )


class _CsvWriter:
    def __init__(self, path):
        self.path = path
        self.header = True

    def write(self, frame):
        frame.to_csv(self.path, mode='w' if self.header else 'a', header=self.header, index=False)
        self.header = False

    def close(self):
        """Nothing to close: each batch is appended and flushed."""


class _ParquetWriter:
    def __init__(self, path):
        self.path = path
        self.writer = None

    def write(self, frame):
        table = pyarrow.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.writer = pyarrow.parquet.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self):
        if self.writer is not None:
            self.writer.close()


def sample_to_file(synthesizer, num_rows, filepath, batch_size=DEFAULT_BATCH_ROWS, overwrite=False):
    """Sample ``num_rows`` rows into ``filepath`` batch by batch (see the synthesizer method)."""
    path = Path(filepath)
    if not isinstance(num_rows, int) or num_rows < 1:
        raise SynthesizerInputError(f'num_rows must be a positive integer, got {num_rows!r}.')
    if not isinstance(batch_size, int) or batch_size < 1:
        raise SynthesizerInputError(f'batch_size must be a positive integer, got {batch_size!r}.')
    if not path.suffix:
        return _sample_to_folder(synthesizer, num_rows, path, batch_size, overwrite)
    if path.exists() and not overwrite:
        raise FileExistsError(f'{path} already exists: choose another path or pass overwrite=True.')

    _write_rows(synthesizer, num_rows, _open_writer(path), batch_size)
    return path


def _write_rows(synthesizer, num_rows, writer, batch_size):
    try:
        for start in range(0, num_rows, batch_size):
            rows = min(batch_size, num_rows - start)
            writer.write(synthesizer.sample(rows)[synthesizer._table_name])
    finally:
        writer.close()


def part_rows(num_rows: int, shard: Shard) -> int:
    """Return how many of ``num_rows`` rows the part of ``shard`` holds (all parts sum to it)."""
    return num_rows * (shard.rank + 1) // shard.world - num_rows * shard.rank // shard.world


def _sample_to_folder(synthesizer, num_rows, folder, batch_size, overwrite):
    """Write this process's part of a Parquet dataset folder; return the folder."""
    shard = launched_shard()
    part = folder / f'part-{shard.rank:05d}-of-{shard.world:05d}.parquet'
    _check_folder(folder, part, shard, overwrite)
    folder.mkdir(parents=True, exist_ok=True)
    if shard.is_distributed:
        # Each part draws from its own stream, derived from the sampling state and its rank.
        streams = np.random.SeedSequence([synthesizer._draw_sampling_seed(), shard.rank])
        synthesizer._set_random_state(int(streams.generate_state(1, np.uint64)[0] >> 1))

    rows = part_rows(num_rows, shard)
    if rows:
        _write_rows(synthesizer, rows, _ParquetWriter(part), batch_size)
    return folder


def _check_folder(folder, part, shard, overwrite):
    """Refuse a file, a folder holding anything but dataset parts, or parts when not overwriting.

    With ``overwrite``, rank 0 removes the parts a run with another number of processes left.
    """
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f'{folder} is a file: give a folder path (no suffix) for a dataset.')

    names = [entry.name for entry in folder.iterdir()] if folder.is_dir() else []
    worlds = {name: PART_NAME.fullmatch(name) for name in names}
    others = [name for name, match in worlds.items() if match is None]
    if others:
        raise FileExistsError(
            f'{folder} holds other files ({", ".join(sorted(others)[:3])}): sample_to_file '
            'writes a dataset into a new or empty folder, or over its own parts.'
        )
    stale = [name for name, match in worlds.items() if match and int(match[1]) != shard.world]
    if (stale or part.exists()) and not overwrite:
        raise FileExistsError(
            f'{folder} already holds a dataset: choose another folder or pass overwrite=True.'
        )
    if shard.rank == 0:
        for name in stale:
            (folder / name).unlink()
