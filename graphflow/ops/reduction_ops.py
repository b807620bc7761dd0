"""Reductions: reduce_sum/mean/max/min/prod/any/all, argmax/argmin and add_n.

Counterpart: the reduction functions of tensorflow/python/ops/math_ops.py; count_nonzero, a
composite over NotEqual, is in comparison_ops.py, which sits above this module. The axes to
reduce are an op input ("reduction_indices"), as in TF, so they may be computed at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework.apply_op import apply_op, constant_value, convert_to_tensor
from graphflow.framework.errors import InvalidArgumentError, format_shape
from graphflow.framework.registry import (
    NOT_DIFFERENTIABLE,
    OpDef,
    register_op,
)
from graphflow.framework.tensor import Tensor
from graphflow.framework.tensor_shape import TensorShape, unknown_shape
from graphflow.ops import fill_ops, shape_ops
from graphflow.ops.array_ops import identity
from graphflow.ops.cast_ops import cast
from graphflow.ops.constant_op import constant
from graphflow.ops.op_util import BOOL_TYPES, REAL_TYPES, check_dtype
from graphflow.ops.pad_ops import tile
from graphflow.ops.shape_ops import reshape, shape
from graphflow.ops.shape_util import merge_shapes

__all__ = [
    "add_n", "argmax", "argmin", "reduce_all", "reduce_any", "reduce_max",
    "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum",
]

_INDEX_TYPES = (dtypes.int32, dtypes.int64)


def _deprecated_argument(new_name: str, new_value: Any, old_name: str, old_value: Any) -> Any:
    """The value of an argument that TF1 renamed; giving both names is a ValueError."""
    if old_value is not None:
        if new_value is not None:
            raise ValueError(f"Cannot specify both '{old_name}' and '{new_name}'")
        return old_value
    return new_value


def _reduction(
    op_type: str, allowed: Sequence[Any], input_tensor: Any, axis: Any, keepdims: Any,
    name: str | None, reduction_indices: Any, keep_dims: Any,
) -> Tensor:
    """Creates a reduction op, resolving TF1's deprecated argument names."""
    axis = _deprecated_argument("axis", axis, "reduction_indices", reduction_indices)
    keepdims = bool(_deprecated_argument("keepdims", keepdims, "keep_dims", keep_dims))
    input_tensor = convert_to_tensor(input_tensor)
    check_dtype(input_tensor, allowed, param="input")
    axes = _reduction_dims(input_tensor, axis)
    check_dtype(axes, _INDEX_TYPES, param="reduction_indices")
    output = apply_op(op_type, [input_tensor, axes], name=name, keep_dims=keepdims)
    if axis is None and not keepdims:
        output.set_shape([])  # reducing every axis gives a scalar, even for an unknown rank
    return output


def _reduction_dims(input_tensor: Tensor, axis: Any) -> Tensor:
    """The axes to reduce as a tensor: `axis`, or every axis when it is None."""
    if isinstance(axis, (list, tuple)) and not axis:
        return constant(np.zeros(0, dtype=np.int32))  # no axes: reduce nothing
    if axis is not None:
        return convert_to_tensor(axis)
    rank = input_tensor.shape.ndims
    if rank is not None:
        return constant(np.arange(rank, dtype=np.int32))
    # TODO(#array-ops): range(0, rank(x)) as TF does, once Range and Rank exist.
    return apply_op("AllAxes", [input_tensor])


def _reduction_shape(input_shape: TensorShape, axes: np.ndarray | None, *, keep_dims: bool
                     ) -> TensorShape:
    """Drops each reduced dimension, or keeps it as 1 with `keep_dims`."""
    rank = input_shape.ndims
    if rank is None:
        return TensorShape(None)
    if axes is None:  # axes known only at run time
        return unknown_shape(rank) if keep_dims else TensorShape(None)
    reduced = set()
    for axis in np.ravel(axes).tolist():
        if not -rank <= axis < rank:
            raise ValueError(
                f"Invalid reduction dimension {axis} for input with {rank} dimensions."
            )
        reduced.add(axis % rank)
    if keep_dims:
        return TensorShape([1 if i in reduced else dim for i, dim in enumerate(input_shape)])
    return TensorShape([dim for i, dim in enumerate(input_shape) if i not in reduced])


