"""SDMetrics' interactive plotly figures, written as HTML pages that work offline.

Pages reference one ``plotly.min.js`` copied beside them (``include_plotlyjs='directory'``),
so nothing is downloaded when they are opened.
"""


def _figures(report):
    table = report.table_name
    pages = {
        'sdmetrics_column_shapes.html': (
            'SDMetrics Column Shapes (interactive)',
            report.quality_report,
            'Column Shapes',
        ),
        'sdmetrics_column_pair_trends.html': (
            'SDMetrics Column Pair Trends, all pairs (interactive)',
            report.all_pairs_quality_report,
            'Column Pair Trends',
        ),
    }
    for file_name, (title, sdmetrics_report, name) in pages.items():
        if not sdmetrics_report.get_details(name).empty:
            yield file_name, title, sdmetrics_report.get_visualization(name, table)


def write_pages(report, folder):
    """Write SDMetrics' Column Shapes and Column Pair Trends figures as HTML pages.

    Args:
        report (sdv_attncorr.evaluation.EvaluationReport):
            The report.
        folder (pathlib.Path):
            The report folder.

    Returns:
        dict[str, str]:
            HTML file name -> title.
    """
    written = {}
    for file_name, title, figure in _figures(report):
        figure.write_html(folder / file_name, include_plotlyjs='directory', full_html=True)
        written[file_name] = title

    return written
