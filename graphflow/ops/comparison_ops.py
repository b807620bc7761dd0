"""Comparisons, logical ops and selection: equal, less, logical_and, maximum, clip_by_value, where.

Counterpart: the comparison and logical functions of tensorflow/python/ops/math_ops.py (and its
count_nonzero), `where` from array_ops.py and `clip_by_value` from clip_ops.py. Comparisons
broadcast and return bool. This module sits above math_ops: the gradients of maximum and
minimum sum broadcast gradients with math_ops' `sum_to_shape`, so the families below math_ops
(reductions included) compare with the Tensor operators (`x >= y`) instead of importing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework.apply_op import apply_op, convert_to_tensor
from graphflow.framework.errors import InvalidArgumentError, format_shape
from graphflow.framework.graph import name_scope
from graphflow.framework.registry import (
    NOT_DIFFERENTIABLE,
    OpDef,
    register_op,
)
from graphflow.framework.tensor import Tensor
from graphflow.framework.tensor_shape import TensorShape
from graphflow.ops.cast_ops import cast
from graphflow.ops.constant_op import constant
from graphflow.ops.fill_ops import zeros_like
from graphflow.ops.math_ops import sum_to_shape
from graphflow.ops.op_util import (
    INT32_64_FLOAT_TYPES,
    REAL_TYPES,
    binary_inputs,
    broadcast_shape_fn,
    broadcasting_kernel,
    check_dtype,
)
from graphflow.ops.reduction_ops import reduce_sum
from graphflow.ops.shape_util import merge_shapes

__all__ = [
    "clip_by_value", "count_nonzero", "equal", "greater", "greater_equal", "less", "less_equal",
    "logical_and", "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "not_equal",
    "where",
]

_ALL_TYPES = (*REAL_TYPES, dtypes.bool_, dtypes.string)  # Equal and NotEqual take any dtype


def _check_type(tensor: Tensor, expected: Any, op_type: str, param: str) -> None:
    """TF's TypeError for an input whose type is fixed by the op (bool for LogicalAnd)."""
    if tensor.dtype != expected:
        raise TypeError(
            f"Input '{param}' of '{op_type}' Op has type {tensor.dtype.name} that does not "
            f"match expected type of {expected.name}."
        )


def _comparison(op_type: str, x: Any, y: Any, allowed: Sequence[Any], name: str | None
                ) -> Tensor:
    """Converts and checks the operands of a comparison, then creates it."""
    x, y = binary_inputs(x, y)
    check_dtype(x, allowed)
    if y.dtype != x.dtype:
        raise TypeError(
            f"Input 'y' of '{op_type}' Op has type {y.dtype.name} that does not match type "
            f"{x.dtype.name} of argument 'x'."
        )
    return apply_op(op_type, [x, y], name=name)


def _bool_dtype(input_dtypes: list) -> list:
    """Comparisons and Logical* ops output bool."""
    return [dtypes.bool_]


# ----------------------------------------------------------------------------- Equal


