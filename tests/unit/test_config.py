"""The hyperparameter table is the one declaration: signatures, presets, checks and docs."""

import dataclasses
import inspect

import pytest
from sdv.errors import SynthesizerInputError

from sdv_attncorr.core.training.config import GANConfig, HyperparameterError
from sdv_attncorr.synthesizers.signature import SDV_ARGUMENT_NAMES
from tests.conftest import SYNTHESIZERS

FIELDS = GANConfig.field_names()


@pytest.mark.parametrize('synthesizer_class', SYNTHESIZERS, ids=lambda c: c.__name__)
def test_the_signature_is_sdvs_arguments_then_every_field_with_the_presets_defaults(
    synthesizer_class,
):
    parameters = inspect.signature(synthesizer_class.__init__).parameters
    expected = {**dataclasses.asdict(GANConfig()), **synthesizer_class.preset}

    assert tuple(parameters) == ('self', *SDV_ARGUMENT_NAMES, *FIELDS)
    assert {name: parameters[name].default for name in FIELDS} == expected
    assert not any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def test_presets_change_only_fields_of_the_table_and_differ_from_each_other():
    presets = [synthesizer_class.preset for synthesizer_class in SYNTHESIZERS]

    assert all(set(preset) <= set(FIELDS) for preset in presets)
    assert presets[0] != presets[1]


@pytest.mark.parametrize('synthesizer_class', SYNTHESIZERS, ids=lambda c: c.__name__)
def test_every_argument_is_stored_and_returned_by_get_parameters(synthesizer_class, mixed_metadata):
    synthesizer = synthesizer_class(mixed_metadata, epochs=7, mfs_features=['mean'])
    parameters = synthesizer.get_parameters()

    assert set(FIELDS) <= set(parameters)
    assert parameters['epochs'] == 7 and parameters['mfs_features'] == ['mean']
    assert synthesizer.config == synthesizer_class.defaults.replace(epochs=7, mfs_features=['mean'])


@pytest.mark.parametrize('synthesizer_class', SYNTHESIZERS, ids=lambda c: c.__name__)
def test_arguments_bind_like_a_written_signature(synthesizer_class, mixed_metadata):
    with pytest.raises(TypeError, match="unexpected keyword argument 'epoch'"):
        synthesizer_class(mixed_metadata, epoch=3)
    with pytest.raises(TypeError, match='metadata'):
        synthesizer_class()

    assert synthesizer_class(mixed_metadata, True, False).enforce_rounding is False


@pytest.mark.parametrize('synthesizer_class', SYNTHESIZERS, ids=lambda c: c.__name__)
def test_the_docstring_documents_every_argument_with_the_presets_default(synthesizer_class):
    doc = synthesizer_class.__doc__

    for name in ('metadata', *FIELDS):
        assert f'\n        {name} (' in doc
    generator = synthesizer_class.defaults.generator
    assert f'Defaults to ``{generator!r}``' in ' '.join(doc.split())


@pytest.mark.parametrize(
    'changes, message',
    [
        (
            {'discriminator_dropout': 1.0},
            'discriminator_dropout must be a number >= 0 and below 1, got 1.0',
        ),
        ({'verbose': 'yes'}, "verbose must be True or False, got 'yes'"),
        ({'generator_dim': (16, 0)}, 'generator_dim must be a tuple of positive integers'),
        ({'mfs_subsample_size': 1}, 'mfs_subsample_size must be an integer >= 2, got 1'),
        ({'aim_repo': 3}, 'aim_repo must be a folder path or None, got 3'),
    ],
)
def test_the_table_checks_each_value(changes, message, mixed_metadata):
    with pytest.raises(HyperparameterError, match=message):
        GANConfig(**changes)
    with pytest.raises(SynthesizerInputError, match=message):
        SYNTHESIZERS[0](mixed_metadata, **changes)


def test_a_registered_generator_body_is_a_valid_choice():
    from sdv_attncorr.core.nets.registry import GENERATOR_BODIES

    with pytest.raises(HyperparameterError, match='generator must be one of'):
        GANConfig(generator='tiny')
    GENERATOR_BODIES['tiny'] = GENERATOR_BODIES['mlp']
    try:
        assert GANConfig(generator='tiny').generator == 'tiny'
    finally:
        del GENERATOR_BODIES['tiny']


def test_files_saved_before_a_field_existed_refit_with_its_legacy_value(mixed_metadata):
    synthesizer = SYNTHESIZERS[1](mixed_metadata)
    state = {k: v for k, v in synthesizer.__dict__.items() if k not in ('mfs_interval', 'aim_repo')}
    old = SYNTHESIZERS[1].__new__(SYNTHESIZERS[1])
    old.__setstate__(state)

    assert old.mfs_interval == 1 and old.aim_repo is None
    assert old.config.mfs_interval == 1


@pytest.mark.parametrize(
    'changes, message',
    [
        ({'random_state': -1}, 'random_state must be None or an integer >= 0, got -1'),
        ({'random_state': 1.5}, 'random_state must be None or an integer >= 0, got 1.5'),
        ({'multi_column_conditions': 1.5}, 'multi_column_conditions must be a number from 0 to 1'),
    ],
)
def test_seed_and_share_are_checked(changes, message):
    with pytest.raises(HyperparameterError, match=message):
        GANConfig(**changes)


def test_the_old_critic_names_are_refused_like_any_unknown_argument(mixed_metadata):
    with pytest.raises(TypeError, match="unexpected keyword argument 'critic_dim'"):
        SYNTHESIZERS[0](mixed_metadata, critic_dim=(16,))
