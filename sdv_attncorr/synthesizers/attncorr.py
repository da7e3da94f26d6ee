"""AttnCorrGANSynthesizer: self-attention across columns plus correlation losses."""

from sdv_attncorr.synthesizers.base import GANSynthesizerBase
from sdv_attncorr.synthesizers.docs import SHARED_ARGUMENTS_DOC


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
        min_steps_per_epoch=10,
        generator='attention',
        embedding_dim=128,
        generator_dim=(256, 256),
        attention_dim=32,
        attention_heads=2,
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
        energy_weight=5.0,
        mfs_weight=0.0,
        mfs_features=None,
        mfs_subsamples=10,
        mfs_subsample_size=50,
        mfs_distance='auto',
        mfs_interval=4,
        enable_gpu=True,
        verbose=False,
        aim_repo=None,
    ):
        super().__init__(
            metadata=metadata,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            locales=locales,
        )
        self._store_arguments(locals())
