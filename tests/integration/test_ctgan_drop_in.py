"""A CTGANSynthesizer user swaps the class name and nothing else changes."""

import inspect

import pytest
from sdv.single_table import CTGANSynthesizer

from tests.conftest import SYNTHESIZERS, TABLE

# Every CTGANSynthesizer argument, each at a value other than CTGAN's default (and fast).
NON_DEFAULT = {
    'enforce_min_max_values': False,
    'enforce_rounding': False,
    'locales': ['fr_FR'],
    'embedding_dim': 8,
    'generator_dim': (16,),
    'discriminator_dim': (16, 8),
    'generator_lr': 1e-3,
    'generator_decay': 1e-5,
    'discriminator_lr': 1e-3,
    'discriminator_decay': 1e-5,
    'batch_size': 20,
    'discriminator_steps': 2,
    'log_frequency': False,
    'verbose': True,
    'epochs': 2,
    'pac': 5,
    'enable_gpu': False,
}
CTGAN_ARGUMENTS = inspect.signature(CTGANSynthesizer.__init__).parameters


def test_the_arguments_walk_ctgans_whole_signature_at_non_default_values():
    assert set(NON_DEFAULT) == set(CTGAN_ARGUMENTS) - {'self', 'metadata'}
    for name, value in NON_DEFAULT.items():
        assert value != CTGAN_ARGUMENTS[name].default, name


@pytest.mark.parametrize('synthesizer_class', SYNTHESIZERS, ids=lambda c: c.__name__)
def test_every_ctgan_argument_is_accepted_and_used(synthesizer_class, mixed_table, mixed_metadata):
    ours = inspect.signature(synthesizer_class.__init__).parameters
    synthesizer = synthesizer_class(mixed_metadata, **NON_DEFAULT, attention_dim=8, random_state=0)
    synthesizer.fit({TABLE: mixed_table})
    losses = synthesizer.get_loss_values()

    assert list(ours)[:5] == list(CTGAN_ARGUMENTS)[:5]  # SDV's own arguments, by position too
    assert {k: synthesizer.get_parameters()[k] for k in NON_DEFAULT} == NON_DEFAULT
    assert list(losses.columns[:3]) == ['Epoch', 'Generator Loss', 'Discriminator Loss']
    assert len(losses) == NON_DEFAULT['epochs']
    engine = synthesizer._model.engine
    assert engine.pac == 5 and engine.critic.pac == 5
    assert [layer.out_features for layer in engine.critic.hidden] == [16, 8]
    assert synthesizer.sample(5)[TABLE].shape[0] == 5