def _reduction_dtype(input_dtypes: list, **attrs: Any) -> list:
    """The output has the input's dtype (the axes may be int32 or int64)."""
    return [input_dtypes[0]]


def _reduction_axes(x: np.ndarray, axes: np.ndarray) -> tuple[int, ...]:
    """The reduction axes normalized to [0, rank), checked as TF's ReductionHelper does."""
    normalized: list[int] = []
    for axis in np.ravel(axes).tolist():
        if not -x.ndim <= axis < x.ndim:
            raise InvalidArgumentError(
                f"Invalid reduction dimension ({axis} for input with {x.ndim} dimension(s)"
            )
        if axis % x.ndim in normalized:
            raise InvalidArgumentError(
                f"Invalid reduction arguments: Axes contains duplicate dimension: {axis % x.ndim}"
            )
        normalized.append(axis % x.ndim)
    return tuple(normalized)


def _accumulator(dtype: np.dtype) -> np.dtype:
    """float16 sums accumulate in float32 (rounding each partial sum to float16 loses digits)."""
    return np.dtype(np.float32) if dtype == np.float16 else dtype


# ----------------------------------------------------------------------------- gradient helpers
#
# A reduction's output gradient has the output's shape; every input element reduced into one
# output entry receives that entry's gradient (Sum), a share of it (Mean, Max, Min) or it
# times a partial product (Prod). So the gradient is first given the "kept" shape, the
# input's shape with each reduced dimension as 1 (TF's `reduced_shape`), and then tiled or
# broadcast back to the input's shape. This module sits below math_ops: the arithmetic here
# uses the Tensor operators, which math_ops and comparison_ops install on import.


def _reduced_mask(x: Tensor, axes: Tensor) -> list[int] | Tensor:
    """1 for each dimension of `x` that `axes` reduces, 0 for the others.

    A list when x's rank and the axes are known at graph-build time; else an int32 vector
    computed at run time (a dimension i is reduced if some axis equals i or i - rank).
    """
    rank, value = x.shape.ndims, constant_value(axes)
    if rank is not None and value is not None:
        reduced = {axis % rank for axis in np.ravel(value).tolist()}
        return [int(i in reduced) for i in range(rank)]
    axes = reshape(cast(axes, dtypes.int32), [-1, 1])
    n = shape_ops.rank(x)
    axes = axes + n * cast(axes < 0, dtypes.int32)  # -1 is dimension rank - 1
    dims = fill_ops.range(n)
    hits = (dims >= axes) & (dims <= axes)  # [number of axes, rank]: axis j is dimension i
    return cast(reduce_any(hits, 0), dtypes.int32)


def _kept_shape(x: Tensor, mask: list[int] | Tensor) -> np.ndarray | Tensor:
    """The shape of `x` with each reduced dimension (`mask`) as 1: TF's `reduced_shape`.

    An int32 array when the static shape fixes it (TF's fast path), else an int32 tensor.
    """
    if isinstance(mask, list):
        kept = [1 if reduced else dim for reduced, dim in zip(mask, x.shape.as_list(),
                                                               strict=True)]
        if None not in kept:
            return np.array(kept, dtype=np.int32)
    input_shape = shape(x)
    return input_shape - (input_shape - 1) * mask


def _multiples(x: Tensor, mask: list[int] | Tensor) -> np.ndarray | Tensor:
    """How many times to tile a tensor of the kept shape to get x's shape: x's reduced dims.

    An int32 array when the static shape fixes it, else an int32 tensor.
    """
    if isinstance(mask, list):
        multiples = [dim if reduced else 1 for reduced, dim in zip(mask, x.shape.as_list(),
                                                                    strict=True)]
        if None not in multiples:
            return np.array(multiples, dtype=np.int32)
        if all(mask):  # every dimension reduced, as in reduce_mean(loss) over a batch
            return shape(x)
    return (shape(x) - 1) * mask + 1  # 0 for an empty reduced dimension


