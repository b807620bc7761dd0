"""The seed book's chapter-5 training program: `python -m graphflow.examples.mnist_train`.

Counterpart: the book's mnist_train.py. Trains mnist_inference's network with L2 regularization,
a staircase-decayed learning rate and moving averages of the weights, checkpointing every 1000
steps into --model-dir (default ./mnist_model), where mnist_eval finds the checkpoints.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from typing import Any, NamedTuple

import graphflow as tf
from graphflow.examples import mnist_inference
from graphflow.examples.progress import TrainingProgress
from graphflow.examples.tutorials.mnist import input_data

BATCH_SIZE = 100
LEARNING_RATE_BASE = 0.8
LEARNING_RATE_DECAY = 0.99
REGULARIZATION_RATE = 0.0001
TRAINING_STEPS = 30000
MOVING_AVERAGE_DECAY = 0.99
MODEL_SAVE_PATH = "mnist_model"
MODEL_NAME = "model.ckpt"
CHECKPOINT_EVERY = 1000


def _moving_average_accuracy(x: Any, y_: Any, variable_averages: Any) -> Any:
    """The accuracy of the network read through its moving averages (not in the book).

    A custom getter swaps each variable `inference` asks for with its shadow variable, so this
    computes what mnist_eval measures after restoring the averages, for the summary line.
    """

    def average_getter(getter: Any, *args: Any, **kwargs: Any) -> Any:
        return variable_averages.average(getter(*args, **kwargs))

    with tf.variable_scope(tf.get_variable_scope(), reuse=True, custom_getter=average_getter):
        average_y = mnist_inference.inference(x, None)
    correct_prediction = tf.equal(tf.argmax(average_y, 1), tf.argmax(y_, 1))
    return tf.reduce_mean(tf.cast(correct_prediction, tf.float32))


class TrainingGraph(NamedTuple):
    """The tensors of the training graph a training loop feeds and fetches."""

    x: Any
    y_: Any
    loss: Any
    learning_rate: Any
    train_op: Any
    global_step: Any
    variable_averages: Any


def build_training_graph(num_examples: int) -> TrainingGraph:
    """Builds the book's training graph into the default graph.

    The network from mnist_inference with an L2 regularizer, the cross-entropy plus the
    'losses' collection, a learning rate decayed by LEARNING_RATE_DECAY every epoch of
    `num_examples` images, gradient descent, and moving averages of the trainable variables
    updated after each step (`train_op` runs both).
    """
    x = tf.placeholder(tf.float32, [None, mnist_inference.INPUT_NODE], name="x-input")
    y_ = tf.placeholder(tf.float32, [None, mnist_inference.OUTPUT_NODE], name="y-input")

    regularizer = tf.contrib.layers.l2_regularizer(REGULARIZATION_RATE)
    y = mnist_inference.inference(x, regularizer)
    global_step = tf.Variable(0, trainable=False)

    variable_averages = tf.train.ExponentialMovingAverage(MOVING_AVERAGE_DECAY, global_step)
    variables_averages_op = variable_averages.apply(tf.trainable_variables())
    cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
        logits=y, labels=tf.argmax(y_, 1))
    cross_entropy_mean = tf.reduce_mean(cross_entropy)
    loss = cross_entropy_mean + tf.add_n(tf.get_collection("losses"))
    learning_rate = tf.train.exponential_decay(
        LEARNING_RATE_BASE, global_step, num_examples / BATCH_SIZE,
        LEARNING_RATE_DECAY, staircase=True)
    train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(
        loss, global_step=global_step)
    with tf.control_dependencies([train_step, variables_averages_op]):
        train_op = tf.no_op(name="train")
    return TrainingGraph(x, y_, loss, learning_rate, train_op, global_step, variable_averages)


def train(
    mnist: Any, steps: int = TRAINING_STEPS, model_dir: str = MODEL_SAVE_PATH, threads: int = 0,
    progress: bool = True, seed: int | None = None,
) -> dict[str, Any]:
    """Trains the chapter-5 network on `mnist` and checkpoints it into `model_dir`.

    As in the book, a checkpoint is written every 1000 steps (here after steps 1000, 2000, ...;
    the book's loop saves after steps 1, 1001, ...), and after the last step, so mnist_eval
    always sees the final weights.

    Args:
      mnist: Data sets from `input_data.read_data_sets(one_hot=True)`.
      steps: Number of training steps (batches of BATCH_SIZE).
      model_dir: Directory for the checkpoints (created if missing).
      threads: `ConfigProto(intra_op_parallelism_threads=...)`; 0 uses every core.
      progress: Show a progress bar (else log a line every 1000 steps).
      seed: Graph-level random seed (`tf.set_random_seed`), for reproducible runs.

    Returns:
      A dict with the final batch `loss`, the `validation_accuracy` of the averaged weights,
      `seconds` of training, `images_per_sec` and the last `checkpoint` path.
    """
    with tf.Graph().as_default():
        if seed is not None:
            tf.set_random_seed(seed)
        net = build_training_graph(mnist.train.num_examples)
        accuracy = _moving_average_accuracy(net.x, net.y_, net.variable_averages)
        saver = tf.train.Saver()
        os.makedirs(model_dir, exist_ok=True)
        save_path = os.path.join(model_dir, MODEL_NAME)
        config = tf.ConfigProto(intra_op_parallelism_threads=threads)
        with tf.Session(config=config) as sess:
            tf.global_variables_initializer().run()
            bar = TrainingProgress(steps, BATCH_SIZE, desc="mnist_train", bar=progress,
                                   log_every=CHECKPOINT_EVERY)
            with bar:
                for i in range(steps):
                    xs, ys = mnist.train.next_batch(BATCH_SIZE)
                    _, loss_value, rate = sess.run(
                        [net.train_op, net.loss, net.learning_rate],
                        feed_dict={net.x: xs, net.y_: ys})
                    bar.update(i + 1, loss_value, rate)
                    if (i + 1) % CHECKPOINT_EVERY == 0:
                        checkpoint = saver.save(sess, save_path, global_step=net.global_step)
                seconds, images_per_sec = bar.elapsed, bar.images_per_sec
            if steps % CHECKPOINT_EVERY != 0 or steps == 0:
                checkpoint = saver.save(sess, save_path, global_step=net.global_step)
            validate_feed = {net.x: mnist.validation.images, net.y_: mnist.validation.labels}
            validation_accuracy = sess.run(accuracy, feed_dict=validate_feed)
    return {"loss": float(loss_value) if steps else float("nan"),
            "validation_accuracy": float(validation_accuracy), "seconds": seconds,
            "images_per_sec": images_per_sec, "checkpoint": checkpoint}


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m graphflow.examples.mnist_train",
        description="Train the book's chapter-5 MNIST network (784-500-10, moving averages).")
    parser.add_argument("--steps", type=int, default=TRAINING_STEPS,
                        help=f"training steps of {BATCH_SIZE} images (default {TRAINING_STEPS})")
    parser.add_argument("--model-dir", default=MODEL_SAVE_PATH,
                        help=f"checkpoint directory (default ./{MODEL_SAVE_PATH})")
    parser.add_argument("--data-dir", default=None,
                        help="MNIST directory (default: the copy shipped with graphflow)")
    parser.add_argument("--threads", type=int, default=0,
                        help="intra-op threads per kernel (default 0: one per core)")
    parser.add_argument("--seed", type=int, default=None, help="graph-level random seed")
    parser.add_argument("--no-progress", action="store_true",
                        help="log a line every 1000 steps instead of showing a progress bar")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Runs the program with command-line arguments `argv` (default `sys.argv[1:]`)."""
    args = _parse_args(argv)
    start = time.perf_counter()
    mnist = input_data.read_data_sets(args.data_dir, one_hot=True)
    result = train(mnist, steps=args.steps, model_dir=args.model_dir, threads=args.threads,
                   progress=not args.no_progress, seed=args.seed)
    print(f"mnist_train: {args.steps} steps, validation accuracy (moving averages) "
          f"{result['validation_accuracy']:.4f}, {result['images_per_sec']:.0f} images/s, "
          f"total time {time.perf_counter() - start:.1f} s; checkpoint {result['checkpoint']}",
          flush=True)
    return result


if __name__ == "__main__":
    main()
