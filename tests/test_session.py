import collections

import numpy as np
import pytest

import graphflow as tf
from graphflow.runtime import plan as plan_lib


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_issue_example_prints_tensor_and_value(graph):
    a = tf.constant([1.0, 2.0], name="a")
    b = tf.constant([2.0, 3.0], name="b")
    r = a + b
    assert str(r) == 'Tensor("add:0", shape=(2,), dtype=float32)'
    value = tf.Session().run(r)
    assert value.dtype == np.float32
    np.testing.assert_array_equal(value, [3.0, 5.0])


def test_nested_fetch_structures(graph):
    a = tf.constant(1.0, name="a")
    b = tf.constant([2, 3], name="b")
    pair = collections.namedtuple("Pair", ["x", "y"])
    with tf.Session() as sess:
        result = sess.run({"k": [a, (b, pair(a, "b:0"))], "op": b.op})
    assert result["op"] is None
    first, (second, named) = result["k"]
    assert first == 1.0 and isinstance(first, np.float32)
    np.testing.assert_array_equal(second, [2, 3])
    assert isinstance(named, pair) and named.x == 1.0
    np.testing.assert_array_equal(named.y, [2, 3])


def test_fetch_errors(graph):
    a = tf.constant(1.0, name="a")
    with tf.Session() as sess:
        with pytest.raises(TypeError) as info:
            sess.run(None)
        assert str(info.value) == "Fetch argument None has invalid type <class 'NoneType'>"
        with pytest.raises(TypeError, match="Fetch argument 3 has invalid type <class 'int'>"):
            sess.run([a, 3])
        with pytest.raises(ValueError, match="cannot be interpreted as a Tensor"):
            sess.run("missing:0")
    with tf.Graph().as_default():
        other = tf.constant(2.0)
    with tf.Session(graph=graph) as sess, pytest.raises(ValueError, match="not an element"):
        sess.run(other)


def test_feeds_by_tensor_and_name_and_intermediate(graph):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.add(x, x, name="y")
    z = tf.add(y, 1.0, name="z")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(z, {x: [[1, 2]]}), [[3, 5]])
        np.testing.assert_array_equal(sess.run(z, {"x:0": [[1, 2]]}), [[3, 5]])
        # Feeding an intermediate tensor cuts the graph there: x need not be fed.
        np.testing.assert_array_equal(sess.run(z, {y: [[10, 20]]}), [[11, 21]])


def test_fetches_never_alias_a_fed_array(graph):
    # TF returns fresh arrays; Identity and Reshape kernels return their input or a view of it.
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    fetches = [x, tf.identity(x), tf.reshape(x, [-1]), tf.expand_dims(x, 0)]
    fed = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    with tf.Session() as sess:
        results = sess.run(fetches, {x: fed})
    for result in results:
        assert not np.shares_memory(result, fed)
        assert result.flags.writeable
        result[...] = -1.0
    np.testing.assert_array_equal(fed, [[1.0, 2.0], [3.0, 4.0]])
    assert fed.flags.writeable


def test_only_needed_subgraph_runs(graph):
    x = tf.placeholder(tf.float32, [], name="x")
    unrelated = tf.placeholder(tf.float32, [], name="unrelated")
    _ = unrelated + 1.0
    with tf.Session() as sess:
        assert sess.run(x + 1.0, {x: 2.0}) == 3.0


def test_missing_feed_names_the_placeholder(graph):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = x + 1.0
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(y)
    message = str(info.value)
    assert message.startswith(
        "You must feed a value for placeholder tensor 'x' with dtype float32 and shape [?,3]"
    )
    assert "[[node x (defined at test_session.py:" in message
    assert info.value.op is x.op


def test_feed_shape_error_in_tf_words(graph):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.Session() as sess, pytest.raises(ValueError) as info:
        sess.run(x, {x: np.zeros((2, 4))})
    assert str(info.value) == (
        "Cannot feed value of shape (2, 4) for Tensor 'x:0', which has shape '(?, 3)'"
    )


