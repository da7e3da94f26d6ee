"""The ``sdv_attncorr.benchmark`` package and the command's checks, on tiny frames (no fit)."""

import argparse
import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sdv.metadata import Metadata

from sdv_attncorr.benchmark import BenchmarkInputError, metrics, plots, report, tables
from sdv_attncorr.benchmark.suite import BenchmarkConfig, Results, run_benchmark
from sdv_attncorr.benchmark.synthesizers import (
    ALL_NAMES,
    check_names,
    check_param_keys,
    parse_params,
    synthesizer_params,
)
from sdv_attncorr.cli import CommandError
from sdv_attncorr.commands import benchmark as command
from sdv_attncorr.evaluation.correlation import MIN_CLASS_ROWS
from tests.conftest import FAST, TABLE


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


@pytest.fixture
def table_file(tmp_path, frames):
    path = tmp_path / 'tiny.csv'
    frames[0].to_csv(path, index=False)
    return path


def fake_records(table='t', synthesizer='s', values=(0.8, 0.9, 1.0)):
    return [
        {'table': table, 'synthesizer': synthesizer, 'seed': seed, 'quality': value, 'fit_s': 2.0}
        for seed, value in enumerate(values)
    ]


def command_args(**overrides):
    defaults = {
        'tables': [],
        'more_tables': [],
        'class_column': None,
        'synthesizers': None,
        'seeds': None,
        'epochs': None,
        'quick': False,
        'param': [],
        'threads': 1,
    }
    return argparse.Namespace(**{**defaults, **overrides})


# --- metrics ------------------------------------------------------------------------------------


def test_pearson_delta_is_zero_on_itself_and_large_when_broken(frames):
    real, shuffled, _ = frames
    columns = ['x', 'y', 'z']
    assert metrics.pearson_scores(real, real, columns, None)['pearson_delta'] == pytest.approx(0)
    expected = abs(real['x'].corr(real['y']) - shuffled['x'].corr(shuffled['y']))
    expected += abs(real['y'].corr(real['z']) - shuffled['y'].corr(shuffled['z']))
    broken = metrics.pearson_scores(real, shuffled, columns, None)
    assert broken['pearson_delta'] == pytest.approx(expected / 3)
    assert math.isnan(broken['classwise_delta'])
    assert math.isnan(metrics.pearson_scores(real, real, ['x'], None)['pearson_delta'])


def test_pearson_delta_skips_constant_columns(frames):
    real, _, _ = frames
    constant = real.assign(z=1.0)
    scores = metrics.pearson_scores(real, constant, ['x', 'y', 'z'], None)
    assert scores['pearson_delta'] == pytest.approx(0)


def test_classwise_delta_weights_classes_by_real_frequency():
    p_values, q_values = list(range(10)), list(range(15))
    real = pd.DataFrame(
        {'a': p_values + q_values, 'b': p_values + q_values, 'c': ['p'] * 10 + ['q'] * 15}
    )
    synthetic = real.copy()
    synthetic.loc[synthetic['c'] == 'q', 'b'] = q_values[::-1]  # q: +1 becomes -1
    delta = metrics.pearson_scores(real, synthetic, ['a', 'b'], 'c')['classwise_delta']
    assert delta == pytest.approx(0.4 * 0 + 0.6 * 2)


def test_classwise_delta_skips_classes_below_the_minimum_rows():
    assert MIN_CLASS_ROWS == 10
    values = np.arange(10.0)
    real = pd.DataFrame(
        {
            'a': np.concatenate([values, values]),
            'b': np.concatenate([values, values[::-1]]),
            'c': ['p'] * 10 + ['q'] * 10,
        }
    )
    only_p = real[real['c'] == 'p']
    assert metrics.pearson_scores(real, only_p, ['a', 'b'], 'c')['classwise_delta'] == 0
    nine_rows = only_p.head(MIN_CLASS_ROWS - 1)
    assert math.isnan(metrics.pearson_scores(real, nine_rows, ['a', 'b'], 'c')['classwise_delta'])


