#!/usr/bin/env python3
"""Reference values for stats/ (issue #32), written to tests/testdata/stats/reference.txt.

Two classifiers' outputs on the same 150 samples, sacreBLEU's resample plan for them
(numpy.random.default_rng(12345).choice(n, size=(R, n)), as sacrebleu.significance does), and
what numpy, scipy and statsmodels compute from them:
  - per metric: the observed difference (candidate - baseline), the numpy.percentile interval of
    the resampled differences (2.5, 97.5; linear) and the two-sided p-value of the differences
    shifted to mean zero with the +1 correction;
  - McNemar's exact test: scipy.stats.binomtest(c, b + c, 0.5).pvalue, on these outputs and on
    fixed (b, c) pairs;
  - Holm: statsmodels.stats.multitest.multipletests(p, method="holm")[1].
Run with any Python that has numpy, scipy and statsmodels (pip install numpy scipy statsmodels):
  python3 tools/reference/make_stats_fixtures.py tests/testdata/stats/reference.txt
"""
import sys

import numpy as np
from scipy.stats import binomtest
from statsmodels.stats.multitest import multipletests

N, K, R = 150, 7, 300


def macro_f1(truth, pred):
    # scikit-learn's f1_score(average="macro") with its default labels: the classes present in
    # the truth or the predictions; zero_division=0.
    f1 = []
    for k in np.union1d(truth, pred):
        tp = np.sum((truth == k) & (pred == k))
        fp = np.sum((truth != k) & (pred == k))
        fn = np.sum((truth == k) & (pred != k))
        f1.append(0.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1))


def mean_class_accuracy(truth, pred):
    return float(np.mean([np.mean(pred[truth == k] == k) for k in np.unique(truth)]))


def ccc(p, t):
    cov = np.mean((p - p.mean()) * (t - t.mean()))
    return float(2 * cov / (p.var() + t.var() + (p.mean() - t.mean()) ** 2))


def metric(name, o, rows):
    truth, pred = o["truth"][rows], o["pred"][rows]
    if name == "accuracy":
        return float(np.mean(truth == pred))
    if name == "mean_class_accuracy":
        return mean_class_accuracy(truth, pred)
    if name == "macro_f1":
        return macro_f1(truth, pred)
    side = "valence" if name == "ccc_valence" else "arousal"
    return ccc(o[side + "_pred"][rows], o[side + "_true"][rows])


def outputs(rng, truth, right, va_true):
    pred = np.where(rng.random(N) < right, truth, rng.integers(0, K, N))
    noise = rng.normal(0, 0.35, (N, 2)) * (1.2 - right)
    return {"truth": truth, "pred": pred, "valence_true": va_true[:, 0],
            "valence_pred": np.clip(va_true[:, 0] + noise[:, 0], -1, 1),
            "arousal_true": va_true[:, 1], "arousal_pred": np.clip(va_true[:, 1] + noise[:, 1], -1, 1)}


def main(path):
    rng = np.random.default_rng(2021)
    truth = rng.integers(0, K, N)
    va_true = rng.uniform(-1, 1, (N, 2))
    base, cand = outputs(rng, truth, 0.55, va_true), outputs(rng, truth, 0.65, va_true)
    plan = np.random.default_rng(12345).choice(N, size=(R, N), replace=True)
    out = []
    for name, o in (("baseline", base), ("candidate", cand)):
        out.append(f"== {name}")
        for key in ("truth", "pred"):
            out.append(key + " " + " ".join(str(int(v)) for v in o[key]))
        for key in ("valence_pred", "valence_true", "arousal_pred", "arousal_true"):
            out.append(key + " " + " ".join(repr(float(v)) for v in o[key]))
    out.append("== plan")
    for r, rows in enumerate(plan):
        out.append(f"r{r} " + " ".join(str(int(v)) for v in rows))
    out.append("== bootstrap")
    everything = np.arange(N)
    for name in ("accuracy", "mean_class_accuracy", "macro_f1", "ccc_valence", "ccc_arousal"):
        delta = metric(name, cand, everything) - metric(name, base, everything)
        diffs = np.array([metric(name, cand, rows) - metric(name, base, rows) for rows in plan])
        low, high = np.percentile(diffs, [2.5, 97.5])
        p = (np.sum(np.abs(diffs - diffs.mean()) >= abs(delta)) + 1) / (len(diffs) + 1)
        out.append(f"{name} {delta!r} {float(low)!r} {float(high)!r} {float(p)!r}")
    out.append("== mcnemar")
    b = int(np.sum((base["pred"] == truth) & (cand["pred"] != truth)))
    c = int(np.sum((cand["pred"] == truth) & (base["pred"] != truth)))
    out.append(f"outputs {b} {c} {float(binomtest(c, b + c, 0.5).pvalue)!r}")
    for b, c in ((0, 1), (3, 3), (5, 12), (12, 5), (40, 61), (0, 25), (700, 780), (1, 2000)):
        out.append(f"pair{b}_{c} {b} {c} {float(binomtest(c, b + c, 0.5).pvalue)!r}")
    out.append("== holm")
    for i, ps in enumerate(([0.01, 0.04, 0.03, 0.005], [0.2, 0.01, 0.5], [0.049, 0.049],
                            [0.001, 0.9, 0.02, 0.04, 0.03, 0.6])):
        adjusted = multipletests(ps, method="holm")[1]
        out.append(f"p{i} " + " ".join(repr(float(v)) for v in ps))
        out.append(f"adjusted{i} " + " ".join(repr(float(v)) for v in adjusted))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
