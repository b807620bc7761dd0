"""Activation functions and the ops their gradients build (part of `tf.nn`).

Counterpart: the activations of tensorflow/python/ops/nn_ops.py. ReluGrad, Relu6Grad, EluGrad
and LeakyReluGrad are ops of their own, as in TF, so the backward graph names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework.apply_op import apply_op, convert_to_tensor
from graphflow.framework.errors import InvalidArgumentError
from graphflow.framework.registry import OpDef, register_op
from graphflow.framework.tensor import Tensor
from graphflow.framework.tensor_shape import TensorShape
from graphflow.kernels import relu_f32
from graphflow.ops import cast_ops, comparison_ops, fill_ops, unary_ops
from graphflow.ops.op_util import (
    FLOAT_TYPES,
    REAL_TYPES,
    binary_inputs,
    check_dtype,
)
from graphflow.ops.shape_util import merge_shapes

__all__ = [
    "elu",
    "leaky_relu",
    "relu",
    "relu6",
    "softplus",
    "softsign",
]

def _unchanged_shape(features: TensorShape, **attrs: Any) -> TensorShape:
    """Elementwise: the output has the input's shape."""
    return features


def _activation(
    op_type: str, features: Any, name: str | None, allowed: Sequence, **attrs: Any
) -> Tensor:
    """Converts `features`, checks its dtype against `allowed`, and applies `op_type`."""
    features = convert_to_tensor(features)
    check_dtype(features, allowed, "features")
    return apply_op(op_type, [features], name=name, **attrs)


# The activation gradients (ReluGrad, Relu6Grad, EluGrad, LeakyReluGrad) are ops of their own,
# as in TF: the backward graph shows them by name, and each has a gradient of its own, so
# second derivatives flow through them. TF1 has their wrappers in gen_nn_ops, not in tf.nn.


def _activation_grad(
    op_type: str, gradients: Any, features: Any, name: str | None, allowed: Sequence,
    **attrs: Any,
) -> Tensor:
    """Converts `gradients` and `features` to one dtype, checks it, and applies `op_type`."""
    gradients, features = binary_inputs(gradients, features)
    check_dtype(gradients, allowed, "gradients")
    return apply_op(op_type, [gradients, features], name=name, **attrs)


def _activation_grad_shape(
    gradients: TensorShape, features: TensorShape, **attrs: Any
) -> TensorShape:
    """Both inputs have one shape, which the output takes."""
    return merge_shapes(gradients, features)


def _check_same_size(gradients: np.ndarray, features: np.ndarray) -> None:
    """The run-time check of TF's activation-gradient kernels."""
    if gradients.shape != features.shape:
        raise InvalidArgumentError("g and a must be the same size")


# ----------------------------------------------------------------------------- Relu


def relu(features: Any, name: str | None = None) -> Tensor:
    """Computes `max(features, 0)` elementwise (`tf.nn.relu`); NaN stays NaN.

    Args:
      features: `Tensor` of a real dtype (float16/32/64 or an integer type).
      name: Optional name for the operation (default "Relu").

    Returns:
      A `Tensor` of the same shape and dtype.
    """
    return _activation("Relu", features, name, REAL_TYPES)


def _relu_kernel(ctx: Any, features: np.ndarray) -> np.ndarray:
    if features.dtype == np.float32:
        return relu_f32(features)
    if features.dtype.kind != "f":
        return np.maximum(features, 0).astype(features.dtype, copy=False)
    # Same rule as the float32 kernel: NaN is kept and -0.0 becomes +0.0.
    keep = (features > 0) | np.isnan(features)
    return np.where(keep, features, features.dtype.type(0))


def _relu_grad(op: Any, grad: Tensor) -> list:
    """d(relu(x))/dx = 1 where relu(x) > 0, else 0 (at x = 0 too): ReluGrad(grad, relu(x))."""
    return [relu_grad(grad, op.outputs[0])]


register_op(OpDef(
    type="Relu", inputs=("features",), attrs={},
    shape_fn=_unchanged_shape, kernel=_relu_kernel, grad_fn=_relu_grad,
))

