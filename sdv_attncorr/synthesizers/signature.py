"""Each synthesizer's ``__init__`` signature and Args docs, derived from the hyperparameter table.

SDV's ``get_parameters()`` reads the ``__init__`` signature, so it must list every argument:
the signature is built from SDV's own arguments followed by every field of ``GANConfig``, with
the preset's defaults, and set as the ``__init__``'s ``__signature__`` (what ``inspect``,
``help()`` and editors' call tips show). Arguments are bound to it exactly as to a written
signature: an unknown name is a ``TypeError``.
"""

from __future__ import annotations

import dataclasses
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from sdv_attncorr.core.training.config import GANConfig

PARAMETER = inspect.Parameter.POSITIONAL_OR_KEYWORD
SDV_DEFAULT_LOCALES = ['en_US']
# SDV's own arguments (BaseSingleTableSynthesizer), before ours: (name, default, type, doc).
SDV_ARGUMENTS: tuple[tuple[str, Any, str, str], ...] = (
    ('metadata', inspect.Parameter.empty, 'sdv.metadata.Metadata',
     'Metadata of the table this synthesizer is used for.'),
    ('enforce_min_max_values', True, 'bool', 'Clip sampled numbers to the range seen in ``fit``.'),
    ('enforce_rounding', True, 'bool', 'Round sampled numbers as in the data.'),
    ('locales', SDV_DEFAULT_LOCALES, 'list or str', 'Locales of the fake PII values.'),
)  # fmt: skip
SDV_ARGUMENT_NAMES = tuple(name for name, *_ in SDV_ARGUMENTS)


def synthesizer_signature(defaults: GANConfig) -> inspect.Signature:
    """Return the ``__init__`` signature of a synthesizer whose defaults are ``defaults``.

    Args:
        defaults (GANConfig):
            The preset: the table's defaults with the synthesizer's changes.

    Returns:
        inspect.Signature:
            ``self``, SDV's arguments, then every hyperparameter in the table's order.
    """
    parameters = [inspect.Parameter('self', PARAMETER)]
    for name, default, kind, _ in SDV_ARGUMENTS:
        parameters.append(inspect.Parameter(name, PARAMETER, default=default, annotation=kind))
    for item in dataclasses.fields(GANConfig):
        default = getattr(defaults, item.name)
        parameters.append(
            inspect.Parameter(item.name, PARAMETER, default=default, annotation=item.type)
        )

    return inspect.Signature(parameters)


def _entry(name: str, kind: Any, doc: str, default: Any) -> str:
    text = doc if default is inspect.Parameter.empty else f'{doc} Defaults to ``{default!r}``.'
    body = textwrap.fill(text, width=88, initial_indent=' ' * 12, subsequent_indent=' ' * 12)
    return f'        {name} ({kind}):\n{body}'


def arguments_doc(defaults: GANConfig) -> str:
    """Return the Args section of a synthesizer's docstring (Google style, as SDV's).

    Args:
        defaults (GANConfig):
            The preset whose defaults each entry states.
    """
    entries = [_entry(name, kind, doc, default) for name, default, kind, doc in SDV_ARGUMENTS]
    for item in dataclasses.fields(GANConfig):
        default = getattr(defaults, item.name)
        entries.append(_entry(item.name, item.type, item.metadata['doc'], default))

    return '\n'.join(entries)


def make_init(signature: inspect.Signature, init: Callable[..., None]) -> Callable[..., None]:
    """Return an ``__init__`` that binds its arguments to ``signature`` and calls ``init``.

    Args:
        signature (inspect.Signature):
            The full signature, ``self`` first.
        init (callable):
            Called as ``init(self, **arguments)`` with every argument, defaults applied.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        del arguments['self']
        init(self, **arguments)

    __init__.__signature__ = signature  # type: ignore[attr-defined]
    return __init__
