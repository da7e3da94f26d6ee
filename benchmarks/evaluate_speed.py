"""How long does ``evaluate`` take on a 32k-row, 15-column mixed table?

Builds a real and a "synthetic" table with numpy (fixed seeds: 10 correlated numeric columns,
5 categorical columns driven by the same latent factors; the synthetic one from another seed
with weaker correlations), runs ``evaluate`` with a class column and prints the seconds of each
section and the total. Target: at most 60 s on 2 CPU cores. ``--save DIR`` also times writing
the report (plots), which is not part of the target.

    .venv/bin/python benchmarks/evaluate_speed.py [--rows 32000] [--holdout] [--save DIR]
"""

import argparse
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from sdv.metadata import Metadata

from sdv_attncorr.evaluation import evaluate

LETTERS = np.array(list('abcdefgh'))


def make_table(num_rows, seed, coupling):
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(num_rows, 4))
    table = {}
    for index in range(10):
        signal = latent[:, index % 4] * coupling + rng.normal(size=num_rows)
        table[f'x{index}'] = signal * (index + 1) + 10 * index
    for index in range(5):
        score = latent[:, index % 4] * coupling + rng.normal(size=num_rows) * 0.5
        table[f'c{index}'] = LETTERS[np.clip((score * 2 + 4).astype(int), 0, 7)]

    return pd.DataFrame(table)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rows', type=int, default=32_000)
    parser.add_argument('--save', help='also write the report to this folder and time it')
    parser.add_argument('--holdout', action='store_true', help='add a holdout of rows/4 rows')
    args = parser.parse_args()

    real = make_table(args.rows, seed=0, coupling=1.0)
    synthetic = make_table(args.rows, seed=1, coupling=0.7)
    holdout = make_table(args.rows // 4, seed=2, coupling=1.0) if args.holdout else None
    metadata = Metadata.detect_from_dataframes({'mixed': real})
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        report = evaluate(real, synthetic, metadata, class_column='c0', holdout_data=holdout)
    total = time.perf_counter() - start

    print(f'evaluate on {len(real)} rows x {real.shape[1]} columns')
    print(f'{"section":<24}{"seconds":>10}')
    for section, seconds in report.timings.items():
        print(f'{section:<24}{seconds:>10.2f}')
    print(f'{"total (evaluate)":<24}{total:>10.2f}')
    folder = args.save or tempfile.mkdtemp(prefix='evaluate_speed_')
    start = time.perf_counter()
    report.save(folder, overwrite=True)
    print(f'{"save (plots, files)":<24}{time.perf_counter() - start:>10.2f}   -> {folder}')
    for name, text in report.summary()['subsampling'].items():
        print(f'  {name}: {text}')


if __name__ == '__main__':
    main()
