"""Our own evaluation metrics on known cases: association, correlation and MFS distance,
privacy, ML utility, and the input checks."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wasserstein_distance
from sdv.metadata import Metadata

from sdv_attncorr.evaluation import evaluate
from sdv_attncorr.evaluation.association import association_matrix
from sdv_attncorr.evaluation.columns import ColumnRoles, encode
from sdv_attncorr.evaluation.correlation import (
    classwise_correlation_distance,
    correlation_distance,
)
from sdv_attncorr.evaluation.metafeatures import (
    meta_features,
    mfs_distance,
    wasserstein_per_component,
)
from sdv_attncorr.evaluation.privacy import privacy_metrics
from sdv_attncorr.evaluation.utility import ml_utility

SHARED_DATA = Path(__file__).resolve().parents[3] / 'shared' / 'data'


@pytest.fixture(scope='module')
def crops():
    path = SHARED_DATA / 'crop_recommendation.csv'
    if not path.exists():
        pytest.skip(f'{path} is absent: the shared data sets only exist on the project machines')

    return pd.read_csv(path).sample(440, random_state=0).reset_index(drop=True)


@pytest.fixture(scope='module')
def crop_roles(crops):
    metadata = Metadata.detect_from_dataframes({'crops': crops})
    return ColumnRoles.from_metadata(metadata.to_dict()['tables']['crops']['columns'])


def shuffle_columns(data, seed=0):
    """Shuffle each column on its own: same marginals, no relationships left."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({column: rng.permutation(data[column].to_numpy()) for column in data})


def test_roles_sort_sdtypes(mixed_table, mixed_metadata):
    columns = mixed_metadata.to_dict()['tables']['table']['columns']
    roles = ColumnRoles.from_metadata(columns)
    assert set(roles.numeric) == {'amount', 'count', 'when', 'score'}
    assert set(roles.categorical) == {'group', 'flag', 'rare'}
    assert roles.excluded == {'id': 'id', 'email': 'email'}
    encoded = encode(mixed_table, roles)
    assert encoded.numeric['when'].notna().all()
    assert (encoded.categorical['flag'].isin(['True', 'False'])).all()


def test_association_measures_on_known_cases():
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    binary = np.where(x + rng.normal(size=400) > 0, 'yes', 'no')
    table = encode(
        pd.DataFrame(
            {
                'x': x,
                'y': 2 * x + rng.normal(size=400),
                'constant': np.ones(400),
                'binary': binary,
                'copy': binary,
                'single': ['only'] * 400,
            }
        ),
        ColumnRoles(('x', 'y', 'constant'), ('binary', 'copy', 'single')),
    )
    matrix = association_matrix(table)
    assert matrix.loc['x', 'y'] == pytest.approx(np.corrcoef(x, table.numeric['y'])[0, 1])
    # For a binary category the correlation ratio is |point-biserial r|.
    point_biserial = abs(np.corrcoef(x, binary == 'yes')[0, 1])
    assert matrix.loc['x', 'binary'] == pytest.approx(point_biserial)
    assert matrix.loc['binary', 'copy'] == pytest.approx(1.0)
    assert matrix.loc['x', 'constant'] == 0.0
    assert matrix.loc['binary', 'single'] == 0.0
    assert np.allclose(matrix.to_numpy(), matrix.to_numpy().T)
    assert np.all(np.diag(matrix) == 1.0)


def test_correlation_distance_identical_is_zero_and_shuffled_is_large(crops, crop_roles):
    real = encode(crops, crop_roles)
    identical = correlation_distance(real, encode(crops.copy(), crop_roles))
    assert identical.mean_abs_diff == 0.0
    assert identical.frobenius == 0.0

    shuffled = correlation_distance(real, encode(shuffle_columns(crops), crop_roles))
    assert shuffled.mean_abs_diff > 0.2
    assert shuffled.frobenius > 2.0


def test_classwise_distance_weights_and_skips(crops, crop_roles):
    real = encode(crops, crop_roles)
    identical = classwise_correlation_distance(real, real, 'label', min_class_rows=10)
    assert identical.mean_abs_diff == 0.0
    assert identical.classes['weight'].sum() == pytest.approx(1.0)
    assert 'label' not in next(iter(identical.distances.values())).real.columns

    too_big = int(identical.classes['real_rows'].max()) + 1
    skipped = classwise_correlation_distance(real, real, 'label', min_class_rows=too_big)
    assert skipped.mean_abs_diff is None
    assert skipped.classes['skipped'].str.contains(f'fewer than {too_big} rows').all()


