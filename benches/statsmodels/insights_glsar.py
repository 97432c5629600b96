"""The insights benchmark's journal analysed the way a data-savvy user would in statsmodels:
one GLSAR (AR(1) errors, iterated) per factor on the same 3,650 nights and 15 exposures as
crates/stats/benches/insights.rs, plus the one experiment. Prints the median wall time.

    python3 -m venv ~/.cache/quietlegs-statsmodels-venv
    ~/.cache/quietlegs-statsmodels-venv/bin/pip install statsmodels==0.14.5 pandas==2.3.3
    ~/.cache/quietlegs-statsmodels-venv/bin/python benches/statsmodels/insights_glsar.py
"""

import statistics
import time

import numpy as np
import statsmodels.api as sm

NIGHTS = 3650
TOOK = ["heat", "massage", "stretching", "cold", "vibration-pad", "epsom-bath", "yoga"]


def pseudo(i, k):
    """The Rust benchmark's pseudo-random value: (i * 2654435761 mod 2^32).rotate_left(k) >> 7."""
    x = (i * 2_654_435_761) & 0xFFFFFFFF
    x = ((x << k) | (x >> (32 - k))) & 0xFFFFFFFF
    return (x >> 7) % 100


def journal():
    rows = []
    for i in range(NIGHTS):
        p = lambda k: pseudo(i, k)
        rows.append(
            {
                "severity": 3 + p(1) % 6,
                "sleep_hours": 5.0 + p(2) % 4,
                "caffeine": p(3) * 3 > 0,
                "caffeine_late": 8 + p(4) % 10 >= 14,
                "alcohol": p(5) % 3 > 0,
                "exercise": p(6) % 60 >= 30,
                "late_vigorous": p(7) < 30 and 12 + p(8) % 10 >= 19,
                "sugar": p(9) < 40,
                "antihistamine": p(10) < 15,
                **{t: p(11 + k) < 35 for k, t in enumerate(TOOK)},
                "magnesium": i >= 3000,
            }
        )
    return rows


def analyse(rows):
    y = np.array([r["severity"] for r in rows], dtype=float)
    t = np.arange(len(rows)) / 365.25
    factors = ["alcohol", "caffeine", "caffeine_late", "late_vigorous", "exercise", "sugar",
               "antihistamine"] + TOOK
    results = {}
    for f in factors:
        z = np.array([r[f] for r in rows], dtype=float)
        lagged = np.concatenate([[0.0], z[:-1]])
        x = sm.add_constant(np.column_stack([z, t - t.mean(), lagged]))
        results[f] = sm.GLSAR(y, x, rho=1).iterative_fit(maxiter=10)
    short = np.array([0.0] + [r["sleep_hours"] < 6 for r in rows[:-1]], dtype=float)
    x = sm.add_constant(np.column_stack([short, t - t.mean()]))
    results["sleep_loss"] = sm.GLSAR(y, x, rho=1).iterative_fit(maxiter=10)
    on = np.array([r["magnesium"] for r in rows], dtype=float)
    results["magnesium"] = sm.GLSAR(y, sm.add_constant(on), rho=1).iterative_fit(maxiter=10)
    return results


def main():
    rows = journal()
    assert len(analyse(rows)) == 16
    times = []
    for _ in range(20):
        start = time.perf_counter()
        analyse(rows)
        times.append(time.perf_counter() - start)
    print(f"statsmodels GLSAR, 15 exposures + 1 experiment, {NIGHTS} nights: "
          f"median {1000 * statistics.median(times):.1f} ms over {len(times)} runs")


if __name__ == "__main__":
    main()
