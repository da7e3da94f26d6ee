from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from pymfe.statistical import MFEStatistical

from sdv_attncorr.core.losses.metafeatures import META_FEATURES, meta_features

DATA_DIR = Path(__file__).resolve().parents[3] / 'shared' / 'data'
CROP_NUMERIC = ['N', 'P', 'K', 'temperature', 'humidity', 'ph', 'rainfall']


def _random_table():
    rng = np.random.default_rng(0)
    table = rng.normal(size=(120, 5)) * [1.0, 10.0, 0.1, 3.0, 100.0]
    table[:, 2] = table[:, 2] ** 3  # skewed
    table[:, 3] = np.round(table[:, 3])  # ties
    return table


def _read_csv(name):
    path = DATA_DIR / name
    if not path.exists():
        pytest.skip(f'{path} is absent: the shared data directory is not checked out')

    return pd.read_csv(path)


def _crop_table():
    return _read_csv('crop_recommendation.csv')[CROP_NUMERIC].to_numpy(dtype=np.float64)


def _abalone_table():
    table = _read_csv('abalone_cleaned.csv').drop(columns='target')
    return table.sample(n=300, random_state=0).to_numpy(dtype=np.float64)


TABLES = {
    'random': _random_table,
    'random-odd-rows': lambda: _random_table()[:101],  # odd m: medians and trims differ
    'crop': _crop_table,
    'abalone': _abalone_table,
}


def _pymfe(name, table):
    return np.asarray(getattr(MFEStatistical, f'ft_{name}')(table), dtype=np.float64)


@pytest.mark.parametrize('table_name', TABLES)
@pytest.mark.parametrize('name', META_FEATURES)
def test_equals_pymfe(name, table_name):
    table = TABLES[table_name]()

    values = meta_features(torch.from_numpy(table), [name])[name]

    expected = _pymfe(name, table)
    assert values.shape == expected.shape
    atol = 1e-9 * np.abs(expected).max()
    np.testing.assert_allclose(values.numpy(), expected, rtol=1e-6, atol=atol)


@pytest.mark.parametrize('name', META_FEATURES)
def test_float32_is_close_to_pymfe(name):
    table = _random_table()[:51]
    values = meta_features(torch.from_numpy(table).float(), [name])[name]

    expected = _pymfe(name, table)
    np.testing.assert_allclose(
        values.numpy(), expected, rtol=1e-3, atol=1e-3 * np.abs(expected).max()
    )


def test_all_features_by_default_in_order():
    features = meta_features(torch.randn(10, 3, dtype=torch.float64))

    assert tuple(features) == META_FEATURES
    assert {'mean', 'var', 'sd', 'median', 'min', 'max', 'range', 'iq_range', 'mad', 'cor'} < set(
        META_FEATURES
    )
    assert {'cov', 'eigenvalues', 'skewness', 'kurtosis'} < set(META_FEATURES)


def test_subset_in_requested_order_and_single_name():
    x = torch.randn(10, 4, dtype=torch.float64)

    subset = meta_features(x, ['cor', 'mean'])
    single = meta_features(x, 'skewness')

    assert list(subset) == ['cor', 'mean']
    assert subset['cor'].shape == (6,)
    assert list(single) == ['skewness']


def test_batch_equals_stacked_single_calls():
    batch = torch.randn(4, 25, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))

    batched = meta_features(batch)

    for name, values in batched.items():
        singles = torch.stack([meta_features(sample, [name])[name] for sample in batch])
        torch.testing.assert_close(values, singles)


def test_constant_column_is_finite_with_documented_values():
    table = _random_table()[:, :3]
    table[:, 1] = 2.5

    with np.errstate(invalid='ignore'):  # pymfe divides by the constant column's zero spread
        expected_cor = _pymfe('cor', table)
    features = meta_features(torch.from_numpy(table))

    for name, values in features.items():
        assert torch.isfinite(values).all(), name
    assert features['cor'][[0, 2]].tolist() == [0.0, 0.0]  # pairs (1, 0) and (2, 1)
    assert features['skewness'][1] == 0
    assert features['kurtosis'][1] == 0
    assert features['sd'][1] == 0
    np.testing.assert_allclose(features['cor'][1].item(), expected_cor[1])


