"""Terminal rendering for the CLI: progress bars, answers, tables."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import votes
from .cite import citation, verdict_text
from .types import DIRECT, RELATED, Answer, Hit

STATUS_STYLE = {"added": "green", "updated": "cyan", "moved": "cyan", "unchanged": "dim",
                "skipped": "yellow", "removed": "magenta"}


@contextmanager
def progress_bar(console: Console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, int] = {}
        labels = {"read": "reading files", "embed": "embedding passages"}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total, rate="")
            task = bar.tasks[tasks[stage]]
            elapsed = task.elapsed or 0
            rate = f"{done / elapsed:.0f}/s" if elapsed > 0.5 and done else ""
            bar.update(tasks[stage], completed=done, total=total, rate=rate)

        yield update


def outcome_table(outcomes) -> Table:
    table = Table(title="Files", show_lines=False)
    for column in ("file", "outcome", "papers", "passages", "reason / note"):
        table.add_column(column)
    for item in outcomes:
        table.add_row(Text(item.name), Text(item.status, style=STATUS_STYLE.get(item.status, "")),
                      str(item.documents or ""), str(item.chunks or ""), Text(item.reason))
    return table


def highlighted(hit: Hit) -> Text:
    text = Text(hit.chunk.text)
    for start, end in hit.highlights:
        text.stylize("bold yellow", start, end)
    return text


def print_hit(console: Console, hit: Hit, number: int) -> None:
    console.print(Text(f"[{number}] ", style="bold") + Text(citation(hit.doc, hit.chunk),
                                                           style="cyan"))
    vote = votes.read_vote(hit.chunk.text)
    if vote:
        console.print(Text("Vote: " + votes.summary(vote), style="green"))
    console.print(highlighted(hit))
    for place in hit.also_at:
        console.print(Text(f"    also at {place.doc.committee}, {nice(place.doc.date)}: "
                           + citation(place.doc, place.chunk), style="dim"))
    for place in hit.also_in:
        console.print(Text("    also in: " + citation(place.doc, place.chunk), style="dim"))
    console.print()


def print_answer(console: Console, answer: Answer) -> None:
    reading = answer.query.reading()
    if reading:
        console.print(Text("Read as: " + "; ".join(f"{k}: {v}" for k, v in reading.items()),
                           style="dim"))
    if not answer.hits:
        console.print("No passages found.")
        return
    style = {DIRECT: "bold green", RELATED: "bold yellow"}.get(answer.verdict, "bold red")
    console.print(Text("{}. {}".format(*verdict_text(answer)), style=style))
    if answer.abstain:
        console.print(Text("Nearest passages (not a direct answer):", style="dim"))
    for number, hit in enumerate(answer.hits, start=1):
        print_hit(console, hit, number)


def print_precedents(console: Console, hits: list[Hit]) -> None:
    if not hits:
        console.print("No papers on this matter.")
    for number, hit in enumerate(hits, start=1):
        print_hit(console, hit, number)


def print_eval(console: Console, summaries: dict[str, dict], out_dir: Path,
               title: str = "") -> None:
    metrics = ["recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "ndcg@10"]
    table = Table(title=f"{title}: overall (answerable questions)" if title else
                  "Overall (answerable questions)")
    table.add_column("configuration")
    for metric in metrics + ["negatives abstained", "false abstentions"]:
        table.add_column(metric, justify="right")
    for name, summary in summaries.items():
        overall = summary["overall"]
        table.add_row(name, *[f"{overall[m]:.3f}" for m in metrics],
                      f"{summary['negatives_abstained']}/{summary['negatives']}",
                      f"{summary['false_abstentions']}/{summary['answerable']}")
    console.print(table)
    final = list(summaries)[-1]
    kinds = Table(title=f"{title + ': ' if title else ''}per kind ({final})")
    kinds.add_column("kind")
    kinds.add_column("n", justify="right")
    for metric in metrics:
        kinds.add_column(metric, justify="right")
    for kind, values in summaries[final]["per_kind"].items():
        kinds.add_row(kind, str(values["n"]), *[f"{values[m]:.3f}" for m in metrics])
    console.print(kinds)
    console.print(f"diagnostics, metrics and plot in {out_dir}/")


def library(index, unlocked: bool) -> dict:
    """`rag info --json`: the visible papers and the index's model and build time."""
    papers = [{**p, "date": p["date"].isoformat() if p["date"] else None}
              for p in index.papers(unlocked)]
    return {"model": index.manifest["model"], "dimension": index.manifest["dimension"],
            "built_at": index.manifest["built_at"], "papers": papers,
            "passages": sum(p["passages"] for p in papers)}


def print_info(console: Console, index, unlocked: bool) -> None:
    table = Table(title="Papers in the index")
    for column in ("title", "committee", "date", "meeting", "type", "item", "pages", "passages",
                   "file"):
        table.add_column(column)
    papers = index.papers(unlocked)
    for p in papers:
        table.add_row(Text(p["title"]), Text(p["committee"]), str(p["date"] or ""),
                      p["meeting"], p["doc_type"], p["agenda_item"], str(p["pages"] or ""),
                      str(p["passages"]), Text(p["source"]))
    console.print(table)
    manifest = index.manifest
    size = sum(f.stat().st_size for f in index.build.rglob("*") if f.is_file())
    # the size would hint at hidden papers
    size_note = f"index {size / 1e6:.1f} MB; " if unlocked else ""
    console.print(f"model: {manifest['model']} ({manifest['dimension']} dimensions); "
                  f"{len(papers)} papers, {sum(p['passages'] for p in papers)} passages; "
                  f"{size_note}built {manifest['built_at']}")


def nice(when) -> str:
    return f"{when.day} {when:%B %Y}" if when else "undated"
