"""Training throughput (images/s) of the examples' models: graphflow, PyTorch and TensorFlow.

    python benchmarks/bench_training.py [--threads 1,2] [--models chapter5,lenet5,keras_mlp]
                                        [--blocks 5] [--block-seconds 1.0]

Same models, same MNIST batches of 100, same run (training_cases/). Every (framework, model,
thread count) trains in a child process with OMP/MKL/OpenBLAS/GRAPHFLOW_NUM_THREADS set to the
count, so no framework's thread pools or allocator state leak into another's. A framework that
is not installed is reported as such. The figure is the best of --blocks timed blocks of about
--block-seconds each (the median follows in parentheses). Ratios above 1 mean graphflow is
faster.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from training_cases.common import MODELS, images_per_second, mnist_batches

FRAMEWORKS = ("graphflow", "torch", "tensorflow")


def _child(framework: str, model: str, threads: int, blocks: int,
           block_seconds: float) -> None:
    """Prints {"best", "median"} images/s, or {"unavailable": why} without the framework."""
    try:
        if framework == "torch":
            from training_cases import torch_models

            step = torch_models.make_step(model, threads)
        else:
            from training_cases import tf1_graphs

            step = tf1_graphs.make_step(framework, model, threads)
    except ImportError as err:
        json.dump({"unavailable": f"{err.name or err} not installed"}, sys.stdout)
        return
    best, median = images_per_second(step, mnist_batches(), blocks, block_seconds)
    json.dump({"best": best, "median": median}, sys.stdout)


def _run_child(framework: str, model: str, threads: int, blocks: int,
               block_seconds: float) -> dict:
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                 "GRAPHFLOW_NUM_THREADS"):
        env[name] = str(threads)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = ["--child", framework, "--models", model, "--threads", str(threads),
            "--blocks", str(blocks), "--block-seconds", str(block_seconds)]
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), *args], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        return {"unavailable": f"failed (exit {proc.returncode})"}
    return json.loads(proc.stdout)


def _cell(result: dict) -> str:
    if "best" not in result:
        return f"{result['unavailable'][:22]:>22}"
    return f"{result['best']:9.0f} ({result['median']:7.0f})".rjust(22)


def _ratio(graphflow: dict, other: dict) -> str:
    if "best" not in graphflow or "best" not in other:
        return f"{'-':>8}"
    return f"{graphflow['best'] / other['best']:8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated counts, e.g. 1,2")
    parser.add_argument("--models", default=",".join(MODELS),
                        help=f"comma-separated, from {','.join(MODELS)}")
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--block-seconds", type=float, default=1.0)
    parser.add_argument("--child", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    models = [m for m in args.models.split(",") if m]
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        parser.error(f"unknown models {unknown}; expected some of {list(MODELS)}")
    thread_counts = [int(t) for t in args.threads.split(",") if t]

    if args.child:
        _child(args.child, models[0], thread_counts[0], args.blocks, args.block_seconds)
        return

    for model in models:
        print(f"{model}: {MODELS[model]}")
    print(f"\nimages/s, best of {args.blocks} blocks (median); batch 100; "
          "ratios are graphflow / other")
    print(f"{'model':10} {'thr':>3} " + " ".join(f"{f:>22}" for f in FRAMEWORKS)
          + f" {'gf/torch':>8} {'gf/tf':>8}")
    for model in models:
        for threads in thread_counts:
            results = {f: _run_child(f, model, threads, args.blocks, args.block_seconds)
                       for f in FRAMEWORKS}
            print(f"{model:10} {threads:3d} " + " ".join(_cell(results[f]) for f in FRAMEWORKS)
                  + f" {_ratio(results['graphflow'], results['torch'])}"
                  + f" {_ratio(results['graphflow'], results['tensorflow'])}", flush=True)


if __name__ == "__main__":
    main()
