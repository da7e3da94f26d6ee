"""The SDV synthesizers of sdv-attncorr."""

from sdv_attncorr.synthesizers.attncorr import AttnCorrGANSynthesizer

__all__ = ['AttnCorrGANSynthesizer']
