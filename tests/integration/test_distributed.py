"""One model trained by two processes (torchrun, DDP over gloo) is the one-process model.

``sdv-attncorr fit --nproc 2`` launches the unchanged ``fit`` command twice under torchrun;
with the same seed and global batch it must record the same losses as ``--nproc 1`` and save a
model that samples the same rows.
"""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sdv_attncorr import AttnCorrGANSynthesizer, WGANGPMFSSynthesizer
from tests.conftest import make_mixed_table
from tests.integration.test_cli import FAST_PARAMS

# A global batch of 40 rows: two shares of two packs of 10. Early stopping is on (the default),
# scoring every epoch, so the score and its decisions run under DDP too. The models agree up
# to float rounding; calibrating within each group's ~70 rows would turn a rounding difference
# into a neighbouring training quantile (a day in `when`), so these fits calibrate over the
# whole table.
PARAMS = [
    *FAST_PARAMS, '--param', 'batch_size=40', '--param', 'random_state=3',
    '--param', 'patience=2', '--epochs', '3', '--class-column', 'group',
    '--param', 'within_class_calibration=False',
]  # fmt: skip
CLASSES = {'attncorr': AttnCorrGANSynthesizer, 'wgan-mfs': WGANGPMFSSynthesizer}


def fit(folder, synthesizer, nproc):
    out = folder / f'{synthesizer}-{nproc}.pkl'
    result = subprocess.run(
        [sys.executable, '-m', 'sdv_attncorr.cli', 'fit', 'table.csv', '--synthesizer',
         synthesizer, *PARAMS, '--nproc', str(nproc), '--out', out.name],
        cwd=folder, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return CLASSES[synthesizer].load(str(out))


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp('ddp')
    table = make_mixed_table(n_rows=200).drop(columns=['email', 'id', 'rare'])
    table.to_csv(folder / 'table.csv', index=False)
    return folder


@pytest.mark.parametrize('synthesizer', ['attncorr', 'wgan-mfs'])
def test_two_processes_train_the_one_process_model(folder, synthesizer):
    one, two = fit(folder, synthesizer, 1), fit(folder, synthesizer, 2)

    losses_one, losses_two = one.get_loss_values(), two.get_loss_values()
    assert list(losses_two.columns) == list(losses_one.columns)
    assert len(losses_one) >= 2
    np.testing.assert_allclose(losses_two.to_numpy(float), losses_one.to_numpy(float), rtol=1e-4)
    for synth in (one, two):
        synth.reset_sampling()
    rows_one, rows_two = one.sample(50)['table'], two.sample(50)['table']
    pd.testing.assert_frame_equal(rows_two, rows_one, check_exact=False, rtol=1e-3)


def test_nproc_must_be_positive(folder):
    result = subprocess.run(
        [sys.executable, '-m', 'sdv_attncorr.cli', 'fit', 'table.csv', '--nproc', '0',
         '--out', 'never.pkl'],
        cwd=folder, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert '--nproc must be 1 or more' in result.stderr


def sample(folder, *arguments):
    return subprocess.run(
        [sys.executable, '-m', 'sdv_attncorr.cli', 'sample', *arguments],
        cwd=folder, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def model(folder):
    if not (folder / 'wgan-mfs-1.pkl').exists():
        fit(folder, 'wgan-mfs', 1)
    return 'wgan-mfs-1.pkl'


def test_two_processes_sample_a_parquet_folder_a_part_each(folder, model):
    result = sample(folder, model, '--rows', '101', '--nproc', '2', '--out', 'rows')
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'Wrote 101 rows' in result.stdout

    parts = sorted(p.name for p in (folder / 'rows').iterdir())
    assert parts == ['part-00000-of-00002.parquet', 'part-00001-of-00002.parquet']
    assert len(pd.read_parquet(folder / 'rows')) == 101


@pytest.mark.parametrize(
    'arguments, message',
    [
        (['--rows', '5', '--nproc', '2', '--out', 'rows.csv'], '--nproc writes a Parquet folder'),
        (['--condition', 'group=a:3', '--out', 'conditioned'], '--condition writes a .csv'),
    ],
)
def test_sampling_refusals_exit_2_with_one_line(folder, model, arguments, message):
    result = sample(folder, model, *arguments)
    assert result.returncode == 2
    assert message in result.stderr
