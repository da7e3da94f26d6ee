"""The pure helpers of benchmarks/compare.py on tiny frames (no fit, no benchmark run)."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sdv.metadata import Metadata

SCRIPT = Path(__file__).resolve().parents[2] / 'benchmarks' / 'compare.py'


@pytest.fixture(scope='module')
def compare():
    spec = importlib.util.spec_from_file_location('benchmark_compare', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def frames():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    real = pd.DataFrame(
        {
            'x': x,
            'y': x + rng.normal(scale=0.3, size=200),
            'z': rng.normal(size=200),
            'colour': np.where(x > 0, 'red', 'blue'),
        }
    )
    shuffled = real.copy()
    shuffled['y'] = rng.permutation(shuffled['y'].to_numpy())
    metadata = Metadata.detect_from_dataframes({'tiny': real})
    metadata.update_column('colour', table_name='tiny', sdtype='categorical')
    return real, shuffled, metadata


def test_pearson_delta_is_zero_on_itself_and_large_when_broken(compare, frames):
    real, shuffled, _ = frames
    columns = ['x', 'y', 'z']
    assert compare.mean_abs_pearson_delta(real, real, columns) == pytest.approx(0)
    expected = abs(real['x'].corr(real['y']) - shuffled['x'].corr(shuffled['y']))
    expected += abs(real['y'].corr(real['z']) - shuffled['y'].corr(shuffled['z']))
    assert compare.mean_abs_pearson_delta(real, shuffled, columns) == pytest.approx(expected / 3)
    assert math.isnan(compare.mean_abs_pearson_delta(real, real, ['x']))


def test_pearson_delta_skips_constant_columns(compare, frames):
    real, _, _ = frames
    constant = real.assign(z=1.0)
    assert compare.mean_abs_pearson_delta(real, constant, ['x', 'y', 'z']) == pytest.approx(0)


def test_classwise_delta_weights_classes_by_real_frequency(compare):
    real = pd.DataFrame(
        {
            'a': [0, 1, 2, 3, 0, 1, 2, 3, 4, 5],
            'b': [0, 1, 2, 3, 0, 1, 2, 3, 4, 5],
            'c': ['p'] * 4 + ['q'] * 6,
        }
    )
    synthetic = real.copy()
    synthetic.loc[synthetic['c'] == 'q', 'b'] = [5, 4, 3, 2, 1, 0]  # q: +1 becomes -1
    delta = compare.classwise_pearson_delta(real, synthetic, ['a', 'b'], 'c')
    assert delta == pytest.approx(0.4 * 0 + 0.6 * 2)


def test_classwise_delta_skips_classes_missing_from_synthetic(compare):
    real = pd.DataFrame({'a': [0, 1, 2, 0, 1, 2], 'b': [0, 1, 2, 2, 1, 0], 'c': list('pppqqq')})
    only_p = real[real['c'] == 'p']
    assert compare.classwise_pearson_delta(real, only_p, ['a', 'b'], 'c') == pytest.approx(0)
    assert math.isnan(compare.classwise_pearson_delta(real, only_p.head(2), ['a', 'b'], 'c'))


def test_all_pairs_pair_trends_counts_weak_pairs(compare, frames):
    real, shuffled, metadata = frames
    same = compare.quality_scores(real, real, metadata, 'tiny')
    assert same['pair_trends_all'] == pytest.approx(1)
    broken = compare.quality_scores(real, shuffled, metadata, 'tiny')
    # only x-y (|r| > 0.5) and x-colour pass the default thresholds; all pairs add the weak ones
    assert broken['pair_trends_all'] > broken['pair_trends']
    assert broken['shapes'] == pytest.approx(1)


def test_utility_score_f1_for_a_class_and_r2_for_a_number(compare, frames):
    real, shuffled, metadata = frames
    train, test = real.iloc[:100], real.iloc[100:]
    assert compare.utility_score(train, test, metadata, 'tiny', 'colour') > 0.9
    assert compare.utility_score(train, test, metadata, 'tiny', 'y') > 0.5
    one_class = train.assign(colour='red')
    assert compare.utility_score(one_class, test, metadata, 'tiny', 'colour') < 0.5


def test_format_cell_mean_and_sd(compare):
    assert compare.format_cell([0.5], 3) == '0.500'
    assert compare.format_cell([1.0, 3.0], 1) == '2.0 ± 1.4'
    assert compare.format_cell([math.nan, 2.0], 0) == '2'
    assert compare.format_cell([math.nan], 2) == ''


def test_markdown_table_rows_and_notes(compare):
    records = [
        {'table': 't', 'synthesizer': 's', 'seed': seed, 'quality': value, 'fit_s': math.nan}
        for seed, value in enumerate([0.8, 0.9, 1.0])
    ]
    text = compare.markdown_table([records], notes=['a note'])
    header, separator, row, blank, note = text.splitlines()
    assert header.count('|') == separator.count('|') == row.count('|')
    assert row.startswith('| t | s | 0-2 | 0.900 ± 0.100 |')
    assert note == '- a note'


def test_params_apply_base_then_ablation_then_own(compare):
    params = compare.parse_params(
        ['attncorr.epochs=7', 'attncorr.correlation_weight=2', 'attncorr-nocorr.generator=mlp']
    )
    assert params['attncorr'] == {'epochs': 7, 'correlation_weight': 2}
    arguments = compare.synthesizer_params('attncorr-nocorr', params)
    assert arguments == {
        'epochs': 7,
        'correlation_weight': 0.0,
        'classwise_weight': 0.0,
        'generator': 'mlp',
    }
    with pytest.raises(ValueError, match='SYNTH.KEY=VALUE'):
        compare.parse_params(['nosuch.epochs=1'])


def test_quick_and_out_options(compare, tmp_path):
    args = compare.parse_args(['--quick'])
    assert args.epochs == compare.QUICK_EPOCHS
    assert args.tables == list(compare.QUICK_TABLES)
    existing = tmp_path / 'table.md'
    existing.write_text('keep me')
    with pytest.raises(SystemExit):
        compare.parse_args(['--out', str(existing)])
    assert compare.parse_args(['--out', str(existing), '--force']).force
