#!/usr/bin/env python3
"""The backward pass against PyTorch's CPU autograd through scaled_dot_product_attention, each
scenario in one interleaved run on this machine (same inputs, same threads):

  single   N=2048, d=64, one head: PyTorch backward / Attune backward (target ≥ 1.3).
  mha      B=1, H=8, N=1024, d=64: the same (target ≥ 1.3).
  causal   N=2048, d=64, one head, causal (top-left): the same (target ≥ 1.3).
  step     N=2048, d=64: a training step's attention (forward, then backward), PyTorch / Attune.
  threads  N=2048, d=64: Attune's backward on 1 thread / on --threads (target ≥ 1.7 for 2).

Attune's backward runs in long-lived `attune backward --serve` processes on .npy inputs that
PyTorch also uses; the forward's O and log-sum-exp are computed once, so a call is the backward
alone (with --step, forward and backward). PyTorch's call is torch.autograd.grad of its SDPA
output with retain_graph (the backward alone); its step builds the graph and differentiates.
Method as scripts/bench/peer_benchmark.py: shuffled rounds, a pause and a warm-up call before each
sample of ≥ --min-sample-ms, medians of per-round ratios with distribution-free 95 % intervals.
Needs the peers' environment (python3 scripts/bench/peer_benchmark.py --setup); never run in CI.
--isa runs Attune on one micro-kernel table (ATTUNE_ISA: avx512, avx2, neon, portable);
--hold-avx2 holds PyTorch to AVX2 + FMA (ATEN_CPU_CAPABILITY=avx2; its MKL and oneDNN by
MKL_ENABLE_INSTRUCTIONS and ONEDNN_MAX_CPU_ISA), to measure the AVX2 entry on an AVX-512 machine.

    python3 scripts/bench/backward_benchmark.py [--scenarios single,mha,causal,step,threads] [--rounds 10]
    python3 scripts/bench/backward_benchmark.py --isa avx2 --hold-avx2
"""
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interleaved  # noqa: E402
from interleaved import attune_server  # noqa: E402
from peers import HOLD_AVX2, attune_active, cpu_model, enter  # noqa: E402


def parse():
    p = interleaved.argument_parser(__doc__, "single,mha,causal,step,threads")
    p.add_argument("--isa", help="Attune's micro-kernels (ATTUNE_ISA); default: the best this CPU runs")
    p.add_argument("--hold-avx2", action="store_true", help="hold PyTorch to AVX2 + FMA")
    return p.parse_args()


def main():
    args = parse()
    extra = dict(HOLD_AVX2) if args.hold_avx2 else {}
    if args.isa:
        extra["ATTUNE_ISA"] = args.isa
    enter(args.threads, extra)
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    sdpa = torch.nn.functional.scaled_dot_product_attention
    rng = random.Random(args.seed)
    print(f"CPU: {cpu_model()}; Attune's micro-kernels: {attune_active(args.attune)}"
          f"{'; PyTorch held to AVX2' if args.hold_avx2 else ''}; "
          f"torch {torch.__version__}, {args.threads} threads, {args.rounds} interleaved rounds")

    with tempfile.TemporaryDirectory() as tmp:
        gen = np.random.default_rng(args.seed)

        def inputs(tag, shape):
            arrays = [gen.standard_normal(shape, dtype=np.float32) for _ in range(4)]
            paths = []
            for name, a in zip(("q", "k", "v", "do"), arrays):
                paths.append(os.path.join(tmp, f"{tag}{name}.npy"))
                np.save(paths[-1], a)
            return arrays, paths

        def server(paths, *flags, threads=None):
            return attune_server([args.attune, "backward", "--q", paths[0], "--k", paths[1], "--v",
                                  paths[2], "--grad-output", paths[3], "--threads",
                                  str(threads or args.threads), "--serve", *flags])

        def torch_backward(arrays, step=False, **kwargs):
            q, k, v = (torch.from_numpy(a).requires_grad_() for a in arrays[:3])
            do = torch.from_numpy(arrays[3])
            o = sdpa(q, k, v, **kwargs)

            def run(calls):
                start = time.perf_counter()
                for _ in range(calls):
                    out = sdpa(q, k, v, **kwargs) if step else o
                    torch.autograd.grad(out, (q, k, v), do, retain_graph=not step)
                return (time.perf_counter() - start) / calls
            return run

        def measure(title, candidates, ratios):
            interleaved.measure(title, candidates, ratios, rounds=args.rounds,
                                min_sample_ms=args.min_sample_ms, pause_ms=args.pause_ms, rng=rng)

        scenarios = args.scenarios.split(",")
        single = inputs("s", (1, 1, 2048, 64))
        if "single" in scenarios:
            measure("single: N=2048, d=64, one head, backward", {
                "attune": server(single[1]), "torch": torch_backward(single[0]),
            }, [("PyTorch / Attune time", "torch", "attune", "≥ 1.3")])
        if "mha" in scenarios:
            mha = inputs("m", (1, 8, 1024, 64))
            measure("mha: B=1, H=8, N=1024, d=64, backward", {
                "attune": server(mha[1]), "torch": torch_backward(mha[0]),
            }, [("PyTorch / Attune time", "torch", "attune", "≥ 1.3")])
        if "causal" in scenarios:
            measure("causal: N=2048, d=64, one head, causal top-left, backward", {
                "attune": server(single[1], "--causal", "top-left"),
                "torch": torch_backward(single[0], is_causal=True),
            }, [("PyTorch / Attune time", "torch", "attune", "≥ 1.3")])
        if "step" in scenarios:
            measure("step: N=2048, d=64, one head, forward and backward", {
                "attune": server(single[1], "--step"), "torch": torch_backward(single[0], step=True),
            }, [("PyTorch / Attune time", "torch", "attune", "(reference)")])
        if "threads" in scenarios:
            measure(f"threads: N=2048, d=64, backward on 1 and {args.threads} threads", {
                "attune": server(single[1]), "attune-1-thread": server(single[1], threads=1),
            }, [(f"1 thread / {args.threads} threads time", "attune-1-thread", "attune",
                 "≥ 1.7" if args.threads == 2 else "(reference)")])


if __name__ == "__main__":
    main()
