"""WGANGPMFSSynthesizer: WGAN-GP with a meta-feature-statistics loss."""

from sdv_attncorr.synthesizers.base import GANSynthesizerBase
from sdv_attncorr.synthesizers.docs import SHARED_ARGUMENTS_DOC


class WGANGPMFSSynthesizer(GANSynthesizerBase):  # noqa: D101 (docstring set below)
    __doc__ = (
        """Conditional WGAN-GP trained with a meta-feature-statistics (MFS) loss.

    The generator is a residual MLP; its loss adds the Wasserstein distance between the
    distribution of meta-features (pymfe's statistical group, computed in torch with values
    equal to pymfe's) over K real subsamples and over K generated groups of the same size,
    each component standardised by its real spread. Generated groups are the generator's own
    batch reshaped (no extra pass), conditioned at the data's own frequencies. It is a preset
    of the same engine as ``AttnCorrGANSynthesizer``: set ``correlation_weight`` /
    ``class_column`` to add the correlation losses, or ``generator='attention'``.

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
        generator='mlp',
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
        correlation_weight=0.0,
        class_column=None,
        classwise_weight=0.0,
        energy_weight=0.0,
        mfs_weight=0.1,
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
