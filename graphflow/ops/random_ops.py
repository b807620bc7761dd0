"""Random ops: tensors of random values, drawn anew on every run (`tf.random_normal`, ...).

Counterpart: tensorflow/python/ops/random_ops.py. Each kernel keeps a NumPy Generator in its
node state, seeded from the op's (seed, seed2) attrs (see framework/random_seed.py): seeded
ops replay the same sequence in every new session; unseeded ops draw fresh entropy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphflow.framework import dtypes, random_seed
from graphflow.framework.apply_op import apply_op, convert_to_tensor
from graphflow.framework.errors import InvalidArgumentError, format_shape
from graphflow.framework.graph import name_scope
from graphflow.framework.random_seed import set_random_seed
from graphflow.framework.registry import NOT_DIFFERENTIABLE, OpDef, register_op
from graphflow.framework.tensor import Tensor
from graphflow.framework.tensor_shape import TensorShape, dimension_value
from graphflow.ops import math_ops
from graphflow.ops.shape_util import constant_value_as_shape

__all__ = [
    "random_normal",
    "random_shuffle",
    "random_uniform",
    "set_random_seed",
    "truncated_normal",
]

_FLOAT_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)
_UNIFORM_DTYPES = (*_FLOAT_DTYPES, dtypes.int32, dtypes.int64)


def _shape_tensor(shape: Any) -> Tensor:
    """`shape` (list, tuple, TensorShape or 1-D integer Tensor) as a Tensor named "shape"."""
    if isinstance(shape, Tensor):
        if shape.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(
                f"Value passed to parameter 'shape' has DataType {shape.dtype.name} not in list "
                "of allowed values: int32, int64"
            )
        return shape
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape to a Tensor: {shape}")
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)):
        shape = [dimension_value(d) for d in shape]
        if not shape:
            return convert_to_tensor(shape, dtype=dtypes.int32, name="shape")
    return convert_to_tensor(shape, name="shape")


def _random_tensor(op_type: str, inputs: list, shape: Tensor, **attrs: Any) -> Tensor:
    """Creates the random op and gives its output what is known of `shape` statically."""
    rnd = apply_op(op_type, inputs, **attrs)
    rnd.set_shape(constant_value_as_shape(shape))
    return rnd


def _scaled_normal(op_type: str, shape: Any, mean: Any, stddev: Any, dtype: dtypes.DType,
                   seed: int | None, scope: str) -> Tensor:
    """`op_type(shape) * stddev + mean`, named `scope`: how TF builds both normal samplers."""
    shape_tensor = _shape_tensor(shape)
    mean_tensor = convert_to_tensor(mean, dtype=dtype, name="mean")
    stddev_tensor = convert_to_tensor(stddev, dtype=dtype, name="stddev")
    rnd = _random_tensor(op_type, [shape_tensor], shape_tensor, dtype=dtype, **_seed_attrs(seed))
    return math_ops.add(math_ops.multiply(rnd, stddev_tensor, name="mul"), mean_tensor,
                        name=scope)


def _seed_attrs(seed: int | None) -> dict[str, int]:
    """The op's `seed` and `seed2` attrs; 0 and 0 mean "unseeded"."""
    seed1, seed2 = random_seed.get_seed(seed)
    return {"seed": seed1 or 0, "seed2": seed2 or 0}


def _float_dtype(dtype: Any, op_type: str) -> dtypes.DType:
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOAT_DTYPES:
        raise TypeError(
            f"Value passed to parameter 'dtype' has DataType {dtype.name} not in list of "
            f"allowed values: float16, float32, float64 (op '{op_type}')"
        )
    return dtype


def _random_shape(shape_value: np.ndarray | None, **attrs: Any) -> TensorShape:
    """The shape that the `shape` input's value spells, or unknown when that is not constant."""
    if shape_value is None:
        return TensorShape(None)
    if shape_value.ndim != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {shape_value.ndim}")
    return TensorShape([int(d) for d in shape_value])


def _random_dtype(input_dtypes: list, *, dtype: Any, seed: int, seed2: int) -> list:
    return [dtype]


def _generator(ctx: Any, seed: int, seed2: int) -> np.random.Generator:
    """This node's Generator in this session, created on first use from its seeds."""
    generator = ctx.node_state.get("generator")
    if generator is None:
        entropy = None if seed == 0 and seed2 == 0 else [seed, seed2]
        generator = np.random.default_rng(entropy)
        ctx.node_state["generator"] = generator
    return generator


def _run_time_shape(shape: np.ndarray) -> tuple[int, ...]:
    if shape.ndim != 1:
        raise InvalidArgumentError(
            f"shape must be a vector of {{int32,int64}}, got shape {format_shape(shape.shape)}"
        )
    for size in shape:
        if size < 0:
            raise InvalidArgumentError(f"Dimension {size} must be >= 0")
    return tuple(int(size) for size in shape)


def _sample_dtype(dtype: dtypes.DType) -> type:
    """The dtype NumPy samples in: float64 for float64, else float32 (then cast)."""
    return np.float64 if dtype == dtypes.float64 else np.float32


# ----------------------------------------------------------------------------- RandomStandardNormal


