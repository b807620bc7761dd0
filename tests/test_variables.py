"""tf.Variable, the state ops (Assign, AssignAdd, AssignSub, IsVariableInitialized),
collections and initializers of variables."""

import numpy as np
import pytest

import graphflow as tf


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


def _op_names(graph):
    return [op.name for op in graph.get_operations()]


# ---------------------------------------------------------------------- construction and names


def test_variable_ops_and_names(graph):
    w = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], name="w")
    assert _op_names(graph) == ["w/initial_value", "w", "w/Assign", "w/read"]
    assert w.name == "w:0"
    assert w.op.name == "w" and w.op.type == "VariableV2"
    assert w.value().name == "w/read:0" and w.value().op.type == "Identity"
    assert w.initializer.name == "w/Assign" and w.initializer.type == "Assign"
    assert w.initial_value.name == "w/initial_value:0"
    assert w.dtype == tf.float32
    assert w.shape == tf.TensorShape([2, 3]) and w.get_shape().as_list() == [2, 3]
    assert w.graph is graph
    assert repr(w) == "<tf.Variable 'w:0' shape=(2, 3) dtype=float32_ref>"


def test_default_names_are_made_unique(graph):
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    c = tf.Variable(3.0, name="Variable")
    assert [a.name, b.name, c.name] == ["Variable:0", "Variable_1:0", "Variable_2:0"]
    assert b.value().name == "Variable_1/read:0"


def test_variable_inside_name_scope(graph):
    with tf.name_scope("layer1"):
        w = tf.Variable(tf.zeros_initializer()([2]), name="bias")
    assert w.name == "layer1/bias:0"
    assert w.initializer.name == "layer1/bias/Assign"


def test_variable_from_callable(graph):
    w = tf.Variable(lambda: tf.constant([1, 2, 3]), name="w")
    assert w.initial_value.name == "w/Initializer/Const:0"
    assert w.dtype == tf.int32
    with tf.Session() as sess:
        sess.run(w.initializer)
        np.testing.assert_array_equal(sess.run(w), [1, 2, 3])


def test_variable_dtype_argument(graph):
    w = tf.Variable(1, dtype=tf.float64)
    assert w.dtype == tf.float64
    with tf.Session() as sess:
        sess.run(w.initializer)
        value = sess.run(w)
    assert value == 1.0 and isinstance(value, np.float64)


def test_variable_takes_the_graph_of_its_initial_value():
    other = tf.Graph()
    with other.as_default():
        init = tf.constant([1.0, 2.0])
    with tf.Graph().as_default():
        w = tf.Variable(init, name="w")
    assert w.graph is other
    assert w in other.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)


def test_construction_errors(graph):
    with pytest.raises(ValueError, match=r"^initial_value must be specified\.$"):
        tf.Variable()
    with pytest.raises(ValueError, match="initial_value must have a shape specified"):
        tf.Variable(tf.placeholder(tf.float32, [None, 2]))
    with pytest.raises(ValueError, match="collections argument to Variable constructor must be"):
        tf.Variable(1.0, collections="variables")
    with pytest.raises(ValueError, match=r"^The `constraint` argument must be a callable\.$"):
        tf.Variable(1.0, constraint=3)
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float64"):
        tf.Variable(tf.constant(1.0), dtype=tf.float64)


def test_unvalidated_shape_variable(graph):
    x = tf.placeholder(tf.float32, [None])
    w = tf.Variable(x, validate_shape=False, name="w")
    assert w.shape.ndims is None
    grow = tf.assign(w, tf.constant([1.0, 2.0, 3.0]), validate_shape=False)
    with tf.Session() as sess:
        sess.run(w.initializer, {x: [5.0]})
        np.testing.assert_array_equal(sess.run(w), [5.0])
        sess.run(grow)
        np.testing.assert_array_equal(sess.run(w), [1.0, 2.0, 3.0])


# ---------------------------------------------------------------------- reading


def test_uninitialized_read_fails_naming_the_variable(graph):
    with tf.name_scope("dense"):
        w = tf.Variable(tf.ones_initializer()([2, 2]), name="kernel")
    y = w + 1.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as info:
            sess.run(y)
        assert info.value.message == "Attempting to use uninitialized value dense/kernel"
        # As TF: the variable op hands out a reference; its reader, kernel/read, fails.
        assert info.value.op.name == "dense/kernel/read"
        assert "[[node dense/kernel/read (defined at " in str(info.value)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value dense"):
            sess.run(w)


