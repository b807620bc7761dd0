"""Softmax and the losses of `tf.nn`: l2_loss and the cross-entropies with logits.

Counterpart: the softmax and loss parts of tensorflow/python/ops/nn_ops.py and nn_impl.py
(not the higher-level `tf.losses`). The cross-entropies take raw logits and never form
log(softmax) from a rounded softmax, so they stay finite for large logits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphflow.framework.apply_op import apply_op, constant_value, convert_to_tensor
from graphflow.framework.errors import InvalidArgumentError, format_shape
from graphflow.framework.graph import name_scope
from graphflow.framework.registry import OpDef, register_op
from graphflow.framework.tensor import Tensor
from graphflow.framework.tensor_shape import TensorShape
from graphflow.ops import array_ops, math_ops, reduction_ops, shape_ops, unary_ops
from graphflow.ops.activation_ops import softplus
from graphflow.ops.nn_ops import _INDEX_TYPES, _deprecated_argument_lookup
from graphflow.ops.op_util import FLOAT_TYPES, check_dtype

__all__ = [
    "l2_loss",
    "log_softmax",
    "sigmoid_cross_entropy_with_logits",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2",
    "sparse_softmax_cross_entropy_with_logits",
]

# ----------------------------------------------------------------------------- helpers


def _ensure_xent_args(name: str, sentinel: Any, labels: Any, logits: Any) -> None:
    """TF1's cross-entropies take `labels=` and `logits=` by name only (they were once swapped)."""
    if sentinel is not None:
        raise ValueError(f"Only call `{name}` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def _precise(array: np.ndarray) -> np.ndarray:
    """float16 is computed in float32, as TF's wrappers cast it; other dtypes as they are."""
    return array.astype(np.float32) if array.dtype == np.float16 else array


def _axis_error(axis: int, rank: int) -> str:
    """TF's message for a softmax axis outside [-rank, rank)."""
    return (
        f"Dimension ({axis}) must be in the range [{-rank}, {rank}) where {rank} is the "
        "number of dimensions in the input"
    )


def _shifted_logits(logits: np.ndarray, axis: int) -> np.ndarray:
    """`logits - max(logits, axis)`: the largest entry becomes 0, so exp() cannot overflow."""
    if not -logits.ndim <= axis < logits.ndim:
        raise InvalidArgumentError(_axis_error(axis, logits.ndim))
    return logits - np.max(logits, axis=axis, keepdims=True, initial=-np.inf)


def _log_softmax(logits: np.ndarray, axis: int) -> np.ndarray:
    """`logits - log(sum(exp(logits), axis))`, from shifted logits so exp() cannot overflow."""
    shifted = _shifted_logits(logits, axis)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _softmax_backprop(grad: Tensor, softmax: Tensor, axis: int) -> Tensor:
    """The gradient through softmax s = softmax(x) along `axis`: (grad - sum(grad * s)) * s.

    The Jacobian of softmax is diag(s) - s s^T, so its product with `grad` needs no matrix.
    """
    return (grad - reduction_ops.reduce_sum(grad * softmax, axis, keepdims=True)) * softmax


def _is_zero_gradient(grad: Tensor | None) -> bool:
    """Whether `grad` is None or the zeros `tf.gradients` feeds an output no gradient reached.

    TF's IsZero in nn_grad.py: a ZerosLike, or a Const (or a Fill of a Const) of zeros.
    """
    if grad is None:
        return True
    op, tensor = grad.op, grad
    if op.type == "ZerosLike":
        return True
    if op.type == "Fill":
        tensor = op.inputs[1]  # the scalar fill value
    return tensor.op.type == "Const" and not np.any(constant_value(tensor))


# ----------------------------------------------------------------------------- Softmax
# TF's Softmax and LogSoftmax ops work on the last axis, and tf.nn.softmax(axis=k) wraps
# them in two transposes. graphflow's ops take the axis as an attr instead, so no Transpose
# nodes appear; the default (-1) is exactly TF's op.


def softmax(
    logits: Any, axis: int | None = None, name: str | None = None, dim: int | None = None
) -> Tensor:
    """Computes `exp(logits) / sum(exp(logits), axis)` (`tf.nn.softmax`), stably.

    The maximum along `axis` is subtracted first, so logits of 1000 give finite results.

    Args:
      logits: `Tensor` of rank >= 1, float16/32/64.
      axis: The class dimension (default -1, the last).
      name: Optional name for the operation (default "Softmax").
      dim: Deprecated alias of `axis`.

    Returns:
      A `Tensor` of the same shape and dtype, summing to 1 along `axis`.
    """
    axis = _deprecated_argument_lookup("axis", axis, "dim", dim)
    logits = convert_to_tensor(logits)
    check_dtype(logits, FLOAT_TYPES, "logits")
    return apply_op("Softmax", [logits], name=name, axis=-1 if axis is None else int(axis))


def _softmax_family_shape(logits: TensorShape, *, axis: int) -> TensorShape:
    """Unchanged; the rank must be at least 1 and `axis` must index it."""
    logits = logits.with_rank_at_least(1)
    if logits.ndims is not None and not -logits.ndims <= axis < logits.ndims:
        raise ValueError(_axis_error(axis, logits.ndims))
    return logits


def _softmax_kernel(ctx: Any, logits: np.ndarray, *, axis: int) -> np.ndarray:
    exp = np.exp(_shifted_logits(logits, axis))
    return exp / np.sum(exp, axis=axis, keepdims=True)


def _softmax_grad(op: Any, grad: Tensor) -> list:
    """grad_logits = (grad - sum(grad * softmax, axis)) * softmax, from the op's output."""
    return [_softmax_backprop(grad, op.outputs[0], op.get_attr("axis"))]


register_op(OpDef(
    type="Softmax", inputs=("logits",), attrs={"axis": -1},
    shape_fn=_softmax_family_shape, kernel=_softmax_kernel, grad_fn=_softmax_grad,
))

# ----------------------------------------------------------------------------- LogSoftmax


def log_softmax(
    logits: Any, axis: int | None = None, name: str | None = None, dim: int | None = None
) -> Tensor:
    """Computes `logits - log(sum(exp(logits), axis))` (`tf.nn.log_softmax`), stably.

    Args:
      logits: `Tensor` of rank >= 1, float16/32/64.
      axis: The class dimension (default -1, the last).
      name: Optional name for the operation (default "LogSoftmax").
      dim: Deprecated alias of `axis`.

    Returns:
      A `Tensor` of the same shape and dtype.
    """
    axis = _deprecated_argument_lookup("axis", axis, "dim", dim)
    logits = convert_to_tensor(logits)
    check_dtype(logits, FLOAT_TYPES, "logits")
    return apply_op("LogSoftmax", [logits], name=name, axis=-1 if axis is None else int(axis))


def _log_softmax_kernel(ctx: Any, logits: np.ndarray, *, axis: int) -> np.ndarray:
    return _log_softmax(logits, axis)


def _log_softmax_grad(op: Any, grad: Tensor) -> list:
    """grad_logits = grad - sum(grad, axis) * softmax, with softmax = exp(log_softmax)."""
    axis = op.get_attr("axis")
    softmax = unary_ops.exp(op.outputs[0])
    return [grad - reduction_ops.reduce_sum(grad, axis, keepdims=True) * softmax]


register_op(OpDef(
    type="LogSoftmax", inputs=("logits",), attrs={"axis": -1},
    shape_fn=_softmax_family_shape, kernel=_log_softmax_kernel, grad_fn=_log_softmax_grad,
))

# ----------------------------------------------------------------------------- L2Loss


def l2_loss(t: Any, name: str | None = None) -> Tensor:
    """Computes `sum(t ** 2) / 2` (`tf.nn.l2_loss`), the usual weight-decay term.

    Args:
      t: `Tensor` of any shape, float16/32/64.
      name: Optional name for the operation (default "L2Loss").

    Returns:
      A scalar `Tensor` of `t`'s dtype.
    """
    t = convert_to_tensor(t)
    check_dtype(t, FLOAT_TYPES, "t")
    return apply_op("L2Loss", [t], name=name)


def _l2_loss_shape(t: TensorShape) -> TensorShape:
    """Any shape -> []."""
    return TensorShape([])


def _l2_loss_kernel(ctx: Any, t: np.ndarray) -> np.ndarray:
    # A dot product of t with itself: one pass and no temporary, where sum(square(t)) makes
    # two; it is the regularizer of every weight matrix, run every training step.
    flat = np.ravel(_precise(t))
    return np.asarray(np.dot(flat, flat) / 2, dtype=t.dtype)


def _l2_loss_grad(op: Any, grad: Tensor) -> list:
    """d(sum(t^2) / 2)/dt = t, times the scalar grad."""
    return [op.inputs[0] * grad]


register_op(OpDef(
    type="L2Loss", inputs=("t",), attrs={},
    shape_fn=_l2_loss_shape, kernel=_l2_loss_kernel, grad_fn=_l2_loss_grad,
))

# -------------------------------------------------------------------- SoftmaxCrossEntropyWithLogits
# TF's op takes [batch, classes] and its wrapper reshapes and transposes other inputs to
# that; graphflow's op takes any rank and the class axis as an attr, so it needs neither.


def softmax_cross_entropy_with_logits_v2(
    _sentinel: Any = None,
    labels: Any = None,
    logits: Any = None,
    dim: int = -1,
    name: str | None = None,
) -> Tensor:
    """Cross-entropy between `labels` and softmax(`logits`) along `dim`.

    loss = -sum(labels * log_softmax(logits), dim), computed without forming softmax, so
    it stays finite for large logits. Gradients flow into both labels and logits.

    Args:
      _sentinel: Catches positional arguments: pass `labels=` and `logits=` by name.
      labels: `Tensor` of `logits`' shape; each slice along `dim` is a distribution.
      logits: `Tensor` of rank >= 1, float16/32/64: unnormalized log-probabilities.
      dim: The class dimension (default -1, the last).
      name: Optional name (default "softmax_cross_entropy_with_logits").

    Returns:
      A `Tensor` of `logits`' shape without `dim`, of `logits`' dtype.

    Raises:
      ValueError: If called with positional arguments or without labels or logits.
    """
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        check_dtype(logits, FLOAT_TYPES, "features")
        if not isinstance(labels, Tensor):
            labels = convert_to_tensor(labels, dtype=logits.dtype, name="labels")
        loss, _ = apply_op(
            "SoftmaxCrossEntropyWithLogits", [logits, labels], name=scope, axis=int(dim))
        return loss


def softmax_cross_entropy_with_logits(
    _sentinel: Any = None,
    labels: Any = None,
    logits: Any = None,
    dim: int = -1,
    name: str | None = None,
) -> Tensor:
    """Like `softmax_cross_entropy_with_logits_v2`, but no gradient reaches `labels` (TF1).

    Args:
      _sentinel: Catches positional arguments: pass `labels=` and `logits=` by name.
      labels: `Tensor` of `logits`' shape; each slice along `dim` is a distribution.
      logits: `Tensor` of rank >= 1, float16/32/64.
      dim: The class dimension (default -1, the last).
      name: Optional name (default "softmax_cross_entropy_with_logits_sg").

    Returns:
      A `Tensor` of `logits`' shape without `dim`.
    """
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        if not isinstance(labels, Tensor):
            labels = convert_to_tensor(labels, dtype=logits.dtype, name="labels")
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        return softmax_cross_entropy_with_logits_v2(
            labels=labels, logits=logits, dim=dim, name=scope)


def _softmax_xent_shape(
    features: TensorShape, labels: TensorShape, *, axis: int
) -> tuple[TensorShape, TensorShape]:
    """[..., classes, ...] twice -> loss (without the class `axis`) and backprop (unchanged)."""
    shape = features.merge_with(labels).with_rank_at_least(1)
    if shape.ndims is None:
        return TensorShape(None), shape
    if not -shape.ndims <= axis < shape.ndims:
        raise ValueError(_axis_error(axis, shape.ndims))
    loss_dims = list(shape.dims)
    del loss_dims[axis]
    return TensorShape(loss_dims), shape


def _softmax_xent_kernel(
    ctx: Any, features: np.ndarray, labels: np.ndarray, *, axis: int
) -> tuple[np.ndarray, np.ndarray]:
    if features.shape != labels.shape:
        raise InvalidArgumentError(
            f"logits and labels must be same size: logits_size={format_shape(features.shape)} "
            f"labels_size={format_shape(labels.shape)}"
        )
    log_probabilities = _log_softmax(_precise(features), axis)
    labels = _precise(labels)
    loss = -np.sum(labels * log_probabilities, axis=axis)
    backprop = np.exp(log_probabilities) - labels  # d loss / d features
    return np.asarray(loss, dtype=features.dtype), backprop.astype(features.dtype, copy=False)


def _softmax_xent_grad(op: Any, grad_loss: Tensor, grad_backprop: Tensor) -> list:
    """grad_features = grad_loss * backprop; grad_labels = grad_loss * -log_softmax(features).

    backprop = softmax(features) - labels is the op's second output. A gradient reaching it
    (second derivatives) adds its own: the softmax backprop of grad_backprop for the
    features, and -grad_backprop for the labels (a term TF leaves out).
    """
    features = op.inputs[0]
    axis = op.get_attr("axis")
    grad_loss = shape_ops.expand_dims(grad_loss, axis)  # [..., 1, ...]: the class axis back
    grad_features = grad_loss * op.outputs[1]
    grad_labels = grad_loss * -log_softmax(features, axis=axis)
    if not _is_zero_gradient(grad_backprop):
        grad_features += _softmax_backprop(grad_backprop, softmax(features, axis=axis), axis)
        grad_labels -= grad_backprop
    return [grad_features, grad_labels]


register_op(OpDef(
    type="SoftmaxCrossEntropyWithLogits", inputs=("features", "labels"), attrs={"axis": -1},
    shape_fn=_softmax_xent_shape, kernel=_softmax_xent_kernel,
    grad_fn=_softmax_xent_grad, num_outputs=2,
))

# -------------------------------------------------------------- SparseSoftmaxCrossEntropyWithLogits


def sparse_softmax_cross_entropy_with_logits(
    _sentinel: Any = None,
    labels: Any = None,
    logits: Any = None,
    name: str | None = None,
) -> Tensor:
    """Cross-entropy between integer class `labels` and softmax(`logits`) over the last axis.

    loss[i] = log(sum(exp(logits[i]))) - logits[i, labels[i]], computed stably.

    Args:
      _sentinel: Catches positional arguments: pass `labels=` and `logits=` by name.
      labels: int32 or int64 `Tensor` of `logits`' shape without its last dimension, with
        values in [0, classes); others are an InvalidArgumentError at run time.
      logits: `Tensor` [..., classes], float16/32/64.
      name: Optional name (default "SparseSoftmaxCrossEntropyWithLogits").

    Returns:
      A `Tensor` of `labels`' shape and `logits`' dtype.

    Raises:
      ValueError: For positional arguments, a scalar `logits`, or mismatched static shapes.
    """
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        check_dtype(logits, FLOAT_TYPES, "features")
        check_dtype(labels, _INDEX_TYPES, "labels")
        _check_sparse_shapes(labels.shape, logits.shape)
        loss, _ = apply_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels], name=name)
        return loss


