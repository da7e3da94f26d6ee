"""Write a report's detail tables as CSV files, for readers who want every number."""

import pandas as pd


def _mfs_table(mfs):
    return pd.DataFrame(
        {
            'meta_feature': list(mfs.per_feature),
            'distance': list(mfs.per_feature.values()),
            'real_vs_real_baseline': [
                mfs.baseline_per_feature.get(name) for name in mfs.per_feature
            ],
        }
    )


def detail_tables(report):
    """Collect the detail tables of a report.

    Args:
        report (sdv_attncorr.evaluation.EvaluationReport):
            The report.

    Returns:
        dict[str, tuple[str, pandas.DataFrame]]:
            CSV file name -> (description, table).
    """
    correlation = report.results['correlation']
    found = {
        'column_shapes.csv': (
            'SDMetrics Column Shapes, per column',
            report.quality_report.get_details('Column Shapes'),
        ),
        'column_pair_trends.csv': (
            'SDMetrics Column Pair Trends over all pairs, per pair',
            report.all_pairs_quality_report.get_details('Column Pair Trends'),
        ),
        'data_validity.csv': (
            'SDMetrics Data Validity, per column',
            report.diagnostic_report.get_details('Data Validity'),
        ),
        'association_real.csv': ('Association matrix of the real table', correlation.real),
        'association_synthetic.csv': (
            'Association matrix of the synthetic table',
            correlation.synthetic,
        ),
    }
    classwise = report.results['classwise_correlation']
    if classwise:
        found['classwise_correlation.csv'] = ('Correlation distance per class', classwise.classes)
    if report.results['mfs']:
        found['mfs_distance.csv'] = ('Distance per meta-feature', _mfs_table(report.results['mfs']))

    return found


def write_detail_tables(report, folder):
    """Write the detail tables of a report as CSV files.

    Args:
        report (sdv_attncorr.evaluation.EvaluationReport):
            The report.
        folder (pathlib.Path):
            The report folder.

    Returns:
        dict[str, str]:
            CSV file name -> description.
    """
    written = {}
    for file_name, (description, table) in detail_tables(report).items():
        has_labels = file_name.startswith('association_')
        table.to_csv(folder / file_name, index=has_labels)
        written[file_name] = description

    return written
