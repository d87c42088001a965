#!/usr/bin/env python3
"""How dependent consecutive rounds of a tuning run were, from its trace (`attune tune --json`).

For the two candidates measured longest, the Winsorized (20 %) log-times are differenced round by
round; the script prints their lag-1 autocorrelation and, for batches of 5, 10, 20 and 40 rounds,
the variance of batch means over what independent rounds predict (1 when independent).

    python3 scripts/bench/tune_dependence.py TRACE.json
"""
import collections, json, math, sys


def winsorize(values, proportion=0.2):
    ordered = sorted(values)
    g = int(proportion * len(values))
    low, high = ordered[g], ordered[len(values) - 1 - g]
    return [min(max(v, low), high) for v in values]


def variance(values):
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


outcome = json.load(open(sys.argv[1]))["outcome"]
rounds = collections.defaultdict(dict)
for entry in outcome["trace"]:
    rounds[entry["candidate"]][entry["round"]] = math.log(entry["seconds"])
a, b = sorted(rounds, key=lambda c: -len(rounds[c]))[:2]
common = sorted(set(rounds[a]) & set(rounds[b]))
x = winsorize([rounds[a][r] for r in common])
y = winsorize([rounds[b][r] for r in common])
d = [p - q for p, q in zip(x, y)]
mean = sum(d) / len(d)
lag = sum((d[i] - mean) * (d[i + 1] - mean) for i in range(len(d) - 1)) / sum((v - mean) ** 2 for v in d)
print(f"{len(d)} rounds in common; lag-1 autocorrelation {lag:.2f}")
for size in (5, 10, 20, 40):
    batches = len(d) // size
    if batches < 3:
        break
    means = [sum(d[i * size:(i + 1) * size]) / size for i in range(batches)]
    print(f"batches of {size:2d}: variance of means {variance(means) * size / variance(d):.2f}× the independent prediction ({batches} batches)")
