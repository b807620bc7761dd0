"""Helpers shared by the op families; defines no ops.

Allowed dtype lists, dtype checks, binary-op input conversion, broadcasting shape functions
and the broadcasting kernel. Counterpart: the type lists of TF's op definitions and helpers
of math_ops.py, kept below every op family so that any family (and any gradient) can use
them without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework.apply_op import apply_op, convert_to_tensor
from graphflow.framework.errors import InvalidArgumentError, format_shape
from graphflow.framework.tensor import Tensor
from graphflow.framework.tensor_shape import TensorShape, broadcast_shape

__all__: list[str] = []

# The dtypes each op accepts: TF's OpDef type lists, restricted to graphflow's dtypes and
# listed in the order the "not in list of allowed values" message prints them.
FLOAT_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64)
SIGNED_TYPES = (*FLOAT_TYPES, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64)
REAL_TYPES = (*SIGNED_TYPES, dtypes.uint8, dtypes.uint16)  # TF's realnumbertype
INT32_64_FLOAT_TYPES = (*FLOAT_TYPES, dtypes.int32, dtypes.int64)
ADD_TYPES = (*SIGNED_TYPES, dtypes.uint8, dtypes.string)
BOOL_TYPES = (dtypes.bool_,)


def check_dtype(tensor: Tensor, allowed: Sequence[Any], param: str = "x") -> None:
    """Raises TF's TypeError when `tensor`'s dtype is not in the op's `allowed` list.

    Input dtypes are checked here, in the wrapper, before `apply_op`, which then checks that
    the inputs agree with each other ("Input 'y' of 'Add' Op has type ...").
    """
    if tensor.dtype not in allowed:
        names = ", ".join(dtype.name for dtype in allowed)
        raise TypeError(
            f"Value passed to parameter '{param}' has DataType {tensor.dtype.name} not in list "
            f"of allowed values: {names}"
        )


def _is_tensor_like(value: Any) -> bool:
    """True for Tensors and for objects that stand for one (a Variable)."""
    return isinstance(value, Tensor) or hasattr(value, "_as_graph_element")


def binary_inputs(x: Any, y: Any) -> tuple[Tensor, Tensor]:
    """Converts `x` and `y` to Tensors, giving a plain value the other operand's dtype.

    As in TF's op_def_library, a plain value (Python number, list, NumPy value) takes the
    dtype of a tensor operand; when both are plain, `y` takes the dtype inferred for `x`.
    """
    if _is_tensor_like(x) or not _is_tensor_like(y):
        x = convert_to_tensor(x)
        return x, convert_to_tensor(y, dtype=None if _is_tensor_like(y) else x.dtype)
    y = convert_to_tensor(y)
    return convert_to_tensor(x, dtype=y.dtype), y


def binary_op(op_type: str, x: Any, y: Any, allowed: Sequence[Any], name: str | None) -> Tensor:
    """Converts the operands, checks the dtype and creates a broadcasting binary op."""
    x, y = binary_inputs(x, y)
    check_dtype(x, allowed)
    return apply_op(op_type, [x, y], name=name)


def unary_op(op_type: str, x: Any, allowed: Sequence[Any], name: str | None) -> Tensor:
    """Converts the operand, checks the dtype and creates an elementwise unary op."""
    x = convert_to_tensor(x)
    check_dtype(x, allowed)
    return apply_op(op_type, [x], name=name)


def broadcast_shape_fn(x: TensorShape, y: TensorShape) -> TensorShape:
    """NumPy broadcasting of the two input shapes."""
    return broadcast_shape(x, y)


def unary_shape_fn(x: TensorShape) -> TensorShape:
    """Same shape as the input."""
    return x


def _incompatible_shapes(x: np.ndarray, y: np.ndarray) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"Incompatible shapes: {format_shape(np.shape(x))} vs. {format_shape(np.shape(y))}"
    )


def check_broadcastable(x: np.ndarray, y: np.ndarray) -> None:
    """Raises TF's InvalidArgumentError when run-time shapes cannot broadcast."""
    if x.shape != y.shape:
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise _incompatible_shapes(x, y) from None


def broadcasting_kernel(ufunc: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """The kernel of a binary op that is exactly the NumPy ufunc `ufunc`.

    Shapes are checked only when NumPy refuses them, so the common case pays nothing
    beyond the ufunc call (these are the ops of the per-op overhead benchmark).
    """

    def kernel(ctx: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        try:
            return ufunc(x, y)
        except ValueError:
            raise _incompatible_shapes(x, y) from None

    kernel.__name__ = kernel.__qualname__ = f"{ufunc.__name__}_kernel"
    return kernel
