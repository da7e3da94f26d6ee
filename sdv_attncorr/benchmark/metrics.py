"""Scores of one synthetic table against the held-out real half (and the train half).

SDV's quality score and its properties, Column Pair Trends over every pair, the mean and the
class-wise |Δ Pearson|, and train-synthetic-test-real utility (TSTR), all against the held-out
half; the rest of what ``sdv_attncorr.evaluation.evaluate`` summarises (SDMetrics' diagnostic,
the meta-feature distance, privacy) against the train half the synthesizer saw, with the
held-out half as the privacy baseline.
"""

import math

import numpy as np
import pandas as pd

from sdv_attncorr.benchmark.tables import DISCRETE_SDTYPES, is_discrete

MIN_CLASS_ROWS = 3


def table_columns(metadata, table_name):
    """Return ``{column: column metadata}`` of one table of an SDV ``Metadata``."""
    return metadata.to_dict()['tables'][table_name]['columns']


def numeric_columns(metadata, table_name):
    """Columns of sdtype ``numerical``, in metadata order."""
    columns = table_columns(metadata, table_name)
    return [name for name, info in columns.items() if info['sdtype'] == 'numerical']


def mean_abs_pearson_delta(real, synthetic, columns):
    """Mean over column pairs of |Pearson(real) - Pearson(synthetic)|.

    Pairs whose correlation is undefined on either side (constant column, < 3 rows) are left
    out; NaN when no pair is left.
    """
    if len(columns) < 2:
        return math.nan

    def pearson(frame):
        numbers = frame[columns].apply(pd.to_numeric, errors='coerce')
        return numbers.corr(method='pearson', min_periods=MIN_CLASS_ROWS).to_numpy()

    delta = np.abs(pearson(real) - pearson(synthetic))[np.triu_indices(len(columns), k=1)]
    delta = delta[np.isfinite(delta)]
    return float(delta.mean()) if delta.size else math.nan


def classwise_pearson_delta(real, synthetic, columns, class_column):
    """Mean |Δ Pearson| within each class, weighted by the class's frequency in ``real``.

    Classes with fewer than 3 rows on either side (or no defined pair) are left out and the
    weights renormalised; NaN when no class is left.
    """
    real_classes = real[class_column].astype(str)
    synthetic_classes = synthetic[class_column].astype(str)
    deltas, weights = [], []
    for value in real[class_column].dropna().astype(str).unique():
        real_group = real[real_classes == value]
        synthetic_group = synthetic[synthetic_classes == value]
        if min(len(real_group), len(synthetic_group)) < MIN_CLASS_ROWS:
            continue
        delta = mean_abs_pearson_delta(real_group, synthetic_group, columns)
        if not math.isnan(delta):
            deltas.append(delta)
            weights.append(len(real_group))

    return float(np.average(deltas, weights=weights)) if deltas else math.nan


def quality_scores(real, synthetic, metadata, table_name):
    """SDV's quality score and its two properties, plus Column Pair Trends over every pair.

    ``evaluate_quality`` (sdmetrics 0.32 ``QualityReport``) averages Column Pair Trends only
    over pairs whose real |Pearson| > 0.5 or Cramér's V > 0.3. The all-pairs figure is the
    same report with ``real_correlation_threshold`` and ``real_association_threshold`` at 0.
    """
    from sdmetrics.reports import QualityReport
    from sdv.evaluation import evaluate_quality

    report = evaluate_quality(real, synthetic, metadata, verbose=False)
    properties = report.get_properties().set_index('Property')['Score']
    everything = QualityReport()
    everything.real_correlation_threshold = 0
    everything.real_association_threshold = 0
    everything.generate(
        {table_name: real}, {table_name: synthetic}, metadata.to_dict(), verbose=False
    )
    all_pairs = everything.get_properties().set_index('Property')['Score']
    return {
        'quality': float(report.get_score()),
        'shapes': float(properties['Column Shapes']),
        'pair_trends': float(properties['Column Pair Trends']),
        'pair_trends_all': float(all_pairs['Column Pair Trends']),
    }


def feature_frame(frame, columns, target, categories):
    """Model inputs: numbers as floats, dates as days, discrete columns as pandas categories.

    ``categories`` maps each discrete column to its categories (as strings); values outside
    them become missing. Columns of other sdtypes (ids, PII) are dropped.
    """
    features = {}
    for name, info in columns.items():
        if name == target:
            continue
        if info['sdtype'] == 'numerical':
            features[name] = pd.to_numeric(frame[name], errors='coerce')
        elif info['sdtype'] == 'datetime':
            dates = pd.to_datetime(frame[name], format=info.get('datetime_format'), errors='coerce')
            features[name] = (dates - pd.Timestamp(0)).dt.total_seconds() / 86400
        elif name in categories:
            values = frame[name].map(str, na_action='ignore')
            features[name] = pd.Categorical(values, categories=categories[name])

    return pd.DataFrame(features, index=frame.index)


