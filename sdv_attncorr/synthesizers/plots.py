"""The loss plot of a fitted synthesizer: every loss column, not only CTGAN's two."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sdv_attncorr.core.training.early_stopping import SCORE_COLUMN


def loss_values_plot(losses: pd.DataFrame, title: str) -> go.Figure:
    """Plot every loss column of ``losses`` per epoch, and the validation score when present.

    The score (taken every few epochs) is drawn through its points on a right-hand axis.

    Args:
        losses (pandas.DataFrame):
            ``get_loss_values()``: an ``Epoch`` column and one column per loss.
        title (str):
            Title of the figure.

    Returns:
        plotly.graph_objects.Figure:
            The figure.
    """
    figure = make_subplots(specs=[[{'secondary_y': True}]])
    for column in losses.columns.drop('Epoch'):
        score = column == SCORE_COLUMN
        line = go.Scatter(
            x=losses['Epoch'], y=losses[column], name=column, mode='lines', connectgaps=score
        )
        figure.add_trace(line, secondary_y=score)
    figure.update_layout(
        title=title, xaxis_title='Epoch', template='plotly_white', legend_title_text=''
    )
    figure.update_yaxes(title_text='Loss', secondary_y=False)
    if SCORE_COLUMN in losses.columns:
        figure.update_yaxes(title_text=SCORE_COLUMN, secondary_y=True)
    return figure
