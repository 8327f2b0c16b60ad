"""Screenshots of the main pages, for a person to look at (not a test; nothing is committed).

    python tests/screenshots.py [--out DIR] [--url http://127.0.0.1:8080]

Starts `ppkg serve` over the shipped graph (or uses --url), opens each page in Debian's Chromium
(tests/browser.py: nothing leaves 127.0.0.1), waits for its pictures, and writes one full-page
PNG per page to DIR (a new temporary folder by default), printing each path and any problem the
page had (console errors, failed requests).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from browser import chromium, open_page
from conftest import start_server, stop_server

PAGES = [
    ("home", "/", "[data-picture=timeline][data-drawn]"),
    ("search", "/search?q=gahramanl%C4%B1", None),
    ("person", "/id/person/ilkin-rustamzade", "[data-picture=network][data-drawn]"),
    ("person-huseynov", "/id/person/mehman-huseynov", "[data-picture=network][data-drawn]"),
    ("organization", "/id/organization/popular-front-of-azerbaijan-party",
     "[data-picture=network][data-drawn]"),
    ("event", "/id/event/novruz-2019-mass-release", "[data-picture=network][data-drawn]"),
    ("decree", "/id/document/novruz-2019-pardon-decree", "[data-picture=network][data-drawn]"),
    ("source", "/id/source/d406463585ba4a26", "[data-picture=network][data-drawn]"),
    ("statement", "/id/statement/b5ef6d9da071791b-rustamzade-struggle-continues", None),
    ("timeline", "/timeline", "[data-picture=timeline][data-drawn]"),
    ("network", "/network/person/gozal-bayramli", "[data-picture=network][data-drawn]"),
    ("sparql", "/sparql", ".yasqe .CodeMirror"),
]


def shoot(base: str, out: Path) -> int:
    problems = 0
    with chromium() as browser:
        for name, path, ready in PAGES:
            with open_page(browser, viewport=(1280, 900)) as rec:
                rec.page.goto(base + path)
                if ready:
                    rec.page.wait_for_selector(ready, timeout=15_000)
                rec.page.wait_for_timeout(400)  # layouts settle (cose, vis-timeline redraws)
                target = out / f"{name}.png"
                rec.page.screenshot(path=str(target), full_page=True)
                print(target)
                for problem in rec.problems():
                    problems += 1
                    print(f"  {name}: {problem}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="folder for the PNGs (default: a new temporary folder)")
    parser.add_argument("--url", help="an already running server (default: start one)")
    args = parser.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="ppkg-screenshots-"))
    out.mkdir(parents=True, exist_ok=True)
    if args.url:
        return 1 if shoot(args.url.rstrip("/"), out) else 0
    work = Path(tempfile.mkdtemp(prefix="ppkg-screenshots-server-"))
    server = start_server([], work / "ppkg-serve.log", workers=2)
    try:
        return 1 if shoot(server.url, out) else 0
    finally:
        stop_server(server)


if __name__ == "__main__":
    sys.exit(main())
