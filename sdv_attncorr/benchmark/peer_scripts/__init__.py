"""Scripts that run inside a peer's own virtualenv (see ``benchmark/peers.py``)."""
