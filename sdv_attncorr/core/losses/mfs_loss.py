"""The meta-feature-statistics (MFS) loss of WGANGPMFS (DESIGN.md §3)."""

from __future__ import annotations

from collections.abc import Iterable

import torch

from sdv_attncorr.core.losses.metafeatures import META_FEATURES, meta_features
from sdv_attncorr.core.losses.regularizers import GeneratorBatch
from sdv_attncorr.core.losses.wasserstein import wasserstein_distance

# Continuous columns are normal scores (unit spread), so every meta-feature lives on that scale.
# A component that barely varies over real subsamples (the minimum of a column with a mass point,
# the smallest eigenvalue of collinear columns) would, divided by its own spread, weigh thousands
# of times more than the rest and swamp the loss (demo table: 1e-6 gave an MFS loss of ~5e4 and
# quality 0.657; 0.05 gives 0.691, abalone 0.970 either way).
SCALE_FLOOR = 0.05
REAL_POOL_SIZE = 256

# pymfe's cor and cov are absolute values: as loss targets they are blind to the sign of a
# correlation and let the generator flip it (abalone: mean |Δ Pearson| 0.68 with them, quality
# 0.72; 0.97 without). The covariance eigenvalues and the adversarial loss keep the structure.
DEFAULT_LOSS_FEATURES = tuple(name for name in META_FEATURES if name not in ('cor', 'cov'))


class MetaFeatureLoss:
    """Wasserstein distance between meta-feature distributions of real and generated groups.

    Real side: ``n_subsamples`` (K) subsamples of ``subsample_size`` (m) rows of the training
    table, drawn at every call from a pool of 256 subsamples whose meta-features are computed
    once (the real data never changes, so recomputing them each step would only cost time).
    Generated side: the first K·m rows of the generator's batch
    (generated with conditions at the data's own frequencies), reshaped into K groups of m
    rows: no extra generator pass. Meta-features (pymfe's statistical group, see
    ``metafeatures``) are computed on the continuous columns only; each component is divided
    by its spread over real subsamples, measured once and floored at 0.05, so no meta-feature
    dominates by scale.
    The Euclidean distances (exact and sliced) are divided by the square root of the number of
    components, so that, like ``per_component``, a shift of δ in every component costs δ and
    ``mfs_weight`` means the same whatever the number of columns or meta-features.

    Args:
        real (torch.Tensor):
            Continuous columns of the training table, ``[n_rows, d]``.
        positions (torch.LongTensor):
            Positions of those columns in an encoded row, ``[d]``.
        features (Iterable[str]):
            Meta-feature names.
        n_subsamples (int):
            K, groups per side.
        subsample_size (int):
            m, rows per group (equal on both sides).
        distance (str):
            ``'auto'``, ``'exact'``, ``'sliced'`` or ``'per_component'``.
        interval (int):
            Generator steps between two computations (the trainer's lazy regularisation).
        rng (torch.Generator):
            Source of the real subsamples and of sliced projections.
    """

    name = 'MFS Loss'
    uses_view = True

    def __init__(
        self,
        real: torch.Tensor,
        positions: torch.Tensor,
        *,
        features: Iterable[str],
        n_subsamples: int,
        subsample_size: int,
        distance: str,
        rng: torch.Generator,
        interval: int = 1,
    ) -> None:
        self.positions = positions
        self.features = tuple(features)
        self.n_subsamples = n_subsamples
        self.subsample_size = subsample_size
        self.distance = distance
        self.interval = interval
        self.rng = rng
        # The real rows are only read here, into the pool: the loss keeps no copy of them.
        with torch.no_grad():
            values = meta_features(self._real_groups(real, REAL_POOL_SIZE), self.features)
        self.widths = [values[name].shape[1] for name in self.features]
        self.real_pool = torch.cat([values[name] for name in self.features], dim=1)
        self.scale = self.real_pool.std(dim=0).clamp_min(SCALE_FLOOR)

    def _real_groups(self, real: torch.Tensor, count: int) -> torch.Tensor:
        shape = (count, self.subsample_size)
        rows = torch.randint(real.shape[0], shape, generator=self.rng, device=real.device)
        return real[rows]

    def _real_vectors(self) -> torch.Tensor:
        # Real meta-features never change: a pool computed once is drawn from at each step.
        index = torch.randint(
            len(self.real_pool), (self.n_subsamples,), generator=self.rng,
            device=self.real_pool.device,
        )  # fmt: skip
        return self.real_pool[index]

    def _vectors(self, groups: torch.Tensor) -> torch.Tensor:
        values = meta_features(groups, self.features)
        return torch.cat([values[name] for name in self.features], dim=1)

    def _fake_groups(self, batch: GeneratorBatch) -> torch.Tensor:
        rows = self.n_subsamples * self.subsample_size
        view = batch.require_view()
        return view[:rows, self.positions].reshape(self.n_subsamples, self.subsample_size, -1)

    def _distance(self, real_vectors: torch.Tensor, fake_vectors: torch.Tensor) -> torch.Tensor:
        distance = wasserstein_distance(real_vectors, fake_vectors, self.distance, rng=self.rng)
        if self.distance == 'per_component':
            return distance

        return distance / real_vectors.shape[1] ** 0.5

    def __call__(self, batch: GeneratorBatch) -> torch.Tensor:
        """Compute the loss on the first K·m rows of the batch's view."""
        real_vectors = self._real_vectors() / self.scale
        fake_vectors = self._vectors(self._fake_groups(batch)) / self.scale
        return self._distance(real_vectors, fake_vectors)

    @torch.no_grad()
    def feature_distances(self, batch: GeneratorBatch) -> dict[str, float]:
        """Return each meta-feature's own distance on ``batch``.

        The same distance as the loss, restricted to one meta-feature's components (for
        tracking which meta-features the generator still misses). The loss's random state is
        restored afterwards, so tracking does not change training.

        Args:
            batch (GeneratorBatch):
                A generator batch with view rows.

        Returns:
            dict[str, float]:
                ``{meta-feature name: distance}``.
        """
        state = self.rng.get_state()
        try:
            return self._feature_distances(batch)
        finally:
            self.rng.set_state(state)

    def _feature_distances(self, batch: GeneratorBatch) -> dict[str, float]:
        real_vectors = self._real_vectors() / self.scale
        fake_vectors = self._vectors(self._fake_groups(batch)) / self.scale
        distances, start = {}, 0
        for name, width in zip(self.features, self.widths):
            columns = slice(start, start + width)
            distance = self._distance(real_vectors[:, columns], fake_vectors[:, columns])
            distances[name] = float(distance)
            start += width

        return distances
