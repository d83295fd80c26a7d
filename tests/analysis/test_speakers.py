"""Cross-article speaker resolution: who is one source across articles, and why."""

from __future__ import annotations

import pytest

from claimstance.analysis.names import given_compatible, person_name
from claimstance.analysis.speakers import SpeakerIndex, resolve_speakers
from claimstance.errors import InputError
from claimstance.schemas.models import Extraction, Speaker
from tests.support.corpus import extraction
from tests.support.paths import ROOT


def ids(index: SpeakerIndex, article_id: str, *speaker_ids: str) -> list[str]:
    return [index.corpus_id(article_id, s) for s in speaker_ids]


def reason(index: SpeakerIndex, article_id: str, speaker_id: str) -> str:
    speaker = index.get(index.corpus_id(article_id, speaker_id))
    return next(
        j.reason for j in speaker.joins if (j.article_id, j.speaker_id) == (article_id, speaker_id)
    )


@pytest.mark.parametrize(
    ("name", "core", "title"),
    [
        ("US Secretary of State Antony Blinken", "Antony Blinken", "US Secretary of State"),
        ("Chinese Foreign Ministry spokesman Wang Wenbin", "Wang Wenbin", None),
        ("Mr Xi", "Xi", "Mr"),
        ("Secretary Blinken", "Blinken", "Secretary"),
        ("Martin Luther King", "Martin Luther King", None),
        ("Martin Luther King, Jr.", "Martin Luther King Jr.", None),
        ("Senator Angus King", "Angus King", "Senator"),
        ("Ursula von der Leyen", "Ursula von der Leyen", None),
        ("Cornell University’s Carlson", "Carlson", None),
        ("Prime Minister", None, None),
        ("the official", None, None),
        ("senior State Department official", None, None),
    ],
)
def test_the_name_core_sets_titles_and_descriptions_aside(
    name: str, core: str | None, title: str | None
) -> None:
    found = person_name(name)
    assert (found.text if found else None) == core
    if found and title:
        assert found.title == title


def test_given_names_are_compatible_by_initials_and_one_sided_middle_names() -> None:
    def ok(a: str, b: str) -> bool:
        x, y = person_name(a), person_name(b)
        assert x and y
        return given_compatible(x, y)

    assert ok("Antony Blinken", "A. Blinken")
    assert ok("Antony J. Blinken", "Antony Blinken")
    assert ok("José Ramos", "Jose Ramos")
    assert not ok("Michelle Obama", "Barack Obama")
    assert not ok("George H. W. Bush", "George W. Bush")
    assert not ok("Wang Yi", "Wang Wenbin")  # the last token differs


def test_one_source_in_five_forms_across_five_articles_is_one_speaker() -> None:
    corpus = [
        extraction("a1", "Antony Blinken [Secretary of State]"),
        extraction("a2", "Blinken"),
        extraction("a3", "US Secretary of State Antony Blinken"),
        extraction("a4", "Mr Blinken *2"),
        extraction("a5", "Antony J. Blinken [US Secretary of State] @State Department"),
    ]
    index = resolve_speakers(corpus)
    [blinken] = index.speakers
    assert blinken.name == "Antony J. Blinken"  # the longest full name
    assert blinken.id == "antony-j-blinken"
    assert blinken.articles == ("a1", "a2", "a3", "a4", "a5")
    assert index.claim_count(blinken.id) == 6
    assert blinken.roles == {
        "a1": "Secretary of State",
        "a2": None,
        "a3": None,
        "a4": None,
        "a5": "US Secretary of State",
    }
    assert blinken.affiliations["a5"] == "State Department"
    assert "Mr Blinken" in blinken.aliases and "Antony J. Blinken" not in blinken.aliases
    assert reason(index, "a2", "blinken") == (
        "surname 'Blinken' of Antony J. Blinken, the only Blinken in the corpus"
    )
    assert "compatible with 'Antony J. Blinken'" in reason(index, "a1", "antony-blinken")
    assert [j.article_id for j in blinken.joins] == ["a1", "a2", "a3", "a4", "a5"]


