"""The GAN engine: builds the parts from a config and a layout, trains them, samples."""

import warnings

import torch

from sdv_attncorr.core.losses.adversarial import ADVERSARIAL_LOSSES, GradientPenalty
from sdv_attncorr.core.losses.classwise import ClasswiseCorrelationLoss
from sdv_attncorr.core.losses.energy import EnergyLoss
from sdv_attncorr.core.losses.mfs_loss import DEFAULT_LOSS_FEATURES, MetaFeatureLoss
from sdv_attncorr.core.losses.regularizers import ConditionLoss, CorrelationLoss
from sdv_attncorr.core.losses.view import view_index
from sdv_attncorr.core.nets.critics import PacCritic
from sdv_attncorr.core.nets.generators import AttentionGenerator, MLPGenerator
from sdv_attncorr.core.nets.heads import OutputHead
from sdv_attncorr.core.random import seeded_init
from sdv_attncorr.core.training.callbacks import NaNGuard, ProgressBar
from sdv_attncorr.core.training.conditions import ConditionSampler
from sdv_attncorr.core.training.history import LossHistory
from sdv_attncorr.core.training.trainer import Trainer

TRAINING_SEED = 0


MIN_ADAPTED_BATCH = 50
# Rows generated per forward pass when sampling: small enough for the attention's activations
# to stay in cache (benchmarks/speed.py, crop, 1 thread: 20k rows in 10,000-row chunks 48k
# rows/s, in 2,048-row chunks 49k, in 512-row chunks 56k).
SAMPLE_CHUNK_ROWS = 512


