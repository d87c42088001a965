#!/usr/bin/env python3
"""Feeds the real `attune` binary bad inputs by category and checks each outcome: a documented
exit status (1 bad data or file, 64 bad command line), one `Error: …` line first on stderr, no
crash or trap, and no file written. Prints a table per category and a total; exits 1 on any
failure. Needs NumPy.

    python3 scripts/robustness/bad_inputs.py [path/to/attune] [--markdown]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np


def npy_bytes(array, **kwargs):
    path = tempfile.mktemp(suffix=".npy")
    np.save(path, array, **kwargs)
    data = open(path, "rb").read()
    os.remove(path)
    return data


def header(descr="<f4", fortran=False, shape="(2, 3)", version=(1, 0), body=None):
    text = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}"
    text += " " * ((64 - (10 + len(text) + 1) % 64) % 64) + "\n"
    raw = b"\x93NUMPY" + bytes(version) + len(text).to_bytes(2, "little") + text.encode()
    return raw + (body if body is not None else b"\0" * 24)


def main():
    attune = next((a for a in sys.argv[1:] if not a.startswith("--")), ".build/release/attune")
    attune = os.path.abspath(attune)
    markdown = "--markdown" in sys.argv
    work = tempfile.mkdtemp()
    f = lambda *shape: np.random.default_rng(1).standard_normal(shape).astype(np.float32)  # noqa: E731
    files = {
        "q.npy": npy_bytes(f(4, 3)), "k.npy": npy_bytes(f(5, 3)), "v.npy": npy_bytes(f(5, 2)),
        "q4.npy": npy_bytes(f(2, 4, 6, 8)), "k4.npy": npy_bytes(f(2, 3, 6, 8)),
        "k4b.npy": npy_bytes(f(1, 2, 6, 8)), "v4.npy": npy_bytes(f(2, 3, 6, 8)),
        "truncated.npy": npy_bytes(f(4, 3))[:-7], "garbage.npy": b"not numpy at all",
        "empty-file.npy": b"", "magic-only.npy": b"\x93NUMPY",
        "version9.npy": header(version=(9, 0)), "fortran.npy": header(fortran=True),
        "int32.npy": header(descr="<i4"), "complex.npy": header(descr="<c8", body=b"\0" * 48),
        "object.npy": header(descr="|O"), "rank5.npy": header(shape="(1, 1, 1, 2, 3)"),
        "negative-shape.npy": header(shape="(-2, 3)"), "huge-shape.npy": header(shape="(4294967296, 4294967296)"),
        "bad-dict.npy": header(shape="[2, 3]"), "trailing.npy": header(body=b"\0" * 40),
        "nonascii.npy": header(descr="<f\xe94"),
        "empty-columns.npy": npy_bytes(np.zeros((4, 0), np.float32)),
        "vector.npy": npy_bytes(f(3)),
        "k-narrow.npy": npy_bytes(f(5, 2)), "v-short.npy": npy_bytes(f(4, 2)),
        "nan.npy": npy_bytes(np.where(np.arange(15).reshape(5, 3) == 7, np.nan, 1).astype(np.float32)),
        "inf.npy": npy_bytes(np.where(np.arange(15).reshape(5, 3) == 7, np.inf, 1).astype(np.float32)),
        "neginf.npy": npy_bytes(np.where(np.arange(12).reshape(4, 3) == 2, -np.inf, 1).astype(np.float32)),
        "bias-nan.npy": npy_bytes(np.where(np.arange(20).reshape(4, 5) == 3, np.nan, 0).astype(np.float32)),
        "bias-shape.npy": npy_bytes(f(4, 4)), "bias-3-rows.npy": npy_bytes(f(3, 5)),
        "q-float64-huge.npy": npy_bytes(np.full((4, 3), 1e300)),
        "bias-float64-huge.npy": npy_bytes(np.full((4, 5), 1e300)),
        "bool.npy": npy_bytes(np.ones((4, 3), dtype=bool)),
        "wisdom-garbage.json": b"{\"format\": \"attune-wisdom\", \"vers",
        "wisdom-newer.json": b"{\"format\": \"attune-wisdom\", \"version\": 9, \"entries\": []}",
        "report.json": b"{}",
        # Ragged batches: Q [4, 3] and K, V [5, .] cut into two sequences by offsets.
        "qo.npy": npy_bytes(np.array([0, 2, 4])), "ko.npy": npy_bytes(np.array([0, 3, 5], np.int32)),
        "ko-down.npy": npy_bytes(np.array([0, 4, 3])), "ko-past.npy": npy_bytes(np.array([0, 3, 9])),
        "ko-empty.npy": npy_bytes(np.array([0, 0, 5])), "ko-float.npy": npy_bytes(np.array([0., 3., 5.])),
        "ko-2d.npy": npy_bytes(np.array([[0, 3, 5]])), "ko-short.npy": npy_bytes(np.array([0, 5])),
        "ko-huge.npy": npy_bytes(np.array([0, 3, 2 ** 63 + 5], np.uint64)),
        "k-beyond-half.npy": npy_bytes(np.full((5, 3), 1e5, np.float32)),
    }
    os.makedirs(os.path.join(work, "readonly"))
    os.makedirs(os.path.join(work, "bad-report"))
    open(os.path.join(work, "bad-report", "report.json"), "w").write("{\"schemaVersion\": 1")
    # A valid report (the tests' fixture) to add bad peers to: nothing may be written beside it.
    shutil.copytree(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests",
                                 "AttuneReportTests", "Fixtures", "tiny"), os.path.join(work, "good-report"))
    os.remove(os.path.join(work, "good-report", "peers.json"))
    open(os.path.join(work, "peers-garbage.json"), "w").write("{\"shapes\": [")
    os.makedirs(os.path.join(work, "old-report"))
    open(os.path.join(work, "old-report", "report.json"), "w").write("{\"schemaVersion\": 0}")
    for name, data in files.items():
        open(os.path.join(work, name), "wb").write(data)
    open(os.path.join(work, "read-only.npy"), "wb").write(b"kept")
    os.chmod(os.path.join(work, "read-only.npy"), 0o444)
    os.symlink("loop.npy", os.path.join(work, "loop.npy"))
    run3 = ["run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy"]

    def swap(flag, value):
        args = list(run3)
        args[args.index(flag) + 1] = value
        return args
    # An instruction set of the other architecture: never runnable here.
    foreign_isa = "neon" if os.uname().machine in ("x86_64", "AMD64") else "avx2"
    cases = {
        "malformed .npy": [(swap("--q", name), 1) for name in [
            "truncated.npy", "garbage.npy", "empty-file.npy", "magic-only.npy", "version9.npy",
            "fortran.npy", "int32.npy", "complex.npy", "object.npy", "rank5.npy",
            "negative-shape.npy", "huge-shape.npy", "bad-dict.npy", "trailing.npy", "nonascii.npy",
            "bool.npy"]],
        "shapes": [
            (swap("--q", "empty-columns.npy"), 1), (swap("--q", "vector.npy"), 1),
            (swap("--k", "k-narrow.npy"), 1), (swap("--v", "v-short.npy"), 1),
            (["run", "--q", "q4.npy", "--k", "k4.npy", "--v", "v4.npy"], 1),
            (["run", "--q", "q4.npy", "--k", "k4b.npy", "--v", "k4b.npy"], 1),
            (run3 + ["--bias", "bias-shape.npy"], 1), (run3 + ["--bias", "bias-3-rows.npy"], 1),
            # An output too large for memory with its encoding: refused before anything is drawn.
            (["run", "--random", "--n", "130000", "--nk", "1", "--d", "1", "--dv", "50000",
              "--out", "huge.npy"], 1),
            (["run", "--random", "--n", "3000000000", "--d", "64"], 64),
            (["run", "--random", "--n", "16777216", "--nk", "1", "--d", "16777216"], 1),
            (["run", "--random", "--heads", "6", "--kv-heads", "4"], 64),
        ],
        "ragged batches": [
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "ko-down.npy"], 1),
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "ko-past.npy"], 1),
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "ko-empty.npy"], 1),
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "ko-float.npy"], 1),
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "ko-2d.npy"], 1),
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "ko-short.npy"], 1),
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "ko-huge.npy"], 1),
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "missing.npy"], 1),
            (swap("--k", "k-beyond-half.npy") + ["--q-offsets", "qo.npy", "--kv-offsets", "ko.npy",
                                                  "--kv-storage", "float16"], 1),
            (run3 + ["--q-offsets", "qo.npy"], 64),
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "ko.npy", "--kv-storage", "int4"], 64),
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "ko.npy", "--kv-storage", "int8",
                     "--page-tokens", "0"], 64),
            (run3 + ["--q-offsets", "qo.npy", "--kv-offsets", "ko.npy", "--padded"], 64),
            (["run", "--random", "--lengths", "abc"], 64), (["run", "--random", "--lengths", "0:5"], 64),
            (["run", "--random", "--lengths", "9:3", "--batch", "2"], 64),
            (["run", "--random", "--lengths", "1:16777217", "--batch", "2"], 64),
            (["run", "--random", "--lengths", "16777216", "--batch", "1", "--heads", "64", "--d", "4096",
              "--kv-storage", "int8"], 1),
            (["run", "--random", "--kv-storage", "int8"], 64),
        ],
        "non-finite values": [
            (swap("--k", "nan.npy"), 1), (swap("--k", "inf.npy"), 1), (swap("--q", "neginf.npy"), 1),
            (run3 + ["--bias", "bias-nan.npy"], 1), (run3 + ["--scale", "nan"], 64),
            (run3 + ["--scale", "-inf"], 64),
            # Finite float64 values that float32 cannot hold: refused by name, not as "inf".
            (swap("--q", "q-float64-huge.npy"), 1), (run3 + ["--bias", "bias-float64-huge.npy"], 1),
        ],
        "flags": [
            (["run"], 64), (["run", "--random", "--n", "abc"], 64), (["run", "--random", "--n", "0"], 64),
            (["run", "--random", "--q", "q.npy"], 64), (["run", "--random", "--kernel", "flash"], 64),
            (["run", "--random", "--block-q", "0"], 64), (["run", "--random", "--causal", "diagonal"], 64),
            (["run", "--random", "--window", "0"], 64), (["run", "--random", "--frobnicate"], 64),
            (["run", "--random", "--scores", "fp8"], 64),
            (["run", "--random", "--n", "64", "--scores", "bfloat16", "--kernel", "simd"], 1),
            # Micro-kernels: an unknown instruction set, one this CPU cannot run, the same by
            # environment variable.
            (["run", "--random", "--n", "64", "--isa", "sse9"], 1),
            (["run", "--random", "--n", "64", "--isa", foreign_isa], 1),
            (["run", "--random", "--n", "64"], 1, {"ATTUNE_ISA": foreign_isa}),
            (["compare", "--sizes", "8", "--repetitions", "2"], 1, {"ATTUNE_ISA": "sse9"}),
            (["compare", "--sizes", "0"], 64), (["compare", "--kernels", "nope"], 64),
            (["compare", "--sizes", "8", "--relative-to", "simd"], 64),
            (["compare", "--sizes", "8", "--baseline-from", "b", "--relative-to", "nope"], 64),
            (["compare", "--sizes", "8", "--test-slow", "fused"], 64),
            (["compare", "--sizes", "8", "--test-slow", "fused@1e308"], 64),
            (["compare", "--sizes", "8", "--kernels", "naive,simd", "--test-slow", "fused@1.1"], 64),
            (["tune", "--strategy", "best"], 64), (["tune", "--candidates", ""], 64),
            (["simulate", "--cv", "2"], 64), (["plan", "--level", "bogus"], 64),
            (["report", "--from", ".", "--quick"], 64), (["nosuchcommand"], 64),
        ],
        # Numbers past their stated ranges: refused before anything is allocated or measured.
        "large numbers": [
            (["simulate", "--trials", "800000000"], 64), (["simulate", "--trials", "4611686018427387904"], 64),
            (["simulate", "--budget-seconds", "inf"], 64), (["duel", "--trials", "0"], 64),
            (["compare", "--repetitions", "9223372036854775807"], 64),
            (["compare", "--repetitions", "1000000000"], 64), (["compare", "--min-sample-ms", "1e308"], 64),
            (["compare", "--processes", "9223372036854775807"], 64), (["compare", "--processes", "0"], 64),
            (["backward", "--random", "--repeat", "9223372036854775807"], 64),
            (["backward", "--random", "--n", "9223372036854775807"], 64),
            (["backward", "--random", "--block-q", "0"], 64),
            (["plan", "--check", "--check-rounds", "9223372036854775807"], 64),
            (["plan", "--level", "measure", "--budget-seconds", "inf"], 64),
            (["tune", "--budget-seconds", "inf"], 64), (["tune", "--budget-seconds", "1e19"], 64),
            (["duel", "--budget-seconds", "nan"], 64), (["tune", "--n", "9223372036854775807"], 64),
            (["duel", "--d", "9223372036854775807"], 64), (["run", "--random", "--repeat", "9223372036854775807"], 64),
            (["tune", "--n", "16777216", "--d", "16777216", "--quiet"], 1),
            # Memory in total, before anything is drawn (these took seconds of drawing first).
            (["compare", "--sizes", "3000000", "--kernels", "naive", "--baseline", "naive", "--quiet"], 1),
        ],
        "paths": [
            (swap("--q", "missing.npy"), 1), (swap("--q", "readonly"), 1),
            (swap("--out", "no-such-dir/o.npy"), 1), (swap("--out", "readonly"), 1),
            (run3 + ["--lse", "no-such-dir/l.npy"], 1),
            (["compare", "--sizes", "8", "--json", "no-such-dir/c.json"], 1),
            (["report", "--output", "q.npy"], 1), (["report", "--from", "missing-dir"], 1),
            (["wisdom", "import", "missing.json", "--wisdom", "w.json"], 1),
        ],
        # Output errors: stdout full or closed, a device that fails, two outputs that are one file,
        # files that must not be replaced. Every output of a command is written, or none.
        "outputs": [
            (["simulate", "--trials", "2", "--json", "-"], 1, {"_stdout": "/dev/full"}),
            (["kernels"], 1, {"_stdout": "/dev/full"}),
            (["kernels", "--json"], 1, {"_stdout": "closed"}),
            (["wisdom", "export"], 1, {"_stdout": "closed"}),
            (run3 + ["--lse", "/dev/full"], 1),
            (["compare", "--sizes", "8", "--repetitions", "2", "--quiet", "--json", "c.json",
              "--csv", "/dev/full"], 1),
            (["tune", "--n", "64", "--candidates", "64", "--budget-measurements", "4", "--save",
              "--json", "/dev/full", "--quiet"], 1),
            (run3 + ["--lse", "o.npy"], 1), (run3 + ["--lse", "./o.npy"], 1),
            (["compare", "--sizes", "8", "--json", "c.json", "--csv", "c.json"], 1),
            (swap("--out", "read-only.npy"), 1), (swap("--out", "loop.npy"), 1),
        ],
        "report data": [
            (["report", "--from", "bad-report"], 1), (["report", "--from", "old-report"], 1),
            (["report", "--from", "readonly"], 1),
            (["report", "--from", "good-report", "--peers", "missing.json"], 1),
            (["report", "--from", "good-report", "--peers", "peers-garbage.json"], 1),
            (["report", "--from", "good-report", "--peers", ""], 64),
        ],
        "wisdom files": [
            (["wisdom", "import", "wisdom-garbage.json", "--wisdom", "w.json"], 1),
            (["wisdom", "import", "wisdom-newer.json", "--wisdom", "w.json"], 1),
            (["wisdom", "import", "garbage.npy", "--wisdom", "w.json"], 1),
            (["plan", "--level", "wisdom-only", "--wisdom", "w.json"], 1),
            # A wisdom path that is a directory is refused and left alone (never moved aside).
            (["wisdom", "clear", "--wisdom", "readonly"], 1),
            (["tune", "--n", "64", "--candidates", "64", "--budget-measurements", "4", "--save",
              "--wisdom", "readonly", "--quiet"], 1),
        ],
    }
    total = failures = 0
    rows = []
    for category, items in cases.items():
        passed = 0
        for args, status, *extra in items:
            before = sorted(os.listdir(work))
            options = extra[0] if extra else {}
            env = {**os.environ, "ATTUNE_WISDOM": os.path.join(work, "w.json"),
                   **{k: v for k, v in options.items() if not k.startswith("_")}}
            redirect = options.get("_stdout")
            stdout = open(redirect, "w") if redirect and redirect != "closed" else subprocess.PIPE
            result = subprocess.run(
                [attune] + args, cwd=work, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env,
                preexec_fn=(lambda: os.close(1)) if redirect == "closed" else None)
            if stdout is not subprocess.PIPE:
                stdout.close()
            after = sorted(os.listdir(work))
            # Warnings about the measurement (load, too few repetitions) may come first; the
            # error is then the first line that is not one.
            lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("warning: ")]
            problems = []
            if result.returncode != status:
                problems.append(f"exit {result.returncode}, expected {status}")
            if not lines or not lines[0].startswith("Error: "):
                problems.append("no 'Error:' line first")
            if status == 1 and len(lines) != 1:
                problems.append(f"{len(lines)} stderr lines")
            if any(word in result.stderr for word in ("Fatal error", "Stack dump", "Segmentation", "Illegal")):
                problems.append("crash")
            if after != before:
                problems.append(f"wrote {sorted(set(after) - set(before))}")
            total += 1
            if problems:
                failures += 1
                print(f"FAIL [{category}] attune {' '.join(args)}: {'; '.join(problems)}\n     {result.stderr.strip()[:300]}")
            else:
                passed += 1
        rows.append((category, len(items), passed))
    # Outputs that must work: a file name of 250 characters (the temporary name must fit too), a
    # symbolic link (its target is replaced, the link kept), a device (written, not replaced).
    long_name = "n" * 246 + ".npy"
    os.symlink("target.npy", os.path.join(work, "link.npy"))
    good = [
        (swap("--out", long_name), lambda: os.path.isfile(os.path.join(work, long_name))),
        (swap("--out", "link.npy"), lambda: os.path.islink(os.path.join(work, "link.npy"))
         and os.path.isfile(os.path.join(work, "target.npy"))),
        (swap("--out", "/dev/null"), lambda: os.path.exists("/dev/null")
         and not os.path.isfile("/dev/null")),
    ]
    passed = 0
    for args, check in good:
        result = subprocess.run([attune] + args, cwd=work, capture_output=True, text=True)
        total += 1
        if result.returncode == 0 and check():
            passed += 1
        else:
            failures += 1
            print(f"FAIL [outputs that work] attune {' '.join(args)}: exit {result.returncode}\n     {result.stderr.strip()[:300]}")
    rows.append(("outputs that work", len(good), passed))
    shutil.rmtree(work)
    if markdown:
        print("| category | inputs tried | clean error, documented status, nothing written |")
        print("|---|---|---|")
        for category, tried, passed in rows:
            print(f"| {category} | {tried} | {passed} |")
        print(f"| **all** | **{total}** | **{total - failures}** |")
    else:
        for category, tried, passed in rows:
            print(f"{category:20} {passed}/{tried}")
        print(f"{'all':20} {total - failures}/{total}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
