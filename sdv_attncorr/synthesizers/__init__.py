"""synthesizers."""
