"""Random ops: names, shapes, dtypes, ranges, distributions, and the seeding rules."""

import numpy as np
import pytest

import graphflow as tf
from graphflow.framework import random_seed
from graphflow.framework.apply_op import constant_value


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


def _run(fetches, graph=None, runs=1):
    with tf.Session(graph=graph) as sess:
        results = [sess.run(fetches) for _ in range(runs)]
    return results[0] if runs == 1 else results


# ---------------------------------------------------------------------- graph structure


def test_random_normal_ops_and_names(graph):
    x = tf.random_normal([2, 3], seed=1)
    assert x.name == "random_normal:0" and x.op.type == "Add"
    assert [op.name for op in graph.get_operations()] == [
        "random_normal/shape", "random_normal/mean", "random_normal/stddev",
        "random_normal/RandomStandardNormal", "random_normal/mul", "random_normal"]
    rnd = graph.get_operation_by_name("random_normal/RandomStandardNormal")
    assert rnd.get_attr("seed") == random_seed.DEFAULT_GRAPH_SEED
    assert rnd.get_attr("seed2") == 1
    assert rnd.get_attr("dtype") == tf.float32
    assert tf.random_normal([1], name="noise").name == "noise:0"


def test_random_uniform_ops_and_names(graph):
    tf.random_uniform([2])
    tf.random_uniform([2], maxval=5, dtype=tf.int32)
    assert [op.name for op in graph.get_operations()] == [
        "random_uniform/shape", "random_uniform/min", "random_uniform/max",
        "random_uniform/RandomUniform", "random_uniform/sub", "random_uniform/mul",
        "random_uniform",
        "random_uniform_1/shape", "random_uniform_1/min", "random_uniform_1/max",
        "random_uniform_1"]
    assert graph.get_operation_by_name("random_uniform_1").type == "RandomUniformInt"


def test_static_shapes_and_dtypes(graph):
    cases = [
        (tf.random_normal([2, 3]), tf.float32, [2, 3]),
        (tf.random_normal((4,), dtype=tf.float64), tf.float64, [4]),
        (tf.truncated_normal(tf.TensorShape([5, 1]), dtype=tf.float16), tf.float16, [5, 1]),
        (tf.random_uniform([], dtype=tf.float64), tf.float64, []),
        (tf.random_uniform([2, 2], maxval=3, dtype=tf.int64), tf.int64, [2, 2]),
        (tf.random_shuffle(tf.constant([[1, 2], [3, 4], [5, 6]])), tf.int32, [3, 2]),
    ]
    values = _run([tensor for tensor, _, _ in cases])
    for (tensor, dtype, shape), value in zip(cases, values):
        assert tensor.dtype == dtype and tensor.shape.as_list() == shape
        assert np.shape(value) == tuple(shape) and np.asarray(value).dtype == dtype.as_numpy_dtype


def test_shape_from_a_tensor(graph):
    shape = tf.placeholder(tf.int32, [2])
    x = tf.random_uniform(shape, seed=3)
    assert x.shape.as_list() == [None, None]  # the rank is known from the shape's length
    assert tf.random_normal(tf.placeholder(tf.int32, None)).shape.ndims is None
    with tf.Session() as sess:
        assert sess.run(x, {shape: [3, 5]}).shape == (3, 5)
        assert sess.run(x, {shape: [0, 2]}).shape == (0, 2)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Dimension -1 must be >= 0"):
            sess.run(x, {shape: [-1, 2]})


@pytest.mark.skipif(not hasattr(tf, "shape"), reason="tf.shape not yet")
def test_shape_from_tf_shape_keeps_known_dims(graph):
    x = tf.placeholder(tf.float32, [None, 3])
    noise = tf.random_uniform(tf.shape(x), seed=1)
    assert noise.shape.as_list() == [None, 3]
    with tf.Session() as sess:
        assert sess.run(noise, {x: np.zeros((2, 3))}).shape == (2, 3)


def test_shape_from_a_concat_and_a_shape_slice_keeps_known_dims(graph):
    x = tf.placeholder(tf.float32, [None, 3])
    noise = tf.truncated_normal(tf.concat([tf.shape(x), [2]], 0), seed=1)
    assert noise.shape.as_list() == [None, 3, 2]
    rows = tf.random_uniform(tf.stack([tf.shape(x)[1], 5]), seed=1)
    assert rows.shape.as_list() == [3, 5]
    with tf.Session() as sess:
        assert sess.run(noise, {x: np.zeros((4, 3))}).shape == (4, 3, 2)


def test_shape_from_a_stack_keeps_constant_dims(graph):
    batch = tf.placeholder(tf.int32, [])
    noise = tf.random_normal(tf.stack([batch, 4]), seed=1)
    assert noise.shape.as_list() == [None, 4]
    with tf.Session() as sess:
        assert sess.run(noise, {batch: 5}).shape == (5, 4)


def test_random_ops_are_never_constant_folded(graph):
    x = tf.random_uniform([2], seed=1)
    assert constant_value(x) is None
    assert constant_value(x.op.inputs[0].op.inputs[0]) is None


def test_argument_errors(graph):
    with pytest.raises(ValueError, match=r"Must specify maxval for integer dtype tf\.int32"):
        tf.random_uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match=r"Invalid dtype tf\.bool"):
        tf.random_uniform([2], dtype=tf.bool)
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.random_normal([2], dtype=tf.int32)
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.truncated_normal([2], dtype=tf.int32)
    with pytest.raises(TypeError, match="Value passed to parameter 'shape' has DataType float32"):
        tf.random_normal(tf.constant([2.0]))
    with pytest.raises(ValueError, match="Cannot convert a partially known TensorShape"):
        tf.random_normal(tf.TensorShape([None, 2]))
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.random_normal([[2]])
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.random_uniform([2], minval=[0, 1], maxval=5, dtype=tf.int32)


