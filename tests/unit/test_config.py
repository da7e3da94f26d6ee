"""The engine's config and the synthesizers' signatures declare the same hyperparameters."""

import inspect

import pytest

from sdv_attncorr.core.training.config import GANConfig
from tests.conftest import SYNTHESIZERS

NOT_ENGINE = {'metadata', 'enforce_min_max_values', 'enforce_rounding', 'locales',
              'class_column', 'enable_gpu', 'aim_repo'}  # fmt: skip


@pytest.mark.parametrize('synthesizer_class', SYNTHESIZERS, ids=lambda c: c.__name__)
def test_config_fields_are_exactly_the_engine_arguments(synthesizer_class):
    parameters = inspect.signature(synthesizer_class.__init__).parameters
    engine_arguments = set(parameters) - NOT_ENGINE - {'self'}

    assert engine_arguments == set(GANConfig.field_names())
    assert not any(p.kind is p.VAR_KEYWORD for p in parameters.values())
