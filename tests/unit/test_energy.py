"""Unit tests of the class-wise energy loss."""

import torch

from sdv_attncorr.core.losses.energy import EnergyLoss, class_mean_distances, pairwise_distances
from sdv_attncorr.core.losses.regularizers import GeneratorBatch

N_CLASSES = 3


def real_table(n_per_class=400, seed=0):
    """Three classes, each a Gaussian blob with its own centre, in a 2-column view."""
    generator = torch.Generator().manual_seed(seed)
    classes = torch.arange(N_CLASSES).repeat_interleave(n_per_class)
    centres = torch.tensor([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    return centres[classes] + torch.randn(len(classes), 2, generator=generator), classes


def loss_for(real, classes, seed=1):
    return EnergyLoss(
        real, classes, N_CLASSES, torch.arange(2), torch.Generator().manual_seed(seed)
    )


def mean_loss(loss, make_rows, classes, repeats=300):
    generator = torch.Generator().manual_seed(2)
    values = [
        loss(GeneratorBatch(None, None, make_rows(generator), classes)) for _ in range(repeats)
    ]
    return torch.stack(values).mean().item()


def test_pairwise_distances_are_euclidean_and_differentiable_between_identical_rows():
    a = torch.tensor([[0.0, 0.0], [3.0, 4.0]], requires_grad=True)
    distances = pairwise_distances(a, a)
    distances.sum().backward()

    assert torch.allclose(distances, torch.tensor([[0.0, 5.0], [5.0, 0.0]]), atol=1e-3)
    assert torch.isfinite(a.grad).all()


def test_class_mean_distances_average_over_same_class_pairs_only():
    distances = torch.tensor([[0.0, 2.0, 9.0], [2.0, 0.0, 9.0], [9.0, 9.0, 0.0]])
    classes = torch.tensor([0, 0, 1])

    distinct = class_mean_distances(distances, classes, 3, distinct=True)
    every = class_mean_distances(distances, classes, 3, distinct=False)

    assert distinct.tolist() == [2.0, 0.0, 0.0]
    assert every.tolist() == [1.0, 0.0, 0.0]


def test_energy_loss_is_unbiased_on_a_few_rows_per_class_and_does_not_reward_a_narrow_class():
    real, real_classes = real_table()
    loss = loss_for(real, real_classes)
    classes = torch.arange(N_CLASSES).repeat_interleave(4)
    centres = torch.tensor([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])[classes]

    def same(generator, scale=1.0):
        return centres + scale * torch.randn(len(classes), 2, generator=generator)

    matching = mean_loss(loss, same, classes)
    narrow = mean_loss(loss, lambda generator: same(generator, 0.3), classes)
    swapped = mean_loss(loss, same, classes.flip(0))

    assert abs(matching) < 0.06
    assert narrow > 0.2
    assert swapped > 1.5


def test_energy_loss_without_classes_compares_the_whole_table_and_its_gradient_flows():
    real, _ = real_table()
    loss = EnergyLoss(
        real, torch.zeros(len(real), dtype=torch.long), 1, torch.arange(2), torch.Generator()
    )
    rows = torch.zeros(20, 2, requires_grad=True)
    value = loss(GeneratorBatch(None, None, rows, None))
    value.backward()

    assert value > 0.5
    assert torch.isfinite(rows.grad).all() and rows.grad.abs().sum() > 0


def test_energy_loss_skips_classes_with_a_single_row():
    real, real_classes = real_table()
    value = loss_for(real, real_classes)(GeneratorBatch(None, None, real[:1], torch.tensor([0])))

    assert value.item() == 0.0


def test_energy_loss_over_no_compared_column_is_zero():
    real, real_classes = real_table()
    loss = EnergyLoss(real, real_classes, N_CLASSES, torch.tensor([], dtype=torch.long), None)
    value = loss(GeneratorBatch(None, None, real[:6], real_classes[:6]))

    assert abs(value.item()) < 1e-6
