"""The contingency loss in a fit: built with SDMetrics' bins of the numbers, a loss column."""

import pytest

from sdv_attncorr import AttnCorrGANSynthesizer
from sdv_attncorr.core.losses import contingency
from tests.conftest import FAST, TABLE


@pytest.fixture
def built(monkeypatch):
    """Record the ContingencyLoss objects a fit builds."""
    losses = []
    original = contingency.ContingencyLoss.__init__

    def record(self, *args, **kwargs):
        original(self, *args, **kwargs)
        losses.append(self)

    monkeypatch.setattr(contingency.ContingencyLoss, '__init__', record)
    return losses


def test_a_fit_compares_discrete_pairs_and_numbers_by_their_equal_width_bins(
    built, mixed_table, mixed_metadata
):
    synthesizer = AttnCorrGANSynthesizer(mixed_metadata, contingency_weight=1.0, **FAST)
    synthesizer.fit({TABLE: mixed_table})

    assert len(built) == 1
    blocks = built[0].blocks
    # group, flag, rare (discrete) and amount, count, when, score (numbers; score has a null
    # indicator, folded into its missing bin): every pair but the 6 of two numbers
    assert blocks.numbers.numel() == 4
    assert blocks.edges.shape == (4, 9)
    assert len(blocks.pair_slices) == 7 * 6 // 2 - 6
    losses = synthesizer.get_loss_values()
    assert losses['Contingency Loss'].between(0, 1).all()


def test_weight_zero_builds_no_contingency_loss(built, mixed_table, mixed_metadata):
    synthesizer = AttnCorrGANSynthesizer(mixed_metadata, contingency_weight=0.0, **FAST)
    synthesizer.fit({TABLE: mixed_table})

    assert built == []
    assert 'Contingency Loss' not in synthesizer.get_loss_values()
