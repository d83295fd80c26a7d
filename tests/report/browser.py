"""Headless Chromium for the report tests: the system browser (Debian package ``chromium``)
driven by Playwright; nothing downloads a browser. Also ``python -m tests.report.browser``,
which rewrites the screenshot docs/report.png from the seeds' recorded extractions."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from claimstance.report.build import build_report
from claimstance.report.model import Report
from claimstance.report.page import write_page
from tests.report.corpus import seed_articles, seed_extractions
from tests.support.paths import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOT = ROOT / "docs" / "report.png"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def why_no_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (it is in the dev extra: pip install -e '.[dev]')"
    if chromium_path() is None:
        return (
            "no chromium binary on PATH: install the Debian package (apt-get install chromium); "
            ".ci/run does so when it runs as root"
        )
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path())
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Loaded:
    page: Page
    problems: list[str] = field(default_factory=list)


def _console(problems: list[str], message: ConsoleMessage) -> None:
    if message.type in ("error", "warning"):
        problems.append(f"console {message.type}: {message.text}")


def open_page(browser: Browser, html: Path) -> Loaded:
    """``html`` opened from disk (file://), console errors and page errors collected."""
    page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
    loaded = Loaded(page)
    page.on("console", lambda m: _console(loaded.problems, m))
    page.on("pageerror", lambda e: loaded.problems.append(f"page error: {e}"))
    page.goto(html.resolve().as_uri())
    page.wait_for_selector("#f-count:not(:empty)")
    return loaded


def open_report(browser: Browser, report: Report, folder: Path) -> Loaded:
    html = folder / "report.html"
    write_page(report, html)
    return open_page(browser, html)


def screenshot(out: Path = SCREENSHOT) -> None:
    """The seeds' report, the article with the most quotes in view, one quote clicked."""
    import tempfile

    extractions = seed_extractions()  # the article with most quotes first, in view
    extractions.sort(key=lambda e: e.article_id != "003_e00a073127973d43")
    report = build_report(extractions, seed_articles())
    with tempfile.TemporaryDirectory() as folder, chromium() as browser:
        loaded = open_report(browser, report, Path(folder))
        page = loaded.page
        card = page.locator('article[data-article="003_e00a073127973d43"]')
        quote = card.locator("mark.q", has_text="I heard the same")
        quote.click()
        page.evaluate("window.scrollTo(0, 0)")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        if loaded.problems:
            sys.exit("\n".join(loaded.problems))
    print(f"wrote {out}")


if __name__ == "__main__":
    reason = why_no_browser()
    if reason:
        sys.exit(reason)
    screenshot()
