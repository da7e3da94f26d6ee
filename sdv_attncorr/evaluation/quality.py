"""SDMetrics' quality and diagnostic reports, plus Column Pair Trends over all pairs.

SDMetrics 0.32's ``QualityReport`` averages Column Pair Trends only over strongly related pairs
(real correlation above 0.5 or real Cramér's V above 0.3): pairs below those thresholds score
NaN and are left out. The standard report is kept as SDV computes it
(``sdv.evaluation.evaluate_quality``); a second report with both thresholds set to 0 gives the
score over every pair.
"""

import warnings
from dataclasses import dataclass

from scipy.stats import ConstantInputWarning
from sdmetrics.reports import QualityReport
from sdv.evaluation import evaluate_quality, run_diagnostic

_PAIR_TRENDS = 'Column Pair Trends'


def _property_score(report, name):
    properties = report.get_properties()
    return float(properties.loc[properties['Property'] == name, 'Score'].iloc[0])


@dataclass
class QualityResult:
    """SDMetrics' reports on one table.

    Args:
        quality_report (sdmetrics.reports.QualityReport):
            The standard quality report, as ``sdv.evaluation.evaluate_quality`` returns it.
        all_pairs_report (sdmetrics.reports.QualityReport):
            The same report with the correlation and association thresholds set to 0.
        diagnostic_report (sdmetrics.reports.DiagnosticReport):
            The diagnostic report.
        table_name (str):
            The table's name in the metadata.
    """

    quality_report: object
    all_pairs_report: object
    diagnostic_report: object
    table_name: str

    def pair_counts(self):
        """Count the column pairs the standard Column Pair Trends score averages.

        Returns:
            tuple[int, int]:
                The pairs above the thresholds, and all scored pairs.
        """
        details = self.quality_report.get_details(_PAIR_TRENDS)
        if details.empty:
            return 0, 0

        counted = details['Meets Threshold?'].astype('boolean').fillna(False)
        return int(counted.sum()), len(details)

    def summary(self):
        """Return the scores as a flat dict.

        Returns:
            dict:
                ``quality_score``, ``column_shapes``, ``column_pair_trends``,
                ``column_pair_trends_all_pairs``, the pair counts and ``diagnostic_score``.
        """
        counted, total = self.pair_counts()
        return {
            'quality_score': float(self.quality_report.get_score()),
            'column_shapes': _property_score(self.quality_report, 'Column Shapes'),
            'column_pair_trends': _property_score(self.quality_report, _PAIR_TRENDS),
            'column_pair_trends_all_pairs': _property_score(self.all_pairs_report, _PAIR_TRENDS),
            'column_pair_trends_pairs_counted': counted,
            'column_pair_trends_pairs_total': total,
            'diagnostic_score': float(self.diagnostic_report.get_score()),
        }


def _all_pairs_report(real, synthetic, metadata, table_name):
    report = QualityReport()
    report.real_correlation_threshold = 0
    report.real_association_threshold = 0
    report.generate({table_name: real}, {table_name: synthetic}, metadata.to_dict(), verbose=False)
    return report


def run_sdmetrics_reports(real, synthetic, metadata, table_name):
    """Run SDMetrics' quality report (standard and all pairs) and diagnostic report.

    Args:
        real (pandas.DataFrame):
            The real table.
        synthetic (pandas.DataFrame):
            The synthetic table.
        metadata (sdv.metadata.Metadata):
            The single-table metadata.
        table_name (str):
            The table's name in the metadata.

    Returns:
        QualityResult:
            The three reports.
    """
    # A constant column has no correlation; SDMetrics scores the pair NaN, scipy warns each time.
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConstantInputWarning)
        return QualityResult(
            quality_report=evaluate_quality(real, synthetic, metadata, verbose=False),
            all_pairs_report=_all_pairs_report(real, synthetic, metadata, table_name),
            diagnostic_report=run_diagnostic(real, synthetic, metadata, verbose=False),
            table_name=table_name,
        )
