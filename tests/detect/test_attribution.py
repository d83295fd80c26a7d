"""Attribution rules of the detector, one example each (see claimstance.detect.attribution,
claimstance.detect.cuefind, claimstance.detect.headline)."""

from __future__ import annotations

import pytest

from claimstance.detect.detector import detect_claims
from tests.support.detection import check_offsets, parts, top

_RULES = [  # (text, parts of the claim holding the needle, cue, speaker mention), needle = part 0
    # doubled apostrophes are double marks (NYT style), and the split quote is joined
    (
        "''It's more tinkering at the edges,'' said Alan Cole. ''I wouldn't call it reform.''",
        ["''It's more tinkering at the edges,''", "''I wouldn't call it reform.''"],
        "said",
        "Alan Cole",
    ),
    # progressive and contracted cues
    (
        "Donald Trump is telling a veterans group that the military is “depleted” and says more.",
        ["a veterans group that the military is “depleted”"],
        "telling",
        "Donald Trump",
    ),
    (
        "He’s claiming that fraud is “a big, big problem” but “nobody has the guts to fix it.”",
        ["that fraud is “a big, big problem” but “nobody has the guts to fix it.”"],
        "claiming",
        "He",
    ),
    # a pronoun right before the verb is its subject, after an intro without a comma
    (
        "A few days ago in an interview with the network RT he blasted the media for being "
        "“unbelievably dishonest.”",
        ["the media for being “unbelievably dishonest.”"],
        "blasted",
        "he",
    ),
    # a mixed clause ends after its quotation before "and <past verb>" or ", but he"
    (
        "Trump tweeted that Machado was “disgusting” and “a con” and encouraged Americans to act.",
        ["that Machado was “disgusting” and “a con”"],
        "tweeted",
        "Trump",
    ),
    (
        "Trump is promising lower taxes and “jobs, jobs, jobs,” but he has also attacked more.",
        ["lower taxes and “jobs, jobs, jobs,”"],
        "promising",
        "Trump",
    ),
    # naming verbs attribute the quoted term that follows them
    (
        "At a rally, Trump likened the refugees to a “vicious snake” in a song about a woman.",
        ["the refugees to a “vicious snake” in a song about a woman"],
        "likened",
        "Trump",
    ),
    (
        "On the form, a doctor had typed “homicidal ideation.”",
        ["“homicidal ideation.”"],
        "typed",
        "a doctor",
    ),
    # a clause ending in a colon: its subject speaks
    (
        "It ran.\n\nThe piece used her quote as its headline: “Finally. Someone like me.” It ends.",
        ["“Finally. Someone like me.”"],
        ":",
        "The piece",
    ),
    # the cue after a quotation ending in a nested closing mark
    (
        "“You say you ‘accept responsibility, it was their fault,’” Merkley said.",
        ["“You say you ‘accept responsibility, it was their fault,’”"],
        "said",
        "Merkley",
    ),
    # a quotation running on into the clause before its own cue is not a continuation
    (
        "“This isn’t right,” Warren said. “You squeezed employees to the breaking point” to drive "
        "up the stock, she said.",
        ["“You squeezed employees to the breaking point” to drive up the stock"],
        "said",
        "she",
    ),
    # a subordinate clause after the quotation holds no cue; the -ing verb before it does
    (
        "The spot shows Trump saying during the debate last week, “That makes me smart,” when "
        "Clinton blasted him.",
        ["“That makes me smart,”"],
        "saying",
        "Trump",
    ),
    # the verb right before the quotation wins over an earlier one
    (
        "When Clinton noted that Trump paid no taxes ― as was true for years ― Trump boasted, "
        "“That makes me smart.”",
        ["“That makes me smart.”"],
        "boasted",
        "Trump",
    ),
    # a coordinated verb shares the subject of its clause
    (
        "Clinton, the former secretary of State, stressed her support and said: “Steadiness.”",
        ["“Steadiness.”"],
        "said",
        "Clinton",
    ),
    # verbs that attribute a quotation only: "the letter reads"
    (
        "They wrote.\n\n“We see charter schools offering hope,” the letter reads. “We thrive.”",
        ["“We see charter schools offering hope,”", "“We thrive.”"],
        "reads",
        "the letter",
    ),
    # headlines: "Source: claim", "Claim, Source Says", "Source Calls …"
    (
        "Pat Caddell: Voters Worried; It’s ‘in Their Heads.’\n\nPollster Pat Caddell spoke.",
        ["Voters Worried; It’s ‘in Their Heads.’"],
        ":",
        "Pat Caddell",
    ),
    (
        "Trump Could Address Clean Energy, Lindsey Graham Says.\n\nSen. Lindsey Graham spoke.",
        ["Trump Could Address Clean Energy"],
        "Says",
        "Lindsey Graham",
    ),
    (
        "Chris Christie Calls Hillary Clinton ‘A Disgrace’.\n\nGov. Chris Christie spoke.",
        ["Hillary Clinton ‘A Disgrace’"],
        "Calls",
        "Chris Christie",
    ),
    # indirect speech: subjects across a colon, an intro phrase or a coordination
    (
        "The news set off fireworks on Friday: Republicans said the department mishandled it.",
        ["the department mishandled it"],
        "said",
        "Republicans",
    ),
    (
        "In a meeting with the editorial board of the Post Trump said that NATO may be cut.",
        ["that NATO may be cut"],
        "said",
        "Trump",
    ),
    (
        "Mr. Schultz backed Democrats on MSNBC, which let him go, and said he did not back Trump.",
        ["he did not back Trump"],
        "said",
        "Mr. Schultz",
    ),
    (
        "She said fathers would not be eligible, and when pressed, the mother replied otherwise.",
        ["fathers would not be eligible"],
        "said",
        "She",
    ),
]


@pytest.mark.parametrize(("text", "expected", "cue", "speaker"), _RULES)
def test_attribution_rules(text: str, expected: list[str], cue: str, speaker: str) -> None:
    claims = [c for c in detect_claims(text) if expected[0] in c.quote.text_of(text)]
    assert len(claims) == 1 and not claims[0].is_fragment
    check_offsets(text, detect_claims(text))
    assert parts(text, claims[0]) == expected
    assert claims[0].cue is not None and claims[0].cue.text_of(text) == cue
    assert top(text, claims[0])[1] == speaker


@pytest.mark.parametrize(
    "text",
    [
        "She read the long book about the war in the summer.",  # quote-only verb
        "Sen. Lindsey Graham’s comments came moments after the senator spoke at a gathering.",
        "Stealth Over Health: Clinton Was Headed to ER.\n\nShe was ill, and Health was a topic.",
    ],
)
def test_no_claim(text: str) -> None:
    assert detect_claims(text) == []


def test_long_unattributed_quote_is_kept_short_one_is_a_fragment() -> None:
    text = "The ad ends with a long take, “We will build it and they will pay for it,” over music."
    (claim,) = detect_claims(text)
    assert not claim.is_fragment and claim.cue is None
    text = "It closes with a take, “Build it,” over music."
    assert all(c.is_fragment for c in detect_claims(text))
