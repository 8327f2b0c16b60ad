"""One wrk run: a native client on one thread, N connections, GET requests rotating over many
instances of a query, figures read back from wrk's own `done` hook rather than its text."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

MARK = "WRK-RESULT "

SCRIPT = """-- written by benchmarks/wrk.py
local targets = {
%(targets)s
}
local requests = {}
for i, target in ipairs(targets) do
  requests[i] = wrk.format("GET", target, { ["Accept"] = "%(accept)s" })
end
local n = 0
request = function()
  n = n %% #requests + 1
  return requests[n]
end
done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format('%(mark)s{"requests": %%d, "duration_us": %%d, "bytes": %%d, '
    .. '"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, "status": %%d, '
    .. '"p50_us": %%.0f, "p90_us": %%.0f, "p99_us": %%.0f, "max_us": %%.0f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout,
    e.status, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
"""


def executable() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    return found


def write_script(path: Path, targets: list[str], accept: str) -> Path:
    for target in targets:  # each goes in a Lua long string
        if "]]" in target or "\n" in target:
            raise ValueError(f"cannot quote {target!r} for Lua")
    path.write_text(SCRIPT % {"targets": ",\n".join(f"  [[{t}]]" for t in targets),
                              "accept": accept, "mark": MARK})
    return path


def run(port: int, script: Path, connections: int, duration: float, timeout: float) -> dict:
    """requests/s, latency percentiles (µs), errors by kind; `non2xx` counts statuses ≥ 400
    (wrk's "Non-2xx or 3xx responses"), `socket` its connect/read/write/timeout errors."""
    argv = [executable(), "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency",
            f"--timeout={timeout:g}s", "-s", str(script), f"http://127.0.0.1:{port}/"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + timeout + 30)
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): "
                           f"{done.stderr.strip() or done.stdout.strip()}")
    figures = json.loads(lines[-1][len(MARK):])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["non2xx"] = figures["status"]
    figures["socket"] = sum(figures[k] for k in ("connect", "read", "write", "timeout"))
    figures["text"] = done.stdout.replace(lines[-1], "").strip()
    return figures
