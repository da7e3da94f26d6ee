"""The generator's regularisers by name, each built from what the engine knows of the table.

A builder takes a ``RegularizerContext`` and returns ``(weight, regulariser)`` pairs, none when
its weight is 0 or the table has nothing for it. A regulariser is a callable on a
``GeneratorBatch`` returning a scalar tensor, with a ``name`` (its loss column) and
``uses_view = True`` when it reads rows generated at the data's own frequencies. Adding one
is its own module and a line in ``GENERATOR_REGULARIZERS``; the trainer never changes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from sdv_attncorr.core.layout import TableLayout
from sdv_attncorr.core.losses.classwise import ClasswiseCorrelationLoss
from sdv_attncorr.core.losses.contingency import ContingencyLoss, MembershipBlocks
from sdv_attncorr.core.losses.energy import EnergyLoss
from sdv_attncorr.core.losses.likelihood import LikelihoodLoss
from sdv_attncorr.core.losses.mfs_loss import DEFAULT_LOSS_FEATURES, MetaFeatureLoss
from sdv_attncorr.core.losses.regularizers import ConditionLoss, CorrelationLoss
from sdv_attncorr.core.nets.heads import OutputHead

if TYPE_CHECKING:
    from sdv_attncorr.core.training.config import GANConfig

WeightedRegularizer = tuple[float, Any]


@dataclass(frozen=True)
class RegularizerContext:
    """What a regulariser builder may read.

    Args:
        config (GANConfig):
            The hyperparameters.
        layout (TableLayout):
            Layout of an encoded row.
        head (OutputHead):
            The generator's output head.
        data (torch.Tensor):
            The encoded training table, on the training device, ``[n_rows, width]``.
        view (torch.Tensor):
            The same rows in the view, ``[n_rows, v]``.
        view_index (torch.LongTensor):
            Positions of a row in the view (``view.view_index``), ``[v]``.
        classes (torch.LongTensor):
            Class of each training row (all 0 without a class column), ``[n_rows]``.
        n_classes (int):
            Number of classes (1 without a class column).
        class_view_positions (torch.LongTensor):
            Positions, within the view, of the class column's own span (empty without one).
        batch_size (int):
            Rows per training step (adapted to the table).
        seed (int):
            Seed of the training randomness; a builder offsets it for its own source.
        bin_edges (torch.Tensor or None):
            Interior edges of SDMetrics' equal-width bins of each continuous span, in encoded
            values, ``[n_continuous, bins - 1]`` (None when the caller has none).
    """

    config: GANConfig
    layout: TableLayout
    head: OutputHead
    data: torch.Tensor
    view: torch.Tensor
    view_index: torch.Tensor
    classes: torch.Tensor
    n_classes: int
    class_view_positions: torch.Tensor
    batch_size: int
    seed: int
    bin_edges: torch.Tensor | None = None

    def rng(self, offset: int) -> torch.Generator:
        """Return a fresh random source seeded ``seed + offset`` on the training device."""
        return torch.Generator(self.data.device).manual_seed(self.seed + offset)


def condition_loss(context: RegularizerContext) -> list[WeightedRegularizer]:
    """Build the cross-entropy of each conditioned span against its condition (as CTGAN)."""
    return [(1.0, ConditionLoss(context.head))]


def correlation_loss(context: RegularizerContext) -> list[WeightedRegularizer]:
    """Build the correlation loss: generated rows' Pearson matrix against the table's."""
    weight = context.config.correlation_weight
    return [(weight, CorrelationLoss(context.view, context.view_index))] if weight > 0 else []


def contingency_loss(context: RegularizerContext) -> list[WeightedRegularizer]:
    """Build the contingency loss over the pairs SDMetrics bins (none if the table has none)."""
    weight = context.config.contingency_weight
    if weight <= 0 or not MembershipBlocks(context.layout, context.bin_edges).pair_slices:
        return []

    return [(weight, ContingencyLoss(context.data, context.layout, context.bin_edges))]


def classwise_correlation_loss(context: RegularizerContext) -> list[WeightedRegularizer]:
    """Build the correlation loss within each class of ``class_column``."""
    weight = context.config.classwise_weight
    if weight <= 0 or context.config.class_column is None:
        return []

    loss = ClasswiseCorrelationLoss(
        context.view,
        context.classes,
        context.n_classes,
        context.view_index,
        context.class_view_positions,
    )
    return [(weight, loss)]


def energy_loss(context: RegularizerContext) -> list[WeightedRegularizer]:
    """Build the energy distance between generated and real rows within each class."""
    weight = context.config.energy_weight
    if weight <= 0:
        return []

    columns = torch.ones(len(context.view_index), dtype=torch.bool, device=context.data.device)
    columns[context.class_view_positions] = False
    loss = EnergyLoss(
        context.view, context.classes, context.n_classes, columns.nonzero().flatten(),
        context.rng(2),
    )  # fmt: skip
    return [(weight, loss)]


def likelihood_loss(context: RegularizerContext) -> list[WeightedRegularizer]:
    """Build the teacher-forced likelihood of the discrete spans (a sequential decoder's)."""
    weight, config = context.config.likelihood_weight, context.config
    teaches = weight > 0 and config.decoding != 'joint' and context.layout.discrete_spans
    return [(weight, LikelihoodLoss())] if teaches else []


def mfs_features_for(requested: tuple[str, ...] | None, n_continuous: int) -> tuple[str, ...]:
    """Return the meta-features the MFS loss can use on ``n_continuous`` continuous columns.

    pymfe's statistical group is numeric: with no continuous column the MFS loss is skipped,
    and with one, the pairwise features (cor, cov) are dropped; both with a warning.
    """
    features = tuple(requested) if requested else DEFAULT_LOSS_FEATURES
    if n_continuous == 0:
        warnings.warn(
            'The MFS loss needs numeric columns and the table has none: it is off.', stacklevel=2
        )
        return ()
    if n_continuous == 1 and {'cor', 'cov'} & set(features):
        warnings.warn(
            'cor and cov need 2 numeric columns; the MFS loss leaves them out.', stacklevel=2
        )
        features = tuple(f for f in features if f not in ('cor', 'cov'))

    return features


def mfs_group_shape(config: GANConfig, batch_size: int) -> tuple[int, int] | None:
    """Return ``(K, m)`` for the MFS loss, so that K groups of m rows fit in one batch.

    K is lowered to what fits in the (table-adapted) batch, as documented; m larger than the
    batch is capped at it with a warning; None (no MFS loss, with a warning) when the batch
    cannot hold one group of 2 rows.
    """
    subsample_size = config.mfs_subsample_size
    if subsample_size > batch_size:
        fits = batch_size >= 2
        warnings.warn(
            f'mfs_subsample_size={subsample_size} exceeds the batch of {batch_size} rows: '
            + (f'using groups of {batch_size} rows.' if fits else 'the MFS loss is off.'),
            stacklevel=2,
        )
        if not fits:
            return None
        subsample_size = batch_size

    return max(1, min(config.mfs_subsamples, batch_size // subsample_size)), subsample_size


def meta_feature_loss(context: RegularizerContext) -> list[WeightedRegularizer]:
    """Build the Wasserstein distance between real and generated meta-feature laws."""
    config = context.config
    if config.mfs_weight <= 0:
        return []
    positions = context.layout.continuous_index().to(context.data.device)
    features = mfs_features_for(config.mfs_features, len(positions))
    shape = mfs_group_shape(config, context.batch_size) if features else None
    if shape is None:
        return []

    loss = MetaFeatureLoss(
        context.data[:, positions],
        positions,
        features=features,
        n_subsamples=shape[0],
        subsample_size=shape[1],
        distance=config.mfs_distance,
        interval=config.mfs_interval,
        rng=context.rng(1),
    )
    return [(config.mfs_weight, loss)]


RegularizerBuilder = Callable[[RegularizerContext], list[WeightedRegularizer]]
GENERATOR_REGULARIZERS: dict[str, RegularizerBuilder] = {
    'condition': condition_loss,
    'correlation': correlation_loss,
    'contingency': contingency_loss,
    'classwise_correlation': classwise_correlation_loss,
    'energy': energy_loss,
    'likelihood': likelihood_loss,
    'meta_features': meta_feature_loss,
}
WITHOUT_REAL_ROWS = frozenset({'condition'})
"""The regularisers that read no real row: the only ones kept under differential privacy."""