def test_two_sessions_hold_separate_values(graph):
    w = tf.Variable(1.0, name="w")
    bump = w.assign_add(1.0)
    first, second = tf.Session(), tf.Session()
    first.run(w.initializer)
    first.run(bump)
    first.run(bump)
    with pytest.raises(tf.errors.FailedPreconditionError):
        second.run(w)
    second.run(w.initializer)
    assert first.run(w) == 3.0 and second.run(w) == 1.0
    first.close()
    second.close()


def test_fetched_values_are_writable_copies(graph):
    w = tf.Variable(np.arange(4.0, dtype=np.float32), name="w")
    with tf.Session() as sess:
        sess.run(w.initializer)
        fetched, read = sess.run([w, w.value()])
        assert fetched.flags.writeable and read.flags.writeable
        fetched[:] = -1.0
        read[:] = -2.0
        np.testing.assert_array_equal(sess.run(w), [0.0, 1.0, 2.0, 3.0])


def test_assigning_a_fed_array_copies_it(graph):
    x = tf.placeholder(tf.float32, [3])
    w = tf.Variable(tf.zeros_initializer()([3]), name="w")
    update = tf.assign(w, x)
    data = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    with tf.Session() as sess:
        sess.run(w.initializer)
        result = sess.run(update, {x: data})
        data[:] = 9.0
        result[:] = 8.0
        np.testing.assert_array_equal(sess.run(w), [1.0, 2.0, 3.0])
    assert data.flags.writeable


def test_eval_and_read_value(graph):
    w = tf.Variable([1.0, 2.0], name="w")
    read = w.read_value()
    assert read.op.type == "Identity" and read.name == "read:0"
    with tf.Session() as sess:
        sess.run(w.initializer)
        np.testing.assert_array_equal(w.eval(), [1.0, 2.0])
        np.testing.assert_array_equal(w.eval(session=sess), [1.0, 2.0])
        np.testing.assert_array_equal(read.eval(), [1.0, 2.0])


def test_feeding_a_variable_overrides_its_value(graph):
    w = tf.Variable([1.0, 2.0], name="w")
    y = w * 2.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {w: [5.0, 6.0]}), [10.0, 12.0])


def test_control_dependency_on_a_variable(graph):
    w = tf.Variable(1.0, name="w")
    with tf.control_dependencies([w]):
        c = tf.constant(2.0, name="c")
    assert c.op.control_inputs == [w.op]


def test_variables_convert_to_their_read_tensor(graph):
    w = tf.Variable([1.0, 2.0], name="w")
    assert tf.convert_to_tensor(w) is w.value()
    assert tf.identity(w).op.inputs[0] is w.value()
    assert tf.add(w, w).op.inputs == [w.value(), w.value()]
    with pytest.raises(ValueError, match="Incompatible type conversion requested to type 'int32' "
                       "for variable of type 'float32_ref'"):
        tf.convert_to_tensor(w, dtype=tf.int32)


def test_operators_forward_to_the_value(graph):
    w = tf.Variable([1.0, -2.0], name="w")
    x = tf.constant([10.0, 20.0])
    results = [w + 1.0, 1.0 + w, w * 2.0, 3.0 * w, w - x, x - w, -w, np.float32(2) * w]
    assert all(isinstance(r, tf.Tensor) for r in results)
    assert (w + 1.0).op.inputs[0] is w.value()
    with tf.Session() as sess:
        sess.run(w.initializer)
        values = sess.run(results)
    expected = [[2, -1], [2, -1], [2, -4], [3, -6], [-9, -22], [9, 22], [-1, 2], [2, -4]]
    for got, want in zip(values, expected):
        np.testing.assert_array_equal(got, want)


@pytest.mark.skipif(not hasattr(tf.Tensor, "__matmul__"), reason="Tensor.__matmul__ not yet")
def test_matmul_operator_with_a_variable(graph):
    w = tf.Variable(np.eye(2, dtype=np.float32) * 3, name="w")
    x = tf.constant([[1.0, 2.0]])
    with tf.Session() as sess:
        sess.run(w.initializer)
        np.testing.assert_array_equal(sess.run(x @ w), [[3.0, 6.0]])
        np.testing.assert_array_equal(sess.run(w @ tf.constant([[1.0], [1.0]])), [[3.0], [3.0]])


