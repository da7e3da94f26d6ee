"""Aim tracking: a fit logs its hyperparameters, losses, gradient norms and MFS distances."""

import importlib.util

import pytest
from sdv.errors import SynthesizerInputError

from sdv_attncorr import AttnCorrGANSynthesizer, WGANGPMFSSynthesizer
from sdv_attncorr.tracking import MissingDependencyError
from tests.conftest import FAST, TABLE

FEATURES = ['mean', 'sd', 'skewness']


def read_run(repo_path, run_hash):
    """Read a finished run back (Aim indexes runs lazily, so index this one first)."""
    from aim import Repo, Run
    from aim.sdk.index_manager import RepoIndexManager

    RepoIndexManager.get_index_manager(Repo.from_path(str(repo_path))).index(run_hash)
    run = Run(run_hash, repo=str(repo_path), read_only=True)
    metrics = {}
    for metric in run.metrics():
        key = (metric.name, metric.context.to_dict().get('feature'))
        metrics[key] = list(metric.values.sparse_numpy()[1])

    return run['hparams'], metrics


def test_a_fit_is_tracked_in_aim(tmp_path, mixed_table, mixed_metadata):
    pytest.importorskip('aim', reason='the aim extra is not installed')
    repo = tmp_path / 'aim'
    synthesizer = WGANGPMFSSynthesizer(
        mixed_metadata,
        **{**FAST, 'epochs': 2},
        mfs_features=FEATURES,
        mfs_interval=1,
        aim_repo=str(repo),
    )
    synthesizer.fit({TABLE: mixed_table})

    hparams, metrics = read_run(repo, synthesizer.aim_run_hash)
    losses = synthesizer.get_loss_values()
    assert hparams['epochs'] == 2
    assert hparams['mfs_features'] == FEATURES
    for column in ('Generator Loss', 'Discriminator Loss', 'Gradient Penalty', 'MFS Loss'):
        assert metrics[(column, None)] == pytest.approx(list(losses[column]))
    for name in ('Generator Gradient Norm', 'Critic Gradient Norm'):
        assert len(metrics[(name, None)]) == 2
    assert {feature for name, feature in metrics if name == 'MFS Distance'} == set(FEATURES)


def test_tracking_does_not_change_training(tmp_path, mixed_table, mixed_metadata):
    pytest.importorskip('aim', reason='the aim extra is not installed')
    losses = []
    for aim_repo in (None, str(tmp_path / 'aim')):
        synthesizer = WGANGPMFSSynthesizer(
            mixed_metadata, **{**FAST, 'epochs': 3}, mfs_interval=1, aim_repo=aim_repo
        )
        synthesizer.fit({TABLE: mixed_table})
        losses.append(synthesizer.get_loss_values())

    assert losses[0].equals(losses[1])


def test_tracking_without_aim_installed_says_how_to_install_it(monkeypatch, mixed_metadata):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, 'find_spec', lambda name, *a: None if name == 'aim' else find_spec(name, *a)
    )

    with pytest.raises(MissingDependencyError, match=r"pip install 'sdv-attncorr\[aim\]'"):
        AttnCorrGANSynthesizer(mixed_metadata, aim_repo='runs')


def test_aim_repo_must_be_a_path(mixed_metadata):
    with pytest.raises(SynthesizerInputError, match='aim_repo must be a folder path'):
        AttnCorrGANSynthesizer(mixed_metadata, aim_repo=3)


def test_under_torchrun_only_the_first_process_tracks(
    tmp_path, mixed_table, mixed_metadata, monkeypatch
):
    from sdv_attncorr.core.random import Shard
    from sdv_attncorr.synthesizers import base

    repo = tmp_path / 'aim'
    monkeypatch.setattr(base, 'launched_shard', lambda: Shard(rank=1, world=2))
    synthesizer = AttnCorrGANSynthesizer(mixed_metadata, **FAST, aim_repo=str(repo))
    synthesizer.fit({TABLE: mixed_table})  # the engine itself trains alone: no torchrun here

    assert getattr(synthesizer, 'aim_run_hash', None) is None
    assert not repo.exists()
