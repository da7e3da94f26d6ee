"""The validation score tracks SDMetrics' quality; early stopping keeps the best; budgets stop."""

import numpy as np
import pandas as pd
import pytest
import torch
from sdmetrics.reports.single_table import QualityReport

from sdv_attncorr.core.training import early_stopping
from sdv_attncorr.core.training.early_stopping import SCORE_COLUMN, EarlyStopping
from sdv_attncorr.core.training.fidelity import CONTINUOUS_BINS, FidelityScore
from sdv_attncorr.data.encoder import TableEncoder
from tests.conftest import FAST, TABLE


def related_table(n_rows=400, seed=0):
    """Two correlated numbers (one with missing values), a class that drives them, a category."""
    rng = np.random.default_rng(seed)
    label = rng.choice(['a', 'b', 'c'], n_rows)
    shift = pd.Series(label).map({'a': 0.0, 'b': 2.0, 'c': 5.0}).to_numpy()
    x = shift + rng.normal(size=n_rows)
    y = np.exp(0.5 * x + rng.normal(scale=0.3, size=n_rows))
    y[rng.random(n_rows) < 0.1] = np.nan
    colour = np.where(rng.random(n_rows) < 0.8, label, rng.choice(['a', 'b', 'c'], n_rows))
    return pd.DataFrame({'x': x, 'y': y, 'label': label, 'colour': colour})


def shuffled(frame, share, seed=1):
    """Shuffle ``share`` of each column's values among the rows (breaks pairs, keeps shapes)."""
    rng = np.random.default_rng(seed)
    frame = frame.copy()
    for column in frame:
        rows = np.flatnonzero(rng.random(len(frame)) < share)
        frame.loc[rows, column] = frame[column].to_numpy()[rng.permutation(rows)]
    return frame


def sdmetrics_quality(real, synthetic):
    numbers, categories = {'sdtype': 'numerical'}, {'sdtype': 'categorical'}
    columns = {'x': numbers, 'y': numbers, 'label': categories, 'colour': categories}
    report = QualityReport()
    report.generate(real, synthetic, {'columns': columns}, verbose=False)
    return report


def fitted_score(real):
    encoder = TableEncoder().fit(real, ['label', 'colour'])
    edges = torch.from_numpy(encoder.equal_width_edges(real, CONTINUOUS_BINS))
    score = FidelityScore(encoder.fitted_layout(), torch.from_numpy(encoder.transform(real)), edges)
    return score, lambda frame: torch.from_numpy(encoder.transform(frame))


def test_the_score_of_the_reference_itself_is_one():
    real = related_table()
    score, encode = fitted_score(real)

    assert score(encode(real)) == pytest.approx(1.0)


@pytest.mark.parametrize('share', [0.2, 0.5, 0.8])
def test_the_score_is_sdmetrics_quality_on_encoded_rows(share):
    # Shuffled real rows keep each column's values, so SDMetrics' bins (each side's own
    # range) are the reference's, as the score's are.
    real = related_table(seed=0)
    other = shuffled(real, share)
    score, encode = fitted_score(real)
    report = sdmetrics_quality(real, other)
    shapes, pairs = report.get_properties()['Score']

    # KS and TVD are exact on encoded rows; pair trends use normal-score correlations.
    assert float(score.shapes(encode(other)).mean()) == pytest.approx(shapes, abs=1e-6)
    assert float(score.pair_trends(encode(other)).mean()) == pytest.approx(pairs, abs=0.02)
    assert score(encode(other)) == pytest.approx(report.get_score(), abs=0.01)


def test_the_score_falls_as_pairs_are_broken():
    real = related_table(seed=0)
    score, encode = fitted_score(real)

    values = [score(encode(shuffled(related_table(seed=2), share))) for share in (0, 0.4, 0.8)]

    assert values[0] > values[1] > values[2]
    assert score(encode(related_table(seed=2))) > 0.9


class ScriptedScore:
    """A score returning a fixed sequence of values."""

    def __init__(self, values):
        self.values = iter(values)

    def __call__(self, rows):
        return next(self.values)


class FakeTrainer:
    def __init__(self, epochs):
        self.epochs, self.stop_reason = epochs, None
        self.generator = torch.nn.Linear(1, 1)
        self.data = torch.zeros(3, 1)

    def stop(self, reason):
        self.stop_reason = reason


def run(callback, trainer, epochs):
    """Drive ``callback`` as the trainer does; the generator's bias is set to the epoch."""
    callback.on_fit_start(trainer)
    records = []
    for epoch in range(epochs):
        trainer.generator.bias.data.fill_(epoch)
        records.append({'Epoch': epoch})
        callback.on_epoch_end(trainer, records[-1])
        if trainer.stop_reason is not None:
            break
    callback.on_fit_end(trainer)
    return records


