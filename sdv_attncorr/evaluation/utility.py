"""Machine-learning utility: train on synthetic, test on real, against train on real.

Both models are scikit-learn ``HistGradientBoosting`` estimators with a fixed ``random_state``,
fed every evaluated column but the target (categories as native categorical features; a column
with more than 255 categories as its category codes). The real test set is ``holdout_data``
when given; otherwise a quarter of ``real_data``, which the synthesizer may have seen, so the
train-on-synthetic scores may be optimistic. Classification reports accuracy and macro F1, and
ROC AUC when the target is binary; regression reports R² and RMSE. The models run on one
OpenMP thread: spinning OpenMP threads slow down 5-10x when the cores are shared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, f1_score, mean_squared_error, r2_score, roc_auc_score
from threadpoolctl import threadpool_limits

from sdv_attncorr.evaluation.columns import EncodedTable, sample_rows

_MAX_CATEGORIES = 255
SEEN_TEST_SET_NOTE = (
    'No holdout_data was given: the test set is a split of real_data, which the synthesizer '
    'may have seen during training, so train-on-synthetic scores may be optimistic.'
)


def _design_matrices(tables, target):
    numeric = [column for column in tables[0].numeric.columns if column != target]
    categorical = [column for column in tables[0].categorical.columns if column != target]
    frames = [table.numeric[numeric].copy() for table in tables]
    is_categorical = [False] * len(numeric)
    for column in categorical:
        levels = pd.Index(sorted(set().union(*(table.categorical[column] for table in tables))))
        for frame, table in zip(frames, tables):
            frame[column] = levels.get_indexer(table.categorical[column]).astype('float64')
        is_categorical.append(len(levels) <= _MAX_CATEGORIES)

    return [frame.to_numpy() for frame in frames], np.array(is_categorical, dtype=bool)


def _labels(table, target, task):
    if task == 'classification':
        return table.categorical[target].to_numpy()

    return table.numeric[target].to_numpy(dtype='float64')


def _classification_scores(model, features, labels, positive):
    predicted = model.predict(features)
    scores: dict[str, float | None] = {
        'accuracy': float(accuracy_score(labels, predicted)),
        'macro_f1': float(f1_score(labels, predicted, average='macro', zero_division=0)),
    }
    if positive is not None:
        is_positive = labels == positive
        known = positive in model.classes_ and 0 < is_positive.sum() < len(labels)
        probability = model.predict_proba(features)[:, list(model.classes_).index(positive)]
        scores['roc_auc'] = float(roc_auc_score(is_positive, probability)) if known else None

    return scores


def _regression_scores(model, features, labels):
    predicted = model.predict(features)
    return {
        'r2': float(r2_score(labels, predicted)),
        'rmse': float(np.sqrt(mean_squared_error(labels, predicted))),
    }


@dataclass(frozen=True)
class _Learner:
    task: str
    is_categorical: np.ndarray
    positive: object
    seed: int

    def fit_and_score(self, train_x, train_y, test_x, test_y):
        if self.task == 'classification' and len(np.unique(train_y)) < 2:
            return {'error': 'the training set holds a single class of the target'}

        # A feature the training rows never hold (a synthesizer may generate a column all
        # missing) has nothing to bin: scikit-learn's binning fails on it.
        held = ~np.isnan(train_x).all(axis=0)
        if not held.any():
            return {'error': 'the training set holds no value of any feature column'}

        train_x, test_x = train_x[:, held], test_x[:, held]
        if self.task == 'classification':
            estimator = HistGradientBoostingClassifier
        else:
            estimator = HistGradientBoostingRegressor
        model = estimator(categorical_features=self.is_categorical[held], random_state=self.seed)
        with threadpool_limits(limits=1, user_api='openmp'):
            model.fit(train_x, train_y)
            if self.task == 'classification':
                return _classification_scores(model, test_x, test_y, self.positive)

            return _regression_scores(model, test_x, test_y)


def task_for(roles, target):
    """Name the learning task that predicts ``target``.

    Args:
        roles (sdv_attncorr.evaluation.columns.ColumnRoles):
            The column roles.
        target (str):
            The target column.

    Returns:
        str:
            ``'classification'`` for a categorical or boolean target, ``'regression'`` for a
            numerical or datetime one.
    """
    if target in roles.categorical:
        return 'classification'
    if target in roles.numeric:
        return 'regression'

    raise ValueError(
        f'target {target!r} is not a numerical, datetime, categorical or boolean column of the '
        f'metadata; pick one of {list(roles.evaluated)}.'
    )


def _split(real, holdout, rng, max_train_rows, max_test_rows):
    if holdout is None:
        order = rng.permutation(len(real))
        test_rows = max(1, len(real) // 4)
        real, holdout = real.take(np.sort(order[test_rows:])), real.take(np.sort(order[:test_rows]))

    train = real.take(sample_rows(len(real), max_train_rows, rng))
    test = holdout.take(sample_rows(len(holdout), max_test_rows, rng))
    return train, test


def _with_target(table, target, task):
    if task == 'classification':
        return table

    return table.take(np.flatnonzero(table.numeric[target].notna().to_numpy()))


def _positive_class(task, *label_sets):
    labels = np.unique(np.concatenate(label_sets))
    return labels[1] if task == 'classification' and len(labels) == 2 else None


def ml_utility(
    real: EncodedTable,
    synthetic: EncodedTable,
    holdout: EncodedTable | None,
    target: str,
    task: str,
    *,
    max_train_rows: int | None = 20_000,
    max_test_rows: int | None = 10_000,
    seed: int = 0,
    train_on_real: bool = True,
) -> dict:
    """Score train-on-synthetic and train-on-real models on real test rows.

    Args:
        real (sdv_attncorr.evaluation.columns.EncodedTable):
            The real table.
        synthetic (sdv_attncorr.evaluation.columns.EncodedTable):
            The synthetic table.
        holdout (sdv_attncorr.evaluation.columns.EncodedTable or None):
            Real rows the synthesizer did not see; None splits a quarter off ``real``.
        target (str):
            The column to predict.
        task (str):
            ``'classification'`` or ``'regression'`` (see ``task_for``).
        max_train_rows (int or None):
            Each training set is subsampled to this many rows; None keeps all. Defaults to
            20,000.
        max_test_rows (int or None):
            The test set is subsampled to this many rows; None keeps all. Defaults to 10,000.
        seed (int):
            The seed of the split, the subsampling and the models. Defaults to 0.
        train_on_real (bool):
            Also fit the train-on-real model, the reference. Defaults to True; the benchmark
            turns it off (its ``real-half`` row is that reference).

    Returns:
        dict:
            The task, the test set used, the row counts and the scores of both models
            (``train_synthetic_test_real`` and, when asked, ``train_real_test_real``).
    """
    rng = np.random.default_rng(seed)
    train_real, test = _split(real, holdout, rng, max_train_rows, max_test_rows)
    train_synthetic = synthetic.take(sample_rows(len(synthetic), max_train_rows, rng))
    tables = [_with_target(table, target, task) for table in (train_real, train_synthetic, test)]
    (real_x, synthetic_x, test_x), is_categorical = _design_matrices(tables, target)
    real_y, synthetic_y, test_y = (_labels(table, target, task) for table in tables)
    result = {
        'target': target,
        'task': task,
        'test_set': 'holdout_data' if holdout is not None else 'a quarter of real_data',
        'note': None if holdout is not None else SEEN_TEST_SET_NOTE,
        'rows': {
            'train_real': len(real_y),
            'train_synthetic': len(synthetic_y),
            'test': len(test_y),
        },
    }
    if real_x.shape[1] == 0:
        return {**result, 'error': 'no feature columns besides the target'}

    learner = _Learner(task, is_categorical, _positive_class(task, real_y, test_y), seed)
    result['train_synthetic_test_real'] = learner.fit_and_score(
        synthetic_x, synthetic_y, test_x, test_y
    )
    if train_on_real:
        result['train_real_test_real'] = learner.fit_and_score(real_x, real_y, test_x, test_y)
    return result
