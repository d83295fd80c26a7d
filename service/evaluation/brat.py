"""Read gold attributions in brat standoff, as distributed with PolNeAR and PARC-in-brat.

Two directory layouts are accepted by :func:`read_gold_dir`:

* **polnear**: ``text/<stem>.txt`` plus ``attributions/<stem>_<annotator>.ann`` (and an
  optional ``metadata.tsv`` with ``filename`` and ``annotators`` columns);
* **flat** (``seeds/gold/``): ``<stem>.txt`` next to ``<stem>.ann`` or
  ``<stem>_<annotator>.ann``. A ``.txt`` without any ``.ann`` is not gold and is skipped.

Lines of an ``.ann`` file: ``T<n>\\t<Type> <start> <end>[;<start> <end>...]\\t<text>``
(fragments in any order; the text is the fragments joined by one space, in the listed order),
``E<n>\\tAttribution:T4 Content:T3 Cue:T2 Source:T1`` (also ``Attribution-no-source``,
roles with a numeric suffix such as ``Content2`` are merged into their role), and ``A``, ``R``,
``N``, ``M``, ``*`` and ``#`` lines, which are read over. Events of types not starting with
``Attribution`` are ignored, as are text-bound types such as ``Discuss`` or ``Discard``.

**Several annotators.** When one article has several ``.ann`` files, the one used is: the
``annotator`` argument if it is among them, else the lexicographically first annotator among
those listed for the article in ``metadata.tsv`` (or among all of them). The choice and the
alternatives are recorded on :class:`GoldDocument`.

**Stance side file.** ``<stem>_<annotator>.stance.tsv`` or ``<stem>.stance.tsv`` next to the
chosen ``.ann``: UTF-8, tab-separated ``event_id<TAB>target<TAB>label`` with label one of
``favor``, ``against``, ``neutral``; blank lines, ``#`` comments and a header row starting
with ``event_id`` are skipped. ``event_id`` is an ``E`` id of the ``.ann`` file.

Offsets are checked against the text: a span whose text differs from the article is kept and
reported in :attr:`GoldDocument.warnings`; structurally broken files raise ``InputError``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from claimstance.errors import InputError
from claimstance.text.glyphs import DOUBLE_MARKS, SINGLE_OPENING, char_class
from claimstance.text.inflect import verb_forms

__all__ = [
    "STANCE_LABELS",
    "GoldAttribution",
    "GoldDocument",
    "GoldSpan",
    "corpus_stats",
    "has_quotation_marks",
    "is_speech_cue",
    "read_ann",
    "read_gold_dir",
]

STANCE_LABELS = ("favor", "against", "neutral")
_IGNORED_PREFIXES = ("A", "R", "N", "M", "*", "#")


@dataclass(frozen=True)
class GoldSpan:
    fragments: tuple[tuple[int, int], ...]
    text: str

    @property
    def start(self) -> int:
        return min(s for s, _ in self.fragments)

    @property
    def end(self) -> int:
        return max(e for _, e in self.fragments)


@dataclass(frozen=True)
class GoldAttribution:
    id: str
    content: GoldSpan | None
    source: GoldSpan | None
    cue: GoldSpan | None
    stances: dict[str, str] = field(default_factory=dict, hash=False)
    type: str = "Attribution"

    @property
    def is_direct(self) -> bool:
        """Direct (or mixed) quote: the gold content contains quotation marks."""
        return self.content is not None and has_quotation_marks(self.content.text)

    @property
    def is_speech(self) -> bool:
        """Speech (not belief, perception or evidence), judged from the cue; see is_speech_cue."""
        return self.cue is not None and is_speech_cue(self.cue.text)


@dataclass(frozen=True)
class GoldDocument:
    doc_id: str
    text: str
    attributions: tuple[GoldAttribution, ...]
    annotator: str | None
    annotators: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# -- classification helpers -------------------------------------------------------------

_QUOTE_MARKS = re.compile("[" + char_class(DOUBLE_MARKS + SINGLE_OPENING) + "]|''|``")


def has_quotation_marks(text: str) -> bool:
    """Double quotation marks (straight, curly, low, guillemets), ``‘``, or doubled ``''``.

    A lone straight or right single quote is not counted: it is usually an apostrophe.
    """
    return _QUOTE_MARKS.search(text) is not None


# Lemmas of communication acts (verbal or written). Anything else - believe, think, know,
# fear, hope, expect, worry, want, feel, see, seem, show, find, estimate, plan, support,
# agree, decide, vote ... - is a non-speech attribution (belief, perception, evidence, stance).
_SPEECH_LEMMAS = """
    say tell state add ask claim argue warn announce write tweet post note explain insist
    acknowledge call urge report cite quote comment remark reply respond answer mention declare
    assert contend maintain admit concede confirm deny reveal disclose suggest recall recount
    describe characterize characterise label dub brand predict promise pledge vow threaten
    boast brag joke quip complain lament criticize criticise condemn blast slam attack accuse
    praise laud hail thank applaud echo repeat reiterate emphasize emphasise stress underscore
    point observe proclaim propose recommend demand request plead beg appeal implore object
    protest dispute question query testify shout yell chant scream sing whisper mutter exclaim
    speak talk discuss address inform notify advise caution counter retort rebut refute
    clarify specify elaborate summarize summarise sum publish read endorse denounce decry rip
    lambast scold rail pitch tout insult mock ridicule interview chastise detail outline liken
    reference dismiss debate compare"""
SPEECH_LEMMAS = frozenset(_SPEECH_LEMMAS.split())
# Nouns and multi-word cues that denote speech.
_SPEECH_WORDS = """
    statement statements remarks comments interview speech tweets letter testimony
    announcement quotes message words rhetoric criticism pronouncements said told wrote written
    spoke spoken sang sung continued"""
SPEECH_WORDS = frozenset(_SPEECH_WORDS.split())
SPEECH_PHRASES = ("according to", "put it", "in a statement", "in an interview")
_WORD = re.compile(r"[^\W\d_]+")
#: Every form of the speech lemmas, from the detector's inflection engine; the gold reader
#: shares only that and the glyph table with the detector, none of its word lists or rules.
_SPEECH_FORMS = verb_forms(SPEECH_LEMMAS)


def is_speech_cue(cue: str) -> bool:
    """Whether an attribution cue denotes speech (saying, writing, asking ...).

    True when the cue is punctuation only (``:``, ``―``, ``--``: transcripts, headlines,
    vox-pops), contains a phrase of ``SPEECH_PHRASES``, or any of its words is in
    ``SPEECH_WORDS`` or is a form of a verb in ``SPEECH_LEMMAS``.
    """
    lowered = " ".join(cue.lower().split())
    words = _WORD.findall(lowered)
    if not words:
        return bool(lowered)
    if any(p in lowered for p in SPEECH_PHRASES):
        return True
    return any(w in SPEECH_WORDS or w in _SPEECH_FORMS for w in words)


def corpus_stats(gold: Sequence[GoldDocument]) -> dict[str, object]:
    """Corpus statistics of the gold side (what the denominators are made of)."""
    atts = [a for d in gold for a in d.attributions]
    ok = [a for a in atts if a.content is not None]
    direct, speech = sum(a.is_direct for a in ok), sum(a.is_speech for a in ok)
    return {
        "docs": len(gold),
        "attributions": len(atts),
        "with_content": len(ok),
        "direct": direct,
        "speech": speech,
        "speech_direct": sum(a.is_speech and a.is_direct for a in ok),
        "without_source": sum(a.source is None for a in ok),
        "with_stances": sum(bool(a.stances) for a in ok),
        "pct_direct": round(100 * direct / (len(ok) or 1), 1),
        "pct_speech": round(100 * speech / (len(ok) or 1), 1),
        "annotator_choices": {
            d.doc_id: {"chosen": d.annotator, "available": list(d.annotators)}
            for d in gold
            if len(d.annotators) > 1
        },
    }


# -- parsing ------------------------------------------------------------------------------


def _parse_span(spec: str, where: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    kind, _, offsets = spec.partition(" ")
    fragments: list[tuple[int, int]] = []
    for piece in offsets.split(";"):
        bounds = piece.split()
        if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
            raise InputError(f"malformed offsets {offsets!r}", source=where)
        start, end = int(bounds[0]), int(bounds[1])
        if end < start:
            raise InputError(f"span end {end} is before start {start}", source=where)
        fragments.append((start, end))
    return kind, tuple(fragments)


def _merge(spans: list[GoldSpan]) -> GoldSpan | None:
    if not spans:
        return None
    if len(spans) == 1:
        return spans[0]
    return GoldSpan(tuple(f for s in spans for f in s.fragments), " ".join(s.text for s in spans))


def read_ann(
    ann_text: str, text: str, *, source: str = "<ann>"
) -> tuple[list[GoldAttribution], list[str]]:
    """Parse one ``.ann`` file against its article text: (attributions, warnings)."""
    spans: dict[str, GoldSpan] = {}
    events: list[tuple[str, str, list[tuple[str, str]], str]] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(ann_text.splitlines(), 1):
        line = raw.rstrip("\r")
        where = f"{source}:{number}"
        if not line.strip():
            continue
        ident, tab, rest = line.partition("\t")
        if ident.startswith(_IGNORED_PREFIXES):
            continue
        if not tab or not ident[1:].isdigit() or ident[0] not in "TE":
            raise InputError(f"not a brat standoff line: {line[:80]!r}", source=where)
        if ident in seen:
            raise InputError(f"duplicate id {ident}", source=where)
        seen.add(ident)
        if ident[0] == "T":
            spec, tab, span_text = rest.partition("\t")
            if not tab:
                raise InputError(f"text-bound line without text: {line[:80]!r}", source=where)
            _, fragments = _parse_span(spec, where)
            spans[ident] = GoldSpan(fragments, span_text)
            actual = " ".join(text[s:e] for s, e in fragments)
            if actual != span_text and " ".join(actual.split()) != " ".join(span_text.split()):
                warnings.append(
                    f"{where}: {ident} text {span_text[:60]!r} differs from article {actual[:60]!r}"
                )
            continue
        args = rest.split()
        if not args or ":" not in args[0]:
            raise InputError(f"event without a trigger: {line[:80]!r}", source=where)
        etype = args[0].split(":", 1)[0]
        roles: list[tuple[str, str]] = []
        for arg in args[1:]:
            role, colon, ref = arg.partition(":")
            if not colon or not ref:
                raise InputError(f"malformed event argument {arg!r}", source=where)
            roles.append((role.rstrip("0123456789"), ref))
        events.append((ident, etype, roles, where))
    out: list[GoldAttribution] = []
    for ident, etype, roles, where in events:
        if not etype.startswith("Attribution"):
            continue
        for _, ref in roles:
            if ref not in spans:
                raise InputError(f"{ident} refers to unknown span {ref}", source=where)
        by_role = {
            r: _merge([spans[ref] for role, ref in roles if role == r])
            for r in ("Content", "Source", "Cue")
        }
        if by_role["Content"] is None:
            warnings.append(f"{where}: {ident} has no Content; it cannot be scored")
        if etype == "Attribution-no-source" and by_role["Source"] is not None:
            warnings.append(f"{where}: {ident} is {etype} but has a Source; the Source is kept")
        out.append(
            GoldAttribution(
                ident, by_role["Content"], by_role["Source"], by_role["Cue"], type=etype
            )
        )
    return out, warnings


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 ({exc.reason})", source=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", source=str(path)) from exc


def _read_stances(path: Path, event_ids: set[str]) -> dict[str, dict[str, str]]:
    stances: dict[str, dict[str, str]] = {}
    rows = csv.reader(_read(path).splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    for number, row in enumerate(rows, 1):
        where = f"{path}:{number}"
        if not row or not "".join(row).strip() or row[0].startswith("#"):
            continue
        if number == 1 and row[0].strip().lower() == "event_id":
            continue
        if len(row) != 3:
            raise InputError(f"expected event_id, target, label; got {row!r}", source=where)
        event, target, label = (c.strip() for c in row)
        if event not in event_ids:
            raise InputError(f"unknown attribution event {event!r}", source=where)
        if label.lower() not in STANCE_LABELS:
            raise InputError(f"stance label {label!r} not in {STANCE_LABELS}", source=where)
        if not target or target in stances.get(event, {}):
            raise InputError(f"empty or repeated target {target!r} for {event}", source=where)
        stances.setdefault(event, {})[target] = label.lower()
    return stances


def _metadata_annotators(root: Path) -> dict[str, tuple[str, ...]]:
    path = root / "metadata.tsv"
    if not path.is_file():
        return {}
    rows = csv.DictReader(_read(path).splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    return {
        row["filename"]: tuple(a for a in (row.get("annotators") or "").split("|") if a)
        for row in rows
        if row.get("filename")
    }


def _annotation_files(ann_dir: Path, stems: set[str]) -> dict[str, dict[str | None, Path]]:
    """Group .ann files by article stem: ``<stem>.ann`` or ``<stem>_<annotator>.ann``."""
    found: dict[str, dict[str | None, Path]] = {}
    for path in sorted(ann_dir.glob("*.ann")):
        name = path.name[: -len(".ann")]
        if name in stems:
            found.setdefault(name, {})[None] = path
            continue
        stem, _, annotator = name.rpartition("_")
        if not stem or stem not in stems:
            raise InputError("no article text for this annotation file", source=str(path))
        found.setdefault(stem, {})[annotator] = path
    return found


def read_gold_dir(path: Path, *, annotator: str | None = None) -> list[GoldDocument]:
    """Read every annotated article under ``path`` (polnear or flat layout), sorted by id."""
    path = Path(path)
    if not path.is_dir():
        raise InputError("gold directory does not exist", source=str(path))
    polnear = (path / "text").is_dir() and (path / "attributions").is_dir()
    text_dir, ann_dir = (path / "text", path / "attributions") if polnear else (path, path)
    texts = {p.name[: -len(".txt")]: p for p in text_dir.glob("*.txt")}
    groups = _annotation_files(ann_dir, set(texts))
    if not groups:
        raise InputError("no brat .txt/.ann pairs found", source=str(path))
    listed = _metadata_annotators(path)
    docs: list[GoldDocument] = []
    for stem in sorted(groups):
        files = groups[stem]
        names = sorted(a for a in files if a is not None)
        chosen: str | None
        if annotator is not None and annotator in files:
            chosen = annotator
        elif None in files:
            chosen = None
        else:
            preferred = [a for a in names if a in listed.get(stem, ())]
            chosen = (preferred or names)[0]
        ann_path = files[chosen]
        text = _read(texts[stem])
        attributions, warnings = read_ann(_read(ann_path), text, source=str(ann_path))
        base = ann_path.name[: -len(".ann")]
        for side in (ann_dir / f"{base}.stance.tsv", ann_dir / f"{stem}.stance.tsv"):
            if side.is_file():
                stances = _read_stances(side, {a.id for a in attributions})
                attributions = [
                    GoldAttribution(a.id, a.content, a.source, a.cue, stances.get(a.id, {}), a.type)
                    for a in attributions
                ]
                break
        docs.append(
            GoldDocument(stem, text, tuple(attributions), chosen, tuple(names), tuple(warnings))
        )
    return docs
