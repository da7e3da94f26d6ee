"""Render a report's summary as Markdown (summary.md) and as the index.html page.

Both read the same tables and lists, built from ``EvaluationReport.summary()``.
"""

import html

SCORES = (
    ('quality_score', 'Quality score (SDMetrics, higher is better)'),
    ('column_shapes', 'Column Shapes'),
    ('column_pair_trends', 'Column Pair Trends (strongly related pairs, SDMetrics default)'),
    ('column_pair_trends_all_pairs', 'Column Pair Trends (all pairs)'),
    ('diagnostic_score', 'Diagnostic score (SDMetrics)'),
    ('correlation_distance', 'Correlation distance, mean |Δ| (lower is better)'),
    ('correlation_frobenius', 'Correlation distance, Frobenius norm'),
    ('classwise_correlation_distance', 'Class-wise correlation distance, mean |Δ|'),
    ('classwise_correlation_frobenius', 'Class-wise correlation distance, Frobenius norm'),
    ('mfs_distance', 'Meta-feature distance (lower is better)'),
    ('mfs_distance_real_baseline', 'Meta-feature distance, real vs real (noise floor)'),
)
PRIVACY = (
    ('exact_copies', 'Synthetic rows that copy a real row'),
    ('exact_copy_share', 'Share of synthetic rows that copy a real row'),
    ('baseline_exact_match_share', 'Baseline share of exact matches'),
    ('dcr_synthetic_median', 'Median DCR, synthetic rows'),
    ('dcr_baseline_median', 'Median DCR, baseline rows'),
    ('dcr_median_ratio', 'Median DCR ratio, synthetic / baseline'),
    ('dcr_synthetic_p05', '5th percentile DCR, synthetic rows'),
    ('dcr_baseline_p05', '5th percentile DCR, baseline rows'),
    ('share_closer_than_baseline_p05', "Share of synthetic rows closer than the baseline's 5%"),
    ('dcr_baseline', 'DCR baseline'),
    ('membership_inference_auc', 'Membership inference ROC AUC (0.5 = chance)'),
)
UTILITY_METRICS = ('accuracy', 'macro_f1', 'roc_auc', 'r2', 'rmse')


def _format(value):
    if value is None:
        return 'n/a'
    if isinstance(value, float):
        return f'{value:.4f}'

    return str(value)


def _utility_table(utility):
    models = {
        'train synthetic, test real': utility.get('train_synthetic_test_real') or {},
        'train real, test real': utility.get('train_real_test_real') or {},
    }
    metrics = [name for name in UTILITY_METRICS if any(name in row for row in models.values())]
    rows = [
        [label, *(_format(scores.get(name)) for name in metrics), scores.get('error', '')]
        for label, scores in models.items()
    ]
    title = (
        f'ML utility: predict {utility["target"]} ({utility["task"]}), '
        f'tested on {utility["test_set"]}'
    )
    return title, ['Model', *metrics, 'Error'], rows


def tables(summary):
    """Build the report's tables.

    Args:
        summary (dict):
            ``EvaluationReport.summary()``.

    Returns:
        list[tuple[str, list[str], list[list[str]]]]:
            (title, header, rows) of each table.
    """
    scores = [[label, _format(summary.get(key))] for key, label in SCORES]
    result = [('Scores', ['Metric', 'Value'], scores)]
    if summary.get('ml_utility'):
        result.append(_utility_table(summary['ml_utility']))
    privacy = summary.get('privacy')
    if privacy:
        rows = [[label, _format(privacy.get(key))] for key, label in PRIVACY]
        rows += [
            [f'SDMetrics {name}', _format(value)] for name, value in privacy['sdmetrics'].items()
        ]
        result.append(('Privacy', ['Figure', 'Value'], rows))

    return result


