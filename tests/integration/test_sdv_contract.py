"""Everything an SDV user does with CTGANSynthesizer works with ours (tiny data, 1 epoch)."""

import inspect

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp
from sdv.cag import FixedCombinations
from sdv.errors import SamplingError, SynthesizerInputError
from sdv.metadata import Metadata
from sdv.sampling import Condition, DataFrameCondition
from sdv.utils import load_synthesizer

from tests.conftest import FAST, TABLE, make_metadata, make_mixed_table

SDV_COLUMNS = ['id', 'amount', 'count', 'group', 'flag', 'when', 'email', 'score', 'rare']


def test_importable_from_sdv_single_table(synthesizer_class):
    import sdv.single_table

    assert getattr(sdv.single_table, synthesizer_class.__name__) is synthesizer_class


def test_fit_and_sample_every_sdtype(fitted, mixed_table):
    sampled = fitted.sample(50)[TABLE]

    assert list(sampled.columns) == SDV_COLUMNS
    assert len(sampled) == 50
    assert set(sampled['group']) <= set(mixed_table['group'])
    assert sampled['flag'].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(sampled['when'])
    assert sampled['id'].is_unique
    assert sampled['email'].str.contains('@').all()
    assert sampled['amount'].between(mixed_table['amount'].min(), mixed_table['amount'].max()).all()


def test_missing_values_are_generated(synthesizer_class, mixed_table, mixed_metadata):
    synthesizer = synthesizer_class(mixed_metadata, **FAST)
    synthesizer.fit({TABLE: mixed_table})

    assert synthesizer.sample(300)[TABLE]['score'].isna().any()


def test_refit_replaces_the_model(fitted, mixed_table):
    first_model = fitted._model
    second_table = mixed_table.assign(group=mixed_table['group'].replace({'c': 'a'}))
    fitted.fit({TABLE: second_table})
    sampled = fitted.sample(200)[TABLE]

    assert fitted._model is not first_model
    assert set(sampled['group']) == {'a', 'b'}  # the first table's 'c' is gone


def test_sample_in_batches_and_to_a_folder(fitted, tmp_path):
    sampled = fitted.sample(45, batch_size=20, output_folder_path=str(tmp_path))[TABLE]

    written = pd.read_csv(tmp_path / f'{TABLE}.csv')
    assert len(sampled) == 45
    assert list(written.columns) == SDV_COLUMNS
    assert len(written) >= 45  # SDV itself writes whole batches (here 3 x 20) to the file


def test_conditions_are_native_and_exact(fitted):
    conditions = [
        Condition({'group': 'a'}, num_rows=7),
        Condition({'rare': 'solo'}, num_rows=5),
        Condition({'group': 'b', 'flag': True}, num_rows=3),
    ]
    sampled = fitted.sample_from_conditions(conditions)[TABLE]

    assert len(sampled) == 15
    assert (sampled['group'] == 'a').sum() >= 7
    assert (sampled['rare'] == 'solo').sum() >= 5
    assert ((sampled['group'] == 'b') & sampled['flag']).sum() >= 3


def test_rare_class_counts_are_exact(fitted):
    sampled = fitted.sample_from_conditions([Condition({'rare': 'solo'}, num_rows=40)])[TABLE]

    assert (sampled['rare'] == 'solo').sum() == 40


def test_sampling_the_table_size_reproduces_a_single_category_column_exactly(synthesizer_class):
    # Conditions are drawn without replacement from the training rows and imposed on the rows
    # generated for them: no multinomial noise on top of what the model learned.
    table = pd.DataFrame({'x': np.linspace(0, 1, 60), 'kind': ['a'] * 33 + ['b'] * 18 + ['c'] * 9})
    metadata = Metadata.detect_from_dataframes({TABLE: table})
    synthesizer = synthesizer_class(metadata, **FAST)
    synthesizer.fit({TABLE: table})

    once = synthesizer.sample(60)[TABLE]['kind'].value_counts().to_dict()
    twice = synthesizer.sample(120)[TABLE]['kind'].value_counts().to_dict()
    assert once == {'a': 33, 'b': 18, 'c': 9}
    assert twice == {'a': 66, 'b': 36, 'c': 18}


def test_sampled_numbers_keep_the_exact_values_of_a_full_precision_column(synthesizer_class):
    # SDV's detection gives a standardised column 15 decimal places, and rounding there moved
    # the last bits of sampled values: none equalled a training value (KSComplement compares
    # values exactly).
    levels = (np.arange(6) - 2.5) / 1.7078251276599330
    table = pd.DataFrame({'z': np.repeat(levels, 10), 'kind': ['a', 'b'] * 30})
    metadata = Metadata.detect_from_dataframes({TABLE: table})
    assert metadata.tables[TABLE].columns['z'].get('decimal_places') == 15  # the premise
    synthesizer = synthesizer_class(metadata, **FAST)
    synthesizer.fit({TABLE: table})

    sampled = synthesizer.sample(200)[TABLE]['z'].to_numpy()
    near = np.isclose(sampled[:, None], levels[None], rtol=0, atol=1e-9).any(axis=1)
    assert near.sum() > 100
    assert np.isin(sampled[near], levels).all()