# ----------------------------------------------------------------------------- ReluGrad


def relu_grad(gradients: Any, features: Any, name: str | None = None) -> Tensor:
    """The gradient of `relu`: `gradients * (features > 0)` (TF1's `gen_nn_ops.relu_grad`).

    Args:
      gradients: `Tensor` of a real dtype: the gradient with respect to relu's output.
      features: `Tensor` of `gradients`' shape and dtype: relu's input or its output (both
        are positive at the same places).
      name: Optional name for the operation (default "ReluGrad").

    Returns:
      A `Tensor` of `gradients`' shape and dtype.
    """
    return _activation_grad("ReluGrad", gradients, features, name, REAL_TYPES)


def _relu_grad_kernel(ctx: Any, gradients: np.ndarray, features: np.ndarray) -> np.ndarray:
    _check_same_size(gradients, features)
    with np.errstate(invalid="ignore"):  # a product, as TF's: inf * (features <= 0) is nan
        return gradients * (features > 0).astype(gradients.dtype)


def _relu_grad_grad(op: Any, grad: Tensor) -> list:
    """Linear in `gradients` with the same mask: ReluGrad(grad, features); features: none."""
    return [relu_grad(grad, op.inputs[1]), None]


register_op(OpDef(
    type="ReluGrad", inputs=("gradients", "features"), attrs={},
    shape_fn=_activation_grad_shape, kernel=_relu_grad_kernel, grad_fn=_relu_grad_grad,
))

# ----------------------------------------------------------------------------- Relu6


def relu6(features: Any, name: str | None = None) -> Tensor:
    """Computes `min(max(features, 0), 6)` elementwise (`tf.nn.relu6`).

    Args:
      features: `Tensor` of a real dtype.
      name: Optional name for the operation (default "Relu6").

    Returns:
      A `Tensor` of the same shape and dtype.
    """
    return _activation("Relu6", features, name, REAL_TYPES)


def _relu6_kernel(ctx: Any, features: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(features, 0), 6).astype(features.dtype, copy=False)


def _relu6_grad(op: Any, grad: Tensor) -> list:
    """d(relu6(x))/dx = 1 where 0 < relu6(x) < 6, else 0: Relu6Grad(grad, relu6(x))."""
    return [relu6_grad(grad, op.outputs[0])]


register_op(OpDef(
    type="Relu6", inputs=("features",), attrs={},
    shape_fn=_unchanged_shape, kernel=_relu6_kernel, grad_fn=_relu6_grad,
))

# ----------------------------------------------------------------------------- Relu6Grad


def relu6_grad(gradients: Any, features: Any, name: str | None = None) -> Tensor:
    """The gradient of `relu6`: `gradients * (0 < features < 6)` (`gen_nn_ops.relu6_grad`).

    Args:
      gradients: `Tensor` of a real dtype: the gradient with respect to relu6's output.
      features: `Tensor` of `gradients`' shape and dtype: relu6's input or its output.
      name: Optional name for the operation (default "Relu6Grad").

    Returns:
      A `Tensor` of `gradients`' shape and dtype.
    """
    return _activation_grad("Relu6Grad", gradients, features, name, REAL_TYPES)


def _relu6_grad_kernel(ctx: Any, gradients: np.ndarray, features: np.ndarray) -> np.ndarray:
    _check_same_size(gradients, features)
    inside = (features > 0) & (features < 6)
    with np.errstate(invalid="ignore"):  # a product, as TF's: inf * 0 is nan
        return gradients * inside.astype(gradients.dtype)


def _relu6_grad_grad(op: Any, grad: Tensor) -> list:
    """Linear in `gradients` with the same mask: Relu6Grad(grad, features); features: none."""
    return [relu6_grad(grad, op.inputs[1]), None]


register_op(OpDef(
    type="Relu6Grad", inputs=("gradients", "features"), attrs={},
    shape_fn=_activation_grad_shape, kernel=_relu6_grad_kernel, grad_fn=_relu6_grad_grad,
))

# ----------------------------------------------------------------------------- Elu