def lists(summary):
    """Build the report's bullet lists: skipped sections, subsampling and notes.

    Args:
        summary (dict):
            ``EvaluationReport.summary()``.

    Returns:
        list[tuple[str, list[str]]]:
            (title, items) of each non-empty list.
    """
    result = [
        ('Skipped', [f'{name}: {reason}' for name, reason in summary['skipped'].items()]),
        ('Subsampling', [f'{name}: {text}' for name, text in summary['subsampling'].items()]),
        ('Notes', list(summary['notes'])),
    ]
    return [(title, items) for title, items in result if items]


def _rows_line(summary):
    rows = summary['rows']
    holdout = 'no holdout' if rows['holdout'] is None else f'{rows["holdout"]} holdout rows'
    return f'{rows["real"]} real rows, {rows["synthetic"]} synthetic rows, {holdout}.'


def _markdown_row(cells):
    return '| ' + ' | '.join(cell.replace('|', '\\|') for cell in cells) + ' |'


def summary_markdown(summary):
    """Render the summary as Markdown.

    Args:
        summary (dict):
            ``EvaluationReport.summary()``.

    Returns:
        str:
            The Markdown text.
    """
    lines = [f'# Evaluation of table {summary["table_name"]}', '', _rows_line(summary), '']
    for title, header, rows in tables(summary):
        lines += [f'## {title}', '', _markdown_row(header), '|' + '---|' * len(header)]
        lines += [_markdown_row(row) for row in rows]
        lines.append('')
    for title, items in lists(summary):
        lines += [f'## {title}', '', *(f'- {item}' for item in items), '']

    return '\n'.join(lines)


def _html_table(title, header, rows):
    head = ''.join(f'<th>{html.escape(cell)}</th>' for cell in header)
    body = ''.join(
        '<tr>' + ''.join(f'<td>{html.escape(cell)}</td>' for cell in row) + '</tr>' for row in rows
    )
    return f'<h2>{html.escape(title)}</h2><table><tr>{head}</tr>{body}</table>'


_STYLE = (
    'body{font-family:sans-serif;margin:2em;max-width:1400px}'
    'table{border-collapse:collapse;margin-bottom:1em}'
    'td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}'
    'img{max-width:100%;border:1px solid #eee}iframe{width:100%;height:640px;border:0}'
)


def index_html(summary, images, pages, files):
    """Render the index page: the tables, the PNG plots and the interactive SDMetrics pages.

    Args:
        summary (dict):
            ``EvaluationReport.summary()``.
        images (dict[str, str]):
            PNG file name -> title.
        pages (dict[str, str]):
            Interactive HTML file name -> title.
        files (dict[str, str]):
            Other files (CSV details, summary.json) -> description.

    Returns:
        str:
            The HTML page; it loads nothing from the network.
    """
    title = html.escape(f'Evaluation of table {summary["table_name"]}')
    parts = [f'<h1>{title}</h1><p>{html.escape(_rows_line(summary))}</p>']
    parts += [_html_table(*table) for table in tables(summary)]
    for heading, items in lists(summary):
        entries = ''.join(f'<li>{html.escape(item)}</li>' for item in items)
        parts.append(f'<h2>{html.escape(heading)}</h2><ul>{entries}</ul>')
    for name, caption in images.items():
        parts.append(f'<h2>{html.escape(caption)}</h2><img src="{html.escape(name)}" alt="">')
    for name, caption in pages.items():
        link = f'<a href="{html.escape(name)}">{html.escape(caption)} (open)</a>'
        parts.append(f'<h2>{link}</h2><iframe src="{html.escape(name)}"></iframe>')
    entries = ''.join(
        f'<li><a href="{html.escape(name)}">{html.escape(name)}</a>: {html.escape(text)}</li>'
        for name, text in files.items()
    )
    parts.append(f'<h2>Files</h2><ul>{entries}</ul>')
    head = f'<meta charset="utf-8"><title>{title}</title><style>{_STYLE}</style>'
    return f'<!DOCTYPE html>\n<html><head>{head}</head><body>{"".join(parts)}</body></html>\n'
