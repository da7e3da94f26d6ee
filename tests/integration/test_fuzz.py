"""Fuzzing: Hypothesis-generated tables of every sdtype never crash either synthesizer.

The fast profile runs in ``make test``; the long one with ``pytest -m fuzz``.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdv.metadata import Metadata

from tests.conftest import FAST, SYNTHESIZERS

KINDS = ('float', 'int', 'categorical', 'boolean', 'datetime', 'id', 'email', 'constant')
SDTYPES = {'float': 'numerical', 'int': 'numerical', 'constant': 'numerical',
           'categorical': 'categorical', 'boolean': 'boolean', 'datetime': 'datetime',
           'id': 'id', 'email': 'email'}  # fmt: skip


def column_values(kind, n_rows, rng):
    """Values of one generated column."""
    makers = {
        'float': lambda: rng.normal(rng.uniform(-100, 100), rng.uniform(0.1, 50), n_rows),
        'int': lambda: rng.integers(-5, 20, n_rows).astype(float),
        'categorical': lambda: rng.choice(['a', 'b', 'c', 'd', 'e'][: rng.integers(1, 6)], n_rows),
        'boolean': lambda: rng.random(n_rows) > 0.5,
        'datetime': lambda: (
            pd.Timestamp('2020-01-01') + pd.to_timedelta(rng.integers(0, 900, n_rows), 'D')
        ),
        'id': lambda: np.arange(n_rows),
        'email': lambda: np.array([f'person{i}@example.com' for i in range(n_rows)]),
        'constant': lambda: np.full(n_rows, 7.0),
    }
    return pd.Series(makers[kind]())


@st.composite
def tables(draw, max_columns, max_rows):
    """A table of mixed sdtypes with missing values anywhere, and its metadata."""
    n_rows = draw(st.integers(2, max_rows))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=max_columns))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data, columns, primary_key = {}, {}, None
    for index, kind in enumerate(kinds):
        name = f'{kind}_{index}'
        if kind == 'id' and primary_key is not None:
            kind = 'float'
        values = column_values(kind, n_rows, rng)
        missing_share = draw(st.sampled_from([0.0, 0.0, 0.2, 1.0]))
        if kind not in ('id', 'email') and missing_share:
            keep = rng.random(n_rows) >= missing_share
            discrete = kind in ('categorical', 'boolean')
            values = values.astype(object).where(keep, None) if discrete else values.where(keep)
        data[name] = values
        columns[name] = {'sdtype': SDTYPES[kind]}
        if kind == 'email':
            columns[name]['pii'] = True
        if kind == 'id':
            primary_key = name

    table = {'columns': columns, **({'primary_key': primary_key} if primary_key else {})}
    metadata = Metadata.load_from_dict({'tables': {'t': table}, 'METADATA_SPEC_VERSION': 'V1'})
    return pd.DataFrame(data), metadata


def check_sample(real, sampled):
    assert list(sampled.columns) == list(real.columns)
    for column in real.columns:
        if column.startswith(('categorical', 'boolean')):
            seen = set(real[column].dropna()) | ({np.nan} if real[column].isna().any() else set())
            assert set(sampled[column].dropna()) <= seen, column
        elif column.startswith(('float', 'int', 'constant')) and real[column].notna().any():
            values = pd.to_numeric(sampled[column]).dropna()
            low, high = pd.to_numeric(real[column]).min(), pd.to_numeric(real[column]).max()
            assert values.between(low - 1e-6, high + 1e-6).all(), column


def fit_and_sample(synthesizer_class, table):
    real, metadata = table
    synthesizer = synthesizer_class(metadata, **FAST)
    synthesizer.fit({'t': real})
    check_sample(real, synthesizer.sample(7)['t'])


FAST_PROFILE = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.filterwarnings('ignore')
@pytest.mark.parametrize('synthesizer_class', SYNTHESIZERS, ids=lambda c: c.__name__)
@FAST_PROFILE
@given(table=tables(max_columns=6, max_rows=40))
def test_fuzzed_tables_fit_and_sample(synthesizer_class, table):
    fit_and_sample(synthesizer_class, table)


@pytest.mark.fuzz
@pytest.mark.filterwarnings('ignore')
@pytest.mark.parametrize('synthesizer_class', SYNTHESIZERS, ids=lambda c: c.__name__)
@settings(FAST_PROFILE, max_examples=500)
@given(table=tables(max_columns=50, max_rows=300))
def test_fuzzed_tables_long_profile(synthesizer_class, table):
    fit_and_sample(synthesizer_class, table)
