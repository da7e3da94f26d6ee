"""Matplotlib figures of a report, drawn on ``matplotlib.figure.Figure`` (Agg, no pyplot state).

Each ``*_figure`` function takes one result and returns a figure; ``build_figures`` collects
those that apply to a report, keyed by PNG file name.
"""

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sdv_attncorr.evaluation.columns import encode

REAL_COLOR, SYNTHETIC_COLOR = 'tab:blue', 'tab:orange'
COLUMNS_PER_PAGE = 6
TOP_CATEGORIES = 15
_ANNOTATE_UP_TO = 12


def _short(label, width=14):
    label = str(label)
    return label if len(label) <= width else label[: width - 1] + '…'


def _heatmap(ax, matrix, title, limit):
    image = ax.imshow(matrix.to_numpy(), vmin=-limit, vmax=limit, cmap='RdBu_r')
    labels = [_short(column) for column in matrix.columns]
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_title(title, fontsize=10)
    if len(labels) <= _ANNOTATE_UP_TO:
        for (row, column), value in np.ndenumerate(matrix.to_numpy()):
            ax.text(column, row, f'{value:.2f}', ha='center', va='center', fontsize=6)

    return image


def correlation_figure(distance, title='Association matrices'):
    """Draw real | synthetic | difference heatmaps of an association matrix pair.

    Args:
        distance (sdv_attncorr.evaluation.correlation.CorrelationDistance):
            The matrices.
        title (str):
            The figure title.

    Returns:
        matplotlib.figure.Figure:
            The figure.
    """
    side = max(4.0, 0.35 * len(distance.real) + 2.0)
    figure = Figure(figsize=(3 * side + 1.5, side), layout='constrained')
    axes = figure.subplots(1, 3)
    image = _heatmap(axes[0], distance.real, 'Real', 1.0)
    _heatmap(axes[1], distance.synthetic, 'Synthetic', 1.0)
    limit = max(0.05, float(np.abs(distance.difference.to_numpy()).max()))
    mean_abs = distance.mean_abs_diff
    subtitle = 'Synthetic − real' + ('' if mean_abs is None else f' (mean |Δ| {mean_abs:.3f})')
    difference = _heatmap(axes[2], distance.difference, subtitle, limit)
    figure.colorbar(image, ax=axes[:2], shrink=0.8)
    figure.colorbar(difference, ax=axes[2], shrink=0.8)
    figure.suptitle(title)
    return figure


def _quantile_curve(values, points=400):
    probabilities = np.linspace(0, 1, points)
    return np.quantile(values, probabilities), probabilities


def _numeric_panels(axes, real, synthetic, column):
    real, synthetic = real.dropna().to_numpy(), synthetic.dropna().to_numpy()
    both = np.concatenate([real, synthetic])
    edges = np.histogram_bin_edges(both, bins=30) if both.size else 10
    for values, color, label in (
        (real, REAL_COLOR, 'real'),
        (synthetic, SYNTHETIC_COLOR, 'synthetic'),
    ):
        if values.size:
            axes[0].hist(
                values,
                bins=edges,
                density=True,
                histtype='stepfilled',
                alpha=0.5,
                color=color,
                label=label,
            )
            axes[1].plot(*_quantile_curve(values), color=color, label=label)

    axes[0].set_title(f'{column}: histogram', fontsize=9)
    axes[1].set_title(f'{column}: CDF', fontsize=9)
    axes[0].legend(fontsize=7)


