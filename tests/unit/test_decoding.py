"""Sequential (autoregressive) decoding: each span is drawn given the spans before it only."""

import pytest
import torch

from sdv_attncorr.core.layout import CONTINUOUS, DISCRETE, TableLayout
from sdv_attncorr.core.nets.decoding import fixed_order, random_order
from sdv_attncorr.core.nets.generators import (
    AttentionGenerator,
    MLPGenerator,
    SequentialAttentionGenerator,
    SequentialMLPGenerator,
    generate,
    generate_teacher_forced,
)
from sdv_attncorr.core.nets.heads import OutputHead
from sdv_attncorr.core.random import RowDraws, Shard
from sdv_attncorr.core.training.config import GANConfig, HyperparameterError

LAYOUT = TableLayout.from_widths(
    [
        ('x', CONTINUOUS, 1),
        ('flag', DISCRETE, 2),
        ('colour', DISCRETE, 3),
        ('y', CONTINUOUS, 1),
        ('grade', DISCRETE, 5),
    ]
)
D_CONDITION = 2 + 3 + 5


def build(decoding='sequential', body='attention', seed=0):
    torch.manual_seed(seed)
    arguments = {'decoding': decoding, 'd_noise': 4, 'd_condition': D_CONDITION, 'layout': LAYOUT}
    if body == 'mlp':
        return SequentialMLPGenerator(d_context=8, hidden_dims=(16,), **arguments)
    return SequentialAttentionGenerator(d_token=8, **arguments)


def decode(generator, condition=None, seed=1, hard=False):
    noise = torch.randn(16, 4, generator=torch.Generator().manual_seed(seed))
    condition = torch.zeros(16, D_CONDITION) if condition is None else condition
    rng = torch.Generator().manual_seed(seed)
    return generate(generator, OutputHead(LAYOUT), noise, condition, rng=rng, hard=hard)


def span_values(rows, index):
    span = LAYOUT.spans[index]
    return rows[:, span.start : span.end]


def test_fixed_order_puts_categories_first_most_values_first_then_numbers():
    assert fixed_order(LAYOUT) == (4, 2, 1, 0, 3)


@pytest.mark.parametrize('body', ['attention', 'mlp'])
@pytest.mark.parametrize('decoding', ['sequential', 'any_order'])
def test_a_span_depends_on_the_spans_drawn_before_it_and_on_no_later_one(decoding, body):
    generator = build(decoding, body)
    order = fixed_order(LAYOUT)
    if decoding == 'any_order':
        order = random_order(len(LAYOUT.spans), torch.Generator().manual_seed(1))
        assert order != fixed_order(LAYOUT)  # the seed draws an order other than the fixed one

    before, _ = decode(generator)
    for position, index in enumerate(order):
        with torch.no_grad():
            generator.decoder.value_embedding[index] += 1.0
        after, _ = decode(generator)
        for later_position, later in enumerate(order):
            changed = not torch.allclose(span_values(before, later), span_values(after, later))
            assert changed == (later_position > position), (position, later_position)
        before = after


def test_any_order_draws_a_new_order_per_batch_alike_on_every_process():
    rng = torch.Generator().manual_seed(0)
    orders = {random_order(5, rng) for _ in range(20)}
    assert len(orders) > 5 and all(sorted(order) == list(range(5)) for order in orders)

    ranks = [RowDraws(torch.Generator().manual_seed(3), Shard(rank, 2)) for rank in (0, 1)]
    assert random_order(5, ranks[0]) == random_order(5, ranks[1])


def test_a_condition_is_drawn_as_its_category_and_the_later_spans_see_it():
    generator = build()
    condition = torch.zeros(16, D_CONDITION)
    condition[:8, 2 + 3 + 4] = 1.0  # first 8 rows: grade = its last category
    free_raw, _ = decode(generator)
    raw, rows = decode(generator, condition)

    assert torch.equal(span_values(rows, 4)[:8], condition[:8, 5:])
    assert torch.equal(raw[8:], free_raw[8:])
    for later in (2, 1, 0, 3):  # decoded after grade: drawn given the imposed category
        assert not torch.allclose(span_values(raw, later)[:8], span_values(free_raw, later)[:8])


@pytest.mark.parametrize('conditions_first', [True, False])
def test_every_span_is_drawn_given_the_conditions_also_one_decoded_before_them(conditions_first):
    decoder = build().decoder
    if not conditions_first:
        del decoder.conditions_first  # as in a decoder saved before it: the class's False
    contexts = torch.randn(16, len(LAYOUT.spans), 8, generator=torch.Generator().manual_seed(0))
    condition = torch.zeros(16, D_CONDITION)
    condition[:8, 1] = 1.0  # first 8 rows: flag = its second category; flag is decoded third
    teacher = with_categories(torch.zeros(16, LAYOUT.width), (1, 0, 0))

    def run(vector):  # the same contexts, so only the decoder's own reading of them differs
        rng = torch.Generator().manual_seed(1)
        return decoder(contexts, vector, OutputHead(LAYOUT), rng=rng, teacher=teacher)

    free_raw, _, free_likelihood = run(torch.zeros(16, D_CONDITION))
    raw, rows, likelihood = run(condition)
    assert torch.equal(span_values(rows, 1)[:8], condition[:8, :2])
    assert torch.equal(raw[8:], free_raw[8:])
    assert torch.equal(likelihood[8:], free_likelihood[8:])
    for earlier in (4, 2):  # grade and colour, decoded before flag
        moved = span_values(raw, earlier)[:8] != span_values(free_raw, earlier)[:8]
        assert moved.any(dim=1).all() == conditions_first
    assert (likelihood[:8] != free_likelihood[:8]).all() == conditions_first


