#!/usr/bin/env python3
"""Wall-clock time of whole `attune` commands from two builds, alternated, as a ratio.

For what the --serve loops cannot time: everything a command does before its first call
(reading or drawing inputs, filling a KV cache). Each round runs every candidate once, in
turn; prints each one's median time and its time divided by the first candidate's in the
same round (median, and the lowest and highest round).

    python3 scripts/bench/command_time.py --rounds 3 \\
        --candidate old:/tmp/attune-old --candidate new:.build/release/attune -- \\
        run --random --lengths 4096:32768 --batch 8 --n 1 --heads 32 --kv-heads 8 --d 128 \\
        --kv-storage int8 --repeat 1

Not run in CI: it measures.
"""
import argparse
import statistics
import subprocess
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--candidate", action="append", required=True, help="NAME:BINARY")
    p.add_argument("arguments", nargs=argparse.REMAINDER, help="-- then the command's arguments")
    args = p.parse_args()
    arguments = args.arguments[1:] if args.arguments[:1] == ["--"] else args.arguments
    if len(args.candidate) < 2 or not arguments or args.rounds < 1:
        sys.exit("error: give at least two --candidate NAME:BINARY, --rounds ≥ 1, then -- and the arguments")
    candidates = []
    for spec in args.candidate:
        name, sep, binary = spec.partition(":")
        if not sep or not name or not binary:
            sys.exit(f"error: --candidate '{spec}' is not NAME:BINARY")
        candidates.append((name, binary))
    times = {name: [] for name, _ in candidates}
    for round_ in range(args.rounds):
        for name, binary in candidates:
            start = time.perf_counter()
            try:
                done = subprocess.run([binary] + arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError as error:
                sys.exit(f"error: cannot run {binary}: {error}")
            if done.returncode != 0:
                sys.exit(f"error: {name} ({binary}) exited with status {done.returncode}")
            times[name].append(time.perf_counter() - start)
        print(f"\r  round {round_ + 1}/{args.rounds}", end="", file=sys.stderr, flush=True)
    print("\r", end="", file=sys.stderr)
    first = times[candidates[0][0]]
    print(f"{args.rounds} alternated rounds: attune {' '.join(arguments)}")
    for name, _ in candidates:
        ratios = [t / f for t, f in zip(times[name], first)]
        print(f"  {name:<12} {statistics.median(times[name]):8.2f} s   time / {candidates[0][0]}'s: "
              f"{statistics.median(ratios):.3f} [{min(ratios):.3f}, {max(ratios):.3f}]")


if __name__ == "__main__":
    main()
