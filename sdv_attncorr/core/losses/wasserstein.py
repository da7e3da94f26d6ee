"""Wasserstein-1 distances between two empirical distributions of vectors.

Used by the meta-feature-statistics loss to compare ``K`` meta-feature vectors of real
subsamples with those of generated groups. Every method is a Wasserstein-1 (W1) distance, with
uniform weights on the samples and the Euclidean ground cost, and is differentiable with respect
to both inputs (the loss needs ``fake``):

- ``'exact'``: exact optimal transport, solved by POT's ``ot.emd2`` (network simplex on the
  CPU; POT's torch backend returns the transport cost with its gradient). ``O(K**3)``: for
  small ``K``.
- ``'per_component'``: the mean over the ``p`` components of the exact 1-D W1 distance between
  the component's two samples, from their sorted values (quantile functions), so ``K`` may
  differ between the two sides. It ignores the dependence between components.
- ``'sliced'``: the mean 1-D W1 distance between the projections of both samples on
  ``n_projections`` random unit directions drawn from the given ``torch.Generator``.
- ``'auto'``: ``'exact'`` when both samples are on the CPU and have at most
  ``EXACT_MAX_SAMPLES`` vectors, else ``'per_component'`` (on a GPU it stays on the device: no
  round trip to the CPU in the training step).

In 1-D all four equal ``scipy.stats.wasserstein_distance``. ``wasserstein_1d`` gives the 1-D
distance of each component itself, before the mean; the evaluation's meta-feature distance
calls it too, so the package has one 1-D Wasserstein.

Shape:
    - Inputs ``real``: ``[K_real, p]``, ``fake``: ``[K_fake, p]`` (``K_real`` may differ from
      ``K_fake``).
    - Output: a scalar tensor ``[]`` (``wasserstein_1d``: one distance per component, ``[p]``).
"""

import math

import torch

EXACT_MAX_SAMPLES = 64
"""int: Above this many vectors on either side, ``method='auto'`` uses ``'per_component'``."""

WASSERSTEIN_METHODS = ('auto', 'exact', 'per_component', 'sliced')
"""tuple[str, ...]: The valid values of ``method``."""


def wasserstein_1d(real, fake):
    """Exact 1-D W1 distance of each column, from the quantile functions of both samples.

    The one 1-D Wasserstein of the package: ``'per_component'`` and ``'sliced'`` average it, and
    the evaluation's meta-feature distance calls it on numpy arrays. Equals
    ``scipy.stats.wasserstein_distance`` on each column; a column with a NaN gets NaN.

    Args:
        real (torch.Tensor):
            ``K_real`` values of each column, ``[K_real, p]``.
        fake (torch.Tensor):
            ``K_fake`` values of each column, ``[K_fake, p]``.

    Returns:
        torch.Tensor:
            The W1 distance of each of the ``p`` columns, ``[p]``, differentiable with respect
            to ``real`` and ``fake``.

    Raises:
        ValueError:
            If the inputs are not non-empty ``[K, p]`` tensors with the same ``p``.

    """
    _check_samples(real, fake)
    real, fake = torch.sort(real, dim=0).values, torch.sort(fake, dim=0).values
    k_real, k_fake = real.shape[0], fake.shape[0]
    if k_real == k_fake:
        # Both quantile functions step at the same points: no common grid (and no ``unique``,
        # which would wait on a GPU) is needed.
        return (real - fake).abs().mean(dim=0)

    # The quantile functions are steps at multiples of 1 / k_real and 1 / k_fake: on the common
    # grid of multiples of 1 / lcm both are constant on each piece, and integer arithmetic keeps
    # the steps exact.
    lcm = math.lcm(k_real, k_fake)
    starts = torch.cat(
        [
            torch.arange(k_real, device=real.device) * (lcm // k_real),
            torch.arange(k_fake, device=real.device) * (lcm // k_fake),
        ]
    ).unique()
    ends = torch.cat([starts[1:], starts.new_tensor([lcm])])
    widths = (ends - starts).to(real.dtype).unsqueeze(-1) / lcm
    gaps = real[starts * k_real // lcm] - fake[starts * k_fake // lcm]
    return (widths * gaps.abs()).sum(dim=0)


def _exact(real, fake):
    # Imported here: POT's package import loads scikit-learn and, through it, pandas, which
    # core/ must not import (and it takes seconds); only the exact solver needs POT.
    import ot

    # Not torch.cdist's default matrix-product path: it cancels badly, so identical inputs would
    # get a positive distance.
    cost = torch.cdist(real, fake, compute_mode='donot_use_mm_for_euclid_dist')
    real_weights = torch.full((real.shape[0],), 1 / real.shape[0], dtype=cost.dtype)
    fake_weights = torch.full((fake.shape[0],), 1 / fake.shape[0], dtype=cost.dtype)
    return ot.emd2(real_weights.to(cost.device), fake_weights.to(cost.device), cost)


def _sliced(real, fake, *, n_projections, rng):
    if rng is None:
        raise ValueError("method='sliced' draws random projections: pass rng=torch.Generator().")
    if n_projections < 1:
        raise ValueError(f'n_projections must be positive, got {n_projections=}')

    directions = torch.randn(real.shape[1], n_projections, generator=rng, device=rng.device)
    directions = directions.to(device=real.device, dtype=real.dtype)
    directions = directions / directions.norm(dim=0, keepdim=True)
    return wasserstein_1d(real @ directions, fake @ directions).mean()


def _check_samples(real, fake):
    for name, samples in (('real', real), ('fake', fake)):
        if samples.ndim != 2 or samples.shape[0] == 0:
            raise ValueError(f'{name} must be a non-empty [K, p] tensor, got {samples.shape=}')
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f'real and fake must have the same number of components p, got {real.shape=} and '
            f'{fake.shape=}'
        )


def wasserstein_distance(real, fake, method='auto', *, n_projections=64, rng=None):
    """Wasserstein-1 distance between the empirical distributions of two sets of vectors.

    Args:
        real (torch.Tensor):
            ``K_real`` vectors, ``[K_real, p]``.
        fake (torch.Tensor):
            ``K_fake`` vectors, ``[K_fake, p]``, usually requiring gradients.
        method (str):
            One of ``WASSERSTEIN_METHODS``: ``'exact'``, ``'per_component'``, ``'sliced'`` or
            ``'auto'`` (default: ``'exact'`` on the CPU up to ``EXACT_MAX_SAMPLES`` vectors
            per side, else ``'per_component'``). See the module docstring.
        n_projections (int):
            Number of random directions for ``'sliced'``. Defaults to 64.
        rng (torch.Generator or None):
            Source of the random directions for ``'sliced'``, required by it; its device may
            differ from the inputs'. Ignored by the other methods.

    Returns:
        torch.Tensor:
            The distance, a scalar, differentiable with respect to ``real`` and ``fake``.

    Raises:
        ValueError:
            If ``method`` is unknown, the shapes do not match, or ``'sliced'`` lacks a
            ``rng``.

    """
    if method not in WASSERSTEIN_METHODS:
        raise ValueError(f'Unknown {method=}; valid methods are {WASSERSTEIN_METHODS}.')
    _check_samples(real, fake)
    if method == 'auto':
        small = max(real.shape[0], fake.shape[0]) <= EXACT_MAX_SAMPLES
        on_cpu = real.device.type == fake.device.type == 'cpu'
        method = 'exact' if small and on_cpu else 'per_component'

    if method == 'exact':
        return _exact(real, fake)
    if method == 'per_component':
        return wasserstein_1d(real, fake).mean()
    return _sliced(real, fake, n_projections=n_projections, rng=rng)
