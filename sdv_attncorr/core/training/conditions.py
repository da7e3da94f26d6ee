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

import numpy as np
import torch

from sdv_attncorr.core.category_rows import CategoryRows

# Attributes that only training draws read; they grow with the table and are not pickled.
TRAINING_ONLY = ('categories', 'rows', 'training_probabilities', 'multi_column_share')
KEPT_FOR_SAMPLING = ('n_rows', 'widths', 'width', 'offsets', 'category_counts')


def multiset_draw(counts: torch.Tensor, k: int, rng: torch.Generator | None) -> torch.Tensor:
    """Draw ``k`` categories without replacement from a multiset, refilled when it runs out.

    Whole rounds are shuffled copies of the multiset; the last, partial round draws its
    category counts from the multivariate hypergeometric law (what the first draws of a
    shuffled multiset hold) and shuffles them, so a draw smaller than the multiset costs
    ``O(k + categories)``, not ``O(multiset)``.

    Args:
        counts (torch.LongTensor):
            Size of each category in the multiset, ``[categories]``.
        k (int):
            Number of draws.
        rng (torch.Generator or None):
            Source of randomness (the hypergeometric counts use a seed drawn from it).

    Returns:
        torch.LongTensor:
            The categories drawn, ``[k]``.
    """
    device, size = counts.device, int(counts.sum())
    categories = torch.arange(len(counts), device=device)
    full_rounds, rest = divmod(k, size)
    rounds: list[torch.Tensor] = []
    if full_rounds:
        column = categories.repeat_interleave(counts)
        for _ in range(full_rounds):
            rounds.append(column[torch.randperm(size, generator=rng, device=device)])
    if rest:
        seed = int(torch.randint(2**62, (1,), generator=rng, device=device))
        drawn = np.random.default_rng(seed).multivariate_hypergeometric(counts.cpu().numpy(), rest)
        partial = categories.repeat_interleave(torch.from_numpy(drawn).to(device))
        rounds.append(partial[torch.randperm(rest, generator=rng, device=device)])

    return torch.cat(rounds) if rounds else counts.new_zeros(0)