def test_all_pairs_pair_trends_counts_weak_pairs(frames):
    real, shuffled, metadata = frames
    same = metrics.sdmetrics_scores(real, real, real, metadata, 'tiny')
    assert same['pair_trends_all'] == pytest.approx(1)
    broken = metrics.sdmetrics_scores(real, real, shuffled, metadata, 'tiny')
    # only x-y (|r| > 0.5) and x-colour pass the default thresholds; all pairs add the weak ones
    assert broken['pair_trends_all'] > broken['pair_trends']
    assert broken['shapes'] == pytest.approx(1)
    assert broken['diagnostic'] == pytest.approx(1)


def test_utility_score_f1_for_a_class_and_r2_for_a_number(frames):
    real, _, metadata = frames
    train, test = real.iloc[:100], real.iloc[100:]
    assert metrics.utility_score(train, test, train, metadata, 'tiny', 'colour') > 0.9
    assert metrics.utility_score(train, test, train, metadata, 'tiny', 'y') > 0.5
    one_class = train.assign(colour='red')  # no classifier can be trained on one class
    assert math.isnan(metrics.utility_score(train, test, one_class, metadata, 'tiny', 'colour'))


# --- report and plots ---------------------------------------------------------------------------


def test_train_half_scores_see_copies_of_the_train_half(frames):
    real, _, metadata = frames
    train, test = real.iloc[:100], real.iloc[100:]
    copied = metrics.train_half_scores(train, test, train, metadata, 'tiny')
    fresh = metrics.train_half_scores(train, test, test, metadata, 'tiny')

    assert set(copied) == {'mfs_distance', 'exact_copy_share', 'dcr_ratio', 'membership_auc'}
    assert copied['exact_copy_share'] == 1 and copied['dcr_ratio'] == 0
    assert copied['membership_auc'] == 1
    assert fresh['exact_copy_share'] == 0 and fresh['dcr_ratio'] > 0.5
    # The meta-feature distance grows when the columns' spread and location change.
    stretched = train.assign(x=train['x'] * 3 + 2, z=train['z'] * 3 - 2)
    far = metrics.train_half_scores(train, test, stretched, metadata, 'tiny')
    assert far['mfs_distance'] > 3 * max(copied['mfs_distance'], fresh['mfs_distance'])


def test_evaluate_gives_every_figure_of_the_report(frames):
    real, shuffled, metadata = frames
    train, test = real.iloc[:100], real.iloc[100:]
    scores = metrics.evaluate(train, test, shuffled.iloc[:100], metadata, 'tiny', 'colour')

    figures = {key for _, key, _ in report.COLUMNS} - {
        'fit_s',
        's_per_epoch',
        'steps',
        'critic_steps',
        'rows_per_s',
        'peak_mb',
    }
    assert set(scores) == figures
    assert all(math.isfinite(value) for value in scores.values())


def test_format_cell_mean_and_sd():
    assert report.format_cell([0.5], 3) == '0.500'
    assert report.format_cell([1.0, 3.0], 1) == '2.0 ± 1.4'
    assert report.format_cell([math.nan, 2.0], 0) == '2'
    assert report.format_cell([math.nan], 2) == ''


def test_markdown_table_rows_and_notes():
    records = fake_records()
    records[0]['fit_s'] = math.nan
    text = report.markdown_table([records], notes=['a note'])
    header, separator, row, blank, note = text.splitlines()
    assert header.count('|') == separator.count('|') == row.count('|')
    assert row.startswith('| t | s | 0-2 | 0.900 ± 0.100 |')
    assert note == '- a note'


def test_tables_and_plots_are_written(tmp_path):
    groups = [fake_records('a', 's'), fake_records('a', 'real-half'), fake_records('b', 's')]
    groups[1] = [{**record, 'fit_s': math.nan} for record in groups[1]]
    results = Results(groups=groups, notes=['n'])
    report.write_tables(tmp_path / 'out', results)
    written = plots.write_plots(tmp_path / 'out', groups)

    assert pd.read_csv(tmp_path / 'out' / 'results.csv').shape == (9, len(report.CSV_FIELDS))
    assert '- n' in (tmp_path / 'out' / 'results.md').read_text('utf-8')
    names = sorted(path.name for path in written)
    assert names == ['bars_fit_s.png', 'bars_quality.png', 'quality_vs_fit_time.png']
    assert all(path.stat().st_size > 1000 for path in written)