def _kept_grad(op: Any, grad: Tensor, mask: list[int] | Tensor | None = None) -> Tensor:
    """The output gradient (or output) `grad` with the op's reduced dimensions restored as 1.

    `mask` is the op's `_reduced_mask`, computed here if not given.
    """
    if op.get_attr("keep_dims"):
        return grad
    x, axes = op.inputs
    return reshape(grad, _kept_shape(x, _reduced_mask(x, axes) if mask is None else mask))


def _tiled_to_input(grad: Tensor, x: Tensor, multiples: np.ndarray | Tensor) -> Tensor:
    """`grad`, of the kept shape, tiled to x's shape (whose static shape it is given)."""
    tiled = tile(grad, multiples)
    tiled.set_shape(x.shape)
    return tiled


def _reduced_size(multiples: np.ndarray | Tensor, dtype: Any) -> float | Tensor:
    """How many input elements are reduced into each output entry, as a `dtype` scalar."""
    if isinstance(multiples, np.ndarray):
        return float(np.prod(multiples, dtype=np.int64))
    return cast(reduce_prod(multiples), dtype)


# ----------------------------------------------------------------------------- AllAxes


def _all_axes_shape(input_shape: TensorShape) -> TensorShape:
    """A vector with one entry per dimension of the input."""
    return TensorShape([input_shape.ndims])


def _all_axes_value(input_shape: TensorShape) -> np.ndarray | None:
    """Known as soon as the rank is."""
    rank = input_shape.ndims
    return None if rank is None else np.arange(rank, dtype=np.int32)


def _all_axes_kernel(ctx: Any, x: np.ndarray) -> np.ndarray:
    return np.arange(x.ndim, dtype=np.int32)


# [0, 1, ..., rank(x) - 1] for a tensor of unknown rank: the axes reduced when `axis` is None.
register_op(OpDef(
    type="AllAxes", inputs=("input",), attrs={}, shape_fn=_all_axes_shape,
    kernel=_all_axes_kernel, grad_fn=NOT_DIFFERENTIABLE,
    dtype_fn=lambda input_dtypes: [dtypes.int32], constant_fn=_all_axes_value,
))

# ----------------------------------------------------------------------------- Sum


def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Tensor:
    """Sums `input_tensor` over the dimensions in `axis` (`tf.reduce_sum`, op "Sum").

    Args:
      input_tensor: A numeric `Tensor`.
      axis: The dimensions to reduce: None (all), an int, a list, or an int32/int64 `Tensor`.
        Negative values count from the end.
      keepdims: If True, reduced dimensions are kept with length 1.
      name: Optional name for the operation (default "Sum").
      reduction_indices: The deprecated name of `axis`.
      keep_dims: The deprecated name of `keepdims`.

    Returns:
      A `Tensor` of the input's dtype; a scalar when `axis` is None and not `keepdims`.
    """
    return _reduction("Sum", REAL_TYPES, input_tensor, axis, keepdims, name,
                      reduction_indices, keep_dims)


def _sum_kernel(ctx: Any, x: np.ndarray, axes: np.ndarray, *, keep_dims: bool) -> np.ndarray:
    total = np.sum(x, axis=_reduction_axes(x, axes), dtype=_accumulator(x.dtype),
                   keepdims=keep_dims)
    return np.asarray(total, dtype=x.dtype)


def _sum_grad(op: Any, grad: Tensor) -> list:
    """d(sum x)/dx_i = 1: each element gets the gradient of the entry it was summed into."""
    x, axes = op.inputs
    mask = _reduced_mask(x, axes)
    return [_tiled_to_input(_kept_grad(op, grad, mask), x, _multiples(x, mask)), None]


register_op(OpDef(
    type="Sum", inputs=("input", "reduction_indices"), attrs={"keep_dims": False},
    shape_fn=_reduction_shape, kernel=_sum_kernel, grad_fn=_sum_grad,
    dtype_fn=_reduction_dtype, value_inputs=("reduction_indices",),
))

# ----------------------------------------------------------------------------- Mean


def reduce_mean(input_tensor: Any, axis: Any = None, keepdims: Any = None,
                name: str | None = None, reduction_indices: Any = None, keep_dims: Any = None
                ) -> Tensor:
    """The mean over the dimensions in `axis` (`tf.reduce_mean`, op "Mean"); as `reduce_sum`.

    For integer tensors the mean is an integer division truncated toward zero, as in TF
    (the mean of [1, 2] is 1).
    """
    return _reduction("Mean", REAL_TYPES, input_tensor, axis, keepdims, name,
                      reduction_indices, keep_dims)


