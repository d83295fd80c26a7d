"""The page without a browser: the JSON is embedded so nothing can end its script element,
the page names no network resource, and ``claimstance report`` writes it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from claimstance.cli import app
from claimstance.report.build import build_report
from claimstance.report.page import embed_json, render_page
from tests.report.corpus import GUIDED, HOSTILE, hostile_article, seed_articles, seed_extractions
from tests.support.paths import SEEDS

DATA_BLOCK = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


def test_embedded_json_has_no_markup_and_reads_back_the_same() -> None:
    value = {"t": "</script><!-- <script>&amp; \u2028\u2029 </SCRIPT >", "n": [1, 2.5, None]}
    embedded = embed_json(json.dumps(value, ensure_ascii=False))
    assert not set(embedded) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(embedded) == value


def test_a_hostile_article_cannot_leave_its_data_block() -> None:
    extraction, article = hostile_article()
    report = build_report([extraction], [article], title=f"Report {HOSTILE}")
    page = render_page(report)
    assert len(re.findall(r"</script", page, re.I)) == 2  # the data block's and the script's
    assert HOSTILE not in page and "<img" not in page.lower()
    assert "<title>Report &lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    [data] = DATA_BLOCK.findall(page)
    assert json.loads(data) == report.model_dump(mode="json")


def test_only_the_pages_own_script_and_style_may_run_and_nothing_is_fetched() -> None:
    page = render_page(build_report(seed_extractions(), seed_articles()))
    [policy] = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    script = page[page.rindex("<script>") + len("<script>") : page.rindex("</script>")]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    outside_data = DATA_BLOCK.sub("", page)
    assert set(re.findall(r"https?://[^\s\"'<>]+", outside_data)) == {
        "http://www.w3.org/2000/svg"  # the SVG namespace of the timeline, never fetched
    }
    assert not re.search(r"<(link|img|iframe|object|embed)\b|\bsrc=", outside_data, re.I)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["report", *args], catch_exceptions=False)
    return result.exit_code, " ".join(result.output.split())


def test_report_command_writes_one_file(tmp_path: Path) -> None:
    out = tmp_path / "site" / "report.html"
    code, output = _run(str(GUIDED), "--articles", str(SEEDS), "--out", str(out))
    assert code == 0, output
    claims = sum(len(e.claims) for e in seed_extractions())  # the recorded seed outputs
    assert f"5 articles (5 with text), {claims} claims" in output
    [data] = DATA_BLOCK.findall(out.read_text(encoding="utf-8"))
    assert len(json.loads(data)["claims"]) == claims
    assert not list(out.parent.glob("*.partial"))


def test_report_reads_a_job_directory_and_names_a_bad_line(tmp_path: Path) -> None:
    job = tmp_path / "job"
    job.mkdir()
    lines = GUIDED.read_text(encoding="utf-8").splitlines()
    # A job killed mid-write: its torn last line is left out, the complete lines are reported.
    (job / "extractions.jsonl").write_text("\n".join(lines[:2]) + '\n{"article_id": ', "utf-8")
    out = tmp_path / "report.html"
    code, output = _run(str(job), "-o", str(out))
    assert code == 0, output
    assert "2 articles (0 with text)" in output
    assert out.exists()
    # A bad line anywhere else stops the report, naming the file and line.
    (job / "extractions.jsonl").write_text(lines[0] + "\n{}\n" + lines[1] + "\n", "utf-8")
    code, output = _run(str(job), "-o", str(tmp_path / "other.html"))
    assert code == 2 and "extractions.jsonl:2" in output


def test_report_article_errors_are_named_and_the_rest_reported(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    missing = tmp_path / "nowhere"
    code, output = _run(str(GUIDED), "-a", str(SEEDS), "-a", str(missing), "-o", str(out))
    assert code == 1  # one input could not be read
    assert "nowhere" in output and "5 articles (5 with text)" in output


def test_report_without_results_fails_with_a_reason(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", "utf-8")
    code, output = _run(str(empty), "-o", str(tmp_path / "r.html"))
    assert code == 2 and "no extraction results" in output