def test_numbers_are_stratified_only_in_samples_without_conditions(synthesizer_class):
    table = pd.DataFrame(
        {'x': np.random.default_rng(0).exponential(size=200), 'kind': ['a', 'b'] * 100}
    )
    metadata = Metadata.detect_from_dataframes({TABLE: table})
    fits = {}
    for stratified in (True, False):
        fits[stratified] = synthesizer_class(metadata, **FAST, stratified_numbers=stratified)
        fits[stratified].fit({TABLE: table})

    def gap(synthesizer):
        return ks_2samp(synthesizer.sample(200)[TABLE]['x'], table['x']).statistic

    assert gap(fits[True]) < 0.02 < gap(fits[False])
    conditioned = []
    for synthesizer in fits.values():
        synthesizer.reset_sampling()
        conditions = [Condition({'kind': 'a'}, num_rows=50)]
        conditioned.append(synthesizer.sample_from_conditions(conditions)[TABLE])
    pd.testing.assert_frame_equal(*conditioned)  # a condition's rows are not the table's


def test_dataframe_condition_and_remaining_columns(fitted):
    frame = pd.DataFrame({'group': ['a', 'b', 'b', 'c']})
    sampled = fitted.sample_from_conditions([DataFrameCondition(frame)])[TABLE]
    remaining = fitted.sample_remaining_columns(frame)[TABLE]

    assert sorted(sampled['group']) == ['a', 'b', 'b', 'c']
    assert list(remaining['group']) == ['a', 'b', 'b', 'c']


def test_unseen_category_condition_is_refused(fitted):
    with pytest.raises(ValueError, match="group='zzz'.*never appears.*'a', 'b', 'c'"):
        fitted.sample_from_conditions([Condition({'group': 'zzz'}, num_rows=3)])
    with pytest.raises(ValueError, match="group='zzz'"):
        fitted.sample_remaining_columns(pd.DataFrame({'group': ['a', 'zzz']}))


def test_a_number_sampling_never_draws_is_refused_as_a_condition(fitted):
    with pytest.raises(ValueError, match=r'amount=1000\.0: .* lie within \[.*the training range'):
        fitted.sample_from_conditions([Condition({'amount': 1000.0}, num_rows=3)])
    with pytest.raises(ValueError, match='amount=-5'):
        fitted.sample_remaining_columns(pd.DataFrame({'amount': [50.0, -5.0]}))


def test_a_protected_extreme_is_refused_as_a_condition(synthesizer_class):
    table = make_mixed_table(n_rows=2_000)
    synthesizer = synthesizer_class(make_metadata(table), **FAST)
    synthesizer.fit({TABLE: table})
    # 2,000 rows: the 2nd smallest and largest values end each number's range.
    largest = table['amount'].max()

    refusal = 'value_protection keeps the 1 most extreme training value at each end'
    with pytest.raises(ValueError, match=refusal):
        synthesizer.sample_from_conditions([Condition({'amount': largest}, num_rows=3)])
    sampled = synthesizer.sample_from_conditions([Condition({'count': 4}, num_rows=5)])[TABLE]
    assert (sampled['count'] == 4).all()


def test_preprocess_then_fit_processed_data(synthesizer_class, mixed_table, mixed_metadata):
    synthesizer = synthesizer_class(mixed_metadata, **FAST)
    processed = synthesizer.preprocess({TABLE: mixed_table})
    synthesizer.fit_processed_data(processed)

    assert list(synthesizer.sample(5)[TABLE].columns) == SDV_COLUMNS


def test_save_and_load_give_the_same_rows(fitted, tmp_path):
    path = tmp_path / 'synth.pkl'
    fitted.save(str(path))
    loaded = load_synthesizer(str(path))
    fitted.reset_sampling()

    pd.testing.assert_frame_equal(fitted.sample(20)[TABLE], loaded.sample(20)[TABLE])


def test_reset_sampling_replays_the_same_rows(fitted):
    first = fitted.sample(30)[TABLE]
    second = fitted.sample(30)[TABLE]
    fitted.reset_sampling()
    replay = fitted.sample(30)[TABLE]

    pd.testing.assert_frame_equal(first, replay)
    assert not first.drop(columns=['id', 'email']).equals(second.drop(columns=['id', 'email']))


