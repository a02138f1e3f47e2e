"""A pre-imported parent that forks one ingest run per request, so a test can SIGKILL many runs cheaply.

Protocol on stdin/stdout, one line each: `run CONFIG` -> prints the child's pid (the child leads its own process
group, so killing the group takes its scoring workers too); `wait PID` -> prints the child's exit status;
`quit`. The child runs the real ingest flow against the Prefect API in PREFECT_API_URL.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from flows.ingest import ingest_flow  # import once, before any fork

    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "run":
            pid = os.fork()
            if pid == 0:
                os.setpgrp()
                code = 0
                try:
                    ingest_flow(config_path=arg)
                except BaseException:  # noqa: BLE001 - report as the exit status
                    code = 1
                os._exit(code)
            print(pid, flush=True)
        elif cmd == "wait":
            _, status = os.waitpid(int(arg), 0)
            print(status, flush=True)
        elif cmd == "quit":
            return


if __name__ == "__main__":
    main()
