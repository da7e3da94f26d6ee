"""How a table's size sets the schedule: the large-table rule (half the epochs, twice the lr)."""

import pytest
import torch

from sdv_attncorr.core.engine import GANEngine
from sdv_attncorr.core.layout import TableLayout
from sdv_attncorr.core.training.config import GANConfig
from sdv_attncorr.core.training.schedule import scaled_for_size

SMALL = {'embedding_dim': 4, 'attention_dim': 4, 'discriminator_dim': (8,), 'enable_gpu': False}


@pytest.mark.parametrize(
    ('n_rows', 'threshold', 'expected'),
    [(2_999, 3_000, (300, 2e-4, 3e-4)), (3_000, 3_000, (150, 4e-4, 6e-4)), (10**6, None, None)],
)
def test_tables_from_large_table_rows_on_train_half_the_epochs_at_twice_the_rates(
    n_rows, threshold, expected
):
    config = GANConfig(large_table_rows=threshold, discriminator_lr=3e-4)
    scaled = scaled_for_size(config, n_rows)

    if expected is None:
        assert scaled == config
    else:
        assert (scaled.epochs, scaled.generator_lr, scaled.discriminator_lr) == pytest.approx(
            expected
        )
        assert scaled.replace(epochs=300, generator_lr=2e-4, discriminator_lr=3e-4) == config


def test_one_epoch_stays_one():
    assert scaled_for_size(GANConfig(epochs=1, large_table_rows=10), 10).epochs == 1


def test_the_engine_trains_with_the_scaled_rates_and_epochs(monkeypatch):
    layout = TableLayout.from_widths([('x', 'continuous', 1), ('c', 'discrete', 2)])
    categories = torch.zeros(40, 1, dtype=torch.long)
    config = GANConfig(epochs=4, large_table_rows=40, random_state=0, **SMALL)
    engine = GANEngine(config, layout, categories)
    seen = {}

    def record_fit(trainer, epochs, max_seconds=None):
        seen['epochs'] = epochs
        seen['rates'] = [
            trainer.generator_optimizer.param_groups[0]['lr'],
            trainer.critic_optimizer.param_groups[0]['lr'],
        ]

    monkeypatch.setattr('sdv_attncorr.core.training.trainer.Trainer.fit', record_fit)
    data = torch.cat([torch.randn(40, 1), torch.tensor([[1.0, 0.0]]).repeat(40, 1)], dim=1)
    engine.fit(data)

    assert engine.epochs == 2
    assert seen == {'epochs': 2, 'rates': [4e-4, 4e-4]}
    assert engine.config == config  # what the user set (get_parameters) is unchanged
