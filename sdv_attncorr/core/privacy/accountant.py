"""Rényi differential privacy (RDP) accountant for differentially private training.

Privacy is tracked as RDP at a fixed list of orders: RDP composes by addition, and the total is
converted to an (ε, δ) guarantee once, at the end. The formulas follow Opacus'
``opacus/accountants/analysis/rdp.py`` (Apache-2.0), so both give the same ε; this module needs
only numpy and scipy.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy import special

ORDERS = np.array([1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)), dtype=float)
"""RDP orders tracked: Opacus' default list, so that our ε equals Opacus' RDP accountant's."""

# Opacus stops the fractional-order series at its first term below exp(-30); so do we, to agree.
_LOG_CUTOFF = -30.0
# A stop instead of a hang: the series need at most 2**18 terms for rates 1e-5 to 0.99999 and
# noise multipliers 0.05 to 1e6.
_MAX_TERMS = 2**20
_SIGMA_RTOL = 1e-3
_SIGMA_MAX = 1e6


def _as_orders(orders: npt.ArrayLike) -> np.ndarray:
    """Return ``orders`` as a float array, checking that each is finite and above 1."""
    orders = np.atleast_1d(np.asarray(orders, dtype=float))
    if not np.all(np.isfinite(orders) & (orders > 1)):
        raise ValueError(f'RDP orders must be finite and greater than 1, got {orders=}')

    return orders


def _as_rdp(rdp: npt.ArrayLike, orders: np.ndarray) -> np.ndarray:
    """Return ``rdp`` as a float array, checking that it has one value per order."""
    rdp = np.asarray(rdp, dtype=float)
    if rdp.shape != orders.shape:
        raise ValueError(
            f'rdp must have one value per order, shape {orders.shape}, got shape {rdp.shape}'
        )

    return rdp


def _check_delta(delta: float) -> None:
    if not 0 < delta < 1:
        raise ValueError(f'delta must be in (0, 1), got {delta=}')


def _check_mechanism(sampling_rate: float, noise_multiplier: float, steps: int) -> None:
    if not 0 <= sampling_rate <= 1:
        raise ValueError(f'sampling_rate must be in [0, 1], got {sampling_rate=}')
    if not noise_multiplier >= 0:
        raise ValueError(f'noise_multiplier must be non-negative, got {noise_multiplier=}')
    if steps < 0:
        raise ValueError(f'steps must be non-negative, got {steps=}')


def _signed_logsumexp(log_terms: np.ndarray, signs: np.ndarray) -> float:
    """Return log(Σ signs · exp(log_terms)), or -inf where the sum is not positive."""
    value, sign = special.logsumexp(log_terms, b=signs, return_sign=True)
    return float(value) if sign > 0 else -math.inf


def _log_a_integer(q: float, sigma: float, alpha: int) -> float:
    """Return log A_α for an integer order: the binomial expansion, summed in log space."""
    i = np.arange(alpha + 1, dtype=float)
    log_terms = (
        np.log(special.binom(alpha, i))
        + i * math.log(q)
        + (alpha - i) * math.log1p(-q)
        + (i * i - i) / (2 * sigma**2)
    )
    return float(special.logsumexp(log_terms))


