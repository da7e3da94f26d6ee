"""``EvaluationReport``: the results of ``evaluate``, as a summary dict and a folder of files."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sdv_attncorr.evaluation import details, interactive, plots, render
from sdv_attncorr.evaluation.columns import ColumnRoles
from sdv_attncorr.evaluation.limits import Limits
from sdv_attncorr.evaluation.utility import SEEN_TEST_SET_NOTE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ASSOCIATION_NOTE = (
    'correlation_distance is the mean |difference| over column pairs of the association '
    'matrices (Pearson r for numeric x numeric, correlation ratio eta for numeric x categorical, '
    "Cramér's V for categorical x categorical; datetimes count as numeric); "
    'correlation_frobenius is the Frobenius norm of the whole difference matrix.'
)


def jsonable(value: Any) -> Any:
    """Convert numpy scalars and arrays to Python values and NaN to None, recursively.

    Args:
        value (object):
            A value made of dicts, lists, tuples, numbers, strings and None.

    Returns:
        object:
            The same value, ready for ``json.dumps``.
    """
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None

    return value


def _prepare_folder(folder: str | Path, overwrite: bool) -> Path:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f'{folder} is a file; give a folder path for the report.')
    if folder.is_dir() and any(folder.iterdir()) and not overwrite:
        raise FileExistsError(
            f'The folder {folder} is not empty; choose another folder or pass overwrite=True '
            '(--force on the command line) to write the report into it.'
        )

    folder.mkdir(parents=True, exist_ok=True)
    return folder


class EvaluationReport:
    """The results of ``evaluate``.

    Args:
        table_name (str):
            The table's name in the metadata.
        roles (sdv_attncorr.evaluation.columns.ColumnRoles):
            The columns our metrics read.
        raw (tuple):
            The real, synthetic and holdout (or None) DataFrames.
        results (dict):
            Each section's result: ``quality``, ``correlation``, ``classwise_correlation``,
            ``mfs``, ``ml_utility``, ``privacy`` (None where skipped).
        loss_values (pandas.DataFrame or None):
            The synthesizer's loss history.
        skipped (dict[str, str]):
            Why each skipped section was skipped.
        limits (sdv_attncorr.evaluation.Limits):
            The subsample sizes used.
        timings (dict[str, float]):
            Seconds spent in each section.
    """

    def __init__(
        self,
        table_name: str,
        roles: ColumnRoles,
        raw: tuple,
        results: dict,
        loss_values: pd.DataFrame | None,
        skipped: dict[str, str],
        limits: Limits,
        timings: dict[str, float],
    ) -> None:
        self.table_name = table_name
        self.roles = roles
        self.real_data, self.synthetic_data, self.holdout_data = raw
        self.results = results
        self.loss_values = loss_values
        self.skipped = skipped
        self.limits = limits
        self.timings = timings

    @property
    def quality_report(self) -> Any:
        """sdmetrics.reports.QualityReport: The standard report (as SDV's evaluate_quality)."""
        return self.results['quality'].quality_report

    @property
    def all_pairs_quality_report(self) -> Any:
        """sdmetrics.reports.QualityReport: The quality report over all column pairs."""
        return self.results['quality'].all_pairs_report

    @property
    def diagnostic_report(self) -> Any:
        """sdmetrics.reports.DiagnosticReport: The diagnostic report."""
        return self.results['quality'].diagnostic_report

    def _correlation_scores(self):
        correlation = self.results['correlation']
        classwise = self.results['classwise_correlation']
        return {
            'correlation_distance': correlation.mean_abs_diff,
            'correlation_frobenius': correlation.frobenius,
            'classwise_correlation_distance': classwise.mean_abs_diff if classwise else None,
            'classwise_correlation_frobenius': classwise.frobenius if classwise else None,
        }

    def _data_description(self):
        return {
            'rows': {
                'real': len(self.real_data),
                'synthetic': len(self.synthetic_data),
                'holdout': None if self.holdout_data is None else len(self.holdout_data),
            },
            'columns': {
                'numeric': list(self.roles.numeric),
                'categorical': list(self.roles.categorical),
                'excluded': dict(self.roles.excluded),
            },
        }

    def summary(self) -> dict:
        """Return the headline figures as a JSON-ready dict (None where not applicable).

        Returns:
            dict:
                ``quality_score``, ``column_shapes``, ``column_pair_trends``,
                ``column_pair_trends_all_pairs``, ``diagnostic_score``, ``correlation_distance``,
                ``classwise_correlation_distance``, ``mfs_distance``, ``ml_utility`` (dict),
                ``privacy`` (dict) and more, plus ``skipped``, ``subsampling`` and ``notes``.
        """
        mfs = self.results['mfs']
        privacy = self.results['privacy']
        summary = {
            'table_name': self.table_name,
            **self.results['quality'].summary(),
            **self._correlation_scores(),
            'mfs_distance': mfs.distance if mfs else None,
            'mfs_distance_real_baseline': mfs.baseline if mfs else None,
            'ml_utility': self.results['ml_utility'],
            'privacy': privacy.summary() if privacy else None,
            **self._data_description(),
            'skipped': dict(self.skipped),
            'subsampling': self.subsampling(),
            'notes': self.notes(),
        }
        return jsonable(summary)

    def subsampling(self) -> dict[str, str]:
        """Say which metrics read subsamples, and of how many rows.

        Returns:
            dict[str, str]:
                A sentence per metric.
        """
        lines = {
            'sdmetrics_reports': 'all rows (SDMetrics subsamples Contingency Similarity pairs '
            'above 50,000 rows)',
            'correlation_distance': 'all rows',
        }
        mfs = self.results['mfs']
        if mfs:
            lines['mfs_distance'] = (
                f'{mfs.n_subsamples} subsamples of {mfs.subsample_rows} rows from each table'
            )
        utility = self.results['ml_utility']
        if utility:
            rows = utility['rows']
            lines['ml_utility'] = (
                f'trained on {rows["train_real"]} real and {rows["train_synthetic"]} synthetic '
                f'rows, tested on {rows["test"]} real rows'
            )
        privacy = self.results['privacy']
        if privacy:
            lines['privacy_dcr'] = (
                f'{len(privacy.dcr_synthetic)} synthetic and {len(privacy.dcr_baseline)} baseline '
                f'rows against {privacy.reference_rows} real rows; exact copies over all rows'
            )
        if privacy and privacy.sdmetrics:
            lines['privacy_sdmetrics'] = f'{privacy.sdmetrics["rows_per_table"]} rows of each table'

        return lines

    def notes(self) -> list[str]:
        """Return the caveats a reader should know.

        Returns:
            list[str]:
                One sentence each.
        """
        counted, total = self.results['quality'].pair_counts()
        notes = [
            f'column_pair_trends averages the {counted} of {total} column pairs whose real '
            "correlation exceeds 0.5 or Cramér's V exceeds 0.3 (SDMetrics' default); "
            'column_pair_trends_all_pairs averages all of them.',
            ASSOCIATION_NOTE,
        ]
        mfs = self.results['mfs']
        if mfs:
            dropped = list(mfs.dropped_columns)
            notes.append(
                'mfs_distance reads the numeric columns only (pymfe statistical meta-features '
                f'are numeric): {list(mfs.columns)}'
                + (f', not {dropped} (too many missing values)' if dropped else '')
                + '; mfs_distance_real_baseline is the same distance between two sets of real '
                'subsamples (sampling noise).'
            )
        if self.results['ml_utility'] and self.holdout_data is None:
            notes.append(SEEN_TEST_SET_NOTE)
        if self.roles.excluded:
            notes.append(
                f'Left out of our own metrics (SDMetrics still reads them): {self.roles.excluded}.'
            )

        return notes

    def figures(self) -> dict[str, tuple[str, Figure]]:
        """Draw the report's matplotlib figures.

        Returns:
            dict[str, tuple[str, matplotlib.figure.Figure]]:
                File name -> (title, figure).
        """
        return plots.build_figures(self)

    def save(self, folder: str | Path, overwrite: bool = False) -> Path:
        """Write summary.json, summary.md, PNG and HTML plots, detail CSVs and index.html.

        Args:
            folder (str or pathlib.Path):
                The folder; created if missing.
            overwrite (bool):
                Write into a non-empty folder (files of the same name are replaced, others
                kept). Defaults to False.

        Returns:
            pathlib.Path:
                The folder.
        """
        path = _prepare_folder(folder, overwrite)
        summary = self.summary()
        (path / 'summary.json').write_text(json.dumps(summary, indent=2) + '\n', 'utf-8')
        (path / 'summary.md').write_text(render.summary_markdown(summary), 'utf-8')
        images = {}
        for file_name, (title, figure) in self.figures().items():
            figure.savefig(path / file_name, dpi=100)
            images[file_name] = title
        pages = interactive.write_pages(self, path)
        files = {'summary.json': 'the summary', 'summary.md': 'the summary as Markdown'}
        files.update(details.write_detail_tables(self, path))
        index = render.index_html(summary, images, pages, files)
        (path / 'index.html').write_text(index, 'utf-8')
        return path