def _check_sparse_shapes(labels: TensorShape, logits: TensorShape) -> None:
    """TF's wrapper checks: rank(labels) == rank(logits) - 1, and equal leading dims."""
    if logits.ndims == 0:
        raise ValueError(f"Logits cannot be scalars - received shape {logits}.")
    if logits.ndims is not None and labels.ndims is not None and labels.ndims != logits.ndims - 1:
        raise ValueError(
            f"Rank mismatch: Rank of labels (received {labels.ndims}) should equal rank of "
            f"logits minus 1 (received {logits.ndims})."
        )
    if labels.is_fully_defined() and logits[:-1].is_fully_defined() and labels != logits[:-1]:
        raise ValueError(
            f"Shape mismatch: The shape of labels (received {labels}) should equal the shape "
            f"of logits except for the last dimension (received {logits})."
        )


def _sparse_softmax_xent_shape(
    features: TensorShape, labels: TensorShape
) -> tuple[TensorShape, TensorShape]:
    """Features [..., classes] and labels [...] -> loss [...] and backprop [..., classes]."""
    features = features.with_rank_at_least(1)
    if features.ndims is None:
        return labels, labels.concatenate([None])
    batch = features[:-1].merge_with(labels)
    return batch, batch.concatenate([features.dims[-1]])


