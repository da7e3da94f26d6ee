"""PNG figures of the benchmark: quality against fit time, and one bar chart per metric.

Drawn on ``matplotlib.figure.Figure`` (Agg canvas, no pyplot state), so they work headless.
"""

import math
from pathlib import Path

import numpy as np

from sdv_attncorr.benchmark.report import mean_sd

SCATTER_FILE = 'quality_vs_fit_time.png'
# (record key, axis label, better)
BAR_METRICS = [
    ('quality', 'SDV quality score', 'higher'),
    ('shapes', 'Column Shapes', 'higher'),
    ('pair_trends', 'Column Pair Trends', 'higher'),
    ('pair_trends_all', 'Column Pair Trends (all pairs)', 'higher'),
    ('pearson_delta', 'mean |Δ Pearson|', 'lower'),
    ('classwise_delta', 'class-wise |Δ Pearson|', 'lower'),
    ('utility', 'TSTR (macro F1 / R²)', 'higher'),
    ('diagnostic', 'SDV diagnostic score', 'higher'),
    ('mfs_distance', 'meta-feature distance', 'lower'),
    ('dcr_ratio', 'DCR ratio (synthetic / held-out)', 'higher'),
    ('fit_s', 'fit seconds', 'lower'),
]
MARKERS = 'osD^vP*Xh<>'


def _names(groups):
    tables = list(dict.fromkeys(records[0]['table'] for records in groups))
    synthesizers = list(dict.fromkeys(records[0]['synthesizer'] for records in groups))
    return tables, synthesizers


def _colors(synthesizers):
    from matplotlib import colormaps

    palette = colormaps['tab10'](range(10))
    return {name: palette[index % len(palette)] for index, name in enumerate(synthesizers)}


def scatter_figure(groups):
    """Quality against fit seconds: one point per synthesizer per table (mean, ± sd bars).

    Synthesizers are colours, tables are markers (open in the legend); ``real-half`` (no fit)
    is left out.
    """
    from matplotlib.figure import Figure

    tables, synthesizers = _names(groups)
    colors = _colors(synthesizers)
    figure = Figure(figsize=(9, 5.5), layout='constrained')
    axis = figure.subplots()
    shown = []
    for records in groups:
        (x, x_sd), (y, y_sd) = mean_sd(records, 'fit_s'), mean_sd(records, 'quality')
        if math.isnan(x) or math.isnan(y):
            continue
        name, table = records[0]['synthesizer'], records[0]['table']
        marker = MARKERS[tables.index(table) % len(MARKERS)]
        axis.errorbar(
            x, y, xerr=x_sd, yerr=y_sd, fmt=marker, color=colors[name], ms=8, elinewidth=1
        )
        shown.append(name)
    _scatter_legends(axis, tables, [name for name in synthesizers if name in shown], colors)
    axis.set_xscale('log')
    axis.set(xlabel='fit seconds (log scale)', ylabel='SDV quality score (held-out half)')
    axis.set_title('Quality against fit time (mean ± sd over seeds)')
    axis.grid(alpha=0.3)
    return figure


def _scatter_legends(axis, tables, synthesizers, colors):
    from matplotlib.lines import Line2D

    def handle(marker, color, label):
        return Line2D([], [], marker=marker, color=color, linestyle='', ms=8, label=label)

    handles = [handle('o', colors[name], name) for name in synthesizers]
    handles += [handle(MARKERS[i % len(MARKERS)], 'black', table) for i, table in enumerate(tables)]
    for entry in handles[len(synthesizers) :]:
        entry.set_markerfacecolor('none')
    axis.legend(handles=handles, fontsize=8, loc='upper left', bbox_to_anchor=(1.01, 1))


def bar_figure(groups, key, label, better):
    """Draw one metric as grouped bars: tables on the x axis, a bar (mean ± sd) per synthesizer.

    Synthesizers without a value of the metric (``real-half`` for fit seconds) are left out.
    """
    from matplotlib.figure import Figure

    tables, synthesizers = _names(groups)
    colors = _colors(synthesizers)
    stats = {(r[0]['table'], r[0]['synthesizer']): mean_sd(r, key) for r in groups}
    measured = {name for (_, name), (mean, _) in stats.items() if not math.isnan(mean)}
    synthesizers = [name for name in synthesizers if name in measured]
    width = 0.8 / len(synthesizers)
    figure = Figure(figsize=(max(7.0, 2.5 + 0.35 * len(groups)), 4.5), layout='constrained')
    axis = figure.subplots()
    for index, name in enumerate(synthesizers):
        means, sds = zip(*(stats.get((table, name), (math.nan, 0.0)) for table in tables))
        positions = np.arange(len(tables)) + (index - (len(synthesizers) - 1) / 2) * width
        axis.bar(positions, means, width, yerr=sds, label=name, color=colors[name], capsize=2)
    axis.set_xticks(range(len(tables)), tables)
    axis.set(ylabel=label, title=f'{label} ({better} is better; mean ± sd over seeds)')
    if key == 'fit_s':
        axis.set_yscale('log')
    axis.legend(fontsize=8, loc='upper left', bbox_to_anchor=(1.01, 1))
    axis.grid(axis='y', alpha=0.3)
    return figure


def write_plots(folder, groups):
    """Write the scatter and the bar charts (metrics with at least one value) as PNGs.

    Returns:
        list[pathlib.Path]:
            The files written.
    """
    folder = Path(folder)
    figures = {SCATTER_FILE: scatter_figure(groups)} if groups else {}
    for key, label, better in BAR_METRICS:
        if any(not math.isnan(mean_sd(records, key)[0]) for records in groups):
            figures[f'bars_{key}.png'] = bar_figure(groups, key, label, better)
    for name, figure in figures.items():
        figure.savefig(folder / name, dpi=110)

    return [folder / name for name in figures]
