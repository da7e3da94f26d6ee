"""How the schedule is set: the large-table rule (half the epochs, twice the lr), lr_decay."""

import pytest
import torch

from sdv_attncorr.core.engine import GANEngine
from sdv_attncorr.core.layout import TableLayout
from sdv_attncorr.core.training.config import GANConfig
from sdv_attncorr.core.training.schedule import (
    LR_DECAY_FLOOR,
    learning_rate_factor,
    scaled_for_size,
)

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


def test_lr_decay_holds_the_rates_then_falls_linearly_towards_a_tenth():
    factors = [learning_rate_factor(epoch, 10, 0.5) for epoch in range(10)]

    assert factors[:6] == [1.0] * 6
    assert factors[5:] == pytest.approx([1 - 0.9 * step / 5 for step in range(5)])
    assert learning_rate_factor(10, 10, 0.5) == pytest.approx(LR_DECAY_FLOOR)
    assert [learning_rate_factor(epoch, 10, 0.0) for epoch in range(10)] == [1.0] * 10
    assert learning_rate_factor(0, 10, 1.0) == 1.0


class RateRecorder:
    """Reads both optimizers' learning rates at the end of each epoch."""

    def __init__(self):
        self.rates = []

    def on_epoch_end(self, trainer, record):
        self.rates.append(
            (
                trainer.generator_optimizer.param_groups[0]['lr'],
                trainer.critic_optimizer.param_groups[0]['lr'],
            )
        )


@pytest.mark.parametrize('lr_decay', [0.0, 0.5])
def test_the_trainer_sets_each_epochs_rates_from_lr_decay(lr_decay):
    layout = TableLayout.from_widths([('x', 'continuous', 1), ('c', 'discrete', 2)])
    categories = torch.zeros(40, 1, dtype=torch.long)
    config = GANConfig(
        epochs=6,
        lr_decay=lr_decay,
        discriminator_lr=3e-4,
        early_stopping=False,
        random_state=0,
        **SMALL,
    )
    engine = GANEngine(config, layout, categories)
    recorder = RateRecorder()
    data = torch.cat([torch.randn(40, 1), torch.tensor([[1.0, 0.0]]).repeat(40, 1)], dim=1)
    engine.fit(data, [recorder])

    factors = [learning_rate_factor(epoch, 6, lr_decay) for epoch in range(6)]
    generator_rates, critic_rates = zip(*recorder.rates, strict=True)
    assert generator_rates == pytest.approx([2e-4 * factor for factor in factors])
    assert critic_rates == pytest.approx([3e-4 * factor for factor in factors])
    assert (generator_rates[-1] < 2e-4) == (lr_decay > 0)