def test_feed_dtype_conversion_and_errors(graph):
    x = tf.placeholder(tf.int32, [2], name="x")
    f = tf.placeholder(tf.float32, [2], name="f")
    with tf.Session() as sess:
        value = sess.run(f, {f: [1, 2]})
        assert value.dtype == np.float32
        with pytest.raises(TypeError, match=r"Cannot feed value .* for Tensor 'x:0'"):
            sess.run(x, {x: ["a", "b"]})
        with pytest.raises(TypeError, match="is not compatible with Tensor type"):
            sess.run(tf.placeholder(tf.int32, [], name="i"), {"i:0": 2**40})
        with pytest.raises(TypeError, match=r"cannot be a tf.Tensor"):
            sess.run(f, {f: tf.constant([1.0, 2.0])})
        with pytest.raises(ValueError, match="Cannot interpret feed_dict key"):
            sess.run(f, {"nope:0": [1, 2]})


def test_fetched_constant_is_a_writable_copy(graph):
    c = tf.constant([1.0, 2.0])
    with tf.Session() as sess:
        first = sess.run(c)
        first[0] = 100.0
        np.testing.assert_array_equal(sess.run(c), [1.0, 2.0])


def test_closed_session_raises(graph):
    a = tf.constant(1.0)
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match=r"Attempted to use a closed Session."):
        sess.run(a)


def test_context_manager_sets_default_session_and_graph():
    graph = tf.Graph()
    with graph.as_default():
        a = tf.constant(2.0)
    with tf.Session(graph=graph) as sess:
        assert tf.get_default_session() is sess
        assert tf.get_default_graph() is graph
        assert a.eval() == 2.0
    assert tf.get_default_session() is None


def test_eval_without_session_is_a_value_error(graph):
    a = tf.constant(2.0)
    with pytest.raises(ValueError, match="No default session is registered"):
        a.eval()


def test_eval_and_run_with_explicit_session(graph):
    x = tf.placeholder(tf.float32, [], name="x")
    sess = tf.Session()
    assert x.eval(feed_dict={x: 4.0}, session=sess) == 4.0
    with sess.as_default():
        assert (x + 1.0).eval({x: 1.0}) == 2.0
        assert tf.no_op().run() is None


def test_interactive_session_is_default_until_closed(graph):
    a = tf.constant(3.0)
    sess = tf.InteractiveSession()
    try:
        assert a.eval() == 3.0
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_repeated_run_reuses_the_plan(graph, monkeypatch):
    x = tf.placeholder(tf.float32, [], name="x")
    y = x + 1.0
    compiled = []
    original = plan_lib.compile_plan

    def counting(*args):
        compiled.append(args)
        return original(*args)

    monkeypatch.setattr("graphflow.client.session.compile_plan", counting)
    with tf.Session() as sess:
        for value in range(5):
            assert sess.run(y, {x: value}) == value + 1
        sess.run([y], {x: 1.0})  # the same signature as `y`
        sess.run([y, x], {x: 1.0})
    assert len(compiled) == 2


def test_control_dependencies_order_execution(graph):
    x = tf.placeholder(tf.float32, [], name="x")
    with tf.control_dependencies([x]):
        y = tf.constant(1.0, name="y")
    with tf.Session() as sess:
        # y waits for x, so x must be fed even though y does not read it.
        with pytest.raises(tf.errors.InvalidArgumentError, match="placeholder tensor 'x'"):
            sess.run(y)
        assert sess.run(y, {x: 0.0}) == 1.0


def test_group_and_tuple(graph):
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    g = tf.group(a, b)
    assert g.type == "NoOp" and g.name == "group_deps"
    assert set(g.control_inputs) == {a.op, b.op}
    ta, tb = tf.tuple([a, b])
    assert ta.op.type == "Identity" and ta.op.control_inputs
    with tf.Session() as sess:
        assert sess.run(g) is None
        assert sess.run([ta, tb]) == [1.0, 2.0]


def test_runtime_error_names_the_node(graph):
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.placeholder(tf.float32, [None], name="y")
    z = tf.add(x, y, name="z")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(z, {x: [1.0, 2.0], y: [1.0, 2.0, 3.0]})
    assert "[[node z (defined at test_session.py:" in str(info.value)
    assert info.value.op is z.op


def test_config_proto_and_run_options_are_accepted(graph):
    a = tf.constant(1.0)
    config = tf.ConfigProto(intra_op_parallelism_threads=1, allow_soft_placement=True)
    with tf.Session(config=config) as sess:
        options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        assert sess.run(a, options=options, run_metadata=tf.RunMetadata()) == 1.0