def _categorical_panel(ax, real, synthetic, column):
    real_share = real.value_counts(normalize=True)
    synthetic_share = synthetic.value_counts(normalize=True)
    combined = real_share.add(synthetic_share, fill_value=0)
    levels = combined.sort_values(ascending=False, kind='stable').index[:TOP_CATEGORIES]
    positions = np.arange(len(levels))
    ax.bar(positions - 0.2, real_share.reindex(levels, fill_value=0), 0.4, color=REAL_COLOR)
    ax.bar(
        positions + 0.2, synthetic_share.reindex(levels, fill_value=0), 0.4, color=SYNTHETIC_COLOR
    )
    ax.set_xticks(positions, [_short(level, 10) for level in levels], rotation=45, ha='right')
    shown = '' if len(combined) <= TOP_CATEGORIES else f' (top {TOP_CATEGORIES} of {len(combined)})'
    ax.set_title(f'{column}: share of rows{shown}', fontsize=9)
    ax.legend(['real', 'synthetic'], fontsize=7)


def numeric_distribution_figure(real, synthetic, columns):
    """Draw a histogram and a CDF of each numeric column, real against synthetic.

    Args:
        real (pandas.DataFrame):
            The real numeric columns (datetimes in days).
        synthetic (pandas.DataFrame):
            The synthetic numeric columns.
        columns (list[str]):
            The columns to draw, one row of panels each.

    Returns:
        matplotlib.figure.Figure:
            The figure.
    """
    figure = Figure(figsize=(10, 2.4 * len(columns)), layout='constrained')
    axes = figure.subplots(len(columns), 2, squeeze=False)
    for row, column in zip(axes, columns):
        _numeric_panels(row, real[column], synthetic[column], column)

    return figure


def categorical_distribution_figure(real, synthetic, columns):
    """Draw the category shares of each categorical column, real against synthetic.

    Args:
        real (pandas.DataFrame):
            The real categorical columns.
        synthetic (pandas.DataFrame):
            The synthetic categorical columns.
        columns (list[str]):
            The columns to draw, one panel each.

    Returns:
        matplotlib.figure.Figure:
            The figure.
    """
    rows = math.ceil(len(columns) / 2)
    figure = Figure(figsize=(10, 3.2 * rows), layout='constrained')
    axes = figure.subplots(rows, 2, squeeze=False).ravel()
    for ax, column in zip(axes, columns):
        _categorical_panel(ax, real[column], synthetic[column], column)
    for ax in axes[len(columns) :]:
        ax.set_visible(False)

    return figure


def classwise_figure(classwise):
    """Draw the correlation distance of each class, and the difference matrix of the worst one.

    Args:
        classwise (sdv_attncorr.evaluation.correlation.ClasswiseCorrelationDistance):
            The class-wise result.

    Returns:
        matplotlib.figure.Figure:
            The figure.
    """
    classes = classwise.classes
    side = max((len(distance.real) for distance in classwise.distances.values()), default=0)
    height = max(3.5, 0.28 * len(classes) + 1.5, 0.3 * side + 2.5)
    figure = Figure(figsize=(13, height), layout='constrained')
    bars, heatmap = figure.subplots(1, 2, width_ratios=[1, 1.1])
    skipped = classes['skipped'].notna().to_numpy()
    labels = [
        f'{_short(row["class"], 18)} (n={row["real_rows"]})' + (' skipped' if gap else '')
        for (_, row), gap in zip(classes.iterrows(), skipped)
    ]
    colors = np.where(skipped, 'lightgray', REAL_COLOR)
    bars.barh(range(len(classes)), classes['mean_abs_diff'].fillna(0), color=colors)
    bars.set_yticks(range(len(classes)), labels, fontsize=8)
    bars.invert_yaxis()
    if classwise.mean_abs_diff is not None:
        bars.axvline(classwise.mean_abs_diff, color='black', linestyle='--', label='weighted mean')
        bars.legend(fontsize=8)
    bars.set_xlabel('mean |Δ association| within the class')
    bars.set_title(f'Class-wise correlation distance by {classwise.class_column}', fontsize=10)
    scored = classes.dropna(subset=['mean_abs_diff'])
    if scored.empty:
        heatmap.set_visible(False)
        return figure

    worst = scored.loc[scored['mean_abs_diff'].idxmax(), 'class']
    difference = classwise.distances[worst].difference
    limit = max(0.05, float(np.abs(difference.to_numpy()).max()))
    image = _heatmap(
        heatmap, difference, f'Synthetic − real within the worst class, {worst}', limit
    )
    figure.colorbar(image, ax=heatmap, shrink=0.8)
    return figure