# --- synthesizers and parameters ----------------------------------------------------------------


def test_our_synthesizers_train_from_the_split_seed(frames):
    from sdv_attncorr.benchmark.runner import build_synthesizer

    real, _, metadata = frames
    job = {'epochs': 1, 'class_column': 'colour', 'params': {}, 'seed': 2}
    ours = build_synthesizer({**job, 'synthesizer': 'attncorr'}, metadata)
    theirs = build_synthesizer({**job, 'synthesizer': 'gaussiancopula'}, metadata)

    assert ours.random_state == 2 and ours.epochs == 1
    assert 'random_state' not in theirs.get_parameters()


def test_params_read_python_literals_and_lowercase_booleans():
    params = parse_params(
        [
            'attncorr.shared_batch=true',
            'attncorr.early_stopping=False',
            'attncorr.generator_dim=(64, 64)',
            'attncorr.class_column=label',
        ]
    )
    assert params['attncorr'] == {
        'shared_batch': True,
        'early_stopping': False,
        'generator_dim': (64, 64),
        'class_column': 'label',
    }


def test_params_apply_base_then_ablation_then_own():
    params = parse_params(
        ['attncorr.epochs=7', 'attncorr.correlation_weight=2', 'attncorr-nocorr.generator=mlp']
    )
    assert params['attncorr'] == {'epochs': 7, 'correlation_weight': 2}
    arguments = synthesizer_params('attncorr-nocorr', params)
    assert arguments == {
        'epochs': 7,
        'correlation_weight': 0.0,
        'classwise_weight': 0.0,
        'generator': 'mlp',
    }
    check_param_keys(params)


@pytest.mark.parametrize(
    ('items', 'message'),
    [
        (['nosuch.epochs=1'], 'SYNTH.KEY=VALUE'),
        (['attncorr=1'], 'SYNTH.KEY=VALUE'),
        (['gaussiancopula.nosuch=1'], 'gaussiancopula takes'),
    ],
)
def test_bad_params_are_refused(items, message):
    with pytest.raises(BenchmarkInputError, match=message):
        check_param_keys(parse_params(items))


def test_synthesizer_names():
    assert check_names(None) == list(ALL_NAMES)
    assert check_names(['tvae', 'tvae', 'real-half']) == ['tvae', 'real-half']
    with pytest.raises(BenchmarkInputError, match="unknown synthesizer 'gan'"):
        check_names(['gan'])


# --- tables -------------------------------------------------------------------------------------


def test_a_table_file_needs_its_class_column(table_file):
    with pytest.raises(BenchmarkInputError, match='needs --class-column'):
        tables.resolve_tables([str(table_file)])
    with pytest.raises(BenchmarkInputError, match="no column 'label'"):
        tables.resolve_tables([str(table_file)], 'label')
    with pytest.raises(BenchmarkInputError, match='no such file'):
        tables.resolve_tables([str(table_file.with_name('missing.csv'))], 'colour')
    with pytest.raises(BenchmarkInputError, match="unknown table 'iris'"):
        tables.resolve_tables(['iris'], 'colour')


def test_a_table_file_is_split_in_halves_stratified_on_its_class(table_file):
    specs, notes = tables.resolve_tables([str(table_file)], 'colour')
    table = tables.load_table(specs[0], range(2))

    assert (notes, table.name, table.class_column) == ([], 'tiny', 'colour')
    train, test = table.splits[1]
    assert len(train) == len(test) == 100
    assert train['colour'].value_counts().to_dict() == test['colour'].value_counts().to_dict()
    assert not train.equals(table.splits[0][0])
    assert 'TSTR target `colour`, macro F1' in tables.table_note(table)