def test_classwise_distance_of_shuffled_rows_is_large(crops, crop_roles):
    real = encode(crops, crop_roles)
    shuffled = encode(shuffle_columns(crops), crop_roles)
    assert classwise_correlation_distance(real, shuffled, 'label').mean_abs_diff > 0.15


def test_wasserstein_per_component_matches_scipy():
    rng = np.random.default_rng(0)
    real, synthetic = rng.normal(size=(20, 3)), rng.normal(1.0, 2.0, size=(20, 3))
    expected = [
        wasserstein_distance(real[:, index], synthetic[:, index]) / real[:, index].std()
        for index in range(3)
    ]
    assert wasserstein_per_component(real, synthetic) == pytest.approx(expected)


def test_wasserstein_per_component_of_missing_values_is_nan():
    rng = np.random.default_rng(0)
    real, synthetic = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    synthetic[4, 1] = np.nan
    distances = wasserstein_per_component(real, synthetic)
    assert np.isnan(distances).tolist() == [False, True, False]


def test_undefined_pairs_count_zero_or_are_left_out():
    rng = np.random.default_rng(0)
    x = rng.normal(size=100)
    roles = ColumnRoles(('x', 'y', 'z'), ())
    real = encode(pd.DataFrame({'x': x, 'y': x + rng.normal(size=100), 'z': x}), roles)
    collapsed = encode(pd.DataFrame({'x': x, 'y': x + rng.normal(size=100), 'z': 1.0}), roles)
    real_r, synthetic_r = real.numeric.corr(), collapsed.numeric.corr()
    x_y_gap = abs(real_r.loc['x', 'y'] - synthetic_r.loc['x', 'y'])

    counted = correlation_distance(real, collapsed)  # z's pairs are charged their real r
    expected = (x_y_gap + real_r.loc['x', 'z'] + real_r.loc['y', 'z']) / 3
    assert counted.mean_abs_diff == pytest.approx(expected)
    left_out = correlation_distance(real, collapsed, undefined=np.nan)
    assert left_out.mean_abs_diff == pytest.approx(x_y_gap)
    assert np.isnan(left_out.synthetic.loc['x', 'z'])
    assert association_matrix(collapsed).loc['x', 'z'] == 0.0


def test_meta_features_are_pymfe_values():
    from pymfe.statistical import MFEStatistical

    matrix = np.random.default_rng(0).normal(size=(50, 3))
    values = meta_features(matrix, ('mean', 'cor', 'eigenvalues'))
    assert values['mean'] == pytest.approx(MFEStatistical.ft_mean(matrix))
    assert values['cor'].shape == (3,)
    assert values['eigenvalues'] == pytest.approx(MFEStatistical.ft_eigenvalues(matrix))


def test_mfs_distance_identical_is_zero_and_rescaled_is_large(crops, crop_roles):
    real = encode(crops, crop_roles)
    identical, reason = mfs_distance(real, encode(crops.copy(), crop_roles), n_subsamples=8)
    assert reason is None
    assert identical.distance == 0.0
    assert identical.baseline > 0.0
    assert identical.columns == crop_roles.numeric

    rescaled = crops.copy()
    rescaled[list(crop_roles.numeric)] *= 3
    distance, _ = mfs_distance(real, encode(rescaled, crop_roles), n_subsamples=8)
    assert distance.distance > 5 * identical.baseline


def test_mfs_distance_needs_numeric_columns():
    roles = ColumnRoles((), ('group',))
    table = encode(pd.DataFrame({'group': list('abab') * 10}), roles)
    result, reason = mfs_distance(table, table)
    assert result is None
    assert 'no numeric columns' in reason


def test_privacy_flags_every_copied_row(crops, crop_roles):
    real = encode(crops, crop_roles)
    copied = privacy_metrics(real, encode(crops.iloc[::-1], crop_roles), None).summary()
    assert copied['exact_copy_share'] == 1.0
    assert copied['exact_copies'] == len(crops)
    assert copied['dcr_synthetic_median'] == 0.0
    assert copied['share_closer_than_baseline_p05'] == 1.0

    shuffled = privacy_metrics(real, encode(shuffle_columns(crops), crop_roles), None).summary()
    assert shuffled['exact_copy_share'] == 0.0
    assert shuffled['dcr_synthetic_median'] > 0.0


def test_privacy_counts_exact_copies_exactly(crops, crop_roles):
    half_copied = pd.concat([crops.iloc[:100], shuffle_columns(crops.iloc[100:200])])
    copies = privacy_metrics(
        encode(crops, crop_roles), encode(half_copied, crop_roles), None, max_query_rows=50
    ).copies
    assert copies['exact_copies'] == 100
    assert copies['exact_copy_share'] == 0.5