def _target(frame, target, classify):
    if classify:
        return frame[target].map(str, na_action='ignore')

    return pd.to_numeric(frame[target], errors='coerce')


def utility_score(train, test, metadata, table_name, target):
    """Train on ``train``, test on ``test``: macro F1 for a discrete target, else R².

    Uses sklearn's HistGradientBoosting{Classifier,Regressor} (random_state 0, native
    categorical support).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.metrics import f1_score, r2_score

    columns = table_columns(metadata, table_name)
    discrete = [name for name, info in columns.items() if info['sdtype'] in DISCRETE_SDTYPES]
    both = pd.concat([train, test])
    categories = {name: sorted(both[name].dropna().map(str).unique()) for name in discrete}
    classify = target in discrete
    y_train, y_test = (_target(frame, target, classify) for frame in (train, test))
    x_train = feature_frame(train, columns, target, categories)[y_train.notna()]
    x_test = feature_frame(test, columns, target, categories)[y_test.notna()]
    y_train, y_test = y_train.dropna(), y_test.dropna()
    if classify and y_train.nunique() < 2:
        predictions = np.full(len(y_test), y_train.iloc[0] if len(y_train) else '', object)
        return float(f1_score(y_test, predictions, average='macro'))

    model_class = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
    predictions = model_class(random_state=0).fit(x_train, y_train).predict(x_test)
    if classify:
        return float(f1_score(y_test, predictions, average='macro'))

    return float(r2_score(y_test, predictions))


def report_scores(train, test, synthetic, metadata):
    """Diagnostic, MFS distance and privacy from ``sdv_attncorr.evaluation.evaluate``.

    The synthetic table is compared with the ``train`` half it was fitted on; ``test`` is the
    privacy baseline (real rows the synthesizer never saw).

    Args:
        train (pandas.DataFrame):
            The real rows the synthesizer was fitted on.
        test (pandas.DataFrame):
            The held-out real rows.
        synthetic (pandas.DataFrame):
            The synthetic rows.
        metadata (sdv.metadata.Metadata):
            The table's metadata.

    Returns:
        dict:
            ``diagnostic``, ``mfs_distance``, ``exact_copy_share`` (share of synthetic rows
            equal to a train row) and ``dcr_ratio`` (median distance of synthetic rows to
            their closest train row over that of held-out rows: about 1 is private, near 0 is
            copying); NaN where the report skipped a figure.
    """
    from sdv_attncorr.evaluation import evaluate as evaluate_report

    summary = evaluate_report(train, synthetic, metadata, holdout_data=test).summary()
    privacy = summary['privacy'] or {}

    def number(value):
        return math.nan if value is None else float(value)

    return {
        'diagnostic': number(summary['diagnostic_score']),
        'mfs_distance': number(summary['mfs_distance']),
        'exact_copy_share': number(privacy.get('exact_copy_share')),
        'dcr_ratio': number(privacy.get('dcr_median_ratio')),
    }


def evaluate(train, test, synthetic, metadata, table_name, target):
    """Every figure of one synthetic table: quality against the held-out ``test`` half.

    Args:
        train (pandas.DataFrame):
            The real rows the synthesizer was fitted on (privacy, meta-feature distance).
        test (pandas.DataFrame):
            The held-out real rows (quality, correlations, TSTR's test set).
        synthetic (pandas.DataFrame):
            The synthetic rows.
        metadata (sdv.metadata.Metadata):
            The table's metadata.
        table_name (str):
            The table's name in ``metadata``.
        target (str):
            The column TSTR predicts.

    Returns:
        dict:
            ``quality``, ``shapes``, ``pair_trends``, ``pair_trends_all``, ``pearson_delta``,
            ``classwise_delta`` (NaN without a class column) and ``utility`` against ``test``;
            ``diagnostic``, ``mfs_distance``, ``exact_copy_share`` and ``dcr_ratio`` (see
            ``report_scores``).
    """
    class_column = target if is_discrete(metadata, table_name, target) else None
    numbers = numeric_columns(metadata, table_name)
    scores = quality_scores(test, synthetic, metadata, table_name)
    scores['pearson_delta'] = mean_abs_pearson_delta(test, synthetic, numbers)
    scores['classwise_delta'] = (
        classwise_pearson_delta(test, synthetic, numbers, class_column)
        if class_column
        else math.nan
    )
    scores['utility'] = utility_score(synthetic, test, metadata, table_name, target)
    scores.update(report_scores(train, test, synthetic, metadata))
    return scores