def _fractional_terms(
    q: float, sigma: float, alpha: float, i: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the log-magnitudes of the two series' terms ``i`` of A_α, and their signs."""
    coef = special.binom(alpha, i)
    with np.errstate(divide='ignore'):
        log_coef = np.log(np.abs(coef))

    j = alpha - i
    z0 = sigma**2 * math.log(1 / q - 1) + 0.5
    log_q, log_1mq = math.log(q), math.log1p(-q)
    log_s0 = log_coef + i * log_q + j * log_1mq + (i * i - i) / (2 * sigma**2)
    log_s1 = log_coef + j * log_q + i * log_1mq + (j * j - j) / (2 * sigma**2)
    log_s0 += special.log_ndtr((z0 - i) / sigma)
    log_s1 += special.log_ndtr((j - z0) / sigma)
    return log_s0, log_s1, np.sign(coef)


def _log_a_fractional(q: float, sigma: float, alpha: float) -> float:
    """Return log A_α for a fractional order: the two erfc series, up to a negligible term."""
    n_terms = 64
    while True:
        log_s0, log_s1, signs = _fractional_terms(q, sigma, alpha, np.arange(n_terms, dtype=float))
        negligible = np.flatnonzero(np.maximum(log_s0, log_s1) < _LOG_CUTOFF)
        if negligible.size:
            end = negligible[0] + 1
            log_a0 = _signed_logsumexp(log_s0[:end], signs[:end])
            log_a1 = _signed_logsumexp(log_s1[:end], signs[:end])
            return float(np.logaddexp(log_a0, log_a1))

        n_terms *= 4
        if n_terms > _MAX_TERMS:
            raise ArithmeticError(
                f'the RDP series did not converge within {_MAX_TERMS} terms at order {alpha} '
                f'(sampling rate {q}, noise multiplier {sigma})'
            )


def _step_rdp(q: float, sigma: float, alpha: float) -> float:
    """Return the RDP at order ``alpha`` of one step, for 0 < q < 1 and sigma > 0."""
    if float(alpha).is_integer():
        return _log_a_integer(q, sigma, int(alpha)) / (alpha - 1)

    return _log_a_fractional(q, sigma, alpha) / (alpha - 1)


def subsampled_gaussian_rdp(
    sampling_rate: float, noise_multiplier: float, steps: int, orders: npt.ArrayLike = ORDERS
) -> np.ndarray:
    """Return the RDP of ``steps`` compositions of the Poisson-subsampled Gaussian mechanism.

    Each step adds Gaussian noise of std ``noise_multiplier`` to a sum of L2 sensitivity 1 over
    a Poisson sample of the rows. The RDP follows Mironov, Talwar and Zhang (2019), "Rényi
    Differential Privacy of the Sampled Gaussian Mechanism", section 3.3: at integer orders the
    binomial expansion, at fractional orders the erfc series, both in log space.

    Args:
        sampling_rate (float):
            Probability that a row is in a step's sample, in [0, 1].
        noise_multiplier (float):
            Noise std divided by the L2 sensitivity; 0 means no privacy.
        steps (int):
            Number of steps composed.
        orders (array-like of float):
            RDP orders, each above 1. Defaults to ``ORDERS``.

    Returns:
        numpy.ndarray:
            The RDP at each order (``inf`` where there is no privacy).

    """
    orders = _as_orders(orders)
    _check_mechanism(sampling_rate, noise_multiplier, steps)
    if sampling_rate == 0 or steps == 0:
        return np.zeros_like(orders)
    if noise_multiplier == 0:
        return np.full_like(orders, np.inf)
    if sampling_rate == 1:
        return gaussian_rdp(noise_multiplier, steps, orders)

    per_step = [_step_rdp(sampling_rate, noise_multiplier, alpha) for alpha in orders]
    return steps * np.array(per_step)


def gaussian_rdp(
    noise_multiplier: float, count: int = 1, orders: npt.ArrayLike = ORDERS
) -> np.ndarray:
    """Return the RDP of ``count`` releases of the Gaussian mechanism of L2 sensitivity 1.

    Args:
        noise_multiplier (float):
            Noise std (the sensitivity is 1); 0 means no privacy.
        count (int):
            Number of releases composed. Defaults to 1.
        orders (array-like of float):
            RDP orders, each above 1. Defaults to ``ORDERS``.

    Returns:
        numpy.ndarray:
            ``count · α / (2 σ²)`` at each order α (``inf`` where there is no privacy).

    """
    orders = _as_orders(orders)
    _check_mechanism(1.0, noise_multiplier, count)
    if count == 0:
        return np.zeros_like(orders)
    if noise_multiplier == 0:
        return np.full_like(orders, np.inf)

    return count * orders / (2 * noise_multiplier**2)


def epsilon_of(
    rdp: npt.ArrayLike, delta: float, orders: npt.ArrayLike = ORDERS
) -> tuple[float, float]:
    """Convert RDP to an (ε, δ) guarantee, at the order that gives the smallest ε.

    The conversion is Opacus' ``get_privacy_spent``: Balle et al. (2020), "Hypothesis Testing
    Interpretations and Rényi Differential Privacy", theorem 21:
    ``ε = rdp - (log δ + log α) / (α - 1) + log((α - 1) / α)``. NaN orders are ignored.

    Args:
        rdp (array-like of float):
            RDP at each order.
        delta (float):
            Target δ, in (0, 1).
        orders (array-like of float):
            RDP orders, each above 1. Defaults to ``ORDERS``.

    Returns:
        tuple[float, float]:
            ε and the order that gives it (``(inf, nan)`` where every order is NaN).

    """
    _check_delta(delta)
    orders = _as_orders(orders)
    rdp = _as_rdp(rdp, orders)
    eps = rdp - (math.log(delta) + np.log(orders)) / (orders - 1) + np.log((orders - 1) / orders)
    if np.isnan(eps).all():
        return math.inf, math.nan

    best = int(np.nanargmin(eps))
    return float(eps[best]), float(orders[best])


def noise_for_epsilon(
    epsilon: float,
    delta: float,
    sampling_rate: float,
    steps: int,
    spent_rdp: npt.ArrayLike | None = None,
    orders: npt.ArrayLike = ORDERS,
) -> float:
    """Return the smallest noise multiplier of a subsampled Gaussian run that fits a budget.

    The total, ``spent_rdp`` plus ``steps`` subsampled Gaussian steps, converts to ε <= ``epsilon``
    at ``delta``. The multiplier is found by bisection on a log scale to a relative tolerance of
    1e-3, rounding up: its ε never exceeds the budget.

    Args:
        epsilon (float):
            Total ε budget.
        delta (float):
            Target δ, in (0, 1).
        sampling_rate (float):
            Probability that a row is in a step's sample, in [0, 1].
        steps (int):
            Number of steps.
        spent_rdp (array-like of float or None):
            RDP already spent at each order, or None for nothing. Defaults to None.
        orders (array-like of float):
            RDP orders, each above 1. Defaults to ``ORDERS``.

    Returns:
        float:
            The noise multiplier (0.0 when the steps reveal nothing).

    Raises:
        ValueError:
            If no noise fits: ``spent_rdp``, even with infinite noise, already converts to ε at
            or above ``epsilon``.

    """
    orders = _as_orders(orders)
    spent = np.zeros_like(orders) if spent_rdp is None else _as_rdp(spent_rdp, orders)
    _check_mechanism(sampling_rate, 0.0, steps)

    def total_epsilon(sigma: float) -> float:
        steps_rdp = subsampled_gaussian_rdp(sampling_rate, sigma, steps, orders)
        return epsilon_of(spent + steps_rdp, delta, orders)[0]

    floor = epsilon_of(spent, delta, orders)[0]
    return _smallest_noise(total_epsilon, epsilon, floor, delta)


def noise_for_share(epsilon: float, delta: float, share: float) -> float:
    """Return the noise multiplier of a Gaussian release that takes ``share`` of a budget.

    Shares are taken of the budget's zCDP ρ (Bun and Steinke 2016), which adds up over
    releases as ε does not: ρ is the one whose conversion ``ρ + 2·sqrt(ρ·ln(1/δ))`` is
    ``epsilon``, and a Gaussian release of noise σ spends ``1 / (2σ²)`` of it. Unlike a share
    of ε (a release of ε/10 alone), this stays possible at any ε: at ε = 1 and δ = 1e-5 a tenth
    of ε is below what the RDP conversion reaches for any noise.

    Args:
        epsilon (float):
            The whole budget's ε.
        delta (float):
            Its δ, in (0, 1).
        share (float):
            The release's share, in (0, 1).

    Returns:
        float:
            The noise multiplier (std per unit of L2 sensitivity).
    """
    _check_delta(delta)
    log_term = math.log(1 / delta)
    root = -math.sqrt(log_term) + math.sqrt(log_term + epsilon)
    return 1 / math.sqrt(2 * share * root**2)


def noise_for_gaussian(epsilon: float, delta: float, orders: npt.ArrayLike = ORDERS) -> float:
    """Return the noise multiplier of one Gaussian release (sensitivity 1) with ε at ``delta``.

    Found by bisection on a log scale to a relative tolerance of 1e-3, rounding up: the release's
    ε is at most ``epsilon`` and within about 0.1 % of it.

    Args:
        epsilon (float):
            The release's ε.
        delta (float):
            Target δ, in (0, 1).
        orders (array-like of float):
            RDP orders, each above 1. Defaults to ``ORDERS``.

    Returns:
        float:
            The noise multiplier.

    Raises:
        ValueError:
            If ``epsilon`` is below what the RDP conversion can reach at ``delta``.

    """
    orders = _as_orders(orders)

    def release_epsilon(sigma: float) -> float:
        return epsilon_of(gaussian_rdp(sigma, 1, orders), delta, orders)[0]

    floor = epsilon_of(np.zeros_like(orders), delta, orders)[0]
    return _smallest_noise(release_epsilon, epsilon, floor, delta)


def _smallest_noise(
    epsilon_at: Callable[[float], float], epsilon: float, floor: float, delta: float
) -> float:
    """Return the smallest noise multiplier σ with ``epsilon_at(σ) <= epsilon``, rounded up.

    ``epsilon_at`` decreases with σ towards ``floor``, its value with infinite noise.
    """
    if not epsilon > floor:
        raise ValueError(
            f'no noise multiplier reaches {epsilon=} at {delta=}: even infinite noise gives '
            f'epsilon {floor:.4g} (the privacy already spent, converted at delta); raise '
            'epsilon or delta, or spend less elsewhere'
        )
    if epsilon_at(0.0) <= epsilon:
        return 0.0

    low, high = _bracket_noise(lambda sigma: epsilon_at(sigma) <= epsilon, epsilon)
    while high > low * (1 + _SIGMA_RTOL):
        middle = math.sqrt(low * high)
        low, high = (low, middle) if epsilon_at(middle) <= epsilon else (middle, high)

    return high


def _bracket_noise(fits: Callable[[float], bool], epsilon: float) -> tuple[float, float]:
    """Return ``(low, high)``, a factor 2 apart, where ``high`` fits the budget and ``low`` not."""
    sigma = 1.0
    if fits(sigma):
        while fits(sigma / 2):
            sigma /= 2
        return sigma / 2, sigma

    while not fits(2 * sigma):
        sigma *= 2
        if sigma > _SIGMA_MAX:
            raise ValueError(
                f'{epsilon=} needs a noise multiplier above {_SIGMA_MAX:g}: it is too close to '
                'the epsilon of infinite noise; raise epsilon'
            )

    return sigma, 2 * sigma


class PrivacyLedger:
    """The Rényi-DP spent by the named parts of a run, and its total (ε, δ).

    Parts compose by adding their RDP; ``parts()`` gives each part's own ε for a breakdown. The
    ledger holds plain attributes only, so it pickles with the model.

    Args:
        delta (float):
            Target δ of every ε the ledger reports, in (0, 1).
        orders (array-like of float):
            RDP orders, each above 1. Defaults to ``ORDERS``.

    """

    def __init__(self, delta: float, orders: npt.ArrayLike = ORDERS):
        _check_delta(delta)
        self.delta = delta
        self.orders = _as_orders(orders)
        self._parts: dict[str, np.ndarray] = {}

    def spend(self, part: str, rdp: npt.ArrayLike) -> None:
        """Record ``rdp`` spent by ``part``, adding to what that part spent before.

        Args:
            part (str):
                Name of the part, such as ``'training'``.
            rdp (array-like of float):
                RDP at each order.

        """
        rdp = _as_rdp(rdp, self.orders)
        self._parts[part] = self._parts.get(part, np.zeros_like(self.orders)) + rdp

    @property
    def rdp(self) -> np.ndarray:
        """numpy.ndarray: The total RDP at each order, summed over the parts."""
        return sum(self._parts.values(), np.zeros_like(self.orders))

    @property
    def epsilon(self) -> float:
        """float: The total ε at ``delta`` (0.0 while nothing is spent)."""
        return self._epsilon(self.rdp)

    def parts(self) -> dict[str, float]:
        """Return each part's own ε at ``delta``, by part name, in the order spent."""
        return {part: self._epsilon(rdp) for part, rdp in self._parts.items()}

    def would_exceed(self, rdp_more: npt.ArrayLike, epsilon: float) -> bool:
        """Return whether spending ``rdp_more`` too would take the total ε above ``epsilon``."""
        return self._epsilon(self.rdp + _as_rdp(rdp_more, self.orders)) > epsilon

    def _epsilon(self, rdp: np.ndarray) -> float:
        # Zero RDP at every order is (0, 0)-DP; the conversion would report a positive floor.
        if not np.any(rdp):
            return 0.0

        return epsilon_of(rdp, self.delta, self.orders)[0]
