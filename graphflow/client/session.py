"""Session: the object that runs a graph, and holds the values of its variables.

Counterpart: tensorflow/python/client/session.py. `run` turns its arguments into a signature
(fetched elements, fed tensors), compiles that signature into a Plan once (runtime/plan.py),
and replays the Plan on every later call (runtime/executor.py).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from graphflow.client import fetches as fetches_lib
from graphflow.framework import default_session
from graphflow.framework.graph import Graph, get_default_graph
from graphflow.framework.tensor import Operation
from graphflow.runtime.context import SessionState
from graphflow.runtime.executor import execute
from graphflow.runtime.plan import Plan, compile_plan


class ConfigProto:
    """Session options (`tf.ConfigProto`); graphflow reads the thread counts.

    Args:
      intra_op_parallelism_threads: Threads one kernel may use (0: one per core).
      inter_op_parallelism_threads: Threads that run independent ops (0: one per core).
      **options: Other TF options (allow_soft_placement, log_device_placement, ...) are kept
        as attributes and otherwise ignored: graphflow has only the CPU.
    """

    def __init__(
        self, intra_op_parallelism_threads: int = 0, inter_op_parallelism_threads: int = 0,
        **options: Any,
    ):
        self.intra_op_parallelism_threads = intra_op_parallelism_threads
        self.inter_op_parallelism_threads = inter_op_parallelism_threads
        for key, value in options.items():
            setattr(self, key, value)


class RunOptions:
    """Per-call options (`tf.RunOptions`); `trace_level` is recorded for tracing."""

    NO_TRACE = 0
    SOFTWARE_TRACE = 1
    HARDWARE_TRACE = 2
    FULL_TRACE = 3

    def __init__(self, trace_level: int = 0, **options: Any):
        self.trace_level = trace_level
        for key, value in options.items():
            setattr(self, key, value)


class RunMetadata:
    """Per-call output (`tf.RunMetadata`): filled with step statistics when tracing."""

    def __init__(self) -> None:
        self.step_stats = None


def _default_thread_count(configured: int) -> int:
    if configured and configured > 0:
        return configured
    from_env = os.environ.get("GRAPHFLOW_NUM_THREADS")
    if from_env and from_env.isdigit() and int(from_env) > 0:
        return int(from_env)
    return os.cpu_count() or 1


class Session:
    """A connection to the runtime that evaluates Tensors and runs Operations of one graph.

    Variables live in the session, not in the graph: two sessions on the same graph hold
    separate variable values. Use it as a context manager, which also makes it the default
    session for `Tensor.eval()`:

        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run([loss, accuracy], feed_dict={x: batch_x, y: batch_y}))
    """

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None):
        if target:
            raise ValueError(f"graphflow runs in-process only; target must be '', got {target!r}")
        self._graph = graph if graph is not None else get_default_graph()
        self._config = config if config is not None else ConfigProto()
        threads = _default_thread_count(self._config.intra_op_parallelism_threads)
        self._state = SessionState(intra_op_threads=threads)
        self._plans: dict[tuple, tuple[Plan, list]] = {}  # guarded by self._lock
        self._lock = threading.Lock()
        self._closed = False
        self._context_stack: list[Any] = []

    @property
    def graph(self) -> Graph:
        """The graph this session runs."""
        return self._graph

    @property
    def sess_str(self) -> str:
        """The target string ('' for in-process)."""
        return ""

    def run(
        self, fetches: Any, feed_dict: Any = None, options: Any = None, run_metadata: Any = None
    ) -> Any:
        """Runs the ops needed to compute `fetches`, with `feed_dict` substituted, and returns them.

        `fetches` may be a Tensor, an Operation (its result is None), a tensor or op name, or
        a nesting of lists, tuples, namedtuples and dicts of these; the result has the same
        structure. Only the subgraph that the fetches need runs.

            a_val, (b_val, _) = sess.run([a, (b, train_op)], feed_dict={x: data, "y:0": 3.0})

        Raises:
          RuntimeError: If the session is closed.
          TypeError, ValueError: For bad fetches or feeds, naming the tensor.
          OpError: If an op fails while running, naming the node.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        elements: list[Any] = []
        rebuild = fetches_lib.flatten_fetches(self._graph, fetches, elements)
        feed_tensors, feed_values = self._feeds(feed_dict)
        plan = self._plan(elements, feed_tensors)
        results = execute(plan, feed_values)
        return rebuild([fetches_lib.fetch_result(v, feed_values) for v in results])

    def _feeds(self, feed_dict: Any) -> tuple[tuple, list]:
        if not feed_dict:
            return (), []
        tensors, values = [], []
        for key, value in feed_dict.items():
            tensor = fetches_lib.as_feed_tensor(self._graph, key)
            tensors.append(tensor)
            values.append(fetches_lib.feed_array(tensor, value))
        return tuple(tensors), values

    def _plan(self, elements: list[Any], feed_tensors: tuple) -> Plan:
        key = (tuple(elements), feed_tensors)
        plan = self._plans.get(key)
        if plan is None:
            fetch_tensors = [e for e in elements if not isinstance(e, Operation)]
            targets = [e for e in elements if isinstance(e, Operation)]
            plan = compile_plan(fetch_tensors, targets, feed_tensors, self._state)
            # Give op fetches a None slot so results line up with `elements` again.
            slots = iter(plan.fetch_slots)
            plan.fetch_slots = [None if isinstance(e, Operation) else next(slots)
                                for e in elements]
            with self._lock:
                self._plans[key] = plan
        return plan

    def close(self) -> None:
        """Frees the session's variables; later calls to `run` raise RuntimeError."""
        self._closed = True
        self._plans.clear()
        self._state.resources.clear()
        default_session.remove(self)

    def as_default(self) -> Any:
        """A context manager that makes this the default session for `eval()` and `run()`."""
        return default_session.default_session(self)

    def list_devices(self) -> list[str]:
        """The devices of this session: graphflow runs everything on the CPU."""
        return ["/job:localhost/replica:0/task:0/device:CPU:0"]

    def __enter__(self) -> Session:
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        graph_context = self._graph.as_default()
        session_context = self.as_default()
        graph_context.__enter__()
        session_context.__enter__()
        self._context_stack.append((graph_context, session_context))
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        graph_context, session_context = self._context_stack.pop()
        session_context.__exit__(exc_type, exc_value, traceback)
        graph_context.__exit__(exc_type, exc_value, traceback)
        self.close()


class InteractiveSession(Session):
    """A Session that makes itself the default on creation, for shells and notebooks.

    `t.eval()` and `op.run()` work without a `with` block until `close()`.
    """

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None):
        super().__init__(target, graph, config)
        default_session.push(self)


def get_default_session() -> Any:
    """`tf.get_default_session()`: the innermost default session, or None."""
    return default_session.get_default_session()
