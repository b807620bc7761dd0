"""The example programs on the shipped MNIST: chapter 5 and the Keras model learn.

mnist_train's short run must reach 97% validation accuracy with its moving-average weights;
mnist_eval must restore exactly those averages from the checkpoint; the Keras course model must
reach 95% test accuracy after one epoch; LeNet-5 gets a smoke run.
"""

import io
import os
import subprocess
import sys

import numpy as np
import pytest

import graphflow as tf
from graphflow.examples import keras_mnist, lenet5, mnist_eval, mnist_inference, mnist_train
from graphflow.examples.progress import TrainingProgress
from graphflow.examples.tutorials.mnist import input_data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHAPTER5_STEPS = 1000  # 97.5-98% validation accuracy in about 5-10 s on 2 cores


@pytest.fixture(scope="module")
def mnist():
    return input_data.read_data_sets(one_hot=True, seed=0)


@pytest.fixture(scope="module")
def chapter5(mnist, tmp_path_factory):
    """mnist_train's short run: its model directory and its result."""
    model_dir = str(tmp_path_factory.mktemp("mnist_model"))
    result = mnist_train.train(mnist, steps=CHAPTER5_STEPS, model_dir=model_dir,
                               progress=False, seed=0)
    return model_dir, result


def test_mnist_inference_builds_the_books_variables_and_losses():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, mnist_inference.INPUT_NODE])
        y = mnist_inference.inference(x, tf.contrib.layers.l2_regularizer(0.0001))
        assert y.get_shape().as_list() == [None, mnist_inference.OUTPUT_NODE]
        assert [(v.name, v.get_shape().as_list()) for v in tf.trainable_variables()] == [
            ("layer1/weights:0", [784, 500]), ("layer1/biases:0", [500]),
            ("layer2/weights:0", [500, 10]), ("layer2/biases:0", [10])]
        assert len(tf.get_collection("losses")) == 2


def test_mnist_train_short_run_reaches_97_percent_validation_accuracy(chapter5):
    model_dir, result = chapter5
    assert result["validation_accuracy"] >= 0.97, result
    assert result["checkpoint"] == os.path.join(model_dir, f"model.ckpt-{CHAPTER5_STEPS}")
    assert tf.train.latest_checkpoint(model_dir) == result["checkpoint"]
    assert result["images_per_sec"] > 0


def test_keras_model_reaches_95_percent_test_accuracy_after_one_epoch(mnist):
    # 550 updates of Adam on the 55000 training images; seeds 0-2 measured 96.8-97.1%.
    result = keras_mnist.run(mnist, epochs=1, verbose=0, seed=0)
    assert result["steps"] == 550
    assert result["test_accuracy"] >= 0.95, result


def test_mnist_eval_restores_the_moving_averages(mnist, chapter5):
    model_dir, trained = chapter5
    result = mnist_eval.Evaluator(model_dir).evaluate(mnist)
    assert result["step"] == CHAPTER5_STEPS
    # The same averaged weights as mnist_train's in-graph evaluation, so the same accuracy.
    assert result["validation_accuracy"] == pytest.approx(trained["validation_accuracy"], abs=1e-6)
    assert result["test_accuracy"] >= 0.96


def test_mnist_eval_restores_averages_not_the_raw_weights(mnist, chapter5):
    model_dir, _ = chapter5
    evaluator = mnist_eval.Evaluator(model_dir)
    with tf.Session(graph=evaluator.graph) as sess:
        evaluator.saver.restore(sess, tf.train.latest_checkpoint(model_dir))
        with evaluator.graph.as_default(), tf.variable_scope("layer1", reuse=True):
            restored = sess.run(tf.get_variable("weights"))
    reader = tf.train.NewCheckpointReader(tf.train.latest_checkpoint(model_dir))
    average = reader.get_tensor("layer1/weights/ExponentialMovingAverage")
    assert np.array_equal(restored, average)
    assert not np.array_equal(restored, reader.get_tensor("layer1/weights"))


