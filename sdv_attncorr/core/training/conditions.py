"""Condition vectors on the discrete spans, and every draw of them.

The condition vector concatenates one one-hot block per discrete span. Three draws: while
training, each row is conditioned on one span, drawn uniformly, with its category at the
log-frequency of the data (so rare categories are learned; as CTGAN), and the real rows the
critic sees hold that category; regularisers need rows distributed like the table, so
``sample_empirical`` draws categories at the data's own frequencies; sampling draws them in
proportion to the data (``proportional_draw``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from sdv_attncorr.core.category_rows import CategoryRows


class ConditionSampler:
    """Draw condition vectors and matching real rows.

    Args:
        categories (torch.LongTensor):
            Category index of each real row in each discrete span, shape ``[n_rows, n_spans]``.
        widths (list[int]):
            Number of categories of each discrete span.
        log_frequency (bool):
            Draw training categories at log-frequency (True) or at frequency (False).

    """

    def __init__(
        self, categories: torch.Tensor, widths: Sequence[int], *, log_frequency: bool = True
    ) -> None:
        self.categories = categories
        self.n_rows = categories.shape[0]
        self.widths = list(widths)
        self.width = sum(self.widths)
        device = categories.device
        self.offsets = torch.tensor([0, *self.widths[:-1]], device=device).cumsum(0)
        if not self.widths:
            return

        self.rows = CategoryRows(categories, self.widths)
        counts = self.rows.counts
        weights = torch.log1p(counts) if log_frequency else counts
        self.training_probabilities = weights / weights.sum(dim=1, keepdim=True)

    @property
    def d_condition(self) -> int:
        """int: Width of a condition vector."""
        return self.width

    def condition_vectors(self, spans: torch.Tensor, categories: torch.Tensor) -> torch.Tensor:
        """One-hot condition vectors, each with one category of one span set.

        Args:
            spans (torch.LongTensor):
                Span of each row, shape ``[n]``.
            categories (torch.LongTensor):
                Category within that span, shape ``[n]``.

        Returns:
            torch.Tensor:
                Shape ``[n, d_condition]``.

        """
        vectors = torch.zeros(len(spans), self.width, device=self.categories.device)
        vectors[torch.arange(len(spans)), self.offsets[spans] + categories] = 1.0
        return vectors

    def rows_with(
        self, spans: torch.Tensor, categories: torch.Tensor, rng: torch.Generator | None = None
    ) -> torch.Tensor:
        """Draw, for each (span, category), a real row holding that category (``CategoryRows``)."""
        return self.rows.rows_with(spans, categories, rng)

    def sample_training(
        self, n: int, rng: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw training conditions (training-by-sampling) and matching real rows.

        Args:
            n (int):
                Number of rows.
            rng (torch.Generator or None):
                Source of randomness.

        Returns:
            tuple[torch.Tensor, torch.LongTensor]:
                Condition vectors ``[n, d_condition]`` and real row indices ``[n]``.

        """
        device = self.categories.device
        if not self.widths:
            rows = torch.randint(self.n_rows, (n,), generator=rng, device=device)
            return torch.zeros(n, 0, device=device), rows

        spans = torch.randint(len(self.widths), (n,), generator=rng, device=device)
        probabilities = self.training_probabilities[spans]
        categories = torch.multinomial(probabilities, 1, generator=rng).squeeze(1)
        return self.condition_vectors(spans, categories), self.rows_with(spans, categories, rng)

    def sample_empirical(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        """Draw conditions at the data's own frequencies.

        Each row is conditioned on a uniformly drawn span with the category of a uniformly
        drawn real row, so the conditioned rows are distributed like the table.

        Args:
            n (int):
                Number of rows.
            rng (torch.Generator or None):
                Source of randomness.

        Returns:
            torch.Tensor:
                Condition vectors ``[n, d_condition]``.
        """
        device = self.categories.device
        if not self.widths:
            return torch.zeros(n, 0, device=device)

        rows = torch.randint(self.n_rows, (n,), generator=rng, device=device)
        spans = torch.randint(len(self.widths), (n,), generator=rng, device=device)
        return self.conditions_of(rows, spans)

    def proportional_draw(
        self, n: int, rng: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw real rows and spans whose counts follow the data's as closely as ``n`` allows.

        Rows are drawn without replacement, in as many rounds over the table as ``n`` needs,
        and the spans in equal shares: with one discrete column, ``n`` equal to the table's size
        reproduces its category counts exactly, with none of the noise of independent draws.

        Args:
            n (int):
                Number of rows.
            rng (torch.Generator or None):
                Source of randomness.

        Returns:
            tuple[torch.LongTensor, torch.LongTensor]:
                Real row indices and span indices, both ``[n]``; pass slices of them to
                ``conditions_of``.
        """
        device = self.categories.device
        rounds = -(-n // self.n_rows)
        permutations = [
            torch.randperm(self.n_rows, generator=rng, device=device) for _ in range(rounds)
        ]
        rows = torch.cat(permutations)[:n] if n else torch.zeros(0, dtype=torch.long, device=device)
        shares = torch.arange(n, device=device) % max(len(self.widths), 1)
        spans = shares[torch.randperm(n, generator=rng, device=device)]
        return rows, spans

    def conditions_of(self, rows: torch.Tensor, spans: torch.Tensor) -> torch.Tensor:
        """Condition vectors setting, for each row, its category in the given span.

        Args:
            rows (torch.LongTensor):
                Real row indices, shape ``[n]``.
            spans (torch.LongTensor):
                Span of each, shape ``[n]``.

        Returns:
            torch.Tensor:
                Condition vectors ``[n, d_condition]``.
        """
        if not self.widths:
            return torch.zeros(len(rows), 0, device=self.categories.device)

        return self.condition_vectors(spans, self.categories[rows, spans])

    def to(self, device: torch.device | str) -> ConditionSampler:
        """Move every tensor to ``device`` and return self."""
        for name, value in vars(self).items():
            if torch.is_tensor(value) or isinstance(value, CategoryRows):
                setattr(self, name, value.to(device))

        return self
