"""State ops: variables and the ops that read and update them (`tf.assign`, ...).

Counterpart: tensorflow/python/ops/state_ops.py. A variable's value lives in the Session
(`ctx.resources`, keyed by the VariableV2 op's name), not in the graph. Update ops take the
variable as a *ref input*: the runtime passes them the variable's key, not its value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework.apply_op import apply_op, convert_to_tensor
from graphflow.framework.errors import (
    FailedPreconditionError,
    InvalidArgumentError,
    format_shape,
)
from graphflow.framework.registry import NOT_DIFFERENTIABLE, OpDef, register_op
from graphflow.framework.tensor import Tensor
from graphflow.framework.tensor_shape import TensorShape, as_shape
from graphflow.ops.shape_util import merge_shapes

__all__ = ["assign", "assign_add", "assign_sub", "is_variable_initialized"]


def _as_ref(ref: Any, op_type: str) -> Tensor:
    """The VariableV2 output that `ref` (a Variable or that output) stands for."""
    if hasattr(ref, "_ref"):
        ref = ref._ref()
    if not isinstance(ref, Tensor) or ref.op.type != "VariableV2":
        raise TypeError(f"Input 'ref' of '{op_type}' Op requires l-value input")
    return ref


def _stored(value: np.ndarray) -> np.ndarray:
    """A read-only private copy of `value`, which may be (a view of) a fed or fetched array."""
    stored = np.array(value, copy=True)
    stored.flags.writeable = False
    return stored


def _current_value(ctx: Any, name: str) -> np.ndarray:
    value = ctx.resources.get(name)
    if value is None:
        raise FailedPreconditionError(f"Attempting to use uninitialized value {name}")
    return value


# ----------------------------------------------------------------------------- VariableV2


def variable_op_v2(
    shape: Any, dtype: Any, container: str = "", shared_name: str = "", name: str | None = None
) -> Tensor:
    """Creates the op that holds a variable's value in each Session (TF's `VariableV2`).

    Most code uses `tf.Variable` or `tf.get_variable`, which also create the initializer.

    Args:
      shape: The static shape of the value (may be unknown when shapes are not validated).
      dtype: The element type.
      container: Ignored (TF's resource container).
      shared_name: Ignored (TF's cross-session sharing name).
      name: Optional name for the operation (default "Variable"); it is also the key of the
        value in the session.

    Returns:
      The variable's output Tensor: reading it gives the current value, or raises
      FailedPreconditionError before the variable is initialized.
    """
    del container, shared_name  # graphflow variables always live in one Session
    return apply_op("VariableV2", [], name=name or "Variable", shape=as_shape(shape),
                    dtype=dtypes.as_dtype(dtype))


def _variable_shape(*, shape: TensorShape, dtype: Any) -> TensorShape:
    """The declared shape."""
    return shape


def _variable_dtype(input_dtypes: list, *, shape: TensorShape, dtype: Any) -> list:
    return [dtype]


def _variable_kernel(ctx: Any, *, shape: TensorShape, dtype: Any) -> np.ndarray:
    return _current_value(ctx, ctx.node_name)  # read-only, so handing it out is safe


register_op(OpDef(
    type="VariableV2", inputs=(), attrs={"shape": TensorShape(None), "dtype": None},
    shape_fn=_variable_shape, kernel=_variable_kernel, grad_fn=NOT_DIFFERENTIABLE,
    dtype_fn=_variable_dtype, stateful=True,
))

# ----------------------------------------------------------------------------- Assign


def assign(
    ref: Any,
    value: Any,
    validate_shape: bool | None = None,
    use_locking: bool | None = None,
    name: str | None = None,
) -> Tensor:
    """Stores `value` in the variable `ref` (`tf.assign`).

    Args:
      ref: A Variable (or a variable's VariableV2 output).
      value: The new value, of `ref`'s dtype.
      validate_shape: If True (the default), `value` must have the variable's shape: a
        mismatch is a ValueError at graph construction, or an InvalidArgumentError at run
        time when the shape is only known then. If False, the variable takes `value`'s shape.
      use_locking: Accepted for compatibility (graphflow updates are whole-array swaps).
      name: Optional name for the operation (default "Assign").

    Returns:
      A Tensor holding the variable's new value once the assignment has run.
    """
    ref = _as_ref(ref, "Assign")
    value = convert_to_tensor(value, dtype=None if isinstance(value, Tensor) else ref.dtype)
    return apply_op(
        "Assign", [ref, value], name=name,
        validate_shape=True if validate_shape is None else bool(validate_shape),
        use_locking=True if use_locking is None else bool(use_locking),
    )


def _assign_shape(
    ref: TensorShape, value: TensorShape, *, validate_shape: bool, use_locking: bool
) -> TensorShape:
    """With `validate_shape`, `value`'s shape merged with the variable's; else `value`'s."""
    return merge_shapes(ref, value) if validate_shape else value


def _assign_kernel(
    ctx: Any, ref: str, value: np.ndarray, *, validate_shape: bool, use_locking: bool
) -> np.ndarray:
    old = ctx.resources.get(ref)
    if validate_shape and old is not None and old.shape != value.shape:
        raise InvalidArgumentError(
            f"Assign requires shapes of both tensors to match. lhs shape= "
            f"{format_shape(old.shape)} rhs shape= {format_shape(value.shape)}"
        )
    stored = _stored(value)
    ctx.resources[ref] = stored
    return stored


register_op(OpDef(
    type="Assign", inputs=("ref", "value"), attrs={"validate_shape": True, "use_locking": True},
    shape_fn=_assign_shape, kernel=_assign_kernel, grad_fn=NOT_DIFFERENTIABLE,
    stateful=True, ref_inputs=("ref",),
))

# ----------------------------------------------------------------------------- AssignAdd


def assign_add(
    ref: Any, value: Any, use_locking: bool | None = None, name: str | None = None
) -> Tensor:
    """Adds `value` to the variable `ref` (`tf.assign_add`): `ref = ref + value`.

    Args:
      ref: An initialized Variable (or its VariableV2 output).
      value: A Tensor of the variable's dtype and shape.
      use_locking: Accepted for compatibility.
      name: Optional name for the operation (default "AssignAdd").

    Returns:
      A Tensor holding the variable's new value once the update has run.
    """
    ref = _as_ref(ref, "AssignAdd")
    value = convert_to_tensor(value, dtype=None if isinstance(value, Tensor) else ref.dtype)
    return apply_op("AssignAdd", [ref, value], name=name, use_locking=bool(use_locking))


def _assign_update_shape(ref: TensorShape, value: TensorShape, *, use_locking: bool) -> TensorShape:
    """The variable's shape, which `value` must match."""
    return merge_shapes(ref, value)


def _updated(ctx: Any, ref: str, value: np.ndarray, update: Any) -> np.ndarray:
    """Replaces the variable `ref` by `update(old, value)` and returns the new value."""
    old = _current_value(ctx, ref)
    if old.shape != value.shape:
        raise InvalidArgumentError(
            f"Cannot update variable with shape {format_shape(old.shape)} using a Tensor with "
            f"shape {format_shape(value.shape)}, shapes must be equal."
        )
    new = np.asarray(update(old, value), dtype=old.dtype)
    new.flags.writeable = False
    ctx.resources[ref] = new
    return new


def _assign_add_kernel(ctx: Any, ref: str, value: np.ndarray, *, use_locking: bool) -> np.ndarray:
    return _updated(ctx, ref, value, np.add)


register_op(OpDef(
    type="AssignAdd", inputs=("ref", "value"), attrs={"use_locking": False},
    shape_fn=_assign_update_shape, kernel=_assign_add_kernel, grad_fn=NOT_DIFFERENTIABLE,
    stateful=True, ref_inputs=("ref",),
))

# ----------------------------------------------------------------------------- AssignSub


def assign_sub(
    ref: Any, value: Any, use_locking: bool | None = None, name: str | None = None
) -> Tensor:
    """Subtracts `value` from the variable `ref` (`tf.assign_sub`): `ref = ref - value`.

    Args:
      ref: An initialized Variable (or its VariableV2 output).
      value: A Tensor of the variable's dtype and shape.
      use_locking: Accepted for compatibility.
      name: Optional name for the operation (default "AssignSub").

    Returns:
      A Tensor holding the variable's new value once the update has run.
    """
    ref = _as_ref(ref, "AssignSub")
    value = convert_to_tensor(value, dtype=None if isinstance(value, Tensor) else ref.dtype)
    return apply_op("AssignSub", [ref, value], name=name, use_locking=bool(use_locking))


def _assign_sub_kernel(ctx: Any, ref: str, value: np.ndarray, *, use_locking: bool) -> np.ndarray:
    return _updated(ctx, ref, value, np.subtract)


register_op(OpDef(
    type="AssignSub", inputs=("ref", "value"), attrs={"use_locking": False},
    shape_fn=_assign_update_shape, kernel=_assign_sub_kernel, grad_fn=NOT_DIFFERENTIABLE,
    stateful=True, ref_inputs=("ref",),
))

# ------------------------------------------------------------------ IsVariableInitialized


def is_variable_initialized(variable: Any, name: str | None = None) -> Tensor:
    """Whether `variable` holds a value in the running session (`tf.is_variable_initialized`).

    Args:
      variable: A Variable (or its VariableV2 output).
      name: Optional name for the operation (default "IsVariableInitialized").

    Returns:
      A scalar bool Tensor.
    """
    ref = _as_ref(variable, "IsVariableInitialized")
    return apply_op("IsVariableInitialized", [ref], name=name)


def _is_variable_initialized_shape(ref: TensorShape) -> TensorShape:
    """A scalar."""
    return TensorShape([])


def _is_variable_initialized_kernel(ctx: Any, ref: str) -> np.ndarray:
    return np.array(ref in ctx.resources)


register_op(OpDef(
    type="IsVariableInitialized", inputs=("ref",), attrs={},
    shape_fn=_is_variable_initialized_shape, kernel=_is_variable_initialized_kernel,
    grad_fn=NOT_DIFFERENTIABLE, dtype_fn=lambda input_dtypes: [dtypes.bool_], stateful=True,
    ref_inputs=("ref",),
))

# ----------------------------------------------------------- ReportUninitializedVariables


def report_uninitialized_variables_op(refs: list[Any], name: str | None = None) -> Tensor:
    """The names of the variables among `refs` that are not initialized, as a 1-D string Tensor.

    TF composes this from IsVariableInitialized, Stack, LogicalNot and BooleanMask; one op
    keeps the state module independent of the masking ops. See
    `tf.report_uninitialized_variables` for the public function.

    Args:
      refs: Variables or their VariableV2 outputs (at least one).
      name: Optional name for the operation (default "ReportUninitializedVariables").

    Returns:
      A 1-D string Tensor of op names (bytes), in the order of `refs`.
    """
    refs = [_as_ref(ref, "ReportUninitializedVariables") for ref in refs]
    return apply_op("ReportUninitializedVariables", refs, name=name)


def _report_uninitialized_shape(*refs: TensorShape) -> TensorShape:
    """A vector of unknown length (it depends on the session)."""
    return TensorShape([None])


def _report_uninitialized_kernel(ctx: Any, *refs: str) -> np.ndarray:
    names = [ref.encode() for ref in refs if ref not in ctx.resources]
    return np.array(names, dtype=object).reshape(len(names))


register_op(OpDef(
    type="ReportUninitializedVariables", inputs=("*refs",), attrs={},
    shape_fn=_report_uninitialized_shape, kernel=_report_uninitialized_kernel,
    grad_fn=NOT_DIFFERENTIABLE, dtype_fn=lambda input_dtypes: [dtypes.string], stateful=True,
    ref_inputs=("refs",),
))
