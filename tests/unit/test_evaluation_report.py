"""``evaluate`` end to end: SDMetrics scores, the summary, the saved folder and the plots."""

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sdmetrics.demos import load_single_table_demo
from sdv.evaluation import evaluate_quality
from sdv.metadata import Metadata

from sdv_attncorr.evaluation import EvaluationReport, Limits, evaluate

FAST = Limits(mfs_subsamples=8, dcr_query_rows=500)
SUMMARY_KEYS = {
    'quality_score',
    'column_shapes',
    'column_pair_trends',
    'column_pair_trends_all_pairs',
    'diagnostic_score',
    'correlation_distance',
    'classwise_correlation_distance',
    'mfs_distance',
    'ml_utility',
    'privacy',
}


def load_demo():
    """SDMetrics' student placements demo, with metadata SDV 2.0 accepts."""
    real, synthetic, metadata = load_single_table_demo()
    table_name = next(iter(metadata['tables']))
    for column in metadata['tables'][table_name]['columns'].values():
        column.pop('regex_format', None)  # SDV 2.0 rejects the demo's student_id regex
        column.pop('computer_representation', None)  # deprecated key: avoid the warnings

    return real[table_name], synthetic[table_name], Metadata.load_from_dict(metadata)


@pytest.fixture(scope='module')
def demo():
    return load_demo()


@pytest.fixture(scope='module')
def demo_report(demo):
    real, synthetic, metadata = demo
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        return evaluate(real, synthetic, metadata, class_column='placed', limits=FAST)


class FakeSynthesizer:
    """Stands for a fitted synthesizer: a loss history with a regulariser column."""

    def get_loss_values(self):
        epochs = np.arange(5)
        return pd.DataFrame(
            {
                'Epoch': epochs,
                'Generator Loss': 1.0 / (epochs + 1),
                'Discriminator Loss': -0.5 / (epochs + 1),
                'Correlation Loss': 0.1 * np.exp(-epochs),
            }
        )


def test_all_pairs_score_is_sdmetrics_with_both_thresholds_at_zero(demo, demo_report):
    from sdmetrics.reports.single_table import QualityReport

    real, synthetic, metadata = demo
    reference = QualityReport()
    reference.real_correlation_threshold = 0
    reference.real_association_threshold = 0
    table_metadata = next(iter(metadata.to_dict()['tables'].values()))
    reference.generate(real, synthetic, table_metadata, verbose=False)
    properties = reference.get_properties().set_index('Property')['Score']
    summary = demo_report.summary()

    assert summary['column_pair_trends_all_pairs'] == pytest.approx(
        properties['Column Pair Trends'], abs=1e-12
    )
    # What SDV reports counts only strongly related pairs: a different figure.
    expected = evaluate_quality(real, synthetic, metadata, verbose=False).get_score()
    assert summary['quality_score'] == pytest.approx(expected, abs=1e-12)
    assert summary['column_pair_trends'] != pytest.approx(properties['Column Pair Trends'])


def test_all_pairs_pair_trends_cover_every_pair(demo_report):
    summary = demo_report.summary()
    details = demo_report.all_pairs_quality_report.get_details('Column Pair Trends')
    assert summary['column_pair_trends_pairs_counted'] < summary['column_pair_trends_pairs_total']
    assert len(details) == summary['column_pair_trends_pairs_total']
    assert summary['column_pair_trends_all_pairs'] == pytest.approx(details['Score'].mean())
    assert summary['column_pair_trends_all_pairs'] != pytest.approx(summary['column_pair_trends'])


def test_summary_is_complete_and_json_ready(demo_report):
    summary = demo_report.summary()
    assert SUMMARY_KEYS <= set(summary)
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary
    assert summary['columns']['excluded'] == {'student_id': 'id'}
    assert summary['ml_utility']['task'] == 'classification'
    assert summary['skipped'] == {'loss_curves': 'no synthesizer was given'}
    assert any('numeric columns only' in note for note in summary['notes'])
    assert any('synthesizer may have seen' in note for note in summary['notes'])
    assert 'subsamples of' in summary['subsampling']['mfs_distance']


def test_identical_tables_score_perfectly(demo):
    real, _, metadata = demo
    report = evaluate(real, {'student_placements': real.copy()}, metadata, limits=FAST)
    summary = report.summary()
    assert summary['quality_score'] == pytest.approx(1.0)
    assert summary['correlation_distance'] == 0.0
    assert summary['mfs_distance'] == 0.0
    assert summary['privacy']['exact_copy_share'] == 1.0
    assert summary['classwise_correlation_distance'] is None
    assert summary['ml_utility'] is None
    assert 'neither target nor class_column' in summary['skipped']['ml_utility']