def test_absent_shared_tables_are_skipped_with_a_note(monkeypatch, tmp_path):
    monkeypatch.setattr(tables, 'shared_data_dirs', lambda: [tmp_path])
    specs, notes = tables.resolve_tables(['crop', 'demo', 'abalone'])
    assert [spec.name for spec in specs] == ['demo']
    assert notes[0] == f'crop skipped: crop_recommendation.csv not found in {tmp_path}'
    assert notes[1].startswith('abalone skipped: abalone_cleaned.csv')


def test_shared_tables_are_found_next_to_the_working_folder(monkeypatch, tmp_path, frames):
    shared = tmp_path / 'shared' / 'data'
    shared.mkdir(parents=True)
    frames[0].rename(columns={'colour': 'label'}).to_csv(shared / 'crop_recommendation.csv')
    (tmp_path / 'work').mkdir()
    monkeypatch.chdir(tmp_path / 'work')
    expected = (shared / 'crop_recommendation.csv').resolve()
    assert tables.find_shared_csv('crop_recommendation.csv') == expected


# --- the loop, with an in-process runner --------------------------------------------------------


def test_run_benchmark_scores_every_synthesizer_and_notes_failures(table_file):
    specs, _ = tables.resolve_tables([str(table_file)], 'colour')
    config = BenchmarkConfig(specs, ['gaussiancopula', 'ctgan', 'real-half'], seeds=2, epochs=1)

    def runner(job):
        if job['synthesizer'] == 'ctgan':
            raise RuntimeError('boom')
        assert (job['epochs'], job['class_column']) == (1, 'colour')
        return {'synthetic': job['train'].sample(frac=1, random_state=0), 'fit_s': 0.5}

    seen = []
    results = run_benchmark(config, lambda _, records: seen.append(records), ['hi'], runner)

    assert [group[0]['synthesizer'] for group in results.groups] == ['gaussiancopula', 'real-half']
    assert seen == results.groups
    assert all(len(group) == 2 for group in results.groups)
    assert results.groups[1][0]['quality'] == pytest.approx(results.groups[0][0]['quality'])
    assert results.groups[1][0]['exact_copy_share'] == 1  # the real half copies itself
    assert results.notes[0] == 'hi'
    assert "tiny / ctgan / seed 0 failed: RuntimeError('boom')" in results.notes


# --- the command's checks -----------------------------------------------------------------------


def test_quick_defaults_and_explicit_values():
    assert command._counts(command_args(quick=True)) == (['crop', 'demo'], 1, 5)
    explicit = command_args(quick=True, more_tables=['demo'], seeds=2, epochs=1)
    assert command._counts(explicit) == (['demo'], 2, 1)
    assert command._counts(command_args()) == (list(tables.BUILT_IN), 3, None)
    for bad in ({'seeds': 0}, {'quick': True, 'epochs': 0}, {'threads': 0}):
        with pytest.raises(CommandError, match='at least 1'):
            command._counts(command_args(**bad))


@pytest.mark.parametrize(
    ('overrides', 'message'),
    [
        ({'synthesizers': ['gan']}, "unknown synthesizer 'gan'"),
        ({'synthesizers': ['ctgan', 'crop']}, "'crop' is a table, not a synthesizer"),
        ({'synthesizers': ['tvae', 'my.csv']}, "'my.csv' is a table.*--tables"),
        ({'param': ['ctgan.epochs']}, "bad --param 'ctgan.epochs'"),
        ({'tables': ['missing.parquet']}, 'missing.parquet: no such file'),
    ],
)
def test_bad_settings_are_command_errors(overrides, message):
    with pytest.raises(CommandError, match=message):
        command.build_config(command_args(**overrides))


def test_out_must_be_an_empty_folder_unless_forced(tmp_path):
    command.check_out(tmp_path / 'new', force=False)
    (tmp_path / 'full').mkdir()
    (tmp_path / 'full' / 'keep.txt').write_text('keep me')
    with pytest.raises(CommandError, match='is not empty'):
        command.check_out(tmp_path / 'full', force=False)
    command.check_out(tmp_path / 'full', force=True)
    with pytest.raises(CommandError, match='is a file'):
        command.check_out(tmp_path / 'full' / 'keep.txt', force=True)