def _mean_kernel(ctx: Any, x: np.ndarray, axes: np.ndarray, *, keep_dims: bool) -> np.ndarray:
    reduced = _reduction_axes(x, axes)
    count = int(np.prod([x.shape[axis] for axis in reduced]))
    total = np.sum(x, axis=reduced, dtype=_accumulator(x.dtype), keepdims=keep_dims)
    if x.dtype.kind == "f":
        with np.errstate(invalid="ignore"):  # the mean of nothing is nan
            return np.asarray(total / count, dtype=x.dtype)
    count = max(count, 1)  # the sum of nothing is 0, and so is its mean
    if x.dtype.kind == "u":
        return np.asarray(total // count, dtype=x.dtype)
    # C integer division truncates toward zero, where NumPy's // floors.
    return np.asarray(np.sign(total) * (np.absolute(total) // count), dtype=x.dtype)


def _mean_grad(op: Any, grad: Tensor) -> list:
    """d(mean x)/dx_i = 1/n, n the number of elements reduced into x_i's entry."""
    x, axes = op.inputs
    mask = _reduced_mask(x, axes)
    multiples = _multiples(x, mask)
    share = _kept_grad(op, grad, mask) / _reduced_size(multiples, grad.dtype)
    return [_tiled_to_input(share, x, multiples), None]


register_op(OpDef(
    type="Mean", inputs=("input", "reduction_indices"), attrs={"keep_dims": False},
    shape_fn=_reduction_shape, kernel=_mean_kernel, grad_fn=_mean_grad,
    dtype_fn=_reduction_dtype, value_inputs=("reduction_indices",),
))

# ----------------------------------------------------------------------------- Max


def reduce_max(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Tensor:
    """The maximum over the dimensions in `axis` (`tf.reduce_max`, op "Max"); as `reduce_sum`.

    Reducing an empty dimension gives the dtype's lowest value (-inf for floats), as in TF.
    """
    return _reduction("Max", REAL_TYPES, input_tensor, axis, keepdims, name,
                      reduction_indices, keep_dims)


def _max_kernel(ctx: Any, x: np.ndarray, axes: np.ndarray, *, keep_dims: bool) -> np.ndarray:
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    return np.asarray(np.max(x, axis=_reduction_axes(x, axes), keepdims=keep_dims,
                             initial=lowest), dtype=x.dtype)


def _max_grad(op: Any, grad: Tensor) -> list:
    """d(max x)/dx_i = 1/k where x_i is one of the k maxima of its entry, else 0."""
    return [_selected_share(op, grad, lambda x, y: x >= y), None]


def _selected_share(op: Any, grad: Tensor, selects: Any) -> Tensor:
    """The gradient split equally among the selected elements: Max's and Min's gradient.

    `selects(x, y)` tells which elements of x equal their entry's max (min) y: `x >= y` for
    Max, as no element exceeds the max. TF uses `equal`; the comparisons here need no import
    of comparison_ops (which sits above this module).
    """
    x, axes = op.inputs
    mask = None if op.get_attr("keep_dims") else _reduced_mask(x, axes)
    indicators = cast(selects(x, _kept_grad(op, op.outputs[0], mask)), grad.dtype)
    num_selected = reduce_sum(indicators, axes, keepdims=True)
    return indicators / num_selected * _kept_grad(op, grad, mask)


register_op(OpDef(
    type="Max", inputs=("input", "reduction_indices"), attrs={"keep_dims": False},
    shape_fn=_reduction_shape, kernel=_max_kernel, grad_fn=_max_grad,
    dtype_fn=_reduction_dtype, value_inputs=("reduction_indices",),
))

# ----------------------------------------------------------------------------- Min


def reduce_min(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Tensor:
    """The minimum over the dimensions in `axis` (`tf.reduce_min`, op "Min"); as `reduce_sum`.

    Reducing an empty dimension gives the dtype's highest value (inf for floats), as in TF.
    """
    return _reduction("Min", REAL_TYPES, input_tensor, axis, keepdims, name,
                      reduction_indices, keep_dims)


def _min_kernel(ctx: Any, x: np.ndarray, axes: np.ndarray, *, keep_dims: bool) -> np.ndarray:
    highest = np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).max
    return np.asarray(np.min(x, axis=_reduction_axes(x, axes), keepdims=keep_dims,
                             initial=highest), dtype=x.dtype)


def _min_grad(op: Any, grad: Tensor) -> list:
    """d(min x)/dx_i = 1/k where x_i is one of the k minima of its entry, else 0."""
    return [_selected_share(op, grad, lambda x, y: x <= y), None]


register_op(OpDef(
    type="Min", inputs=("input", "reduction_indices"), attrs={"keep_dims": False},
    shape_fn=_reduction_shape, kernel=_min_kernel, grad_fn=_min_grad,
    dtype_fn=_reduction_dtype, value_inputs=("reduction_indices",),
))

# ----------------------------------------------------------------------------- Prod


def reduce_prod(input_tensor: Any, axis: Any = None, keepdims: Any = None,
                name: str | None = None, reduction_indices: Any = None, keep_dims: Any = None
                ) -> Tensor:
    """The product over the dimensions in `axis` (`tf.reduce_prod`, op "Prod"); as `reduce_sum`."""
    return _reduction("Prod", REAL_TYPES, input_tensor, axis, keepdims, name,
                      reduction_indices, keep_dims)


def _prod_kernel(ctx: Any, x: np.ndarray, axes: np.ndarray, *, keep_dims: bool) -> np.ndarray:
    product = np.prod(x, axis=_reduction_axes(x, axes), dtype=_accumulator(x.dtype),
                      keepdims=keep_dims)
    return np.asarray(product, dtype=x.dtype)


def _prod_grad(op: Any, grad: Tensor) -> list:
    """d(prod x)/dx_i = the product of the other elements (prod / x_i when none is 0).

    TF computes the products of the others with two exclusive cumprods; here zeros are
    handled by counting them: with none, prod / x_i; with one, the product of the nonzero
    elements at the zero and 0 elsewhere; with two or more, 0 everywhere.
    """
    x, axes = op.inputs
    is_zero = cast((x >= 0) & (x <= 0), x.dtype)
    safe_x = x + is_zero  # x, with each 0 replaced by 1
    nonzero_product = reduce_prod(safe_x, axes, keepdims=True)
    zeros = reduce_sum(is_zero, axes, keepdims=True)
    no_zero = cast(zeros < 0.5, x.dtype)
    one_zero = cast((zeros > 0.5) & (zeros < 1.5), x.dtype)
    others = nonzero_product * (no_zero / safe_x + one_zero * is_zero)
    return [_kept_grad(op, grad) * others, None]


register_op(OpDef(
    type="Prod", inputs=("input", "reduction_indices"), attrs={"keep_dims": False},
    shape_fn=_reduction_shape, kernel=_prod_kernel, grad_fn=_prod_grad,
    dtype_fn=_reduction_dtype, value_inputs=("reduction_indices",),
))

# ----------------------------------------------------------------------------- Any


def reduce_any(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Tensor:
    """Logical OR of a bool tensor over the dimensions in `axis` (`tf.reduce_any`, op "Any")."""
    return _reduction("Any", BOOL_TYPES, input_tensor, axis, keepdims, name,
                      reduction_indices, keep_dims)


def _any_kernel(ctx: Any, x: np.ndarray, axes: np.ndarray, *, keep_dims: bool) -> np.ndarray:
    return np.asarray(np.any(x, axis=_reduction_axes(x, axes), keepdims=keep_dims))


register_op(OpDef(
    type="Any", inputs=("input", "reduction_indices"), attrs={"keep_dims": False},
    shape_fn=_reduction_shape, kernel=_any_kernel, grad_fn=NOT_DIFFERENTIABLE,
    dtype_fn=_reduction_dtype, value_inputs=("reduction_indices",),
))

# ----------------------------------------------------------------------------- All


def reduce_all(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Tensor:
    """Logical AND of a bool tensor over the dimensions in `axis` (`tf.reduce_all`, op "All")."""
    return _reduction("All", BOOL_TYPES, input_tensor, axis, keepdims, name,
                      reduction_indices, keep_dims)


def _all_kernel(ctx: Any, x: np.ndarray, axes: np.ndarray, *, keep_dims: bool) -> np.ndarray:
    return np.asarray(np.all(x, axis=_reduction_axes(x, axes), keepdims=keep_dims))


register_op(OpDef(
    type="All", inputs=("input", "reduction_indices"), attrs={"keep_dims": False},
    shape_fn=_reduction_shape, kernel=_all_kernel, grad_fn=NOT_DIFFERENTIABLE,
    dtype_fn=_reduction_dtype, value_inputs=("reduction_indices",),
))


# ----------------------------------------------------------------------------- ArgMax


def argmax(input: Any, axis: Any = None, name: str | None = None, dimension: Any = None,
           output_type: Any = dtypes.int64) -> Tensor:
    """The index of the largest value along `axis` (`tf.argmax`, op "ArgMax").

    Args:
      input: A numeric `Tensor`.
      axis: The dimension to reduce (default 0, as in TF1); an int or a scalar `Tensor`.
      name: Optional name for the operation (default "ArgMax").
      dimension: The deprecated name of `axis`.
      output_type: int64 (the default) or int32.

    Returns:
      A `Tensor` of `output_type` with `axis` removed from the input's shape. Ties go to the
      first index.
    """
    return _arg_reduction("ArgMax", input, axis, name, dimension, output_type)


def _arg_reduction(op_type: str, input: Any, axis: Any, name: str | None, dimension: Any,
                   output_type: Any) -> Tensor:
    axis = _deprecated_argument("axis", axis, "dimension", dimension)
    input = convert_to_tensor(input)
    check_dtype(input, REAL_TYPES, param="input")
    dimension = convert_to_tensor(0 if axis is None else axis)
    check_dtype(dimension, _INDEX_TYPES, param="dimension")
    output_type = dtypes.as_dtype(output_type)
    if output_type not in _INDEX_TYPES:
        raise TypeError(f"Value for attr 'output_type' of {output_type.name} is not in the list "
                        "of allowed values: int32, int64")
    return apply_op(op_type, [input, dimension], name=name, output_type=output_type)


def _arg_reduction_shape(input_shape: TensorShape, dimension: np.ndarray | None, *,
                         output_type: Any) -> TensorShape:
    """The input's shape without dimension `dimension`."""
    if dimension is not None and np.ndim(dimension) != 0:
        raise ValueError(f"Shape must be rank 0 but is rank {np.ndim(dimension)}")
    rank = input_shape.ndims
    if rank is None:
        return TensorShape(None)
    if rank <= 1:
        return TensorShape([])
    if dimension is None:
        return unknown_shape(rank - 1)
    axis = int(dimension)
    if not -rank <= axis < rank:
        raise ValueError(f"Dimension ({axis}) must be in the range [{-rank}, {rank}), where "
                         f"{rank} is the number of dimensions in the input.")
    return TensorShape([dim for i, dim in enumerate(input_shape) if i != axis % rank])


def _arg_reduction_dtype(input_dtypes: list, *, output_type: Any) -> list:
    return [output_type]


def _arg_reduction_axis(x: np.ndarray, dimension: np.ndarray) -> int:
    """The axis an ArgMax/ArgMin reduces, checked as TF's ArgOp does."""
    if np.ndim(dimension) != 0:
        raise InvalidArgumentError(
            "dim must be a scalar, but received tensor of shape: "
            f"{format_shape(np.shape(dimension))}"
        )
    axis = int(dimension)
    if not -x.ndim <= axis < x.ndim:
        raise InvalidArgumentError(
            f"Expected dimension in the range [{-x.ndim}, {x.ndim}), but got {axis}"
        )
    if x.shape[axis] == 0:
        raise InvalidArgumentError(
            f"Reduction axis {axis} is empty in shape {format_shape(x.shape)}"
        )
    return axis


def _argmax_kernel(ctx: Any, x: np.ndarray, dimension: np.ndarray, *, output_type: Any
                   ) -> np.ndarray:
    indices = np.argmax(x, axis=_arg_reduction_axis(x, dimension))
    return np.asarray(indices, dtype=output_type.as_numpy_dtype)


register_op(OpDef(
    type="ArgMax", inputs=("input", "dimension"), attrs={"output_type": dtypes.int64},
    shape_fn=_arg_reduction_shape, kernel=_argmax_kernel, grad_fn=NOT_DIFFERENTIABLE,
    dtype_fn=_arg_reduction_dtype, value_inputs=("dimension",),
))

# ----------------------------------------------------------------------------- ArgMin


def argmin(input: Any, axis: Any = None, name: str | None = None, dimension: Any = None,
           output_type: Any = dtypes.int64) -> Tensor:
    """The index of the smallest value along `axis` (`tf.argmin`, op "ArgMin"); as `argmax`."""
    return _arg_reduction("ArgMin", input, axis, name, dimension, output_type)


def _argmin_kernel(ctx: Any, x: np.ndarray, dimension: np.ndarray, *, output_type: Any
                   ) -> np.ndarray:
    indices = np.argmin(x, axis=_arg_reduction_axis(x, dimension))
    return np.asarray(indices, dtype=output_type.as_numpy_dtype)


register_op(OpDef(
    type="ArgMin", inputs=("input", "dimension"), attrs={"output_type": dtypes.int64},
    shape_fn=_arg_reduction_shape, kernel=_argmin_kernel, grad_fn=NOT_DIFFERENTIABLE,
    dtype_fn=_arg_reduction_dtype, value_inputs=("dimension",),
))

# ----------------------------------------------------------------------------- AddN


def add_n(inputs: Sequence[Any], name: str | None = None) -> Tensor:
    """Adds all input tensors elementwise (`tf.add_n`, op "AddN").

    Args:
      inputs: A non-empty list of `Tensor`s of one dtype and one shape (no broadcasting).
      name: Optional name for the operation (default "AddN").

    Returns:
      A `Tensor` of the inputs' shape and dtype. A single input is returned itself (or
      through an Identity named `name`, if given), as in TF.
    """
    message = "inputs must be a list of at least one Tensor with the same dtype and shape"
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError(message)
    tensors = [convert_to_tensor(value) for value in inputs]
    if len(tensors) == 1:
        return identity(tensors[0], name=name) if name else tensors[0]
    if any(tensor.dtype != tensors[0].dtype for tensor in tensors):
        names = ", ".join(tensor.dtype.name for tensor in tensors)
        raise TypeError(f"Tensors in list passed to 'inputs' of 'AddN' Op have types [{names}] "
                        "that don't all match.")
    check_dtype(tensors[0], REAL_TYPES, param="inputs")
    return apply_op("AddN", tensors, name=name)


def _add_n_shape(*shapes: TensorShape) -> TensorShape:
    """All inputs have one shape: the merge of theirs (merged last to first, as TF does)."""
    merged = shapes[-1]
    for index in range(len(shapes) - 2, -1, -1):
        try:
            merged = merge_shapes(shapes[index], merged)
        except ValueError as error:
            raise ValueError(f"{error}\n\tFrom merging shape {index} with other shapes.") from None
    return merged


def _add_n_kernel(ctx: Any, *inputs: np.ndarray) -> np.ndarray:
    for index, value in enumerate(inputs[1:], start=1):
        if value.shape != inputs[0].shape:
            raise InvalidArgumentError(
                "Inputs to operation AddN must have the same size and shape.  Input 0: "
                f"{format_shape(inputs[0].shape)} != input {index}: {format_shape(value.shape)}"
            )
    if len(inputs) == 1:
        return np.array(inputs[0], copy=True)
    total = np.add(inputs[0], inputs[1], out=np.empty(np.shape(inputs[0]), inputs[0].dtype))
    for value in inputs[2:]:  # summed in input order, so results never depend on scheduling
        np.add(total, value, out=total)
    return total


def _add_n_grad(op: Any, grad: Tensor) -> list:
    """d(x_1 + ... + x_n)/dx_i = 1 for every input."""
    return [grad] * len(op.inputs)


register_op(OpDef(
    type="AddN", inputs=("*inputs",), attrs={},
    shape_fn=_add_n_shape, kernel=_add_n_kernel, grad_fn=_add_n_grad,
))

