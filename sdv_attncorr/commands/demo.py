"""``sdv-attncorr demo``: fit on the built-in table and compare with GaussianCopula."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sdv_attncorr.cli import CommandError

if TYPE_CHECKING:
    import pandas as pd
    from sdv.metadata import Metadata
    from sdv.single_table.base import BaseSingleTableSynthesizer

OUTPUTS = ('synthetic.csv', 'loss_values.csv', 'loss_curve.png')
EXAMPLE = 'example:\n  sdv-attncorr demo --out demo-output --epochs 100'


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` sub-command."""
    parser = subparsers.add_parser(
        'demo',
        help='fit AttnCorrGAN on the built-in student-placements table',
        description=(
            'Fit AttnCorrGANSynthesizer on the student-placements table that ships inside '
            "sdmetrics, print its SDMetrics quality score beside SDV's GaussianCopula, and "
            'write the synthetic table and the loss curve.'
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('--out', default='demo-output', help='output folder (default: %(default)s)')
    parser.add_argument(
        '--epochs', type=int, default=None, help="training epochs (default: the synthesizer's)"
    )
    parser.add_argument('--force', action='store_true', help='overwrite existing output files')
    parser.set_defaults(func=run)


def _check_outputs(folder: Path, force: bool) -> None:
    existing = [name for name in OUTPUTS if (folder / name).exists()]
    if existing and not force:
        raise CommandError(
            f'{folder} already holds {", ".join(existing)}: choose another --out or add --force.'
        )


def _fit_and_score(
    synthesizer: BaseSingleTableSynthesizer, data: pd.DataFrame, metadata: Metadata, table: str
) -> tuple[pd.DataFrame, float, float]:
    from sdv.evaluation import evaluate_quality

    started = time.perf_counter()
    synthesizer.fit({table: data})
    seconds = time.perf_counter() - started
    synthetic = synthesizer.sample(len(data))[table]
    report = evaluate_quality({table: data}, {table: synthetic}, metadata, verbose=False)
    return synthetic, report.get_score(), seconds


def _save_loss_curve(losses: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use('Agg')
    from matplotlib import pyplot

    from sdv_attncorr.core.training.early_stopping import SCORE_COLUMN

    figure, axis = pyplot.subplots(figsize=(8, 4.5))
    for column in losses.columns.drop(['Epoch', SCORE_COLUMN], errors='ignore'):
        axis.plot(losses['Epoch'], losses[column], label=column)
    axis.set(xlabel='Epoch', ylabel='Loss', title='AttnCorrGANSynthesizer losses')
    axis.legend(loc='upper left')
    if SCORE_COLUMN in losses:
        scored = losses.dropna(subset=[SCORE_COLUMN])  # a score every few epochs
        right = axis.twinx()
        right.plot(scored['Epoch'], scored[SCORE_COLUMN], 'k.-', label=SCORE_COLUMN)
        right.set(ylabel=SCORE_COLUMN)
        right.legend(loc='upper right')
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)


def run(args: argparse.Namespace) -> None:
    """Run the demo."""
    from sdv.single_table import GaussianCopulaSynthesizer

    from sdv_attncorr import AttnCorrGANSynthesizer
    from sdv_attncorr.datasets import load_demo

    folder = Path(args.out)
    _check_outputs(folder, args.force)
    data, metadata, table = load_demo()
    epochs = {} if args.epochs is None else {'epochs': args.epochs}
    print(f'Fitting AttnCorrGANSynthesizer on {table} ({len(data)} rows)...')
    ours = AttnCorrGANSynthesizer(metadata, verbose=True, **epochs)
    synthetic, score, seconds = _fit_and_score(ours, data, metadata, table)
    _, copula_score, copula_seconds = _fit_and_score(
        GaussianCopulaSynthesizer(metadata), data, metadata, table
    )
    print(f'\nSDMetrics quality score (synthetic vs the {len(data)} real rows):')
    print(f'  AttnCorrGANSynthesizer     {score:.3f}  (fit {seconds:.0f} s)')
    print(f'  GaussianCopulaSynthesizer  {copula_score:.3f}  (fit {copula_seconds:.1f} s)')
    folder.mkdir(parents=True, exist_ok=True)
    synthetic.to_csv(folder / 'synthetic.csv', index=False)
    losses = ours.get_loss_values()
    losses.to_csv(folder / 'loss_values.csv', index=False)
    _save_loss_curve(losses, folder / 'loss_curve.png')
    print(f'Wrote {", ".join(OUTPUTS)} to {folder}/')
