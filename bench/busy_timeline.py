"""How many cores the bench's first run keeps busy, second by second: where the idle core is.

    .venv/bin/python bench/busy_timeline.py            # the full bench's first run (9,640 articles)
    .venv/bin/python bench/busy_timeline.py --quick    # the quick bench's (475 articles)

Generates the bench workload (SAMPLE DATA), serves it on loopback and runs the ingest flow once on a fresh
database, as `bench/run.py` times its first run, while a thread samples the machine's busy cores from
/proc/stat every 0.25 s (Linux only; the whole machine, so run it on a quiet one). Prints the mean per second of
the run and the run's mean. Timing figures only, no assertions.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import run as bench_run  # noqa: E402
from bench.run import FULL, QUICK, _warm_up, call_flow, make_project, prefect_engine  # noqa: E402
from bench.server import FeedServer  # noqa: E402
from bench.workload import generate  # noqa: E402

STEP = 0.25


def _cpu_times() -> tuple[int, int]:
    """(all jiffies, idle + iowait jiffies) of the machine since boot."""
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return sum(values), values[3] + values[4]


class BusySampler:
    """Busy cores (out of os.cpu_count()) per STEP, sampled on a thread while in the `with` block."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (seconds since start, busy cores)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="busy sampler", daemon=True)
        self._cores = os.cpu_count() or 1

    def __enter__(self) -> BusySampler:
        self._start = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        before = _cpu_times()
        while not self._stop.wait(STEP):
            now = _cpu_times()
            total, idle = now[0] - before[0], now[1] - before[1]
            if total > 0:
                self.samples.append((time.monotonic() - self._start, self._cores * (total - idle) / total))
            before = now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the quick bench's workload")
    args = parser.parse_args(argv)
    if not Path("/proc/stat").exists():
        print("busy_timeline reads /proc/stat: Linux only", file=sys.stderr)
        return 1
    sizes = QUICK if args.quick else FULL
    wl = generate(sizes.feeds, sizes.items_per_feed, sizes.days, inbox_files=sizes.inbox_files,
                  items_per_file=sizes.items_per_file, prefix="bench")
    with tempfile.TemporaryDirectory(prefix="newswatch-busy-") as tmp, FeedServer() as server, \
            prefect_engine(Path(tmp) / "prefect"):
        work = Path(tmp)
        config = make_project(work / "small", wl, server, "small", "thread")
        from flows.ingest import configured_ingest_flow
        from newswatch.config import load_settings

        flow_fn = configured_ingest_flow(load_settings(config))
        bench_run._server_idle = None  # this engine's idle share, measured by call_flow's first settle
        _warm_up()
        with BusySampler() as sampler:
            first = call_flow(flow_fn, settled=True, config_path=str(config))
    per_second: dict[int, list[float]] = defaultdict(list)
    for at, busy in sampler.samples:
        per_second[int(at)].append(busy)
    print(f"first run: {first.seconds:.1f} s, CPU {first.cpu_seconds:.1f} s; stages {first.result.seconds}")
    cells = [f"{s:3d}s {sum(v) / len(v):4.2f}" for s, v in sorted(per_second.items())]
    for row in range(0, len(cells), 8):
        print("  ".join(cells[row : row + 8]))
    cores_busy = [b for _, b in sampler.samples]
    print(f"mean busy cores over the run: {sum(cores_busy) / max(1, len(cores_busy)):.2f} of {os.cpu_count()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
