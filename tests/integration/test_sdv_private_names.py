"""Every private SDV name we rely on, in one place: an SDV upgrade that drops one fails here.

pyproject.toml pins the SDV range these were checked on. Each entry says where we use it.
"""

import inspect

import pytest
from sdv.data_processing import DataProcessor
from sdv.metadata import Metadata
from sdv.single_table.base import BaseSingleTableSynthesizer

# (owner, name, where we use it)
CLASS_ATTRIBUTES = [
    (BaseSingleTableSynthesizer, '_update_default_transformers', 'overridden: transformers.py'),
    (BaseSingleTableSynthesizer, '_validate_conditions', 'overridden: base.py'),
    (BaseSingleTableSynthesizer, '_validate_known_columns', 'overridden: base.py'),
    (BaseSingleTableSynthesizer, '_validate_fit_before_sample', 'base.py sample_to_file'),
    (BaseSingleTableSynthesizer, '_model_sdtype_transformers', 'set: transformers.py'),
    (BaseSingleTableSynthesizer, '_set_random_state', 'base.py _draw_sampling_seed'),
    (DataProcessor, '_update_transformers_by_sdtypes', 'transformers.py'),
    (Metadata, '_convert_to_single_table', 'base.py class-column check'),
    (Metadata, '_get_single_table_name', 'commands/fit.py'),
]
INSTANCE_ATTRIBUTES = [
    ('_fitted', 'base.py get_loss_values_plot'),
    ('_table_name', 'streaming.py, commands/sample.py'),
    ('_data_processor', 'base.py, transformers.py'),
    ('_random_state_set', 'base.py _draw_sampling_seed'),
]


@pytest.mark.parametrize('owner, name, used_in', CLASS_ATTRIBUTES, ids=lambda x: str(x))
def test_sdv_still_has_the_private_class_attribute(owner, name, used_in):
    assert hasattr(owner, name), f'SDV no longer has {owner.__name__}.{name} ({used_in})'


def test_sdv_still_has_the_private_functions_and_instance_attributes(fitted):
    from sdv.single_table.base import FIXED_RNG_SEED
    from sdv.single_table.ctgan import _validate_no_category_dtype

    assert isinstance(FIXED_RNG_SEED, int), 'base.py _draw_sampling_seed'

    assert list(inspect.signature(_validate_no_category_dtype).parameters) == ['data']
    for name, used_in in INSTANCE_ATTRIBUTES:
        assert hasattr(fitted, name), f'SDV synthesizers no longer have {name} ({used_in})'
    processor = fitted._data_processor
    assert isinstance(processor._transformers_by_sdtype, dict)
    assert isinstance(processor._hyper_transformer.field_transformers, dict)
    # Our override is what SDV calls while it builds the processor.
    assert type(fitted)._update_default_transformers is not (
        BaseSingleTableSynthesizer._update_default_transformers
    )


def test_ctgans_private_batch_attributes_for_the_benchmark_step_count():
    from ctgan import CTGAN

    model = CTGAN(epochs=1)
    assert isinstance(model._batch_size, int) and isinstance(model._discriminator_steps, int)
