import numpy as np
import pytest
import scipy.stats
import torch

from sdv_attncorr.core.losses.wasserstein import (
    EXACT_MAX_SAMPLES,
    WASSERSTEIN_METHODS,
    wasserstein_1d,
    wasserstein_distance,
)

SIZES = [(20, 20), (20, 13), (7, 40)]


def _samples(k_real, k_fake, p=1, seed=0):
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(k_real, p))
    fake = rng.normal(loc=0.5, scale=2.0, size=(k_fake, p))
    return real, fake


def _distance(real, fake, method):
    rng = torch.Generator().manual_seed(0)
    return wasserstein_distance(torch.from_numpy(real), torch.from_numpy(fake), method, rng=rng)


@pytest.mark.parametrize('method', WASSERSTEIN_METHODS)
@pytest.mark.parametrize(('k_real', 'k_fake'), SIZES)
def test_one_dimension_equals_scipy(method, k_real, k_fake):
    real, fake = _samples(k_real, k_fake)

    distance = _distance(real, fake, method)

    expected = scipy.stats.wasserstein_distance(real[:, 0], fake[:, 0])
    np.testing.assert_allclose(distance.item(), expected, rtol=1e-9)


@pytest.mark.parametrize(('k_real', 'k_fake'), SIZES)
def test_per_component_is_mean_of_scipy_per_column(k_real, k_fake):
    real, fake = _samples(k_real, k_fake, p=4)

    distance = _distance(real, fake, 'per_component')

    expected = np.mean(
        [scipy.stats.wasserstein_distance(r, f) for r, f in zip(real.T, fake.T, strict=True)]
    )
    np.testing.assert_allclose(distance.item(), expected, rtol=1e-9)


@pytest.mark.parametrize(('k_real', 'k_fake'), SIZES)
def test_1d_is_scipy_per_column(k_real, k_fake):
    real, fake = _samples(k_real, k_fake, p=4)

    distances = wasserstein_1d(torch.from_numpy(real), torch.from_numpy(fake))

    expected = [scipy.stats.wasserstein_distance(r, f) for r, f in zip(real.T, fake.T, strict=True)]
    np.testing.assert_allclose(distances.numpy(), expected, rtol=1e-9)


def test_1d_is_nan_only_in_a_column_with_a_nan():
    real, fake = _samples(10, 7, p=3)
    fake[2, 1] = np.nan

    distances = wasserstein_1d(torch.from_numpy(real), torch.from_numpy(fake))

    assert torch.isnan(distances).tolist() == [False, True, False]


def test_1d_checks_shapes():
    with pytest.raises(ValueError, match='same number of components'):
        wasserstein_1d(torch.randn(4, 2), torch.randn(4, 3))


def test_exact_equals_assignment_cost_for_equal_sizes():
    # With K vectors on each side the optimal plan is a permutation (Birkhoff).
    real, fake = _samples(6, 6, p=3)
    costs = np.linalg.norm(real[:, None] - fake[None], axis=-1)
    rows, cols = scipy.optimize.linear_sum_assignment(costs)

    distance = _distance(real, fake, 'exact')

    np.testing.assert_allclose(distance.item(), costs[rows, cols].mean(), rtol=1e-9)


def test_auto_is_exact_for_small_and_per_component_for_large_samples():
    small_real, small_fake = _samples(EXACT_MAX_SAMPLES, 30, p=3)
    large_real, large_fake = _samples(EXACT_MAX_SAMPLES + 1, 30, p=3)

    small = _distance(small_real, small_fake, 'auto')
    large = _distance(large_real, large_fake, 'auto')

    assert small == _distance(small_real, small_fake, 'exact')
    assert large == _distance(large_real, large_fake, 'per_component')


@pytest.mark.parametrize('method', WASSERSTEIN_METHODS)
def test_zero_for_identical_and_positive_otherwise(method):
    real, fake = _samples(15, 15, p=3)

    assert _distance(real, real.copy(), method) == 0
    assert _distance(real, fake, method) > 0


@pytest.mark.parametrize('method', WASSERSTEIN_METHODS)
@pytest.mark.parametrize('shift', [0.0, 0.3])
def test_gradient_reaches_fake(method, shift):
    real = torch.randn(12, 3, generator=torch.Generator().manual_seed(0))
    fake = (real + shift).requires_grad_()

    distance = wasserstein_distance(real, fake, method, rng=torch.Generator().manual_seed(1))
    distance.backward()

    assert torch.isfinite(fake.grad).all()
    assert (fake.grad.abs().sum() > 0) == (shift > 0)


def test_sliced_is_deterministic_given_the_rng():
    real, fake = _samples(30, 25, p=4)

    first = _distance(real, fake, 'sliced')
    second = _distance(real, fake, 'sliced')

    assert first == second


def test_sliced_needs_an_rng():
    with pytest.raises(ValueError, match='rng=torch.Generator'):
        wasserstein_distance(torch.randn(4, 2), torch.randn(4, 2), 'sliced')


def test_unknown_method_raises_listing_valid_ones():
    with pytest.raises(ValueError, match=r"method='emd'.*'per_component'"):
        wasserstein_distance(torch.randn(4, 2), torch.randn(4, 2), 'emd')


@pytest.mark.parametrize(
    ('real_shape', 'fake_shape'), [((4, 2), (4, 3)), ((4,), (4,)), ((0, 2), (3, 2))]
)
def test_bad_shapes_raise(real_shape, fake_shape):
    with pytest.raises(ValueError, match='shape'):
        wasserstein_distance(torch.randn(real_shape), torch.randn(fake_shape))


def test_auto_stays_on_a_non_cpu_device():
    # A meta tensor has no data: the exact solver (POT, on the CPU) or any data-dependent step
    # such as ``unique`` would fail, as on a GPU it would wait for the device.
    real, fake = torch.randn(8, 3, device='meta'), torch.randn(8, 3, device='meta')
    assert wasserstein_distance(real, fake).device.type == 'meta'
