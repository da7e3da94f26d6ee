"""Extra memory of streaming samples to disk: 100,000 rows against 1,000,000 rows.

Each size runs in its own process: fit a small AttnCorrGANSynthesizer on the crop table (or
the demo table when ../shared is absent), then ``sample_to_file``; prints the peak RSS minus
the RSS before sampling. The goal: the 1,000,000-row figure within 1.3 x the 100,000-row one.

Usage: python benchmarks/sample_memory.py [--rows 100000 1000000] [--format csv|parquet]
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CROP = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'crop_recommendation.csv'


def current_rss_mb():
    """Resident memory of this process now, in MB (Linux /proc)."""
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    return float('nan')


def load_table():
    import pandas as pd
    from sdv.metadata import Metadata

    from sdv_attncorr.datasets import load_demo

    if CROP.exists():
        data = pd.read_csv(CROP)
        return data, Metadata.detect_from_dataframes({'crops': data}), 'crops'
    return load_demo()


def worker(rows, suffix):
    """Fit, sample ``rows`` rows to a file, return the memory figures."""
    from sdv_attncorr import AttnCorrGANSynthesizer

    data, metadata, table = load_table()
    synthesizer = AttnCorrGANSynthesizer(metadata, epochs=1)
    synthesizer.fit({table: data})
    synthesizer.sample(10)
    before = current_rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        synthesizer.sample_to_file(rows, Path(folder) / f'rows{suffix}')
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {'rows': rows, 'rss_before_mb': before, 'peak_mb': peak, 'seconds': seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rows', type=int, nargs='+', default=[100_000, 1_000_000])
    parser.add_argument('--format', choices=['csv', 'parquet'], default='csv')
    parser.add_argument('--worker', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, f'.{args.format}')))
        return

    print('| rows | RSS before (MB) | peak (MB) | extra (MB) | seconds | rows/s |')
    print('|---:|---:|---:|---:|---:|---:|')
    extras = []
    for rows in args.rows:
        command = [sys.executable, __file__, '--worker', str(rows), '--format', args.format]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        extra = result['peak_mb'] - result['rss_before_mb']
        extras.append(extra)
        print(
            f'| {rows:,} | {result["rss_before_mb"]:.0f} | {result["peak_mb"]:.0f} | '
            f'{extra:.0f} | {result["seconds"]:.1f} | {rows / result["seconds"]:,.0f} |'
        )
    print(f'\nextra memory ratio, largest / smallest: {extras[-1] / max(extras[0], 1e-9):.2f}')


if __name__ == '__main__':
    main()
