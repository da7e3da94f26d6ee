"""Unit tests of the pure-torch engine: layout, heads, generators, regularisers, trainer."""

import ast
import pickle
from pathlib import Path

import pytest
import torch

from sdv_attncorr.core.layout import CONTINUOUS, DISCRETE, Span, TableLayout
from sdv_attncorr.core.losses.classwise import ClasswiseCorrelationLoss
from sdv_attncorr.core.losses.regularizers import (
    ConditionLoss,
    CorrelationLoss,
    GeneratorBatch,
    correlation_matrix,
)
from sdv_attncorr.core.nets.attention import ColumnTransformer
from sdv_attncorr.core.nets.generators import AttentionGenerator, MLPGenerator
from sdv_attncorr.core.nets.heads import OutputHead
from sdv_attncorr.core.sampling import impose_conditions
from sdv_attncorr.core.training.conditions import ConditionSampler, multiset_draw

CORE = Path(__file__).resolve().parents[2] / 'sdv_attncorr' / 'core'
FORBIDDEN = {'pandas', 'sdv', 'rdt', 'sdmetrics'}
LAYOUT = TableLayout.from_widths(
    [
        ('x', CONTINUOUS, 1),
        ('colour', DISCRETE, 3),
        ('y', CONTINUOUS, 1),
        ('flag', DISCRETE, 2),
    ]
)


def imported_roots(path):
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split('.')[0])
    return roots


@pytest.mark.parametrize('path', sorted(CORE.glob('*.py')), ids=lambda p: p.name)
def test_core_imports_no_pandas_sdv_rdt_or_sdmetrics(path):
    assert not imported_roots(path) & FORBIDDEN


def test_layout_spans_and_padding_index():
    assert LAYOUT.width == 7
    assert [s.start for s in LAYOUT.discrete_spans] == [1, 5]
    assert LAYOUT.discrete_padding_index().tolist() == [[1, 2, 3], [5, 6, 7]]
    with pytest.raises(ValueError, match='contiguous'):
        TableLayout((Span('a', CONTINUOUS, 1, 1),))
    with pytest.raises(ValueError, match='kind'):
        Span('a', 'text', 0, 1)


def test_head_soft_probabilities_and_hard_one_hot():
    head = OutputHead(LAYOUT)
    raw = torch.randn(16, LAYOUT.width)
    soft = head(raw, rng=torch.Generator().manual_seed(0))
    hard = head(raw, rng=torch.Generator().manual_seed(0), hard=True)

    assert torch.allclose(soft[:, 1:4].sum(1), torch.ones(16))
    assert torch.equal(soft[:, [0, 4]], raw[:, [0, 4]])
    assert set(hard[:, 1:4].sum(1).tolist()) == {1.0}
    assert set(hard[:, 5:7].flatten().tolist()) <= {0.0, 1.0}


@pytest.mark.parametrize('generator_class', [MLPGenerator, AttentionGenerator])
def test_a_row_does_not_depend_on_the_rest_of_its_batch(generator_class):
    torch.manual_seed(0)
    generator = generator_class(d_noise=4, d_condition=5, layout=LAYOUT).eval()
    noise, condition = torch.randn(32, 4), torch.rand(32, 5)

    whole = generator(noise, condition)
    alone = generator(noise[:1], condition[:1])
    other_batch = generator(torch.cat([noise[:1], torch.randn(7, 4)]), condition[:8])

    assert whole.shape == (32, LAYOUT.width)
    assert torch.allclose(whole[:1], alone, atol=1e-5)
    assert torch.allclose(other_batch[:1], alone, atol=1e-5)


def test_column_transformer_computes_pytorchs_encoder_with_its_gradients():
    torch.manual_seed(0)
    transformer = ColumnTransformer(d_token=8, n_heads=2, n_blocks=2)
    for parameter in transformer.parameters():  # biases start at 0: make them count
        parameter.data.normal_()
    tokens = torch.randn(6, 5, 8, requires_grad=True)

    ours = transformer(tokens)
    (ours_grad,) = torch.autograd.grad(ours.square().sum(), tokens)
    pytorchs = transformer.norm(transformer.blocks(tokens))
    (pytorchs_grad,) = torch.autograd.grad(pytorchs.square().sum(), tokens)

    assert torch.allclose(ours, pytorchs, atol=1e-5)
    assert torch.allclose(ours_grad, pytorchs_grad, atol=1e-4)


