"""Sampling straight to a file, batch by batch, at constant memory."""

from pathlib import Path

from sdv.errors import SynthesizerInputError

DEFAULT_BATCH_ROWS = 10_000


def _open_writer(path):
    if path.suffix.lower() == '.csv':
        return _CsvWriter(path)
    if path.suffix.lower() in ('.parquet', '.pq'):
        return _ParquetWriter(path)

    raise SynthesizerInputError(
        f'Cannot write {path.name!r}: sample_to_file writes .csv or .parquet files.'
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
        try:
            import pyarrow
            import pyarrow.parquet
        except ImportError as error:
            raise ImportError(
                'Writing Parquet needs pyarrow: pip install pyarrow (or write a .csv file).'
            ) from error

        self.path = path
        self.pyarrow = pyarrow
        self.writer = None

    def write(self, frame):
        table = self.pyarrow.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.writer = self.pyarrow.parquet.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self):
        if self.writer is not None:
            self.writer.close()


def sample_to_file(synthesizer, num_rows, filepath, batch_size=DEFAULT_BATCH_ROWS, overwrite=False):
    """Sample ``num_rows`` rows into ``filepath`` batch by batch (see the synthesizer method)."""
    path = Path(filepath)
    if path.exists() and not overwrite:
        raise FileExistsError(f'{path} already exists: choose another path or pass overwrite=True.')
    if not isinstance(num_rows, int) or num_rows < 1:
        raise SynthesizerInputError(f'num_rows must be a positive integer, got {num_rows!r}.')
    if not isinstance(batch_size, int) or batch_size < 1:
        raise SynthesizerInputError(f'batch_size must be a positive integer, got {batch_size!r}.')

    writer = _open_writer(path)
    try:
        for start in range(0, num_rows, batch_size):
            rows = min(batch_size, num_rows - start)
            writer.write(synthesizer.sample(rows)[synthesizer._table_name])
    finally:
        writer.close()

    return path
