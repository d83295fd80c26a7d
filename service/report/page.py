"""One self-contained HTML page: the template, its styles and scripts inlined, the report's
JSON embedded so that nothing in it can end the script element it sits in.

The page loads nothing: its Content-Security-Policy allows no network at all, and only the
page's own script and style (by hash) run; the data block is JSON, never executed.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from importlib.resources import files
from pathlib import Path

from claimstance.report.model import Report

#: The scripts, in order, inlined into the one script element.
SCRIPTS = ("report_core.js", "report_views.js")
STYLE = "report.css"
TEMPLATE = "report.html"
_PLACEHOLDER = re.compile(r"\{\{(?:POLICY|TITLE|STYLE|DATA|SCRIPT)\}\}")

#: Inside a script element ``</script>``, ``<!--`` and line separators must not appear raw;
#: JSON allows each as a ``\\u`` escape inside a string, which is the only place they occur.
_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def embed_json(data: str) -> str:
    """JSON text safe to place between ``<script type="application/json">`` tags."""
    return data.translate(_JSON_ESCAPES)


def _asset(name: str) -> str:
    return files("claimstance.report").joinpath(name).read_text(encoding="utf-8")


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_page(report: Report) -> str:
    """The report as one HTML document (UTF-8 text)."""
    # One scope for both files, kept out of the page's globals.
    body = "\n".join(_asset(name) for name in SCRIPTS)
    script = '(() => {\n"use strict";\n' + body + "\n})();\n"
    style = _asset(STYLE)
    for source, closing in ((script, "</script"), (style, "</style")):
        if closing in source.lower():  # our own assets; a slip here would break the page
            raise ValueError(f"an inlined asset contains {closing!r}")
    policy = (
        f"default-src 'none'; script-src {_hash(script)}; style-src {_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    values = {
        "{{POLICY}}": policy,  # hashes and keywords: no quote, no markup
        "{{TITLE}}": html.escape(report.title),
        "{{STYLE}}": style,
        "{{DATA}}": embed_json(report.model_dump_json()),
        "{{SCRIPT}}": script,
    }
    template = _asset(TEMPLATE)
    missing = [key for key in values if template.count(key) != 1]
    if missing:
        raise ValueError(f"the report template needs each of {missing} exactly once")
    # One pass over the template: an inserted value (an article's text) is never searched.
    return _PLACEHOLDER.sub(lambda m: values[m.group(0)], template)


def write_page(report: Report, out: Path) -> None:
    """Write the page to ``out`` (its folder is created), replacing it whole."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(render_page(report), encoding="utf-8")
    partial.replace(out)
