"""``sdv-attncorr evaluate`` through the command line, in a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SHARED_DATA = Path(__file__).resolve().parents[3] / 'shared' / 'data'


def run_cli(*args, cwd):
    command = [sys.executable, '-m', 'sdv_attncorr.cli', 'evaluate', *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope='module')
def csv_files(tmp_path_factory):
    path = SHARED_DATA / 'crop_recommendation.csv'
    if not path.exists():
        pytest.skip(f'{path} is absent: the shared data sets only exist on the project machines')

    crops = pd.read_csv(path).sample(330, random_state=0).reset_index(drop=True)
    folder = tmp_path_factory.mktemp('csv')
    crops.iloc[:220].to_csv(folder / 'crops.csv', index=False)
    crops.iloc[220:].to_csv(folder / 'holdout.csv', index=False)
    shuffled = crops.iloc[:220].sample(frac=1, random_state=1)
    shuffled['N'] = shuffled['N'].sample(frac=1, random_state=2).to_numpy()
    shuffled.to_csv(folder / 'synthetic.csv', index=False)
    return folder


def test_help_shows_an_example():
    result = subprocess.run(
        [sys.executable, '-m', 'sdv_attncorr.cli', 'evaluate', '--help'],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0
    assert 'example:' in result.stdout
    assert 'sdv-attncorr evaluate crops.csv synthetic.csv' in result.stdout
    assert '--force' in result.stdout


def test_evaluate_writes_a_report_then_refuses_to_overwrite_it(csv_files, tmp_path):
    out = tmp_path / 'report'
    args = ['crops.csv', 'synthetic.csv', '--class-column', 'label', '--out', out]
    result = run_cli(*args, '--holdout', 'holdout.csv', cwd=csv_files)
    assert result.returncode == 0, result.stderr
    assert 'quality_score' in result.stdout
    summary = json.loads((out / 'summary.json').read_text('utf-8'))
    assert summary['table_name'] == 'crops'
    assert summary['ml_utility']['test_set'] == 'holdout_data'
    assert (out / 'index.html').exists()

    refused = run_cli(*args, cwd=csv_files)
    assert refused.returncode == 2
    assert refused.stderr.count('\n') == 1
    assert f'--out {out} is not empty' in refused.stderr
    assert '--force' in refused.stderr


@pytest.mark.parametrize(
    ('extra', 'message'),
    [
        (['--class-column', 'N'], "class_column 'N' is not a categorical"),
        (['--metadata', 'missing.json'], 'metadata file missing.json does not exist'),
    ],
)
def test_user_errors_are_one_line_with_exit_code_2(csv_files, tmp_path, extra, message):
    result = run_cli('crops.csv', 'synthetic.csv', *extra, '--out', tmp_path / 'r', cwd=csv_files)
    assert result.returncode == 2
    assert result.stderr.startswith('sdv-attncorr evaluate: error: ')
    assert result.stderr.count('\n') == 1
    assert message in result.stderr
    assert not (tmp_path / 'r').exists()