def mfs_figure(mfs):
    """Draw the distance of each meta-feature, against the real-versus-real baseline.

    Args:
        mfs (sdv_attncorr.evaluation.metafeatures.MetaFeatureDistance):
            The meta-feature result.

    Returns:
        matplotlib.figure.Figure:
            The figure.
    """
    names = list(mfs.per_feature)
    positions = np.arange(len(names))
    figure = Figure(figsize=(8, 0.3 * len(names) + 1.5), layout='constrained')
    ax = figure.subplots()
    baseline = [mfs.baseline_per_feature.get(name, np.nan) for name in names]
    ax.barh(positions - 0.2, [mfs.per_feature[name] for name in names], 0.4, label='synthetic')
    ax.barh(positions + 0.2, baseline, 0.4, color='lightgray', label='real vs real (noise)')
    ax.set_yticks(positions, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel('Wasserstein distance / real spread')
    ax.set_title(
        f'Meta-feature distance {mfs.distance:.3f} (baseline {mfs.baseline or 0:.3f}), '
        f'{mfs.n_subsamples} subsamples of {mfs.subsample_rows} rows',
        fontsize=10,
    )
    ax.legend(fontsize=8)
    return figure


def utility_figure(utility):
    """Draw the scores of the train-on-synthetic and train-on-real models.

    Args:
        utility (dict):
            The ML-utility result.

    Returns:
        matplotlib.figure.Figure:
            The figure.
    """
    models = {
        'train synthetic, test real': utility.get('train_synthetic_test_real', {}),
        'train real, test real': utility.get('train_real_test_real', {}),
    }
    metrics = [
        name
        for name in ('accuracy', 'macro_f1', 'roc_auc', 'r2')
        if any(scores.get(name) is not None for scores in models.values())
    ]
    figure = Figure(figsize=(7, 4), layout='constrained')
    ax = figure.subplots()
    positions = np.arange(len(metrics))
    lowest = 0.0
    for offset, (label, scores) in zip((-0.2, 0.2), models.items()):
        values = [scores.get(name) if scores.get(name) is not None else np.nan for name in metrics]
        ax.bar(positions + offset, values, 0.4, label=label)
        lowest = min([lowest, *(value for value in values if not np.isnan(value))])
    ax.set_ylim(lowest, 1.0)
    ax.set_xticks(positions, metrics)
    rmse = {label: scores.get('rmse') for label, scores in models.items() if scores.get('rmse')}
    extra = '; '.join(f'RMSE {label}: {value:.4g}' for label, value in rmse.items())
    ax.set_title(
        f'ML utility: predict {utility["target"]} ({utility["task"]})\n{extra}', fontsize=10
    )
    ax.legend(fontsize=8, loc='lower center')
    return figure


def privacy_figure(privacy):
    """Draw the distance to the closest real record of synthetic and baseline rows.

    Args:
        privacy (sdv_attncorr.evaluation.privacy.PrivacyResult):
            The privacy result.

    Returns:
        matplotlib.figure.Figure:
            The figure.
    """
    summary = privacy.summary()
    edges = np.histogram_bin_edges(
        np.concatenate([privacy.dcr_synthetic, privacy.dcr_baseline]), 40
    ).tolist()
    figure = Figure(figsize=(8, 4), layout='constrained')
    ax = figure.subplots()
    ax.hist(
        privacy.dcr_baseline,
        bins=edges,
        density=True,
        alpha=0.5,
        color=REAL_COLOR,
        label=f'baseline: {privacy.baseline}',
    )
    ax.hist(
        privacy.dcr_synthetic,
        bins=edges,
        density=True,
        alpha=0.5,
        color=SYNTHETIC_COLOR,
        label='synthetic rows',
    )
    ax.axvline(summary['dcr_baseline_p05'], color='black', linestyle='--', label='baseline 5%')
    ax.set_xlabel('distance to the closest real record')
    ax.set_title(
        f'Exact copies: {summary["exact_copies"]} ({summary["exact_copy_share"]:.1%}); '
        f"{summary['share_closer_than_baseline_p05']:.1%} closer than the baseline's 5%",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    return figure


def loss_figure(loss_values):
    """Draw every loss column of a synthesizer's loss history against the epoch.

    Args:
        loss_values (pandas.DataFrame):
            ``Epoch`` and one column per loss (``Generator Loss``, ``Discriminator Loss``, ...).

    Returns:
        matplotlib.figure.Figure or None:
            The figure; None if there is no numeric loss column.
    """
    columns = [
        column
        for column in loss_values.columns
        if column != 'Epoch' and pd.api.types.is_numeric_dtype(loss_values[column])
    ]
    if not columns or loss_values.empty:
        return None

    history = (
        loss_values.groupby('Epoch')[columns].mean()
        if 'Epoch' in loss_values
        else (loss_values[columns])
    )
    width = min(3, len(columns))
    figure = Figure(figsize=(4 * width, 3 * math.ceil(len(columns) / width)), layout='constrained')
    axes = figure.subplots(math.ceil(len(columns) / width), width, squeeze=False).ravel()
    for ax, column in zip(axes, columns):
        values = history[column].dropna()  # the validation score is taken every few epochs
        ax.plot(values.index, values, marker='.' if len(values) < len(history) else None)
        ax.set_title(column, fontsize=10)
        ax.set_xlabel('epoch')
    for ax in axes[len(columns) :]:
        ax.set_visible(False)

    return figure


def _distribution_figures(report):
    real, synthetic = (
        encode(report.real_data, report.roles),
        encode(report.synthetic_data, report.roles),
    )
    figures = {}
    for kind, draw in (
        ('numeric', numeric_distribution_figure),
        ('categorical', categorical_distribution_figure),
    ):
        columns = list(getattr(report.roles, kind))
        for page, start in enumerate(range(0, len(columns), COLUMNS_PER_PAGE), start=1):
            chunk = columns[start : start + COLUMNS_PER_PAGE]
            figure = draw(getattr(real, kind), getattr(synthetic, kind), chunk)
            figures[f'distributions_{kind}_{page}.png'] = (
                f'{kind.title()} columns ({page})',
                figure,
            )

    return figures


def build_figures(report):
    """Draw every figure that applies to a report.

    Args:
        report (sdv_attncorr.evaluation.EvaluationReport):
            The report.

    Returns:
        dict[str, tuple[str, matplotlib.figure.Figure]]:
            PNG file name -> (title, figure), in reading order.
    """
    results = report.results
    figures = {
        'correlation_heatmaps.png': (
            'Association matrices',
            correlation_figure(results['correlation']),
        )
    }
    figures.update(_distribution_figures(report))
    drawers = {
        'classwise_correlation.png': (
            'Class-wise correlation',
            'classwise_correlation',
            classwise_figure,
        ),
        'mfs_distance.png': ('Meta-feature distance', 'mfs', mfs_figure),
        'ml_utility.png': ('ML utility', 'ml_utility', utility_figure),
        'privacy_dcr.png': ('Privacy: distance to closest record', 'privacy', privacy_figure),
    }
    for file_name, (title, key, draw) in drawers.items():
        if results.get(key):
            figures[file_name] = (title, draw(results[key]))
    if report.loss_values is not None:
        figure = loss_figure(report.loss_values)
        if figure is not None:
            figures['loss_curves.png'] = ('Loss curves', figure)

    return figures
