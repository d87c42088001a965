#!/usr/bin/env python3
"""Interleaved A/B of `attune run --serve` configurations on the same inputs, as ratios.

Each candidate is NAME:PAUSE_MS:FLAGS[:BINARY]: an `attune run --serve` process started with
FLAGS (from BINARY, default --attune: so two builds can be compared in one run), and the idle
pause before each of its samples (0 = back to back with the previous call). Every round
runs every candidate once in a shuffled order; a sample is one untimed warm-up call, then enough
calls to last --min-sample-ms. Prints each candidate's median time and its time divided by the
first candidate's in the same round (median, 95 % order-statistic interval).

    python3 scripts/bench/serve_ab.py --n 512 --rounds 10 \\
        --candidate "2 threads, back to back:0:--threads 2" \\
        --candidate "2 threads, after 300 ms idle:300:--threads 2" \\
        --candidate "1 thread, after 300 ms idle:300:--threads 1"
    python3 scripts/bench/serve_ab.py --n 2048 --candidate "blockK 1024:300:--block-k 1024" \\
        --candidate "blockK 512:300:--block-k 512"
    python3 scripts/bench/serve_ab.py --decode --rounds 12 --candidate "new:300:--threads 2" \\
        --candidate "old:300:--threads 2:/tmp/attune-old"
    python3 scripts/bench/serve_ab.py --command backward --random --rounds 10 \
        --candidate "new:0:--n 1024 --heads 8" --candidate "old:0:--n 1024 --heads 8:/tmp/attune-old"

--random starts each candidate on `--random` inputs its FLAGS describe (no files), e.g. two
storages of one KV cache:

    python3 scripts/bench/serve_ab.py --random --rounds 10 \\
        --candidate "float32:0:--lengths 4096:32768 --batch 8 --n 1 --heads 32 --kv-heads 8 --d 128 --kv-storage float32" \\
        --candidate "int8:0:--lengths 4096:32768 --batch 8 --n 1 --heads 32 --kv-heads 8 --d 128 --kv-storage int8"

--decode uses the decode shape of scripts/bench/model_shapes_benchmark.py instead of N × d: Q [1, 32, 1,
128] against K, V [1, 8, 32768, 128] (32 query heads sharing 8 K/V heads).

Needs only NumPy (for the inputs). Not run in CI: it measures.
"""
import argparse
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import ROOT, median_interval  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--attune", default=os.path.join(ROOT, ".build", "release", "attune"))
    p.add_argument("--n", type=int, default=2048, help="Nq = Nk")
    p.add_argument("--d", type=int, default=64)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--min-sample-ms", type=float, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--decode", action="store_true", help="Q [1,32,1,128], K and V [1,8,32768,128]")
    p.add_argument("--random", action="store_true",
                   help="no input files: each candidate's FLAGS describe its --random inputs "
                        "(e.g. a ragged batch with --lengths)")
    p.add_argument("--command", choices=["run", "backward"], default="run",
                   help="the attune command whose --serve loop is timed (backward: with --random, "
                        "each candidate's FLAGS give the shape)")
    p.add_argument("--candidate", action="append", required=True, help="NAME:PAUSE_MS:FLAGS[:BINARY]")
    args = p.parse_args()
    if len(args.candidate) < 2:
        sys.exit("error: give at least two --candidate")
    import numpy as np
    gen = np.random.default_rng(args.seed)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for x in "qkv":
            paths.append(os.path.join(tmp, f"{x}.npy"))
            if args.decode:
                shape = (1, 32, 1, 128) if x == "q" else (1, 8, 32768, 128)
            else:
                shape = (args.n, args.d)
            np.save(paths[-1], gen.standard_normal(shape, dtype=np.float32))
        candidates = []
        for spec in args.candidate:
            try:
                name, pause, rest = spec.split(":", 2)
                pause = float(pause)
                # FLAGS may hold colons themselves (--lengths 64:2048): BINARY is the part after
                # the last colon only when it names a file.
                flags, _, last = rest.rpartition(":")
                binary = [last] if flags and os.path.isfile(last) else []
                flags = flags if binary else rest
            except ValueError:
                sys.exit(f"error: --candidate '{spec}' is not NAME:PAUSE_MS:FLAGS[:BINARY]")
            inputs = ["--random"] if args.random else ["--q", paths[0], "--k", paths[1], "--v", paths[2]]
            command = [binary[0] if binary else args.attune, args.command, *inputs, "--serve",
                       *shlex.split(flags)]
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            if process.stdout.readline().strip() != "ready":
                sys.exit(f"error: {' '.join(command)} did not start")
            candidates.append((name, pause, process))

        def call(process, calls):
            process.stdin.write(f"{calls}\n")
            process.stdin.flush()
            return float(process.stdout.readline())

        counts = {}
        for name, _, process in candidates:
            fastest = min(call(process, 1) for _ in range(3))
            counts[name] = max(3, int(args.min_sample_ms / 1000 / max(fastest, 1e-9)) + 1)
        times = {name: [] for name, _, _ in candidates}
        for round_ in range(args.rounds):
            order = candidates[:]
            rng.shuffle(order)
            for name, pause, process in order:
                time.sleep(pause / 1000)
                call(process, 1)
                times[name].append(call(process, counts[name]))
            print(f"\r  round {round_ + 1}/{args.rounds}", end="", file=sys.stderr, flush=True)
        print("\r", end="", file=sys.stderr)
        for _, _, process in candidates:
            process.stdin.close()
            process.wait()
    first = candidates[0][0]
    shape = ("random inputs as each candidate's flags say" if args.random
             else "decode (Nq=1, Nk=32768, H=32, Hkv=8, d=128)" if args.decode else f"N={args.n}, d={args.d}")
    print(f"{shape}, {args.rounds} interleaved rounds, samples of ≥ {args.min_sample_ms:g} ms")
    for name, pause, _ in candidates:
        med = sorted(times[name])[len(times[name]) // 2]
        r, lo, hi = median_interval([a / b for a, b in zip(times[name], times[first])])
        print(f"  {name:40} {med * 1e3:9.3f} ms   time / {first}'s: {r:.3f} [{lo:.3f}, {hi:.3f}]")


if __name__ == "__main__":
    main()
