"""Turning `Session.run` arguments into flat lists, and results back into their structure.

Counterpart: the FetchMapper classes and feed handling of tensorflow/python/client/session.py.
A fetch may be a Tensor, an Operation, a name, or any nesting of list/tuple/namedtuple/dict of
them; the result of `run` has the same structure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from graphflow.framework.tensor import Operation, Tensor

Rebuild = Callable[[list[Any]], Any]


def flatten_fetches(graph: Any, fetches: Any, elements: list[Any]) -> Rebuild:
    """Appends the graph elements of `fetches` to `elements`; returns the structure rebuilder.

    Raises:
      TypeError: For a fetch of a type that is not a graph element or a structure of them.
      ValueError: For a fetch from another graph.
    """
    if isinstance(fetches, (list, tuple)):
        builders = [flatten_fetches(graph, item, elements) for item in fetches]
        if isinstance(fetches, tuple) and hasattr(fetches, "_fields"):
            kind = type(fetches)
            return lambda values: kind(*[build(values) for build in builders])
        kind = type(fetches)
        return lambda values: kind(build(values) for build in builders)
    if isinstance(fetches, Mapping):
        keys = list(fetches)
        builders = [flatten_fetches(graph, fetches[key], elements) for key in keys]
        kind = type(fetches)
        return lambda values: kind(zip(keys, [build(values) for build in builders], strict=True))
    element = as_fetch_element(graph, fetches)
    index = len(elements)
    elements.append(element)
    return lambda values: values[index]


def as_fetch_element(graph: Any, fetch: Any) -> Any:
    """The Tensor or Operation of the graph that `fetch` names."""
    if fetch is None:
        raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}")
    try:
        return graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
    except TypeError as error:
        raise TypeError(
            f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a string or "
            f"Tensor. ({error})"
        ) from None
    except ValueError as error:
        raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. "
                         f"({error})") from None
    except KeyError as error:
        raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. "
                         f"({error.args[0]})") from None


def as_feed_tensor(graph: Any, key: Any) -> Tensor:
    """The Tensor that a feed_dict key (a Tensor, a name or a Variable) stands for."""
    try:
        element = graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
    except (KeyError, ValueError) as error:
        message = error.args[0] if error.args else str(error)
        raise ValueError(f"Cannot interpret feed_dict key as Tensor: {message}") from None
    except TypeError:
        raise TypeError(
            f"Cannot interpret feed_dict key as Tensor: Can not convert a "
            f"{type(key).__name__} into a Tensor."
        ) from None
    return element


def feed_array(tensor: Tensor, value: Any) -> np.ndarray:
    """`value` as an ndarray of `tensor`'s dtype, checked against its static shape.

    Raises:
      TypeError: If the value cannot be converted to the tensor's dtype.
      ValueError: If its shape does not fit the tensor's static shape, in TF's words.
    """
    if isinstance(value, Tensor):
        raise TypeError(
            "The value of a feed cannot be a tf.Tensor object. Acceptable feed values include "
            "Python scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, "
            f"the tensor object was {value!r} which was passed to the feed with key {tensor!r}."
        )
    numpy_dtype = tensor._dtype.as_numpy_dtype
    dims = tensor._shape._dims
    if type(value) is np.ndarray and value.dtype.type is numpy_dtype:
        if dims is not None and not _fits(value.shape, dims):
            raise _shape_error(tensor, value.shape)
        return value
    try:
        array = np.asarray(value, dtype=numpy_dtype)
    except OverflowError:
        array = np.asarray(value)  # an int too large for the dtype: reported just below
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"Cannot feed value {_short(value)} for Tensor '{tensor.name}' of dtype "
            f"{tensor.dtype.name}: {error}"
        ) from None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and (
        array.dtype != numpy_dtype or array != value
    ):
        raise TypeError(
            f"Type of feed value {value} with type {type(value)} is not compatible with Tensor "
            f"type {tensor.dtype!r}. Try explicitly setting the type of the feed tensor to a "
            "larger type (e.g. int64)."
        )
    if dims is not None and not _fits(array.shape, dims):
        raise _shape_error(tensor, array.shape)
    return array


def _shape_error(tensor: Tensor, shape: tuple[int, ...]) -> ValueError:
    return ValueError(
        f"Cannot feed value of shape {shape} for Tensor '{tensor.name}', "
        f"which has shape '{tensor._shape}'"
    )


def _fits(shape: tuple[int, ...], dims: list[Any]) -> bool:
    if len(shape) != len(dims):
        return False
    for size, dim in zip(shape, dims, strict=True):
        if dim._value is not None and dim._value != size:
            return False
    return True


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def fetch_result(value: Any, feed_values: Sequence[Any] = ()) -> Any:
    """A fetched value as the caller gets it: 0-d arrays as NumPy scalars, shared arrays copied.

    Arrays that the graph or session owns (constants, variable values) are read-only; the
    caller gets a writable copy so that changing it cannot change the session. A fetch that
    is a feed, or a view of one (Identity and Reshape kernels return their input's memory),
    is copied too, as TF returns fresh arrays: changing it must not change the fed array.
    """
    if type(value) is np.ndarray:
        if value.ndim == 0:
            return value[()]
        if not value.flags.writeable or (feed_values and _views_a_feed(value, feed_values)):
            return value.copy()
    return value


def _views_a_feed(value: np.ndarray, feed_values: Sequence[Any]) -> bool:
    """Whether `value` shares a memory owner with a fed array (NumPy points `base` at it)."""
    owner = value if value.base is None else value.base
    return any(owner is (feed if feed.base is None else feed.base) for feed in feed_values)


def is_operation(element: Any) -> bool:
    """True for an Operation fetch (whose result is None)."""
    return isinstance(element, Operation)
