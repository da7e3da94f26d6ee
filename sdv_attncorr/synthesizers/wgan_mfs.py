"""WGANGPMFSSynthesizer: WGAN-GP with a meta-feature-statistics loss."""

from sdv_attncorr.synthesizers.base import GANSynthesizerBase


class WGANGPMFSSynthesizer(GANSynthesizerBase):
    """Conditional WGAN-GP trained with a meta-feature-statistics (MFS) loss.

    The generator is a residual MLP; its loss adds the Wasserstein distance between the
    distribution of meta-features (pymfe's statistical group, computed in torch with values
    equal to pymfe's) over K real subsamples and over K generated groups of the same size,
    each component standardised by its real spread. Generated groups are the generator's own
    batch reshaped (no extra pass), conditioned at the data's own frequencies. It is a preset
    of the same engine as ``AttnCorrGANSynthesizer``: set ``correlation_weight`` /
    ``class_column`` to add the correlation losses, or ``generator='attention'``.
    """

    preset = {'generator': 'mlp', 'attention_dim': 64, 'attention_heads': 4, 'mfs_weight': 0.1}
