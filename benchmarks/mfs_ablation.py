"""What the MFS loss buys: WGANGPMFSSynthesizer with and without it, over several splits.

For each seed: a 50/50 split of a table (abalone by default), WGANGPMFSSynthesizer at its
defaults and with ``mfs_weight=0``, each scored against the held-out half with
``sdv_attncorr.evaluation.evaluate`` (MFS distance: pymfe's statistical meta-features on
subsamples; quality: SDMetrics). Prints one row per seed and the means, plus seconds per epoch
(the MFS overhead). Targets (issue): MFS distance at least 30 % lower with the loss; seconds per
epoch at most 1.15 x those without it.

Usage: python benchmarks/mfs_ablation.py [--seeds 3] [--table PATH] [--epochs N]
"""

import argparse
import time
import warnings
from pathlib import Path

import pandas as pd
import torch

ABALONE = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'abalone_cleaned.csv'


def fit_and_score(train, held_out, **arguments):
    """Fit WGANGPMFS on ``train``; return quality, MFS distance and seconds per epoch."""
    from sdv.metadata import Metadata

    from sdv_attncorr import WGANGPMFSSynthesizer
    from sdv_attncorr.evaluation import evaluate

    metadata = Metadata.detect_from_dataframes({'table': train})
    synthesizer = WGANGPMFSSynthesizer(metadata, **arguments)
    started = time.perf_counter()
    synthesizer.fit({'table': train})
    seconds = time.perf_counter() - started
    synthetic = synthesizer.sample(len(train))['table']
    summary = evaluate(held_out, synthetic, metadata).summary()
    return summary['quality_score'], summary['mfs_distance'], seconds / synthesizer.epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--table', default=str(ABALONE))
    parser.add_argument('--epochs', type=int, default=300)
    args = parser.parse_args()
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)
    data = pd.read_csv(args.table)
    print('| seed | quality (MFS) | quality (no MFS) | MFS distance (MFS) | (no MFS) | reduction |'
          ' s/epoch (MFS) | s/epoch (no MFS) |')  # fmt: skip
    print('|---:|---:|---:|---:|---:|---:|---:|---:|')
    rows = []
    for seed in range(args.seeds):
        train = data.sample(frac=0.5, random_state=seed)
        held_out = data.drop(train.index)
        with_loss = fit_and_score(train, held_out, epochs=args.epochs)
        without = fit_and_score(train, held_out, epochs=args.epochs, mfs_weight=0.0)
        rows.append((*with_loss, *without))
        print_row(seed, rows[-1])

    means = [sum(column) / len(rows) for column in zip(*rows)]
    print_row('mean', means)


def print_row(label, row):
    quality, distance, epoch_seconds, quality_off, distance_off, epoch_seconds_off = row
    reduction = 1 - distance / distance_off
    print(
        f'| {label} | {quality:.3f} | {quality_off:.3f} | {distance:.3f} | {distance_off:.3f} | '
        f'{reduction:.0%} | {epoch_seconds:.3f} | {epoch_seconds_off:.3f} |',
        flush=True,
    )


if __name__ == '__main__':
    main()
