"""Compare synthesizers on real tables: the script form of `sdv-attncorr benchmark`.

The engine is the ``sdv_attncorr.benchmark`` package (see benchmarks/README.md for the protocol
and the columns). This script prints the markdown table, one row per table x synthesizer (mean ±
sd over seeds), and can also write it (``--out``) and the per-seed figures (``--csv``) to files;
``sdv-attncorr benchmark --out DIR`` writes both into a folder and draws the plots.

    .venv/bin/python benchmarks/compare.py [--tables crop demo abalone FILE.csv ...]
        [--class-column C] [--synthesizers ...] [--seeds 1] [--epochs N] [--quick]
        [--param attncorr.epochs=500 ...] [--threads 1] [--out FILE.md [--force]] [--csv FILE.csv]
"""

import argparse
from pathlib import Path

from sdv_attncorr.benchmark import BenchmarkInputError
from sdv_attncorr.benchmark.report import markdown_header, markdown_row, markdown_table, write_csv
from sdv_attncorr.benchmark.suite import BenchmarkConfig, log, run_benchmark
from sdv_attncorr.benchmark.synthesizers import check_names, check_param_keys, parse_params
from sdv_attncorr.benchmark.tables import BUILT_IN, QUICK_TABLES, resolve_tables

QUICK_EPOCHS = 5


def build_parser():
    """Build the argument parser (the options of the original script, plus files)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tables', nargs='+', help=f'{", ".join(BUILT_IN)} or table files')
    parser.add_argument('--class-column', help='class / TSTR target column of the table files')
    parser.add_argument('--synthesizers', nargs='+', help='default: all, and real-half')
    parser.add_argument('--seeds', type=int, default=1, help='split seeds 0..N-1 (default 1)')
    parser.add_argument('--epochs', type=int, help='epochs of every model that has epochs')
    parser.add_argument('--quick', action='store_true', help=f'epochs {QUICK_EPOCHS}, crop+demo')
    parser.add_argument('--param', action='append', default=[], metavar='SYNTH.KEY=VALUE')
    parser.add_argument('--threads', type=int, default=1, help='CPU threads per fit (default 1)')
    parser.add_argument('--out', type=Path, help='also write the markdown table here')
    parser.add_argument('--force', action='store_true', help='let --out overwrite a file')
    parser.add_argument('--csv', type=Path, help='also write the per-seed figures here')
    return parser


def build_config(args):
    """Return ``(BenchmarkConfig, notes)`` of the parsed arguments (``--quick`` applied)."""
    if args.quick:
        args.epochs = args.epochs or QUICK_EPOCHS
        args.tables = args.tables or list(QUICK_TABLES)
    specs, notes = resolve_tables(args.tables or list(BUILT_IN), args.class_column)
    params = parse_params(args.param)
    check_param_keys(params)
    synthesizers = check_names(args.synthesizers)
    config = BenchmarkConfig(specs, synthesizers, args.seeds, args.epochs, params, args.threads)
    return config, notes


def parse_args(argv=None):
    """Parse and check the command line; return ``(args, config, notes)``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.out and args.out.exists() and not args.force:
        parser.error(f'{args.out} exists; pass --force to overwrite it.')
    if args.seeds < 1 or args.threads < 1:
        parser.error('--seeds and --threads must be at least 1.')
    try:
        config, notes = build_config(args)
    except BenchmarkInputError as error:
        parser.error(str(error))
    return args, config, notes


def save(args, results):
    """Write ``--out`` and ``--csv`` (again) with the rows so far."""
    if args.out:
        args.out.write_text(markdown_table(results.groups, results.notes), 'utf-8')
    if args.csv:
        write_csv(args.csv, results.groups)


def main(argv=None):
    """Run the benchmark and print the table."""
    args, config, notes = parse_args(argv)
    for note in notes:
        log(note)

    def on_group(results, records):
        print(markdown_row(records), flush=True)
        save(args, results)

    print(markdown_header(), flush=True)
    results = run_benchmark(config, on_group=on_group, notes=notes)
    save(args, results)
    print('\n' + markdown_table(results.groups, results.notes), end='')


if __name__ == '__main__':
    main()
