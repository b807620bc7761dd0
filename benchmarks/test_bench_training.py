"""pytest-benchmark cases for one training step (run: pytest benchmarks/test_bench_training.py).

The same steps bench_training.py times (training_cases/), for tracking over time: graphflow
beside PyTorch and TensorFlow (each skipped when not installed), on the same MNIST batches.
pytest-benchmark reports seconds per step of 100 images; bench_training.py prints images/s
and ratios. TensorFlow cases run last: it keeps its thread pools for the whole process.
"""

import itertools
import math

import pytest
from training_cases import tf1_graphs, torch_models
from training_cases.common import MODELS, mnist_batches


@pytest.fixture(scope="module")
def batches():
    return mnist_batches()


def _bench(benchmark, step, batches):
    batch_cycle = itertools.cycle(batches)
    for _ in range(3):  # warm-up: plan compilation, tracing, allocation
        step(*next(batch_cycle))
    loss = benchmark(lambda: step(*next(batch_cycle)))
    assert math.isfinite(loss)
    assert loss > 0.0  # a cross-entropy


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("model", list(MODELS))
def test_graphflow_step(benchmark, batches, model, threads):
    _bench(benchmark, tf1_graphs.make_step("graphflow", model, threads), batches)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("model", list(MODELS))
def test_torch_step(benchmark, batches, model, threads):
    pytest.importorskip("torch")
    _bench(benchmark, torch_models.make_step(model, threads), batches)


@pytest.mark.parametrize("model", list(MODELS))
def test_tensorflow_step(benchmark, batches, model):
    pytest.importorskip("tensorflow")
    _bench(benchmark, tf1_graphs.make_step("tensorflow", model, 2), batches)
