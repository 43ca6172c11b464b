"""The `rag` command: the only place that prints, shows progress and reports errors."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from . import config
from .errors import RagError
from .loading import Limits

INDEX_OPTION = click.option("--index", "index_dir", type=click.Path(path_type=Path),
                            default=config.index_dir, show_default="$RAG_INDEX or index",
                            help="Index folder.")
KEY_OPTION = click.option("--key", default=config.cli_key, show_default="$RAG_KEY",
                          help="Member credential that unlocks restricted papers.")


def console():
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 120)


class FriendlyGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RagError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=FriendlyGroup)
@click.version_option(package_name="committee-papers-qa")
def main():
    """Question answering with citations over committee papers."""


@main.command(name="ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@INDEX_OPTION
@click.option("--access", type=click.Choice(["public", "restricted"]), default="public",
              help="Access level for the papers ingested now.")
@click.option("--rebuild", is_flag=True, help="Ignore the existing index and embed everything.")
@click.option("--remove", multiple=True, help="Remove this file (by name) from the index.")
@click.option("--max-mb", type=click.FloatRange(min=0, min_open=True),
              default=Limits.max_bytes / 2**20, show_default=True, envvar="RAG_MAX_MB",
              help="Skip files larger than this.")
@click.option("--max-pages", type=click.IntRange(min=1), default=Limits.max_pages,
              show_default=True, envvar="RAG_MAX_PAGES",
              help="Skip PDFs with more pages than this.")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True),
              default=Limits.max_seconds, show_default=True, envvar="RAG_MAX_SECONDS",
              help="Give up on a file that takes longer than this to read.")
@click.option("--workers", type=click.IntRange(min=0), default=0, envvar="RAG_WORKERS",
              help="Embed on this many Ray workers (0: in this process).")
def ingest_command(paths, index_dir, access, rebuild, remove, max_mb, max_pages, max_seconds,
                   workers):
    """Add papers (files or folders; default corpus/) to the index."""
    fresh = rebuild or not (index_dir or config.index_dir()).joinpath("current").exists()
    if fresh and not workers:
        from .embedding import preload_encoder

        preload_encoder()  # every file will be embedded: load the model while ingest imports
    from .ingest import ingest
    from .terminal import outcome_table, progress_bar

    paths = list(paths) or [config.corpus_dir()]
    limits = Limits(max_bytes=int(max_mb * 1024 * 1024), max_pages=max_pages,
                    max_seconds=max_seconds)
    out = console()
    started = time.perf_counter()
    with progress_bar(out) as progress:
        report = ingest(paths, index_dir, access=access, rebuild=rebuild,
                            remove=list(remove), limits=limits, progress=progress,
                            workers=workers)
    elapsed = time.perf_counter() - started
    for leftover in report.swept:
        out.print(f"removed {leftover}, left by an interrupted or failed ingest")
    out.print(outcome_table(report.outcomes))
    state = "index updated" if report.published else "index unchanged"
    out.print(f"{state}: {report.chunks} passages, {report.embedded} embedded, "
              f"{elapsed:.1f} s")


@main.command(name="ask")
@click.argument("question")
@click.option("--k", default=5, show_default=True, help="Passages to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@INDEX_OPTION
@KEY_OPTION
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only papers from this date.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Only papers up to this date.")
@click.option("--committee", multiple=True,
              help="Only papers of this committee (any case; a unique part of its name will do).")
@click.option("--doc-type", multiple=True,
              help="Only this document type (e.g. minutes; a unique part will do).")
def ask_command(question, k, as_json, index_dir, key, since, until, committee, doc_type):
    """Answer QUESTION with cited passages."""
    from .ask import open_session, search
    from .cite import answer_json
    from .terminal import print_answer
    from .types import Filters

    if not question.strip():
        raise click.BadParameter("the question is empty: ask something, e.g. "
                                 "rag ask \"Who won the school meals contract?\"",
                                 param_hint="QUESTION")
    index, encoder, unlocked = open_session(index_dir, key)
    docs = index.visible_docs(unlocked)
    committees = [choose("committee", c, {d.committee for d in docs}, "--committee")
                  for c in committee]
    doc_types = [choose("document type", t, {d.doc_type for d in docs}, "--doc-type")
                 for t in doc_type]
    filters = Filters(since.date() if since else None, until.date() if until else None,
                      tuple(committees), tuple(doc_types))
    answer = search(index, encoder, question, k=k, filters=filters, unlocked=unlocked)
    if as_json:
        click.echo(json.dumps(answer_json(answer), indent=2, ensure_ascii=False))
    else:
        print_answer(console(), answer)


def choose(kind: str, given: str, valid: set[str], option: str) -> str:
    """The valid value `given` names: itself in any case, or the one value it starts or is
    part of; otherwise a usage error with a suggestion and the values there are."""
    import difflib

    valid = {v for v in valid if v}
    wanted = given.strip().casefold()
    exact = [v for v in valid if v.casefold() == wanted]
    near = exact or [v for v in valid if wanted and wanted in v.casefold()]
    if len(near) == 1:
        if not exact:
            click.echo(f"{option} {given!r} read as {near[0]!r}", err=True)
        return near[0]

    def likeness(value: str) -> float:  # to the whole value or one of its words
        return max(difflib.SequenceMatcher(None, wanted, part).ratio()
                   for part in [value.casefold(), *value.casefold().split()])

    near = near or [v for v in valid if likeness(v) >= 0.75]
    hint = f"; did you mean {' or '.join(repr(v) for v in sorted(near))}?" if near else "."
    raise click.BadParameter(f"no {kind} {given!r}{hint} Valid values: "
                             + "; ".join(sorted(valid)), param_hint=option)


@main.command(name="precedents")
@click.argument("text")
@click.option("--limit", default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@INDEX_OPTION
@KEY_OPTION
def precedents_command(text, limit, as_json, index_dir, key):
    """Earlier papers on the same matter as TEXT (a question or a passage), by date."""
    from .ask import open_session, precedents
    from .cite import hit_json
    from .terminal import print_precedents

    index, encoder, unlocked = open_session(index_dir, key)
    hits = precedents(index, encoder, text, limit=limit, unlocked=unlocked)
    if as_json:
        click.echo(json.dumps({"text": text, "papers": [hit_json(h, i) for i, h in
                                                        enumerate(hits, start=1)]},
                              indent=2, ensure_ascii=False))
    else:
        print_precedents(console(), hits)


@main.command(name="serve")
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes, each with its own copy of the index (one per core).")
def serve_command(index_dir, host, port, workers):
    """Answer over HTTP: /ask, /precedents, /papers, /health (schema at /docs)."""
    from .layout import current_build
    from .serve import serve

    current_build(index_dir)  # no index: one line now, not an error on every request
    serve(index_dir, host, port, workers)


@main.command(name="eval")
@click.argument("questions", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option("--set", "sets", multiple=True, metavar="NAME=QUESTIONS@FOLDER",
              help="A question set over its own papers, indexed under --out; repeat to "
                   "compare councils side by side (e.g. other=eval/other-councils.jsonl@DIR).")
@click.option("--k", default=10, show_default=True)
@click.option("--results", type=click.Path(path_type=Path),
              help="Write one JSON line per question (full configuration).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--configs",
              default="bm25,dense,hybrid-linear,hybrid,+reading,+rerank,full,+learned",
              show_default=True,
              help="Configurations to compare, comma-separated.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("eval/results"),
              show_default=True, help="Folder for diagnostics, plots and set indexes.")
@INDEX_OPTION
def eval_command(questions, sets, k, results, as_json, configs, out_dir, index_dir):
    """Score retrieval on gold QUESTIONS (default: the bundled council's, over --index)."""
    from eval.compare import CONFIGURATIONS
    from eval.sets import HF, QuestionSet, parse_set, score_set

    from .terminal import print_eval

    names = [n.strip() for n in configs.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONFIGURATIONS]
    if unknown:
        raise click.BadParameter(f"unknown configuration(s) {', '.join(unknown)}; choose from "
                                 f"{', '.join(CONFIGURATIONS)}", param_hint="--configs")
    try:
        chosen = [parse_set(spec) for spec in sets]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from None
    files = tuple(questions) or tuple(Path(p) for p in HF.split(",") if Path(p).exists())
    chosen = chosen or [QuestionSet("hf", files, Path())]
    report = {}
    for qset in chosen:
        report[qset.name] = score_set(qset, names, k, out_dir, index_dir if not sets else None,
                                      results if qset is chosen[0] else None)
    if as_json:
        click.echo(json.dumps(report if sets else report[chosen[0].name], indent=2))
    else:
        for name, summaries in report.items():
            print_eval(console(), summaries, out_dir / name if sets else out_dir,
                       title=name if sets else "")


@main.command()
@INDEX_OPTION
@KEY_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def info(index_dir, key, as_json):
    """What the index holds: papers, model, size, when built."""
    from .access import unlocks
    from .backend import open_index
    from .terminal import library, print_info

    index = open_index(index_dir)
    if as_json:
        click.echo(json.dumps(library(index, unlocks(key)), indent=2, ensure_ascii=False))
    else:
        print_info(console(), index, unlocks(key))


@main.command()
@INDEX_OPTION
@KEY_OPTION
def check(index_dir, key):
    """Verify the index: FAISS, BM25, embeddings and SQLite agree; the manifest matches."""
    from .access import unlocks
    from .check import check_index

    report = check_index(index_dir)
    for line in report.lines(unlocks(key)):
        click.echo(line)
    if not report.ok:
        sys.exit(1)


@main.command(name="bench")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option("--sizes", default="1000,10000,100000", show_default=True,
              help="Synthetic index sizes in chunks, comma-separated.")
@click.option("--with-1m", "with_1m", is_flag=True,
              help="Also measure 1,000,000 chunks (20+ minutes, about 2.5 GB of memory).")
@click.option("--corpus", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=config.corpus_dir, show_default="$RAG_CORPUS or corpus",
              help="Papers to ingest and sample.")
@click.option("--no-peer", is_flag=True, help="Skip the LlamaIndex peer.")
def bench_command(as_json, sizes, with_1m, corpus, no_peer):
    """Measure speed: the model's bound, ingest, ask latency by index size, a LlamaIndex peer."""
    from rich.console import Console

    from eval.bench import bench_table, run

    try:
        numbers = [int(s) for s in sizes.replace("_", "").split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter("sizes are whole numbers, e.g. 1000,10000",
                                 param_hint="--sizes") from None
    numbers += [1_000_000] if with_1m and 1_000_000 not in numbers else []
    status = Console(stderr=True, highlight=False)
    result = run(corpus, numbers, peer=not no_peer,
                       progress=lambda stage: status.print(f"[dim]{stage}…[/dim]"))
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        console().print(bench_table(result))


if __name__ == "__main__":
    sys.exit(main())
