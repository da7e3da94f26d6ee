"""The parts of differentially private training: clipping, noise, sampling, the release."""

import numpy as np
import pandas as pd
import pytest
import torch
from torch.func import functional_call, grad, vmap

from sdv_attncorr.core.nets.critics import PacCritic
from sdv_attncorr.core.privacy import noise
from sdv_attncorr.core.privacy.dp_sgd import GhostClipper, noisy_mean
from sdv_attncorr.data import private_statistics
from sdv_attncorr.data.private_statistics import (
    public_partition,
    release_categories,
    release_numeric,
    release_statistics,
    threshold_for,
)
from sdv_attncorr.data.quantile import QuantileNormalizer


def per_row_reference(critic, rows, max_norm):
    """Clipped sum of per-row gradients by torch.func: the whole [rows, parameters] tensor."""
    params = {name: p.detach() for name, p in critic.named_parameters()}

    def loss(p, row):
        return torch.nn.functional.softplus(-functional_call(critic, p, (row[None],))).sum()

    grads = vmap(grad(loss), in_dims=(None, 0))(params, rows)
    flat = torch.cat([g.reshape(len(rows), -1) for g in grads.values()], dim=1)
    factors = (max_norm / flat.norm(dim=1)).clamp(max=1)
    return [(g * factors.view(-1, *[1] * (g.dim() - 1))).sum(0) for g in grads.values()]


def test_ghost_clipping_equals_per_row_gradients_clipped_and_summed():
    torch.manual_seed(0)
    critic = PacCritic(d_in=6, hidden_dims=(8, 8), pac=1, dropout=0.0)
    rows = torch.randn(9, 6) * torch.linspace(0.1, 5, 9)[:, None]  # some clipped, some not
    clipper = GhostClipper(critic, max_norm=1.0)
    with clipper.recording():
        losses = torch.nn.functional.softplus(-critic(rows)).flatten()

    sums = clipper.clipped_sum(losses)
    for ours, reference in zip(sums, per_row_reference(critic, rows, 1.0), strict=True):
        torch.testing.assert_close(ours, reference, rtol=1e-5, atol=1e-6)


def test_one_row_moves_the_clipped_sum_by_at_most_the_norm():
    torch.manual_seed(1)
    critic = PacCritic(d_in=4, hidden_dims=(8,), pac=1, dropout=0.0)
    rows = torch.randn(5, 4) * 100
    clipper = GhostClipper(critic, max_norm=0.5)

    def flat_sum(batch):
        with clipper.recording():
            losses = torch.nn.functional.softplus(-critic(batch)).flatten()
        return torch.cat([s.flatten() for s in clipper.clipped_sum(losses)])

    assert torch.linalg.vector_norm(flat_sum(rows) - flat_sum(rows[:4])) <= 0.5 + 1e-5


def test_ghost_clipper_refuses_parameters_outside_linear_layers():
    module = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.LayerNorm(3))
    with pytest.raises(ValueError, match='linear layers'):
        GhostClipper(module, 1.0)


def test_noisy_mean_has_the_calibrated_std_and_divides_by_the_expected_rows():
    sums = [torch.zeros(200_000)]
    (noisy,) = noisy_mean(sums, noise_multiplier=2.0, max_norm=0.5, expected_rows=4.0)
    assert noisy.std().item() == pytest.approx(2.0 * 0.5 / 4.0, rel=0.02)
    assert abs(noisy.mean().item()) < 0.01


def test_secure_draws_are_standard_and_not_replayable():
    torch.manual_seed(0)
    first = noise.secure_normal((100_000,))
    torch.manual_seed(0)
    second = noise.secure_normal((100_000,))
    assert not torch.equal(first, second)  # the global seed does not reach them
    assert first.mean().item() == pytest.approx(0.0, abs=0.02)
    assert first.std().item() == pytest.approx(1.0, rel=0.02)


def test_poisson_rows_join_at_the_rate():
    drawn = [len(noise.poisson_rows(1000, 0.1)) for _ in range(50)]
    assert np.mean(drawn) == pytest.approx(100, rel=0.1)
    assert len(set(drawn)) > 1  # the batch size varies, as Poisson sampling's does


@pytest.fixture
def no_noise(monkeypatch):
    """Noise-free releases, so that what is released can be checked exactly."""

    def zeros(shape, device='cpu', dtype=torch.float32):
        return torch.zeros(shape, dtype=dtype, device=device)

    monkeypatch.setattr(private_statistics, 'secure_normal', zeros)


