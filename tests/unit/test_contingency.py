"""The contingency loss: joint category frequencies of every pair of discrete columns."""

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.stats import contingency
from sdmetrics.column_pairs import ContingencySimilarity

from sdv_attncorr.core.layout import TableLayout
from sdv_attncorr.core.losses.contingency import (
    ContingencyLoss,
    MembershipBlocks,
    joint_frequencies,
)
from sdv_attncorr.core.losses.regularizers import GeneratorBatch

# a numeric value, a 3-category column, a 2-category one and a 4-category one
LAYOUT = TableLayout.from_widths(
    [('x', 'continuous', 1), ('a', 'discrete', 3), ('b', 'discrete', 2), ('c', 'discrete', 4)]
)
WIDTHS = {'a': (1, 3), 'b': (4, 2), 'c': (6, 4)}


def encoded(categories: dict[str, np.ndarray]) -> torch.Tensor:
    """Rows of LAYOUT holding the given category indices as one-hot blocks."""
    n_rows = len(next(iter(categories.values())))
    rows = torch.zeros(n_rows, LAYOUT.width)
    rows[:, 0] = torch.randn(n_rows, generator=torch.Generator().manual_seed(0))
    for column, (start, width) in WIDTHS.items():
        index = torch.as_tensor(categories[column])
        rows[:, start : start + width] = torch.nn.functional.one_hot(index, width).float()

    return rows


def random_categories(seed: int, n_rows: int, dependent: bool) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, n_rows)
    b = (a % 2) if dependent else rng.integers(0, 2, n_rows)
    c = np.where(rng.random(n_rows) < 0.8, a, rng.integers(0, 4, n_rows)) if dependent else (
        rng.integers(0, 4, n_rows)
    )  # fmt: skip
    return {'a': a, 'b': b, 'c': c}


def test_joint_frequencies_in_chunks_equal_one_pass_and_the_crosstab():
    rows = encoded(random_categories(0, 103, dependent=True))
    blocks = MembershipBlocks(LAYOUT)
    one_pass = joint_frequencies(rows, blocks, chunk_rows=1_000)
    chunked = joint_frequencies(rows, blocks, chunk_rows=10)
    torch.testing.assert_close(chunked, one_pass)
    categories = random_categories(0, 103, dependent=True)
    crosstab = pd.crosstab(categories['a'], categories['c'], normalize=True).to_numpy()
    np.testing.assert_allclose(one_pass[0:3, 5:9].numpy(), crosstab, atol=1e-6)


def test_blocks_without_edges_pair_the_discrete_spans_once_each():
    blocks = MembershipBlocks(LAYOUT)
    assert blocks.positions.tolist() == list(range(1, 10))
    assert blocks.pair_slices == [
        (slice(0, 3), slice(3, 5)),
        (slice(0, 3), slice(5, 9)),
        (slice(3, 5), slice(5, 9)),
    ]


def association(real: pd.DataFrame, pair: tuple[str, str]) -> float:
    """Cramér's V of a pair of the real table, by SciPy (numbers binned as SDMetrics)."""
    table = real[list(pair)].copy()
    if 'x' in pair:
        table['x'] = np.digitize(table['x'], [-np.inf, *range(1, 10), np.inf])
    return contingency.association(pd.crosstab(table[pair[0]], table[pair[1]]).to_numpy())


def weighted_distance(real, fake, pairs, numbers=(), weigh=True):
    """SDMetrics' 1 - ContingencySimilarity of each pair, averaged with weights = real V."""
    distances = [
        1
        - ContingencySimilarity.compute(
            real[list(pair)],
            fake[list(pair)],
            continuous_column_names=list(set(numbers) & set(pair)),
        )
        for pair in pairs
    ]
    weights = [association(real, pair) for pair in pairs] if weigh else None
    return np.average(distances, weights=weights)


def test_loss_is_sdmetrics_contingency_distance_weighted_by_the_real_association():
    real = random_categories(1, 400, dependent=True)
    real['c'] = random_categories(1, 400, dependent=False)['c']  # (a, b) alone associated
    synthetic = random_categories(2, 300, dependent=False)
    loss = ContingencyLoss(encoded(real), LAYOUT)
    batch = GeneratorBatch(torch.zeros(300, LAYOUT.width), torch.zeros(300, 0))
    batch.view = encoded(synthetic)
    real_table, fake_table = pd.DataFrame(real).astype(str), pd.DataFrame(synthetic).astype(str)
    pairs = [('a', 'b'), ('a', 'c'), ('b', 'c')]
    expected = weighted_distance(real_table, fake_table, pairs)
    assert float(loss(batch)) == pytest.approx(expected, abs=1e-6)
    plain_mean = weighted_distance(real_table, fake_table, pairs, weigh=False)
    assert abs(expected - plain_mean) > 0.05  # the weights matter here


