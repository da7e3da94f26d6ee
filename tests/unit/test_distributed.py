"""The one-process parts of distributed training: launch detection, shares, row draws."""

import pytest
import torch

from sdv_attncorr.commands.common import without_nproc
from sdv_attncorr.core.random import RowDraws, Shard, normal_rows, uniform_rows
from sdv_attncorr.core.training.distributed import launched_device, launched_shard
from sdv_attncorr.core.training.schedule import sharded_batch

LAUNCH = {'RANK': '1', 'WORLD_SIZE': '3', 'LOCAL_RANK': '1'}


def test_no_launch_is_one_whole_share(monkeypatch):
    for name in LAUNCH:
        monkeypatch.delenv(name, raising=False)
    shard = launched_shard()
    rows = torch.arange(6)
    assert shard == Shard(0, 1)
    assert not shard.is_distributed
    assert shard.local(rows) is rows


def test_torchrun_launch_is_detected(monkeypatch):
    for name, value in LAUNCH.items():
        monkeypatch.setenv(name, value)
    shard = launched_shard()
    assert shard == Shard(1, 3)
    assert shard.local(torch.arange(6)).tolist() == [2, 3]
    assert launched_device('cuda') == torch.device('cuda', 1)
    assert launched_device('cpu') == torch.device('cpu')


def test_a_partial_launch_is_refused(monkeypatch):
    for name in LAUNCH:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('RANK', '0')
    with pytest.raises(RuntimeError, match='LOCAL_RANK, WORLD_SIZE'):
        launched_shard()


@pytest.mark.parametrize('draw', [uniform_rows, normal_rows])
def test_each_rank_draws_its_rows_of_the_global_batch(draw):
    like = {'like': torch.zeros(())} if draw is uniform_rows else {}
    whole = draw((6, 4), rng=torch.Generator().manual_seed(0), **like)
    for rank in range(3):
        rng = RowDraws(torch.Generator().manual_seed(0), Shard(rank, 3))
        share = draw((2, 4), rng=rng, **like)
        torch.testing.assert_close(share, whole[2 * rank : 2 * rank + 2], rtol=0, atol=0)


def test_the_batch_splits_into_whole_packs():
    assert sharded_batch(500, 10, 1) == 500
    assert sharded_batch(500, 10, 3) == 480
    with pytest.raises(ValueError, match='cannot give each of 4 processes a pack of 10'):
        sharded_batch(30, 10, 4)


def test_the_launched_command_drops_nproc():
    argv = ['fit', 't.csv', '--nproc', '2', '--out', 'm.pkl', '--nproc=3']
    assert without_nproc(argv) == ['fit', 't.csv', '--out', 'm.pkl']


def test_sampling_runs_on_the_training_device_when_it_is_at_hand(monkeypatch):
    from sdv_attncorr.core.training.config import GANConfig
    from sdv_attncorr.models.gan_model import GANModel

    config = GANConfig()
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    assert GANModel(config, device='cuda:0').sampling_device() == torch.device('cpu')
    assert GANModel(config).sampling_device() == torch.device('cpu')

    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 2)
    assert GANModel(config, device='cuda:1').sampling_device() == torch.device('cuda', 1)
    # Trained on a fourth GPU, loaded on a machine with two: the first.
    assert GANModel(config, device='cuda:3').sampling_device() == torch.device('cuda')
