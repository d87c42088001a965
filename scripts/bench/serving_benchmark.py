#!/usr/bin/env python3
"""Serving workloads, timed in interleaved rounds on one machine, as ratios measured in the same run.

1. Ragged prefill: 16 sequences with key (and query) lengths spread evenly from 64 to 2048,
   H = 8, d = 64, computed as a ragged batch (`attune run --lengths`) against the same batch padded
   to 2048 with a padding mask (`--padded`, Attune's own fused kernel on [B, H, 2048, d]). Their
   outputs are compared once.
2. Batched decode: one query per sequence for 8 sequences of 4096 ... 32768 cached tokens (H = 32,
   Hkv = 8, d = 128), from a paged KV cache in float32, float16 and int8, against the same cache
   in float32 with one page per sequence (contiguous K and V per head); and, as the call a user
   makes without the cache, `multiHeadAttention` one sequence at a time.
   Each storage's share of the streaming bandwidth is the bytes of K and V it reads per call (as
   stored, scales included) over its time, divided by the bandwidth of a plain streaming read of
   its cache's pages in the same process and the same rounds (`read C` of `attune run --serve`):
   the same bytes in the same memory. On a virtual machine, memory can stream at different
   speeds in different processes (on this project's host, 35 and 54-60 GB/s in one run), so a
   reference read in another process is not like for like; `--stream-read` (a float32 copy of K
   and V in its own process) is still timed and its GB/s printed, as the host's memory of the hour.
   The int8 step is also timed on a cache small enough to stay in L3 (8 sequences of 1024
   tokens, 18.9 MB): its bandwidth over the int8 cache's streaming read, per byte like the shares,
   is the most the step's own work allows when memory costs nothing, the int8 share's ceiling.

Every candidate is an `attune run --serve` process with its inputs loaded; each round runs every
candidate once, in a shuffled order, one untimed call then enough calls to last --min-sample-ms.
Ratios are per round (median and 95 % order-statistic interval).

    python3 scripts/bench/serving_benchmark.py               # both parts, 10 rounds
    python3 scripts/bench/serving_benchmark.py --part decode --rounds 16

Not run in CI: it measures. Needs NumPy only for the output check of part 1.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import ROOT, cpu_model, median_interval  # noqa: E402

RAGGED = ["--lengths", "64:2048", "--batch", "16", "--heads", "8", "--d", "64"]
DECODE_LENGTHS = [4096 + 4096 * i for i in range(8)]
DECODE_SHAPE = ["--n", "1", "--heads", "32", "--kv-heads", "8", "--d", "128"]
DECODE = ["--lengths", ",".join(map(str, DECODE_LENGTHS)), *DECODE_SHAPE]
# The same step on a cache that stays in L3: what the int8 step's own work costs per byte.
IN_CACHE = ["--lengths", ",".join(["1024"] * 8), *DECODE_SHAPE, "--kv-storage", "int8"]


class Server:
    """An `attune run --random --serve` process."""

    def __init__(self, attune, flags):
        self.command = [attune, "run", "--random", "--serve", *flags]
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        if self.process.stdout.readline().strip() != "ready":
            sys.exit(f"error: {' '.join(self.command)} did not start")

    def call(self, calls, request=""):
        self.process.stdin.write(f"{request}{calls}\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait()


class PageRead:
    """The streaming read of a KV cache server's pages, in its own process (`read C`)."""

    def __init__(self, server):
        self.server = server

    def call(self, calls):
        return self.server.call(calls, "read ")

    def close(self):
        pass  # the server is closed as its own candidate


