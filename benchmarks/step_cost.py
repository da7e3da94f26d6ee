"""What a training step of AttnCorrGAN costs on each table, and how much of it is attention.

For each table (benchmark split, seed 0, train half, defaults): the batch, the steps of a fit
of ``epochs`` epochs, the CPU milliseconds of a step (one critic and one generator update;
the slope between fits of 2 and 6 epochs, early stopping off), and of the column transformer
alone at that batch and token count (forward + backward, as in the generator step, plus a
forward, as in the critic step's generated rows). Process CPU time on one thread, median of
repeats, so other jobs on the machine do not count.

Usage: python benchmarks/step_cost.py [crop telco ames diamonds lending] [--repeats 3]
"""

import argparse
import statistics
import time
import warnings

import torch
from validation_score import load


def step_ms(table, epochs, **options):
    """CPU ms per step between fits of ``epochs`` and ``3 * epochs``, and the fitted engine.

    ``options`` are more arguments of the synthesizer; a fit under DP (``epsilon``) runs
    ``dp_epochs``, set alike.
    """
    from sdv_attncorr import AttnCorrGANSynthesizer

    train, _ = table.splits[0]
    seconds = []
    for n_epochs in (epochs, 3 * epochs):
        synthesizer = AttnCorrGANSynthesizer(
            table.metadata,
            class_column=table.class_column,
            epochs=n_epochs,
            dp_epochs=n_epochs,
            early_stopping=False,
            large_table_rows=None,  # the rule changes the epochs a fit trains, not a step
            random_state=0,
            **options,
        )
        processed = synthesizer.preprocess({table.table_name: train})
        started = time.process_time()
        synthesizer.fit_processed_data(processed)
        seconds.append(time.process_time() - started)
    engine = synthesizer._model.engine
    steps = 2 * epochs * max(1, len(train) // engine.batch_size)
    return 1000 * (seconds[1] - seconds[0]) / steps, engine


def transformer_ms(engine, repeats=10):
    """CPU ms of the generator's column transformer per step: forward + backward + forward."""
    transformer = engine.generator.transformer
    tokens = torch.randn(engine.batch_size, engine.generator.n_tokens, engine.generator.d_token)
    tokens.requires_grad_(True)
    started = time.process_time()
    for _ in range(repeats):
        transformer(tokens).sum().backward()
        with torch.no_grad():
            transformer(tokens)
    return 1000 * (time.process_time() - started) / repeats


def main():
    """Print one line per table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('tables', nargs='*', default=['crop', 'telco', 'ames', 'diamonds'])
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--epochs', type=int, default=300)
    arguments = parser.parse_args()
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)
    print('| table | rows | tokens | batch | steps in 300 epochs | ms / step | transformer ms |')
    print('|---|---:|---:|---:|---:|---:|---:|')
    for name in arguments.tables:
        table = load(name)
        runs = [step_ms(table, 2) for _ in range(arguments.repeats)]
        engine = runs[0][1]
        step = statistics.median(ms for ms, _ in runs)
        attention = statistics.median(transformer_ms(engine) for _ in range(arguments.repeats))
        rows = len(table.splits[0][0])
        steps = arguments.epochs * max(1, rows // engine.batch_size)
        print(
            f'| {name} | {rows} | {engine.generator.n_tokens} | {engine.batch_size} | {steps} | '
            f'{step:.1f} | {attention:.1f} ({100 * attention / step:.0f} %) |',
            flush=True,
        )


if __name__ == '__main__':
    main()