def test_a_constant_float32_column_whose_mean_misses_its_value_keeps_finite_features():
    # Found by the long fuzz profile: an all-missing column became this constant, the float32
    # mean of ten copies of it differs in the last bit, and the denormal covariance made the
    # eigenvalue solver return NaN, which reached the generator.
    groups = torch.randn(256, 10, 4, generator=torch.Generator().manual_seed(0))
    groups[..., 2:] = -9.740207619813755e-16
    assert (groups.mean(dim=-2, keepdim=True) != groups)[..., 2:].any()

    for name, values in meta_features(groups).items():
        assert torch.isfinite(values).all(), name
    assert (meta_features(groups, ['var'])['var'][:, 2:] == 0).all()


def test_a_column_spread_over_a_few_ulps_keeps_finite_moments():
    # Also from the fuzz profile: a column of 0 and -2.8e-16 in float32, whose sd**4
    # underflows to 0.
    groups = torch.randn(64, 10, 3, generator=torch.Generator().manual_seed(0))
    groups[..., 2] = 0.0
    groups[:, ::3, 2] = -2.782916424989959e-16
    features = meta_features(groups, ['skewness', 'kurtosis', 'sd'])

    for name, values in features.items():
        assert torch.isfinite(values).all(), name
    single = meta_features(groups[0].double(), ['skewness'])['skewness'][2]
    np.testing.assert_allclose(features['skewness'][0, 2].item(), single.item(), rtol=1e-4)


def _gradients(x):
    x = x.clone().requires_grad_()
    features = meta_features(x)
    weights = torch.Generator().manual_seed(1)
    loss = sum(
        (values * torch.rand(values.shape, generator=weights, dtype=x.dtype)).sum()
        for values in features.values()
    )
    loss.backward()
    return x.grad


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_gradients_finite_on_collinear_and_constant_columns(dtype):
    column = torch.randn(40, 1, dtype=dtype, generator=torch.Generator().manual_seed(0))
    noise = 1e-6 * torch.randn(40, 1, dtype=dtype, generator=torch.Generator().manual_seed(1))
    constant = torch.full((40, 1), 3.0, dtype=dtype)
    x = torch.cat([column, 2 * column, column + noise, constant, constant], dim=1)

    grad = _gradients(x)

    assert torch.isfinite(grad).all()
    assert grad[:, 0].abs().sum() > 0


def test_gradients_finite_on_repeated_eigenvalues():
    # Two copies of a column and a constant pair: the covariance has repeated zero eigenvalues.
    column = torch.randn(3, 20, 1, generator=torch.Generator().manual_seed(0))
    x = torch.cat([column, column, torch.zeros_like(column), torch.zeros_like(column)], dim=-1)

    assert torch.isfinite(_gradients(x)).all()


def test_gradcheck():
    # Even row count and distinct values: every feature is smooth at this point.
    x = torch.randn(2, 6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))

    def all_features(x):
        return torch.cat(list(meta_features(x).values()), dim=-1)

    assert torch.autograd.gradcheck(all_features, (x.requires_grad_(),))


def test_unknown_feature_raises_listing_valid_names():
    with pytest.raises(ValueError, match=r"Unknown meta-features \['nr_norm'\].*'mean'"):
        meta_features(torch.randn(5, 2), ['mean', 'nr_norm'])


@pytest.mark.parametrize(
    ('shape', 'message'),
    [
        ((5,), r'got shape \(5,\)'),
        ((2, 2, 5, 3), r'got shape \(2, 2, 5, 3\)'),
        ((1, 3), 'got 1 rows'),
    ],
)
def test_bad_shape_raises(shape, message):
    with pytest.raises(ValueError, match=message):
        meta_features(torch.randn(shape))


def test_integer_input_raises():
    with pytest.raises(TypeError, match='floating-point'):
        meta_features(torch.ones(5, 2, dtype=torch.long))


def test_a_non_finite_covariance_gives_nan_eigenvalues_for_its_group_only():
    groups = torch.randn(3, 10, 4, generator=torch.Generator().manual_seed(0))
    groups[1, 0, 0] = torch.inf
    values = meta_features(groups, ['eigenvalues'])['eigenvalues']

    assert values[1].isnan().all()
    torch.testing.assert_close(
        values[[0, 2]], meta_features(groups[[0, 2]], ['eigenvalues'])['eigenvalues']
    )
    # Without data (a meta tensor, as a GPU's that is not read back) the features still build.
    assert meta_features(groups.to('meta'), ['eigenvalues'])['eigenvalues'].shape == (3, 4)