def test_same_model_state_same_rows(fitted):
    fitted._model.set_random_state(0)
    first = fitted._model.sample(25)
    fitted._model.set_random_state(0)

    pd.testing.assert_frame_equal(first, fitted._model.sample(25))


def fitted_rows(synthesizer_class, metadata, table, random_state):
    synthesizer = synthesizer_class(metadata, **{**FAST, 'random_state': random_state})
    synthesizer.fit({TABLE: table})
    return synthesizer.sample(20)[TABLE].drop(columns=['id', 'email'])


def test_fit_is_deterministic(synthesizer_class, mixed_table, mixed_metadata):
    first, second = (fitted_rows(synthesizer_class, mixed_metadata, mixed_table, 3) for _ in '12')

    pd.testing.assert_frame_equal(first, second)


def test_random_state_none_draws_fresh_training_randomness(
    synthesizer_class, mixed_table, mixed_metadata
):
    first, second = (
        fitted_rows(synthesizer_class, mixed_metadata, mixed_table, None) for _ in '12'
    )
    seeded = fitted_rows(synthesizer_class, mixed_metadata, mixed_table, 4)

    assert not first.equals(second)
    assert not seeded.equals(fitted_rows(synthesizer_class, mixed_metadata, mixed_table, 5))
    assert synthesizer_class(mixed_metadata).get_parameters()['random_state'] is None


def test_get_parameters_returns_every_init_argument(synthesizer_class, mixed_metadata):
    synthesizer = synthesizer_class(mixed_metadata, class_column='group', **FAST)
    parameters = synthesizer.get_parameters()
    names = [name for name in inspect.signature(synthesizer_class).parameters if name != 'metadata']

    assert sorted(parameters) == sorted(names)
    assert parameters['class_column'] == 'group'
    assert parameters['attention_dim'] == FAST['attention_dim']


def test_loss_values_have_a_column_per_regulariser(fitted):
    losses = fitted.get_loss_values()
    figure = fitted.get_loss_values_plot()

    expected = {'Epoch', 'Generator Loss', 'Discriminator Loss', 'Gradient Penalty'}
    expected |= {'Condition Loss'}
    expected |= {'Classwise Correlation Loss'} if fitted.classwise_weight else set()
    expected |= {'Correlation Loss'} if fitted.correlation_weight else set()
    expected |= {'MFS Loss'} if fitted.mfs_weight else set()
    expected |= {'Energy Loss'} if fitted.energy_weight else set()
    expected |= {'Contingency Loss'} if fitted.contingency_weight else set()
    expected |= {'Likelihood Loss'} if fitted.likelihood_weight else set()
    expected |= {'Validation Score'}
    assert set(losses.columns) == expected
    assert list(losses.columns[:3]) == ['Epoch', 'Generator Loss', 'Discriminator Loss']
    assert len(losses) == FAST['epochs']
    assert {trace.name for trace in figure.data} == set(losses.columns) - {'Epoch'}


def test_add_constraints_keeps_categoricals_discrete(
    synthesizer_class, mixed_table, mixed_metadata
):
    synthesizer = synthesizer_class(mixed_metadata, **FAST)
    synthesizer.add_constraints([FixedCombinations(column_names=['group', 'rare'])])
    synthesizer.fit({TABLE: mixed_table})
    sampled = synthesizer.sample(30)[TABLE]

    seen = set(zip(mixed_table['group'], mixed_table['rare']))
    assert set(zip(sampled['group'], sampled['rare'])) <= seen
    transformers = synthesizer.get_transformers()
    assert transformers['group#rare'] is None
    assert transformers['flag'] is None


def test_update_transformers(synthesizer_class, mixed_table, mixed_metadata):
    from rdt.transformers import UniformEncoder

    synthesizer = synthesizer_class(mixed_metadata, **FAST)
    synthesizer.auto_assign_transformers({TABLE: mixed_table})
    synthesizer.update_transformers({'group': UniformEncoder()})
    synthesizer.fit({TABLE: mixed_table})

    assert set(synthesizer.sample(20)[TABLE]['group']) <= {'a', 'b', 'c'}


def test_small_table_adapts_the_batch(synthesizer_class, mixed_table, mixed_metadata):
    synthesizer = synthesizer_class(mixed_metadata, **{**FAST, 'batch_size': 500})
    synthesizer.fit({TABLE: mixed_table.head(23)})

    assert synthesizer._model.engine.batch_size == 20
    assert len(synthesizer.sample(5)[TABLE]) == 5


