"""Shared by scripts/bench/model_shapes_benchmark.py and scripts/bench/backward_benchmark.py: a long-lived
`attune … --serve` process as a timing function, and interleaved rounds of candidates printed as
medians and same-round ratios (the method of scripts/bench/peer_benchmark.py)."""
import subprocess
import sys
import time

import argparse
import os

from peers import ROOT, median_interval


def argument_parser(doc, scenarios):
    """The options every interleaved benchmark takes: the binary, its scenarios (default
    `scenarios`), rounds, threads, sample length, the idle pause before each sample, the seed."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--attune", default=os.path.join(ROOT, ".build", "release", "attune"))
    p.add_argument("--scenarios", default=scenarios)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--min-sample-ms", type=float, default=30)
    p.add_argument("--pause-ms", type=float, default=300)
    p.add_argument("--seed", type=int, default=1)
    return p


def attune_server(command):
    """Starts `command` (an attune subcommand with --serve); returns fn(calls) -> seconds per call.
    The process is closed by `measure`."""
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if process.stdout.readline().strip() != "ready":
        sys.exit(f"error: {' '.join(command)} did not start")

    def call(calls):
        process.stdin.write(f"{calls}\n")
        process.stdin.flush()
        return float(process.stdout.readline())
    call.process = process
    return call


def measure(title, candidates, ratios, *, rounds, min_sample_ms, pause_ms, rng, notes=()):
    """candidates: name -> fn(calls) returning seconds per call. Every round runs every candidate
    once in a shuffled order, each sample after a pause and a warm-up call and lasting at least
    min_sample_ms; prints medians, then each (label, numerator, denominator, target) ratio as the
    median of per-round ratios with its distribution-free 95 % interval, then each note(times)."""
    names = list(candidates)
    calls = {}
    for name in names:
        fastest = min(candidates[name](1) for _ in range(3))
        calls[name] = max(3, int(min_sample_ms / 1000 / max(fastest, 1e-9)) + 1)
    times = {name: [] for name in names}
    for round_ in range(rounds):
        order = names[:]
        rng.shuffle(order)
        for name in order:
            time.sleep(pause_ms / 1000)
            candidates[name](1)
            times[name].append(candidates[name](calls[name]))
        print(f"\r  {title}: round {round_ + 1}/{rounds}", end="", file=sys.stderr, flush=True)
    print("\r", end="", file=sys.stderr)
    print(f"\n{title}")
    for name in names:
        med = sorted(times[name])[len(times[name]) // 2]
        print(f"  {name:24} {med * 1e3:9.3f} ms")
    for label, numerator, denominator, target in ratios:
        r, lo, hi = median_interval([a / b for a, b in zip(times[numerator], times[denominator])])
        print(f"  {label}: {r:.3f} [{lo:.3f}, {hi:.3f}]  (target {target})")
    for note in notes:
        print(f"  {note(times)}")
    for fn in candidates.values():
        if hasattr(fn, "process"):
            fn.process.stdin.close()
            fn.process.wait()
