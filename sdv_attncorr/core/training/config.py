"""The hyperparameters: one declaration each, in one table.

``GANConfig`` is a frozen dataclass; each field declares its name, type, default, check
(bounds or choices) and one line of doc. Everything else derives from it: the synthesizers'
``__init__`` signatures and their presets (``synthesizers/signature.py``), validation
(``GANConfig(...)`` refuses a bad value), the docstrings' Args sections, the CLI's ``--param``
help, and the engine, which reads the config itself. A preset (a synthesizer class) states
only the defaults it changes.

Why a dataclass: it is in the standard library, frozen and typed (an editor and mypy see every
field), and field metadata holds the doc and the check; attrs or pydantic would add a
dependency for validators we need a dozen lines for.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sdv_attncorr.core.losses.adversarial import ADVERSARIAL_LOSSES
from sdv_attncorr.core.losses.metafeatures import META_FEATURES
from sdv_attncorr.core.losses.wasserstein import WASSERSTEIN_METHODS
from sdv_attncorr.core.nets.decoding import DECODINGS
from sdv_attncorr.core.nets.registry import GENERATOR_BODIES
from sdv_attncorr.core.training import checks

_NO_LEGACY = object()


class HyperparameterError(ValueError):
    """A hyperparameter value is out of its type, bounds or choices."""


def hyperparameter(
    default: Any,
    doc: str,
    check: Any = None,
    *,
    legacy: Any = _NO_LEGACY,
    renamed_from: str | None = None,
) -> Any:
    """Declare a field of the table.

    Args:
        default (object):
            The default of the base engine (a preset may change it).
        doc (str):
            What it does, for the docstrings and the CLI help (reStructuredText).
        check (checks.Check or None):
            What a valid value is; None accepts anything.
        legacy (object):
            The value a synthesizer pickled before this field existed was trained with.
        renamed_from (str or None):
            The field's name in files saved before it was renamed.
    """
    metadata = {'doc': doc, 'check': check, 'legacy': legacy, 'renamed_from': renamed_from}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class GANConfig:
    """Every hyperparameter of the sdv-attncorr synthesizers (see each field's doc)."""

    epochs: int = hyperparameter(
        300,
        'Most training epochs (an upper bound: with ``early_stopping`` training ends sooner on '
        'a plateau, and from ``large_table_rows`` rows on half as many are trained); an epoch '
        'is ``n_rows // batch_size`` generator steps. Under DP (``epsilon``), ``dp_epochs`` '
        'instead.',
        checks.integer(1),
    )
    batch_size: int = hyperparameter(
        500, 'Largest number of rows per training step, a multiple of ``pac``.', checks.integer(1)
    )
    min_steps_per_epoch: int = hyperparameter(
        10,
        'Quality follows optimizer steps, so smaller tables train on smaller batches: the batch '
        'is ``min(batch_size, max(50, n_rows // min_steps_per_epoch))`` rounded down to ``pac`` '
        '(never more rows than the table). With the defaults, a table of 5,000 rows or fewer '
        "gets about 3,000 steps in 300 epochs. Set 1 for CTGAN's schedule.",
        checks.integer(1),
    )
    generator: str = hyperparameter(
        'attention',
        "Generator body: ``'attention'`` (columns as tokens with multi-head self-attention "
        "across them) or ``'mlp'`` (residual MLP); ``core/nets/registry.py`` lists them.",
        checks.OneOf(GENERATOR_BODIES),
    )
    embedding_dim: int = hyperparameter(128, 'Width of the noise vector.', checks.integer(1))
    generator_dim: tuple[int, ...] = hyperparameter(
        (256, 256), "Widths of the residual blocks of the ``'mlp'`` generator.", checks.widths()
    )
    attention_dim: int = hyperparameter(
        32,
        "Width of a column token of the ``'attention'`` generator (with a sequential "
        "``decoding``, also of each column's context and of the drawn values' embeddings).",
        checks.integer(1),
    )
    attention_heads: int = hyperparameter(
        2, 'Attention heads; must divide ``attention_dim``.', checks.integer(1)
    )
    attention_blocks: int = hyperparameter(
        2, "Transformer blocks of the ``'attention'`` generator.", checks.integer(1)
    )
    discriminator_dim: tuple[int, ...] = hyperparameter(
        (256, 256),
        "Widths of the discriminator's (critic's) hidden layers.",
        checks.widths(),
        renamed_from='critic_dim',
    )
    discriminator_dropout: float = hyperparameter(
        0.5,
        'Dropout after each hidden layer of the discriminator.',
        checks.number(below=1),
        renamed_from='critic_dropout',
    )
    generator_lr: float = hyperparameter(
        2e-4, 'Adam learning rate of the generator.', checks.number(positive=True)
    )
    generator_decay: float = hyperparameter(
        1e-6, 'Adam weight decay of the generator.', checks.number()
    )
    discriminator_lr: float = hyperparameter(
        2e-4,
        'Adam learning rate of the discriminator.',
        checks.number(positive=True),
        renamed_from='critic_lr',
    )
    discriminator_decay: float = hyperparameter(
        1e-6,
        'Adam weight decay of the discriminator.',
        checks.number(),
        renamed_from='critic_decay',
    )
    discriminator_steps: int = hyperparameter(
        1,
        'Discriminator updates per generator update.',
        checks.integer(1),
        renamed_from='critic_steps',
    )
    pac: int = hyperparameter(10, 'Rows the critic scores together (PacGAN).', checks.integer(1))
    adversarial_loss: str = hyperparameter(
        'wgan-gp',
        "``'wgan-gp'`` (Wasserstein with gradient penalty) or ``'bce'`` (non-saturating).",
        checks.OneOf(ADVERSARIAL_LOSSES),
    )
    gradient_penalty_weight: float = hyperparameter(
        10.0, "Weight of the gradient penalty (``'wgan-gp'`` only).", checks.number()
    )
    log_frequency: bool = hyperparameter(
        True,
        'Draw training conditions at the log-frequency of each category (as CTGAN).',
        checks.BOOLEAN,
    )
    shared_batch: bool = hyperparameter(
        True,
        "The critic's last update of a step scores the rows that the generator step then "
        'trains through (as DCGAN trains), against real rows holding the same conditions, '
        'instead of rows generated for it alone: a step runs the generator once, not twice '
        '(ames_housing 101 -> 82 ms a step, lending_club 58 -> 49). Over 3 splits of eight '
        'tables quality moved by -0.007 to +0.005. Off under DP, where DP-SGD draws the '
        "critic's rows; False generates the critic's rows apart, as CTGAN.",
        checks.BOOLEAN,
        legacy=False,
    )
    multi_column_conditions: float = hyperparameter(
        0.5,
        'Share of training rows conditioned on several discrete columns at once (the drawn one '
        'and each other with probability 1/2), so that conditions on several columns in '
        '``sample_from_conditions`` are ones the generator has learned; 0 conditions each row '
        'on one column, as CTGAN.',
        checks.SHARE,
        legacy=0.0,
    )
    correlation_weight: float = hyperparameter(
        0.0, 'Weight of the correlation loss (0 turns it off).', checks.number()
    )
    class_column: str | None = hyperparameter(
        None, 'Discrete column whose classes the class-wise losses compare.', checks.OPTIONAL_NAME
    )
    classwise_weight: float = hyperparameter(
        0.0,
        'Weight of the class-wise correlation loss (needs ``class_column``; 0 turns it off).',
        checks.number(),
    )
    energy_weight: float = hyperparameter(
        0.0,
        'Weight of the energy loss: the energy distance between generated and real rows within '
        'each class of ``class_column`` (over the whole table without one); it matches whole '
        'class-conditional distributions, not only their correlations (0 turns it off).',
        checks.number(),
        legacy=0.0,
    )
    mfs_weight: float = hyperparameter(
        0.0,
        'Weight of the meta-feature-statistics loss (0 turns it off and skips its cost).',
        checks.number(),
    )
    mfs_features: tuple[str, ...] | None = hyperparameter(
        None,
        "Meta-features of the MFS loss (pymfe's statistical group, computed on the numeric "
        'columns), from ``sdv_attncorr.core.losses.metafeatures.META_FEATURES``; None for all '
        'but ``cor`` and ``cov``, which pymfe defines as absolute values (blind to the sign of '
        'a correlation, they let the generator flip it).',
        checks.NamesFrom(META_FEATURES),
    )
    mfs_subsamples: int = hyperparameter(
        10,
        'K, the most groups of rows compared per step on each side; lowered to what fits in '
        'the (table-adapted) batch: ``min(K, batch // m)``.',
        checks.integer(1),
    )
    mfs_subsample_size: int = hyperparameter(
        50,
        'm, the rows per group (equal for real and generated groups); capped at the batch, '
        'with a warning.',
        checks.integer(2),
    )
    mfs_distance: str = hyperparameter(
        'auto',
        "Wasserstein distance between the K meta-feature vectors of each side: ``'exact'`` "
        "(optimal transport), ``'sliced'``, ``'per_component'`` (1-D per component) or "
        "``'auto'`` (exact up to 64 groups on the CPU, per-component on a GPU).",
        checks.OneOf(WASSERSTEIN_METHODS),
    )
    mfs_interval: int = hyperparameter(
        4,
        'Compute the MFS loss every ``mfs_interval``-th generator step only, with its weight '
        "multiplied by as much (lazy regularisation, as StyleGAN2's): the same expected "
        'gradient at a fraction of the cost. 1 computes it at every step.',
        checks.integer(1),
        legacy=1,
    )
    enable_gpu: bool = hyperparameter(True, 'Train on a GPU when one is available.', checks.BOOLEAN)
    verbose: bool = hyperparameter(False, 'Show a progress bar with the losses.', checks.BOOLEAN)
    aim_repo: str | None = hyperparameter(
        None,
        'An Aim repository folder to log each fit to (hyperparameters; per epoch every loss, '
        "the generator's and critic's gradient norms and each meta-feature's MFS distance); "
        "the run's hash is left in ``aim_run_hash``. Needs ``pip install 'sdv-attncorr[aim]'``.",
        checks.OPTIONAL_PATH,
        legacy=None,
    )
    random_state: int | None = hyperparameter(
        None,
        "Seed of training: initial weights, training draws and every loss's draws. None draws "
        'fresh entropy for each fit (two fits differ, as an ensemble wants); an int makes fits '
        'of the same data on the same machine identical. Sampling has its own state, '
        "``reset_sampling()`` / SDV's fixed seed.",
        checks.OPTIONAL_SEED,
        legacy=0,
    )
    early_stopping: bool = hyperparameter(
        True,
        'Score the generator every 50 generator steps (at least every epoch) with a stand-in '
        "for SDMetrics' quality (``core/training/fidelity.py``: column shapes and pair trends "
        'of 1,000 to 5,000 generated rows against up to 5,000 training rows), keep the best '
        'generator, restore it at the end, and stop after ``patience`` scores without a new '
        "best. The score is the ``'Validation Score'`` column of ``get_loss_values()``. False "
        'trains every epoch and keeps the last generator, as CTGAN.',
        checks.BOOLEAN,
        legacy=False,
    )
    patience: int = hyperparameter(
        20,
        'Scores in a row without a new best after which ``early_stopping`` ends training (20 '
        'scores are 1,000 generator steps: long enough to cross the plateaus a GAN sits on; '
        'with 3 to 5, crop stopped at epoch 34-44 at quality 0.70 instead of 0.86, and with '
        '10, lending_club at epoch 104 at 0.910 instead of 0.930).',
        checks.integer(1),
    )
    max_training_seconds: float | None = hyperparameter(
        None,
        'Time budget of a fit, in seconds of training (preprocessing not counted): training '
        'ends after the generator step that spends it (keeping the best generator with '
        "``early_stopping``). None, the default, has no budget: a budget makes a fit's result "
        "depend on the machine's speed.",
        checks.OPTIONAL_SECONDS,
        legacy=None,
    )
    epsilon: float | None = hyperparameter(
        None,
        'Differential privacy: train with an (epsilon, delta) guarantee on the training rows '
        '(each row, added or removed, changes what the model shows by at most that). None, '
        'the default, trains without. What spends it, and what it changes (no early '
        'stopping, no losses that read real rows, a critic of one row per pack without '
        "dropout and with the non-saturating loss, Poisson-sampled rows, SDV's "
        '``enforce_min_max_values`` and ``enforce_rounding`` off): README "Differential '
        'privacy"; ``privacy_spent()`` gives '
        'the breakdown.',
        checks.OPTIONAL_POSITIVE,
        legacy=None,
    )
    delta: float | None = hyperparameter(
        None,
        'The delta of the DP guarantee; None takes ``min(1e-5, 1 / (10 · rows))``, below '
        '1/rows as a guarantee needs. Only read with ``epsilon``.',
        checks.OPTIONAL_PROBABILITY,
        legacy=None,
    )
    dp_max_grad_norm: float = hyperparameter(
        1.0,
        "DP-SGD's clipping norm: each training row's gradient of the critic is clipped to it.",
        checks.number(positive=True),
        legacy=1.0,
    )
    dp_noise_multiplier: float | None = hyperparameter(
        None,
        "DP-SGD's noise std per unit of clipping norm. None sets the smallest that spends "
        '``epsilon`` exactly at the last step of ``dp_epochs``; with a value, training stops '
        'when the budget is spent (or at ``dp_epochs``).',
        checks.OPTIONAL_POSITIVE,
        legacy=None,
    )
    dp_epochs: int = hyperparameter(
        300,
        'Most epochs under DP, in place of ``epochs``. With ``dp_noise_multiplier`` None, '
        'training runs the most epochs up to it whose calibrated noise keeps the noise on the '
        "critic's mean gradient at ``dp_gradient_noise`` or below (more steps need more noise "
        'per step for the same budget), and spends ``epsilon`` at its last step.',
        checks.integer(1),
        legacy=300,
    )
    dp_gradient_noise: float = hyperparameter(
        0.025,
        "Largest noise std on the critic's mean gradient under DP (``noise multiplier / "
        'batch``, per unit of clipping norm) that sets the epochs (``dp_epochs``). Crop and '
        'credit_data at epsilon 3 were best near it (crop: 30 epochs; credit: 100).',
        checks.number(positive=True),
        legacy=0.025,
    )
    dp_statistics_share: float = hyperparameter(
        0.1,
        'Share of the DP budget (of its zCDP rho, which adds up over parts as epsilon does '
        'not) spent on the statistics the encoder and sampler learn (histograms of numeric '
        'columns, category counts); the rest trains the critic.',
        checks.OPEN_SHARE,
        legacy=0.1,
    )
    dp_declared: dict | None = hyperparameter(
        None,
        'Public knowledge under DP (not protected, costs no budget): ``{column: [categories]}`` '
        'for discrete columns, ``{column: (low, high)}`` for numeric ones (32 equal bins between '
        'the bounds instead of a partition of the reals). Undeclared categories are released '
        'only when frequent enough (a noisy count above a threshold), so rare ones are lost.',
        checks.DECLARED,
        legacy=None,
    )
    contingency_weight: float = hyperparameter(
        0.0,
        'Weight of the contingency loss: the total variation distance between generated and '
        'real joint frequencies of each pair holding a discrete column, numbers cut into '
        "SDMetrics' equal-width bins (``ContingencySimilarity``), pairs weighted by their real "
        "Cramér's V (0 turns it off).",
        checks.number(),
        legacy=0.0,
    )
    large_table_rows: int | None = hyperparameter(
        None,
        'Tables of at least this many training rows train half of ``epochs`` at twice '
        '``generator_lr`` and ``discriminator_lr``: half the steps, for about the same quality '
        'there (the smallest tables lose quality so); None trains every table as set.',
        checks.OPTIONAL_ROWS,
        legacy=None,
    )
    decoding: str = hyperparameter(
        'joint',
        "How the generator draws a row's columns: ``'joint'`` (all at once), ``'sequential'`` "
        '(one after another in a fixed order, each given the values drawn before it: '
        "categories first, most values first, then numbers) or ``'any_order'`` (the same, in "
        'a random order per batch); see ``core/nets/decoding.py``.',
        checks.OneOf(DECODINGS),
        legacy='joint',
    )
    likelihood_weight: float = hyperparameter(
        0.0,
        "Weight of the likelihood loss (a sequential ``decoding`` only; with ``'joint'`` there "
        "is no decoder to teach and it is off): each real row's "
        'negative log-likelihood of its categories, each column given the real values decoded '
        "before it (teacher forcing through the batch's own contexts, as an autoregressive "
        'model such as TabularARGN trains), so the heads learn conditional frequencies that '
        "the critic's soft samples hardly teach: on ames_housing, sampled Somerset houses "
        'were Floating Village at 10 % without it and at 60 % with it (the data: 80 %). 0 '
        'turns it off.',
        checks.number(),
        legacy=0.0,
    )
    decoder_lr_multiplier: float = hyperparameter(
        1.0,
        "Learning rate of a sequential ``decoding``'s heads and value embeddings, as a "
        'multiple of ``generator_lr``, when ``likelihood_weight`` is on (not under DP, where '
        'it is off): what the likelihood loss teaches them, a GAN learning '
        "rate learns slowly (ames_housing: the head's probability of Floating Village for a "
        "real Somerset house, 35 % at 1 and 54 % at 4, the data's 80 %).",
        checks.number(positive=True),
        legacy=1.0,
    )

    marginal_calibration: bool = hyperparameter(
        True,
        "After training, learn each numeric column's distribution of generated scores (from "
        'ten generated rows per training row, 1,000 to 20,000, drawn with the training seed) '
        "and sample through it: a generated number keeps its rank among the generator's "
        "values and takes the training data's quantile at that rank. Numbers then follow the "
        "training marginals exactly (GaussianCopula's marginals), while how they vary "
        'together and with the categories stays what the generator learned. Not counted in '
        '``max_training_seconds``; under DP it reads only generated rows and the released '
        'grids. False samples the generator as it is.',
        checks.BOOLEAN,
        legacy=False,
    )

    within_class_calibration: bool = hyperparameter(
        True,
        'With ``class_column`` and ``marginal_calibration``, calibrate each number within each '
        'class of ``class_column`` too: a generated number keeps its rank among the '
        "generator's values of its class and takes that class's training quantile at that "
        'rank, so every class keeps its own spread (diamonds: each cut its depth and table). '
        'Classes of fewer than 200 training rows keep the whole-table calibration. Not under '
        'DP, where no real row is read after training. False calibrates over the whole table.',
        checks.BOOLEAN,
        legacy=False,
    )

    stratified_numbers: bool = hyperparameter(
        True,
        'With ``marginal_calibration``, draw the numbers of a sample that has no condition on a '
        'discrete column stratified, a Latin hypercube over their calibrated ranks: in a batch '
        "of n rows, a column's k-th smallest generated value takes the training quantile at a "
        'uniform point of the k-th of n equal slices of probability (within each class of the '
        'within-class calibration, its own slices). Each batch then follows the training '
        'marginals without the noise of independent draws, as its categories follow their '
        'counts, and rows keep their ranks; numbers within a batch are not independent draws, '
        "and a batch holds the training rows' outliers at their own share (ames_housing's two "
        'basements above 5,000 square feet came back as two rows above 3,500). False maps each '
        'number at its own calibrated rank.',
        checks.BOOLEAN,
        legacy=False,
    )

    value_protection: int = hyperparameter(
        5,
        "Extreme-value protection (as TabularARGN's): a number is generated between its "
        "column's k-th smallest and k-th largest training values, so an extreme that fewer "
        'than k rows reach (a lone outlier, the largest salary) is never reproduced, nor '
        'values beyond it. k is one per 1,000 observed values, up to this number: at most '
        '0.1 % of a column is moved, and a table of fewer than 2,000 rows keeps its whole '
        'range. 1 keeps every range (generated numbers may reach the training minimum and '
        'maximum exactly). Not under DP, whose grids are released histograms.',
        checks.integer(1),
        legacy=1,
    )

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            check = item.metadata['check']
            message = check and check.error(item.name, getattr(self, item.name))
            if message:
                raise HyperparameterError(message)

        self._check_together()

    def _check_together(self) -> None:
        if self.batch_size % self.pac:
            suggestion = self.batch_size // self.pac * self.pac or self.pac
            raise HyperparameterError(
                f'batch_size must be a multiple of pac, got batch_size={self.batch_size} and '
                f'pac={self.pac}: use e.g. batch_size={suggestion}.'
            )
        if self.attention_dim % self.attention_heads:
            raise HyperparameterError(
                f'attention_dim must be a multiple of attention_heads, got '
                f'attention_dim={self.attention_dim}, attention_heads={self.attention_heads}.'
            )

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """tuple[str]: The names of the hyperparameters, in signature order."""
        return tuple(item.name for item in dataclasses.fields(cls))

    @classmethod
    def legacy_values(cls) -> dict[str, Any]:
        """Return the value each field added after the first saved files had in those files."""
        return {
            item.name: item.metadata['legacy']
            for item in dataclasses.fields(cls)
            if item.metadata['legacy'] is not _NO_LEGACY
        }

    @classmethod
    def upgraded(cls, state: dict[str, Any]) -> dict[str, Any]:
        """Return the attributes of a synthesizer pickled by an earlier release, made current.

        Fields renamed since take their new names, and fields added since their legacy values.
        """
        state = dict(state)
        for item in dataclasses.fields(cls):
            old_name = item.metadata['renamed_from']
            if old_name in state and item.name not in state:
                state[item.name] = state.pop(old_name)

        return {**cls.legacy_values(), **state}

    def replace(self, **changes: Any) -> GANConfig:
        """Return a copy with ``changes`` (checked as any config)."""
        return dataclasses.replace(self, **changes)