def real_view(n=200, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, generator=generator)
    y = 0.8 * x + 0.6 * torch.randn(n, 1, generator=generator)
    z = torch.randn(n, 1, generator=generator)
    return torch.cat([x, y, z], dim=1)


def test_correlation_loss_zero_for_same_statistics_positive_otherwise():
    data = real_view()
    loss = CorrelationLoss(data, torch.arange(3))

    assert loss(GeneratorBatch(None, None, view=data)) < 1e-10
    shuffled = data[:, [0, 2, 1]]
    assert loss(GeneratorBatch(None, None, view=shuffled)) > 0.05


def test_correlation_loss_finite_with_constant_columns():
    data = torch.cat([real_view(), torch.ones(200, 1)], dim=1)
    loss = CorrelationLoss(data, torch.arange(4))
    constant_fake = torch.cat([real_view(seed=1), torch.zeros(200, 1)], dim=1)
    constant_fake[:, 1] = 3.0

    value = loss(GeneratorBatch(None, None, view=constant_fake))
    assert torch.isfinite(value) and value > 0
    assert torch.isfinite(correlation_matrix(torch.ones(5, 3))).all()


def test_correlation_loss_gradient_reaches_the_generator():
    layout = TableLayout.from_widths([(name, CONTINUOUS, 1) for name in 'xyz'])
    generator = MLPGenerator(d_noise=4, d_condition=0, layout=layout, hidden_dims=(8,))
    loss = CorrelationLoss(real_view(), torch.arange(3))
    fake = generator(torch.randn(64, 4), torch.zeros(64, 0))
    loss(GeneratorBatch(None, None, view=fake)).backward()

    gradients = [p.grad for p in generator.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in gradients)
    assert any(g.abs().sum() > 0 for g in gradients)


def classwise_setup():
    data = real_view(300)
    classes = (data[:, 2] > 0).long()
    view = torch.cat([data, torch.nn.functional.one_hot(classes, 2).float()], dim=1)
    loss = ClasswiseCorrelationLoss(view, classes, 2, torch.arange(5), torch.tensor([3, 4]))
    return view, classes, loss


def test_classwise_loss_zero_for_same_rows_and_finite_with_constant_class_span():
    view, classes, loss = classwise_setup()

    value = loss(GeneratorBatch(None, None, view=view, view_classes=classes))
    assert torch.isfinite(value) and value < 1e-10
    assert not loss.masks[:, 3:, :].any()


def test_classwise_loss_positive_for_other_structure_and_skips_tiny_classes():
    view, classes, loss = classwise_setup()
    other = view.clone()
    other[:, 1] = torch.randn(len(view), generator=torch.Generator().manual_seed(3))

    assert loss(GeneratorBatch(None, None, view=other, view_classes=classes)) > 0.05

    def on(rows, labels):
        return loss(GeneratorBatch(None, None, view=rows, view_classes=torch.tensor(labels)))

    # A class with fewer than min_rows=5 generated rows is left out of the weighted mean, so a
    # batch with 4 rows of class 0 scores exactly what its 6 rows of class 1 score alone.
    zeros, ones = other[classes == 0][:4], other[classes == 1][:6]
    only_ones = on(ones, [1] * 6)
    assert only_ones > 0
    assert torch.equal(on(torch.cat([zeros, ones]), [0] * 4 + [1] * 6), only_ones)
    assert on(zeros, [0] * 4) == 0


def test_condition_loss_prefers_the_conditioned_category():
    head = OutputHead(LAYOUT)
    loss = ConditionLoss(head)
    condition = torch.tensor([[0.0, 1.0, 0.0, 0.0, 0.0]])
    right = torch.tensor([[0.0, -5.0, 5.0, -5.0, 0.0, 0.0, 0.0]])
    wrong = torch.tensor([[0.0, 5.0, -5.0, -5.0, 0.0, 0.0, 0.0]])

    assert loss(GeneratorBatch(right, condition)) < 0.01
    assert loss(GeneratorBatch(wrong, condition)) > 5


