"""``sample_to_file`` into a Parquet dataset folder: one part per process, rows split exactly.

The processes of a ``torchrun`` launch are simulated by their environment variables: sampling
needs no process group, only the rank.
"""

import pickle

import pandas as pd
import pytest

from sdv_attncorr.core.random import Shard
from sdv_attncorr.synthesizers.streaming import part_rows
from tests.conftest import TABLE

LAUNCH = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK')


def as_rank(monkeypatch, rank, world):
    for name, value in zip(LAUNCH, (rank, world, rank), strict=True):
        monkeypatch.setenv(name, str(value))


def test_one_process_writes_one_part_with_the_rows_of_a_file(fitted, tmp_path):
    fitted.reset_sampling()
    folder = fitted.sample_to_file(45, tmp_path / 'rows', batch_size=20)
    fitted.reset_sampling()
    fitted.sample_to_file(45, tmp_path / 'rows.parquet', batch_size=20)

    assert [p.name for p in folder.iterdir()] == ['part-00000-of-00001.parquet']
    pd.testing.assert_frame_equal(
        pd.read_parquet(folder), pd.read_parquet(tmp_path / 'rows.parquet')
    )


def test_each_process_writes_its_exact_share_from_its_own_stream(fitted, tmp_path, monkeypatch):
    saved = pickle.dumps(fitted)
    parts = []
    for rank in range(3):
        as_rank(monkeypatch, rank, 3)
        process = pickle.loads(saved)  # each process loads the same model
        process.sample_to_file(10, tmp_path / 'rows', batch_size=3)
        parts.append(pd.read_parquet(tmp_path / 'rows' / f'part-{rank:05d}-of-00003.parquet'))

    assert [len(part) for part in parts] == [3, 3, 4]
    assert len(pd.read_parquet(tmp_path / 'rows')) == 10
    first = parts[0].drop(columns=['id', 'email'])
    second = parts[1].drop(columns=['id', 'email'])
    assert not first.reset_index(drop=True).equals(second.reset_index(drop=True))

    as_rank(monkeypatch, 1, 3)
    pickle.loads(saved).sample_to_file(10, tmp_path / 'rows', batch_size=3, overwrite=True)
    again = pd.read_parquet(tmp_path / 'rows' / 'part-00001-of-00003.parquet')
    pd.testing.assert_frame_equal(again, parts[1])


@pytest.mark.parametrize('rows, world', [(10, 3), (7, 7), (3, 5), (10_000_001, 4)])
def test_parts_sum_to_the_rows(rows, world):
    sizes = [part_rows(rows, Shard(rank, world)) for rank in range(world)]
    assert sum(sizes) == rows
    assert max(sizes) - min(sizes) <= 1


def test_a_folder_is_never_written_over_by_surprise(fitted, tmp_path, monkeypatch):
    (tmp_path / 'mine').mkdir()
    (tmp_path / 'mine' / 'notes.txt').write_text('keep me')
    with pytest.raises(FileExistsError, match='holds other files'):
        fitted.sample_to_file(5, tmp_path / 'mine', overwrite=True)
    assert (tmp_path / 'mine' / 'notes.txt').read_text() == 'keep me'

    fitted.sample_to_file(5, tmp_path / 'rows')
    with pytest.raises(FileExistsError, match='overwrite=True'):
        fitted.sample_to_file(5, tmp_path / 'rows')

    as_rank(monkeypatch, 0, 2)
    with pytest.raises(FileExistsError, match='overwrite=True'):
        fitted.sample_to_file(5, tmp_path / 'rows')
    fitted.sample_to_file(5, tmp_path / 'rows', overwrite=True)
    assert [p.name for p in (tmp_path / 'rows').iterdir()] == ['part-00000-of-00002.parquet']

    (tmp_path / 'file').write_text('')
    for name in LAUNCH:
        monkeypatch.delenv(name)
    with pytest.raises(FileExistsError, match='is a file'):
        fitted.sample_to_file(5, tmp_path / 'file', overwrite=True)


def test_sampled_rows_keep_the_table_columns(fitted, tmp_path):
    folder = fitted.sample_to_file(5, tmp_path / 'rows')
    assert list(pd.read_parquet(folder).columns) == list(fitted.sample(1)[TABLE].columns)


def test_an_unknown_suffix_is_refused_naming_what_is_written(fitted, tmp_path):
    from sdv.errors import SynthesizerInputError

    with pytest.raises(SynthesizerInputError, match='or a Parquet dataset folder'):
        fitted.sample_to_file(5, tmp_path / 'rows.txt')
    assert not (tmp_path / 'rows.txt').exists()
