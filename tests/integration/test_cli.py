"""The command line, driven as a user would: a subprocess, exit codes, one-line errors."""

import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import make_mixed_table

FAST_PARAMS = [
    '--param', 'batch_size=20', '--param', 'embedding_dim=8', '--param', 'attention_dim=8',
    '--param', 'attention_heads=2', '--param', 'attention_blocks=1',
    '--param', 'discriminator_dim=(16,)', '--param', 'generator_dim=(16,)',
    '--param', 'mfs_subsamples=2', '--param', 'mfs_subsample_size=10',
]  # fmt: skip


def cli(*arguments, cwd):
    return subprocess.run(
        [sys.executable, '-m', 'sdv_attncorr.cli', *map(str, arguments)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope='module')
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp('cli')
    make_mixed_table().drop(columns=['email', 'id']).to_csv(folder / 'table.csv', index=False)
    return folder


@pytest.fixture(scope='module')
def model(workdir):
    result = cli('fit', 'table.csv', '--synthesizer', 'wgan-mfs', '--class-column', 'group',
                 '--epochs', 1, *FAST_PARAMS, '--out', 'model.pkl', cwd=workdir)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return workdir / 'model.pkl'


def test_fit_saves_the_model_and_the_detected_metadata(model):
    assert model.exists()
    assert (model.parent / 'model.metadata.json').exists()


@pytest.mark.parametrize('suffix', ['csv', 'parquet'])
def test_sample_with_conditions(model, workdir, suffix):
    result = cli('sample', model, '--rows', 10, '--condition', 'group=a:4', '--condition',
                 'flag=True:3', '--out', f'out.{suffix}', cwd=workdir)  # fmt: skip
    frame = (
        pd.read_csv(workdir / 'out.csv')
        if suffix == 'csv'
        else pd.read_parquet(workdir / 'out.parquet')
    )

    assert result.returncode == 0, result.stderr
    assert len(frame) == 17
    assert (frame['group'] == 'a').sum() >= 4


@pytest.mark.parametrize(
    'arguments, message',
    [
        (['sample', 'model.pkl', '--rows', 5, '--out', 'exists.csv'], 'already exists'),
        (['sample', 'table.csv', '--rows', 5, '--out', 'new.csv'], 'not a saved synthesizer'),
        (['sample', 'missing.pkl', '--rows', 5, '--out', 'new.csv'], 'no such file'),
        (['sample', 'model.pkl', '--condition', 'group=zzz:2', '--out', 'n.csv'], 'never appears'),
        (['sample', 'model.pkl', '--condition', 'group=a', '--out', 'n.csv'], 'COLUMN=VALUE:COUNT'),
        (['fit', 'missing.csv', '--out', 'm2.pkl'], 'no such file'),
        (['fit', 'table.csv', '--param', 'colour=red', '--out', 'm2.pkl'], "bad --param 'colour"),
        (['fit', 'table.csv', '--epochs', 0, '--out', 'm2.pkl'], 'epochs must be a positive'),
        (['fit', 'table.csv', '--class-column', 'amount', '--out', 'm2.pkl'], 'class_column'),
    ],
)
def test_refusals_exit_2_with_one_line(model, workdir, arguments, message):
    (workdir / 'exists.csv').write_text('keep me\n')
    result = cli(*arguments, cwd=workdir)

    assert result.returncode == 2
    assert message in result.stderr
    assert 'Traceback' not in result.stderr
    assert (workdir / 'exists.csv').read_text() == 'keep me\n'


@pytest.mark.parametrize('command', ['fit', 'sample', 'demo'])
def test_help_shows_an_example(command, tmp_path):
    result = cli(command, '--help', cwd=tmp_path)

    assert result.returncode == 0
    assert 'example' in result.stdout


def test_fit_help_documents_every_hyperparameter_of_the_table(tmp_path):
    from sdv_attncorr.core.training.config import GANConfig

    text = ' '.join(cli('fit', '--help', cwd=tmp_path).stdout.split())

    for name in GANConfig.field_names():
        if name != 'verbose':
            assert f' {name} (attncorr ' in text
    assert "generator (attncorr 'attention', wgan-mfs 'mlp') Generator body:" in text


DECLARED = (
    "dp_declared={'group': ['a', 'b', 'c'], 'rare': ['solo', 'common'], 'flag': [False, True], "
    "'count': [0, 1, 2, 3, 4]}"
)


def test_fit_with_epsilon_reports_the_privacy_spent(workdir):
    result = cli('fit', 'table.csv', '--param', 'epsilon=5', '--param', DECLARED, '--param',
                 'dp_epochs=1', *FAST_PARAMS, '--out', 'dp.pkl', cwd=workdir)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert 'Differential privacy of the training rows: epsilon=' in result.stdout


def test_fit_with_epsilon_refuses_nproc_and_undeclared_values_in_one_line(workdir):
    refused = cli('fit', 'table.csv', '--param', 'epsilon=5', '--nproc', 2, '--out', 'p.pkl',
                  cwd=workdir)  # fmt: skip
    assert refused.returncode == 2
    assert 'drop --nproc or epsilon' in refused.stderr
    undeclared = cli('fit', 'table.csv', '--param', 'epsilon=5', '--param',
                     "dp_declared={'group': ['a']}", '--out', 'p.pkl', cwd=workdir)  # fmt: skip
    assert undeclared.returncode == 2
    (error,) = [line for line in undeclared.stderr.splitlines() if 'error:' in line]
    assert 'dp_declared' in error  # 'count' is detected categorical and not declared
