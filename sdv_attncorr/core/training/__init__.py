"""Training: hyperparameters, condition draws, the trainer, its callbacks and loss history."""