def elu(features: Any, name: str | None = None) -> Tensor:
    """Computes `features` where positive, else `exp(features) - 1` (`tf.nn.elu`).

    Args:
      features: `Tensor`, float16/32/64.
      name: Optional name for the operation (default "Elu").

    Returns:
      A `Tensor` of the same shape and dtype.
    """
    return _activation("Elu", features, name, FLOAT_TYPES)


def _elu_kernel(ctx: Any, features: np.ndarray) -> np.ndarray:
    # expm1 only of the non-positive part: exact near 0 and no overflow for large inputs.
    return np.where(features > 0, features, np.expm1(np.minimum(features, 0)))


def _elu_grad(op: Any, grad: Tensor) -> list:
    """d(elu(x))/dx = elu(x) + 1 (= exp(x)) where x < 0, else 1: EluGrad(grad, elu(x))."""
    return [elu_grad(grad, op.outputs[0])]


register_op(OpDef(
    type="Elu", inputs=("features",), attrs={},
    shape_fn=_unchanged_shape, kernel=_elu_kernel, grad_fn=_elu_grad,
))

# ----------------------------------------------------------------------------- EluGrad


def elu_grad(gradients: Any, outputs: Any, name: str | None = None) -> Tensor:
    """The gradient of `elu`, from its output (TF1's `gen_nn_ops.elu_grad`).

    `gradients * (outputs + 1)` where outputs < 0 (there outputs + 1 = exp(features)), else
    `gradients`.

    Args:
      gradients: `Tensor`, float16/32/64: the gradient with respect to elu's output.
      outputs: `Tensor` of `gradients`' shape and dtype: elu's output (not its input).
      name: Optional name for the operation (default "EluGrad").

    Returns:
      A `Tensor` of `gradients`' shape and dtype.
    """
    return _activation_grad("EluGrad", gradients, outputs, name, FLOAT_TYPES)


