"""``sdv-attncorr benchmark`` through the command line, in a subprocess (the smallest run)."""

import subprocess
import sys

import pandas as pd

TINY_RUN = ['--quick', '--tables', 'demo', '--synthesizers', 'gaussiancopula', 'attncorr',
            '--epochs', '1']  # fmt: skip


def run_cli(*args, cwd):
    command = [sys.executable, '-m', 'sdv_attncorr.cli', 'benchmark', *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)


def test_help_shows_an_example(tmp_path):
    result = run_cli('--help', cwd=tmp_path)
    assert result.returncode == 0
    assert 'examples:' in result.stdout
    assert 'sdv-attncorr benchmark --quick --out' in result.stdout


def test_a_tiny_benchmark_writes_the_csv_the_markdown_and_the_plots(tmp_path):
    out = tmp_path / 'bench'
    result = run_cli(*TINY_RUN, '--out', out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    results = pd.read_csv(out / 'results.csv')
    assert results[['table', 'synthesizer', 'seed']].values.tolist() == [
        ['demo', 'gaussiancopula', 0],
        ['demo', 'attncorr', 0],
    ]
    assert results['quality'].between(0, 1).all()
    assert results.loc[1, 'epochs'] == 1
    markdown = (out / 'results.md').read_text('utf-8')
    assert '| demo | attncorr | 0 |' in markdown
    assert '- demo: 107 train rows' in markdown
    assert (out / 'quality_vs_fit_time.png').stat().st_size > 1000
    assert (out / 'bars_quality.png').exists()


def test_a_non_empty_out_is_refused_and_left_untouched(tmp_path):
    out = tmp_path / 'bench'
    out.mkdir()
    (out / 'results.md').write_text('keep me')
    result = run_cli(*TINY_RUN, '--out', out, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith('sdv-attncorr benchmark: error: --out ')
    assert result.stderr.count('\n') == 1
    assert '--force' in result.stderr
    assert [path.name for path in out.iterdir()] == ['results.md']
    assert (out / 'results.md').read_text() == 'keep me'


def test_an_unknown_synthesizer_is_one_line_with_exit_code_2(tmp_path):
    result = run_cli('demo', '--synthesizers', 'gan', '--out', tmp_path / 'b', cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count('\n') == 1
    assert "unknown synthesizer 'gan'" in result.stderr
    assert not (tmp_path / 'b').exists()
