"""Processes started by a run die with it.

`xmk run` starts parse workers and a `dbt build`. If the run is killed (kill -9, an
out-of-memory kill, a closed terminal), they would go on without it: workers holding
memory, and dbt writing the warehouse without the run's lock, so that the next run fails
on DuckDB's own lock. Each child watches the process that started it and leaves as soon
as it is gone.
"""

from __future__ import annotations

import os
import threading

_POLL_SECONDS = 0.5


def leave_with_parent() -> None:
    """In a child process: exit at once when the parent process is gone (the child is
    then re-parented, and its parent pid changes)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            threading.Event().wait(_POLL_SECONDS)

    threading.Thread(target=watch, name="xmk-leave-with-parent", daemon=True).start()