def random_normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = dtypes.float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Outputs random values from a normal distribution (`tf.random_normal`).

    Built as TF builds it: `RandomStandardNormal(shape) * stddev + mean`, so `mean` and
    `stddev` may be tensors and get gradients.

    Args:
      shape: A 1-D integer Tensor or Python list: the shape of the output.
      mean: A scalar (or broadcastable Tensor) of type `dtype`: the mean.
      stddev: A scalar (or broadcastable Tensor) of type `dtype`: the standard deviation.
      dtype: A floating-point dtype (float16, float32 or float64).
      seed: An int: the op seed (see `tf.set_random_seed`).
      name: Optional name for the operation (default "random_normal").

    Returns:
      A `Tensor` of the given shape and dtype, with new values on every run.
    """
    dtype = _float_dtype(dtype, "RandomStandardNormal")
    with name_scope(name, "random_normal", [shape, mean, stddev]) as scope:
        return _scaled_normal("RandomStandardNormal", shape, mean, stddev, dtype, seed, scope)


def _random_standard_normal_kernel(
    ctx: Any, shape: np.ndarray, *, dtype: Any, seed: int, seed2: int
) -> np.ndarray:
    generator = _generator(ctx, seed, seed2)
    values = generator.standard_normal(_run_time_shape(shape), dtype=_sample_dtype(dtype))
    return values.astype(dtype.as_numpy_dtype, copy=False)


register_op(OpDef(
    type="RandomStandardNormal", inputs=("shape",),
    attrs={"dtype": dtypes.float32, "seed": 0, "seed2": 0},
    shape_fn=_random_shape, kernel=_random_standard_normal_kernel, grad_fn=NOT_DIFFERENTIABLE,
    dtype_fn=_random_dtype, stateful=True, value_inputs=("shape",),
))

# ----------------------------------------------------------------------------- TruncatedNormal


def truncated_normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = dtypes.float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Outputs random values from a truncated normal distribution (`tf.truncated_normal`).

    Values more than two standard deviations from the mean are dropped and re-drawn, so every
    value lies in (mean - 2 * stddev, mean + 2 * stddev). Built as
    `TruncatedNormal(shape) * stddev + mean`.

    Args:
      shape: A 1-D integer Tensor or Python list: the shape of the output.
      mean: A scalar (or broadcastable Tensor) of type `dtype`: the mean.
      stddev: A scalar (or broadcastable Tensor) of type `dtype`: the standard deviation of
        the normal distribution before truncation.
      dtype: A floating-point dtype (float16, float32 or float64).
      seed: An int: the op seed (see `tf.set_random_seed`).
      name: Optional name for the operation (default "truncated_normal").

    Returns:
      A `Tensor` of the given shape and dtype, with new values on every run.
    """
    dtype = _float_dtype(dtype, "TruncatedNormal")
    with name_scope(name, "truncated_normal", [shape, mean, stddev]) as scope:
        return _scaled_normal("TruncatedNormal", shape, mean, stddev, dtype, seed, scope)


def _truncated_normal_kernel(
    ctx: Any, shape: np.ndarray, *, dtype: Any, seed: int, seed2: int
) -> np.ndarray:
    generator = _generator(ctx, seed, seed2)
    sample_dtype = _sample_dtype(dtype)
    values = generator.standard_normal(_run_time_shape(shape), dtype=sample_dtype)
    flat = values.reshape(-1)
    outside = np.flatnonzero(np.abs(flat) >= 2.0)
    while outside.size:  # about 4.6% of draws are re-drawn each round
        flat[outside] = generator.standard_normal(outside.size, dtype=sample_dtype)
        outside = outside[np.abs(flat[outside]) >= 2.0]
    return values.astype(dtype.as_numpy_dtype, copy=False)


register_op(OpDef(
    type="TruncatedNormal", inputs=("shape",),
    attrs={"dtype": dtypes.float32, "seed": 0, "seed2": 0},
    shape_fn=_random_shape, kernel=_truncated_normal_kernel, grad_fn=NOT_DIFFERENTIABLE,
    dtype_fn=_random_dtype, stateful=True, value_inputs=("shape",),
))

# ----------------------------------------------------------------------------- RandomUniform