def effective_batch(config, n_rows):
    """Return ``(batch_size, pac)`` adapted to a table of ``n_rows`` rows.

    Quality follows optimizer steps, not epochs: the batch shrinks (down to 50 rows) so that an
    epoch has at least ``min_steps_per_epoch`` steps, is never larger than the table, and stays
    a multiple of ``pac``; a table smaller than one pack is trained with packs of one row.
    """
    pac = config.pac if n_rows >= config.pac else 1
    per_step = max(MIN_ADAPTED_BATCH, n_rows // config.min_steps_per_epoch)
    batch_size = min(config.batch_size, per_step, n_rows)
    return max(pac, batch_size // pac * pac), pac


def mfs_features_for(requested, n_continuous):
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


def mfs_group_shape(config, batch_size):
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


def build_generator(config, layout, d_condition):
    """Build the generator body named by ``config.generator``."""
    if config.generator == 'attention':
        return AttentionGenerator(
            d_noise=config.embedding_dim,
            d_condition=d_condition,
            layout=layout,
            d_token=config.attention_dim,
            n_heads=config.attention_heads,
            n_blocks=config.attention_blocks,
        )

    return MLPGenerator(
        d_noise=config.embedding_dim,
        d_condition=d_condition,
        layout=layout,
        hidden_dims=tuple(config.generator_dim),
    )


class GANEngine:
    """A conditional tabular GAN on an encoded table.

    Args:
        config (GANConfig):
            The hyperparameters.
        layout (TableLayout):
            Layout of an encoded row.
        categories (torch.LongTensor):
            Category of each training row in each discrete span, ``[n_rows, n_discrete]``.
        class_span (int or None):
            Index, among the discrete spans, of the class column (for the class-wise loss).
        device (torch.device):
            Where to train.
    """

    def __init__(self, config, layout, categories, *, class_span=None, device='cpu'):
        self.config = config
        self.layout = layout
        self.class_span = class_span
        self.device = torch.device(device)
        widths = [span.width for span in layout.discrete_spans]
        self.conditions = ConditionSampler(
            categories.to(self.device), widths, log_frequency=config.log_frequency
        )
        self.batch_size, self.pac = effective_batch(config, categories.shape[0])
        self.history = LossHistory()
        self.generator, self.critic = seeded_init(TRAINING_SEED, self._build_modules)
        self.head = OutputHead(layout).to(self.device)

    def _build_modules(self):
        d_condition = self.conditions.d_condition
        generator = build_generator(self.config, self.layout, d_condition)
        critic = PacCritic(
            d_in=self.layout.width + d_condition,
            hidden_dims=tuple(self.config.critic_dim),
            pac=self.pac,
            dropout=self.config.critic_dropout,
        )
        return generator.to(self.device), critic.to(self.device)

    def _generator_regularizers(self, data):
        regularizers = [(1.0, ConditionLoss(self.head))]
        index = view_index(self.layout).to(self.device)
        view = data[:, index]
        if self.config.correlation_weight > 0:
            regularizers.append((self.config.correlation_weight, CorrelationLoss(view, index)))
        classes, n_classes, own = self._view_classes(len(view), index)
        if self.config.classwise_weight > 0 and self.class_span is not None:
            loss = ClasswiseCorrelationLoss(view, classes, n_classes, index, own)
            regularizers.append((self.config.classwise_weight, loss))
        if self.config.energy_weight > 0:
            columns = torch.ones(len(index), dtype=torch.bool, device=self.device)
            columns[own] = False
            rng = torch.Generator(self.device).manual_seed(TRAINING_SEED + 2)
            loss = EnergyLoss(view, classes, n_classes, columns.nonzero().flatten(), rng)
            regularizers.append((self.config.energy_weight, loss))
        if self.config.mfs_weight > 0:
            regularizers.extend(self._meta_feature_loss(data))

        return regularizers

    def _view_classes(self, n_rows, index):
        """Class of each training row, number of classes, and the class span's view positions.

        Without a class column every row is of one class, and no view position is its own.
        """
        if self.class_span is None:
            empty = torch.zeros(0, dtype=torch.long, device=self.device)
            return torch.zeros(n_rows, dtype=torch.long, device=self.device), 1, empty

        span = self.layout.discrete_spans[self.class_span]
        own = torch.nonzero((index >= span.start) & (index < span.end)).flatten()
        return self.conditions.categories[:, self.class_span], span.width, own

    def _meta_feature_loss(self, data):
        positions = self.layout.continuous_index().to(self.device)
        features = mfs_features_for(self.config.mfs_features, len(positions))
        if not features:
            return []

        shape = mfs_group_shape(self.config, self.batch_size)
        if shape is None:
            return []

        n_subsamples, subsample_size = shape
        loss = MetaFeatureLoss(
            data[:, positions],
            positions,
            features=features,
            n_subsamples=n_subsamples,
            subsample_size=subsample_size,
            distance=self.config.mfs_distance,
            interval=self.config.mfs_interval,
            rng=torch.Generator(self.device).manual_seed(TRAINING_SEED + 1),
        )
        return [(self.config.mfs_weight, loss)]

    def fit(self, data, callbacks=()):
        """Train on the encoded table ``data`` (float32 tensor ``[n_rows, width]``).

        Args:
            data (torch.Tensor):
                The encoded table.
            callbacks (list):
                Extra trainer callbacks (e.g. an experiment tracker).
        """
        data = data.to(self.device)
        adversarial = ADVERSARIAL_LOSSES[self.config.adversarial_loss]
        critic_regularizers = []
        if self.config.adversarial_loss == 'wgan-gp':
            penalty = GradientPenalty(pac=self.pac)
            critic_regularizers.append((self.config.gradient_penalty_weight, penalty))

        trainer = Trainer(
            generator=self.generator,
            head=self.head,
            critic=self.critic,
            adversarial=adversarial,
            conditions=self.conditions,
            data=data,
            rng=torch.Generator(self.device).manual_seed(TRAINING_SEED),
            settings=self._settings(),
            generator_regularizers=self._generator_regularizers(data),
            critic_regularizers=critic_regularizers,
            # Extra callbacks (trackers) see an epoch before the NaN guard stops on it.
            callbacks=[self.history, *callbacks, NaNGuard(), ProgressBar(self.config.verbose)],
        )
        trainer.fit(self.config.epochs)

    def _settings(self):
        config = self.config
        return {
            'batch_size': self.batch_size,
            'critic_steps': config.critic_steps,
            'd_noise': config.embedding_dim,
            'class_positions': self._class_positions(),
            'generator_lr': config.generator_lr,
            'generator_decay': config.generator_decay,
            'critic_lr': config.critic_lr,
            'critic_decay': config.critic_decay,
        }

    def _class_positions(self):
        if self.class_span is None:
            return None

        span = self.layout.discrete_spans[self.class_span]
        return span.start, span.end

    @torch.no_grad()
    def sample(self, n, condition=None, rng=None):
        """Generate ``n`` rows with one-hot discrete spans.

        Args:
            n (int):
                Number of rows.
            condition (torch.Tensor or None):
                A condition vector ``[d_condition]`` for every row; when None, conditions
                follow the data's own category counts (``ConditionSampler.proportional_draw``).
            rng (torch.Generator or None):
                Source of randomness.

        Returns:
            torch.Tensor:
                Shape ``[n, width]``, on the CPU. Each row's conditioned span holds its
                condition's category.
        """
        self.generator.eval()
        if condition is None:
            rows, spans = self.conditions.proportional_draw(n, rng)
        chunks = []
        for start in range(0, n, SAMPLE_CHUNK_ROWS):
            size = min(SAMPLE_CHUNK_ROWS, n - start)
            if condition is None:
                part = slice(start, start + size)
                conditions = self.conditions.conditions_of(rows[part], spans[part])
            else:
                conditions = condition.to(self.device).expand(size, -1)
            chunks.append(self._generate_rows(conditions, rng))

        return torch.cat(chunks) if chunks else torch.zeros(0, self.layout.width)

    def _generate_rows(self, conditions, rng):
        noise = torch.randn(
            len(conditions), self.config.embedding_dim, generator=rng, device=self.device
        )
        generated = self.head(self.generator(noise, conditions), rng=rng, hard=True)
        return self.conditions.imposed(generated, conditions, self.layout).cpu()

    def to(self, device):
        """Move the engine's modules and tensors to ``device`` and return self."""
        self.device = torch.device(device)
        self.generator.to(self.device)
        self.critic.to(self.device)
        self.head.to(self.device)
        self.conditions.to(self.device)
        return self
