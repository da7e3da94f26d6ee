"""Scores of one synthetic table, each computed by ``sdv_attncorr.evaluation``.

Against the held-out half: SDV's quality score and its properties, Column Pair Trends over every
pair, the mean and the class-wise |Δ Pearson| over the ``numerical`` columns, and
train-synthetic-test-real utility (TSTR). Against the train half the synthesizer saw: SDMetrics'
diagnostic, the meta-feature distance and privacy, with the held-out half as the privacy
baseline. Only the reports and models these figures read are run.
"""

from __future__ import annotations

import math

import pandas as pd
from sdv.metadata import Metadata

from sdv_attncorr.benchmark.tables import is_discrete
from sdv_attncorr.evaluation.columns import ColumnRoles, EncodedTable, encode
from sdv_attncorr.evaluation.correlation import (
    classwise_correlation_distance,
    correlation_distance,
)
from sdv_attncorr.evaluation.limits import Limits
from sdv_attncorr.evaluation.metafeatures import mfs_distance
from sdv_attncorr.evaluation.privacy import privacy_metrics
from sdv_attncorr.evaluation.quality import (
    QualityResult,
    all_pairs_quality_report,
    diagnostic_report,
    quality_report,
)
from sdv_attncorr.evaluation.utility import ml_utility, task_for

LIMITS = Limits()
"""Limits: The subsample sizes of the meta-feature distance and of privacy (``evaluate``'s)."""


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)


def table_columns(metadata: Metadata, table_name: str) -> dict:
    """Return ``{column: column metadata}`` of one table of an SDV ``Metadata``."""
    return metadata.to_dict()['tables'][table_name]['columns']


def numeric_columns(metadata: Metadata, table_name: str) -> list[str]:
    """Columns of sdtype ``numerical``, in metadata order."""
    columns = table_columns(metadata, table_name)
    return [name for name, info in columns.items() if info['sdtype'] == 'numerical']


def _encoded(
    metadata: Metadata, table_name: str, *frames: pd.DataFrame
) -> tuple[ColumnRoles, list[EncodedTable]]:
    roles = ColumnRoles.from_metadata(table_columns(metadata, table_name))
    return roles, [encode(frame, roles) for frame in frames]


def sdmetrics_scores(
    train: pd.DataFrame,
    test: pd.DataFrame,
    synthetic: pd.DataFrame,
    metadata: Metadata,
    table_name: str,
) -> dict[str, float]:
    """SDMetrics' figures: quality against ``test``, the diagnostic against ``train``.

    The standard quality report averages Column Pair Trends only over pairs whose real |Pearson|
    > 0.5 or Cramér's V > 0.3 (SDMetrics 0.32); ``pair_trends_all`` is the same report with both
    thresholds at 0.

    Returns:
        dict[str, float]:
            ``quality``, ``shapes``, ``pair_trends``, ``pair_trends_all`` and ``diagnostic``.
    """
    summary = QualityResult(
        quality_report=quality_report(test, synthetic, metadata),
        all_pairs_report=all_pairs_quality_report(test, synthetic, metadata, table_name),
        diagnostic_report=diagnostic_report(train, synthetic, metadata),
        table_name=table_name,
    ).summary()
    return {
        'quality': summary['quality_score'],
        'shapes': summary['column_shapes'],
        'pair_trends': summary['column_pair_trends'],
        'pair_trends_all': summary['column_pair_trends_all_pairs'],
        'diagnostic': summary['diagnostic_score'],
    }


def pearson_scores(
    test: pd.DataFrame,
    synthetic: pd.DataFrame,
    numbers: list[str],
    class_column: str | None,
) -> dict[str, float]:
    """Mean |Δ Pearson| over the pairs of ``numbers``, overall and within each class.

    The evaluation's correlation distances on the ``numbers`` columns alone, with pairs whose r
    is undefined on either side (a constant or all-missing column) left out: on ``demo`` the
    numbers missing exactly when a student is not placed would otherwise count as perfectly
    kept pairs in that class. Classes with fewer than ``MIN_CLASS_ROWS`` (10) rows on either side
    are left out and the class weights (held-out frequencies) renormalised.

    Returns:
        dict[str, float]:
            ``pearson_delta`` and ``classwise_delta`` (NaN without ``class_column``, or without a
            class left); ``pearson_delta`` is NaN with fewer than 2 columns.
    """
    roles = ColumnRoles(tuple(numbers), ())
    overall = correlation_distance(encode(test, roles), encode(synthetic, roles), math.nan)
    scores = {'pearson_delta': _number(overall.mean_abs_diff), 'classwise_delta': math.nan}
    if class_column is not None:
        roles = ColumnRoles(tuple(numbers), (class_column,))
        classwise = classwise_correlation_distance(
            encode(test, roles), encode(synthetic, roles), class_column, undefined=math.nan
        )
        scores['classwise_delta'] = _number(classwise.mean_abs_diff)

    return scores


