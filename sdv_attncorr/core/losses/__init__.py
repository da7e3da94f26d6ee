"""Losses: adversarial losses, the gradient penalty and the generator's regularisers."""
