"""Reports of a run: JSON for machines, Markdown for people, an HTML page with charts and the worst lines;
and the deltas against an earlier JSON report."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jinja2

from eval.confidence import confidence_summary
from eval.runner import RowResult

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
)
WORST_SHOWN = 10
_COMPARED = ("bleu", "chrf", "chrf++")
_NO_GLOSSARY_NOTE = (
    "Run with `--no-glossary`: the suite's own glossaries were left out; only the service's built-in "
    "and automatic renderings applied."
)

_EXAMPLES_NOTE = (
    "Run with `--examples-pool`: instruction models were shown examples like each document from the WMT "
    "newstest2017-2018 pool."
)


def row_summary(row: RowResult) -> dict[str, Any]:
    fresh = row.translated > 0 and row.cached == 0
    return {
        "name": row.name,
        "lines": row.lines,
        "bleu": row.scores.bleu,
        "chrf": row.scores.chrf,
        "chrf++": row.scores.chrf_plus_plus,
        "checks": row.checks,
        "glossary": (
            {"terms": row.glossary_terms, "applied": row.glossary_applied} if row.glossary_terms else None
        ),
        "names": name_accuracy(row),
        "confidence": confidence_summary(row.results),
        "seconds": row.seconds,
        "generated_tokens": row.generated_tokens,
        # Only when every output was made in this run: cached ones took no time now.
        "tokens_per_second": round(row.generated_tokens / row.seconds, 1) if fresh and row.seconds else None,
        "translated": row.translated,
        "cached": row.cached,
    }


def name_accuracy(row: RowResult) -> dict[str, Any] | None:
    """Of the pinyin names the references write, how many the outputs write too (rows with names)."""
    if not row.names_total:
        return None
    percent = round(100 * row.names_found / row.names_total, 2)
    return {"found": row.names_found, "total": row.names_total, "accuracy": percent}


def build_report(
    meta: dict[str, Any], rows: list[RowResult], bullets: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        **meta,
        "signatures": rows[0].scores.signatures if rows else {},
        "rows": [{**row_summary(row), "segments": [asdict(line) for line in row.results]} for row in rows],
        "noise": noise_effect(rows) if meta.get("suite") == "noisy" else None,
        "bullets": bullets,
    }


def noise_effect(rows: list[RowResult]) -> dict[str, dict[str, float]]:
    """For the noisy suite (rows: clean, noisy cleaned, noisy as received): what noise costs when the
    input goes to the model as received, what cleaning wins back, and what is still lost after cleaning."""
    clean, cleaned, received = (row.scores for row in rows)

    def delta(metric: str, high: Any, low: Any) -> float:
        return round(getattr(high, metric) - getattr(low, metric), 2)

    return {
        metric: {
            "cost_of_noise": delta(metric, clean, received),
            "won_back_by_cleaning": delta(metric, cleaned, received),
            "still_lost": delta(metric, clean, cleaned),
        }
        for metric in ("bleu", "chrf")
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# gazette eval: {report['suite']}",
        "",
        f"{report['description']}. Profile `{report['profile']}`, model `{report['model']}`, "
        f"limit {report['limit'] or 'none'}, wall time {report['seconds']:.1f} s.",
        "",
        *((_NO_GLOSSARY_NOTE, "") if report.get("no_glossary") else ()),
        *((_EXAMPLES_NOTE, "") if report.get("examples_pool") else ()),
        "| row | lines | BLEU | chrF | chrF++ | checks fired (lines) | glossary applied | seconds | tokens/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        checks = ", ".join(f"{code} {count}" for code, count in row["checks"].items()) or "none"
        glossary = row["glossary"]
        applied = f"{glossary['applied']}/{glossary['terms']}" if glossary else "n/a"
        speed = row["tokens_per_second"] or ("cached" if row["cached"] else "n/a")
        lines.append(
            f"| {row['name']} | {row['lines']} | {row['bleu']:.2f} | {row['chrf']:.2f} | {row['chrf++']:.2f} "
            f"| {checks} | {applied} | {row['seconds']:.1f} | {speed} |"
        )
    lines += _name_lines(report["rows"])
    lines += _confidence_lines(report["rows"])
    if report.get("noise"):
        lines += [
            "",
            "| noise | cost (clean − as received) | won back by cleaning | still lost |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {metric} | {n['cost_of_noise']:+.2f} | {n['won_back_by_cleaning']:+.2f} | {n['still_lost']:+.2f} |"
            for metric, n in report["noise"].items()
        ]
    if report.get("bullets"):
        lines += ["", "## Bullets", "", *_bullet_lines(report["bullets"])]
    lines += [
        "",
        f"sacrebleu: BLEU `{report['signatures'].get('bleu', '')}`, chrF `{report['signatures'].get('chrf', '')}`",
    ]
    return "\n".join(lines) + "\n"


def _name_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The rows' name accuracy, as a table of its own: only the names suite has any."""
    named = [row for row in rows if row.get("names")]
    if not named:
        return []
    return [
        "",
        "| row | names found | name accuracy |",
        "|---|---|---|",
        *(
            f"| {row['name']} | {row['names']['found']}/{row['names']['total']} "
            f"| {row['names']['accuracy']:.1f}% |"
            for row in named
        ),
    ]


