"""The SDV synthesizers of sdv-attncorr."""

from sdv_attncorr.synthesizers.attncorr import AttnCorrGANSynthesizer
from sdv_attncorr.synthesizers.wgan_mfs import WGANGPMFSSynthesizer

__all__ = ['AttnCorrGANSynthesizer', 'WGANGPMFSSynthesizer']
