"""TableEncoder: exact inverse for categories, quantile round trip for numbers."""

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from sdv_attncorr.data.encoder import TableEncoder
from sdv_attncorr.data.quantile import QuantileNormalizer, sorted_quantiles, stratified


def test_round_trip_of_categories_numbers_and_missing_values():
    data = pd.DataFrame(
        {
            'colour': ['red', 'blue', np.nan, 'red', 'green'] * 20,
            'flag': [True, False, True, True, False] * 20,
            'value': np.linspace(-3, 8, 100),
            'gaps': [1.0, np.nan, 2.0, 3.0, np.nan] * 20,
        }
    )
    encoder = TableEncoder().fit(data, ['colour', 'flag'])
    matrix = encoder.transform(data)
    decoded = encoder.inverse_transform(matrix)

    assert matrix.dtype == np.float32
    assert [s.column for s in encoder.layout.spans] == [
        'colour',
        'flag',
        'value',
        'gaps',
        'gaps#null',
    ]
    pd.testing.assert_series_equal(decoded['colour'], data['colour'], check_dtype=False)
    pd.testing.assert_series_equal(decoded['flag'], data['flag'])
    np.testing.assert_allclose(decoded['value'][1:-1], data['value'][1:-1], atol=0.02)
    extremes = encoder._normalizers['value'].inverse(np.array([-9.0, 9.0]))
    np.testing.assert_allclose(extremes, [-3, 8])
    assert decoded['gaps'].isna().equals(data['gaps'].isna())
    np.testing.assert_allclose(decoded['gaps'].dropna(), data['gaps'].dropna(), atol=1e-6)


def test_quantile_normalizer_constant_and_point_masses():
    constant = QuantileNormalizer().fit(np.full(10, 4.0))
    assert constant.transform(np.full(3, 4.0)).tolist() == [0.0, 0.0, 0.0]
    assert constant.inverse(np.array([-2.0, 0.0, 3.0])).tolist() == [4.0, 4.0, 4.0]
    # 146 grid points average to 0.5 minus an ulp: the score must still be exactly 0.
    assert QuantileNormalizer().fit(np.full(146, 7.0)).transform(np.full(2, 7.0)).tolist() == [
        0.0,
        0.0,
    ]

    integers = np.repeat([0.0, 1.0, 5.0], [50, 30, 20])
    normalizer = QuantileNormalizer().fit(integers)
    scores = normalizer.transform(integers)
    np.testing.assert_array_equal(normalizer.inverse(scores), integers)


def test_quantile_normalizer_keeps_a_lone_extreme_as_rare_as_in_the_data():
    # 20,000 values and one far outlier: a generator with the data's normal scores should
    # draw values beyond the bulk about once in 20,001 rows, not once in a grid cell.
    values = np.append(np.random.default_rng(0).normal(size=20_000), 100.0)
    normalizer = QuantileNormalizer().fit(values)
    draws = normalizer.inverse(np.random.default_rng(1).standard_normal(1_000_000))

    assert (draws > 10).mean() < 1e-4
    assert draws.max() <= 100.0
    # The round trip is exact, extremes included (it used to map 100 to the middle of the
    # grid's last cell).
    np.testing.assert_allclose(normalizer.inverse(normalizer.transform(values)), values)


def test_protection_ends_the_grid_at_the_kth_extreme_values():
    # 10,000 values: one protected value per 1,000, so 5 at each end; the lone outlier, and
    # the four values beyond the 5th largest and smallest, are never drawn.
    values = np.append(np.random.default_rng(0).normal(size=9_999), 100.0)
    ordered = np.sort(values)
    normalizer = QuantileNormalizer().fit(values, protection=5)
    draws = normalizer.inverse(np.random.default_rng(1).standard_normal(1_000_000))

    assert draws.max() == ordered[-5]
    assert draws.min() == ordered[4]
    # Values inside keep their exact round trip; those beyond map to the k-th extreme.
    round_trip = normalizer.inverse(normalizer.transform(values))
    np.testing.assert_allclose(round_trip, np.clip(values, ordered[4], ordered[-5]))


def test_protection_is_at_most_one_value_per_thousand():
    rng = np.random.default_rng(0)
    for size, kept in ((1_999, 1), (2_000, 2), (4_500, 4), (60_000, 5)):
        values = rng.permutation(np.arange(size, dtype=float))
        normalizer = QuantileNormalizer().fit(values, protection=5)
        ends = normalizer.inverse(np.array([-40.0, 40.0]))
        np.testing.assert_array_equal(ends, [kept - 1, size - kept])


