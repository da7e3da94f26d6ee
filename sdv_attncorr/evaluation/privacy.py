"""Were real rows copied? Exact copies and distance to the closest real record (DCR).

Exact copies: a synthetic row equal to a real row on every evaluated column (ids and other
excluded sdtypes ignored), counted over all rows. The baseline is the share of holdout rows that
equal a real row or, without a holdout, the share of real rows that have a duplicate.

DCR: Euclidean distance to the nearest real row, in a space where each numeric column is
standardised with the real mean and standard deviation (missing values at the mean) and each
categorical column is one-hot encoded over its ``MAX_CATEGORIES`` (50) most frequent real
categories. It is computed for a subsample of synthetic rows against (a subsample of) the real
rows, and for a baseline: ``holdout_data`` rows or, without a holdout, real rows against the
other real rows (leave-one-out). Synthetic rows much closer to the real rows than the baseline
rows are suggest memorisation. With a holdout, SDMetrics' ``DCROverfittingProtection`` can be
added (``sdmetrics_privacy``), on seeded subsamples of each table.

Membership inference (with a holdout only): an attacker who holds the synthetic table guesses
that a row was trained on when its distance to the closest synthetic record is small. Its ROC
AUC over equal numbers of training and holdout rows (the same distance space) is 0.5 when the
synthetic rows tell training rows from unseen ones no better than chance, and 1 when every
training row has a synthetic record closer than every holdout row's.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sdmetrics.single_table import DCROverfittingProtection
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from sdv_attncorr.evaluation.columns import sample_rows

MAX_CATEGORIES = 50


class _DistanceSpace:
    """Standardised numeric columns plus one-hot categorical columns, fitted on the real table."""

    def __init__(self, real, max_categories):
        self.means = real.numeric.mean()
        scales = real.numeric.std(ddof=0)
        self.scales = scales.where(scales > 0, 1.0).fillna(1.0)
        self.levels = {
            column: real.categorical[column].value_counts().index[:max_categories]
            for column in real.categorical.columns
        }

    def transform(self, table):
        numeric = ((table.numeric - self.means) / self.scales).fillna(0.0).to_numpy()
        one_hot = [
            (table.categorical[column].to_numpy()[:, None] == levels.to_numpy()[None, :])
            for column, levels in self.levels.items()
        ]
        return np.hstack([numeric, *one_hot]).astype('float64')


def _row_hashes(table):
    frame = pd.concat([table.numeric, table.categorical], axis=1)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def _exact_copies(real, synthetic, holdout):
    real_hashes = _row_hashes(real)
    copied = np.isin(_row_hashes(synthetic), real_hashes)
    if holdout is not None:
        baseline = np.isin(_row_hashes(holdout), real_hashes).mean()
    else:
        baseline = pd.Series(real_hashes).duplicated(keep=False).mean()

    return {
        'exact_copies': int(copied.sum()),
        'exact_copy_share': float(copied.mean()),
        'baseline_exact_match_share': float(baseline),
    }


def _closest_distances(reference, queries, leave_one_out=False):
    neighbours = NearestNeighbors(n_neighbors=min(1 + leave_one_out, len(reference)))
    neighbours.fit(reference)
    with threadpool_limits(limits=1, user_api='openmp'):  # as in utility: robust when shared
        distances, _ = neighbours.kneighbors(queries)
    return distances[:, -1]


@dataclass
class PrivacyResult:
    """Exact copies and DCR of the synthetic rows, against a real baseline.

    Args:
        copies (dict):
            ``exact_copies``, ``exact_copy_share`` and ``baseline_exact_match_share``.
        dcr_synthetic (numpy.ndarray):
            The DCR of each subsampled synthetic row.
        dcr_baseline (numpy.ndarray):
            The DCR of each baseline real row.
        baseline (str):
            What the baseline rows are.
        reference_rows (int):
            The real rows searched for neighbours.
        sdmetrics (dict):
            SDMetrics privacy scores that applied, by metric name.
        membership_auc (float or None):
            The distance-to-closest-synthetic-record attack's ROC AUC (None without a holdout).
    """

    copies: dict
    dcr_synthetic: np.ndarray
    dcr_baseline: np.ndarray
    baseline: str
    reference_rows: int
    sdmetrics: dict = field(default_factory=dict)
    membership_auc: float | None = None

    def summary(self):
        """Return the figures as a JSON-ready dict.

        Returns:
            dict:
                Copies, DCR medians and 5th percentiles, the share of synthetic rows closer to
                the real rows than 95% of baseline rows are, and SDMetrics' scores.
        """
        baseline_p05 = float(np.percentile(self.dcr_baseline, 5))
        baseline_median = float(np.median(self.dcr_baseline))
        synthetic_median = float(np.median(self.dcr_synthetic))
        return {
            **self.copies,
            'dcr_synthetic_median': synthetic_median,
            'dcr_synthetic_p05': float(np.percentile(self.dcr_synthetic, 5)),
            'dcr_baseline_median': baseline_median,
            'dcr_baseline_p05': baseline_p05,
            'dcr_median_ratio': synthetic_median / baseline_median if baseline_median else None,
            'share_closer_than_baseline_p05': float(np.mean(self.dcr_synthetic < baseline_p05)),
            'dcr_baseline': self.baseline,
            'membership_inference_auc': self.membership_auc,
            'dcr_rows': {
                'synthetic': len(self.dcr_synthetic),
                'baseline': len(self.dcr_baseline),
                'reference': self.reference_rows,
            },
            'sdmetrics': self.sdmetrics,
        }


def sdmetrics_privacy(real, synthetic, holdout, metadata, *, rows=1_000, seed=0):
    """Run SDMetrics' ``DCROverfittingProtection`` on subsamples of the raw tables.

    Args:
        real (pandas.DataFrame):
            The real table.
        synthetic (pandas.DataFrame):
            The synthetic table.
        holdout (pandas.DataFrame):
            Real rows the synthesizer did not see.
        metadata (sdv.metadata.Metadata):
            The single-table metadata.
        rows (int):
            Rows subsampled from each table, at most the smallest table's size (SDMetrics' own
            subsampling is not seeded). Defaults to 1,000.
        seed (int):
            The seed of the subsampling. Defaults to 0.

    Returns:
        dict:
            The score by metric name, and ``rows_per_table``.
    """
    rng = np.random.default_rng(seed)
    rows = min(rows, len(real), len(synthetic), len(holdout))  # equal sizes, as SDMetrics does
    tables = [
        table.iloc[sample_rows(len(table), rows, rng)].reset_index(drop=True)
        for table in (real, synthetic, holdout)
    ]
    metadata_dict = metadata.to_dict()
    table_name = next(iter(metadata_dict['tables']))
    breakdown = DCROverfittingProtection.compute_breakdown(
        tables[0], tables[1], tables[2], metadata_dict, table_name
    )
    return {'DCROverfittingProtection': float(breakdown['score']), 'rows_per_table': rows}


def privacy_metrics(
    real, synthetic, holdout, *, max_query_rows=2_000, max_reference_rows=20_000, seed=0
):
    """Count exact copies and compare the synthetic rows' DCR to a real baseline.

    Args:
        real (sdv_attncorr.evaluation.columns.EncodedTable):
            The real table.
        synthetic (sdv_attncorr.evaluation.columns.EncodedTable):
            The synthetic table.
        holdout (sdv_attncorr.evaluation.columns.EncodedTable or None):
            Real rows the synthesizer did not see, or None.
        max_query_rows (int):
            Synthetic (and baseline) rows whose DCR is computed. Defaults to 2,000.
        max_reference_rows (int):
            Real rows searched for neighbours. Defaults to 20,000.
        seed (int):
            The seed of the subsampling. Defaults to 0.

    Returns:
        PrivacyResult:
            The result, without SDMetrics scores (see ``sdmetrics_privacy``).
    """
    rng = np.random.default_rng(seed)
    reference = real.take(sample_rows(len(real), max_reference_rows, rng))
    space = _DistanceSpace(reference, MAX_CATEGORIES)
    reference_matrix = space.transform(reference)
    queries = synthetic.take(sample_rows(len(synthetic), max_query_rows, rng))
    dcr_synthetic = _closest_distances(reference_matrix, space.transform(queries))
    if holdout is not None:
        baseline_rows = holdout.take(sample_rows(len(holdout), max_query_rows, rng))
        dcr_baseline = _closest_distances(reference_matrix, space.transform(baseline_rows))
        baseline = 'holdout_data rows'
    else:
        rows = sample_rows(len(reference), max_query_rows, rng)
        dcr_baseline = _closest_distances(reference_matrix, reference_matrix[rows], True)
        baseline = 'real rows against the other real rows (leave-one-out)'

    copies = _exact_copies(real, synthetic, holdout)
    result = PrivacyResult(copies, dcr_synthetic, dcr_baseline, baseline, len(reference))
    if holdout is not None:
        attacked = synthetic.take(sample_rows(len(synthetic), max_reference_rows, rng))
        result.membership_auc = membership_auc(real, holdout, space.transform(attacked), space,
                                               max_query_rows, rng)  # fmt: skip
    return result


def membership_auc(real, holdout, synthetic_matrix, space, rows, rng):
    """ROC AUC of guessing "trained on" from a small distance to the closest synthetic record.

    Args:
        real (sdv_attncorr.evaluation.columns.EncodedTable):
            The training rows (members).
        holdout (sdv_attncorr.evaluation.columns.EncodedTable):
            Rows not trained on (non-members).
        synthetic_matrix (numpy.ndarray):
            The synthetic rows, in ``space``.
        space (_DistanceSpace):
            The distance space.
        rows (int):
            Rows drawn from each side (the smaller side's size at most, so both count alike).
        rng (numpy.random.Generator):
            Source of the draws.

    Returns:
        float:
            The AUC: 0.5 is chance, 1 a perfect attack.
    """
    size = min(rows, len(real), len(holdout))
    members = real.take(sample_rows(len(real), size, rng))
    others = holdout.take(sample_rows(len(holdout), size, rng))
    distances = np.concatenate(
        [_closest_distances(synthetic_matrix, space.transform(side)) for side in (members, others)]
    )
    labels = np.repeat([1, 0], [len(members), len(others)])
    return float(roc_auc_score(labels, -distances))
