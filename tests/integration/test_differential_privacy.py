"""Differential privacy in the synthesizers: each path that reads real rows is private or off."""

import numpy as np
import pandas as pd
import pytest
from sdv.cag import FixedCombinations
from sdv.errors import NotFittedError, SynthesizerInputError

from sdv_attncorr import AttnCorrGANSynthesizer
from sdv_attncorr.core.training import private_critic
from tests.conftest import FAST, TABLE

DECLARED = {'group': ['a', 'b', 'c'], 'rare': ['solo', 'common'], 'flag': [False, True]}
DP_FAST = {**FAST, 'epsilon': 5.0, 'dp_epochs': 2, 'dp_declared': DECLARED}


def fit_private(synthesizer_class, table, metadata, **changes):
    synthesizer = synthesizer_class(metadata, **{**DP_FAST, **changes})
    synthesizer.fit({TABLE: table})
    return synthesizer


@pytest.fixture
def poisson_calls(monkeypatch):
    """Record each Poisson draw of the critic's real rows."""
    calls = []
    draw = private_critic.poisson_rows

    def recorded(n_rows, rate, device='cpu'):
        calls.append((n_rows, rate))
        return draw(n_rows, rate, device)

    monkeypatch.setattr(private_critic, 'poisson_rows', recorded)
    return calls


def real_values_in_grid(synthesizer, table, column):
    grid = synthesizer._model.encoder._normalizers[column].grid_values
    return np.isin(table[column].to_numpy(float), grid).any()


def test_every_path_that_reads_real_rows_is_private_or_off(
    synthesizer_class, mixed_table, mixed_metadata, poisson_calls
):
    synthesizer = fit_private(synthesizer_class, mixed_table, mixed_metadata)
    model = synthesizer._model
    engine = model.engine
    # SDV's formatters: no min, max or decimals learned from the rows.
    parameters = synthesizer.get_parameters()
    assert parameters['enforce_min_max_values'] is False
    assert parameters['enforce_rounding'] is False
    # The encoder: quantile grids from the released histograms, never from the values.
    assert not real_values_in_grid(synthesizer, mixed_table, 'amount')
    without_dp = synthesizer_class(mixed_metadata, **FAST)
    without_dp.fit({TABLE: mixed_table})
    assert real_values_in_grid(without_dp, mixed_table, 'amount')
    # The encoder's categories and the sampler's counts: the release.
    assert model.encoder.categories_of('group') == DECLARED['group']
    assert engine.conditions.rows is None  # no real row drawn by category
    with pytest.raises(RuntimeError, match='no real row is drawn by category'):
        engine.conditions.sample_training(4)
    # The critic: one row per pack, Poisson-sampled real rows at rate batch / rows.
    assert engine.critic.pac == 1
    assert engine.critic.dropout.p == 0  # a mask would depend on the rows drawn before
    assert engine.pac == 1
    assert poisson_calls
    assert {call for call in poisson_calls} == {(60, engine.batch_size / 60)}
    # Losses on real rows (correlation, class-wise, energy, MFS), the gradient penalty and
    # the validation score are off.
    columns = set(synthesizer.get_loss_values().columns)
    assert columns == {'Epoch', 'Generator Loss', 'Discriminator Loss', 'Condition Loss'}
    assert engine.best_epoch is None