def test_condition_sampler_draws_matching_real_rows():
    categories = torch.tensor([[0, 1], [1, 0], [2, 1], [0, 0], [0, 1]])
    sampler = ConditionSampler(categories, [3, 2])
    generator = torch.Generator().manual_seed(0)
    condition, rows = sampler.sample_training(200, generator)

    assert condition.shape == (200, 5)
    spans = (condition[:, 3:].sum(1) > 0).long()
    chosen = torch.where(spans == 0, condition[:, :3].argmax(1), condition[:, 3:].argmax(1))
    assert torch.equal(categories[rows, spans], chosen)
    empirical = sampler.sample_empirical(4000, generator)
    on_first_span = empirical[:, :3].sum(1) > 0
    assert abs(empirical[on_first_span, 0].mean() - 0.6) < 0.05


def test_empirical_conditions_come_with_real_rows_that_hold_them():
    categories = torch.tensor([[0, 1], [1, 0], [2, 1], [0, 0], [0, 1]])
    sampler = ConditionSampler(categories, [3, 2])
    condition, rows = sampler.sample_empirical_rows(300, torch.Generator().manual_seed(0))

    spans = (condition[:, 3:].sum(1) > 0).long()
    chosen = torch.where(spans == 0, condition[:, :3].argmax(1), condition[:, 3:].argmax(1))
    assert torch.equal(categories[rows, spans], chosen)
    assert len(set(rows.tolist())) == 5
    same_draw = sampler.sample_empirical(300, torch.Generator().manual_seed(0))
    assert torch.equal(condition, same_draw)


def test_proportional_draw_reproduces_the_category_counts_without_sampling_noise():
    categories = torch.tensor([[0], [0], [0], [1], [1], [2]])
    # Through pickle: sampling needs no per-row state, and a saved sampler keeps none.
    sampler = pickle.loads(pickle.dumps(ConditionSampler(categories, [3])))
    generator = torch.Generator().manual_seed(0)
    for n, expected in [(6, [3, 2, 1]), (12, [6, 4, 2]), (0, [0, 0, 0])]:
        spans, drawn = sampler.proportional_draw(n, generator)
        vectors = sampler.condition_vectors(spans, drawn)
        assert vectors.shape == (n, 3)
        assert vectors.sum(dim=0).tolist() == expected
    assert not hasattr(sampler, 'categories')


def test_proportional_draw_shares_the_rows_out_equally_among_the_spans():
    categories = torch.tensor([[0, 1], [1, 0], [2, 1], [0, 0], [0, 1]])
    sampler = ConditionSampler(categories, [3, 2])
    spans, drawn = sampler.proportional_draw(9, torch.Generator().manual_seed(0))

    shares = torch.bincount(spans).tolist()
    assert shares in ([5, 4], [4, 5])
    # The span with 5 rows draws its 5 categories once each: the column's exact counts.
    full = 0 if shares[0] == 5 else 1
    expected = [[3, 1, 1], [2, 3]][full]
    assert torch.bincount(drawn[spans == full], minlength=len(expected)).tolist() == expected


def test_multiset_draw_without_replacement_refilled_when_it_runs_out():
    counts = torch.tensor([3, 2, 1])
    rng = torch.Generator().manual_seed(0)
    for k, whole_rounds in [(4, 0), (6, 1), (13, 2)]:
        drawn = multiset_draw(counts, k, rng)
        tally = torch.bincount(drawn, minlength=3)
        assert len(drawn) == k
        assert (tally >= whole_rounds * counts).all()
        assert (tally <= (whole_rounds + 1) * counts).all()
    # The partial round's counts follow the hypergeometric law: mean k * count / size.
    draws = torch.stack(
        [torch.bincount(multiset_draw(counts, 3, rng), minlength=3) for _ in range(2000)]
    )
    torch.testing.assert_close(
        draws.float().mean(dim=0), torch.tensor([1.5, 1.0, 0.5]), atol=0.05, rtol=0
    )


def test_a_small_draw_from_a_large_multiset_never_shuffles_the_multiset(monkeypatch):
    sizes, randperm = [], torch.randperm

    def recording_randperm(n, *args, **kwargs):
        sizes.append(n)
        return randperm(n, *args, **kwargs)

    monkeypatch.setattr(torch, 'randperm', recording_randperm)
    drawn = multiset_draw(torch.tensor([10**6, 10**6]), 10, torch.Generator().manual_seed(0))
    assert len(drawn) == 10
    assert max(sizes) <= 10


