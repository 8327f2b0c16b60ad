"""A real browser for the tests: Debian's Chromium driven by Playwright, kept off the network.

    with chromium() as browser, open_page(browser) as rec:
        rec.page.goto(base_url + "/page.html")
        ...
        rec.assert_clean()   # no console error, no page error, no failed local request, nothing sent out

Playwright's own browser downloads are not used (`playwright install` cannot fetch here): the
browser is the system's Chromium (`apt-get install chromium`), or the one named by PPKG_CHROMIUM.
Every request a page makes to a host other than 127.0.0.1 / localhost / [::1] is recorded in
`outside_requests` and aborted, so a page that would need the network shows it in a test here and
nothing leaves the machine; WebSockets to other hosts are recorded and closed the same way.

`open_page(browser, csp=...)` serves every local page with that Content-Security-Policy header
(what a deployment would send), so a script the policy blocks — inline, eval, from elsewhere — is
a console error here; `javascript=False` opens pages as a browser without JavaScript does.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, WebSocketRoute, sync_playwright

CHROMIUM = os.environ.get("PPKG_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Schemes that never reach a network: the page itself (set_content), inline data, blobs, devtools.
LOCAL_SCHEMES = {"about", "data", "blob", "file", "chrome", "chrome-extension", "devtools"}


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class PageRecord:
    """What one page did: filled while the page runs, read by the test."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)  # aborted, never sent
    failed_requests: list[str] = field(default_factory=list)  # local ones that failed or got >= 400

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"request outside 127.0.0.1 (aborted): {u}" for u in self.outside_requests]
            + [f"failed request: {u}" for u in self.failed_requests]
        )

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "the page was not clean:\n  " + "\n  ".join(problems)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Launch the system Chromium headless; closed on exit."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"no Chromium at {CHROMIUM}: install Debian's (apt-get install chromium fonts-liberation) "
            "or set PPKG_CHROMIUM to a Chromium binary"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(browser: Browser, *, viewport: tuple[int, int] = (1200, 800), csp: str | None = None,
              javascript: bool = True) -> Iterator[PageRecord]:
    """A fresh context and page that record console errors, page errors and outside requests."""
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        service_workers="block",  # a service worker's fetches would bypass the routes
        java_script_enabled=javascript,
    )
    page = context.new_page()
    rec = PageRecord(page)

    def on_console(msg: ConsoleMessage) -> None:
        text = msg.text
        loc = msg.location or {}
        if loc.get("url"):
            text += f" ({loc['url']}:{loc.get('lineNumber', '?')})"
        if msg.type == "error":
            rec.console_errors.append(text)
        elif msg.type == "warning":
            rec.console_warnings.append(text)

    def on_route(route: Route) -> None:
        url = route.request.url
        if is_local(url) and csp and route.request.resource_type == "document":
            response = route.fetch()
            route.fulfill(response=response,
                          headers={**response.headers, "content-security-policy": csp})
        elif is_local(url):
            route.continue_()
        else:
            rec.outside_requests.append(url)
            route.abort("blockedbyclient")

    def on_websocket(ws: WebSocketRoute) -> None:
        if is_local(ws.url):
            ws.connect_to_server()
        else:
            rec.outside_requests.append(ws.url)
            ws.close()

    def on_request_failed(request: Request) -> None:
        # ERR_ABORTED is the browser cancelling a request because the page moved on (a favicon
        # still loading when the test navigates); a server that fails answers with another error.
        if is_local(request.url) and request.failure != "net::ERR_ABORTED":
            rec.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def on_response(response) -> None:
        if response.status >= 400 and is_local(response.url):
            rec.failed_requests.append(f"{response.request.method} {response.url}: HTTP {response.status}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: rec.page_errors.append(str(exc)))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    context.route("**/*", on_route)
    context.route_web_socket(re.compile(".*"), on_websocket)
    try:
        yield rec
    finally:
        context.close()