def test_sorted_quantiles_are_numpys_linear_quantiles_bit_for_bit():
    rng = np.random.default_rng(0)
    for size in (1, 2, 7, 1001, 20000):
        probabilities = np.concatenate([[0.0], (np.arange(size) + 0.5) / size, [1.0]])
        for values in (
            rng.normal(size=size),
            rng.integers(0, 4, size=size).astype(float),
            np.exp(5 * rng.normal(size=size)),
        ):
            quantiles = sorted_quantiles(np.sort(values), probabilities)
            np.testing.assert_array_equal(quantiles, np.quantile(values, probabilities))


def test_encoder_protects_numbers_but_not_categories():
    data = pd.DataFrame({'number': np.arange(3_000.0), 'code': np.arange(3_000) % 7})
    encoder = TableEncoder().fit(data, ['code'], protection=5)
    matrix = encoder.transform(data)
    matrix[:, 0] = np.linspace(-40, 40, len(data))
    decoded = encoder.inverse_transform(matrix)

    assert decoded['number'].agg(['min', 'max']).tolist() == [2.0, 2_997.0]
    assert sorted(decoded['code'].unique()) == list(range(7))


def test_category_index_handles_missing_values():
    data = pd.DataFrame({'c': ['a', None, 'b']})
    encoder = TableEncoder().fit(data, ['c'])

    assert encoder.category_index('c', 'b') == 1
    assert encoder.category_index('c', np.nan) == 2
    assert encoder.category_index('c', 'z') is None


def test_one_hot_blocks_written_in_chunks_equal_one_pass(monkeypatch):
    from sdv_attncorr.data import encoder as encoder_module
    from tests.conftest import make_mixed_table

    table = make_mixed_table(n_rows=50).drop(columns=['when', 'email', 'id'])
    table.loc[::7, 'group'] = None  # missing values are a category of their own
    discrete = ['group', 'rare', 'flag']
    whole = TableEncoder().fit(table, discrete).transform(table)
    monkeypatch.setattr(encoder_module, 'ONE_HOT_CHUNK_ROWS', 8)
    chunked = TableEncoder().fit(table, discrete).transform(table)

    np.testing.assert_array_equal(chunked, whole)
    assert chunked.dtype == np.float32


def test_calibrated_inverse_follows_the_data_and_keeps_the_generated_ranks():
    # A generator whose scores are N(1, 0.3), not N(0, 1): uncalibrated, its values are
    # crowded above the data's median; calibrated on its own scores, they follow the data.
    rng = np.random.default_rng(0)
    data = rng.exponential(size=5_000)
    normalizer = QuantileNormalizer().fit(data)
    generated = rng.normal(1.0, 0.3, size=(2, 50_000))
    raw = normalizer.inverse(generated[1])
    normalizer.calibrate(generated[0])
    calibrated = normalizer.inverse(generated[1])

    assert ks_2samp(raw, data).statistic > 0.3
    assert ks_2samp(calibrated, data).statistic < 0.02
    assert (np.diff(calibrated[np.argsort(generated[1])]) >= 0).all()


def test_calibration_reads_only_rows_generated_with_a_value():
    data = pd.DataFrame({'gaps': [1.0, np.nan, 2.0, 3.0, np.nan, 4.0] * 50})
    encoder = TableEncoder().fit(data, [])
    rng = np.random.default_rng(0)
    matrix = np.zeros((10_000, encoder.layout.width), dtype=np.float32)
    missing = rng.random(10_000) < 0.5
    # Rows generated missing carry scores far above the others; they must not count.
    matrix[:, 0] = np.where(missing, 50.0, rng.normal(size=10_000))
    matrix[:, 1], matrix[:, 2] = ~missing, missing
    encoder.calibrate(matrix)

    decoded = encoder.inverse_transform(matrix)['gaps']
    assert decoded.isna().equals(pd.Series(missing, name='gaps'))
    values = decoded.dropna()
    # Present rows' scores are spread as the data's: each of the four values about a quarter.
    np.testing.assert_allclose([(values == v).mean() for v in (1, 4)], [0.25, 0.25], atol=0.02)