def test_imposed_sets_each_conditioned_span_to_its_condition_and_nothing_else():
    rows = torch.tensor(
        [
            [0.5, 1.0, 0.0, 0.0, -0.5, 1.0, 0.0],
            [0.75, 0.0, 1.0, 0.0, 0.25, 1.0, 0.0],
        ]
    )
    conditions = torch.tensor([[0.0, 0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0]])
    imposed = impose_conditions(rows.clone(), conditions, LAYOUT)

    assert imposed[0].tolist() == [0.5, 0.0, 0.0, 1.0, -0.5, 1.0, 0.0]
    assert imposed[1].tolist() == [0.75, 0.0, 1.0, 0.0, 0.25, 0.0, 1.0]


def test_training_conditions_on_several_spans_hold_the_real_rows_categories():
    generator = torch.Generator().manual_seed(0)
    categories = torch.randint(3, (200, 4), generator=generator)
    single = ConditionSampler(categories, [3, 3, 3, 3], multi_column_share=0.0)
    several = ConditionSampler(categories, [3, 3, 3, 3], multi_column_share=1.0)

    vectors, rows = single.sample_training(400, generator)
    assert (vectors.sum(dim=1) == 1).all()
    vectors, rows = several.sample_training(400, generator)
    spans_set = vectors.sum(dim=1)
    assert spans_set.min() >= 1 and spans_set.max() <= 4
    assert 2.2 < spans_set.mean() < 2.8  # 1 + 3 other spans joining with probability 1/2
    # Every set position is the real row's own category in that span.
    own = torch.zeros_like(vectors).scatter_(1, several.offsets + categories[rows], 1.0)
    assert (vectors <= own).all()


def test_category_rows_count_exactly_past_float32_precision():
    # 2^24 + 1 rows of category 0 and one of category 1: float32 counts would put category
    # 1's first row at 2^24 (a row of category 0) instead of 2^24 + 1.
    from sdv_attncorr.core.category_rows import CategoryRows

    n_zeros = 2**24 + 1
    categories = torch.zeros(n_zeros + 1, 1, dtype=torch.long)
    categories[-1] = 1
    rows = CategoryRows(categories, [2])

    assert rows.counts.tolist() == [[n_zeros, 1]]
    drawn = rows.rows_with(torch.zeros(4, dtype=torch.long), torch.ones(4, dtype=torch.long))
    assert drawn.tolist() == [n_zeros] * 4


def test_class_products_per_class_equal_the_masked_ones_with_their_gradients():
    from sdv_attncorr.core.losses.classwise import class_products

    rng = torch.Generator().manual_seed(0)
    base = torch.randn(30, 5, generator=rng, dtype=torch.float64)
    classes = torch.randint(3, (30,), generator=rng) * 2  # classes 1 and 3 have no rows
    membership = torch.nn.functional.one_hot(classes, 6).to(base.dtype)
    results = []
    for per_class in (True, False):
        x = base.clone().requires_grad_(True)
        products = class_products(x, classes, membership, per_class=per_class)
        (products * torch.arange(6.0, dtype=base.dtype)[:, None, None]).sum().backward()
        results.append((products.detach(), x.grad))

    (products, grad), (masked, masked_grad) = results
    assert torch.allclose(products, masked) and torch.allclose(grad, masked_grad)
    assert torch.allclose(products[4], base[classes == 4].T @ base[classes == 4])
    assert not products[1].any() and not products[3].any()


def test_classwise_correlations_in_row_chunks_equal_one_pass_and_numpy():
    import numpy as np

    from sdv_attncorr.core.losses.classwise import classwise_correlations

    rng = torch.Generator().manual_seed(0)
    x = torch.randn(203, 4, generator=rng, dtype=torch.float64)
    x[:, 1] += x[:, 0]
    classes = torch.randint(3, (203,), generator=rng)

    whole, counts = classwise_correlations(x, classes, 3)
    chunked, chunk_counts = classwise_correlations(x, classes, 3, chunk_rows=17)

    assert torch.allclose(whole, chunked) and torch.equal(counts, chunk_counts)
    for c in range(3):
        expected = np.corrcoef(x[classes == c].numpy(), rowvar=False)
        assert np.allclose(chunked[c].numpy(), expected, atol=1e-6)