@pytest.mark.parametrize('class_column', ['amount', 'missing_column', 'when'])
def test_bad_class_column_names_the_valid_choices(synthesizer_class, mixed_metadata, class_column):
    with pytest.raises(SynthesizerInputError, match=f"'{class_column}'.*group.*flag.*rare"):
        synthesizer_class(mixed_metadata, class_column=class_column)


@pytest.mark.parametrize(
    'arguments, message',
    [
        ({'epochs': 0}, 'epochs must be a positive integer, got 0'),
        ({'epochs': -3}, 'epochs must be a positive integer, got -3'),
        ({'batch_size': 0}, 'batch_size must be a positive integer, got 0'),
        ({'batch_size': 25}, 'batch_size must be a multiple of pac'),
        ({'generator_lr': 0}, 'generator_lr must be a positive number, got 0'),
        ({'discriminator_lr': 'fast'}, "discriminator_lr must be a positive number, got 'fast'"),
        ({'correlation_weight': -1}, 'correlation_weight must be a number >= 0'),
        ({'mfs_weight': -0.5}, 'mfs_weight must be a number >= 0'),
        ({'mfs_subsamples': 0}, 'mfs_subsamples must be a positive integer'),
        ({'generator': 'rnn'}, 'generator must be one of'),
        ({'adversarial_loss': 'hinge'}, 'adversarial_loss must be one of'),
        ({'attention_dim': 10, 'attention_heads': 4}, 'attention_dim must be a multiple'),
    ],
)
def test_bad_arguments_name_the_value(synthesizer_class, mixed_metadata, arguments, message):
    with pytest.raises(SynthesizerInputError, match=message):
        synthesizer_class(mixed_metadata, **arguments)


def test_sampling_before_fit_is_refused(synthesizer_class, mixed_metadata):
    with pytest.raises(SamplingError, match='fit'):
        synthesizer_class(mixed_metadata, **FAST).sample(5)


def test_bce_and_mlp_variants_train(synthesizer_class, mixed_table, mixed_metadata):
    synthesizer = synthesizer_class(mixed_metadata, generator='mlp', adversarial_loss='bce', **FAST)
    synthesizer.fit({TABLE: mixed_table})

    assert np.isfinite(synthesizer.get_loss_values().drop(columns='Epoch').to_numpy()).all()


@pytest.mark.parametrize('suffix', ['.csv', '.parquet'])
def test_sample_to_file_streams_batches(fitted, tmp_path, suffix):
    path = tmp_path / f'rows{suffix}'
    fitted.sample_to_file(45, path, batch_size=20)
    written = pd.read_csv(path) if suffix == '.csv' else pd.read_parquet(path)

    assert len(written) == 45
    assert list(written.columns) == SDV_COLUMNS
    assert written['id'].is_unique
    with pytest.raises(FileExistsError, match='overwrite=True'):
        fitted.sample_to_file(5, path)


def test_infinite_values_are_refused_naming_the_column(synthesizer_class):
    from sdv.errors import InvalidDataError
    from sdv.metadata import Metadata

    data = pd.DataFrame({'size': [1.0, np.inf, 3.0] * 10, 'kind': ['a', 'b', 'c'] * 10})
    metadata = Metadata.detect_from_dataframes({TABLE: data})
    with pytest.raises(InvalidDataError, match="'size' holds infinite values"):
        synthesizer_class(metadata, **FAST).fit({TABLE: data})


def test_losses_compose_on_either_preset(synthesizer_class, mixed_table, mixed_metadata):
    weights = {'correlation_weight': 1.0, 'mfs_weight': 1.0, 'classwise_weight': 0.0}
    synthesizer = synthesizer_class(mixed_metadata, **FAST, **weights)
    synthesizer.fit({TABLE: mixed_table})
    columns = set(synthesizer.get_loss_values().columns)

    assert {'Correlation Loss', 'MFS Loss'} <= columns
    off = synthesizer_class(mixed_metadata, **FAST, mfs_weight=0.0, correlation_weight=0.0)
    off.fit({TABLE: mixed_table})
    assert not {'Correlation Loss', 'MFS Loss'} & set(off.get_loss_values().columns)


def test_mfs_arguments_are_checked(synthesizer_class, mixed_table, mixed_metadata):
    with pytest.raises(SynthesizerInputError, match="'entropy'.*'cor'"):
        synthesizer_class(mixed_metadata, mfs_features=['mean', 'entropy'])
    with pytest.raises(SynthesizerInputError, match='mfs_distance must be one of'):
        synthesizer_class(mixed_metadata, mfs_distance='energy')

    large = synthesizer_class(mixed_metadata, **{**FAST, 'mfs_subsample_size': 500}, mfs_weight=1.0)
    with pytest.warns(UserWarning, match='exceeds the batch'):
        large.fit({TABLE: mixed_table})
