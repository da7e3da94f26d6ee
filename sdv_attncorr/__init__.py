"""SDV synthesizers that keep the relationships between columns."""

__version__ = '0.2.0.dev0'

# SDV must finish importing (it registers our synthesizers through the ``sdv_modules`` entry
# point) before our synthesizers import from it, or the registration meets a half-built module.
import sdv  # noqa: E402, F401

from sdv_attncorr import moved_modules  # noqa: E402

moved_modules.install()

from sdv_attncorr.synthesizers import AttnCorrGANSynthesizer, WGANGPMFSSynthesizer  # noqa: E402

__all__ = ['AttnCorrGANSynthesizer', 'WGANGPMFSSynthesizer', '__version__']