def test_same_surname_and_different_given_names_stay_apart() -> None:
    corpus = [
        extraction("a1", "Wang Yi [Chinese Foreign Minister]", "Michelle Obama"),
        extraction("a2", "Wang Wenbin [Foreign Ministry spokesman]", "Barack Obama"),
        extraction("a3", "Wang Huiyao", "Wang Yi"),
    ]
    index = resolve_speakers(corpus)
    assert index.corpus_id("a1", "wang-yi") == index.corpus_id("a3", "wang-yi") == "wang-yi"
    assert ids(index, "a2", "wang-wenbin") == ["wang-wenbin"]
    assert ids(index, "a3", "wang-huiyao") == ["wang-huiyao"]
    assert ids(index, "a1", "michelle-obama") != ids(index, "a2", "barack-obama")


def test_a_bare_wang_among_several_wangs_stays_alone() -> None:
    corpus = [
        extraction("a1", "Wang Yi"),
        extraction("a2", "Wang Wenbin"),
        extraction("a3", "Wang"),
        extraction("a4", "Wang"),
    ]
    index = resolve_speakers(corpus)
    assert ids(index, "a3", "wang") == ["wang"]
    assert ids(index, "a4", "wang") == ["wang-2"]  # two ambiguous Wangs are not one either
    assert reason(index, "a3", "wang") == "'Wang' could be Wang Wenbin or Wang Yi: kept apart"


def test_a_bare_name_joins_the_only_full_name_that_has_it_first_or_last() -> None:
    corpus = [extraction("a1", "Wang Yi"), extraction("a2", "Mr Wang"), extraction("a3", "Yi")]
    index = resolve_speakers(corpus)
    assert ids(index, "a2", "mr-wang") == ids(index, "a3", "yi") == ["wang-yi"]
    assert reason(index, "a2", "mr-wang").startswith("first name token (family name first)")


def test_a_namesake_is_told_apart_by_its_article_then_by_its_title() -> None:
    corpus = [
        extraction("a1", "Wang Yi [Chinese Foreign Minister]", "Wang"),
        extraction("a2", "Wang Wenbin [Chinese Foreign Ministry spokesman]"),
        extraction("a3", "Foreign Minister Wang"),
        extraction("a4", "Wang [spokesman]"),
    ]
    index = resolve_speakers(corpus)
    assert ids(index, "a1", "wang") == ["wang-yi"]
    assert "the only Wang in its article" in reason(index, "a1", "wang")
    assert ids(index, "a3", "foreign-minister-wang") == ["wang-yi"]
    assert reason(index, "a3", "foreign-minister-wang").startswith("title 'Foreign Minister'")
    assert ids(index, "a4", "wang") == ["wang-wenbin"]


def test_xi_and_xi_jinping_merge_with_each_other_only() -> None:
    corpus = [
        extraction("a1", "Xi Jinping [President] @China", "Wang Yi"),
        extraction("a2", "President Xi", "Li Qiang"),
        extraction("a3", "Xi", "Jin"),
    ]
    index = resolve_speakers(corpus)
    xi = index.get("xi-jinping")
    assert [(j.article_id, j.speaker_id) for j in xi.joins] == [
        ("a1", "xi-jinping"),
        ("a2", "president-xi"),
        ("a3", "xi"),
    ]
    assert len(index.speakers) == 4  # Wang Yi, Li Qiang and Jin each alone


def test_unnamed_sources_are_never_merged_across_articles() -> None:
    corpus = [
        extraction("a1", "anon:the official", "unknown:Biden", "anon:State Department official"),
        extraction("a2", "anon:the official", "Joe Biden", "anon:State Department official"),
        extraction("a3", "a senior official", "officials"),  # a person kind without a name
    ]
    index = resolve_speakers(corpus)
    assert ids(index, "a1", "the-official", "biden") == ["a1:the-official", "a1:biden"]
    assert ids(index, "a2", "the-official", "joe-biden") == ["a2:the-official", "joe-biden"]
    assert ids(index, "a3", "a-senior-official", "officials") == [
        "a3:a-senior-official",
        "a3:officials",
    ]
    assert all(len(s.articles) == 1 for s in index.speakers)
    assert reason(index, "a1", "the-official") == "unnamed source: never merged across articles"


