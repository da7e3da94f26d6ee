"""The GAN engine: builds the parts from a config and a layout, trains them, samples.

What it builds comes from registries: the generator body from ``nets/registry.py``, the
generator's regularisers from ``losses/registry.py``; the batch from ``training/schedule.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from sdv_attncorr.core.layout import TableLayout
from sdv_attncorr.core.losses.adversarial import ADVERSARIAL_LOSSES, GradientPenalty
from sdv_attncorr.core.losses.registry import (
    GENERATOR_REGULARIZERS,
    WITHOUT_REAL_ROWS,
    RegularizerContext,
    WeightedRegularizer,
)
from sdv_attncorr.core.losses.view import view_index, view_of
from sdv_attncorr.core.nets.critics import PacCritic
from sdv_attncorr.core.nets.generators import generate
from sdv_attncorr.core.nets.heads import OutputHead
from sdv_attncorr.core.nets.registry import GENERATOR_BODIES
from sdv_attncorr.core.privacy.accountant import PrivacyLedger
from sdv_attncorr.core.random import Shard, fresh_seed, seeded_init
from sdv_attncorr.core.sampling import impose_conditions
from sdv_attncorr.core.training.callbacks import NaNGuard, ProgressBar
from sdv_attncorr.core.training.conditions import ConditionSampler
from sdv_attncorr.core.training.config import GANConfig
from sdv_attncorr.core.training.distributed import launched_shard, process_group
from sdv_attncorr.core.training.early_stopping import (
    MIN_SCORED_ROWS,
    REFERENCE_ROWS,
    EarlyStopping,
    score_interval,
)
from sdv_attncorr.core.training.fidelity import FidelityScore
from sdv_attncorr.core.training.history import LossHistory
from sdv_attncorr.core.training.private_critic import PrivateCriticStep, dp_schedule
from sdv_attncorr.core.training.schedule import (
    effective_batch,
    scaled_for_size,
    sharded_batch,
    steps_per_epoch,
)
from sdv_attncorr.core.training.trainer import Trainer

# Rows generated per forward pass when sampling: small enough for the attention's activations
# to stay in cache (benchmarks/speed.py, crop, 1 thread: 20k rows in 10,000-row chunks 48k
# rows/s, in 2,048-row chunks 49k, in 512-row chunks 56k).
SAMPLE_CHUNK_ROWS = 512


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
        ledger (PrivacyLedger or None):
            With ``config.epsilon``: the privacy spent so far (the released statistics); the
            critic's DP-SGD steps add to it (``training/private_critic.py``).
        released_counts (torch.LongTensor or None):
            With ``config.epsilon``: the released category counts of each discrete span
            (``ConditionSampler``'s ``released_counts``).

    Its ``seed`` is ``config.random_state``, or one drawn from fresh entropy when that is None:
    initial weights, the trainer's draws and each loss's own source derive from it. After
    ``fit``, ``best_epoch`` is the epoch whose generator early stopping restored and
    ``stop_reason`` why training ended before ``epochs`` (both None otherwise).
    """

    # Engines pickled before early stopping existed have no instance attributes for these.
    best_epoch: int | None = None
    stop_reason: str | None = None
    # Nor for differential privacy, which engines pickled before it never used.
    private: bool = False
    ledger: PrivacyLedger | None = None
    noise_multiplier: float | None = None
    private_epochs: int = 0
    # Nor for the size rule; 0 rows leaves their hyperparameters as set.
    n_rows: int = 0

    def __init__(
        self,
        config: GANConfig,
        layout: TableLayout,
        categories: torch.Tensor,
        *,
        class_span: int | None = None,
        device: torch.device | str = 'cpu',
        ledger: PrivacyLedger | None = None,
        released_counts: torch.Tensor | None = None,
    ) -> None:
        self.private = config.epsilon is not None
        if self.private and (ledger is None or released_counts is None):
            raise ValueError('Training with epsilon needs a privacy ledger and released counts.')

        self.ledger = ledger
        self.config = config
        self.layout = layout
        self.class_span = class_span
        self.device = torch.device(device)
        widths = [span.width for span in layout.discrete_spans]
        self.conditions = ConditionSampler(
            categories.to(self.device),
            widths,
            # Under DP the critic's real rows are drawn uniformly: conditions at frequency.
            log_frequency=config.log_frequency and not self.private,
            multi_column_share=0.0 if self.private else config.multi_column_conditions,
            released_counts=released_counts,
        )
        self.n_rows = categories.shape[0]
        batch_config = config.replace(pac=1) if self.private else config
        self.batch_size, self.pac = effective_batch(batch_config, self.n_rows)
        self.history = LossHistory()
        self.seed = fresh_seed() if config.random_state is None else config.random_state
        self.generator, self.critic = seeded_init(self.seed, self._build_modules)
        self.head = OutputHead(layout).to(self.device)

    @property
    def training_config(self) -> GANConfig:
        """GANConfig: What the trainer uses: ``config`` after the table-size rule (not under DP).

        See ``schedule.scaled_for_size``: from ``large_table_rows`` rows on, half the epochs at
        twice the learning rates.
        """
        return self.config if self.private else scaled_for_size(self.config, self.n_rows)

    @property
    def epochs(self) -> int:
        """int: The most epochs of training (``training_config``'s; under DP, ``dp_schedule``'s)."""
        return self.private_epochs if self.private else self.training_config.epochs

    def _build_modules(self) -> tuple[nn.Module, PacCritic]:
        d_condition = self.conditions.d_condition
        generator = GENERATOR_BODIES[self.config.generator](self.config, self.layout, d_condition)
        critic = PacCritic(
            d_in=self.layout.width + d_condition,
            hidden_dims=tuple(self.config.discriminator_dim),
            pac=self.pac,
            # Under DP a row's dropout mask would come from the random stream at a position
            # set by the rows drawn before it: one row could change the others' gradients.
            dropout=0.0 if self.private else self.config.discriminator_dropout,
        )
        return generator.to(self.device), critic.to(self.device)

    def _generator_regularizers(
        self, data: torch.Tensor, batch_size: int, bin_edges: torch.Tensor | None
    ) -> list[WeightedRegularizer]:
        index = view_index(self.layout).to(self.device)
        classes, n_classes, own = self._view_classes(len(data), index)
        context = RegularizerContext(
            config=self.config,
            layout=self.layout,
            head=self.head,
            data=data,
            view=view_of(data, index),
            view_index=index,
            classes=classes,
            n_classes=n_classes,
            class_view_positions=own,
            batch_size=batch_size,
            seed=self.seed,
            bin_edges=None if bin_edges is None else bin_edges.to(self.device),
        )
        return [
            pair
            for name, build in GENERATOR_REGULARIZERS.items()
            if not self.private or name in WITHOUT_REAL_ROWS
            for pair in build(context)
        ]

    def _view_classes(
        self, n_rows: int, index: torch.Tensor
    ) -> tuple[torch.Tensor, int, torch.Tensor]:
        """Class of each training row, number of classes, and the class span's view positions.

        Without a class column every row is of one class, and no view position is its own.
        """
        if self.class_span is None:
            empty = torch.zeros(0, dtype=torch.long, device=self.device)
            return torch.zeros(n_rows, dtype=torch.long, device=self.device), 1, empty

        span = self.layout.discrete_spans[self.class_span]
        own = torch.nonzero((index >= span.start) & (index < span.end)).flatten()
        return self.conditions.categories[:, self.class_span], span.width, own

    def fit(
        self,
        data: torch.Tensor,
        callbacks: Sequence[Any] = (),
        bin_edges: torch.Tensor | None = None,
    ) -> None:
        """Train on the encoded table ``data`` (float32 tensor ``[n_rows, width]``).

        Args:
            data (torch.Tensor):
                The encoded table.
            callbacks (list):
                Extra trainer callbacks (e.g. an experiment tracker).
            bin_edges (torch.Tensor or None):
                The validation score's bins of the continuous spans (``FidelityScore``'s
                ``edges``); None cuts at deciles.
        """
        shard = launched_shard()
        if self.private and shard.is_distributed:
            raise RuntimeError(
                'Training with epsilon (differential privacy) runs in one process: DP-SGD '
                'under torchrun is not supported. Run the fit without torchrun / --nproc.'
            )
        with process_group(shard, self.device):
            self._train(data.to(self.device), callbacks, bin_edges, shard)

    def _train(
        self,
        data: torch.Tensor,
        callbacks: Sequence[Any],
        bin_edges: torch.Tensor | None,
        shard: Shard,
    ) -> None:
        batch_size = sharded_batch(self.batch_size, self.pac, shard.world)
        # Under DP the validation score (it reads real rows) is off.
        early_stopping = None if self.private else self._early_stopping(data, bin_edges, batch_size)
        adversarial = 'bce' if self.private else self.config.adversarial_loss
        trainer = Trainer(
            generator=self.generator,
            head=self.head,
            critic=self.critic,
            adversarial=ADVERSARIAL_LOSSES[adversarial],
            conditions=self.conditions,
            data=data,
            rng=torch.Generator(self.device).manual_seed(self.seed),
            config=self.training_config,
            batch_size=batch_size,
            class_positions=self._class_positions(),
            generator_regularizers=self._generator_regularizers(data, batch_size, bin_edges),
            critic_regularizers=self._critic_regularizers(),
            # The score joins an epoch's record before the history stores it; extra callbacks
            # (trackers) see an epoch before the NaN guard stops on it.
            callbacks=[
                *([early_stopping] if early_stopping else []),
                self.history,
                *callbacks,
                NaNGuard(),
                ProgressBar(self.config.verbose and shard.rank == 0),
            ],
            shard=shard,
            private_critic=self._private_critic(len(data)) if self.private else None,
        )
        trainer.fit(self.epochs, self.config.max_training_seconds)
        self.stop_reason = trainer.stop_reason
        self.best_epoch = early_stopping.best_epoch if early_stopping else None

    def _private_critic(self, n_rows: int) -> PrivateCriticStep:
        """Build the DP-SGD critic step and set the epochs it trains (``dp_schedule``).

        With ``dp_noise_multiplier`` given, training runs ``dp_epochs`` or until the budget
        is spent; without, the noise is the smallest that spends ``epsilon`` at the last step.
        """
        config, ledger = self.config, self.ledger
        assert config.epsilon is not None and ledger is not None  # noqa: S101 (set when private)
        per_epoch = steps_per_epoch(n_rows, self.batch_size) * config.discriminator_steps
        rate = min(1.0, self.batch_size / n_rows)
        self.private_epochs, self.noise_multiplier = config.dp_epochs, config.dp_noise_multiplier
        if self.noise_multiplier is None:
            self.private_epochs, self.noise_multiplier = dp_schedule(
                config.epsilon,
                ledger.delta,
                rate=rate,
                steps_per_epoch=per_epoch,
                batch_size=self.batch_size,
                most_epochs=config.dp_epochs,
                gradient_noise=config.dp_gradient_noise,
                spent_rdp=ledger.rdp,
            )
        return PrivateCriticStep(
            self.critic,
            ledger,
            epsilon=config.epsilon,
            n_rows=n_rows,
            batch_size=self.batch_size,
            noise_multiplier=self.noise_multiplier,
            max_norm=config.dp_max_grad_norm,
        )

    def _critic_regularizers(self) -> list[tuple[float, Any]]:
        if self.private or self.config.adversarial_loss != 'wgan-gp':
            return []

        return [(self.config.gradient_penalty_weight, GradientPenalty(pac=self.pac))]

    def _early_stopping(
        self, data: torch.Tensor, bin_edges: torch.Tensor | None, batch_size: int
    ) -> EarlyStopping | None:
        """Build the validation score's callback (None when ``early_stopping`` is off)."""
        if not self.config.early_stopping:
            return None

        n_rows = len(data)
        rng = torch.Generator(self.device).manual_seed(self.seed)
        reference = torch.randperm(n_rows, generator=rng, device=self.device)[:REFERENCE_ROWS]
        return EarlyStopping(
            FidelityScore(self.layout, data[reference], bin_edges),
            lambda n, draws: self.sample(n, rng=draws),
            n_rows=min(max(n_rows, MIN_SCORED_ROWS), REFERENCE_ROWS),
            seed=self.seed,
            interval=score_interval(steps_per_epoch(n_rows, batch_size)),
            patience=self.config.patience,
        )

    def _class_positions(self) -> tuple[int, int] | None:
        if self.class_span is None:
            return None

        span = self.layout.discrete_spans[self.class_span]
        return span.start, span.end

    @torch.no_grad()
    def sample(
        self, n: int, condition: torch.Tensor | None = None, rng: torch.Generator | None = None
    ) -> torch.Tensor:
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
            spans, categories = self.conditions.proportional_draw(n, rng)
        chunks = []
        for start in range(0, n, SAMPLE_CHUNK_ROWS):
            size = min(SAMPLE_CHUNK_ROWS, n - start)
            if condition is None:
                part = slice(start, start + size)
                conditions = self.conditions.condition_vectors(spans[part], categories[part])
            else:
                conditions = condition.to(self.device).expand(size, -1)
            chunks.append(self._generate_rows(conditions, rng))

        return torch.cat(chunks) if chunks else torch.zeros(0, self.layout.width)

    def _generate_rows(self, conditions: torch.Tensor, rng: torch.Generator | None) -> torch.Tensor:
        noise = torch.randn(
            len(conditions), self.config.embedding_dim, generator=rng, device=self.device
        )
        _, generated = generate(self.generator, self.head, noise, conditions, rng=rng, hard=True)
        return impose_conditions(generated, conditions, self.layout).cpu()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle what sampling needs: the critic (a training-only network) stays behind."""
        return {**vars(self), 'critic': None}

    def to(self, device: torch.device | str) -> GANEngine:
        """Move the engine's modules and tensors to ``device`` and return self."""
        self.device = torch.device(device)
        self.generator.to(self.device)
        if self.critic is not None:
            self.critic.to(self.device)
        self.head.to(self.device)
        self.conditions.to(self.device)
        return self