def test_loss_is_zero_on_the_table_itself_and_its_gradient_reaches_the_probabilities():
    rows = encoded(random_categories(3, 50, dependent=True))
    loss = ContingencyLoss(rows, LAYOUT)
    batch = GeneratorBatch(torch.zeros(50, LAYOUT.width), torch.zeros(50, 0), view=rows)
    assert float(loss(batch)) == pytest.approx(0.0, abs=1e-7)
    soft = torch.full((50, LAYOUT.width), 0.5, requires_grad=True)
    loss(GeneratorBatch(soft, torch.zeros(50, 0), view=soft)).backward()
    assert soft.grad[:, 1:].abs().sum() > 0
    assert soft.grad[:, 0].abs().sum() == 0  # the numeric value is not compared


def test_loss_refuses_a_table_with_fewer_than_two_discrete_columns():
    layout = TableLayout.from_widths([('x', 'continuous', 1), ('a', 'discrete', 3)])
    with pytest.raises(ValueError, match='a pair of columns, one of them discrete'):
        ContingencyLoss(torch.zeros(5, 4), layout)
    numbers = TableLayout.from_widths([('x', 'continuous', 1), ('y', 'continuous', 1)])
    with pytest.raises(ValueError, match='a pair of columns, one of them discrete'):
        ContingencyLoss(torch.zeros(5, 2), numbers, edges=torch.zeros(2, 9))


# a number with missing values, its null indicator [present, missing], and two discrete columns
NUMBER_LAYOUT = TableLayout.from_widths([
    ('x', 'continuous', 1), ('x#null', 'discrete', 2), ('a', 'discrete', 3), ('b', 'discrete', 2)
])  # fmt: skip


def with_number(seed: int, n_rows: int, dependent: bool) -> tuple[torch.Tensor, pd.DataFrame]:
    """Encoded rows of NUMBER_LAYOUT (numbers encoded as themselves) and the table they hold.

    Numbers are 0, 10 or halfway between integers, so that they lie at least 0.5 (10 edge
    softnesses) from SDMetrics' equal-width edges of [0, 10], the integers 1..9.
    """
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, n_rows)
    b = (a % 2) if dependent else rng.integers(0, 2, n_rows)
    x = np.where(rng.random(n_rows) < 0.7, 3 * a + rng.integers(0, 3, n_rows) + 0.5, 9.5)
    x = x if dependent else rng.integers(0, 10, n_rows) + 0.5
    x[:2] = [0.0, 10.0]
    missing = rng.random(n_rows) < 0.1
    missing[:2] = False  # the range's ends are observed
    rows = torch.zeros(n_rows, NUMBER_LAYOUT.width)
    rows[:, 0] = torch.as_tensor(np.where(missing, 0.5, x), dtype=torch.float32)
    rows[:, 1:3] = torch.nn.functional.one_hot(torch.as_tensor(missing).long(), 2).float()
    rows[:, 3:6] = torch.nn.functional.one_hot(torch.as_tensor(a), 3).float()
    rows[:, 6:8] = torch.nn.functional.one_hot(torch.as_tensor(b), 2).float()
    table = pd.DataFrame({'x': np.where(missing, np.nan, x), 'a': a.astype(str), 'b': b})
    return rows, table.astype({'b': str})


def test_with_edges_numbers_join_by_sdmetrics_bins_and_their_missing_values_by_their_own():
    real_rows, real = with_number(4, 500, dependent=True)
    fake_rows, fake = with_number(5, 300, dependent=False)
    edges = torch.arange(1.0, 10.0)[None, :]  # np.histogram_bin_edges of [0, 10], interior
    loss = ContingencyLoss(real_rows, NUMBER_LAYOUT, edges)
    assert len(loss.blocks.pair_slices) == 3  # (a, b), (a, x), (b, x): x#null is x's bin
    batch = GeneratorBatch(fake_rows, torch.zeros(300, 0), view=fake_rows)
    # x as the quality report passes a number: binned, not compared by value
    expected = weighted_distance(real, fake, [('x', 'a'), ('x', 'b'), ('a', 'b')], numbers=['x'])
    assert float(loss(batch)) == pytest.approx(expected, abs=1e-4)
    assert expected > 0.05
    # without edges the number is left out and its null indicator is a discrete column
    assert len(ContingencyLoss(real_rows, NUMBER_LAYOUT).blocks.pair_slices) == 3


def test_pairs_weigh_alike_when_no_pair_is_associated():
    constant = {'a': np.zeros(40, int), 'b': np.zeros(40, int), 'c': np.arange(40) % 4}
    loss = ContingencyLoss(encoded(constant), LAYOUT)
    weights = [
        float(loss.weights[rows, columns].sum()) for rows, columns in loss.blocks.pair_slices
    ]
    assert weights == pytest.approx([0.5 * 6 / 3, 0.5 * 12 / 3, 0.5 * 8 / 3])  # entries x 1/2 x 1/3
