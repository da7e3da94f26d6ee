"""SDV synthesizers that keep the relationships between columns."""

__version__ = '0.1.0'
