"""The MFS loss: finite, lower for the real distribution, and in the gradient."""

import pytest
import torch

from sdv_attncorr.core.layout import CONTINUOUS, TableLayout
from sdv_attncorr.core.losses.mfs_loss import MetaFeatureLoss
from sdv_attncorr.core.losses.registry import mfs_features_for
from sdv_attncorr.core.losses.regularizers import GeneratorBatch
from sdv_attncorr.core.nets.generators import MLPGenerator


def make_loss(real, n_subsamples=8, subsample_size=40):
    return MetaFeatureLoss(
        real,
        torch.arange(real.shape[1]),
        features=('mean', 'sd', 'cor', 'skewness', 'eigenvalues'),
        n_subsamples=n_subsamples,
        subsample_size=subsample_size,
        distance='auto',
        rng=torch.Generator().manual_seed(0),
    )


def real_data(n=2000, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, generator=generator)
    return torch.cat([x, 0.7 * x + 0.3 * torch.randn(n, 1, generator=generator)], dim=1)


def test_real_rows_are_closer_than_shifted_or_decorrelated_rows():
    loss = make_loss(real_data())
    same = loss(GeneratorBatch(None, None, view=real_data(seed=1)[:320]))
    shifted = loss(GeneratorBatch(None, None, view=real_data(seed=1)[:320] + 1.0))
    independent = torch.randn(320, 2, generator=torch.Generator().manual_seed(2))

    assert torch.isfinite(same)
    assert shifted > 3 * same
    assert loss(GeneratorBatch(None, None, view=independent)) > 3 * same


def test_gradient_reaches_the_generator_even_with_a_constant_column():
    real = torch.cat([real_data(), torch.ones(2000, 1)], dim=1)
    layout = TableLayout.from_widths([(name, CONTINUOUS, 1) for name in 'xyz'])
    generator = MLPGenerator(d_noise=4, d_condition=0, layout=layout, hidden_dims=(8,))
    fake = generator(torch.randn(320, 4), torch.zeros(320, 0))
    loss = make_loss(real)(GeneratorBatch(None, None, view=fake))
    loss.backward()

    assert torch.isfinite(loss)
    assert all(torch.isfinite(p.grad).all() for p in generator.parameters())


def test_features_fall_back_with_a_warning_on_few_numeric_columns():
    with pytest.warns(UserWarning, match='no'):
        assert mfs_features_for(None, 0) == ()
    with pytest.warns(UserWarning, match='cor and cov'):
        assert 'cor' not in mfs_features_for(('mean', 'cor'), 1)


def test_feature_distances_name_each_feature_and_single_out_the_shifted_one():
    loss = make_loss(real_data())
    rows = real_data(seed=1)[:320]
    shifted_mean = rows + torch.tensor([1.0, 1.0])
    same = loss.feature_distances(GeneratorBatch(None, None, view=rows))
    shifted = loss.feature_distances(GeneratorBatch(None, None, view=shifted_mean))

    assert list(same) == ['mean', 'sd', 'cor', 'skewness', 'eigenvalues']
    assert all(value >= 0 for value in same.values())
    assert shifted['mean'] > 10 * same['mean']
    assert shifted['sd'] == pytest.approx(same['sd'], rel=0.5)


def test_a_component_constant_over_real_subsamples_does_not_swamp_the_loss():
    # the minimum of a column with a mass point is the same in every real subsample
    real = real_data()
    real[:, 1] = real[:, 1].clamp_min(0.0)
    loss = MetaFeatureLoss(
        real,
        torch.arange(2),
        features=('min', 'mean'),
        n_subsamples=8,
        subsample_size=40,
        distance='auto',
        rng=torch.Generator().manual_seed(0),
    )
    fake = real_data(seed=1)[:320]  # its minimum is below 0: a shift the floor keeps bounded

    assert loss.scale.min() >= 0.05
    assert loss(GeneratorBatch(None, None, view=fake)) < 100


def test_a_lazy_mfs_loss_runs_every_interval_steps(monkeypatch, mixed_table, mixed_metadata):
    from sdv_attncorr import WGANGPMFSSynthesizer
    from tests.conftest import FAST, TABLE

    calls = []
    original = MetaFeatureLoss.__call__

    def counted(self, batch):
        calls.append(self.interval)
        return original(self, batch)

    monkeypatch.setattr(MetaFeatureLoss, '__call__', counted)
    # 60 rows in batches of 20: 3 generator steps per epoch, 12 in 4 epochs -> steps 0, 4, 8
    synthesizer = WGANGPMFSSynthesizer(mixed_metadata, **{**FAST, 'epochs': 4}, mfs_interval=4)
    synthesizer.fit({TABLE: mixed_table})

    assert calls == [4, 4, 4]
    losses = synthesizer.get_loss_values()
    assert losses['MFS Loss'].notna().sum() == 3  # epochs 0, 1 and 2 hold steps 0, 4 and 8
