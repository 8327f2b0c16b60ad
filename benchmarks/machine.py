"""What else the machine is doing, taken at the start and the end of a benchmark run.

Figures from a shared 2-core machine mean little without it: the load average, how busy the
cores were over the last second, and the python / gunicorn / wrk / pytest / virtuoso processes
(other benchmarks, test runs, servers someone left behind) with the CPU each used in that second.
Linux only (/proc).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

WATCHED = re.compile(r"python|gunicorn|wrk|pytest|virtuoso|ppkg")
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, utime + stime in ticks), or None if the process is gone."""
    try:
        after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(after_name[1]), int(after_name[11]) + int(after_name[12])


def _command(pid: int) -> str | None:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:
        return None
    # the interpreter and the script it runs name the program (python -m gunicorn, pytest, ...)
    if not argv[0] or not any(WATCHED.search(os.path.basename(a.decode(errors="replace")))
                              for a in argv[:3]):
        return None
    return " ".join(a.decode(errors="replace") for a in argv)


def snapshot(window: float = 1.0) -> dict:
    me = os.getpid()
    watched = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != me:
            command = _command(int(entry.name))
            if command is not None:
                watched[int(entry.name)] = command
    before = {pid: _stat(pid) for pid in watched}
    busy0, total0 = _cpu_times()
    time.sleep(window)
    busy1, total1 = _cpu_times()
    processes = []
    for pid, command in watched.items():
        now = _stat(pid)
        if now is None or before[pid] is None:
            continue
        processes.append({"pid": pid, "cpu": 100 * (now[1] - before[pid][1]) / TICKS / window,
                          "ours": _descends_from(pid, me), "command": command})
    processes.sort(key=lambda p: -p["cpu"])
    return {"time": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "load": [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]],
            "busy": 100 * (busy1 - busy0) / max(1, total1 - total0), "cores": os.cpu_count(),
            "processes": processes}


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        stat = _stat(pid)
        if stat is None:
            return False
        pid = stat[0]
    return False


def summary(snap: dict) -> str:
    """One line: load, how busy the cores were, and the others' processes using CPU."""
    others = [p for p in snap["processes"] if not p["ours"]]
    active = [p for p in others if p["cpu"] >= 5]
    text = (f"load average {' '.join(f'{x:.2f}' for x in snap['load'])}; "
            f"{snap['busy']:.0f}% of {snap['cores']} cores busy over 1 s; "
            f"{len(others)} other python/gunicorn/wrk/pytest/virtuoso processes")
    if active:
        text += ", using CPU: " + ", ".join(f"{_short(p['command'])} {p['cpu']:.0f}%"
                                            for p in active)
    return text


def details(snap: dict) -> list[str]:
    """One line per watched process, ours marked."""
    return [f"{p['pid']:>7} {p['cpu']:5.0f}% {'(ours) ' if p['ours'] else ''}{p['command'][:150]}"
            for p in snap["processes"]]


def _short(command: str) -> str:
    """The program's name: `python -m pytest ...` → pytest, `python .../gunicorn ...` → gunicorn."""
    words = [os.path.basename(w) for w in command.split()[:3]]
    if words[0].startswith("python") and len(words) > 1:
        return words[2] if words[1] == "-m" and len(words) > 2 else words[1]
    return words[0]
