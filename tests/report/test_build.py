"""The report's data model, built without a browser from the seeds' recorded extractions."""

from __future__ import annotations

from collections import Counter
from datetime import date

from claimstance.report.build import NO_TEXT, build_report
from claimstance.schemas.models import Article
from tests.report.corpus import hostile_article, seed_articles, seed_extractions


def test_every_seed_claim_is_highlighted_once_in_its_article_text() -> None:
    extractions = seed_extractions()
    report = build_report(extractions, seed_articles())
    assert [a.id for a in report.articles] == [e.article_id for e in extractions]
    assert len(report.claims) == sum(len(e.claims) for e in extractions) > 0
    for article, extraction in zip(report.articles, extractions, strict=True):
        assert article.text is not None and article.note is None
        heads = Counter(ref for kind, _, _, ref in article.marks if kind == "q")
        assert heads == Counter(article.claims)  # one head mark per claim, no other
        for kind, start, end, ref in article.marks:
            if kind == "q":
                assert article.text[start:end] == report.claims[ref].quote
        quotes = {c.quote.text for c in extraction.claims}
        assert {report.claims[i].quote for i in article.claims} == quotes
    assert all(c.located for c in report.claims)


def test_claims_name_their_corpus_speaker_and_targets_are_shared() -> None:
    report = build_report(seed_extractions(), seed_articles())
    assert report.targets == ["US–China cooperation"]
    for claim in report.claims:
        speaker = report.speakers[claim.speaker]
        assert claim.article in speaker.articles
        assert report.claims.index(claim) in speaker.claims
    assert sum(len(s.claims) for s in report.speakers) == len(report.claims)
    cells = {(c.speaker, c.target): c.claims for c in report.matrix}
    assert sum(len(v) for v in cells.values()) == len(report.claims)  # one target each
    for (row, target), claims in cells.items():
        assert all(report.claims[i].speaker == row for i in claims)
        assert all(any(s.target == target for s in report.claims[i].stances) for i in claims)


def test_an_article_without_its_text_is_listed_with_a_note() -> None:
    extractions = seed_extractions()
    report = build_report(extractions, seed_articles()[1:])
    first = report.articles[0]
    assert first.text is None and first.note == NO_TEXT and first.marks == []
    assert len(first.claims) == len(extractions[0].claims)
    assert not any(report.claims[i].located for i in first.claims)
    assert any("1 of 5 articles have no text" in n for n in report.notes)
    assert all(a.text is not None for a in report.articles[1:])


def test_spans_that_do_not_match_the_text_are_not_marked() -> None:
    extraction = seed_extractions()[3]
    text = next(a.text for a in seed_articles() if a.id == extraction.article_id)
    cut = extraction.claims[0].quote.start  # claims are in text order: this is the first
    edited = text[:cut] + "XX" + text[cut:]  # the text changed after extraction
    report = build_report([extraction], [Article(id=extraction.article_id, text=edited)])
    article = report.articles[0]
    assert article.note is not None and "do not match the article text" in article.note
    assert not any(c.located for c in report.claims)
    # What lies before the edit still matches and is marked; nothing after it is.
    assert [m for m in article.marks if m[0] in "qQg"] == []
    assert any(m[0] == "m" for m in article.marks)
    assert all(end <= cut for _, _, end, _ in article.marks)


def test_a_span_one_character_off_is_not_marked() -> None:
    extraction, article = hostile_article()
    claim = extraction.claims[0]
    moved = claim.quote.model_copy(
        update={"start": claim.quote.start + 1, "end": claim.quote.end + 1}
    )
    bad = claim.model_copy(update={"quote": moved})
    report = build_report([extraction.model_copy(update={"claims": [bad]})], [article])
    assert not report.claims[0].located
    assert [m for m in report.articles[0].marks if m[0] == "q"] == []


def test_metadata_and_dates_feed_outlets_and_the_timeline() -> None:
    extraction, article = hostile_article()
    seeds = seed_extractions()
    dated = seeds[0].model_copy(update={"published": date(2024, 4, 26), "source": "VOV"})
    report = build_report([dated, extraction, seeds[1]], [article, *seed_articles()])
    assert report.sources == sorted(["VOV", extraction.source or ""])
    assert [b.date for b in report.timeline] == ["2024-04-26", "2024-05-01"]
    assert len(report.timeline[0].claims) == len(seeds[0].claims)
    assert report.undated == len(seeds[1].claims)
    assert report.articles[1].published == "2024-05-01"
    assert report.articles[0].title.startswith("US, China strive")  # from the text's first line
    assert any("3 article texts given have no extraction" in n for n in report.notes)


def test_a_later_result_for_the_same_article_replaces_the_earlier() -> None:
    seeds = seed_extractions()
    again = seeds[0].model_copy(update={"claims": seeds[0].claims[:2]})
    report = build_report([seeds[0], seeds[1], again], seed_articles())
    assert [a.id for a in report.articles] == [seeds[0].article_id, seeds[1].article_id]
    assert len(report.articles[0].claims) == 2
