"""The batch's tasks on a Dask distributed cluster (``--scheduler tcp://HOST:8786``).

Imported only when ``--scheduler`` is given (Dask is the optional extra ``hipcoach[cluster]``). The workers
need HipCoach installed and must reach the clips and the output folder by the same paths. Dask itself moves
the task of a worker that died to another worker (up to its ``allowed-failures``, 3 by default); a clip that
Dask gives up on, or a task that fails outside the analysis, becomes an error row.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from distributed import Client, KilledWorker, WorkerPlugin, as_completed

from app.batch.keys import ENGINE_VERSION
from app.batch.results import ClipTask, error_record, error_text
from app.batch.run_one import run_task, warm_up

OnResult = Callable[[ClipTask, dict], None]
CONNECT_TIMEOUT_S = 15


class ClusterError(RuntimeError):
    """The scheduler cannot be reached; the message says so in one line."""


class EngineWarmUp(WorkerPlugin):
    """Loads the engine once on each worker (and on a worker that replaces a dead one) before its tasks."""

    name = "hipcoach-engine"

    def setup(self, worker) -> None:  # noqa: ANN001 - distributed's Worker
        warm_up(ignore_interrupt=False)  # a Dask worker handles its own signals


class DaskRunner:
    """Runs tasks on the cluster behind ``address``; :meth:`run` calls ``on_result(task, record)`` for each."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.client: Client | None = None

    def connect(self) -> Client:
        try:
            self.client = Client(self.address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {self.address}: {error_text(exc)}") from None
        return self.client

    def worker_pids(self) -> dict[str, int]:
        """Each worker's address and process id (for tests and diagnostics)."""
        assert self.client is not None, "connect() first"
        return self.client.run(os.getpid)

    def run(self, tasks: Sequence[ClipTask], on_result: OnResult) -> None:
        client = self.client or self.connect()
        try:
            client.register_plugin(EngineWarmUp())
            # pure=False: a clip's result is a file written as a side effect; the keys name the clips. Priorities
            # keep the order given (longest clips first), which Dask would not otherwise promise.
            futures = [
                client.submit(run_task, task, key=f"hipcoach-batch-{task.key}", pure=False, priority=len(tasks) - i)
                for i, task in enumerate(tasks)
            ]
            by_key = {future.key: task for future, task in zip(futures, tasks)}
            for future in as_completed(futures, loop=client.loop):  # this client's, not a default one
                task = by_key[future.key]
                try:
                    record = future.result()
                except KilledWorker:
                    message = "Dask workers died repeatedly while analysing this clip; it was given up"
                    record = error_record(task, ENGINE_VERSION, message, final=False).to_json()
                except Exception as exc:  # noqa: BLE001 - one clip's failure is its row, the batch goes on
                    message = f"task failed on the cluster: {type(exc).__name__}: {error_text(exc)}"
                    record = error_record(task, ENGINE_VERSION, message, final=False).to_json()
                future.release()
                on_result(task, record)
        finally:
            self.close()

    def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            client.close()