def random_uniform(
    shape: Any,
    minval: Any = 0,
    maxval: Any = None,
    dtype: Any = dtypes.float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Outputs random values from a uniform distribution on [minval, maxval) (`tf.random_uniform`).

    Floats are built as TF builds them, `RandomUniform(shape) * (maxval - minval) + minval`
    with `RandomUniform` on [0, 1); integers come from one `RandomUniformInt` op.

    Args:
      shape: A 1-D integer Tensor or Python list: the shape of the output.
      minval: A scalar of type `dtype`: the lower bound (included).
      maxval: A scalar of type `dtype`: the upper bound (excluded); defaults to 1 for floats
        and is required for integers.
      dtype: float16, float32, float64, int32 or int64.
      seed: An int: the op seed (see `tf.set_random_seed`).
      name: Optional name for the operation (default "random_uniform").

    Returns:
      A `Tensor` of the given shape and dtype, with new values on every run.

    Raises:
      ValueError: For another dtype, or an integer dtype without `maxval`.
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _UNIFORM_DTYPES:
        raise ValueError(f"Invalid dtype {dtype!r}")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape_tensor = _shape_tensor(shape)
        minval = convert_to_tensor(minval, dtype=dtype, name="min")
        maxval = convert_to_tensor(maxval, dtype=dtype, name="max")
        if dtype.is_integer:
            return _random_tensor("RandomUniformInt", [shape_tensor, minval, maxval],
                                  shape_tensor, name=scope, **_seed_attrs(seed))
        rnd = _random_tensor("RandomUniform", [shape_tensor], shape_tensor, dtype=dtype,
                             **_seed_attrs(seed))
        scale = math_ops.subtract(maxval, minval, name="sub")
        return math_ops.add(math_ops.multiply(rnd, scale, name="mul"), minval, name=scope)


def _random_uniform_kernel(
    ctx: Any, shape: np.ndarray, *, dtype: Any, seed: int, seed2: int
) -> np.ndarray:
    generator = _generator(ctx, seed, seed2)
    values = generator.random(_run_time_shape(shape), dtype=_sample_dtype(dtype))
    numpy_dtype = dtype.as_numpy_dtype
    values = values.astype(numpy_dtype, copy=False)
    if numpy_dtype == np.float16:  # rounding to float16 may reach 1.0, which is excluded
        np.minimum(values, np.nextafter(numpy_dtype(1), numpy_dtype(0)), out=values)
    return values


register_op(OpDef(
    type="RandomUniform", inputs=("shape",),
    attrs={"dtype": dtypes.float32, "seed": 0, "seed2": 0},
    shape_fn=_random_shape, kernel=_random_uniform_kernel, grad_fn=NOT_DIFFERENTIABLE,
    dtype_fn=_random_dtype, stateful=True, value_inputs=("shape",),
))

# ----------------------------------------------------------------------------- RandomUniformInt


def _random_uniform_int_shape(
    shape_value: np.ndarray | None, minval: TensorShape, maxval: TensorShape, *,
    seed: int, seed2: int,
) -> TensorShape:
    """The shape given by the `shape` input; `minval` and `maxval` must be scalars."""
    minval.with_rank(0)
    maxval.with_rank(0)
    return _random_shape(shape_value)


def _random_uniform_int_dtype(input_dtypes: list, *, seed: int, seed2: int) -> list:
    """The dtype of `minval` (the wrapper converts `minval` and `maxval` to one dtype)."""
    return [input_dtypes[1]]


def _random_uniform_int_kernel(
    ctx: Any, shape: np.ndarray, minval: np.ndarray, maxval: np.ndarray, *, seed: int,
    seed2: int,
) -> np.ndarray:
    for bound_name, bound in (("minval", minval), ("maxval", maxval)):
        if bound.ndim != 0:
            raise InvalidArgumentError(
                f"{bound_name} must be 0-D, got shape {format_shape(bound.shape)}")
    size = _run_time_shape(shape)
    low, high = minval.item(), maxval.item()
    if not low < high:
        raise InvalidArgumentError(f"Need minval < maxval: {low} >= {high}")
    generator = _generator(ctx, seed, seed2)
    return generator.integers(low, high, size=size, dtype=minval.dtype)


register_op(OpDef(
    type="RandomUniformInt", inputs=("shape", "minval", "maxval"),
    attrs={"seed": 0, "seed2": 0},
    shape_fn=_random_uniform_int_shape, kernel=_random_uniform_int_kernel,
    grad_fn=NOT_DIFFERENTIABLE, dtype_fn=_random_uniform_int_dtype, stateful=True,
    value_inputs=("shape",),
))

# ----------------------------------------------------------------------------- RandomShuffle


def random_shuffle(value: Any, seed: int | None = None, name: str | None = None) -> Tensor:
    """Randomly shuffles a tensor along its first dimension (`tf.random_shuffle`).

    Each slice `value[j]` is moved to exactly one output slot `output[i]`: a permutation of
    the rows, new on every run.

    Args:
      value: A Tensor to shuffle (a scalar is returned unchanged).
      seed: An int: the op seed (see `tf.set_random_seed`).
      name: Optional name for the operation (default "RandomShuffle").

    Returns:
      A `Tensor` of the same shape and dtype as `value`.
    """
    value = convert_to_tensor(value)
    return apply_op("RandomShuffle", [value], name=name, **_seed_attrs(seed))


def _random_shuffle_shape(value: TensorShape, *, seed: int, seed2: int) -> TensorShape:
    """Same shape as the input."""
    return value


def _random_shuffle_kernel(ctx: Any, value: np.ndarray, *, seed: int, seed2: int) -> np.ndarray:
    if value.ndim == 0:
        return value.copy()
    return _generator(ctx, seed, seed2).permutation(value)  # a shuffled copy along axis 0


register_op(OpDef(
    type="RandomShuffle", inputs=("value",), attrs={"seed": 0, "seed2": 0},
    shape_fn=_random_shuffle_shape, kernel=_random_shuffle_kernel, grad_fn=NOT_DIFFERENTIABLE,
    stateful=True,
))
