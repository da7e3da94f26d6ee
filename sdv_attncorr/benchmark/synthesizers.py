"""The synthesizers of the benchmark, their ablations and their ``--param`` arguments."""

import importlib
import inspect
from dataclasses import dataclass, field

from sdv_attncorr.benchmark import BenchmarkInputError, peers
from sdv_attncorr.files import parse_literal

REAL_HALF = 'real-half'


@dataclass(frozen=True)
class SynthSpec:
    """Where a synthesizer class lives, and the arguments that make it an ablation."""

    module: str
    class_name: str
    overrides: dict = field(default_factory=dict)
    base: str | None = None


SYNTHESIZERS = {
    'attncorr': SynthSpec('sdv_attncorr', 'AttnCorrGANSynthesizer'),
    'attncorr-nocorr': SynthSpec(
        'sdv_attncorr',
        'AttnCorrGANSynthesizer',
        {'correlation_weight': 0.0, 'classwise_weight': 0.0},
        base='attncorr',
    ),
    'wgan-mfs': SynthSpec('sdv_attncorr', 'WGANGPMFSSynthesizer'),
    'wgan-mfs-nomfs': SynthSpec(
        'sdv_attncorr', 'WGANGPMFSSynthesizer', {'mfs_weight': 0.0}, base='wgan-mfs'
    ),
    'gaussiancopula': SynthSpec('sdv.single_table', 'GaussianCopulaSynthesizer'),
    'ctgan': SynthSpec('sdv.single_table', 'CTGANSynthesizer'),
    'tvae': SynthSpec('sdv.single_table', 'TVAESynthesizer'),
    'copulagan': SynthSpec('sdv.single_table', 'CopulaGANSynthesizer'),
}
ALL_NAMES = (*SYNTHESIZERS, *peers.PEERS, REAL_HALF)


def check_names(names):
    """Return ``names`` (all of them when empty), or raise on an unknown name.

    Args:
        names (list[str] or None):
            Requested synthesizers; ``real-half`` is the train half itself.

    Returns:
        list[str]:
            The names, without repeats.
    """
    unknown = [name for name in names or () if name not in ALL_NAMES]
    if unknown:
        raise BenchmarkInputError(
            f'unknown synthesizer {unknown[0]!r}: choose from {", ".join(ALL_NAMES)}.'
        )

    return list(dict.fromkeys(names or ALL_NAMES))


def synthesizer_class(name):
    """Import and return the class of synthesizer ``name``."""
    spec = SYNTHESIZERS[name]
    return getattr(importlib.import_module(spec.module), spec.class_name)


def unavailable_reason(name):
    """Why synthesizer ``name`` cannot be imported (or a peer run), or None when it can."""
    if name in peers.PEERS:
        return peers.unavailable_reason(name)
    try:
        synthesizer_class(name)
    except Exception as error:  # noqa: BLE001 (a half-written module fails in any way)
        return f'cannot import it ({type(error).__name__}: {error})'

    return None


def parse_params(items):
    """Turn ``['attncorr.epochs=500', ...]`` into ``{'attncorr': {'epochs': 500}, ...}``.

    Args:
        items (list[str]):
            ``SYNTH.KEY=VALUE`` strings; VALUE is a Python literal or a string.

    Returns:
        dict:
            ``{synthesizer: {argument: value}}``.
    """
    params: dict[str, dict[str, object]] = {}
    for item in items:
        key, separator, value = item.partition('=')
        name, dot, argument = key.partition('.')
        if not (separator and dot and argument) or name not in (*SYNTHESIZERS, *peers.PEERS):
            raise BenchmarkInputError(
                f'bad --param {item!r}: expected SYNTH.KEY=VALUE with SYNTH one of '
                f'{", ".join((*SYNTHESIZERS, *peers.PEERS))}.'
            )
        params.setdefault(name, {})[argument] = parse_literal(value)

    return params


def check_param_keys(params):
    """Raise when a ``--param`` names no argument of its synthesizer's constructor.

    Synthesizers that cannot be imported are not checked (the run skips them with a note).
    """
    for name, arguments in params.items():
        if name in peers.PEERS:
            valid = list(peers.PEERS[name].arguments)
        elif unavailable_reason(name):
            continue
        else:
            accepted = inspect.signature(synthesizer_class(name).__init__).parameters
            valid = [key for key in accepted if key not in ('self', 'metadata')]
        for key in arguments:
            if key not in valid:
                raise BenchmarkInputError(
                    f'bad --param {name}.{key}: {name} takes {", ".join(valid)}.'
                )


def synthesizer_params(name, params):
    """Arguments of one synthesizer: its base's ``--param``, its ablation, its own ``--param``."""
    if name in peers.PEERS:
        return dict(params.get(name, {}))
    spec = SYNTHESIZERS[name]
    arguments = dict(params.get(spec.base, {})) if spec.base else {}
    arguments.update(spec.overrides)
    arguments.update(params.get(name, {}))
    return arguments