@pytest.mark.skipif(not hasattr(tf.Tensor, "__getitem__"), reason="Tensor.__getitem__ not yet")
def test_indexing_a_variable(graph):
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
    with tf.Session() as sess:
        sess.run(w.initializer)
        np.testing.assert_array_equal(sess.run(w[1]), [3.0, 4.0])


def test_variables_are_not_iterable_nor_arrays(graph):
    w = tf.Variable([1.0, 2.0])
    with pytest.raises(TypeError, match=r"^'Variable' object is not iterable\.$"):
        iter(w)
    with pytest.raises(TypeError, match="Cannot convert a symbolic Variable"):
        np.asarray(w)
    assert w != tf.Variable([1.0, 2.0]) and w == w
    assert len({w, w}) == 1


# ---------------------------------------------------------------------- assignments


def test_assign_ops_and_values(graph):
    w = tf.Variable([1.0, 2.0], name="w")
    set_op = tf.assign(w, [5.0, 6.0])
    add_op = tf.assign_add(w, [1.0, 1.0])
    sub_op = w.assign_sub([0.5, 0.5], name="decay")
    assert (set_op.op.type, add_op.op.type, sub_op.op.type) == ("Assign", "AssignAdd", "AssignSub")
    assert (set_op.name, add_op.name, sub_op.name) == ("Assign:0", "AssignAdd:0", "decay:0")
    assert set_op.shape == tf.TensorShape([2])
    with tf.Session() as sess:
        sess.run(w.initializer)
        np.testing.assert_array_equal(sess.run(set_op), [5.0, 6.0])
        np.testing.assert_array_equal(sess.run(add_op), [6.0, 7.0])
        np.testing.assert_array_equal(sess.run(add_op), [7.0, 8.0])
        np.testing.assert_array_equal(sess.run(sub_op), [6.5, 7.5])
        np.testing.assert_array_equal(sess.run(w), [6.5, 7.5])


def test_assign_read_value_false_returns_the_op(graph):
    w = tf.Variable(1, name="w")
    op = w.assign(4, read_value=False)
    assert isinstance(op, tf.Operation) and op.type == "Assign"
    assert isinstance(w.assign_add(1, read_value=False), tf.Operation)
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(op) is None
        assert sess.run(w) == 4


def test_assign_does_not_read_the_variable(graph):
    w = tf.Variable(1.0, name="w")
    with tf.Session() as sess:
        assert sess.run(w.assign(3.0)) == 3.0
        assert sess.run(w) == 3.0