def equal(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Returns the truth value of x == y elementwise, with broadcasting (`tf.equal`)."""
    return _comparison("Equal", x, y, _ALL_TYPES, name)


_equal_kernel = broadcasting_kernel(np.equal)


register_op(OpDef(
    type="Equal", inputs=("x", "y"), attrs={}, shape_fn=broadcast_shape_fn,
    kernel=_equal_kernel, grad_fn=NOT_DIFFERENTIABLE, dtype_fn=_bool_dtype,
))

# ----------------------------------------------------------------------------- NotEqual


def not_equal(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Returns the truth value of x != y elementwise, with broadcasting (`tf.not_equal`)."""
    return _comparison("NotEqual", x, y, _ALL_TYPES, name)


_not_equal_kernel = broadcasting_kernel(np.not_equal)


register_op(OpDef(
    type="NotEqual", inputs=("x", "y"), attrs={}, shape_fn=broadcast_shape_fn,
    kernel=_not_equal_kernel, grad_fn=NOT_DIFFERENTIABLE, dtype_fn=_bool_dtype,
))

# ----------------------------------------------------------------------------- count_nonzero


def count_nonzero(input_tensor: Any, axis: Any = None, keepdims: Any = None,
                  dtype: Any = dtypes.int64, name: str | None = None,
                  reduction_indices: Any = None, keep_dims: Any = None) -> Tensor:
    """Counts the nonzero (True) entries over the dimensions in `axis` (`tf.count_nonzero`).

    A composite, as in TF: `cast(reduce_sum(cast(input != 0, int64), axis), dtype)`, under
    the name scope "count_nonzero". Arguments as `reduce_sum`; `dtype` is the result's dtype.
    """
    with name_scope(name, "count_nonzero", [input_tensor]):
        input_tensor = convert_to_tensor(input_tensor)
        zero = constant(np.zeros((), dtype=input_tensor.dtype.as_numpy_dtype))
        nonzero = cast(not_equal(input_tensor, zero), dtypes.int64)
        counts = reduce_sum(nonzero, axis=axis, keepdims=keepdims,
                            reduction_indices=reduction_indices, keep_dims=keep_dims)
        return cast(counts, dtype)


# ----------------------------------------------------------------------------- Less


def less(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Returns the truth value of x < y elementwise, with broadcasting (`tf.less`, `<`)."""
    return _comparison("Less", x, y, REAL_TYPES, name)


_less_kernel = broadcasting_kernel(np.less)


register_op(OpDef(
    type="Less", inputs=("x", "y"), attrs={}, shape_fn=broadcast_shape_fn,
    kernel=_less_kernel, grad_fn=NOT_DIFFERENTIABLE, dtype_fn=_bool_dtype,
))

# ----------------------------------------------------------------------------- LessEqual


def less_equal(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Returns the truth value of x <= y elementwise (`tf.less_equal`, `<=`)."""
    return _comparison("LessEqual", x, y, REAL_TYPES, name)


_less_equal_kernel = broadcasting_kernel(np.less_equal)


register_op(OpDef(
    type="LessEqual", inputs=("x", "y"), attrs={}, shape_fn=broadcast_shape_fn,
    kernel=_less_equal_kernel, grad_fn=NOT_DIFFERENTIABLE, dtype_fn=_bool_dtype,
))

# ----------------------------------------------------------------------------- Greater


def greater(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Returns the truth value of x > y elementwise (`tf.greater`, `>`)."""
    return _comparison("Greater", x, y, REAL_TYPES, name)


_greater_kernel = broadcasting_kernel(np.greater)


register_op(OpDef(
    type="Greater", inputs=("x", "y"), attrs={}, shape_fn=broadcast_shape_fn,
    kernel=_greater_kernel, grad_fn=NOT_DIFFERENTIABLE, dtype_fn=_bool_dtype,
))

# ----------------------------------------------------------------------------- GreaterEqual


def greater_equal(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Returns the truth value of x >= y elementwise (`tf.greater_equal`, `>=`)."""
    return _comparison("GreaterEqual", x, y, REAL_TYPES, name)


_greater_equal_kernel = broadcasting_kernel(np.greater_equal)


register_op(OpDef(
    type="GreaterEqual", inputs=("x", "y"), attrs={}, shape_fn=broadcast_shape_fn,
    kernel=_greater_equal_kernel, grad_fn=NOT_DIFFERENTIABLE, dtype_fn=_bool_dtype,
))

# ----------------------------------------------------------------------------- LogicalAnd


def logical_and(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Returns x AND y elementwise for bool tensors, with broadcasting (`tf.logical_and`, `&`)."""
    x, y = binary_inputs(x, y)
    _check_type(x, dtypes.bool_, "LogicalAnd", "x")
    _check_type(y, dtypes.bool_, "LogicalAnd", "y")
    return apply_op("LogicalAnd", [x, y], name=name)


_logical_and_kernel = broadcasting_kernel(np.logical_and)


register_op(OpDef(
    type="LogicalAnd", inputs=("x", "y"), attrs={}, shape_fn=broadcast_shape_fn,
    kernel=_logical_and_kernel, grad_fn=NOT_DIFFERENTIABLE,
))

# ----------------------------------------------------------------------------- LogicalOr


def logical_or(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Returns x OR y elementwise for bool tensors, with broadcasting (`tf.logical_or`, `|`)."""
    x, y = binary_inputs(x, y)
    _check_type(x, dtypes.bool_, "LogicalOr", "x")
    _check_type(y, dtypes.bool_, "LogicalOr", "y")
    return apply_op("LogicalOr", [x, y], name=name)


_logical_or_kernel = broadcasting_kernel(np.logical_or)


register_op(OpDef(
    type="LogicalOr", inputs=("x", "y"), attrs={}, shape_fn=broadcast_shape_fn,
    kernel=_logical_or_kernel, grad_fn=NOT_DIFFERENTIABLE,
))

# ----------------------------------------------------------------------------- LogicalNot


def logical_not(x: Any, name: str | None = None) -> Tensor:
    """Returns NOT x elementwise for a bool tensor (`tf.logical_not`, `~`)."""
    x = convert_to_tensor(x)
    _check_type(x, dtypes.bool_, "LogicalNot", "x")
    return apply_op("LogicalNot", [x], name=name)


def _logical_not_shape(x: TensorShape) -> TensorShape:
    """Same shape as the input."""
    return x


def _logical_not_kernel(ctx: Any, x: np.ndarray) -> np.ndarray:
    return np.logical_not(x)


register_op(OpDef(
    type="LogicalNot", inputs=("x",), attrs={}, shape_fn=_logical_not_shape,
    kernel=_logical_not_kernel, grad_fn=NOT_DIFFERENTIABLE,
))


def logical_xor(x: Any, y: Any, name: str = "LogicalXor") -> Tensor:
    """Returns x XOR y elementwise for bool tensors (`tf.logical_xor`, `^`).

    A composite, as in TF: `(x | y) & ~(x & y)`; the final LogicalAnd is named `name`.
    """
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


# ----------------------------------------------------------------------------- Maximum


def maximum(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Returns max(x, y) elementwise, with broadcasting (`tf.maximum`); nan wins."""
    x, y = binary_inputs(x, y)
    check_dtype(x, INT32_64_FLOAT_TYPES)
    return apply_op("Maximum", [x, y], name=name)


_maximum_kernel = broadcasting_kernel(np.maximum)


def _maximum_grad(op: Any, grad: Tensor) -> list:
    """d(max(x, y))/dx = 1 where x >= y (ties go to x, as in TF), d/dy = 1 elsewhere."""
    return _select_by(greater_equal, op, grad)


def _select_by(x_wins: Any, op: Any, grad: Tensor) -> list:
    """Maximum's and Minimum's gradient: grad goes to x where `x_wins(x, y)`, else to y."""
    x, y = op.inputs
    zeros = zeros_like(grad)
    x_mask = x_wins(x, y)
    return [sum_to_shape(where(x_mask, grad, zeros), x),
            sum_to_shape(where(x_mask, zeros, grad), y)]


register_op(OpDef(
    type="Maximum", inputs=("x", "y"), attrs={}, shape_fn=broadcast_shape_fn,
    kernel=_maximum_kernel, grad_fn=_maximum_grad,
))

# ----------------------------------------------------------------------------- Minimum


def minimum(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Returns min(x, y) elementwise, with broadcasting (`tf.minimum`); nan wins."""
    x, y = binary_inputs(x, y)
    check_dtype(x, INT32_64_FLOAT_TYPES)
    return apply_op("Minimum", [x, y], name=name)


_minimum_kernel = broadcasting_kernel(np.minimum)


def _minimum_grad(op: Any, grad: Tensor) -> list:
    """d(min(x, y))/dx = 1 where x <= y (ties go to x, as in TF), d/dy = 1 elsewhere."""
    return _select_by(less_equal, op, grad)


register_op(OpDef(
    type="Minimum", inputs=("x", "y"), attrs={}, shape_fn=broadcast_shape_fn,
    kernel=_minimum_kernel, grad_fn=_minimum_grad,
))


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any, name: str | None = None
                  ) -> Tensor:
    """Clips `t` elementwise to [clip_value_min, clip_value_max] (`tf.clip_by_value`).

    A composite, as in TF: `maximum(minimum(t, clip_value_max), clip_value_min)`.

    Args:
      t: A `Tensor`.
      clip_value_min: The lower bound; a scalar or a tensor that broadcasts to `t`'s shape.
      clip_value_max: The upper bound; a scalar or a tensor that broadcasts to `t`'s shape.
      name: Optional name for the operation (default "clip_by_value").

    Returns:
      A `Tensor` of `t`'s shape and dtype.

    Raises:
      ValueError: If a bound would broadcast `t` to a larger shape.
    """
    with name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        values = convert_to_tensor(t)
        t_min = minimum(values, clip_value_max)
        values.shape.merge_with(t_min.shape)  # a bound must not broadcast t to a larger shape
        t_max = maximum(t_min, clip_value_min, name=scope)
        values.shape.merge_with(t_max.shape)
        return t_max


# ----------------------------------------------------------------------------- Select


def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Tensor:
    """Chooses between `x` and `y` by `condition`, or lists where `condition` is true.

    TF1's `tf.where`. With `x` and `y` (op "Select"): `x` and `y` have one shape, and
    `condition` is a scalar, has that shape too, or is a vector choosing whole rows (its
    length is the first dimension of `x`); there is no other broadcasting. With neither
    (op "Where"): returns the coordinates of the true (nonzero) entries of `condition`.

    Args:
      condition: A bool `Tensor` (with x and y), or a bool or numeric `Tensor` alone.
      x: A `Tensor` of the values taken where `condition` is true.
      y: A `Tensor` of `x`'s dtype and shape, taken where `condition` is false.
      name: Optional name for the operation (default "Select" or "Where").

    Returns:
      With x and y, a `Tensor` like `x`. Alone, an int64 `Tensor` [num_true, rank(condition)].
    """
    if x is None and y is None:
        with name_scope(name, "Where", [condition]) as scope:
            condition = convert_to_tensor(condition, preferred_dtype=dtypes.bool_)
            check_dtype(condition, (*REAL_TYPES, dtypes.bool_), param="input")
            return apply_op("Where", [condition], name=scope)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    condition = convert_to_tensor(condition)
    x, y = binary_inputs(x, y)
    _check_type(condition, dtypes.bool_, "Select", "condition")
    return apply_op("Select", [condition, x, y], name=name)


def _select_shape(condition: TensorShape, t: TensorShape, e: TensorShape) -> TensorShape:
    """The merge of `t` and `e`; `condition` is a scalar, that shape, or a vector over rows."""
    data = merge_shapes(t, e)
    if condition.ndims is None or data.ndims is None or condition.ndims == 0:
        return data
    if condition.ndims != 1 or data.ndims == 0:
        return merge_shapes(data, condition)
    merge_shapes(condition, TensorShape([data[0]]))
    return data


def _select_dtype(input_dtypes: list) -> list:
    _, t, e = input_dtypes  # condition is checked to be bool by the wrapper
    if e != t:
        raise TypeError(
            f"Input 'e' of 'Select' Op has type {e.name} that does not match type {t.name} "
            "of argument 't'."
        )
    return [t]


def _select_kernel(ctx: Any, condition: np.ndarray, t: np.ndarray, e: np.ndarray) -> np.ndarray:
    if t.shape != e.shape:
        raise InvalidArgumentError(
            "'then' and 'else' must have the same size.  but received: "
            f"{format_shape(t.shape)} vs. {format_shape(e.shape)}"
        )
    if condition.ndim == 1 and t.ndim > 1:  # one condition per row of t
        if condition.shape[0] != t.shape[0]:
            raise InvalidArgumentError(
                "Number of batches of 'then' must match size of 'cond', but saw: "
                f"{t.shape[0]} vs. {condition.shape[0]}"
            )
        condition = condition.reshape((-1,) + (1,) * (t.ndim - 1))  # [batch, 1, ..., 1]
    elif condition.ndim != 0 and condition.shape != t.shape:
        raise InvalidArgumentError(
            "Inputs to operation Select must have the same size and shape.  Input 0: "
            f"{format_shape(condition.shape)} != input 1: {format_shape(t.shape)}"
        )
    return np.where(condition, t, e)


def _select_grad(op: Any, grad: Tensor) -> list:
    """d(where(c, t, e))/dt = 1 where c, d/de = 1 where not c; None for the condition."""
    condition, t, _ = op.inputs
    zeros = zeros_like(t)
    return [None, where(condition, grad, zeros), where(condition, zeros, grad)]


register_op(OpDef(
    type="Select", inputs=("condition", "t", "e"), attrs={},
    shape_fn=_select_shape, kernel=_select_kernel, grad_fn=_select_grad,
    dtype_fn=_select_dtype,
))

# ----------------------------------------------------------------------------- Where


def _where_shape(condition: TensorShape) -> TensorShape:
    """[num_true, rank]: the number of true entries is known only at run time."""
    return TensorShape([None, condition.ndims])


def _where_dtype(input_dtypes: list) -> list:
    return [dtypes.int64]


def _where_kernel(ctx: Any, condition: np.ndarray) -> np.ndarray:
    return np.argwhere(condition).astype(np.int64, copy=False)  # row-major order, as TF


register_op(OpDef(
    type="Where", inputs=("input",), attrs={}, shape_fn=_where_shape, kernel=_where_kernel,
    grad_fn=NOT_DIFFERENTIABLE, dtype_fn=_where_dtype,
))

# ----------------------------------------------------------------------------- operators
# TF1 names the logical operators' ops "and", "or", "xor"; comparisons keep the op type.


def _xor_operator(x: Any, y: Any) -> Tensor:
    """`x ^ y`: the composite's three inner ops go under the scope "xor", as in TF."""
    with name_scope(None, "xor", [x, y]) as scope:
        return logical_xor(x, y, name=scope)


Tensor._override_operator("__lt__", lambda x, y: less(x, y))
Tensor._override_operator("__le__", lambda x, y: less_equal(x, y))
Tensor._override_operator("__gt__", lambda x, y: greater(x, y))
Tensor._override_operator("__ge__", lambda x, y: greater_equal(x, y))
Tensor._override_operator("__and__", lambda x, y: logical_and(x, y, name="and"))
Tensor._override_operator("__rand__", lambda y, x: logical_and(x, y, name="and"))
Tensor._override_operator("__or__", lambda x, y: logical_or(x, y, name="or"))
Tensor._override_operator("__ror__", lambda y, x: logical_or(x, y, name="or"))
Tensor._override_operator("__xor__", lambda x, y: _xor_operator(x, y))
Tensor._override_operator("__rxor__", lambda y, x: _xor_operator(x, y))
Tensor._override_operator("__invert__", lambda x: logical_not(x))
