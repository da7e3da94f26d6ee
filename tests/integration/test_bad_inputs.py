"""Every bad input gets a clear answer (README's table of cases); sensible ones just work."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sdv.errors import InvalidDataError, SynthesizerInputError
from sdv.metadata import Metadata
from sdv.sampling import Condition

from sdv_attncorr import AttnCorrGANSynthesizer
from tests.conftest import FAST, TABLE


def fit(synthesizer_class, data, **arguments):
    metadata = Metadata.detect_from_dataframes({TABLE: data})
    synthesizer = synthesizer_class(metadata, **{**FAST, **arguments})
    synthesizer.fit({TABLE: data})
    return synthesizer


def small_table(n_rows=40):
    rng = np.random.default_rng(0)
    return pd.DataFrame({'a': rng.normal(size=n_rows), 'b': rng.choice(['x', 'y'], n_rows)})


def test_empty_table(synthesizer_class):
    with pytest.raises(ValueError, match='empty'):
        fit(synthesizer_class, small_table().head(0))


def test_one_row_constant_and_all_missing_columns_work(synthesizer_class):
    data = small_table().assign(constant=3.0, label='k', nothing=np.nan)
    sampled = fit(synthesizer_class, data).sample(20)[TABLE]
    one_row = fit(synthesizer_class, data.head(1)).sample(3)[TABLE]

    assert (sampled['constant'] == 3.0).all() and (sampled['label'] == 'k').all()
    assert sampled['nothing'].isna().all()
    assert len(one_row) == 3


def test_columns_missing_from_or_extra_to_the_metadata(synthesizer_class, mixed_table):
    synthesizer = fit(synthesizer_class, small_table())
    with pytest.raises(InvalidDataError, match="'b'"):
        synthesizer.fit({TABLE: small_table().drop(columns='b')})
    with pytest.raises(InvalidDataError, match="'extra'"):
        synthesizer.fit({TABLE: small_table().assign(extra=1)})


def test_class_column_with_a_single_value_works(synthesizer_class):
    data = small_table().assign(b='only')
    sampled = fit(synthesizer_class, data, class_column='b', classwise_weight=1.0).sample(5)

    assert (sampled[TABLE]['b'] == 'only').all()


def test_bad_sample_counts_and_conditions(synthesizer_class):
    synthesizer = fit(synthesizer_class, small_table())
    with pytest.raises(SynthesizerInputError, match='num_rows must be 0 or more, got -3'):
        synthesizer.sample(-3)
    with pytest.raises(ValueError, match='greater than zero'):
        synthesizer.sample_from_conditions([Condition({'b': 'x'}, num_rows=0)])
    with pytest.raises(ValueError, match="Unexpected column name 'nope'"):
        synthesizer.sample_from_conditions([Condition({'nope': 'x'}, num_rows=2)])
    assert len(synthesizer.sample(0)[TABLE]) == 0


def test_too_many_categories_name_the_transformer_to_choose(synthesizer_class):
    data = pd.DataFrame({'a': np.arange(1200.0), 'code': [f'c{i}' for i in range(1200)]})
    metadata = Metadata.detect_from_dataframes({TABLE: data})
    metadata.update_column('code', sdtype='categorical', table_name=TABLE)
    synthesizer = synthesizer_class(metadata, **FAST)
    with pytest.raises(SynthesizerInputError, match="'code' has 1200 categories.*UniformEncoder"):
        synthesizer.fit({TABLE: data})


def test_unicode_and_integer_column_names(synthesizer_class):
    unicode = small_table().rename(columns={'a': 'größe ✓', 'b': '类别'})
    integers = pd.DataFrame({0: np.arange(30.0), 1: ['x', 'y', 'z'] * 10})

    assert list(fit(synthesizer_class, unicode).sample(4)[TABLE].columns) == ['größe ✓', '类别']
    assert list(fit(synthesizer_class, integers).sample(4)[TABLE].columns) == [0, 1]


def test_loading_a_file_that_is_not_a_synthesizer(tmp_path):
    from sdv.utils import load_synthesizer

    path = tmp_path / 'table.csv'
    path.write_text('a,b\n1,2\n')
    # SDV's loader raises the unpickler's own error; our classes' load() names the file.
    with pytest.raises(pickle.UnpicklingError):
        load_synthesizer(str(path))
    with pytest.raises(SynthesizerInputError, match='table.csv is not a saved sdv-attncorr'):
        AttnCorrGANSynthesizer.load(path)