def _elu_grad_kernel(ctx: Any, gradients: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    _check_same_size(gradients, outputs)
    return np.where(outputs < 0, (outputs + 1) * gradients, gradients)


def _elu_grad_grad(op: Any, grad: Tensor) -> list:
    """d/d gradients = EluGrad(grad, outputs); d/d outputs = grad * gradients where outputs < 0."""
    gradients, outputs = op.inputs
    return [
        elu_grad(grad, outputs),
        comparison_ops.where(outputs < 0, grad * gradients, fill_ops.zeros_like(outputs)),
    ]


register_op(OpDef(
    type="EluGrad", inputs=("gradients", "outputs"), attrs={},
    shape_fn=_activation_grad_shape, kernel=_elu_grad_kernel, grad_fn=_elu_grad_grad,
))

# ----------------------------------------------------------------------------- LeakyRelu


def leaky_relu(features: Any, alpha: float = 0.2, name: str | None = None) -> Tensor:
    """Computes `features` where positive, else `alpha * features` (`tf.nn.leaky_relu`).

    Args:
      features: `Tensor`, float16/32/64; integer features are cast to float32 first.
      alpha: Slope of the activation for negative inputs.
      name: Optional name for the operation (default "LeakyRelu").

    Returns:
      A `Tensor` of the same shape as `features`, and its dtype if floating, else float32.
    """
    features = convert_to_tensor(features)
    if features.dtype.is_integer:
        features = cast_ops.cast(features, dtypes.float32)
    return _activation("LeakyRelu", features, name, FLOAT_TYPES, alpha=float(alpha))


def _leaky_relu_kernel(ctx: Any, features: np.ndarray, *, alpha: float) -> np.ndarray:
    return np.where(features > 0, features, features * features.dtype.type(alpha))


def _leaky_relu_grad(op: Any, grad: Tensor) -> list:
    """d(leaky_relu(x))/dx = 1 where x > 0, else alpha: LeakyReluGrad(grad, x)."""
    return [leaky_relu_grad(grad, op.inputs[0], alpha=op.get_attr("alpha"))]


register_op(OpDef(
    type="LeakyRelu", inputs=("features",), attrs={"alpha": 0.2},
    shape_fn=_unchanged_shape, kernel=_leaky_relu_kernel, grad_fn=_leaky_relu_grad,
))

# ----------------------------------------------------------------------------- LeakyReluGrad


def leaky_relu_grad(
    gradients: Any, features: Any, alpha: float = 0.2, name: str | None = None
) -> Tensor:
    """The gradient of `leaky_relu`: `gradients` where features > 0, else `alpha * gradients`.

    TF1's `gen_nn_ops.leaky_relu_grad`. The forward op's input is passed as `features`
    (its output has the same sign only for alpha > 0).

    Args:
      gradients: `Tensor`, float16/32/64: the gradient with respect to leaky_relu's output.
      features: `Tensor` of `gradients`' shape and dtype: leaky_relu's input.
      alpha: The slope for negative inputs, as given to `leaky_relu`.
      name: Optional name for the operation (default "LeakyReluGrad").

    Returns:
      A `Tensor` of `gradients`' shape and dtype.
    """
    return _activation_grad(
        "LeakyReluGrad", gradients, features, name, FLOAT_TYPES, alpha=float(alpha))


def _leaky_relu_grad_kernel(
    ctx: Any, gradients: np.ndarray, features: np.ndarray, *, alpha: float
) -> np.ndarray:
    _check_same_size(gradients, features)
    return np.where(features > 0, gradients, gradients * gradients.dtype.type(alpha))


def _leaky_relu_grad_grad(op: Any, grad: Tensor) -> list:
    """Linear in `gradients`: LeakyReluGrad(grad, features); features: none."""
    return [leaky_relu_grad(grad, op.inputs[1], alpha=op.get_attr("alpha")), None]


register_op(OpDef(
    type="LeakyReluGrad", inputs=("gradients", "features"), attrs={"alpha": 0.2},
    shape_fn=_activation_grad_shape, kernel=_leaky_relu_grad_kernel,
    grad_fn=_leaky_relu_grad_grad,
))

# ----------------------------------------------------------------------------- Softplus


def softplus(features: Any, name: str | None = None) -> Tensor:
    """Computes `log(exp(features) + 1)` elementwise, without overflow (`tf.nn.softplus`).

    Args:
      features: `Tensor`, float16/32/64.
      name: Optional name for the operation (default "Softplus").

    Returns:
      A `Tensor` of the same shape and dtype.
    """
    return _activation("Softplus", features, name, FLOAT_TYPES)


def _softplus_kernel(ctx: Any, features: np.ndarray) -> np.ndarray:
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is never positive.
    return np.maximum(features, 0) + np.log1p(np.exp(-np.abs(features)))


def _softplus_grad(op: Any, grad: Tensor) -> list:
    """d(softplus(x))/dx = sigmoid(x) (TF's SoftplusGrad op, written as a composite)."""
    return [grad * unary_ops.sigmoid(op.inputs[0])]


register_op(OpDef(
    type="Softplus", inputs=("features",), attrs={},
    shape_fn=_unchanged_shape, kernel=_softplus_kernel, grad_fn=_softplus_grad,
))

# ----------------------------------------------------------------------------- Softsign


def softsign(features: Any, name: str | None = None) -> Tensor:
    """Computes `features / (abs(features) + 1)` elementwise (`tf.nn.softsign`).

    Args:
      features: `Tensor`, float16/32/64.
      name: Optional name for the operation (default "Softsign").

    Returns:
      A `Tensor` of the same shape and dtype.
    """
    return _activation("Softsign", features, name, FLOAT_TYPES)


def _softsign_kernel(ctx: Any, features: np.ndarray) -> np.ndarray:
    return features / (np.abs(features) + features.dtype.type(1))


def _softsign_grad(op: Any, grad: Tensor) -> list:
    """d(softsign(x))/dx = 1 / (1 + |x|)^2 (TF's SoftsignGrad op, written as a composite)."""
    return [grad / unary_ops.square(unary_ops.abs(op.inputs[0]) + 1)]


register_op(OpDef(
    type="Softsign", inputs=("features",), attrs={},
    shape_fn=_unchanged_shape, kernel=_softsign_kernel, grad_fn=_softsign_grad,
))