def utility_score(
    train: pd.DataFrame,
    test: pd.DataFrame,
    synthetic: pd.DataFrame,
    metadata: Metadata,
    table_name: str,
    target: str,
) -> float:
    """TSTR: the evaluation's train-on-synthetic model on every row, scored on ``test``.

    Macro F1 for a discrete target, R² for a numerical one; NaN when no model could be trained
    (a synthetic table with a single class of the target, or no feature column). No model is
    fitted on ``train``: the ``real-half`` row is that reference.
    """
    roles, (real, held_out, fake) = _encoded(metadata, table_name, train, test, synthetic)
    task = task_for(roles, target)
    result = ml_utility(
        real,
        fake,
        held_out,
        target,
        task,
        max_train_rows=None,
        max_test_rows=None,
        train_on_real=False,
    )
    scores = result.get('train_synthetic_test_real', {})
    return _number(scores.get('macro_f1' if task == 'classification' else 'r2'))


def train_half_scores(
    train: pd.DataFrame,
    test: pd.DataFrame,
    synthetic: pd.DataFrame,
    metadata: Metadata,
    table_name: str,
) -> dict[str, float]:
    """Score the meta-feature distance and privacy of ``synthetic`` against ``train``.

    Returns:
        dict[str, float]:
            ``mfs_distance``, ``exact_copy_share`` (share of synthetic rows equal to a train
            row), ``dcr_ratio`` (median distance of synthetic rows to their closest train row
            over that of held-out rows: about 1 is private, near 0 is copying) and
            ``membership_auc`` (a membership-inference attack's ROC AUC from the distance of
            train and held-out rows to their closest synthetic row: 0.5 is chance); NaN where
            a figure could not be computed.
    """
    _, (real, held_out, fake) = _encoded(metadata, table_name, train, test, synthetic)
    mfs, _ = mfs_distance(
        real,
        fake,
        n_subsamples=LIMITS.mfs_subsamples,
        subsample_rows=LIMITS.mfs_rows,
    )
    privacy = privacy_metrics(
        real,
        fake,
        held_out,
        max_query_rows=LIMITS.dcr_query_rows,
        max_reference_rows=LIMITS.dcr_reference_rows,
    ).summary()
    return {
        'mfs_distance': _number(mfs.distance if mfs else None),
        'exact_copy_share': _number(privacy['exact_copy_share']),
        'dcr_ratio': _number(privacy['dcr_median_ratio']),
        'membership_auc': _number(privacy['membership_inference_auc']),
    }


def evaluate(
    train: pd.DataFrame,
    test: pd.DataFrame,
    synthetic: pd.DataFrame,
    metadata: Metadata,
    table_name: str,
    target: str,
) -> dict[str, float]:
    """Every figure of one synthetic table: quality against the held-out ``test`` half.

    Args:
        train (pandas.DataFrame):
            The real rows the synthesizer was fitted on (diagnostic, meta-feature distance,
            privacy).
        test (pandas.DataFrame):
            The held-out real rows (quality, correlations, TSTR's test set).
        synthetic (pandas.DataFrame):
            The synthetic rows.
        metadata (sdv.metadata.Metadata):
            The table's metadata.
        table_name (str):
            The table's name in ``metadata``.
        target (str):
            The column TSTR predicts; the class column too when it is discrete.

    Returns:
        dict[str, float]:
            ``quality``, ``shapes``, ``pair_trends``, ``pair_trends_all``, ``pearson_delta``,
            ``classwise_delta`` (NaN without a class column) and ``utility`` against ``test``;
            ``diagnostic``, ``mfs_distance``, ``exact_copy_share`` and ``dcr_ratio`` against
            ``train`` (see ``train_half_scores``).
    """
    class_column = target if is_discrete(metadata, table_name, target) else None
    numbers = numeric_columns(metadata, table_name)
    return {
        **sdmetrics_scores(train, test, synthetic, metadata, table_name),
        **pearson_scores(test, synthetic, numbers, class_column),
        'utility': utility_score(train, test, synthetic, metadata, table_name, target),
        **train_half_scores(train, test, synthetic, metadata, table_name),
    }
