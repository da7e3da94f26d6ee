"""The benchmark loop: every table, every synthesizer, every seed; failures become notes.

Per table and seed: one 50/50 split (stratified on the class column when there is one). Each
synthesizer is fitted on the train half in its own spawned process, samples as many rows as the
train half has, and is scored against the held-out half (privacy and the meta-feature distance
against the train half it saw); ``real-half`` scores the train half itself (the ceiling of
quality, the floor of privacy).
"""

import sys
import warnings
from dataclasses import dataclass, field

from sdv_attncorr.benchmark.runner import make_job, run_job
from sdv_attncorr.benchmark.synthesizers import REAL_HALF, unavailable_reason
from sdv_attncorr.benchmark.tables import load_table, table_note


@dataclass
class BenchmarkConfig:
    """What to run.

    Attributes:
        tables (list[sdv_attncorr.benchmark.tables.TableSpec]):
            The tables.
        synthesizers (list[str]):
            Keys of ``SYNTHESIZERS``, of ``peers.PEERS`` and ``real-half``.
        seeds (int):
            Split seeds ``0 .. seeds - 1``.
        epochs (int or None):
            Epochs of every model that has epochs; None keeps each model's default.
        params (dict):
            ``{synthesizer: {argument: value}}``.
        threads (int):
            CPU threads per fit.
    """

    tables: list
    synthesizers: list
    seeds: int = 1
    epochs: int | None = None
    params: dict = field(default_factory=dict)
    threads: int = 1


@dataclass
class Results:
    """Per-seed records grouped by table x synthesizer, and the notes of the run."""

    groups: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def log(message):
    """Print progress to stderr, so that stdout can hold the table alone."""
    print(message, file=sys.stderr, flush=True)


def run_one(name, table, seed, config, runner=run_job):
    """Return the per-seed record of synthesizer ``name`` on ``table`` (scores and cost)."""
    train, test = table.splits[seed]
    record = {'table': table.name, 'synthesizer': name, 'seed': seed}
    if name == REAL_HALF:
        synthetic = train
    else:
        job = make_job(name, table, seed, config.epochs, config.params, config.threads)
        cost = runner(job)
        synthetic = cost.pop('synthetic')
        record.update(cost)
    # Imported after the first fit: a spawned worker's ru_maxrss starts at this process's RSS,
    # so the evaluation's libraries loaded earlier would count in that worker's peak MB.
    from sdv_attncorr.benchmark.metrics import evaluate

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        record.update(
            evaluate(train, test, synthetic, table.metadata, table.table_name, table.target)
        )

    return record


def run_synthesizer(name, table, config, notes, runner=run_job):
    """Run one synthesizer on one table for every seed; a failed seed becomes a note."""
    records = []
    for seed in range(config.seeds):
        log(f'{table.name} seed {seed}: {name}')
        try:
            records.append(run_one(name, table, seed, config, runner))
        except Exception as error:  # noqa: BLE001 (report any failure, run the rest)
            notes.append(f'{table.name} / {name} / seed {seed} failed: {error!r}')
            log(notes[-1])

    return records


def available_synthesizers(requested, notes):
    """Return the requested synthesizers that import; add a note for each that does not."""
    names = []
    for name in requested:
        reason = None if name == REAL_HALF else unavailable_reason(name)
        if reason:
            notes.append(f'{name} skipped: {reason}')
            log(notes[-1])
        else:
            names.append(name)

    return names


def run_benchmark(config, on_group=None, notes=(), runner=run_job):
    """Run the benchmark.

    Args:
        config (BenchmarkConfig):
            What to run.
        on_group (callable or None):
            Called as ``on_group(results, records)`` after each table x synthesizer, e.g. to
            print its row and save what is done so far.
        notes (iterable[str]):
            Notes to start with (e.g. tables skipped because their file is absent).
        runner (callable):
            Runs one job and returns the worker's dict; ``run_job`` (a spawned process, or a
            peer's virtualenv).

    Returns:
        Results:
            The per-seed records and the notes.
    """
    from threadpoolctl import threadpool_limits

    results = Results(notes=list(notes))
    names = available_synthesizers(config.synthesizers, results.notes)
    with threadpool_limits(config.threads):
        for spec in config.tables:
            table = load_table(spec, range(config.seeds))
            results.notes.append(table_note(table))
            for name in names:
                records = run_synthesizer(name, table, config, results.notes, runner)
                if records:
                    results.groups.append(records)
                    if on_group:
                        on_group(results, records)

    return results
