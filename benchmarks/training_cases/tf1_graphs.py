"""The examples' own TF1 graph code, built on graphflow or on TensorFlow; and the Keras model.

For "chapter5" and "lenet5" the step runs `build_training_graph` of examples.mnist_train and
examples.lenet5: on graphflow as shipped, and on TensorFlow by pointing those modules' `tf` name
at `tensorflow.compat.v1`. The graph TensorFlow trains is then built by the very code graphflow
trains, line for line, which is also a check that the examples are TF1 code. "keras_mlp" is
examples.keras_mnist's model in graphflow.keras and the same layers in Keras 3 on TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import types
from typing import Any

from training_cases.common import Step

FRAMEWORKS = ("graphflow", "tensorflow")


class _TensorFlowAsTF1:
    """`tensorflow.compat.v1`, plus the one name the book's code needs from TF1's contrib.

    TensorFlow 2 dropped `tf.contrib`; `contrib.layers.l2_regularizer(scale)(w)` was
    `scale * tf.nn.l2_loss(w)`, which is what it is here.
    """

    def __init__(self) -> None:
        import tensorflow.compat.v1 as v1

        self._v1 = v1
        self.contrib = types.SimpleNamespace(
            layers=types.SimpleNamespace(l2_regularizer=self._l2_regularizer))

    def _l2_regularizer(self, scale: float) -> Any:
        return lambda weights: scale * self._v1.nn.l2_loss(weights)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._v1, name)


def _tf1(framework: str) -> Any:
    """The module the examples' code calls `tf`, for `framework`."""
    if framework == "graphflow":
        import graphflow

        return graphflow
    if framework == "tensorflow":
        return _TensorFlowAsTF1()
    raise ValueError(f"unknown framework {framework!r}; expected one of {FRAMEWORKS}")


def example_step(framework: str, model: str, threads: int) -> Step:
    """One training step of examples.mnist_train's ("chapter5") or examples.lenet5's graph."""
    from graphflow.examples import lenet5, lenet5_inference, mnist_inference, mnist_train

    program, modules = {
        "chapter5": (mnist_train, (mnist_inference, mnist_train)),
        "lenet5": (lenet5, (lenet5_inference, lenet5)),
    }[model]
    tf = _tf1(framework)
    for module in modules:
        module.tf = tf  # a no-op for graphflow, whose examples already import it as tf
    image_shape = [-1, 784] if model == "chapter5" else [-1, 28, 28, 1]

    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        net = program.build_training_graph(55000)
        init = tf.global_variables_initializer()
    config = tf.ConfigProto(intra_op_parallelism_threads=threads,
                            inter_op_parallelism_threads=threads)
    sess = tf.Session(graph=graph, config=config)
    sess.run(init)

    def step(images, labels):
        feed = {net.x: images.reshape(image_shape), net.y_: labels}
        return float(sess.run([net.train_op, net.loss], feed_dict=feed)[1])

    return step


def keras_step(framework: str, threads: int) -> Step:
    """One `train_on_batch` of examples.keras_mnist's model (ReLU, Adam 0.001)."""
    if framework == "graphflow":
        from graphflow.examples import keras_mnist
        from graphflow.keras.optimizers import Adam

        model = keras_mnist.build_model("relu", seed=0)
        # The model's Session reads its thread count when it is created, below.
        previous = os.environ.get("GRAPHFLOW_NUM_THREADS")
        os.environ["GRAPHFLOW_NUM_THREADS"] = str(threads)
        try:
            model.compile(loss="categorical_crossentropy", optimizer=Adam(),
                          metrics=["accuracy"])
            _ = model.session
        finally:
            if previous is None:
                del os.environ["GRAPHFLOW_NUM_THREADS"]
            else:
                os.environ["GRAPHFLOW_NUM_THREADS"] = previous
    elif framework == "tensorflow":
        import keras
        import tensorflow

        # TensorFlow fixes its eager thread pools when the process first uses them; after that
        # (e.g. in pytest, after a TF1 session ran) the first setting stays.
        with contextlib.suppress(RuntimeError):
            tensorflow.config.threading.set_intra_op_parallelism_threads(threads)
            tensorflow.config.threading.set_inter_op_parallelism_threads(threads)
        layers = keras.layers
        keras.utils.set_random_seed(0)
        model = keras.Sequential([
            keras.Input((784,)), layers.Dense(500), layers.Activation("relu"),
            layers.Dense(500), layers.Activation("relu"), layers.Dense(10),
            layers.Activation("softmax")])
        model.compile(loss="categorical_crossentropy",
                      optimizer=keras.optimizers.Adam(learning_rate=0.001),
                      metrics=["accuracy"])
    else:
        raise ValueError(f"unknown framework {framework!r}; expected one of {FRAMEWORKS}")

    def step(images, labels):
        return float(model.train_on_batch(images, labels)[0])

    return step


def make_step(framework: str, model: str, threads: int) -> Step:
    """The training step of `model` (a key of common.MODELS) in `framework`."""
    if model == "keras_mlp":
        return keras_step(framework, threads)
    return example_step(framework, model, threads)
