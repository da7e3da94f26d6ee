"""``evaluate``: run every metric on a real and a synthetic table and collect a report."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from sdv.metadata import Metadata

from sdv_attncorr.evaluation.columns import ColumnRoles, EncodedTable, encode
from sdv_attncorr.evaluation.correlation import (
    classwise_correlation_distance,
    correlation_distance,
)
from sdv_attncorr.evaluation.inputs import (
    as_frame,
    check_metadata_columns,
    load_metadata,
    match_tables,
)
from sdv_attncorr.evaluation.limits import Limits
from sdv_attncorr.evaluation.metafeatures import mfs_distance
from sdv_attncorr.evaluation.privacy import privacy_metrics, sdmetrics_privacy
from sdv_attncorr.evaluation.quality import run_sdmetrics_reports
from sdv_attncorr.evaluation.report import EvaluationReport
from sdv_attncorr.evaluation.utility import ml_utility, task_for


class _Timer:
    """Seconds spent in each named section."""

    def __init__(self):
        self.seconds = {}

    @contextmanager
    def section(self, name):
        start = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - start


def _check_roles(roles, class_column):
    if not roles.evaluated:
        raise ValueError(
            'No column to evaluate: every column has an sdtype our metrics skip '
            f'({roles.excluded}); mark the data columns as numerical, datetime, categorical or '
            'boolean in the metadata.'
        )
    if class_column is not None and class_column not in roles.categorical:
        raise ValueError(
            f'class_column {class_column!r} is not a categorical or boolean column of the '
            f'metadata; pick one of {list(roles.categorical)} or update its sdtype.'
        )


def _prepare(real_data, synthetic_data, holdout_data, metadata):
    metadata, table_name = load_metadata(metadata)
    real = as_frame(real_data, 'real_data', table_name)
    check_metadata_columns(real, metadata.to_dict()['tables'][table_name]['columns'])
    synthetic = as_frame(synthetic_data, 'synthetic_data', table_name)
    synthetic = match_tables(real, synthetic, 'synthetic_data')
    holdout = None
    if holdout_data is not None:
        holdout = match_tables(
            real, as_frame(holdout_data, 'holdout_data', table_name), 'holdout_data'
        )

    return metadata, table_name, real, synthetic, holdout


def _loss_values(synthesizer):
    if synthesizer is None:
        return None, 'no synthesizer was given'
    try:
        return synthesizer.get_loss_values(), None
    except Exception as error:  # any synthesizer may fail its own way; the report says how
        return None, f'synthesizer.get_loss_values() failed: {type(error).__name__}: {error}'


@dataclass(frozen=True)
class _Inputs:
    """Everything the metrics read, checked and encoded once."""

    metadata: object
    table_name: str
    roles: ColumnRoles
    raw: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]
    encoded: tuple[EncodedTable, EncodedTable, EncodedTable | None]
    class_column: object
    target: object
    limits: Limits
    seed: int


def _classwise(inputs):
    if inputs.class_column is None:
        return None, 'no class_column was given'

    real, synthetic, _ = inputs.encoded
    min_rows = inputs.limits.min_class_rows
    return classwise_correlation_distance(real, synthetic, inputs.class_column, min_rows), None


def _mfs(inputs):
    real, synthetic, _ = inputs.encoded
    return mfs_distance(
        real,
        synthetic,
        n_subsamples=inputs.limits.mfs_subsamples,
        subsample_rows=inputs.limits.mfs_rows,
        seed=inputs.seed,
    )


def _utility(inputs):
    if inputs.target is None:
        return None, 'neither target nor class_column was given'

    task = task_for(inputs.roles, inputs.target)
    limits = inputs.limits
    real, synthetic, holdout = inputs.encoded
    return ml_utility(
        real,
        synthetic,
        holdout,
        inputs.target,
        task,
        max_train_rows=limits.utility_train_rows,
        max_test_rows=limits.utility_test_rows,
        seed=inputs.seed,
    ), None


def _privacy(inputs):
    limits = inputs.limits
    real, synthetic, holdout = inputs.encoded
    result = privacy_metrics(
        real,
        synthetic,
        holdout,
        max_query_rows=limits.dcr_query_rows,
        max_reference_rows=limits.dcr_reference_rows,
        seed=inputs.seed,
    )
    real_rows, synthetic_rows, holdout_rows = inputs.raw
    if holdout_rows is not None:
        result.sdmetrics = sdmetrics_privacy(
            real_rows,
            synthetic_rows,
            holdout_rows,
            inputs.metadata,
            rows=limits.sdmetrics_privacy_rows,
            seed=inputs.seed,
        )

    return result, None


_SECTIONS = {
    'classwise_correlation': _classwise,
    'mfs': _mfs,
    'ml_utility': _utility,
    'privacy': _privacy,
}


def _run_sections(inputs, timer):
    results: dict[str, object] = {}
    skipped: dict[str, str] = {}
    real, synthetic, _ = inputs.raw
    with timer.section('sdmetrics'):
        results['quality'] = run_sdmetrics_reports(
            real, synthetic, inputs.metadata, inputs.table_name
        )
    with timer.section('correlation'):
        results['correlation'] = correlation_distance(*inputs.encoded[:2])
    for name, run in _SECTIONS.items():
        with timer.section(name):
            results[name], reason = run(inputs)
        if reason is not None:
            skipped[name] = reason

    return results, skipped


def evaluate(
    real_data: pd.DataFrame | dict[str, pd.DataFrame],
    synthetic_data: pd.DataFrame | dict[str, pd.DataFrame],
    metadata: Metadata | dict,
    *,
    class_column: str | None = None,
    target: str | None = None,
    holdout_data: pd.DataFrame | dict[str, pd.DataFrame] | None = None,
    synthesizer: object | None = None,
    limits: Limits | None = None,
    seed: int = 0,
) -> EvaluationReport:
    """Compare a synthetic table with the real one: SDMetrics' reports, our metrics, plots.

    Args:
        real_data (pandas.DataFrame or dict):
            The real table, or SDV's ``{table_name: DataFrame}``.
        synthetic_data (pandas.DataFrame or dict):
            The synthetic table, with the same columns and dtypes.
        metadata (sdv.metadata.Metadata or dict):
            Single-table metadata describing the real table.
        class_column (str or None):
            A categorical column: adds the class-wise correlation distance, and is the default
            ``target``. Defaults to None.
        target (str or None):
            The column the ML-utility models predict; ``class_column`` when None. Without
            either, ML utility is skipped. Defaults to None.
        holdout_data (pandas.DataFrame, dict or None):
            Real rows the synthesizer did not see: the ML-utility test set and the privacy
            baseline. Defaults to None (a split of ``real_data`` is used instead).
        synthesizer (object or None):
            A fitted synthesizer whose ``get_loss_values()`` is plotted. Defaults to None.
        limits (sdv_attncorr.evaluation.Limits or None):
            Subsample sizes of the slow metrics. Defaults to ``Limits()``.
        seed (int):
            The seed of every subsample, split and model. Defaults to 0.

    Returns:
        sdv_attncorr.evaluation.EvaluationReport:
            The report: ``summary()``, ``save(folder)`` and the SDMetrics report objects.
    """
    metadata, table_name, real, synthetic, holdout = _prepare(
        real_data, synthetic_data, holdout_data, metadata
    )
    roles = ColumnRoles.from_metadata(metadata.to_dict()['tables'][table_name]['columns'])
    _check_roles(roles, class_column)
    target = class_column if target is None else target
    if target is not None:
        task_for(roles, target)

    raw = (real, synthetic, holdout)
    encoded = (
        encode(real, roles),
        encode(synthetic, roles),
        None if holdout is None else encode(holdout, roles),
    )
    inputs = _Inputs(
        metadata, table_name, roles, raw, encoded, class_column, target, limits or Limits(), seed
    )
    timer = _Timer()
    results, skipped = _run_sections(inputs, timer)
    loss_values, reason = _loss_values(synthesizer)
    if reason is not None:
        skipped['loss_curves'] = reason

    return EvaluationReport(
        table_name, roles, raw, results, loss_values, skipped, inputs.limits, timer.seconds
    )