class ConditionSampler:
    """Draw condition vectors and matching real rows.

    Args:
        categories (torch.LongTensor):
            Category index of each real row in each discrete span, shape ``[n_rows, n_spans]``.
        widths (list[int]):
            Number of categories of each discrete span.
        log_frequency (bool):
            Draw training categories at log-frequency (True) or at frequency (False).
        multi_column_share (float):
            Share of training rows conditioned on more than their one drawn span
            (``several_spans_of``); 0 conditions each on one span, as CTGAN.
        released_counts (torch.LongTensor or None):
            Under differential privacy, the released (noisy) category counts, ``[n_spans,
            max width]``: every draw but the critic's real rows' own conditions
            (``own_conditions``) reads them, never ``categories``, and no real row is drawn
            by category (``sample_training`` refuses).

    """

    def __init__(
        self,
        categories: torch.Tensor,
        widths: Sequence[int],
        *,
        log_frequency: bool = True,
        multi_column_share: float = 0.0,
        released_counts: torch.Tensor | None = None,
    ) -> None:
        self.multi_column_share = multi_column_share
        self.categories = categories
        self.n_rows = categories.shape[0]
        self.widths = list(widths)
        self.width = sum(self.widths)
        device = categories.device
        self.offsets = torch.tensor([0, *self.widths[:-1]], device=device).cumsum(0)
        self.category_counts = torch.zeros(0, 0, dtype=torch.long, device=device)
        self.rows: CategoryRows | None = None
        if not self.widths:
            return

        if released_counts is None:
            self.rows = CategoryRows(categories, self.widths)
            self.category_counts = self.rows.counts
        else:
            self.category_counts = released_counts.to(device)
        counts = self.category_counts.float()
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
        vectors = torch.zeros(len(spans), self.width, device=self.offsets.device)
        if self.widths:
            # A scatter: assigning through two index tensors waits on the GPU.
            vectors.scatter_(1, (self.offsets[spans] + categories)[:, None], 1.0)
        return vectors

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

        if self.rows is None:
            raise RuntimeError('Under differential privacy no real row is drawn by category.')

        spans = torch.randint(len(self.widths), (n,), generator=rng, device=device)
        probabilities = self.training_probabilities[spans]
        categories = torch.multinomial(probabilities, 1, generator=rng).squeeze(1)
        rows = self.rows.rows_with(spans, categories, rng)
        if self.multi_column_share == 0 or len(self.widths) == 1:
            return self.condition_vectors(spans, categories), rows

        return self.several_spans_of(rows, spans, rng), rows

    def sample_conditions(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        """Draw the generator's training conditions: ``sample_training``'s, without its rows.

        Under differential privacy they come from the released counts (at frequency).

        Returns:
            torch.Tensor:
                Condition vectors ``[n, d_condition]``.
        """
        if not self.widths or self.rows is not None:
            return self.sample_training(n, rng)[0]

        device = self.category_counts.device
        spans = torch.randint(len(self.widths), (n,), generator=rng, device=device)
        probabilities = self.training_probabilities[spans]
        categories = torch.multinomial(probabilities, 1, generator=rng).squeeze(1)
        return self.condition_vectors(spans, categories)

    def own_conditions(
        self, rows: torch.Tensor, rng: torch.Generator | None = None
    ) -> torch.Tensor:
        """Condition each of ``rows`` on its own category in a uniformly drawn span.

        A span is drawn for every training row and ``rows`` take theirs: a row's span, and
        what ``rng`` draws next, do not depend on which other rows were drawn (under DP their
        number is private).

        Args:
            rows (torch.LongTensor):
                Real row indices, ``[n]``.
            rng (torch.Generator or None):
                Source of randomness.

        Returns:
            torch.Tensor:
                Condition vectors ``[n, d_condition]``.
        """
        n_spans = max(len(self.widths), 1)
        spans = torch.randint(n_spans, (self.n_rows,), generator=rng, device=rows.device)
        return self.conditions_of(rows, spans[rows])

    def several_spans_of(
        self, rows: torch.Tensor, spans: torch.Tensor, rng: torch.Generator | None = None
    ) -> torch.Tensor:
        """Condition each row on its span and, for a share of rows, on other spans too.

        Each other span joins with probability 1/2, set to the row's own category. A row's
        categories are all true of it, so the critic's real rows still match their conditions,
        and the generator learns conditions on several columns at once, as
        ``sample_from_conditions`` may ask.

        Args:
            rows (torch.LongTensor):
                Real row indices, ``[n]``.
            spans (torch.LongTensor):
                The span each row is conditioned on in any case, ``[n]``.
            rng (torch.Generator or None):
                Source of randomness.

        Returns:
            torch.Tensor:
                Condition vectors ``[n, d_condition]``.
        """
        n, device = len(rows), self.categories.device
        several = torch.rand(n, 1, generator=rng, device=device) < self.multi_column_share
        joins = torch.rand(n, len(self.widths), generator=rng, device=device) < 0.5
        conditioned = several & joins
        conditioned[torch.arange(n, device=device), spans] = True
        vectors = torch.zeros(n, self.width, device=device)
        positions = self.offsets + self.categories[rows]
        return vectors.scatter_(1, positions, conditioned.to(vectors.dtype))

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
        if not self.widths:
            return torch.zeros(n, 0, device=self.categories.device)

        return self.sample_empirical_rows(n, rng)[0]

    def sample_empirical_rows(
        self, n: int, rng: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``sample_empirical``'s conditions with the real rows they were taken from.

        Each real row holds its condition's category, so the critic can compare them with
        rows generated under the same conditions.

        Returns:
            tuple[torch.Tensor, torch.LongTensor]:
                Condition vectors ``[n, d_condition]`` and real row indices ``[n]``.
        """
        device = self.categories.device
        rows = torch.randint(self.n_rows, (n,), generator=rng, device=device)
        if not self.widths:
            return torch.zeros(n, 0, device=device), rows

        spans = torch.randint(len(self.widths), (n,), generator=rng, device=device)
        return self.conditions_of(rows, spans), rows

    def proportional_draw(
        self, n: int, rng: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw spans and categories whose counts follow the data's as closely as ``n`` allows.

        The spans get equal shares of the ``n`` rows; within a span, categories are drawn
        without replacement from the span's category counts (the column as a multiset), in as
        many rounds as needed: with one discrete column, ``n`` equal to the table's size
        reproduces its category counts exactly, with none of the noise of independent draws.
        Only per-span counts are read, so a saved model holds no per-row state, and a draw
        smaller than the table costs nothing per training row (``multiset_draw``).

        Args:
            n (int):
                Number of rows.
            rng (torch.Generator or None):
                Source of randomness.

        Returns:
            tuple[torch.LongTensor, torch.LongTensor]:
                Span and category of each row, both ``[n]``; pass slices of them to
                ``condition_vectors``.
        """
        device = self.category_counts.device
        shares = torch.arange(n, device=device) % max(len(self.widths), 1)
        spans = shares[torch.randperm(n, generator=rng, device=device)]
        categories = torch.zeros(n, dtype=torch.long, device=device)
        for span, width in enumerate(self.widths):
            positions = torch.nonzero(spans == span).flatten()
            if len(positions):
                counts = self.category_counts[span, :width]
                categories[positions] = multiset_draw(counts, len(positions), rng)

        return spans, categories

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

    def __getstate__(self) -> dict:
        """Pickle what sampling reads: the per-row state of training draws stays behind."""
        return {k: v for k, v in vars(self).items() if k not in TRAINING_ONLY}

    def __setstate__(self, state: dict) -> None:
        """Load a pickled sampler; one saved by 0.1.0 gets its counts from its rows."""
        if 'category_counts' not in state:
            categories = state['categories']
            counts = torch.zeros(len(state['widths']), max(state['widths'], default=0))
            for span, width in enumerate(state['widths']):
                counts[span, :width] = torch.bincount(categories[:, span], minlength=width)
            state['category_counts'] = counts.long()
        self.__dict__.update({k: v for k, v in state.items() if k in KEPT_FOR_SAMPLING})

    def to(self, device: torch.device | str) -> ConditionSampler:
        """Move every tensor to ``device`` and return self."""
        for name, value in vars(self).items():
            if torch.is_tensor(value) or isinstance(value, CategoryRows):
                setattr(self, name, value.to(device))

        return self
