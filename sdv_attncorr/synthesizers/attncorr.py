"""AttnCorrGANSynthesizer: self-attention across columns plus correlation losses."""

from sdv_attncorr.synthesizers.base import GANSynthesizerBase

SHARED_ARGUMENTS_DOC = """
        metadata (sdv.metadata.Metadata):
            Metadata of the table this synthesizer is used for.
        enforce_min_max_values (bool):
            Clip sampled numbers to the range seen in ``fit``. Defaults to ``True``.
        enforce_rounding (bool):
            Round sampled numbers as in the data. Defaults to ``True``.
        locales (list or str):
            Locales of the fake PII values. Defaults to ``['en_US']``.
        epochs (int):
            Training epochs; an epoch is ``n_rows // batch_size`` generator steps.
        batch_size (int):
            Rows per training step, a multiple of ``pac``; tables smaller than a batch train
            on batches of the whole table (rounded down to ``pac``).
        generator (str):
            Generator body: ``'attention'`` (columns as tokens with multi-head self-attention
            across them) or ``'mlp'`` (residual MLP).
        embedding_dim (int):
            Width of the noise vector.
        generator_dim (tuple[int]):
            Widths of the residual blocks of the ``'mlp'`` generator.
        attention_dim (int):
            Width of a column token of the ``'attention'`` generator.
        attention_heads (int):
            Attention heads; must divide ``attention_dim``.
        attention_blocks (int):
            Transformer blocks of the ``'attention'`` generator.
        critic_dim (tuple[int]):
            Widths of the critic's hidden layers.
        critic_dropout (float):
            Dropout after each hidden layer of the critic.
        generator_lr (float):
            Adam learning rate of the generator.
        generator_decay (float):
            Adam weight decay of the generator.
        critic_lr (float):
            Adam learning rate of the critic.
        critic_decay (float):
            Adam weight decay of the critic.
        critic_steps (int):
            Critic updates per generator update.
        pac (int):
            Rows the critic scores together (PacGAN).
        adversarial_loss (str):
            ``'wgan-gp'`` (Wasserstein with gradient penalty) or ``'bce'`` (non-saturating).
        gradient_penalty_weight (float):
            Weight of the gradient penalty (``'wgan-gp'`` only).
        log_frequency (bool):
            Draw training conditions at the log-frequency of each category (as CTGAN).
        correlation_weight (float):
            Weight of the correlation loss (0 turns it off).
        class_column (str or None):
            Discrete column whose classes the class-wise correlation loss compares.
        classwise_weight (float):
            Weight of the class-wise correlation loss (needs ``class_column``; 0 turns it off).
        enable_gpu (bool):
            Train on a GPU when one is available. Defaults to ``True``.
        verbose (bool):
            Show a progress bar with the losses. Defaults to ``False``."""


class AttnCorrGANSynthesizer(GANSynthesizerBase):  # noqa: D101 (docstring set below)
    __doc__ = (
        """Conditional GAN whose generator attends across columns, trained with correlation losses.

    Each column is a token; multi-head self-attention mixes the columns of a row (never rows
    of a batch). The generator loss adds a correlation loss (the Pearson matrix of generated
    rows against the training table's) and, with ``class_column``, the same within each
    class. Conditions on discrete columns are native: ``sample_from_conditions`` returns
    exactly the requested counts.

    Args:"""
        + SHARED_ARGUMENTS_DOC
        + '\n    """'
    )

    def __init__(
        self,
        metadata,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=['en_US'],
        epochs=300,
        batch_size=500,
        generator='attention',
        embedding_dim=128,
        generator_dim=(256, 256),
        attention_dim=64,
        attention_heads=4,
        attention_blocks=2,
        critic_dim=(256, 256),
        critic_dropout=0.5,
        generator_lr=2e-4,
        generator_decay=1e-6,
        critic_lr=2e-4,
        critic_decay=1e-6,
        critic_steps=1,
        pac=10,
        adversarial_loss='wgan-gp',
        gradient_penalty_weight=10.0,
        log_frequency=True,
        correlation_weight=1.0,
        class_column=None,
        classwise_weight=1.0,
        enable_gpu=True,
        verbose=False,
    ):
        super().__init__(
            metadata=metadata,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            locales=locales,
        )
        self._store_arguments(locals())
