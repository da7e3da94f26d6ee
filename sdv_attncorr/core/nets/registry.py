"""Generator bodies by name: the ``generator`` hyperparameter picks one.

A new body is a module taking ``(noise, condition)`` to a raw row (see ``generators.py``) and
one line here; its name becomes a valid ``generator`` value. Both built-in builders read the
``decoding`` hyperparameter: a sequential one gets the body's sequential form, whose
``SequentialDecoder`` draws the row from one context per span (``decoding.py``); a new body
that has no such form should refuse a ``decoding`` other than ``'joint'``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from torch import nn

from sdv_attncorr.core.layout import TableLayout
from sdv_attncorr.core.nets.decoding import JOINT
from sdv_attncorr.core.nets.generators import (
    AttentionGenerator,
    MLPGenerator,
    SequentialAttentionGenerator,
    SequentialMLPGenerator,
)

if TYPE_CHECKING:
    from sdv_attncorr.core.training.config import GANConfig

GeneratorBuilder = Callable[['GANConfig', TableLayout, int], nn.Module]


def attention_body(config: GANConfig, layout: TableLayout, d_condition: int) -> nn.Module:
    """Columns as tokens with multi-head self-attention across them, decoded as ``decoding``."""
    arguments: dict[str, Any] = {
        'd_noise': config.embedding_dim,
        'd_condition': d_condition,
        'layout': layout,
        'd_token': config.attention_dim,
        'n_heads': config.attention_heads,
        'n_blocks': config.attention_blocks,
    }
    if config.decoding == JOINT:
        return AttentionGenerator(**arguments)

    return SequentialAttentionGenerator(decoding=config.decoding, **arguments)


def mlp_body(config: GANConfig, layout: TableLayout, d_condition: int) -> nn.Module:
    """Residual MLP (CTGAN's body, with layer norm), decoded as ``decoding``."""
    arguments: dict[str, Any] = {
        'd_noise': config.embedding_dim,
        'd_condition': d_condition,
        'layout': layout,
        'hidden_dims': tuple(config.generator_dim),
    }
    if config.decoding == JOINT:
        return MLPGenerator(**arguments)

    return SequentialMLPGenerator(
        decoding=config.decoding, d_context=config.attention_dim, **arguments
    )


GENERATOR_BODIES: dict[str, GeneratorBuilder] = {'attention': attention_body, 'mlp': mlp_body}
