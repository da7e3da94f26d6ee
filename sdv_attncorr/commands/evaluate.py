"""``sdv-attncorr evaluate``: compare a synthetic CSV with the real one and write a report."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sdv.metadata import Metadata
from sdv.metadata.errors import InvalidMetadataError

from sdv_attncorr.cli import CommandError
from sdv_attncorr.commands.common import read_table

if TYPE_CHECKING:
    import pandas as pd

EPILOG = """example:
  sdv-attncorr evaluate crops.csv synthetic.csv --class-column label --out report/
  sdv-attncorr evaluate crops.csv synthetic.csv --metadata crops.json --target label \\
      --holdout crops_test.csv --out report/ --force

The report folder gets summary.json, summary.md, PNG plots, SDMetrics' interactive pages and
index.html (open it in a browser; it works offline). Without --metadata, the metadata is
detected from the real CSV.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``evaluate`` sub-command.

    Args:
        subparsers (argparse._SubParsersAction):
            The sub-command parsers of the main parser.
    """
    parser = subparsers.add_parser(
        'evaluate',
        help='compare synthetic data with real data and write a report',
        description='Compare a synthetic table with the real one: SDMetrics quality and '
        'diagnostic reports, correlation and meta-feature distances, ML utility, privacy, plots.',
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('real', type=Path, help='the real table (CSV)')
    parser.add_argument('synthetic', type=Path, help='the synthetic table (CSV)')
    parser.add_argument('--metadata', type=Path, help='SDV metadata JSON (default: detected)')
    parser.add_argument('--class-column', help='categorical column for class-wise metrics')
    parser.add_argument('--target', help='column to predict for ML utility (default: class)')
    parser.add_argument('--holdout', type=Path, help='real rows the synthesizer did not see (CSV)')
    parser.add_argument('--out', type=Path, required=True, help='folder to write the report to')
    parser.add_argument('--force', action='store_true', help='write into a non-empty --out')
    parser.set_defaults(func=run)


def _one_line(error: BaseException) -> str:
    return ' '.join(str(error).split())


def _metadata(path: Path | None, real: pd.DataFrame, table_name: str) -> Metadata:
    if path is None:
        return Metadata.detect_from_dataframes({table_name: real})
    if not path.is_file():
        raise CommandError(f'metadata file {path} does not exist; omit --metadata to detect it.')
    try:
        return Metadata.load_from_json(path)
    except (InvalidMetadataError, ValueError) as error:
        raise CommandError(f'invalid metadata file {path}: {_one_line(error)}') from error


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise CommandError(f'--out {out} is a file; give a folder path.')
    if out.is_dir() and any(out.iterdir()) and not force:
        raise CommandError(
            f'--out {out} is not empty; choose another folder or add --force to write into it.'
        )


def run(args: argparse.Namespace) -> None:
    """Run the ``evaluate`` sub-command.

    Args:
        args (argparse.Namespace):
            The parsed arguments.
    """
    # Imported here so that `sdv-attncorr --help` and the other commands do not load
    # matplotlib, pymfe and scikit-learn.
    from sdv_attncorr.evaluation import evaluate

    _check_out(args.out, args.force)
    real = read_table(args.real)
    synthetic = read_table(args.synthetic)
    holdout = None if args.holdout is None else read_table(args.holdout)
    metadata = _metadata(args.metadata, real, args.real.stem)
    try:
        report = evaluate(
            real,
            synthetic,
            metadata,
            class_column=args.class_column,
            target=args.target,
            holdout_data=holdout,
        )
    except (TypeError, ValueError) as error:
        raise CommandError(_one_line(error)) from error

    report.save(args.out, overwrite=args.force)
    summary = report.summary()
    for key in ('quality_score', 'column_pair_trends_all_pairs', 'correlation_distance'):
        value = summary[key]
        print(f'{key}: {"n/a" if value is None else f"{value:.4f}"}')
    print(f'report written to {args.out}/index.html')