def test_a_category_held_by_few_rows_is_not_released(no_noise):
    column = pd.Series(['a'] * 50 + ['b'] * 2, name='c')
    threshold = threshold_for(std=1.0, delta=1e-6, n_columns=1)
    categories, counts = release_categories(column, std=1.0, threshold=threshold)
    assert categories == ['a']
    assert counts.tolist() == [50]


def test_declared_categories_are_all_released_and_others_refused(no_noise):
    column = pd.Series(['a'] * 5, name='c')
    categories, counts = release_categories(column, 1.0, np.inf, declared=['a', 'z'])
    assert categories == ['a', 'z']
    assert counts.tolist() == [5, 1]  # at least 1: a declared category stays drawable
    with pytest.raises(ValueError, match='not among its categories in dp_declared'):
        release_categories(pd.Series(['q'], name='c'), 1.0, np.inf, declared=['a'])


def test_declared_missing_values_match_any_nan(no_noise):
    column = pd.Series(['a', None, float('nan'), 'a'], name='c', dtype=object)
    categories, counts = release_categories(column, 1.0, np.inf, declared=['a', float('nan')])
    assert counts.tolist() == [2, 2]


def test_no_releasable_category_names_the_column_and_the_fixes(no_noise):
    with pytest.raises(ValueError, match="column 'c'.*dp_declared"):
        release_categories(pd.Series(['a', 'b'], name='c'), 1.0, threshold=10.0)


def test_the_numeric_grid_holds_no_real_value(no_noise):
    values = np.concatenate([np.full(400, 3.3), np.full(400, 70.1), [12345.678]])
    release = release_numeric(values, std=1.0)
    grid = QuantileNormalizer().fit_histogram(release.edges, release.counts).grid_values
    assert not np.isin(values, grid).any()
    assert grid.max() < 12345.678  # the lone outlier's bin did not survive
    edges = public_partition()
    assert grid.min() >= edges[np.searchsorted(edges, 3.3) - 1]


def test_declared_bounds_hold_the_grid(no_noise):
    values = np.array([-50.0, 1.0, 2.0, 3.0, 500.0] * 20)
    release = release_numeric(values, std=1.0, bounds=(0.0, 10.0))
    grid = QuantileNormalizer().fit_histogram(release.edges, release.counts).grid_values
    assert grid.min() >= 0.0
    assert grid.max() <= 10.0


def test_release_noise_scales_with_the_number_of_histograms(monkeypatch):
    stds = []
    monkeypatch.setattr(private_statistics, 'release_numeric', lambda v, std, b: stds.append(std))
    data = pd.DataFrame({'x': [1.0] * 5, 'y': [2.0] * 5, 'z': [3.0] * 5, 'w': [4.0] * 5})
    release_statistics(data, [], noise_multiplier=1.5, delta_threshold=0.0)
    assert stds == [pytest.approx(1.5 * 2)] * 4  # sqrt(4 histograms) = 2


def test_the_schedule_takes_the_most_epochs_within_the_gradient_noise():
    from sdv_attncorr.core.privacy.accountant import ORDERS, noise_for_epsilon
    from sdv_attncorr.core.training.private_critic import dp_schedule

    spent = np.zeros_like(ORDERS)
    options = dict(rate=0.1, steps_per_epoch=10, batch_size=110, spent_rdp=spent)
    epochs, noise_multiplier = dp_schedule(
        3.0, 1e-5, most_epochs=300, gradient_noise=0.025, **options
    )
    assert 1 < epochs < 300
    assert noise_multiplier / 110 <= 0.025
    assert noise_for_epsilon(3.0, 1e-5, 0.1, (epochs + 1) * 10, spent) / 110 > 0.025
    assert dp_schedule(3.0, 1e-5, most_epochs=5, gradient_noise=0.025, **options)[0] == 5
    assert dp_schedule(3.0, 1e-5, most_epochs=300, gradient_noise=1e-6, **options)[0] == 1


def test_a_real_rows_condition_does_not_depend_on_the_other_rows_drawn():
    from sdv_attncorr.core.training.conditions import ConditionSampler

    categories = torch.stack([torch.arange(30) % 3, torch.arange(30) % 2], dim=1)
    sampler = ConditionSampler(categories, [3, 2], released_counts=torch.ones(2, 3).long())
    alone = torch.Generator().manual_seed(0)
    among_others = torch.Generator().manual_seed(0)
    by_itself = sampler.own_conditions(torch.tensor([17]), alone)
    with_others = sampler.own_conditions(torch.tensor([2, 5, 17, 29]), among_others)
    assert torch.equal(by_itself[0], with_others[2])
    assert torch.equal(alone.get_state(), among_others.get_state())  # later draws alike
