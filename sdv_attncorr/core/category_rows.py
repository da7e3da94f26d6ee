"""An index of the training rows holding each category of each discrete span."""

from __future__ import annotations

from collections.abc import Sequence

import torch


class CategoryRows:
    """Draw, for a (span, category), a training row that holds it; rows sorted once.

    The condition sampler draws the critic's real rows through it, and the energy loss the
    real rows of each class (the class column as one span).

    Args:
        categories (torch.LongTensor):
            Category index of each row in each discrete span, ``[n_rows, n_spans]``.
        widths (list[int]):
            Number of categories of each span.
    """

    def __init__(self, categories: torch.Tensor, widths: Sequence[int]) -> None:
        device = categories.device
        # Integer counts: float32 ones and their running sums are exact only up to 2^24 rows.
        self.counts = torch.zeros(len(widths), max(widths), dtype=torch.long, device=device)
        for span, width in enumerate(widths):
            self.counts[span, :width] = torch.bincount(categories[:, span], minlength=width)

        self.sorted_rows = torch.argsort(categories, dim=0, stable=True).T.contiguous()
        self.first_row = torch.cumsum(self.counts, dim=1) - self.counts

    def rows_with(
        self, spans: torch.Tensor, categories: torch.Tensor, rng: torch.Generator | None = None
    ) -> torch.Tensor:
        """Draw, for each (span, category), a row holding that category, uniformly.

        Args:
            spans (torch.LongTensor):
                Span of each draw, ``[n]``.
            categories (torch.LongTensor):
                Category within that span, ``[n]``.
            rng (torch.Generator or None):
                Source of randomness.

        Returns:
            torch.LongTensor:
                Row indices, ``[n]``.
        """
        counts = self.counts[spans, categories]
        uniform = torch.rand(len(spans), generator=rng, device=counts.device)
        rank = (uniform.double() * counts).long().clamp_max(counts - 1)
        return self.sorted_rows[spans, self.first_row[spans, categories] + rank]

    def to(self, device: torch.device | str) -> CategoryRows:
        """Move every tensor to ``device`` and return self."""
        for name, value in vars(self).items():
            setattr(self, name, value.to(device))
        return self