def _confidence_lines(rows: list[dict[str, Any]]) -> list[str]:
    """How well each row's segment confidence ranks its lines by sentence chrF."""
    rated = [row for row in rows if row.get("confidence")]
    if not rated:
        return []
    lines = [
        "",
        "| row | confidence: Spearman with sentence chrF | lines | mean | low (< 0.45) | chrF low / other |",
    ]
    lines.append("|---|---|---|---|---|---|")
    for row in rated:
        c = row["confidence"]
        rho = "n/a" if c["spearman"] is None else f"{c['spearman']:.3f} (p {c['p_value']})"
        lines.append(
            f"| {row['name']} | {rho} | {c['lines']} | {c['mean']:.3f} | {c['low']} "
            f"| {c['low_chrf']} / {c['other_chrf']} |"
        )
    return lines


def _bullet_lines(bullets: dict[str, Any]) -> list[str]:
    rouge = bullets.get("rouge") or {}
    cited, wanted = bullets["reference_lines_cited"], bullets["reference_lines"]
    out = [
        f"{len(bullets['bullets'])} bullets ({bullets['requested']} asked); problems found by the "
        f"evaluation's own checks: {bullets['problems'] or 'none'}; regenerated {bullets['regenerated']}, replaced by an extract "
        f"{bullets['replaced']}, dropped {bullets['dropped']}; reference bullets' source lines cited: "
        f"{len(cited)}/{len(wanted)} {cited}; ROUGE-1/2/L {rouge.get('rouge1')} / {rouge.get('rouge2')} / "
        f"{rouge.get('rougeL')}; {bullets['seconds']:.1f} s, {bullets['generated_tokens']} tokens.",
        "",
    ]
    out += [
        f"- {b['text']} ({', '.join(b['sources'])}; {b['words']} words; {b['origin']})"
        + (f" **{'; '.join(b.get('notes') or b['problems'])}**" if b["problems"] else "")
        for b in bullets["bullets"]
    ]
    return out


def html(report: dict[str, Any]) -> str:
    rows = []
    for row in report["rows"]:
        worst = sorted(row["segments"], key=lambda line: line["chrf"])[:WORST_SHOWN]
        histogram = [0] * 10
        for line in row["segments"]:
            histogram[min(int(line["chrf"] // 10), 9)] += 1
        rows.append({**row, "worst": worst, "histogram": histogram})
    return _TEMPLATES.get_template("report.html.j2").render(report=report, rows=rows)


def write_reports(report: dict[str, Any], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{report['suite']}"
    paths = [directory / f"{stem}.json", directory / f"{stem}.md", directory / f"{stem}.html"]
    paths[0].write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(markdown(report), encoding="utf-8")
    paths[2].write_text(html(report), encoding="utf-8")
    return paths


def compare(report: dict[str, Any], old: dict[str, Any]) -> str:
    """Per row present in both: each score's change, and each check's change in lines fired."""
    before = {row["name"]: row for row in old.get("rows", [])}
    out = [
        f"compared with {old.get('created', 'an earlier run')} ({old.get('profile')}, {old.get('model')}):"
    ]
    for row in report["rows"]:
        previous = before.get(row["name"])
        if previous is None:
            out.append(f"  {row['name']}: not in the earlier report")
            continue
        scores = ", ".join(f"{metric} {row[metric] - previous[metric]:+.2f}" for metric in _COMPARED)
        if row.get("names") and previous.get("names"):  # reports from before names were scored lack them
            scores += f", name accuracy {row['names']['accuracy'] - previous['names']['accuracy']:+.2f}"
        codes = sorted(set(row["checks"]) | set(previous["checks"]))
        changed = [
            f"{code} {row['checks'].get(code, 0) - previous['checks'].get(code, 0):+d}"
            for code in codes
            if row["checks"].get(code, 0) != previous["checks"].get(code, 0)
        ]
        out.append(f"  {row['name']}: {scores}; checks: {', '.join(changed) or 'unchanged'}")
    return "\n".join(out)