def report(attune, flags):
    """The JSON report of one call with `flags`."""
    out = subprocess.run([attune, "run", "--random", "--json", *flags], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def rounds(candidates, args, rng):
    """Times every candidate (name -> list of Servers, whose times add up) over interleaved rounds."""
    counts = {}
    for name, servers in candidates.items():
        counts[name] = []
        for server in servers:
            fastest = min(server.call(1) for _ in range(3))
            counts[name].append(max(3, int(args.min_sample_ms / 1000 / max(fastest, 1e-9)) + 1))
    times = {name: [] for name in candidates}
    names = list(candidates)
    for round_ in range(args.rounds):
        rng.shuffle(names)
        for name in names:
            total = 0.0
            for server, count in zip(candidates[name], counts[name]):
                time.sleep(args.pause_ms / 1000)
                server.call(1)
                total += server.call(count)
            times[name].append(total)
        print(f"\r  round {round_ + 1}/{args.rounds}", end="", file=sys.stderr, flush=True)
    print("\r", end="", file=sys.stderr)
    for servers in candidates.values():
        for server in servers:
            server.close()
    return times


def ratio(times, numerator, denominator):
    return median_interval([a / b for a, b in zip(times[numerator], times[denominator])])


def ragged_part(args, rng):
    import numpy as np
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, extra in (("ragged", []), ("padded", ["--padded"])):
            paths[name] = os.path.join(tmp, f"{name}.npy")
            subprocess.run([args.attune, "run", "--random", *RAGGED, *extra, "--out", paths[name]],
                           check=True, capture_output=True)
        a, b = np.load(paths["ragged"]), np.load(paths["padded"])
        agreement = float(np.abs(a - b).max())
    candidates = {"ragged": [Server(args.attune, [*RAGGED, "--threads", str(args.threads)])],
                  "padded": [Server(args.attune, [*RAGGED, "--padded", "--threads", str(args.threads)])]}
    times = rounds(candidates, args, rng)
    r, lo, hi = ratio(times, "padded", "ragged")
    print(f"ragged prefill: 16 sequences of 64...2048 tokens (evenly spread), H=8, d=64, "
          f"{args.threads} threads, {args.rounds} rounds")
    for name in candidates:
        print(f"  {name:34} {sorted(times[name])[len(times[name]) // 2] * 1e3:9.2f} ms")
    print(f"  padded time / ragged time: {r:.3f} [{lo:.3f}, {hi:.3f}]   (target ≥ 1.5)")
    print(f"  largest difference between the two outputs: {agreement:.2e}")


def decode_part(args, rng):
    threads = ["--threads", str(args.threads)]
    storages = {
        "float32 pages": [*DECODE, "--kv-storage", "float32"],
        "float32 contiguous": [*DECODE, "--kv-storage", "float32", "--page-tokens", str(max(DECODE_LENGTHS))],
        "float16 pages": [*DECODE, "--kv-storage", "float16"],
        "int8 pages": [*DECODE, "--kv-storage", "int8"],
        "int8 pages, cache in L3": IN_CACHE,
    }
    summaries = {name: report(args.attune, [*flags, *threads])["ragged"] for name, flags in storages.items()}
    read = {name: summary["bytesRead"] for name, summary in summaries.items()}
    pages = {name: summary["pageBytes"] for name, summary in summaries.items()}
    stream_bytes = sum(DECODE_LENGTHS) * 8 * 128 * 2 * 4
    candidates = {name: [Server(args.attune, [*flags, *threads])] for name, flags in storages.items()}
    for name in storages:
        if name != "int8 pages, cache in L3":  # compared with the int8 pages' read
            candidates[f"{name}: read"] = [PageRead(candidates[name][0])]
    candidates["stream read"] = [Server(args.attune, [*DECODE, "--stream-read", *threads])]
    candidates["multiHeadAttention, one by one"] = [
        Server(args.attune, ["--batch", "1", "--heads", "32", "--kv-heads", "8", "--n", "1", "--nk", str(n),
                             "--d", "128", *threads]) for n in DECODE_LENGTHS]
    times = rounds(candidates, args, rng)

    def median(name):
        return sorted(times[name])[len(times[name]) // 2]

    def share(name, reference):
        """Per round: this step's bandwidth over the streaming read of `reference`'s pages."""
        return median_interval([read[name] / t / (pages[reference] / r)
                                for t, r in zip(times[name], times[f"{reference}: read"])])

    print(f"batched decode: 8 sequences of {DECODE_LENGTHS[0]}...{DECODE_LENGTHS[-1]} cached tokens, one query "
          f"each, H=32, Hkv=8, d=128, {args.threads} threads, {args.rounds} rounds")
    base, call = "float32 contiguous", "multiHeadAttention, one by one"
    for name in [*storages, "stream read", call]:
        if name == "int8 pages, cache in L3":
            f, flo, fhi = share(name, "int8 pages")
            print(f"  {name:32} {median(name) * 1e3:8.2f} ms   8 sequences of 1024 tokens, {read[name] / 1e6:.1f} MB: "
                  f"{f:.3f} [{flo:.3f}, {fhi:.3f}] of the int8 cache's streaming bandwidth (the int8 share's ceiling)")
            continue
        r, lo, hi = ratio(times, base, name)
        c, clo, chi = ratio(times, call, name)
        line = (f"  {name:32} {median(name) * 1e3:8.2f} ms   {base} / this: {r:.3f} [{lo:.3f}, {hi:.3f}]"
                f"   one by one / this: {c:.3f} [{clo:.3f}, {chi:.3f}]")
        if name in storages:
            f, flo, fhi = share(name, name)
            line += (f"   {read[name] / 1e6:7.1f} MB, {f:.3f} [{flo:.3f}, {fhi:.3f}] of the streaming bandwidth "
                     f"(its pages read at {pages[name] / median(f'{name}: read') / 1e9:.1f} GB/s)")
        elif name == "stream read":
            line += f"   a float32 copy of K and V, {stream_bytes / 1e6:.1f} MB at {stream_bytes / median(name) / 1e9:.1f} GB/s"
        print(line)
    print("  targets: int8 ≥ 1.6 and float16 ≥ 1.3 of a contiguous float32 cache (both float32 columns); "
          "int8 ≥ 0.7 of the streaming bandwidth")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--attune", default=os.path.join(ROOT, ".build", "release", "attune"))
    p.add_argument("--part", choices=["ragged", "decode", "both"], default="both")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--min-sample-ms", type=float, default=100)
    p.add_argument("--pause-ms", type=float, default=0, help="idle pause before each sample")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if not os.path.exists(args.attune):
        sys.exit(f"error: no attune binary at {args.attune}; run swift build -c release")
    rng = random.Random(args.seed)
    print(f"CPU: {cpu_model()}")
    if args.part in ("ragged", "both"):
        ragged_part(args, rng)
    if args.part in ("decode", "both"):
        decode_part(args, rng)


if __name__ == "__main__":
    main()
