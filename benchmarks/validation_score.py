"""Does the validation score track SDMetrics' quality? And what does early stopping keep?

For each table (benchmark split, seed 0), AttnCorrGAN trains for all its epochs with the
validation score on and early stopping never firing; the generator of each scored epoch is
kept. Each one then samples as many rows as the held-out half has, and SDMetrics' quality
against the held-out half is computed. Printed per table: the Spearman correlation between the
score and the quality over the checkpoints, the score's share of fit time, the quality of the
last, the best-scored and the best checkpoint, and, for each patience, where early stopping
would have stopped and the quality of the checkpoint it would have restored.

Usage: python benchmarks/validation_score.py [crop abalone demo credit telco] [--epochs 300]
[--every K] (K > 1 keeps every K-th scored checkpoint, for large tables, which score every
epoch; the patience rows then count kept checkpoints)
"""

import argparse
import copy
import time
import warnings
from unittest import mock

import pandas as pd
from scipy.stats import spearmanr

DATA = '../shared/data'
FILES = {
    'credit': ('credit_data.csv', 'Status'),
    'telco': ('telco_churn.csv', 'churn'),
    'lending': ('lending_club.csv', 'Class'),
    'ames': ('ames_housing.csv', 'MS_Zoning'),
    'diamonds': ('diamonds.csv', 'cut'),
}
PATIENCES = (3, 5, 10, 15, 20)


class Checkpoints:
    """A trainer callback keeping the generator of every ``every``-th scored epoch."""

    def __init__(self, every=1):
        self.epochs, self.scores, self.states = [], [], []
        self.every, self.seen = every, 0

    def on_epoch_end(self, trainer, record):
        """Keep a copy of the generator when the epoch was scored (every ``every``-th time)."""
        if 'Validation Score' not in record:
            return
        self.seen += 1
        if self.seen % self.every == 0 or int(record['Epoch']) + 1 == trainer.epochs:
            self.epochs.append(int(record['Epoch']))
            self.scores.append(record['Validation Score'])
            self.states.append(copy.deepcopy(trainer.generator.state_dict()))


def load(name):
    """Return the benchmark ``Table`` of ``name`` with its seed-0 split."""
    from sdv_attncorr.benchmark.tables import built_in_spec, file_spec, load_table

    if name in FILES:
        file_name, target = FILES[name]
        spec = file_spec(f'{DATA}/{file_name}', target)
    else:
        spec, reason = built_in_spec(name)
        if spec is None:
            raise SystemExit(reason)
    return load_table(spec, [0])


def fit_with_checkpoints(table, epochs, every):
    """Fit AttnCorrGAN on the train half; return it, its checkpoints and the score's seconds."""
    from sdv_attncorr import AttnCorrGANSynthesizer
    from sdv_attncorr.core.training.early_stopping import EarlyStopping
    from sdv_attncorr.models.gan_model import GANModel

    train, _ = table.splits[0]
    synthesizer = AttnCorrGANSynthesizer(
        table.metadata,
        class_column=table.class_column,
        epochs=epochs,
        patience=10**9,
        random_state=0,
    )
    checkpoints, spent = Checkpoints(every), [0.0]
    fit, evaluate = GANModel.fit, EarlyStopping.evaluate

    def fit_keeping(model, data, discrete, callbacks=()):
        fit(model, data, discrete, [*callbacks, checkpoints])

    def timed(callback, generator, device):
        start = time.perf_counter()
        try:
            return evaluate(callback, generator, device)
        finally:
            spent[0] += time.perf_counter() - start

    with mock.patch.object(GANModel, 'fit', fit_keeping):
        with mock.patch.object(EarlyStopping, 'evaluate', timed):
            start = time.perf_counter()
            synthesizer.fit({table.table_name: train})
            seconds = time.perf_counter() - start
    return synthesizer, checkpoints, spent[0] / seconds


def qualities(table, synthesizer, checkpoints):
    """SDMetrics' quality (vs the held-out half) of each checkpoint's samples."""
    from sdv_attncorr.evaluation.quality import quality_report

    _, test = table.splits[0]
    generator = synthesizer._model.engine.generator
    values = []
    for state in checkpoints.states:
        generator.load_state_dict(state)
        synthesizer.reset_sampling()
        sampled = synthesizer.sample(len(test))[table.table_name]
        values.append(quality_report(test, sampled, table.metadata).get_score())
    return values


def stop_of(scores, patience):
    """Index where early stopping with ``patience`` stops, and the best index it restores."""
    best, stale = 0, 0
    for index in range(1, len(scores)):
        if scores[index] > scores[best]:
            best, stale = index, 0
            continue
        stale += 1
        if stale >= patience:
            return index, best
    return len(scores) - 1, best


def report(name, checkpoints, quality, share):
    """Print one table's figures."""
    frame = pd.DataFrame(
        {'epoch': checkpoints.epochs, 'score': checkpoints.scores, 'quality': quality}
    )
    rho = spearmanr(frame['score'], frame['quality']).statistic
    late = frame.iloc[len(frame) // 2 :]
    rho_late = spearmanr(late['score'], late['quality']).statistic
    best_scored = frame['score'].idxmax()
    print(f'\n## {name}: {len(frame)} checkpoints, score {100 * share:.1f} % of fit time')
    print(f'Spearman(score, quality): all {rho:.3f}, second half {rho_late:.3f}')
    print(
        f'quality: last {frame["quality"].iloc[-1]:.4f}, best-scored '
        f'{frame["quality"][best_scored]:.4f} (epoch {frame["epoch"][best_scored]}), '
        f'best {frame["quality"].max():.4f}'
    )
    print('| patience | stops at epoch | restores epoch | quality |\n|---:|---:|---:|---:|')
    for patience in PATIENCES:
        stop, best = stop_of(list(frame['score']), patience)
        print(
            f'| {patience} | {frame["epoch"][stop]} | {frame["epoch"][best]} | '
            f'{frame["quality"][best]:.4f} |'
        )
    print(frame.round(4).to_csv(index=False))


def main():
    """Run the study on the tables named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('tables', nargs='*', default=['crop', 'abalone', 'demo'])
    parser.add_argument('--epochs', type=int, default=300)
    parser.add_argument('--every', type=int, default=1, help='keep every k-th scored checkpoint')
    arguments = parser.parse_args()
    warnings.filterwarnings('ignore')
    for name in arguments.tables:
        table = load(name)
        fitted, checkpoints, share = fit_with_checkpoints(table, arguments.epochs, arguments.every)
        report(name, checkpoints, qualities(table, fitted, checkpoints), share)


if __name__ == '__main__':
    main()
