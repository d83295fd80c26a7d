"""What the report tests build reports from: the seeds' recorded extractions with their
texts, a hostile article, and a large synthetic corpus."""

from __future__ import annotations

import json
from datetime import date, timedelta

from claimstance.inputs import read_articles
from claimstance.schemas.models import (
    Article,
    Claim,
    Extraction,
    ExtractionWarning,
    Span,
    Speaker,
    SpeakerProfile,
    Stance,
)
from tests.support.paths import ROOT, SEEDS

GUIDED = ROOT / "tests" / "expected" / "guided.jsonl"

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '"><img src=x onerror=window.__pwned=2>'
HOSTILE = SCRIPT + IMG


def seed_extractions() -> list[Extraction]:
    lines = GUIDED.read_text(encoding="utf-8").splitlines()
    return [Extraction.model_validate(json.loads(line)) for line in lines if line.strip()]


def seed_articles() -> list[Article]:
    articles = [a for a in read_articles([str(SEEDS)]) if isinstance(a, Article)]
    assert len(articles) == 5
    return articles


def _span(text: str, piece: str, after: int = 0) -> Span:
    start = text.index(piece, after)
    return Span(text=piece, start=start, end=start + len(piece), alignment="exact")


def hostile_article() -> tuple[Extraction, Article]:
    """An article whose text, title, outlet, speaker, target and warning carry markup."""
    quote = f"“{SCRIPT} and {IMG}”"
    text = f"{HOSTILE} headline\n\nThe mayor {HOSTILE} said {quote} on Monday.\n"
    name = f"Mayor {HOSTILE}"
    mention = _span(text, f"mayor {HOSTILE}")
    speaker = Speaker(id="mayor", name=name, mention=mention, role=HOSTILE, kind="person")
    quoted = _span(text, quote)
    claim = Claim(
        id=f"q{quoted.start}-{quoted.end}",
        quote=quoted,
        kind="direct",
        claim=f"{SCRIPT} and {IMG}",
        cue=_span(text, "said", quoted.start - 6),
        speaker=speaker,
        stances=[Stance(target=f"Target {HOSTILE}", label="against", evidence=quoted)],
    )
    extraction = Extraction(
        article_id="hostile",
        title=f"Title {HOSTILE}",
        source=f"Outlet {HOSTILE}",
        url="javascript:window.__pwned=3",
        published=date(2024, 5, 1),
        claims=[claim],
        speakers=[SpeakerProfile(id="mayor", name=name, mentions=[mention], kind="person")],
        model="test",
        strategy="guided",
        prompt_version="test@1",
        warnings=[ExtractionWarning(code="test_warning", message=f"Warning {HOSTILE}")],
    )
    return extraction, Article(id="hostile", text=text)


def large_corpus(copies: int) -> tuple[list[Extraction], list[Article]]:
    """``copies`` articles: the seeds over and over under new ids, dated over a year,
    from three outlets."""
    seeds = seed_extractions()
    texts = {a.id: a.text for a in seed_articles()}
    extractions, articles = [], []
    for n in range(copies):
        base = seeds[n % len(seeds)]
        new_id = f"{base.article_id}-{n:04d}"
        day = date(2024, 1, 1) + timedelta(days=n % 365)
        extractions.append(
            base.model_copy(
                update={"article_id": new_id, "published": day, "source": f"Outlet {n % 3}"}
            )
        )
        articles.append(Article(id=new_id, text=texts[base.article_id]))
    return extractions, articles
