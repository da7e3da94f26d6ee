"""What the MFS loss costs: seconds per epoch of WGANGPMFS with and without it.

Target (issue #5): seconds per epoch with the default MFS loss at most 1.15 x those with
``mfs_weight=0``. On a shared 2-core machine one long fit per setting is too noisy to show a
15 % difference (we saw the same setting vary by 1.5 x), so this script interleaves short fits
of both settings, times each with the process's CPU time (not wall time: other jobs' turns on
the cores do not count), and compares the medians. One thread, the train half of abalone.

Usage: python benchmarks/mfs_overhead.py [--repeats 7] [--epochs 20] [--table PATH]
"""

import argparse
import statistics
import time
import warnings
from pathlib import Path

import pandas as pd
import torch

ABALONE = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'abalone_cleaned.csv'


def seconds_per_epoch(train, metadata, epochs, **arguments):
    """CPU seconds per epoch of one fit (preprocessing included, the same for every setting)."""
    from sdv_attncorr import WGANGPMFSSynthesizer

    synthesizer = WGANGPMFSSynthesizer(metadata, epochs=epochs, **arguments)
    started = time.process_time()
    synthesizer.fit({'table': train})
    return (time.process_time() - started) / epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--epochs', type=int, default=20)
    parser.add_argument('--table', default=str(ABALONE))
    args = parser.parse_args()
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)
    from sdv.metadata import Metadata

    train = pd.read_csv(args.table).sample(frac=0.5, random_state=0)
    metadata = Metadata.detect_from_dataframes({'table': train})
    settings = {'default MFS loss': {}, 'mfs_interval=1': {'mfs_interval': 1}}
    settings['mfs_weight=0'] = {'mfs_weight': 0.0}
    times = {name: [] for name in settings}
    for _ in range(args.repeats):
        for name, arguments in settings.items():
            times[name].append(seconds_per_epoch(train, metadata, args.epochs, **arguments))

    base = statistics.median(times['mfs_weight=0'])
    print('| setting | median s/epoch | runs (s/epoch) | ratio to mfs_weight=0 |')
    print('|---|---:|---|---:|')
    for name, values in times.items():
        median = statistics.median(values)
        runs = ' '.join(f'{value:.3f}' for value in values)
        print(f'| {name} | {median:.3f} | {runs} | {median / base:.2f} |')


if __name__ == '__main__':
    main()
