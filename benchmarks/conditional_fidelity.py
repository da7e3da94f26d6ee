"""Conditions on two discrete columns: how well a third column follows the real rows.

For each table, each pair of conditioned columns and each of their most frequent value pairs
(at least ``MIN_ROWS`` real rows), ``sample_from_conditions`` asks for ``SAMPLED`` rows; the
figure is the total variation distance between the third column's distribution in those rows
and in the real rows with the same two values (0: the same; 1: disjoint), averaged with the
real rows' counts as weights. Ours conditions natively; SDV's CTGANSynthesizer by reject
sampling. The "no condition" row is the distance of the real conditional to the real marginal:
what a model ignoring the condition would score. Fits on the whole table, one thread.

Usage: python benchmarks/conditional_fidelity.py [--seeds 3] [--epochs 300]
"""

import argparse
import warnings

import numpy as np
import pandas as pd
import torch

DATA = '../shared/data'
MIN_ROWS = 30
COMBINATIONS = 4
SAMPLED = 500
TABLES = {
    'demo': [(('degree_type', 'work_experience'), 'placed'), (('gender', 'mba_spec'), 'placed')],
    'credit': [(('Home', 'Marital'), 'Status'), (('Job', 'Records'), 'Status')],
}


def load(name):
    """Return ``(table, metadata, table name)``."""
    from sdv.metadata import Metadata

    from sdv_attncorr.datasets import load_demo

    if name == 'demo':
        return load_demo()
    data = pd.read_csv(f'{DATA}/credit_data.csv')
    return data, Metadata.detect_from_dataframes({'credit': data}), 'credit'


def tvd(real, synthetic):
    """Total variation distance between two samples of one discrete column."""
    p = real.astype(str).value_counts(normalize=True)
    q = synthetic.astype(str).value_counts(normalize=True)
    return 0.5 * p.subtract(q, fill_value=0).abs().sum()


def frequent_pairs(data, columns):
    counts = data.groupby(list(columns)).size().sort_values(ascending=False)
    return [(values, count) for values, count in counts.items() if count >= MIN_ROWS][:COMBINATIONS]


def conditional_distance(data, pairs, sample):
    """Weighted mean TVD over the table's condition pairs; ``sample(conditions)`` gives rows."""
    distances, weights = [], []
    for columns, target in pairs:
        for values, count in frequent_pairs(data, columns):
            conditions = dict(zip(columns, values))
            real = data.loc[(data[list(columns)] == pd.Series(conditions)).all(axis=1), target]
            distances.append(tvd(real, sample(conditions, target)))
            weights.append(count)
    return float(np.average(distances, weights=weights))


def fitted(kind, metadata, data, table, seed, epochs):
    from sdv.single_table import CTGANSynthesizer

    from sdv_attncorr import AttnCorrGANSynthesizer

    if kind == 'ctgan':
        synthesizer = CTGANSynthesizer(metadata, epochs=epochs)
    else:
        share = {'attncorr': 0.0, 'attncorr trained on several columns': 0.5}[kind]
        synthesizer = AttnCorrGANSynthesizer(
            metadata, epochs=epochs, random_state=seed, multi_column_conditions=share
        )
    synthesizer.fit({table: data})
    return synthesizer


def run(seeds, epochs):
    from sdv.sampling import Condition

    rows = []
    for name, pairs in TABLES.items():
        data, metadata, table = load(name)

        def real_marginal(conditions, target, data=data):
            return data[target].sample(SAMPLED, replace=True, random_state=0)

        rows.append((name, 'no condition', conditional_distance(data, pairs, real_marginal)))
        for kind in ('attncorr', 'attncorr trained on several columns', 'ctgan'):
            for seed in range(seeds):
                torch.manual_seed(seed)
                np.random.seed(seed)
                synthesizer = fitted(kind, metadata, data, table, seed, epochs)

                def sample(conditions, target, synthesizer=synthesizer, table=table):
                    condition = Condition(conditions, num_rows=SAMPLED)
                    return synthesizer.sample_from_conditions([condition])[table][target]

                distance = conditional_distance(data, pairs, sample)
                rows.append((name, kind, distance))
                print(name, kind, seed, round(distance, 3), flush=True)
    return pd.DataFrame(rows, columns=['table', 'synthesizer', 'tvd'])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--epochs', type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.filterwarnings('ignore')
    results = run(args.seeds, args.epochs)
    summary = results.groupby(['table', 'synthesizer'], sort=False)['tvd'].agg(['mean', 'std'])
    print(summary.round(3).to_string())


if __name__ == '__main__':
    main()
