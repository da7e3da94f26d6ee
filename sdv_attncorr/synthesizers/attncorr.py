"""AttnCorrGANSynthesizer: self-attention across columns plus correlation and energy losses."""

from sdv_attncorr.synthesizers.base import GANSynthesizerBase


class AttnCorrGANSynthesizer(GANSynthesizerBase):
    """Conditional GAN whose generator attends across columns, trained with correlation losses.

    Each column is a token; multi-head self-attention mixes the columns of a row (never rows
    of a batch). The generator loss adds a correlation loss (the Pearson matrix of generated
    rows against the training table's), with ``class_column`` the same within each class, an
    energy loss matching each class's whole distribution, and a contingency loss matching the
    joint frequencies of each pair holding a discrete column (numbers in SDMetrics' bins).
    The columns of a row are drawn one after another (categories first, then numbers), each
    given the values drawn before it, and a likelihood loss teaches the categories' heads on
    real rows, each column given the real values before it (``likelihood_weight=1``, the heads
    at four times the generator's learning rate): ames_housing 0.904 -> 0.920 and its TSTR
    0.264 -> 0.375 over 3 splits (README). Conditions on discrete columns are native: every
    column is drawn given the conditioned values, also a column decoded before them (for a
    rare category it learns little of them yet: README, "The likelihood loss's part"), and
    ``sample_from_conditions`` returns exactly the requested counts. That holds for several
    columns at once without training on several (``multi_column_conditions=0``): training on
    them cost ames_housing's 40 categorical columns their marginals (quality 0.880 vs 0.902).
    One transformer block (``attention_blocks=1``): a second one cost a fifth to a quarter of
    each step's time and moved quality by -0.003 to +0.004 over 3 splits of eight tables
    (README). ``epochs=240`` (120 trained from ``large_table_rows`` rows on): a fifth fewer
    steps than 300 epochs, for quality within noise of them on seven of eight tables and 0.011
    lower on lending_club (README, "A fifth fewer steps").
    """

    preset = {
        'attention_blocks': 1,
        'correlation_weight': 1.0,
        'classwise_weight': 1.0,
        'energy_weight': 5.0,
        'contingency_weight': 15.0,
        'large_table_rows': 100,
        'epochs': 240,
        'decoding': 'sequential',
        'multi_column_conditions': 0.0,
        'likelihood_weight': 1.0,
        'decoder_lr_multiplier': 4.0,
    }