# --- benchmarks/compare.py, the script form -----------------------------------------------------


def test_the_script_keeps_its_options(tmp_path):
    path = Path(__file__).resolve().parents[2] / 'benchmarks' / 'compare.py'
    spec = importlib.util.spec_from_file_location('benchmark_compare', path)
    compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare)

    args, config, _ = compare.parse_args(['--quick', '--tables', 'demo', '--csv', 'x.csv'])
    assert (config.epochs, config.seeds, [t.name for t in config.tables]) == (5, 1, ['demo'])
    assert args.csv == Path('x.csv')
    existing = tmp_path / 'table.md'
    existing.write_text('keep me')
    with pytest.raises(SystemExit):
        compare.parse_args(['--out', str(existing)])
    with pytest.raises(SystemExit):
        compare.parse_args(['--synthesizers', 'gan'])
    assert compare.parse_args(['--tables', 'demo', '--out', str(existing), '--force'])[0].force


# --- a peer in its own virtualenv ---------------------------------------------------------------


@pytest.fixture
def stand_in_peer(monkeypatch, tmp_path):
    """A peer folder whose 'tabularargn' venv is this Python, running the stand-in script."""
    import sys

    from sdv_attncorr.benchmark import peers

    venv = tmp_path / 'peers' / 'tabularargn'
    (venv / 'bin').mkdir(parents=True)
    python = venv / 'bin' / 'python'
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    (venv / peers.INSTALLED).touch()
    script = Path(__file__).resolve().parents[1] / 'fixtures' / 'peer_standin.py'
    monkeypatch.setenv(peers.PEERS_FOLDER_VARIABLE, str(tmp_path / 'peers'))
    monkeypatch.setitem(peers.PEERS, 'tabularargn', peers.Peer('tabularargn', script, ('x',)))
    return venv


def test_a_peer_runs_in_its_virtualenv_and_is_scored(table_file, stand_in_peer):
    specs, _ = tables.resolve_tables([str(table_file)], 'colour')
    config = BenchmarkConfig(specs, ['tabularargn', 'real-half'], seeds=1, epochs=3)
    results = run_benchmark(config)

    peer, real_half = (group[0] for group in results.groups)
    assert peer['synthesizer'] == 'tabularargn'
    assert (peer['fit_s'], peer['epochs'], peer['rows_per_s']) == (1.5, 3, 1000.0)
    assert peer['exact_copy_share'] == 1  # the stand-in shuffles the train rows
    assert peer['quality'] == pytest.approx(real_half['quality'])


def test_a_failing_peer_is_a_note_with_its_last_words(table_file, stand_in_peer):
    specs, _ = tables.resolve_tables([str(table_file)], 'colour')
    params = {'tabularargn': {'max_epochs': -1}}
    config = BenchmarkConfig(specs, ['tabularargn'], seeds=1, params=params)
    results = run_benchmark(config)

    assert not results.groups
    assert any('stand-in refuses max_epochs=-1' in note for note in results.notes)


def test_a_peer_without_its_virtualenv_is_skipped_with_a_note(table_file, monkeypatch, tmp_path):
    from sdv_attncorr.benchmark import peers

    monkeypatch.setenv(peers.PEERS_FOLDER_VARIABLE, str(tmp_path / 'none'))
    specs, _ = tables.resolve_tables([str(table_file)], 'colour')
    results = run_benchmark(BenchmarkConfig(specs, ['tabularargn'], seeds=1))

    assert not results.groups
    assert any(
        note.startswith('tabularargn skipped: its virtualenv') and 'make peers' in note
        for note in results.notes
    )


def test_peer_params_are_checked_against_its_own_arguments():
    params = parse_params(['tabularargn.max_training_time=60'])

    check_param_keys(params)
    assert synthesizer_params('tabularargn', params) == {'max_training_time': 60}
    with pytest.raises(BenchmarkInputError, match='tabularargn takes max_training_time'):
        check_param_keys(parse_params(['tabularargn.epochs=3']))


