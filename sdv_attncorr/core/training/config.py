"""The engine's hyperparameters.

The fields carry no defaults: the public declaration of each hyperparameter, with its
default, is the flat ``__init__`` signature of each SDV synthesizer (what ``get_parameters``
reads); the synthesizer builds a ``GANConfig`` from its stored arguments, and a test checks
that the two agree.
"""

from dataclasses import dataclass, fields

GENERATORS = ('attention', 'mlp')


@dataclass(frozen=True)
class GANConfig:
    """Hyperparameters of the GAN engine (see the synthesizers' docstrings for each)."""

    epochs: int
    batch_size: int
    min_steps_per_epoch: int
    generator: str
    embedding_dim: int
    generator_dim: tuple
    attention_dim: int
    attention_heads: int
    attention_blocks: int
    critic_dim: tuple
    critic_dropout: float
    generator_lr: float
    generator_decay: float
    critic_lr: float
    critic_decay: float
    critic_steps: int
    pac: int
    adversarial_loss: str
    gradient_penalty_weight: float
    log_frequency: bool
    correlation_weight: float
    classwise_weight: float
    energy_weight: float
    mfs_weight: float
    mfs_features: tuple
    mfs_subsamples: int
    mfs_subsample_size: int
    mfs_distance: str
    mfs_interval: int
    verbose: bool

    @classmethod
    def field_names(cls):
        """tuple[str]: The names of the hyperparameters."""
        return tuple(field.name for field in fields(cls))

    @classmethod
    def from_object(cls, source):
        """Build a config from the attributes of the same names on ``source``."""
        return cls(**{name: getattr(source, name) for name in cls.field_names()})
