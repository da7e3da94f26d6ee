"""``sdv-attncorr benchmark``: compare our synthesizers with SDV's on real tables."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sdv_attncorr.benchmark import BenchmarkInputError
from sdv_attncorr.benchmark.synthesizers import (
    ALL_NAMES,
    check_names,
    check_param_keys,
    parse_params,
)
from sdv_attncorr.benchmark.tables import BUILT_IN, QUICK_TABLES, resolve_tables
from sdv_attncorr.cli import CommandError
from sdv_attncorr.files import TABLE_SUFFIXES

if TYPE_CHECKING:
    from sdv_attncorr.benchmark.suite import BenchmarkConfig

QUICK_EPOCHS = 5
DEFAULT_SEEDS = 3
EPILOG = f"""examples:
  sdv-attncorr benchmark --quick --out bench-quick          # minutes: epochs 5, crop + demo
  sdv-attncorr benchmark crop abalone --seeds 5 --out bench
  sdv-attncorr benchmark crops.csv --class-column label --synthesizers attncorr ctgan \\
      real-half --param attncorr.epochs=500 --param ctgan.batch_size=200 --out bench-crops

tables: {', '.join(BUILT_IN)} (crop and abalone are read from ../shared/data, next to the
current folder or the repository, and skipped with a note when absent) or .csv / .parquet
files (with --class-column: the class column and the target of TSTR).
synthesizers (default: all): {', '.join(ALL_NAMES[:5])},
  {', '.join(ALL_NAMES[5:])}. tabularargn (MOSTLY AI's TabularARGN) runs in a
  virtualenv of its own, made by `make peers`; without it, it is skipped with a note.

Each table is split 50/50 once per seed; every synthesizer is fitted on the train half in a
process of its own and scored against the held-out half. --out gets results.csv (one line per
table x synthesizer x seed), results.md (mean ± sd over seeds) and PNG plots.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``benchmark`` sub-command.

    Args:
        subparsers (argparse._SubParsersAction):
            The sub-command parsers of the main parser.
    """
    parser = subparsers.add_parser(
        'benchmark',
        help="compare our synthesizers with SDV's on real tables",
        description="Compare AttnCorrGAN and WGAN-GP-MFS (and their ablations) with SDV's\n"
        'GaussianCopula, CTGAN, TVAE and CopulaGAN: quality, relationships, utility and cost.',
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_arguments(parser.add_argument)
    parser.set_defaults(func=run)


def _add_arguments(add: Callable[..., argparse.Action]) -> None:
    add('tables', nargs='*', metavar='TABLE', help='built-in name or table file')
    add(
        '--tables',
        nargs='+',
        default=[],
        dest='more_tables',
        metavar='TABLE',
        help='more tables (same as the positional TABLE)',
    )
    add('--class-column', metavar='C', help='class / TSTR target column of the table files')
    add('--synthesizers', nargs='+', metavar='SYNTH', help='default: all')
    add('--seeds', type=int, metavar='N', help=f'split seeds 0..N-1 (default {DEFAULT_SEEDS})')
    add('--epochs', type=int, metavar='N', help='epochs of every model that has epochs')
    add(
        '--quick',
        action='store_true',
        help=f'smoke run: epochs {QUICK_EPOCHS}, 1 seed, crop + demo',
    )
    add(
        '--param',
        action='append',
        default=[],
        metavar='SYNTH.KEY=VALUE',
        help='a constructor argument of one synthesizer (repeatable)',
    )
    add('--threads', type=int, default=1, metavar='N', help='CPU threads per fit (default 1)')
    add('--out', type=Path, required=True, metavar='DIR', help='folder for the results')
    add('--force', action='store_true', help='write into a non-empty --out')


def check_out(out: Path, force: bool) -> None:
    """Refuse an ``--out`` that is a file, or a non-empty folder without ``--force``."""
    if out.exists() and not out.is_dir():
        raise CommandError(f'--out {out} is a file; give a folder path.')
    if out.is_dir() and any(out.iterdir()) and not force:
        raise CommandError(
            f'--out {out} is not empty; choose another folder or add --force to write into it.'
        )


def _counts(args: argparse.Namespace) -> tuple[list[str], int, int | None]:
    """Apply ``--quick`` and the defaults to ``(tables, seeds, epochs)``; check the numbers."""
    tables = [*args.tables, *args.more_tables]
    seeds, epochs = args.seeds, args.epochs
    if args.quick:
        tables = tables or list(QUICK_TABLES)
        seeds = 1 if seeds is None else seeds
        epochs = QUICK_EPOCHS if epochs is None else epochs
    seeds = DEFAULT_SEEDS if seeds is None else seeds
    if seeds < 1 or args.threads < 1 or (epochs is not None and epochs < 1):
        raise CommandError('--seeds, --epochs and --threads must be at least 1.')

    return tables or list(BUILT_IN), seeds, epochs


def check_swallowed_tables(synthesizers: list[str] | None) -> None:
    """Refuse a table name caught by ``--synthesizers`` (it takes every word after it).

    Args:
        synthesizers (list[str] or None):
            The words given to ``--synthesizers``.

    Raises:
        CommandError:
            If one of them is a built-in table or a table file name.
    """
    for name in synthesizers or ():
        suffix = Path(name).suffix.lower()
        if name not in ALL_NAMES and (name in BUILT_IN or suffix in TABLE_SUFFIXES):
            raise CommandError(
                f'{name!r} is a table, not a synthesizer: --synthesizers takes every word after '
                'it. Put the tables before --synthesizers, or pass them with --tables.'
            )


def build_config(args: argparse.Namespace) -> tuple[BenchmarkConfig, list[str]]:
    """Check the arguments and turn them into a ``BenchmarkConfig`` and the starting notes.

    Returns:
        tuple[sdv_attncorr.benchmark.suite.BenchmarkConfig, list[str]]:
            What to run, and a note for each built-in table skipped because its file is absent.
    """
    from sdv_attncorr.benchmark.suite import BenchmarkConfig

    tables, seeds, epochs = _counts(args)
    check_swallowed_tables(args.synthesizers)
    try:
        synthesizers = check_names(args.synthesizers)
        params = parse_params(args.param)
        check_param_keys(params)
        specs, notes = resolve_tables(tables, args.class_column)
    except BenchmarkInputError as error:
        raise CommandError(str(error)) from error
    if not specs:
        raise CommandError('no table to run: ' + '; '.join(notes))

    config = BenchmarkConfig(specs, synthesizers, seeds, epochs, params, args.threads)
    return config, notes


def run(args: argparse.Namespace) -> None:
    """Run the ``benchmark`` sub-command.

    Args:
        args (argparse.Namespace):
            The parsed arguments.
    """
    from sdv_attncorr.benchmark.plots import write_plots
    from sdv_attncorr.benchmark.report import markdown_header, markdown_row, write_tables
    from sdv_attncorr.benchmark.suite import log, run_benchmark

    check_out(args.out, args.force)
    config, notes = build_config(args)
    for note in notes:
        log(note)
    print(markdown_header(), flush=True)

    def on_group(results, records):
        print(markdown_row(records), flush=True)
        write_tables(args.out, results)

    results = run_benchmark(config, on_group=on_group, notes=notes)
    write_tables(args.out, results)
    plots = write_plots(args.out, results.groups)
    print(f'\nWrote results.csv, results.md and {len(plots)} PNG plots to {args.out}/')