def test_the_peer_gets_dates_as_dates_and_we_get_back_the_train_tables_types():
    from sdv_attncorr.benchmark.peers import as_in_train, typed_for_peer

    train = pd.DataFrame({'day': ['2024-01-05', None, '2024-03-01'], 'ok': [True, False, True]})
    formats = {'day': '%Y-%m-%d'}
    typed = typed_for_peer(train, formats)
    assert pd.api.types.is_datetime64_any_dtype(typed['day'])

    returned = pd.DataFrame({'day': typed['day'], 'ok': ['True', 'False', 'True']})
    back = as_in_train(returned, train, formats)
    assert back['day'].tolist() == ['2024-01-05', None, '2024-03-01']
    assert back['ok'].tolist() == [True, False, True]


def test_the_cost_counts_the_epochs_an_early_stopped_fit_ran(
    monkeypatch, mixed_table, mixed_metadata
):
    from sdv_attncorr import AttnCorrGANSynthesizer
    from sdv_attncorr.benchmark.runner import epochs_trained, optimizer_steps
    from sdv_attncorr.core.training import early_stopping

    monkeypatch.setattr(early_stopping, 'STEPS_PER_SCORE', 1)  # a score every epoch
    synthesizer = AttnCorrGANSynthesizer(mixed_metadata, **{**FAST, 'epochs': 40, 'patience': 1})
    synthesizer.fit({TABLE: mixed_table})

    ran = len(synthesizer.get_loss_values())
    assert ran < 40
    assert epochs_trained(synthesizer) == ran
    steps_per_epoch = len(mixed_table) // FAST['batch_size']
    assert optimizer_steps(synthesizer, len(mixed_table)) == (ran * steps_per_epoch,) * 2


def test_a_fit_in_the_worker_runs_joblib_in_one_process(monkeypatch, frames):
    # CTGAN's and TVAE's transformer call Parallel(n_jobs=-1) above 500 rows; loky's worker
    # processes used more cores than the fit's and outlived it, so the worker never ended.
    from joblib import Parallel, delayed

    from sdv_attncorr.benchmark import runner

    real, _, metadata = frames
    backends = []

    class JoblibSynthesizer:
        def fit(self, data):
            Parallel(n_jobs=-1)(delayed(abs)(-1) for _ in range(2))
            backends.append(type(Parallel(n_jobs=-1)._backend).__name__)

        def sample(self, num_rows):
            return {'tiny': real.head(num_rows)}

    monkeypatch.setattr(runner, 'build_synthesizer', lambda job, metadata: JoblibSynthesizer())
    monkeypatch.setattr(runner, '_cost', lambda *args: {})
    job = {'threads': 1, 'seed': 0, 'train': real, 'table_name': 'tiny'}
    result = runner.run_worker({**job, 'metadata': metadata.to_dict()})

    assert backends == ['SequentialBackend']
    assert len(result['synthetic']) == len(real)


def test_the_worker_loads_torchs_lazy_imports_before_it_times_the_fit(monkeypatch, frames):
    # TabularARGN's import loads torch._dynamo before its clock starts; ours, CTGAN's and
    # TVAE's first optimizer step loaded it inside the timed fit (about 1 s).
    from sdv_attncorr.benchmark import runner

    real, _, metadata = frames
    events = []

    class RecordingSynthesizer:
        def fit(self, data):
            events.append('fit')

        def sample(self, num_rows):
            return {'tiny': real.head(num_rows)}

    monkeypatch.setattr(runner, 'build_synthesizer', lambda job, metadata: RecordingSynthesizer())
    monkeypatch.setattr(runner, 'preload_lazy_imports', lambda: events.append('preload'))
    monkeypatch.setattr(runner, '_cost', lambda *args: {})
    job = {'threads': 1, 'seed': 0, 'train': real, 'table_name': 'tiny'}
    runner.run_worker({**job, 'metadata': metadata.to_dict()})

    assert events == ['preload', 'fit']
