"""The loss history: one record per epoch."""


class LossHistory:
    """Per-epoch mean losses, as a list of records.

    Every record holds ``Epoch``, ``Generator Loss`` and ``Discriminator Loss`` (the names
    SDV's ``LossValuesMixin`` reads) plus one entry per regulariser.
    """

    def __init__(self):
        self.records = []

    def on_fit_start(self, trainer):
        """Start a new history."""
        self.records = []

    def on_epoch_end(self, trainer, record):
        """Store the epoch's record."""
        self.records.append(dict(record))

    def on_fit_end(self, trainer):
        """Nothing to do at the end."""