def test_mnist_eval_main_once_prints_accuracy(mnist, chapter5, monkeypatch, capsys):
    model_dir, _ = chapter5
    monkeypatch.setattr(input_data, "read_data_sets", lambda *args, **kwargs: mnist)
    result = mnist_eval.main(["--model-dir", model_dir, "--once"])
    out = capsys.readouterr().out
    assert f"After {CHAPTER5_STEPS} training step(s), validation accuracy = " in out
    assert result["step"] == CHAPTER5_STEPS


def test_mnist_eval_without_a_checkpoint_says_so(mnist, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(input_data, "read_data_sets", lambda *args, **kwargs: mnist)
    assert mnist_eval.main(["--model-dir", str(tmp_path), "--once"]) is None
    assert "No checkpoint file found" in capsys.readouterr().out


def test_mnist_train_main_prints_a_summary_and_checkpoints(mnist, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(input_data, "read_data_sets", lambda *args, **kwargs: mnist)
    mnist_train.main(["--steps", "20", "--model-dir", str(tmp_path), "--no-progress",
                      "--threads", "1", "--seed", "3"])
    out = capsys.readouterr().out
    assert "After 1 training step(s), loss on training batch is" in out
    assert "mnist_train: 20 steps, validation accuracy (moving averages)" in out
    assert "total time" in out
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-20")


def test_lenet5_smoke_run_learns_checkpoints_and_restores(mnist, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(input_data, "read_data_sets", lambda *args, **kwargs: mnist)
    result = lenet5.main(["--steps", "30", "--batch-size", "50", "--model-dir", str(tmp_path),
                          "--no-progress", "--seed", "1"])
    assert result["loss"] < 0.5 * result["first_loss"], result
    assert result["checkpoint"] == os.path.join(str(tmp_path), "model.ckpt-30")
    assert tf.train.latest_checkpoint(str(tmp_path)) == result["checkpoint"]
    assert result["step"] == 30
    # Restored moving averages of 30 steps already classify far above chance (10%).
    assert result["test_accuracy"] > 0.5, result
    out = capsys.readouterr().out
    assert "lenet5: step 30, validation accuracy" in out
    assert "test accuracy" in out and "total time" in out


def test_lenet5_evaluate_without_a_checkpoint_raises(mnist, tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="No checkpoint file found"):
        lenet5.evaluate(mnist, model_dir=str(tmp_path))


def test_progress_without_a_bar_logs_the_books_lines():
    out = io.StringIO()
    with TrainingProgress(4, batch_size=10, bar=False, log_every=2, file=out) as progress:
        for step in range(1, 5):
            progress.update(step, loss=1.0 / step, learning_rate=0.5)
    lines = out.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "After 1 training step(s)", "After 2 training step(s)", "After 4 training step(s)"]
    assert "learning rate 0.5" in lines[-1] and "images/s" in lines[-1]
    assert progress.steps_done == 4 and progress.images_per_sec > 0


def test_progress_bar_shows_step_loss_rate_and_throughput():
    pytest.importorskip("tqdm")
    out = io.StringIO()
    with TrainingProgress(3, batch_size=10, desc="demo", file=out) as progress:
        for step in range(1, 4):
            progress.update(step, loss=0.25, learning_rate=0.8)
    text = out.getvalue()
    assert "demo" in text and "3/3" in text
    assert "step=3" in text and "loss=0.2500" in text and "lr=0.8" in text and "img/s=" in text


@pytest.mark.parametrize("module", ["mnist_train", "mnist_eval", "lenet5"])
def test_programs_run_as_modules(module):
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    completed = subprocess.run(
        [sys.executable, "-m", f"graphflow.examples.{module}", "--help"],
        capture_output=True, text=True, env=env, check=False, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert "--model-dir" in completed.stdout and "--threads" in completed.stdout