def test_int_uniform_needs_minval_below_maxval(graph):
    low = tf.placeholder(tf.int32, [])
    x = tf.random_uniform([3], minval=low, maxval=2, dtype=tf.int32, name="ints")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(x, {low: 5})
    assert info.value.message == "Need minval < maxval: 5 >= 2"
    assert "[[node ints" in str(info.value)


# ---------------------------------------------------------------------- values


def test_uniform_float_range(graph):
    x = tf.random_uniform([20000], minval=-3.0, maxval=5.0, seed=7)
    half = tf.random_uniform([20000], dtype=tf.float16, seed=8)
    value, half_value = _run([x, half])
    assert value.min() >= -3.0 and value.max() < 5.0
    assert abs(value.mean() - 1.0) < 0.1 and abs(value.std() - 8 / np.sqrt(12)) < 0.05
    assert half_value.min() >= 0.0 and half_value.max() < 1.0


def test_uniform_int_range(graph):
    x = tf.random_uniform([10000], minval=-2, maxval=3, dtype=tf.int32, seed=7)
    value = _run(x)
    assert value.dtype == np.int32
    assert set(np.unique(value)) == {-2, -1, 0, 1, 2}


def test_normal_statistics(graph):
    x = tf.random_normal([50000], mean=2.0, stddev=3.0, seed=7)
    value = _run(x)
    assert abs(value.mean() - 2.0) < 0.05 and abs(value.std() - 3.0) < 0.05
    assert np.abs(value - 2.0).max() > 6.0  # not truncated


def test_truncated_normal_stays_within_two_stddevs(graph):
    x = tf.truncated_normal([50000], mean=1.0, stddev=2.0, seed=7, dtype=tf.float64)
    value = _run(x)
    assert np.abs(value - 1.0).max() < 4.0
    assert abs(value.mean() - 1.0) < 0.05
    assert abs(value.std() - 2.0 * 0.87962566103423978) < 0.03  # std of the truncated normal


def test_mean_and_stddev_may_be_tensors(graph):
    mean = tf.constant([0.0, 100.0])
    x = tf.random_normal([1000, 2], mean=mean, stddev=tf.constant(0.0), seed=1)
    np.testing.assert_array_equal(_run(x), np.tile([0.0, 100.0], (1000, 1)))


def test_random_shuffle_is_a_permutation_of_rows(graph):
    rows = np.arange(40, dtype=np.float32).reshape(20, 2)
    shuffled = tf.random_shuffle(rows, seed=4)
    vector = tf.random_shuffle(tf.constant(np.arange(100)), seed=5)
    scalar = tf.random_shuffle(7.0)
    first, second = _run([shuffled, vector, scalar], runs=2)[:2]
    for value in (first[0], second[0]):
        assert sorted(map(tuple, value)) == sorted(map(tuple, rows))  # rows stay whole
    assert not np.array_equal(first[0], rows) and not np.array_equal(first[0], second[0])
    np.testing.assert_array_equal(np.sort(first[1]), np.arange(100))
    assert first[2] == 7.0


# ---------------------------------------------------------------------- seeds


def _seeded_graph(graph_seed=None, op_seed=None):
    graph = tf.Graph()
    with graph.as_default():
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        x = tf.random_normal([4], seed=op_seed)
        y = tf.random_uniform([4], seed=op_seed)
    return graph, [x, y]


def test_op_seed_gives_the_same_values_in_every_new_session():
    graph, fetches = _seeded_graph(op_seed=42)
    first = _run(fetches, graph, runs=3)
    again = _run(fetches, graph, runs=3)
    for run_a, run_b in zip(first, again):
        for a, b in zip(run_a, run_b):
            np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0][0], first[1][0])  # successive runs differ
    other_graph, other_fetches = _seeded_graph(op_seed=42)
    np.testing.assert_array_equal(_run(other_fetches[0], other_graph), first[0][0])


def test_different_op_seeds_differ():
    graph_a, fetches_a = _seeded_graph(op_seed=1)
    graph_b, fetches_b = _seeded_graph(op_seed=2)
    assert not np.array_equal(_run(fetches_a[0], graph_a), _run(fetches_b[0], graph_b))


def test_unseeded_ops_differ_between_sessions():
    graph, fetches = _seeded_graph()
    first, second = _run(fetches, graph), _run(fetches, graph)
    assert not np.array_equal(first[0], second[0])
    assert not np.array_equal(first[1], second[1])


def test_graph_seed_makes_unseeded_ops_reproducible():
    graph_a, fetches_a = _seeded_graph(graph_seed=1234)
    graph_b, fetches_b = _seeded_graph(graph_seed=1234)
    values_a, values_b = _run(fetches_a, graph_a), _run(fetches_b, graph_b)
    for a, b in zip(values_a, values_b):
        np.testing.assert_array_equal(a, b)
    assert fetches_a[0].shape == fetches_a[1].shape
    graph_c, fetches_c = _seeded_graph(graph_seed=99)
    assert not np.array_equal(_run(fetches_c[0], graph_c), values_a[0])


def test_get_seed_rules(graph):
    assert random_seed.get_seed(None) == (None, None)
    assert random_seed.get_seed(5) == (87654321, 5)
    tf.set_random_seed(3)
    tf.constant(1.0)
    tf.constant(2.0)
    assert random_seed.get_seed(None) == (3, 2)  # the op seed is the graph's op count
    assert random_seed.get_seed(7) == (3, 7)
    tf.set_random_seed(0)
    assert random_seed.get_seed(0) == (0, 2**31 - 1)  # (0, 0) would mean "unseeded"
    tf.set_random_seed(None)
    assert graph.seed is None and random_seed.get_seed(None) == (None, None)
