"""How many rows the slow metrics read: the knobs that keep ``evaluate`` fast on big tables."""

from dataclasses import dataclass

from sdv_attncorr.evaluation.correlation import MIN_CLASS_ROWS


@dataclass(frozen=True)
class Limits:
    """Subsample sizes of the slow metrics; the report says which were subsampled and how.

    SDMetrics' reports read every row (SDMetrics itself subsamples Contingency Similarity pairs
    above 50,000 rows); the association matrices read every row too.

    Args:
        mfs_subsamples (int):
            Subsamples of each table for the meta-feature distance. Defaults to 32.
        mfs_rows (int):
            Rows per meta-feature subsample (at most half the smaller table). Defaults to 500.
        utility_train_rows (int):
            Most rows of each ML-utility training set. Defaults to 20,000.
        utility_test_rows (int):
            Most rows of the ML-utility test set. Defaults to 10,000.
        dcr_query_rows (int):
            Synthetic (and baseline) rows whose distance to the closest record is computed.
            Defaults to 2,000.
        dcr_reference_rows (int):
            Real rows searched for the closest record. Defaults to 20,000.
        sdmetrics_privacy_rows (int):
            Rows of each table for SDMetrics' DCROverfittingProtection. Defaults to 1,000.
        min_class_rows (int):
            Classes with fewer rows in either table are left out of the class-wise correlation
            distance. Defaults to ``MIN_CLASS_ROWS`` (10), the benchmark's threshold too.
    """

    mfs_subsamples: int = 32
    mfs_rows: int = 500
    utility_train_rows: int = 20_000
    utility_test_rows: int = 10_000
    dcr_query_rows: int = 2_000
    dcr_reference_rows: int = 20_000
    sdmetrics_privacy_rows: int = 1_000
    min_class_rows: int = MIN_CLASS_ROWS

    def __post_init__(self):
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'Limits.{name} must be a positive integer, got {name}={value!r}.')