def test_organisations_merge_on_the_same_normalised_name() -> None:
    corpus = [
        extraction("a1", "gov:China", "org:The U.S. State Department", "media:Reuters"),
        extraction("a2", "gov:china", "gov:US State Department", "org:Reuters"),
        extraction("a3", "gov:People’s Republic of China", "China"),
    ]
    index = resolve_speakers(corpus)
    assert index.corpus_id("a1", "china") == index.corpus_id("a2", "china") == "china"
    assert ids(index, "a1", "the-u-s-state-department") == ids(index, "a2", "us-state-department")
    assert index.corpus_id("a1", "reuters") == index.corpus_id("a2", "reuters")
    assert index.corpus_id("a3", "people-s-republic-of-china") != "china"
    assert index.corpus_id("a3", "china") != "china"  # a person named China is no government
    assert reason(index, "a2", "china") == "same normalised name 'China'"


def test_a_name_compatible_with_two_people_stays_apart() -> None:
    corpus = [
        extraction("a1", "George H. W. Bush"),
        extraction("a2", "George W. Bush"),
        extraction("a3", "George Bush"),
        extraction("a4", "Bush"),
    ]
    index = resolve_speakers(corpus)
    assert len({s.id for s in index.speakers}) == 4
    assert "could be" in reason(index, "a3", "george-bush")
    assert "could be" in reason(index, "a4", "bush")


def test_a_possessive_prefix_is_not_part_of_the_name() -> None:
    corpus = [extraction("a1", "Allen Carlson [professor]", "Cornell University’s Carlson")]
    index = resolve_speakers(corpus)
    assert index.corpus_id("a1", "cornell-university-s-carlson") == "allen-carlson"


def test_bare_names_without_any_full_name_merge_with_the_same_bare_name() -> None:
    index = resolve_speakers([extraction("a1", "Putin"), extraction("a2", "Mr Putin *3")])
    [putin] = index.speakers
    assert putin.id == "putin" and putin.articles == ("a1", "a2")
    assert putin.joins[0].reason == "same name 'Putin'; no full name has 'Putin'"


def test_order_ids_and_reasons_are_deterministic() -> None:
    corpus = [
        extraction("a1", "Janet Yellen", "Antony Blinken *3", "anon:aides"),
        extraction("a2", "Yellen *2", "Blinken"),
    ]
    first, second = resolve_speakers(corpus), resolve_speakers(list(corpus))
    assert first.speakers == second.speakers
    assert [s.id for s in first.speakers] == ["antony-blinken", "janet-yellen", "a1:aides"]
    with pytest.raises(KeyError):
        first.corpus_id("a1", "nobody")


def test_an_article_given_twice_is_refused() -> None:
    with pytest.raises(InputError, match="given twice"):
        resolve_speakers([extraction("a1", "Blinken"), extraction("a1", "Blinken")])


def test_a_claim_speaker_missing_from_the_registry_is_still_resolved() -> None:
    base = extraction("a1", "Antony Blinken")
    claim = base.claims[0].model_copy(
        update={"speaker": Speaker(id="jake-sullivan", name="Jake Sullivan", kind="person")}
    )
    odd = base.model_copy(update={"claims": [*base.claims, claim]})
    index = resolve_speakers([odd])
    assert index.corpus_id("a1", "jake-sullivan") == "jake-sullivan"


def test_the_seed_corpus_joins_blinken_and_xi_and_keeps_the_wangs_apart() -> None:
    lines = (ROOT / "tests" / "expected" / "guided.jsonl").read_text().splitlines()
    corpus = [Extraction.model_validate_json(line) for line in lines]
    index = resolve_speakers(corpus)

    def corpus_ids(word: str) -> dict[tuple[str, str], str]:
        return {
            (ex.article_id, s.id): index.corpus_id(ex.article_id, s.id)
            for ex in corpus
            for s in ex.speakers
            if word in s.name.split() and s.kind == "person"
        }

    blinken = corpus_ids("Blinken")
    assert len(blinken) == 4 and set(blinken.values()) == {"antony-blinken"}
    assert len(index.get("antony-blinken").articles) == 4
    xi = index.get("xi-jinping")
    assert len(xi.articles) == 2 and {j.name for j in xi.joins} == {"Xi Jinping"}
    assert set(corpus_ids("Wang").values()) == {"wang-yi", "wang-wenbin", "wang-huiyao"}
    for speaker in index.speakers:
        if speaker.kind in {"anonymous", "unknown"}:
            assert len(speaker.articles) == 1 and ":" in speaker.id
