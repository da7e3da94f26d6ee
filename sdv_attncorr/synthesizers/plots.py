"""The loss plot of a fitted synthesizer: every loss column, not only CTGAN's two."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
from plotly.graph_objects import Figure


def loss_values_plot(losses: pd.DataFrame, title: str) -> Figure:
    """Plot every loss column of ``losses`` per epoch.

    Args:
        losses (pandas.DataFrame):
            ``get_loss_values()``: an ``Epoch`` column and one column per loss.
        title (str):
            Title of the figure.

    Returns:
        plotly.graph_objects.Figure:
            The figure.
    """
    columns = [column for column in losses.columns if column != 'Epoch']
    figure = px.line(losses, x='Epoch', y=columns)
    figure.update_layout(
        title=title,
        xaxis_title='Epoch',
        yaxis_title='Loss',
        template='plotly_white',
        legend_title_text='',
    )
    return figure
