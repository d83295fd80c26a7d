"""Rich tables for an evaluation report: the presentation of :mod:`.scoring`'s numbers.

Kept apart from the metric code, which does not import it.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from claimstance.evaluation.scoring import PRF, EvalReport
from claimstance.evaluation.stance_score import StanceScores


def quote_table(report: EvalReport) -> Table:
    """Quote content P/R/F1, one row per (subset, level): narrow enough for any terminal."""
    table = _table("Quote content (micro)", "subset", "level", "P", "R", "F1", "gold", "pred")
    for subset, levels in report.total.quote.items():
        for index, (level, prf) in enumerate(levels.items()):
            table.add_row(
                subset if index == 0 else "",
                level,
                *(f"{x:.3f}" for x in (prf.precision, prf.recall, prf.f1)),
                str(prf.n_gold),
                str(prf.n_pred),
                end_section=index == len(levels) - 1,
            )
    return table


def report_tables(report: EvalReport, *, per_article: bool = False) -> list[Table]:
    """Every table of :func:`render_report`: quotes, attribution (+ stance), cue spans, kinds."""
    tot, t = report.total, report.attribution_threshold
    n = ", ".join(f"{s} {a['matched'].n}" for s, a in tot.attribution.items())
    subsets = list(tot.attribution)
    att_heads = [x for s in subsets for x in (s, "n")]
    att = _table(f"Attribution on quotes matched at overlap ≥ {t:g}", "", *att_heads)
    att.caption = f"matched quotes: {n}; n = those whose gold has a Source / a Cue"
    for what in ("speaker_exact", "speaker_overlap", "cue_exact", "cue_overlap"):
        cells = []
        for subset in subsets:
            acc = tot.attribution[subset].get(what)
            cells += [_fmt(acc.accuracy), str(acc.n)] if acc else ["—", "0"]
        att.add_row(what, *cells)
    levels = list(tot.quote.get("all", {}))
    kinds = _table("Precision by predicted kind", "kind", "n", *levels)
    for kind, by_level in tot.by_kind.items():
        row = [_fmt(by_level[lv].accuracy) for lv in levels]
        kinds.add_row(kind, str(by_level["exact"].n), *row)
    stance = tot.stance_report()
    att.caption += (
        "\nstance: absent (no gold stances)"
        if stance is None
        else f"\nstance macro-F1 {stance['macro_f1']:.3f} on {stance['n_evaluated']} "
        f"(gold target, matched quote) items; {stance['n_unmatched_gold']} on unmatched gold"
    )
    tables = [quote_table(report), att, _prf_table("Cue spans (micro)", tot.cue), kinds]
    if not per_article:
        return tables
    ov = f"overlap@{0.5:g}" if f"overlap@{0.5:g}" in levels else levels[-1]
    heads = ("article", "annotator", "gold", "pred", "exact F1", f"{ov} F1", "speech F1")
    per = _table("Per article", *heads, "speaker ov")
    for a in report.per_article:
        q = a.scores.quote
        per.add_row(
            a.doc_id[:40] + ("" if a.has_prediction else " (no prediction)"),
            a.annotator or "-",
            str(a.n_gold),
            str(a.n_pred),
            *(f"{x:.3f}" for x in (q["all"]["exact"].f1, q["all"][ov].f1, q["speech"][ov].f1)),
            _fmt(a.scores.attribution["all"]["speaker_overlap"].accuracy),
        )
    return [*tables, per]


def render_report(
    report: EvalReport, console: Console | None = None, *, per_article: bool = False
) -> None:
    console = console or Console()
    g = report.gold
    console.print(
        f"gold: {g['docs']} docs, {g['with_content']} attributions "
        f"({g['pct_direct']}% direct, {g['pct_speech']}% speech)"
    )
    for table in report_tables(report, per_article=per_article):
        console.print(table)
    for label, items in (
        ("articles without prediction (scored as empty)", report.missing_predictions),
        ("predictions for unknown articles (ignored)", report.unknown_predictions),
        ("warnings", report.warnings),
    ):
        if items:
            console.print(f"{label}: {len(items)}: " + "; ".join(items[:5]))


def render_stance_report(scores: StanceScores, console: Console | None = None) -> None:
    """The BASIL stance figures (see :mod:`.stance_score` for their definitions)."""
    console = console or Console()
    data = scores.to_json()
    table = _table("Stance on BASIL quoted spans", "measure", "value", "n")
    table.add_row("coverage", _fmt(data["coverage"]), f"{scores.covered}/{scores.gold}")
    table.add_row(
        "stance macro-F1 (favor/against)", _fmt(data["stance_macro_f1"]), str(scores.covered)
    )
    table.add_row("  favor F1", _fmt(data["f1"]["favor"]), "")
    table.add_row("  against F1", _fmt(data["f1"]["against"]), "")
    table.add_row(
        "macro-F1 where favor/against predicted",
        _fmt(data["stance_macro_f1_decided"]),
        str(data["decided"]),
    )
    table.add_row("speaker accuracy", _fmt(data["speaker_accuracy"]), str(scores.speakers))
    console.print(table)
    confusion = ", ".join(f"{c['gold']}→{c['pred']} {c['n']}" for c in data["confusion"])
    console.print(f"gold→predicted: {confusion}")
    if scores.missing_predictions:
        console.print(f"articles without prediction: {len(scores.missing_predictions)}")


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title)
    for i, col in enumerate(columns):
        table.add_column(col, justify="right" if i else "left")
    return table


def _prf_table(title: str, data: dict[str, dict[str, PRF]], caption: str | None = None) -> Table:
    table = _table(title, "level", *(f"{s} {m}" for s in data for m in ("P", "R", "F1")))
    table.caption = caption
    for level in next(iter(data.values()), {}):
        cells = (getattr(data[s][level], m) for s in data for m in ("precision", "recall", "f1"))
        table.add_row(level, *(f"{x:.3f}" for x in cells))
    return table
