"""The evaluation scorer: matching, P/R/F1 levels, subsets, attribution, stance, report."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from claimstance.evaluation.brat import (
    GoldAttribution,
    GoldDocument,
    GoldSpan,
    has_quotation_marks,
    read_gold_dir,
)
from claimstance.evaluation.report import render_report
from claimstance.evaluation.scoring import PRF, EvalReport, score
from claimstance.schemas.models import Claim, Extraction, Span, Speaker, Stance
from tests.support.paths import POLNEAR

TEXT = (
    'Smith said "we will win." "It is ours," he added, "and theirs." '
    "Jones believes the vote was rigged. Lee told reporters that taxes will rise."
)


def gspan(*needles: str) -> GoldSpan:
    frags = tuple((TEXT.index(n), TEXT.index(n) + len(n)) for n in needles)
    return GoldSpan(frags, " ".join(needles))


def span(needle: str, start: int | None = None, end: int | None = None) -> Span:
    s = TEXT.index(needle) if start is None else start
    e = s + len(needle) if end is None else end
    return Span(text=TEXT[s:e], start=s, end=e)


GOLD = GoldDocument(
    "doc",
    TEXT,
    (
        GoldAttribution("E1", gspan('"we will win."'), gspan("Smith"), gspan("said")),
        GoldAttribution("E2", gspan('"It is ours,"', '"and theirs."'), gspan("he"), gspan("added")),
        GoldAttribution("E3", gspan("the vote was rigged"), gspan("Jones"), gspan("believes")),
        GoldAttribution("E4", gspan("that taxes will rise."), None, gspan("told")),
    ),
    None,
)


def claim(
    quote: Span,
    parts: list[Span] | None = None,
    cue: Span | None = None,
    mention: Span | None = None,
    name: str = "someone",
    stances: list[Stance] | None = None,
) -> Claim:
    kind = "direct" if has_quotation_marks(quote.text) else "indirect"
    return Claim(
        id=f"c{quote.start}",
        quote=quote,
        quote_parts=parts or [],
        kind=kind,
        claim=quote.text,
        cue=cue,
        speaker=Speaker(id="s", name=name, mention=mention),
        stances=stances or [],
    )


def extraction(*claims: Claim, doc_id: str = "doc") -> Extraction:
    return Extraction(
        article_id=doc_id, claims=list(claims), model="test", strategy="guided", prompt_version="t"
    )


def perfect() -> list[Claim]:
    whole = span('"It is ours," he added, "and theirs."')
    return [
        claim(span('"we will win."'), cue=span("said"), mention=span("Smith")),
        claim(
            whole,
            [span('"It is ours,"'), span('"and theirs."')],
            cue=span("added"),
            mention=span("he"),
        ),
        claim(span("the vote was rigged"), cue=span("believes"), mention=span("Jones")),
        claim(span("that taxes will rise."), cue=span("told"), mention=span("Lee")),
    ]


def quote(report: EvalReport, subset: str = "all", level: str = "exact") -> PRF:
    return report.total.quote[subset][level]


def prf(x: PRF) -> tuple[float, float, float]:
    return (round(x.precision, 3), round(x.recall, 3), round(x.f1, 3))


def test_perfect_prediction_scores_one_everywhere() -> None:
    report = score([GOLD], {"doc": extraction(*perfect())})
    for subset, levels in report.total.quote.items():
        for level, counts in levels.items():
            assert prf(counts) == (1.0, 1.0, 1.0), (subset, level)
    for subset, accs in report.total.attribution.items():
        for what, acc in accs.items():
            assert acc.accuracy == 1.0, (subset, what)
    for subset in ("all", "speech"):
        assert all(prf(c) == (1.0, 1.0, 1.0) for c in report.total.cue[subset].values())
    assert report.total.attribution["all"]["speaker_exact"].n == 3  # E4 has no source
    assert report.total.attribution["all"]["cue_exact"].n == 4
    assert report.total.stance_report() is None
    assert not report.warnings and not report.missing_predictions


def test_empty_prediction_and_missing_or_unknown_articles() -> None:
    report = score([GOLD], {"doc": extraction()})
    assert prf(quote(report)) == (0.0, 0.0, 0.0)
    assert quote(report).n_gold == 4 and quote(report).n_pred == 0
    missing = score([GOLD], {"other": extraction(doc_id="other")})
    assert missing.missing_predictions == ["doc"] and missing.unknown_predictions == ["other"]
    assert prf(quote(missing, level="overlap@0.3")) == (0.0, 0.0, 0.0)
    assert missing.per_article[0].has_prediction is False
    # no gold and no prediction: nothing to find, nothing wrongly claimed
    assert prf(PRF()) == (1.0, 1.0, 1.0)
    assert prf(PRF(n_pred=2)) == (0.0, 0.0, 0.0)


def test_off_by_one_fails_exact_but_passes_overlap() -> None:
    s = TEXT.index("the vote was rigged")
    report = score([GOLD], {"doc": extraction(claim(span("the vote was rigge", s, s + 18)))})
    assert quote(report).tp_gold == 0
    assert quote(report, level="exact_relaxed").tp_gold == 0
    for level in ("overlap@0.3", "overlap@0.5", "overlap@0.8"):
        assert quote(report, level=level).tp_gold == 1  # the cut word still shares its token
    # a missing closing quotation mark: only exact fails
    s = TEXT.index('"we will win."')
    report = score([GOLD], {"doc": extraction(claim(span('"we will win.', s, s + 13)))})
    assert quote(report).tp_gold == 0
    assert quote(report, level="exact_relaxed").tp_gold == 1
    assert quote(report, level="overlap@0.8").tp_gold == 1


def test_discontinuous_gold_with_and_without_quote_parts() -> None:
    whole = span('"It is ours," he added, "and theirs."')
    parts = [span('"It is ours,"'), span('"and theirs."')]
    with_parts = score([GOLD], {"doc": extraction(claim(whole, parts))})
    assert quote(with_parts).tp_gold == 1
    without = score([GOLD], {"doc": extraction(claim(whole))})
    assert quote(without).tp_gold == 0  # "he added" is not part of the gold content
    assert quote(without, level="overlap@0.5").tp_gold == 1  # Dice 10/12
    assert quote(without, level="overlap@0.8").tp_gold == 1
    # only one of the two pieces: Dice 2*3/(3+5) = 0.75
    half = score([GOLD], {"doc": extraction(claim(span('"It is ours,"')))})
    assert [quote(half, level=f"overlap@{t}").tp_gold for t in (0.3, 0.5, 0.8)] == [1, 1, 0]


def test_duplicate_predictions_are_false_positives() -> None:
    dup = claim(span('"we will win."'))
    report = score([GOLD], {"doc": extraction(dup, dup.model_copy(update={"id": "dup"}))})
    for level in ("exact", "overlap@0.5"):
        counts = quote(report, level=level)
        assert (counts.tp_pred, counts.n_pred, counts.tp_gold) == (1, 2, 1)
        assert counts.precision == 0.5


def test_speech_only_filters_belief_attributions() -> None:
    belief = claim(span("the vote was rigged"), cue=span("believes"))
    said = claim(span('"we will win."'), cue=span("said"))
    invented = claim(span("Lee told reporters"), cue=span("told"))
    thought = claim(span("Jones"), cue=span("believes"))
    report = score([GOLD], {"doc": extraction(belief, said, invented, thought)})
    all_, speech = quote(report, "all"), quote(report, "speech")
    assert (all_.n_gold, all_.n_pred, all_.tp_gold) == (4, 4, 2)
    # speech gold: E1, E2, E4. The prediction matched to the belief gold E3 and the unmatched
    # one with a belief cue drop out; the unmatched "Lee told reporters" stays (speech cue).
    assert (speech.n_gold, speech.n_pred, speech.tp_gold, speech.tp_pred) == (3, 2, 1, 1)
    assert quote(report, "direct").n_gold == 2 and quote(report, "indirect").n_gold == 2
    assert report.total.by_kind["indirect"]["exact"].accuracy == pytest.approx(1 / 3)


def test_speaker_and_cue_on_matched_quotes() -> None:
    by_name = claim(span('"we will win."'), cue=span("said"), name="John Smith")
    by_pronoun = claim(
        span('"It is ours," he added, "and theirs."'),
        cue=span("added"),
        mention=span("he added"),
    )
    wrong = claim(span("the vote was rigged"), cue=span("Jones believes"), mention=span("Lee"))
    no_source = claim(span("that taxes will rise."), mention=span("Lee"))
    report = score([GOLD], {"doc": extraction(by_name, by_pronoun, wrong, no_source)})
    att = report.total.attribution["all"]
    assert att["matched"].n == 4
    assert (att["speaker_exact"].n, att["speaker_exact"].correct) == (3, 0)
    assert att["speaker_overlap"].correct == 2  # the name "John Smith", the mention "he added"
    assert (att["cue_exact"].n, att["cue_exact"].correct) == (4, 2)
    assert att["cue_overlap"].correct == 3  # "Jones believes" overlaps "believes"
    cue = report.total.cue["all"]
    assert (cue["exact"].n_gold, cue["exact"].n_pred, cue["exact"].tp_gold) == (4, 3, 2)
    assert cue["overlap"].tp_gold == 3
    speech = report.total.attribution["speech"]
    assert speech["matched"].n == 3 and speech["speaker_exact"].n == 2


def test_attribution_by_direct_and_indirect_gold() -> None:
    by_name = claim(span('"we will win."'), cue=span("said"), mention=span("Smith"))
    pronoun = claim(span('"It is ours," he added, "and theirs."'), mention=span("Jones"))
    belief = claim(span("the vote was rigged"), cue=span("believes"), mention=span("Jones"))
    told = claim(span("that taxes will rise."), cue=span("said"), mention=span("Lee"))
    report = score([GOLD], {"doc": extraction(by_name, pronoun, belief, told)})
    direct, indirect = report.total.attribution["direct"], report.total.attribution["indirect"]
    assert direct["matched"].n == 2 and indirect["matched"].n == 2
    assert (direct["speaker_exact"].n, direct["speaker_exact"].correct) == (2, 1)
    assert (indirect["speaker_exact"].n, indirect["speaker_exact"].correct) == (1, 1)  # E4: none
    assert (direct["cue_exact"].correct, indirect["cue_exact"].correct) == (1, 1)
    data = report.to_json()["total"]["attribution"]
    assert data["direct"]["speaker_overlap"]["accuracy"] == 0.5
    assert data["indirect"]["cue_overlap"] == {"n": 2, "correct": 1, "accuracy": 0.5}
    out = io.StringIO()
    render_report(report, Console(file=out, width=220))
    header = next(
        line for line in out.getvalue().splitlines() if "indirect" in line and "speech" in line
    )
    assert "direct" in header.replace("indirect", "")


def test_stance_macro_f1() -> None:
    gold = GoldDocument(
        "doc",
        TEXT,
        (
            GoldAttribution("E1", gspan('"we will win."'), None, None, {"victory": "favor"}),
            GoldAttribution("E3", gspan("the vote was rigged"), None, None, {"vote": "against"}),
            GoldAttribution("E4", gspan("that taxes will rise."), None, None, {"tax": "neutral"}),
        ),
        None,
    )
    st = [Stance(target=" Victory ", label="favor", confidence=1.0)]
    wrong = [Stance(target="vote", label="favor", confidence=1.0)]
    pred = extraction(
        claim(span('"we will win."'), stances=st), claim(span("the vote was rigged"), stances=wrong)
    )
    report = score([gold], {"doc": pred})
    stance = report.total.stance_report()
    assert stance is not None
    assert stance["n_evaluated"] == 2 and stance["n_unmatched_gold"] == 1
    # favor: P 1/2 R 1/1 -> 2/3; against: P 0 R 0 -> 0 ; neutral absent
    assert stance["macro_f1"] == pytest.approx((2 / 3 + 0) / 2, abs=1e-4)


def test_report_serialises_and_renders() -> None:
    shifted = claim(span('"we will win."', 11, 24).model_copy(update={"text": "x" * 13}))
    report = score([GOLD], {"doc": extraction(*perfect(), shifted), "zzz": extraction()})
    assert any("differs from the gold text" in w for w in report.warnings)
    data = json.loads(json.dumps(report.to_json()))
    assert data["total"]["quote"]["all"]["overlap@0.5"]["recall"] == 1.0
    assert data["total"]["stance"] is None
    assert data["per_article"][0]["doc_id"] == "doc"
    assert data["unknown_predictions"] == ["zzz"]
    assert "Dice" in data["config"]["definitions"]
    out = io.StringIO()
    render_report(report, Console(file=out, width=220), per_article=True)
    rendered = out.getvalue()
    for needle in ("Quote content", "speech", "speaker_overlap", "Cue spans", "Per article"):
        assert needle in rendered
    assert "stance: absent" in rendered


def oracle(doc: GoldDocument) -> Extraction:
    """Every gold attribution turned into a claim, exactly as the gold has it."""
    claims = []
    for att in doc.attributions:
        if att.content is None:
            continue
        frags = sorted(att.content.fragments)
        parts = [Span(text=doc.text[s:e], start=s, end=e) for s, e in frags]
        start, end = att.content.start, att.content.end

        def whole(g: GoldSpan | None) -> Span | None:
            if g is None:
                return None
            return Span(text=doc.text[g.start : g.end], start=g.start, end=g.end)

        claims.append(
            Claim(
                id=att.id,
                quote=Span(text=doc.text[start:end], start=start, end=end),
                quote_parts=parts if len(parts) > 1 else [],
                kind="direct" if att.is_direct else "indirect",
                claim=att.content.text,
                cue=whole(att.cue),
                speaker=Speaker(
                    id="s",
                    name=att.source.text if att.source else "unknown",
                    mention=whole(att.source),
                ),
            )
        )
    return extraction(*claims, doc_id=doc.doc_id)


@pytest.mark.polnear
@pytest.mark.skipif(not POLNEAR.is_dir(), reason=f"PolNeAR dev set not found at {POLNEAR}")
def test_gold_as_prediction_oracle_on_polnear_scores_one() -> None:
    docs = read_gold_dir(POLNEAR)
    report = score(docs, {d.doc_id: oracle(d) for d in docs})
    for subset, levels in report.total.quote.items():
        for level, counts in levels.items():
            assert prf(counts) == (1.0, 1.0, 1.0), (subset, level)
    for subset, accs in report.total.attribution.items():
        for what, acc in accs.items():
            assert acc.accuracy == 1.0, (subset, what)
    for subset in ("all", "speech"):
        assert all(prf(c) == (1.0, 1.0, 1.0) for c in report.total.cue[subset].values())
    assert report.gold["with_content"] == report.total.quote["all"]["exact"].n_gold
    assert not report.missing_predictions and not report.unknown_predictions
