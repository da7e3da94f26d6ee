"""Shared fixtures: a tiny table of every sdtype, its metadata, and fast settings."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sdv.metadata import Metadata

from sdv_attncorr import AttnCorrGANSynthesizer, WGANGPMFSSynthesizer

SHARED_DATA = Path(__file__).resolve().parents[2] / 'shared' / 'data'
TABLE = 'table'
SYNTHESIZERS = [AttnCorrGANSynthesizer, WGANGPMFSSynthesizer]
FAST = {
    'epochs': 1,
    'batch_size': 20,
    'pac': 10,
    'embedding_dim': 8,
    'generator_dim': (16,),
    'attention_dim': 8,
    'attention_heads': 2,
    'attention_blocks': 1,
    'discriminator_dim': (16,),
    'mfs_subsamples': 2,
    'mfs_subsample_size': 10,
    'enable_gpu': False,
    'random_state': 0,
}


def shared_csv(name):
    """Read ``../shared/data/<name>``, or skip the test where it is absent (a user's machine)."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f'{path} is absent: the shared data sets only exist on the project machines')

    return pd.read_csv(path)


def make_mixed_table(n_rows=60, seed=0):
    """A small table with numbers, categories, booleans, dates, ids, PII and missing values."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=n_rows)
    return pd.DataFrame(
        {
            'id': np.arange(n_rows),
            'amount': (base * 10 + 50).round(2),
            'count': rng.integers(0, 5, n_rows),
            'group': rng.choice(['a', 'b', 'c'], n_rows),
            'flag': rng.random(n_rows) > 0.5,
            'when': pd.Timestamp('2024-01-01') + pd.to_timedelta(rng.integers(0, 99, n_rows), 'D'),
            'email': [f'user{i}@example.com' for i in range(n_rows)],
            'score': np.where(rng.random(n_rows) < 0.2, np.nan, base + rng.normal(size=n_rows)),
            'rare': ['solo'] + ['common'] * (n_rows - 1),
        }
    )


def make_metadata(data):
    """Metadata for ``make_mixed_table`` with its id, PII and discrete columns set."""
    metadata = Metadata.detect_from_dataframes({TABLE: data})
    metadata.update_column('id', sdtype='id', table_name=TABLE)
    metadata.set_primary_key('id', table_name=TABLE)
    metadata.update_column('email', sdtype='email', pii=True, table_name=TABLE)
    for column in ('group', 'rare'):
        metadata.update_column(column, sdtype='categorical', table_name=TABLE)
    metadata.update_column('flag', sdtype='boolean', table_name=TABLE)
    metadata.update_column('count', sdtype='numerical', table_name=TABLE)
    metadata.update_column('when', sdtype='datetime', table_name=TABLE)
    return metadata


@pytest.fixture
def mixed_table():
    return make_mixed_table()


@pytest.fixture
def mixed_metadata(mixed_table):
    return make_metadata(mixed_table)


@pytest.fixture(params=SYNTHESIZERS, ids=lambda cls: cls.__name__)
def synthesizer_class(request):
    return request.param


@pytest.fixture
def fitted(synthesizer_class, mixed_table, mixed_metadata):
    synthesizer = synthesizer_class(mixed_metadata, class_column='group', **FAST)
    synthesizer.fit({TABLE: mixed_table})
    return synthesizer