def _sparse_softmax_xent_dtype(input_dtypes: list) -> list:
    return [input_dtypes[0], input_dtypes[0]]


def _sparse_softmax_xent_kernel(
    ctx: Any, features: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if features.ndim < 1 or labels.shape != features.shape[:-1]:
        raise InvalidArgumentError(
            "logits and labels must have the same first dimension, got logits shape "
            f"{format_shape(features.shape)} and labels shape {format_shape(labels.shape)}"
        )
    num_classes = features.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad_label = labels.min() if labels.min() < 0 else labels.max()
        raise InvalidArgumentError(
            f"Received a label value of {bad_label} which is outside the valid range of "
            f"[0, {num_classes}).  Label values: {' '.join(str(v) for v in labels.ravel())}"
        )
    log_probabilities = _log_softmax(_precise(features), -1)
    # picked: [...] = log_probabilities[..., labels[...]]
    index = labels[..., np.newaxis].astype(np.intp)
    picked = np.take_along_axis(log_probabilities, index, axis=-1)[..., 0]
    backprop = np.exp(log_probabilities)  # softmax - one_hot(labels): d loss / d features
    np.put_along_axis(backprop, index, np.take_along_axis(backprop, index, axis=-1) - 1, axis=-1)
    return np.asarray(-picked, dtype=features.dtype), backprop.astype(features.dtype, copy=False)


def _sparse_softmax_xent_grad(op: Any, grad_loss: Tensor, grad_backprop: Tensor) -> list:
    """grad_features = grad_loss[..., None] * backprop; the integer labels get none.

    backprop = softmax(features) - one_hot(labels) is the op's second output. A gradient
    reaching it (second derivatives, which TF refuses) adds its softmax backprop.
    """
    features = op.inputs[0]
    grad_features = shape_ops.expand_dims(grad_loss, -1) * op.outputs[1]
    if not _is_zero_gradient(grad_backprop):
        grad_features += _softmax_backprop(grad_backprop, softmax(features), -1)
    return [grad_features, None]


register_op(OpDef(
    type="SparseSoftmaxCrossEntropyWithLogits", inputs=("features", "labels"), attrs={},
    shape_fn=_sparse_softmax_xent_shape, kernel=_sparse_softmax_xent_kernel,
    grad_fn=_sparse_softmax_xent_grad, dtype_fn=_sparse_softmax_xent_dtype, num_outputs=2,
))

# ---------------------------------------------------------------- sigmoid_cross_entropy_with_logits


def sigmoid_cross_entropy_with_logits(
    _sentinel: Any = None,
    labels: Any = None,
    logits: Any = None,
    name: str | None = None,
) -> Tensor:
    """Elementwise logistic loss of `logits` against targets `labels` in [0, 1].

    loss = -z*log(sigmoid(x)) - (1-z)*log(1-sigmoid(x)) = max(x, 0) - x*z + log(1 + exp(-|x|))
    for x = logits, z = labels. A composite: `softplus(x) - x*z`, where the Softplus op
    computes max(x, 0) + log(1 + exp(-|x|)), so no exp() overflows.

    Args:
      _sentinel: Catches positional arguments: pass `labels=` and `logits=` by name.
      labels: `Tensor` of `logits`' shape and dtype.
      logits: `Tensor`, float16/32/64.
      name: Optional name (default "logistic_loss").

    Returns:
      A `Tensor` of `logits`' shape and dtype.

    Raises:
      ValueError: For positional arguments or if the shapes of labels and logits differ.
    """
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        check_dtype(logits, FLOAT_TYPES, "features")
        if not isinstance(labels, Tensor):
            labels = convert_to_tensor(labels, dtype=logits.dtype, name="labels")
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(
                f"logits and labels must have the same shape ({logits.shape} vs {labels.shape})"
            )
        return math_ops.subtract(softplus(logits), logits * labels, name=scope)

