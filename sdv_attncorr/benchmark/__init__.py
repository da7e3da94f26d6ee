"""Compare synthesizers on real tables: quality, relationships, utility and cost.

The engine of ``sdv-attncorr benchmark`` (and of ``benchmarks/compare.py``), one job a module:

- ``synthesizers``: the synthesizers and ablations, and their ``--param`` arguments.
- ``tables``: which tables (built-in or the user's files) and their 50/50 splits.
- ``runner``: one fit and sample, in a spawned process of its own.
- ``metrics``: the scores of one synthetic table against the held-out half.
- ``suite``: the loop over tables, synthesizers and seeds.
- ``report`` and ``plots``: the markdown table, the CSV and the PNG figures.

Importing this package is cheap: torch, SDV, scikit-learn and matplotlib load on first use.
"""


class BenchmarkInputError(ValueError):
    """A benchmark setting the user can fix: an unknown table or synthesizer, a bad parameter."""
