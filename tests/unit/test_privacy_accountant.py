import pickle

import numpy as np
import pytest

from sdv_attncorr.core.privacy.accountant import (
    ORDERS,
    PrivacyLedger,
    epsilon_of,
    gaussian_rdp,
    noise_for_epsilon,
    noise_for_gaussian,
    subsampled_gaussian_rdp,
)

# (sampling rate, noise multiplier, steps, delta): the first, second and fourth are won by a
# fractional order, the third is full-batch (rate 1).
CASES = [
    (0.01, 1.1, 1000, 1e-5),
    (0.2, 0.8, 50, 1e-5),
    (1.0, 2.0, 3, 1e-5),
    (0.004, 0.6, 10000, 1e-6),
]


@pytest.fixture(scope='module')
def opacus_rdp():
    """Opacus' RDP analysis: the independent reference."""
    pytest.importorskip('opacus', reason='opacus (a dev dependency) is the reference accountant')
    from opacus.accountants import RDPAccountant
    from opacus.accountants.analysis import rdp

    assert RDPAccountant.DEFAULT_ALPHAS == ORDERS.tolist()
    return RDPAccountant, rdp


def _epsilon(sampling_rate, noise_multiplier, steps, delta, spent=0.0):
    rdp = spent + subsampled_gaussian_rdp(sampling_rate, noise_multiplier, steps)
    return epsilon_of(rdp, delta)[0]


@pytest.mark.parametrize(('q', 'sigma', 'steps', 'delta'), CASES)
def test_epsilon_equals_opacus_rdp_accountant(opacus_rdp, q, sigma, steps, delta):
    accountant_class, _ = opacus_rdp
    accountant = accountant_class()
    accountant.history = [(sigma, q, steps)]

    epsilon, order = epsilon_of(subsampled_gaussian_rdp(q, sigma, steps), delta)

    expected_epsilon, expected_order = accountant.get_privacy_spent(delta=delta)
    assert epsilon == pytest.approx(expected_epsilon, rel=1e-6)
    assert order == expected_order
    assert accountant.get_epsilon(delta) == pytest.approx(epsilon, rel=1e-6)


def test_cases_cover_fractional_best_orders():
    orders = [epsilon_of(subsampled_gaussian_rdp(q, s, n), d)[1] for q, s, n, d in CASES]

    assert sum(not float(order).is_integer() for order in orders) >= 2


@pytest.mark.parametrize(('q', 'sigma', 'steps', 'delta'), CASES)
def test_rdp_equals_opacus_compute_rdp(opacus_rdp, q, sigma, steps, delta):
    _, rdp = opacus_rdp

    ours = subsampled_gaussian_rdp(q, sigma, steps)

    expected = rdp.compute_rdp(q=q, noise_multiplier=sigma, steps=steps, orders=ORDERS.tolist())
    np.testing.assert_allclose(ours, expected, rtol=1e-6)


def test_special_cases():
    np.testing.assert_array_equal(subsampled_gaussian_rdp(0.0, 1.0, 10), 0.0)
    np.testing.assert_array_equal(subsampled_gaussian_rdp(0.1, 0.0, 10), np.inf)
    np.testing.assert_allclose(subsampled_gaussian_rdp(1.0, 2.0, 3), 3 * ORDERS / 8)
    np.testing.assert_allclose(gaussian_rdp(2.0, count=3), 3 * ORDERS / 8)


def test_ledger_composition_equals_opacus_sum(opacus_rdp):
    _, rdp = opacus_rdp
    ledger = PrivacyLedger(delta=1e-5)

    ledger.spend('statistics', gaussian_rdp(5.0))
    ledger.spend('training', subsampled_gaussian_rdp(0.01, 1.1, 400))
    ledger.spend('training', subsampled_gaussian_rdp(0.01, 1.1, 600))

    expected_rdp = rdp.compute_rdp(q=1.0, noise_multiplier=5.0, steps=1, orders=ORDERS.tolist())
    expected_rdp += rdp.compute_rdp(q=0.01, noise_multiplier=1.1, steps=1000, orders=ORDERS)
    expected, _ = rdp.get_privacy_spent(orders=ORDERS, rdp=expected_rdp, delta=1e-5)
    assert ledger.epsilon == pytest.approx(expected, rel=1e-6)


def test_ledger_parts_breakdown():
    ledger = PrivacyLedger(delta=1e-5)
    ledger.spend('statistics', gaussian_rdp(5.0))
    ledger.spend('training', subsampled_gaussian_rdp(0.01, 1.1, 1000))

    parts = ledger.parts()

    assert list(parts) == ['statistics', 'training']
    assert parts['training'] == pytest.approx(_epsilon(0.01, 1.1, 1000, 1e-5))
    assert all(0 < epsilon < ledger.epsilon for epsilon in parts.values())


def test_ledger_empty_would_exceed_and_pickle():
    ledger = PrivacyLedger(delta=1e-5)
    assert ledger.epsilon == 0.0
    np.testing.assert_array_equal(ledger.rdp, 0.0)

    ledger.spend('training', subsampled_gaussian_rdp(0.01, 1.1, 1000))
    more = subsampled_gaussian_rdp(0.01, 1.1, 1000)
    total = epsilon_of(2 * more, 1e-5)[0]

    assert ledger.would_exceed(more, total * 0.999)
    assert not ledger.would_exceed(more, total * 1.001)
    assert pickle.loads(pickle.dumps(ledger)).epsilon == ledger.epsilon


def test_noise_for_epsilon_is_the_smallest_that_fits():
    sigma = noise_for_epsilon(3.0, 1e-5, sampling_rate=0.01, steps=1000)

    assert _epsilon(0.01, sigma, 1000, 1e-5) <= 3.0
    assert _epsilon(0.01, 0.99 * sigma, 1000, 1e-5) > 3.0


def test_noise_for_epsilon_counts_spent_rdp():
    spent = gaussian_rdp(3.0)
    alone = noise_for_epsilon(3.0, 1e-5, sampling_rate=0.01, steps=1000)

    sigma = noise_for_epsilon(3.0, 1e-5, sampling_rate=0.01, steps=1000, spent_rdp=spent)

    assert sigma > alone
    assert _epsilon(0.01, sigma, 1000, 1e-5, spent=spent) <= 3.0
    assert _epsilon(0.01, 0.99 * sigma, 1000, 1e-5, spent=spent) > 3.0


def test_noise_for_epsilon_refuses_when_spent_alone_exceeds():
    spent = gaussian_rdp(0.5)
    assert epsilon_of(spent, 1e-5)[0] > 3.0

    with pytest.raises(ValueError, match='even infinite noise gives epsilon'):
        noise_for_epsilon(3.0, 1e-5, sampling_rate=0.01, steps=1000, spent_rdp=spent)


def test_noise_for_gaussian_round_trips():
    for epsilon in [0.5, 1.0, 8.0]:
        sigma = noise_for_gaussian(epsilon, 1e-5)

        achieved = epsilon_of(gaussian_rdp(sigma), 1e-5)[0]
        assert achieved <= epsilon
        assert achieved == pytest.approx(epsilon, rel=3e-3)


@pytest.mark.parametrize('delta', [0.0, 1.0, -1e-5, 2.0])
def test_delta_outside_unit_interval_is_refused(delta):
    with pytest.raises(ValueError, match='delta must be in'):
        epsilon_of(gaussian_rdp(1.0), delta)
    with pytest.raises(ValueError, match='delta must be in'):
        PrivacyLedger(delta)
    with pytest.raises(ValueError, match='delta must be in'):
        noise_for_gaussian(1.0, delta)
