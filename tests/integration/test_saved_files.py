"""Synthesizers saved by earlier releases still load, and sample the rows they are expected to.

The expected rows were rewritten once, when unconditioned sampling moved to per-span counts
(tests/fixtures/make_saved_synthesizers.py says how).
"""

import pickle
from pathlib import Path

import pandas as pd
import pytest
from sdv.utils import load_synthesizer

from tests.conftest import TABLE

FIXTURES = Path(__file__).resolve().parents[1] / 'fixtures'
SAVED = sorted(FIXTURES.glob('saved_*/*.pkl'))


@pytest.mark.parametrize('path', SAVED, ids=lambda p: f'{p.parent.name}/{p.stem}')
def test_a_saved_synthesizer_loads_and_samples_its_rows(path, tmp_path):
    synthesizer = load_synthesizer(str(path))
    synthesizer.reset_sampling()
    sampled = synthesizer.sample(20)[TABLE]

    # Through a CSV, as the expected rows were written, so dtypes compare alike.
    sampled.to_csv(tmp_path / 'sampled.csv', index=False)
    expected = pd.read_csv(path.with_suffix('.csv'))
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / 'sampled.csv'), expected)


def test_fixtures_of_both_classes_exist():
    assert {path.stem for path in SAVED} >= {'AttnCorrGANSynthesizer', 'WGANGPMFSSynthesizer'}


def test_a_saved_synthesizer_reports_its_arguments_by_their_current_names():
    synthesizer = load_synthesizer(str(FIXTURES / 'saved_0_1_0' / 'WGANGPMFSSynthesizer.pkl'))
    parameters = synthesizer.get_parameters()

    assert parameters['discriminator_dim'] == (16,)
    assert parameters['discriminator_steps'] == 1
    assert not any(name.startswith('critic_') for name in parameters)


def test_load_returns_a_synthesizer_saved_by_its_class(fitted, tmp_path):
    path = tmp_path / 'model.pkl'
    fitted.save(path)
    loaded = type(fitted).load(path)

    assert type(loaded) is type(fitted)
    assert loaded.sample(5)[TABLE].shape == (5, len(fitted.sample(5)[TABLE].columns))
    assert isinstance(load_synthesizer(str(path)), type(fitted))


def test_load_refuses_what_is_not_a_saved_synthesizer_of_its_class(tmp_path):
    from sdv.errors import SynthesizerInputError

    from sdv_attncorr import AttnCorrGANSynthesizer

    (tmp_path / 'text.pkl').write_text('hello')
    with open(tmp_path / 'dict.pkl', 'wb') as file:
        pickle.dump({'epochs': 3}, file)
    other = FIXTURES / 'saved_0_1_0' / 'WGANGPMFSSynthesizer.pkl'

    for path, holds in [(tmp_path / 'text.pkl', 'UnpicklingError'), (tmp_path / 'dict.pkl', '')]:
        with pytest.raises(SynthesizerInputError, match=f'{path.name} is not a saved .*{holds}'):
            AttnCorrGANSynthesizer.load(path)
    with pytest.raises(SynthesizerInputError, match='of class AttnCorrGAN.*WGANGPMFSSynthesizer'):
        AttnCorrGANSynthesizer.load(other)
    with pytest.raises(FileNotFoundError):
        AttnCorrGANSynthesizer.load(tmp_path / 'absent.pkl')


def test_the_saved_size_does_not_grow_with_the_training_rows(
    synthesizer_class, tmp_path, monkeypatch
):
    from tests.conftest import FAST, make_metadata, make_mixed_table

    # Numbers keep up to GRID_SIZE quantiles: a smaller cap keeps the tables small.
    monkeypatch.setattr('sdv_attncorr.data.quantile.GRID_SIZE', 1000)
    sizes = []
    for n_rows in (1200, 4800):  # both past the quantile grid
        data = make_mixed_table(n_rows)
        # With a class column, numbers are calibrated within each group too.
        synthesizer = synthesizer_class(make_metadata(data), class_column='group', **FAST)
        synthesizer.fit({TABLE: data})
        assert synthesizer._fitted_model().encoder._calibration_class == 'group'
        synthesizer.save(tmp_path / f'{n_rows}.pkl')
        sizes.append((tmp_path / f'{n_rows}.pkl').stat().st_size)

    assert abs(sizes[1] - sizes[0]) < 0.01 * sizes[0]
    assert load_synthesizer(str(tmp_path / '4800.pkl'))._model.engine.critic is None
