"""What the training benchmarks share: the models, the MNIST batches and the timing.

A step function takes one batch, flat images [BATCH_SIZE, 784] in [0, 1] and one-hot labels
[BATCH_SIZE, 10] (each framework reshapes the images to its own layout), runs one training
update, and returns the batch loss as a float. Fetching the loss makes every framework finish
the step before the clock reads it.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable

import numpy as np

BATCH_SIZE = 100
NUM_BATCHES = 50  # cycled; enough distinct data that no framework can cache a result

# model name -> what the benchmark trains. Each is the same model in every framework.
MODELS = {
    "chapter5": "784-500-10 ReLU, GD, L2 1e-4, moving averages 0.99 (examples.mnist_train)",
    "lenet5": "conv5x5x32-pool-conv5x5x64-pool-FC512-dropout-FC10, Adam, L2, moving averages "
              "(examples.lenet5)",
    "keras_mlp": "784-500-500-10 ReLU softmax, Adam, Keras train_on_batch "
                 "(examples.keras_mnist)",
}

Step = Callable[[np.ndarray, np.ndarray], float]


def mnist_batches(count: int = NUM_BATCHES) -> list[tuple[np.ndarray, np.ndarray]]:
    """`count` training batches of the shipped MNIST, in the same order for every framework."""
    from graphflow.examples.tutorials.mnist import input_data

    train = input_data.read_data_sets(one_hot=True, seed=0).train
    return [train.next_batch(BATCH_SIZE, shuffle=False) for _ in range(count)]


def images_per_second(step: Step, batches: list[tuple[np.ndarray, np.ndarray]],
                      blocks: int = 5, block_seconds: float = 1.0,
                      warmup: int = 3) -> tuple[float, float]:
    """Training throughput of `step`: (best, median) images/s over `blocks` timed blocks.

    Each block runs as many steps as fill about `block_seconds` (estimated from one step after
    `warmup` untimed ones, which pay for lazy setup: plan compilation, tracing, allocation).
    The VM is noisy, so the best block is the headline figure and the median shows the spread.
    """
    batch_cycle = itertools.cycle(batches)
    for _ in range(warmup):
        step(*next(batch_cycle))
    start = time.perf_counter()
    step(*next(batch_cycle))
    once = max(time.perf_counter() - start, 1e-6)
    steps_per_block = max(2, round(block_seconds / once))
    rates = []
    for _ in range(blocks):
        start = time.perf_counter()
        for _ in range(steps_per_block):
            step(*next(batch_cycle))
        rates.append(steps_per_block * BATCH_SIZE / (time.perf_counter() - start))
    return max(rates), statistics.median(rates)
