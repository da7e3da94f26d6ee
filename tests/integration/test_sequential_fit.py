"""A fit with sequential decoding: its generator, exact conditions, and a saved file."""

import pytest
from sdv.sampling import Condition
from sdv.utils import load_synthesizer

from sdv_attncorr import AttnCorrGANSynthesizer
from sdv_attncorr.core.nets.generators import SequentialAttentionGenerator
from tests.conftest import FAST, TABLE


@pytest.mark.parametrize('decoding', ['sequential', 'any_order'])
def test_a_sequential_fit_samples_exact_conditions_and_survives_saving(
    decoding, mixed_table, mixed_metadata, tmp_path
):
    synthesizer = AttnCorrGANSynthesizer(
        mixed_metadata, class_column='group', decoding=decoding, **FAST
    )
    synthesizer.fit({TABLE: mixed_table})

    generator = synthesizer._model.engine.generator
    assert isinstance(generator, SequentialAttentionGenerator)
    assert generator.decoder.decoding == decoding
    both = synthesizer.sample_from_conditions([Condition({'group': 'b', 'flag': True}, 6)])
    assert len(both[TABLE]) == 6
    assert ((both[TABLE]['group'] == 'b') & both[TABLE]['flag']).all()
    rare = synthesizer.sample_from_conditions([Condition({'rare': 'solo'}, num_rows=4)])
    assert list(rare[TABLE]['rare']) == ['solo'] * 4

    synthesizer.save(tmp_path / 'sequential.pkl')
    loaded = load_synthesizer(str(tmp_path / 'sequential.pkl'))
    assert loaded.get_parameters()['decoding'] == decoding
    assert loaded.sample(25)[TABLE].shape == synthesizer.sample(25)[TABLE].shape