def test_the_ledger_equals_opacus_composition_and_spends_the_budget(mixed_table, mixed_metadata):
    rdp = pytest.importorskip('opacus.accountants.analysis.rdp', reason='reference accountant')
    from opacus.accountants.utils import get_noise_multiplier  # noqa: F401 (opacus is complete)

    synthesizer = fit_private(AttnCorrGANSynthesizer, mixed_table, mixed_metadata, dp_epochs=3)
    engine = synthesizer._model.engine
    spent = synthesizer.privacy_spent()
    statistics_noise = _statistics_noise(synthesizer)
    steps = (
        engine.private_epochs * max(1, 60 // engine.batch_size) * synthesizer.discriminator_steps
    )
    orders = engine.ledger.orders
    total = rdp.compute_rdp(q=1.0, noise_multiplier=statistics_noise, steps=1, orders=orders)
    total = total + rdp.compute_rdp(
        q=engine.batch_size / 60,
        noise_multiplier=engine.noise_multiplier,
        steps=steps,
        orders=orders,
    )
    epsilon, _ = rdp.get_privacy_spent(orders=orders, rdp=total, delta=1e-5)
    assert spent['epsilon'] == pytest.approx(epsilon, rel=1e-6)
    assert 0.99 * 5.0 <= spent['epsilon'] <= 5.0
    assert spent['delta'] == 1e-5  # min(1e-5, 1 / (10 rows))
    assert set(spent['parts']) == {'statistics (encoder and sampler)', 'critic (DP-SGD)'}


def _statistics_noise(synthesizer):
    from sdv_attncorr.core.privacy.accountant import noise_for_share

    return noise_for_share(5.0, 1e-5, synthesizer.dp_statistics_share)


def test_training_stops_when_the_budget_is_spent(mixed_table, mixed_metadata):
    synthesizer = fit_private(
        AttnCorrGANSynthesizer,
        mixed_table,
        mixed_metadata,
        epsilon=2.0,
        dp_noise_multiplier=3.0,
        dp_epochs=200,
    )
    engine = synthesizer._model.engine
    assert engine.stop_reason == 'privacy budget spent'
    assert len(synthesizer.get_loss_values()) < 200
    # Each step spends about 0.035 here: the last one affordable leaves less than that.
    assert 1.9 < synthesizer.privacy_spent()['epsilon'] <= 2.0


def test_undeclared_categories_spend_part_of_delta_on_thresholds(mixed_table, mixed_metadata):
    table = pd.concat([mixed_table] * 40, ignore_index=True)
    table['id'] = np.arange(len(table))
    table['rare'] = ['solo'] + ['common'] * (len(table) - 1)
    synthesizer = fit_private(
        AttnCorrGANSynthesizer, table, mixed_metadata, epsilon=50.0, dp_declared=None
    )
    spent = synthesizer.privacy_spent()
    assert spent['parts']['category thresholds'] == {'epsilon': 0.0, 'delta': spent['delta'] / 10}
    # 'solo', held by one row, is released with probability below delta / 10.
    assert synthesizer._model.encoder.categories_of('rare') == ['common']
    assert (synthesizer.sample(200)[TABLE]['rare'] == 'common').all()


def test_the_noise_does_not_come_from_random_state(mixed_table, mixed_metadata):
    first = fit_private(AttnCorrGANSynthesizer, mixed_table, mixed_metadata)
    second = fit_private(AttnCorrGANSynthesizer, mixed_table, mixed_metadata)
    first.reset_sampling()
    second.reset_sampling()
    assert not first.sample(30)[TABLE].equals(second.sample(30)[TABLE])


def test_refusals_name_the_problem(mixed_table, mixed_metadata, monkeypatch):
    synthesizer = AttnCorrGANSynthesizer(mixed_metadata, **DP_FAST)
    with pytest.raises(NotFittedError):
        synthesizer.privacy_spent()
    with pytest.raises(SynthesizerInputError, match='Constraints are not supported with epsilon'):
        synthesizer.add_constraints([FixedCombinations(column_names=['group', 'rare'])])
    for name, value in {'RANK': '0', 'WORLD_SIZE': '2', 'LOCAL_RANK': '0'}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match='DP-SGD under torchrun is not supported'):
        synthesizer.fit({TABLE: mixed_table})


def test_privacy_spent_refuses_a_fit_without_epsilon(fitted):
    with pytest.raises(SynthesizerInputError, match='fitted without epsilon'):
        fitted.privacy_spent()


def test_a_private_fit_leaves_the_global_torch_random_state_alone(mixed_table, mixed_metadata):
    # (numpy's global state is SDV's and RDT's to change: they do, with or without DP.)
    import torch

    state = torch.random.get_rng_state()
    fit_private(AttnCorrGANSynthesizer, mixed_table, mixed_metadata)
    assert torch.equal(torch.random.get_rng_state(), state)


@pytest.mark.parametrize(
    'bad',
    [
        {'epsilon': 0},
        {'epsilon': -1.0},
        {'delta': 1.0},
        {'dp_declared': {'group': 'abc'}},
        {'dp_declared': {'amount': (5, 1)}},
        {'dp_statistics_share': 1.0},
    ],
)
def test_bad_privacy_arguments_are_refused_with_their_value(mixed_metadata, bad):
    name = next(iter(bad))
    with pytest.raises(SynthesizerInputError, match=f'{name} must be'):
        AttnCorrGANSynthesizer(mixed_metadata, **{**DP_FAST, **bad})


@pytest.mark.parametrize('epsilon', [None, 5.0])
def test_a_table_without_discrete_columns_fits_with_and_without_dp(mixed_metadata, epsilon):
    from sdv.metadata import Metadata

    table = pd.DataFrame({'x': np.linspace(0, 1, 40), 'y': np.linspace(5, -5, 40)})
    metadata = Metadata.detect_from_dataframes({TABLE: table})
    synthesizer = AttnCorrGANSynthesizer(metadata, **{**DP_FAST, 'epsilon': epsilon})
    synthesizer.fit({TABLE: table})
    assert len(synthesizer.sample(5)[TABLE]) == 5


def test_the_critic_never_scores_the_generator_steps_rows_under_dp(
    monkeypatch, mixed_table, mixed_metadata
):
    from sdv_attncorr.core.training.trainer import Trainer

    def shared_step(self):
        raise AssertionError('a shared batch would train the critic outside DP-SGD')

    monkeypatch.setattr(Trainer, 'shared_step', shared_step)
    synthesizer = fit_private(
        AttnCorrGANSynthesizer, mixed_table, mixed_metadata, shared_batch=True
    )
    assert len(synthesizer.get_loss_values()) >= 1


def test_the_rounding_of_full_precision_columns_stays_under_dp(mixed_metadata):
    # Dropping SDV's 15-decimal rounding reads the rows (rounded, do they change?): not under DP.
    levels = (np.arange(6) - 2.5) / 1.7078251276599330
    table = pd.DataFrame({'z': np.repeat(levels, 10), 'flag': [False, True] * 30})
    metadata = type(mixed_metadata).detect_from_dataframes({TABLE: table})
    synthesizer = fit_private(
        AttnCorrGANSynthesizer, table, metadata, dp_declared={'flag': [False, True]}
    )

    assert synthesizer._data_processor.formatters['z']._rounding_digits == 15