def scripted_stopping(values, interval=1, patience=2):
    return EarlyStopping(
        ScriptedScore(values),
        lambda n, rng: torch.zeros(n, 1),
        n_rows=4,
        seed=0,
        interval=interval,
        patience=patience,
    )


def test_early_stopping_stops_after_patience_stale_scores_and_restores_the_best():
    trainer = FakeTrainer(epochs=10)
    callback = scripted_stopping([0.5, 0.7, 0.6, 0.69, 0.9])

    records = run(callback, trainer, 10)

    assert [r[SCORE_COLUMN] for r in records] == [0.5, 0.7, 0.6, 0.69]
    assert trainer.stop_reason == 'no better validation score in 2 scores'
    assert callback.best_epoch == 1
    assert trainer.generator.bias.item() == 1.0


def test_scores_every_interval_and_at_the_last_epoch():
    trainer = FakeTrainer(epochs=7)
    callback = scripted_stopping([0.1, 0.2, 0.3], interval=3, patience=5)

    records = run(callback, trainer, 7)

    assert [r['Epoch'] for r in records if SCORE_COLUMN in r] == [2, 5, 6]
    assert trainer.generator.bias.item() == 6.0


def fit(synthesizer_class, metadata, table, **arguments):
    synthesizer = synthesizer_class(metadata, **{**FAST, **arguments})
    synthesizer.fit({TABLE: table})
    return synthesizer


def test_early_stopping_leaves_training_draws_alone(monkeypatch, mixed_table, mixed_metadata):
    from sdv_attncorr import AttnCorrGANSynthesizer

    monkeypatch.setattr(early_stopping, 'STEPS_PER_SCORE', 1)  # scores between training epochs

    kept = fit(AttnCorrGANSynthesizer, mixed_metadata, mixed_table, epochs=4, early_stopping=True)
    plain = fit(AttnCorrGANSynthesizer, mixed_metadata, mixed_table, epochs=4, early_stopping=False)

    losses = kept.get_loss_values()
    assert losses[SCORE_COLUMN].notna().any()
    assert SCORE_COLUMN not in plain.get_loss_values()
    pd.testing.assert_frame_equal(losses.drop(columns=SCORE_COLUMN), plain.get_loss_values())


def test_a_fit_restores_its_best_scored_generator(monkeypatch, mixed_table, mixed_metadata):
    from sdv_attncorr import WGANGPMFSSynthesizer

    states = {}
    original = EarlyStopping.on_epoch_end

    def remembering(self, trainer, record):
        original(self, trainer, record)
        if SCORE_COLUMN in record:
            state = trainer.generator.state_dict()
            states[record['Epoch']] = {k: v.clone() for k, v in state.items()}

    monkeypatch.setattr(EarlyStopping, 'on_epoch_end', remembering)
    monkeypatch.setattr(early_stopping, 'STEPS_PER_SCORE', 1)  # a score every epoch
    # A high learning rate makes the tiny model's score wander, so its best is not its last.
    synthesizer = fit(
        WGANGPMFSSynthesizer, mixed_metadata, mixed_table, epochs=12, patience=50, generator_lr=0.05
    )

    losses = synthesizer.get_loss_values()
    best = int(losses.loc[losses[SCORE_COLUMN].idxmax(), 'Epoch'])
    assert losses[SCORE_COLUMN].notna().all()
    assert best < 11  # else restoring could not be told from keeping the last
    assert synthesizer._model.engine.best_epoch == best
    generator = synthesizer._model.engine.generator.state_dict()
    assert all(torch.equal(generator[k], states[best][k]) for k in generator)


def test_the_time_budget_ends_training(mixed_table, mixed_metadata):
    from sdv_attncorr import AttnCorrGANSynthesizer

    synthesizer = fit(
        AttnCorrGANSynthesizer, mixed_metadata, mixed_table, epochs=50, max_training_seconds=1e-9
    )

    assert len(synthesizer.get_loss_values()) == 1
    assert synthesizer._model.engine.stop_reason == 'time budget spent'
    assert len(synthesizer.sample(5)[TABLE]) == 5


@pytest.mark.parametrize(
    ('name', 'value'), [('max_training_seconds', 0), ('max_training_seconds', -1), ('patience', 0)]
)
def test_bad_budgets_are_refused(mixed_metadata, name, value):
    from sdv.errors import SynthesizerInputError

    from sdv_attncorr import AttnCorrGANSynthesizer

    with pytest.raises(SynthesizerInputError, match=name):
        AttnCorrGANSynthesizer(mixed_metadata, **{name: value})