def test_membership_inference_auc_is_one_for_copies_and_chance_for_fresh_rows(crops, crop_roles):
    members, others = crops.iloc[:220], crops.iloc[220:]
    real, holdout = encode(members, crop_roles), encode(others, crop_roles)
    copied = privacy_metrics(real, real, holdout).summary()
    assert copied['membership_inference_auc'] == 1.0

    # Rows drawn like the table but trained on by no one: the attack is a coin toss.
    fresh = encode(shuffle_columns(crops, seed=1), crop_roles)
    assert abs(privacy_metrics(real, fresh, holdout).membership_auc - 0.5) < 0.07

    assert privacy_metrics(real, real, None).summary()['membership_inference_auc'] is None


def test_ml_utility_classification(crops, crop_roles):
    real = encode(crops, crop_roles)
    result = ml_utility(real, real, None, 'label', 'classification')
    assert result['test_set'] == 'a quarter of real_data'
    assert 'synthesizer may have seen' in result['note']
    assert set(result['train_synthetic_test_real']) == {'accuracy', 'macro_f1'}  # 22 classes
    assert result['train_synthetic_test_real']['macro_f1'] > 0.8


def test_ml_utility_binary_and_regression(mixed_table, mixed_metadata):
    roles = ColumnRoles.from_metadata(mixed_metadata.to_dict()['tables']['table']['columns'])
    table = encode(mixed_table, roles)
    holdout = encode(mixed_table.iloc[:20], roles)
    binary = ml_utility(table, table, holdout, 'flag', 'classification')
    assert binary['test_set'] == 'holdout_data'
    assert binary['note'] is None
    assert set(binary['train_real_test_real']) == {'accuracy', 'macro_f1', 'roc_auc'}

    regression = ml_utility(table, table, None, 'amount', 'regression')
    assert set(regression['train_synthetic_test_real']) == {'r2', 'rmse'}


def test_ml_utility_can_skip_the_train_on_real_model(crops, crop_roles):
    real = encode(crops, crop_roles)
    result = ml_utility(real, real, real, 'label', 'classification', train_on_real=False)
    assert 'train_real_test_real' not in result
    assert result['train_synthetic_test_real']['macro_f1'] == pytest.approx(1.0)


def test_ml_utility_reports_a_single_class_training_set(crops, crop_roles):
    real = encode(crops, crop_roles)
    rice = encode(crops[crops['label'] == 'rice'], crop_roles)
    result = ml_utility(real, rice, None, 'label', 'classification')
    assert 'single class' in result['train_synthetic_test_real']['error']
    assert 'accuracy' in result['train_real_test_real']


@pytest.mark.parametrize(
    ('change', 'message'),
    [
        (lambda data: data.iloc[:0], 'synthetic_data is empty'),
        (lambda data: data.drop(columns='amount'), "lacks column(s) ['amount']"),
        (lambda data: data.assign(extra=1), "has column(s) ['extra']"),
        (lambda data: data.assign(amount=data['amount'].astype(str)), "Column 'amount'"),
    ],
)
def test_bad_synthetic_tables_are_refused(mixed_table, mixed_metadata, change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        evaluate(mixed_table, change(mixed_table), mixed_metadata)


def test_bad_arguments_are_refused(mixed_table, mixed_metadata):
    with pytest.raises(ValueError, match="class_column 'amount' is not a categorical"):
        evaluate(mixed_table, mixed_table, mixed_metadata, class_column='amount')
    with pytest.raises(ValueError, match="target 'email'"):
        evaluate(mixed_table, mixed_table, mixed_metadata, target='email')
    with pytest.raises(ValueError, match='holds tables'):
        evaluate({'a': mixed_table, 'b': mixed_table}, mixed_table, mixed_metadata)
    with pytest.raises(ValueError, match=r"column\(s\) \['extra'\] are in real_data"):
        evaluate(mixed_table.assign(extra=1), mixed_table.assign(extra=1), mixed_metadata)
    only_ids = Metadata.load_from_dict({'columns': {'id': {'sdtype': 'id'}}}, 'table')
    with pytest.raises(ValueError, match='No column to evaluate'):
        evaluate(mixed_table[['id']], mixed_table[['id']], only_ids)


def test_ml_utility_skips_a_feature_the_synthetic_rows_never_hold(crops, crop_roles):
    real = encode(crops, crop_roles)
    hollow = crops.assign(N=np.nan, P=np.nan)
    result = ml_utility(real, encode(hollow, crop_roles), real, 'label', 'classification')
    assert result['train_synthetic_test_real']['macro_f1'] > 0.8  # from the other columns