def test_assign_shape_and_dtype_errors(graph):
    w = tf.Variable(tf.zeros_initializer()([2, 3]), name="w")
    with pytest.raises(ValueError, match=r"Dimension 0 in both shapes must be equal, but are 2 "
                       r"and 3. Shapes are \[2,3\] and \[3,3\]. for 'Assign' \(op: 'Assign'\)"):
        tf.assign(w, np.zeros((3, 3), np.float32))
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 2 and 1"):
        w.assign_add(tf.constant([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match=r"Input 'value' of 'Assign' Op has type int32 that does "
                       r"not match type float32 of argument 'ref'\."):
        tf.assign(w, tf.zeros_initializer(dtype=tf.int32)([2, 3]))
    with pytest.raises(TypeError, match="Input 'ref' of 'Assign' Op requires l-value input"):
        tf.assign(w.value(), np.zeros((2, 3), np.float32))


def test_assign_run_time_shape_errors(graph):
    w = tf.Variable(tf.zeros_initializer()([2]), name="w")
    x = tf.placeholder(tf.float32, None)
    assign = tf.assign(w, x, name="set_w")
    add = tf.assign_add(w, x, name="add_w")
    with tf.Session() as sess:
        sess.run(w.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(assign, {x: [1.0, 2.0, 3.0]})
        assert info.value.message == (
            "Assign requires shapes of both tensors to match. lhs shape= [2] rhs shape= [3]")
        assert "[[node set_w" in str(info.value)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Cannot update variable with "
                           r"shape \[2\] using a Tensor with shape \[1\], shapes must be equal."):
            sess.run(add, {x: [1.0]})
        np.testing.assert_array_equal(sess.run(w), [0.0, 0.0])


def test_assign_add_to_uninitialized_variable(graph):
    w = tf.Variable(1.0, name="w")
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError,
                                             match="Attempting to use uninitialized value w"):
        sess.run(w.assign_sub(1.0))


def test_integer_variables_keep_their_dtype(graph):
    counter = tf.Variable(0, name="counter")
    step = counter.assign_add(1)
    with tf.Session() as sess:
        sess.run(counter.initializer)
        for _ in range(3):
            sess.run(step)
        value = sess.run(counter)
    assert value == 3 and value.dtype == np.int32


def test_load(graph):
    w = tf.Variable([1.0, 2.0], name="w")
    with tf.Session() as sess:
        w.load([3.0, 4.0], sess)
        np.testing.assert_array_equal(sess.run(w), [3.0, 4.0])
        w.load([5.0, 6.0])
        np.testing.assert_array_equal(sess.run(w), [5.0, 6.0])
    with pytest.raises(ValueError, match="Either session argument should be provided"):
        w.load([1.0, 1.0])


def test_is_variable_initialized(graph):
    w = tf.Variable(1.0, name="w")
    check = tf.is_variable_initialized(w)
    assert check.dtype == tf.bool and check.shape == tf.TensorShape([])
    with tf.Session() as sess:
        assert not sess.run(check)
        sess.run(w.initializer)
        assert sess.run(check)


# ---------------------------------------------------------------------- collections


def test_collections(graph):
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b", trainable=False)
    c = tf.Variable(3.0, name="c", collections=[tf.GraphKeys.LOCAL_VARIABLES], trainable=False)
    d = tf.Variable(4.0, name="d", collections=[tf.GraphKeys.MODEL_VARIABLES,
                                                 tf.GraphKeys.GLOBAL_VARIABLES])
    with tf.name_scope("layer"):
        e = tf.Variable(5.0, name="e")
    assert tf.global_variables() == [a, b, d, e]
    assert tf.trainable_variables() == [a, d, e]
    assert tf.local_variables() == [c]
    assert tf.model_variables() == [d]
    assert tf.global_variables(scope="layer") == [e]
    assert tf.trainable_variables("l") == [e]
    assert a.trainable and not b.trainable


def test_global_variables_initializer(graph):
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    local = tf.Variable(3.0, name="local", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    init = tf.global_variables_initializer()
    assert init.name == "init" and init.type == "NoOp"
    assert init.control_inputs == [a.initializer, b.initializer]
    local_init = tf.local_variables_initializer()
    assert local_init.name == "init_1" and local_init.control_inputs == [local.initializer]
    with tf.Session() as sess:
        sess.run(init)
        assert sess.run([a, b]) == [1.0, 2.0]
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(local)
        sess.run(local_init)
        assert sess.run(local) == 3.0


def test_initializer_of_an_empty_graph_is_a_no_op(graph):
    init = tf.global_variables_initializer()
    assert init.type == "NoOp" and init.control_inputs == []
    assert tf.initialize_all_variables().type == "NoOp"
    with tf.Session() as sess:
        assert sess.run(init) is None


def test_variables_initializer_of_a_subset(graph):
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    init = tf.variables_initializer([b], name="init_b")
    assert init.name == "init_b"
    with tf.Session() as sess:
        sess.run(init)
        assert sess.run(b) == 2.0
        assert not sess.run(tf.is_variable_initialized(a))


def test_report_uninitialized_variables(graph):
    a = tf.Variable(1.0, name="a")
    with tf.variable_scope("layer"):
        b = tf.get_variable("b", [2])
    report = tf.report_uninitialized_variables()
    assert report.dtype == tf.string and report.name == "report_uninitialized_variables:0"
    only_a = tf.report_uninitialized_variables([a], name="check_a")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(report), np.array([b"a", b"layer/b"], object))
        sess.run(a.initializer)
        np.testing.assert_array_equal(sess.run(report), np.array([b"layer/b"], object))
        assert sess.run(only_a).shape == (0,)
        sess.run(b.initializer)
        assert sess.run(report).shape == (0,)


def test_report_uninitialized_variables_without_variables(graph):
    report = tf.report_uninitialized_variables()
    with tf.Session() as sess:
        value = sess.run(report)
    assert value.shape == (0,) and report.dtype == tf.string