def classes_of_normal_numbers(classes):
    """A table of ``label`` and ``x``, normal within each class, its encoder and encoded rows.

    Args:
        classes (dict): ``{label: (rows, mean, spread)}``.

    Returns:
        The table, the fitted encoder, the encoded rows and the random source (drawn on).
    """
    rng = np.random.default_rng(0)
    label = np.repeat(list(classes), [rows for rows, _, _ in classes.values()])
    x = np.concatenate([rng.normal(mean, spread, rows) for rows, mean, spread in classes.values()])
    data = pd.DataFrame({'label': label, 'x': x})
    encoder = TableEncoder().fit(data, ['label'])
    return data, encoder, encoder.transform(data), rng


def test_within_class_calibration_gives_each_class_its_own_spread():
    data, encoder, real, rng = classes_of_normal_numbers(
        {'narrow': (2_000, 0, 0.1), 'wide': (2_000, 0, 3), 'rare': (20, 5, 1)}
    )
    # A generator whose numbers ignore the class: one spread for every class.
    generated = encoder.transform(data.sample(frac=5, replace=True, random_state=0))
    score = next(span.start for span in encoder.layout.spans if span.column == 'x')
    generated[:, score] = rng.normal(size=len(generated))
    encoder.calibrate(generated)
    whole = encoder.inverse_transform(generated)
    encoder.calibrate_within(generated, real, 'label')
    within = encoder.inverse_transform(generated)

    def spread(table, name):
        return table.loc[table['label'] == name, 'x'].std()

    assert spread(whole, 'narrow') > 1.0  # the whole table's calibration mixes the classes
    np.testing.assert_allclose(
        [spread(within, 'narrow'), spread(within, 'wide')], [0.1, 3.0], rtol=0.1
    )
    rare = within['label'] == 'rare'  # 20 training rows, under MIN_CLASS_CALIBRATION_ROWS
    np.testing.assert_array_equal(within.loc[rare, 'x'], whole.loc[rare, 'x'])


def test_stratified_probabilities_fill_each_slice_once_and_keep_their_order():
    rng = np.random.default_rng(0)
    probabilities = rng.beta(5, 1, size=40)  # crowded near 1
    points = stratified(probabilities, rng)

    assert sorted(np.floor(points * 40).astype(int)) == list(range(40))
    assert (np.argsort(points) == np.argsort(probabilities, kind='stable')).all()
    single = [stratified(np.array([0.5]), rng)[0] for _ in range(200)]
    assert 0.25 < np.std(single) < 0.33 and min(single) < 0.05 and max(single) > 0.95


def test_stratified_numbers_follow_the_data_without_the_noise_of_independent_draws():
    rng = np.random.default_rng(0)
    data = rng.exponential(size=400)
    normalizer = QuantileNormalizer().fit(data)
    normalizer.calibrate(rng.normal(1.0, 0.3, size=50_000))
    scores = rng.normal(1.0, 0.3, size=400)
    independent = normalizer.inverse(scores)
    drawn = normalizer.inverse(scores, rng=np.random.default_rng(1))

    assert ks_2samp(drawn, data).statistic <= 2 / 400
    assert ks_2samp(independent, data).statistic > 0.03  # the noise of independent draws
    assert (np.argsort(drawn) == np.argsort(scores)).all()  # the generated ranks are kept


def test_stratified_classes_are_stratified_among_themselves():
    data, encoder, real, rng = classes_of_normal_numbers(
        {'low': (1_000, 0, 1), 'high': (1_000, 10, 1), 'rare': (30, 5, 1)}
    )
    label, x = data['label'].to_numpy(), data['x'].to_numpy()
    generated = real.copy()
    score = next(span.start for span in encoder.layout.spans if span.column == 'x')
    generated[:, score] = rng.normal(size=len(generated))
    generated[label == 'rare', score] = 3.0 + rng.random(30)  # the generator's highest numbers
    encoder.calibrate(generated)
    encoder.calibrate_within(generated, real, 'label')
    drawn = encoder.inverse_transform(generated[::3], np.random.default_rng(0))

    for name in ('low', 'high'):
        values, own = (table.loc[table['label'] == name, 'x'] for table in (drawn, data))
        assert ks_2samp(values, own).statistic < 3 / len(values)
    # The rare class (under MIN_CLASS_CALIBRATION_ROWS) keeps the whole table's calibration,
    # not stratified: its rows are no sample of the table.
    assert (drawn.loc[drawn['label'] == 'rare', 'x'] > np.quantile(x, 0.97)).all()