def test_evaluate_is_deterministic(demo, demo_report):
    real, synthetic, metadata = demo
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        again = evaluate(real, synthetic, metadata, class_column='placed', limits=FAST)
    assert again.summary() == demo_report.summary()


def test_holdout_changes_the_test_set_and_the_privacy_baseline(demo):
    real, synthetic, metadata = demo
    train, holdout = real.iloc[:150], real.iloc[150:]
    report = evaluate(
        train, synthetic, metadata, target='salary', holdout_data=holdout, limits=FAST
    )
    summary = report.summary()
    assert summary['ml_utility']['test_set'] == 'holdout_data'
    assert summary['ml_utility']['task'] == 'regression'
    assert not any('synthesizer may have seen' in note for note in summary['notes'])
    assert summary['privacy']['dcr_baseline'] == 'holdout_data rows'
    assert 0.0 <= summary['privacy']['sdmetrics']['DCROverfittingProtection'] <= 1.0


def test_every_sdtype_is_handled(mixed_table, mixed_metadata):
    report = evaluate(
        mixed_table,
        mixed_table.sample(frac=1, random_state=0),
        mixed_metadata,
        class_column='group',
        limits=FAST,
    )
    summary = report.summary()
    assert summary['columns']['excluded'] == {'id': 'id', 'email': 'email'}
    assert summary['correlation_distance'] == pytest.approx(0.0, abs=1e-12)
    assert summary['privacy']['exact_copy_share'] == 1.0


def with_loss_values(report, loss_values):
    """The same report, as if a synthesizer with this loss history had been given."""
    raw = (report.real_data, report.synthetic_data, report.holdout_data)
    return EvaluationReport(
        report.table_name, report.roles, raw, report.results, loss_values, {}, report.limits, {}
    )


def test_save_writes_an_offline_report_and_refuses_a_full_folder(demo_report, tmp_path):
    folder = tmp_path / 'report'
    report = with_loss_values(demo_report, FakeSynthesizer().get_loss_values())
    report.save(folder)
    names = {path.name for path in folder.iterdir()}
    expected = {'summary.json', 'summary.md', 'index.html', 'plotly.min.js'}
    expected |= {'correlation_heatmaps.png', 'classwise_correlation.png', 'loss_curves.png'}
    assert expected <= names
    index = (folder / 'index.html').read_text('utf-8')
    for name in names - {'index.html', 'plotly.min.js'}:
        assert name in index
    for page in folder.glob('*.html'):
        assert 'cdn.plot.ly' not in page.read_text('utf-8')
    assert json.loads((folder / 'summary.json').read_text('utf-8')) == report.summary()
    assert r'mean \|Δ\|' in (folder / 'summary.md').read_text('utf-8')

    with pytest.raises(FileExistsError, match=f'{folder}.*overwrite=True'):
        report.save(folder)
    report.save(folder, overwrite=True)


def test_loss_curves_show_every_loss_column(demo_report):
    report = with_loss_values(demo_report, FakeSynthesizer().get_loss_values())
    _, figure = report.figures()['loss_curves.png']
    titles = {axis.get_title() for axis in figure.axes if axis.get_visible()}
    assert titles == {'Generator Loss', 'Discriminator Loss', 'Correlation Loss'}


def test_a_score_taken_every_few_epochs_is_drawn_through_its_points(demo_report):
    losses = FakeSynthesizer().get_loss_values()
    losses['Validation Score'] = [0.5 if epoch % 2 else math.nan for epoch in losses['Epoch']]
    report = with_loss_values(demo_report, losses)
    _, figure = report.figures()['loss_curves.png']
    axis = next(axis for axis in figure.axes if axis.get_title() == 'Validation Score')
    (line,) = axis.get_lines()
    assert list(line.get_ydata()) == [0.5] * int(losses['Validation Score'].notna().sum())


def test_a_failing_loss_history_is_reported(demo):
    class Unfitted:
        def get_loss_values(self):
            raise RuntimeError('fit first')

    real, synthetic, metadata = demo
    report = evaluate(real, synthetic, metadata, synthesizer=Unfitted(), limits=FAST)
    assert 'RuntimeError: fit first' in report.summary()['skipped']['loss_curves']
    assert 'loss_curves.png' not in report.figures()
