"""The report in a real browser: headless Chromium (the Debian package) opens it from disk.

Skipped, with the reason, where there is no chromium binary or no playwright; ``.ci/run``
installs chromium when it runs as root with apt-get.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from claimstance.report.build import build_report
from claimstance.report.model import Report
from claimstance.report.page import render_page
from tests.report.browser import chromium, open_page, open_report, why_no_browser
from tests.report.corpus import (
    IMG,
    SCRIPT,
    hostile_article,
    large_corpus,
    seed_articles,
    seed_extractions,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.skipif(why_no_browser() is not None, reason=str(why_no_browser()))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def seeds() -> Report:
    return build_report(seed_extractions(), seed_articles())


def test_seeds_report_has_one_highlight_per_claim(
    browser: Browser, seeds: Report, tmp_path: Path
) -> None:
    loaded = open_report(browser, seeds, tmp_path)
    page = loaded.page
    cards = page.locator("article.article")
    assert cards.count() == 5  # all five seeds on the first page
    for article in seeds.articles:
        card = page.locator(f'article[data-article="{article.id}"]')
        heads = card.locator("mark.q:not(.cont)")
        shown = heads.evaluate_all("ms => ms.map(m => [Number(m.dataset.claim), m.textContent])")
        # Exactly the article's claims, each once, each showing its own quote.
        assert sorted(n for n, _ in shown) == sorted(article.claims)
        assert all(seeds.claims[n].quote == text for n, text in shown)
        assert card.locator("mark.q.cont").count() == 0
        assert card.locator(".mention").count() > 0 and card.locator(".cue").count() > 0
        # The text on the page is the article's text, character for character.
        assert card.locator(".text").text_content() == article.text
    assert page.locator("mark.q").count() == len(seeds.claims) > 0
    assert loaded.problems == []


def test_clicking_a_quote_shows_its_details(
    browser: Browser, seeds: Report, tmp_path: Path
) -> None:
    loaded = open_report(browser, seeds, tmp_path)
    page = loaded.page
    card = page.locator('article[data-article="003_e00a073127973d43"]')
    card.locator("mark.q", has_text="I heard the same from my Chinese counterparts").click()
    details = page.locator("#details").inner_text()
    for expected in (
        "I heard the same from my Chinese counterparts, We both agree",  # the claim
        "Antony Blinken",
        "Secretary of State",
        "person",
        "direct",
        "said",
        "US–China cooperation",
        "favor",
        "0.726",
        "model+lexicon",
        "We both agree on the need to stabilise our relationship.",  # the evidence
    ):
        assert expected in details
    assert page.locator("mark.q.selected").count() == 1
    page.locator("#details button", has_text="Antony Blinken").click()
    assert "Joined across articles" in page.locator("#details").inner_text()
    assert loaded.problems == []


def test_filters_narrow_the_articles_and_dim_other_claims(
    browser: Browser, seeds: Report, tmp_path: Path
) -> None:
    loaded = open_report(browser, seeds, tmp_path)
    page = loaded.page
    n, speaker = max(enumerate(seeds.speakers), key=lambda s: len(s[1].claims))
    page.select_option("#f-speaker", str(n))
    assert page.locator("article.article").count() == len(
        {seeds.claims[i].article for i in speaker.claims}
    )
    assert page.locator("mark.q:not(.dim)").count() == len(speaker.claims)
    page.select_option("#f-stance", "against")
    against = [
        i for i in speaker.claims if any(s.label == "against" for s in seeds.claims[i].stances)
    ]
    assert page.locator("mark.q:not(.dim)").count() == len(against)
    assert page.locator("#f-count").inner_text().endswith(f"{len(against)} claims match")
    page.click('#tabs button[data-tab="speakers"]')
    assert page.locator("table.speakers tr.row").count() == 1
    page.click('#tabs button[data-tab="matrix"]')
    assert page.locator("td.cell").inner_text().replace(" ", "") == f"0/{len(against)}/0"
    page.click("#f-reset")
    page.click('#tabs button[data-tab="articles"]')
    assert page.locator("mark.q.dim").count() == 0
    assert loaded.problems == []


def _assert_inert(browser: Browser, html: Path) -> None:
    loaded = open_page(browser, html)
    page = loaded.page
    for tab in ("articles", "speakers", "matrix", "time"):
        page.click(f'#tabs button[data-tab="{tab}"]')
        if tab == "speakers":
            page.locator("table.speakers tr.row").first.click()
    page.click('#tabs button[data-tab="articles"]')
    page.locator("mark.q").first.click()
    page.wait_for_timeout(300)  # time for an injected image's error handler to fire
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img").count() == 0 and page.locator("script").count() == 2
    assert page.locator("a").count() == 0  # a javascript: URL is shown, not linked
    body = page.locator("body").inner_text()
    for shown in (SCRIPT, IMG, f"Mayor {SCRIPT}", f"Outlet {SCRIPT}", f"Warning {SCRIPT}"):
        assert shown in body
    assert page.locator("#details").inner_text().count(SCRIPT) >= 2  # quote and speaker
    assert loaded.problems == []


def test_markup_in_an_article_and_a_speaker_name_stays_text(
    browser: Browser, tmp_path: Path
) -> None:
    extraction, article = hostile_article()
    page = render_page(build_report([extraction], [article]))
    with_policy = tmp_path / "with_policy.html"
    with_policy.write_text(page, encoding="utf-8")
    _assert_inert(browser, with_policy)
    # Without the Content-Security-Policy too: the escaping alone keeps it text.
    no_policy = tmp_path / "no_policy.html"
    stripped, removed = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    assert removed == 1
    no_policy.write_text(stripped, encoding="utf-8")
    _assert_inert(browser, no_policy)


def test_a_thousand_articles_render_one_page_at_a_time(browser: Browser, tmp_path: Path) -> None:
    extractions, articles = large_corpus(1000)
    report = build_report(extractions, articles)
    began = time.monotonic()
    loaded = open_report(browser, report, tmp_path)
    page = loaded.page
    assert time.monotonic() - began < 20  # measured 1-2 s on 2 cores
    assert page.locator("article.article").count() == 10
    first_ten = sum(len(a.claims) for a in report.articles[:10])
    assert page.locator("mark.q").count() == first_ten
    assert page.evaluate("document.getElementsByTagName('*').length") < 6000
    page.locator(".pager button", has_text="Next").first.click()
    assert "Page 2 of 100" in page.locator(".pager").first.inner_text()
    shown = page.locator("article.article").evaluate_all("cs => cs.map(c => c.dataset.article)")
    assert shown == [a.id for a in report.articles[10:20]]
    page.locator(".pager input").first.fill("100")
    page.locator(".pager input").first.dispatch_event("change")
    assert (
        "Page 100 of 100 · articles 991–1000 of 1000" in page.locator(".pager").first.inner_text()
    )
    page.select_option("#f-source", "Outlet 1")
    assert page.locator("#f-count").inner_text().startswith("333 articles")
    page.click('#tabs button[data-tab="time"]')
    assert page.locator("table.time tr").count() == 1 + 12  # a year, by month
    assert page.locator("svg rect").count() > 0
    page.click('#tabs button[data-tab="speakers"]')
    assert page.locator("table.speakers tr.row").count() <= 50
    assert loaded.problems == []