def teacher_forced(generator, teacher, seed=1):
    noise = torch.randn(len(teacher), 4, generator=torch.Generator().manual_seed(seed))
    condition = torch.zeros(len(teacher), D_CONDITION)
    rng = torch.Generator().manual_seed(seed)
    return generate_teacher_forced(
        generator, OutputHead(LAYOUT), noise, condition, teacher, rng=rng
    )


def with_categories(rows, categories):
    """Copies of ``rows`` whose discrete spans (flag, colour, grade) take ``categories``."""
    rows = rows.clone()
    for index, category in zip((1, 2, 4), categories):
        span = LAYOUT.spans[index]
        rows[:, span.start : span.end] = 0.0
        rows[:, span.start + category] = 1.0
    return rows


@pytest.mark.parametrize('body', ['attention', 'mlp'])
def test_teacher_forcing_is_a_likelihood_over_the_categories_and_leaves_the_draw_alone(body):
    generator = build(body=body)
    teacher = decode(generator, hard=True)[1]
    raw, rows, _ = teacher_forced(generator, teacher)
    assert all(torch.equal(a, b) for a, b in zip((raw, rows), decode(generator)))

    # Each span scored given the values before it only: over every combination of the three
    # discrete spans, the likelihoods of a row sum to one (a later value in a conditional
    # would break that).
    total = sum(
        teacher_forced(generator, with_categories(teacher, (flag, colour, grade)))[2].exp()
        for flag in range(2)
        for colour in range(3)
        for grade in range(5)
    )
    assert torch.allclose(total, torch.ones(16), atol=1e-5)
    numbers_moved = teacher.clone()
    numbers_moved[:, [0, 6]] += 3.0  # numbers are decoded last: no category is scored after
    assert torch.equal(
        teacher_forced(generator, numbers_moved)[2], teacher_forced(generator, teacher)[2]
    )


def test_the_likelihood_teaches_the_heads_a_conditional_frequency():
    # colour = 2 exactly when grade = 4 (a rare grade): the heads that sample learn it.
    generator = build()
    grade = torch.randint(5, (400,), generator=torch.Generator().manual_seed(0))
    colour = torch.where(
        grade == 4, 2, torch.randint(2, (400,), generator=torch.Generator().manual_seed(1))
    )
    table = torch.stack(
        [
            with_categories(torch.zeros(1, LAYOUT.width), (0, c, g))[0]
            for c, g in zip(colour.tolist(), grade.tolist())
        ]
    )
    optimizer = torch.optim.Adam(generator.parameters(), lr=1e-2)
    for step in range(100):
        rows = table[torch.randint(400, (64,), generator=torch.Generator().manual_seed(step))]
        loss = -teacher_forced(generator, rows, seed=step)[2].mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    noise = torch.randn(2000, 4, generator=torch.Generator().manual_seed(9))
    _, sampled = generate(
        generator,
        OutputHead(LAYOUT),
        noise,
        torch.zeros(2000, D_CONDITION),
        rng=torch.Generator().manual_seed(9),
        hard=True,
    )
    rare = span_values(sampled, 4)[:, 4] == 1
    third_colour = span_values(sampled, 2)[:, 2] == 1
    assert third_colour[rare].float().mean() > 0.9
    assert third_colour[~rare].float().mean() < 0.1


def test_teacher_forcing_needs_a_sequential_decoding(mixed_table, mixed_metadata):
    from sdv_attncorr import AttnCorrGANSynthesizer
    from tests.conftest import FAST, TABLE

    joint = AttentionGenerator(d_token=8, d_noise=4, d_condition=D_CONDITION, layout=LAYOUT)
    with pytest.raises(ValueError, match='sequential decoding'):
        teacher_forced(joint, torch.zeros(4, LAYOUT.width))

    # The preset's likelihood has no decoder to teach with joint decoding: off, not an error.
    synthesizer = AttnCorrGANSynthesizer(mixed_metadata, decoding='joint', **FAST)
    synthesizer.fit({TABLE: mixed_table})
    assert synthesizer.likelihood_weight == 1.0
    assert 'Likelihood Loss' not in synthesizer.get_loss_values()


def test_rows_are_one_hot_when_hard_and_gradients_reach_every_part():
    generator = build()
    raw, rows = decode(generator, hard=True)
    for index in (1, 2, 4):
        assert set(span_values(rows, index).sum(1).tolist()) == {1.0}
    assert torch.equal(rows[:, [0, 6]], raw[:, [0, 6]])

    _, soft = decode(generator)
    soft.square().sum().backward()
    assert generator.decoder.value_embedding.grad.abs().sum() > 0
    assert generator.input.weight.grad.abs().sum() > 0


def test_config_builds_the_decoding_for_either_body():
    from sdv_attncorr.core.nets.registry import attention_body, mlp_body

    assert type(attention_body(GANConfig(), LAYOUT, 0)) is AttentionGenerator
    assert type(mlp_body(GANConfig(), LAYOUT, 0)) is MLPGenerator
    built = attention_body(GANConfig(decoding='any_order'), LAYOUT, 0)
    assert isinstance(built, SequentialAttentionGenerator)
    assert built.decoder.decoding == 'any_order'
    built = mlp_body(GANConfig(decoding='sequential', attention_dim=12), LAYOUT, 0)
    assert isinstance(built, SequentialMLPGenerator)
    assert built.decoder.value_embedding.shape == (5, 5, 12)
    assert GANConfig.legacy_values()['decoding'] == 'joint'
    with pytest.raises(HyperparameterError, match='decoding'):
        GANConfig(decoding='left_to_right')
