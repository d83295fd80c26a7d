"""The one English verb-inflection engine: every simple form of a verb from its lemma.

The detector builds its reporting-verb forms with it and the gold reader its speech-verb
forms, so both recognise "quipped", "replies" or "dubbed" the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Irregular verbs: lemma -> its other forms (3rd person, past, past participle, gerund).
IRREGULAR: dict[str, tuple[str, ...]] = {
    "say": ("says", "said", "saying"),
    "tell": ("tells", "told", "telling"),
    "write": ("writes", "wrote", "written", "writing"),
    "tweet": ("tweets", "tweeted", "tweeting"),
    "post": ("posts", "posted", "posting"),
    "find": ("finds", "found", "finding"),
    "think": ("thinks", "thought", "thinking"),
    "know": ("knows", "knew", "known", "knowing"),
    "feel": ("feels", "felt", "feeling"),
    "show": ("shows", "showed", "shown", "showing"),
    "speak": ("speaks", "spoke", "spoken", "speaking"),
    "forecast": ("forecasts", "forecasted", "forecasting"),
    "put": ("puts", "putting"),
    "hold": ("holds", "held", "holding"),
    "sing": ("sings", "sang", "sung", "singing"),
    "read": ("reads", "reading"),
    "fear": ("fears", "feared", "fearing"),
    "shout": ("shouts", "shouted", "shouting"),
}

#: Verbs that double their final consonant before -ed and -ing (stress on the last syllable).
_DOUBLING = frozenset(
    {
        "admit",
        "refer",
        "regret",
        "commit",
        "quip",
        "plan",
        "brag",
        "rip",
        "sum",
        "beg",
        "dub",
        "rebut",
        "stop",
        "jab",
        "slam",
    }
)
#: Verbs whose -ed and -ing forms are spelt both ways (British and American).
_BOTH_SPELLINGS = frozenset(["label", "signal"])


def inflect(lemma: str) -> list[str]:
    """All simple forms of a verb: lemma, -s, past (= participle), -ing."""
    if lemma in IRREGULAR:
        return [lemma, *IRREGULAR[lemma]]
    if lemma.endswith("e"):
        past, ing = [lemma + "d"], [lemma[:-1] + "ing"]
    elif lemma.endswith("y") and lemma[-2] not in "aeiou":
        past, ing = [lemma[:-1] + "ied"], [lemma + "ing"]
    elif lemma in _DOUBLING:
        past, ing = [lemma + lemma[-1] + "ed"], [lemma + lemma[-1] + "ing"]
    else:
        past, ing = [lemma + "ed"], [lemma + "ing"]
    if lemma in _BOTH_SPELLINGS:
        past.append(lemma + lemma[-1] + "ed")
        ing.append(lemma + lemma[-1] + "ing")
    if lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        third = lemma + "es"
    elif lemma.endswith("y") and lemma[-2] not in "aeiou":
        third = lemma[:-1] + "ies"
    else:
        third = lemma + "s"
    return [lemma, third, *past, *ing]


def verb_forms(lemmas: Iterable[str]) -> frozenset[str]:
    """Every form of every lemma."""
    return frozenset(form for lemma in lemmas for form in inflect(lemma))
