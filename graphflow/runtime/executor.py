"""Running a compiled Plan: call each bound kernel in order, passing values through slots.

Counterpart: tensorflow/core/common_runtime/executor.cc. This executor runs the plan's steps
in one thread, in the plan's order; the multi-threaded scheduler replaces it behind the same
`execute(plan, feed_values)` interface. It is the only place that attaches the failing node
to an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphflow.framework.errors import (
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    OpError,
    ResourceExhaustedError,
)
from graphflow.runtime.plan import Plan


def execute(plan: Plan, feed_values: Sequence[Any]) -> list[Any]:
    """Runs `plan` with `feed_values` (one per feed slot) and returns the fetched values.

    Raises:
      OpError: The first failing kernel's error, with its node attached.
    """
    slots = plan.template.copy()
    for slot, value in zip(plan.feed_slots, feed_values, strict=True):
        slots[slot] = value
    op = None
    try:
        # The hot loop: one kernel call per op, nothing else.
        # `op` is read by the except clauses below: it names the step that failed.
        for op, kernel, context, get_inputs, output in plan.steps:  # noqa: B007
            slots[output] = kernel(context, *get_inputs(slots))
    except OpError as error:
        raise error.with_op(_blamed_op(plan, op, error)) from error
    except Exception as error:
        raise _as_op_error(error, op) from error
    return [None if slot is None else slots[slot] for slot in plan.fetch_slots]


def _blamed_op(plan: Plan, op: Any, error: OpError) -> Any:
    """The node TF's message names for `error`, raised by the kernel of `op`.

    An uninitialized variable is the one case where that is not `op`. graphflow's VariableV2
    kernel hands out the value and so fails itself; TF's hands out a reference, and the op
    that reads it fails: normally `<variable>/read`, the Identity behind `Variable.value()`.
    So the first planned op that takes the variable as a value (not as a ref) is named.
    """
    if op.type != "VariableV2" or not isinstance(error, FailedPreconditionError):
        return op
    variable = op.outputs[0]
    for reader in plan.ops:
        refs = reader.op_def.input_positions(reader.op_def.ref_inputs, len(reader.inputs))
        if any(t is variable and i not in refs for i, t in enumerate(reader.inputs)):
            return reader
    return op


def _as_op_error(error: Exception, op: Any) -> OpError:
    """Wraps an exception a kernel did not anticipate, so no raw NumPy traceback escapes."""
    if isinstance(error, MemoryError):
        return ResourceExhaustedError(f"OOM when running {op.type}: {error}", op)
    if isinstance(error, (ValueError, IndexError, TypeError, ArithmeticError)):
        return InvalidArgumentError(f"{op.type} failed: {error}", op)
    return InternalError(f"{op.type} raised {type(error).__name__}: {error}", op)
