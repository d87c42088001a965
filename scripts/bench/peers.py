"""The one module the peer scripts share: where the peers' environment lives and how it is set up
(`python3 scripts/bench/peer_benchmark.py --setup`), the machine's description, the median with
its order-statistic interval, and the peers' attention calls built the same way everywhere."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-peers")
VENV_PYTHON = os.path.join(VENV, "bin", "python")
PEERS = ["numpy", "onnx", "onnxruntime", "torch"]
# What holds each peer that can be held to AVX2 + FMA: PyTorch's own kernels (ATEN_CPU_CAPABILITY),
# the MKL and oneDNN it calls for its matrix products (their documented instruction-set caps), and
# OpenBLAS behind NumPy. onnxruntime has no such switch.
HOLD_AVX2 = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2",
             "OPENBLAS_CORETYPE": "Haswell"}


def setup():
    if not os.path.exists(VENV_PYTHON):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    subprocess.check_call([VENV_PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    subprocess.check_call([VENV_PYTHON, "-m", "pip", "install", "--quiet"] + PEERS)
    print(f"peers installed in {VENV}", file=sys.stderr)


def enter(threads, extra=None, drop=()):
    """Re-executes the running script inside the peers' environment (when it exists), with every
    BLAS and OpenMP pool held to `threads` threads and the variables of `extra` set, before any
    numerical library loads; `drop` names arguments not to pass again (such as --setup)."""
    argv = [a for a in sys.argv if a not in drop]
    if os.path.exists(VENV_PYTHON) and os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        os.execv(VENV_PYTHON, [VENV_PYTHON] + argv)
    wanted = {var: str(threads) for var in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]}
    wanted.update(extra or {})
    if any(os.environ.get(var) != value for var, value in wanted.items()):
        os.environ.update(wanted)
        os.execv(sys.executable, [sys.executable] + argv)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return os.uname().machine


def attune_active(attune):
    """The micro-kernel table `attune kernels --json` says is in use (ATTUNE_ISA honoured)."""
    try:
        out = subprocess.run([attune, "kernels", "--json"], capture_output=True, text=True, check=True).stdout
        return json.loads(out)["microKernels"]["active"]
    except (OSError, subprocess.CalledProcessError, KeyError, ValueError):
        return "unknown"


def attune_entries(attune):
    """The micro-kernel tables `attune kernels --json` says this CPU runs, best first."""
    try:
        out = subprocess.run([attune, "kernels", "--json"], capture_output=True, text=True, check=True).stdout
        return ", ".join(json.loads(out)["microKernels"]["supported"])
    except (OSError, subprocess.CalledProcessError, KeyError, ValueError):
        return "unknown"


def median_interval(values, confidence=0.95):
    """Median and the order-statistic interval [x_(k), x_(n-k+1)] (as attune's Stats)."""
    from math import comb
    xs = sorted(values)
    n = len(xs)
    at_most = [sum(comb(n, i) for i in range(j + 1)) / 2 ** n for j in range(n + 1)]
    k = 1
    while k + 1 <= (n + 1) // 2 and 1 - 2 * at_most[k] >= confidence:
        k += 1
    mid = (xs[(n - 1) // 2] + xs[n // 2]) / 2
    return mid, xs[k - 1], xs[n - k]


def onnx_attention(ort, helper, tensor_proto, q, k, v, threads):
    """onnxruntime's com.microsoft.MultiHeadAttention on q, k, v of shape [B, H, N, d] (float32,
    2-D [N, d] taken as B = H = 1), on the CPU provider with `threads` intra-op threads. Returns a
    function of no argument that runs one call and returns the output [B, N, H * d]."""
    import numpy as np
    if q.ndim == 2:
        q, k, v = (a[None, None] for a in (q, k, v))
    b, h, n, d = q.shape
    node = helper.make_node("MultiHeadAttention", ["q", "k", "v"], ["o"], domain="com.microsoft",
                            num_heads=h)
    io = [helper.make_tensor_value_info(x, tensor_proto.FLOAT, [b, n, h * d]) for x in "qkvo"]
    model = helper.make_model(helper.make_graph([node], "mha", io[:3], io[3:]),
                              opset_imports=[helper.make_opsetid("", 17),
                                             helper.make_opsetid("com.microsoft", 1)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    feed = {x: np.ascontiguousarray(a.transpose(0, 2, 1, 3).reshape(b, n, h * d))
            for x, a in zip("qkv", (q, k, v))}
    return lambda: session.run(None, feed)[0]
