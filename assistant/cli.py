"""`assistant ingest / status / ask / chat / ui / eval`: a thin shell over the API that maps errors to messages."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from .api import USER_ERRORS, Answer, Assistant
from .config import Settings
from .markers import marker
from .validation import latest_turns


def _clean_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Library errors become one-line messages with a non-zero exit, never tracebacks."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except USER_ERRORS as error:
            raise click.ClickException(str(error)) from error

    return wrapper


def _settings(sources: Path | None, index: Path | None, llm: str | None = None) -> Settings:
    overrides: dict[str, Any] = {}
    if sources is not None:
        overrides["sources_dir"] = sources
    if index is not None:
        overrides["index_dir"] = index
    if llm is not None:
        overrides["llm"] = llm
    return Settings(**overrides)


LLM_CHOICES = click.Choice(["none", "local", "openai", "ollama"])
llm_option = click.option("--llm", type=LLM_CHOICES, default=None,
                          help="Who writes answers (default: the llm setting, ASSISTANT_LLM; none = extractive).")


source_options = [
    click.option("--sources", type=click.Path(path_type=Path, file_okay=False), help="Documents folder."),
    click.option("--index", type=click.Path(path_type=Path, file_okay=False), help="Index folder."),
]


def with_locations(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(source_options):
        command = option(command)
    return command


@click.group()
@click.version_option(package_name="sources-assistant")
def main() -> None:
    """Ask questions about a folder of documents; every answer cites its sources."""


@main.command()
@with_locations
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@_clean_errors
def ingest(sources: Path | None, index: Path | None, as_json: bool) -> None:
    """Index new and changed documents, drop deleted ones; unchanged files embed nothing."""
    report = Assistant(_settings(sources, index)).ingest(show_progress=not as_json and sys.stderr.isatty(),
                                                         on_wait=lambda message: click.echo(message, err=True))
    if as_json:
        click.echo(json.dumps({k: v for k, v in report.to_dict().items() if k != "seconds"}))
        return
    for label, names in (("added", report.added), ("updated", report.updated), ("removed", report.removed),
                         ("unchanged", report.unchanged)):
        click.echo(f"{label:>10}: {len(names)}" + (f"  ({', '.join(names)})" if names and label != "unchanged" else ""))
    click.echo(f"{'skipped':>10}: {len(report.skipped)}")
    for skipped in report.skipped:
        click.echo(f"            {skipped.source}: {skipped.reason}")
    click.echo(f"chunks embedded: {report.chunks_embedded} in {report.seconds:.1f}s")


@main.command()
@with_locations
@click.option("--json", "as_json", is_flag=True)
@_clean_errors
def status(sources: Path | None, index: Path | None, as_json: bool) -> None:
    """Show what is indexed: documents, chunks, embedder and store."""
    info = Assistant(_settings(sources, index)).status()
    if as_json:
        click.echo(json.dumps(asdict(info)))
        return
    click.echo(f"store: {info.store}\nembedder: {info.embedder}\ndocuments: {len(info.documents)}\n"
               f"chunks: {info.chunks}")
    for source, count in info.documents.items():
        click.echo(f"  {count:>5}  {source}")


@main.command()
@click.argument("question")
@with_locations
@llm_option
@click.option("--json", "as_json", is_flag=True, help="Print {text, refused, citations} as JSON.")
@_clean_errors
def ask(question: str, sources: Path | None, index: Path | None, llm: str | None, as_json: bool) -> None:
    """Answer one QUESTION from the indexed sources."""
    bot = Assistant(_settings(sources, index, llm))
    answer = bot.ask(question) if as_json else _streamed(bot, question, [])
    if answer.notice and not as_json:
        click.echo(f"Note: {answer.notice}", err=True)
    click.echo(json.dumps(answer.to_dict(), ensure_ascii=False) if as_json else format_answer(answer))


def _streamed(bot: Assistant, question: str, history: list[tuple[str, str]]) -> Answer:
    """Ask, showing an LLM's draft live on a terminal (dimmed, 'checking' while verified); returns the answer."""
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    from .phrases import CHECKING

    console = Console(stderr=True)
    if not console.is_terminal or not bot.generative:
        return bot.ask(question, history=history)
    with Live(Text(""), console=console, transient=True, refresh_per_second=8) as live:
        for event in bot.ask_stream(question, history=history):
            if isinstance(event, Answer):
                return event
            note = CHECKING if event.name == "checking" else "draft, not yet checked"
            live.update(Text.assemble((event.draft, "dim"), ("\n(" + note + ")", "italic dim")))
    raise RuntimeError("the answer stream ended without an answer")


@main.command()
@with_locations
@llm_option
@_clean_errors
def chat(sources: Path | None, index: Path | None, llm: str | None) -> None:
    """A conversation in the terminal; follow-up questions use the earlier turns. Empty line or Ctrl-D ends it.

    A turn that fails (a bad line, the store unreachable) prints its message and the conversation goes on.
    """
    bot = Assistant(_settings(sources, index, llm))
    bot.check_llm()
    settings = bot.settings
    if hasattr(sys.stdin, "reconfigure"):  # undecodable bytes reach the checks as lone surrogates, not a crash
        sys.stdin.reconfigure(errors="surrogateescape")
    history: list[tuple[str, str]] = []
    while True:
        try:
            question = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            break
        if not question.strip():
            break
        try:
            answer = _streamed(bot, question, list(latest_turns(history, settings.max_history_turns,
                                                                settings.max_history_chars)))
        except USER_ERRORS as error:
            click.echo(f"Error: {error}", err=True)
            continue
        if answer.notice:
            click.echo(f"Note: {answer.notice}", err=True)
        click.echo(format_answer(answer) + "\n")
        history.append((question, answer.text))


@main.command()
@with_locations
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; keep loopback unless you set --auth.")
@click.option("--port", default=7860, show_default=True, type=int)
@click.option("--auth", default=None, metavar="USER:PASS", help="Require this login.")
@click.option("--no-ingest", is_flag=True, help="Skip indexing new or changed sources before starting.")
@llm_option
@_clean_errors
def ui(sources: Path | None, index: Path | None, host: str, port: int, auth: str | None, no_ingest: bool,
       llm: str | None) -> None:
    """Open the chat in the browser (indexes new or changed sources first)."""
    from .ui import launch

    bot = Assistant(_settings(sources, index, llm))
    bot.check_llm()
    if not no_ingest:
        report = bot.ingest(show_progress=sys.stderr.isatty(), on_wait=lambda message: click.echo(message, err=True))
        click.echo(f"indexed: {len(report.added)} added, {len(report.updated)} updated, "
                   f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped")
    launch(bot, host=host, port=port, auth=auth)


@main.command("eval")
@click.option("--corpus", "corpora", multiple=True, metavar="NAME",
              help="Eval corpus under evals/corpora (repeatable; default: all of them).")
@click.option("--gold", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="A gold file of your own instead of the corpora (use with --sources).")
@with_locations
@click.option("--json", "as_json", is_flag=True, help="Print aggregates, checker validation and gate failures as JSON.")
@click.option("--gate", is_flag=True, help="Exit non-zero when a metric is outside the corpus's thresholds.toml.")
@click.option("--thresholds", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="Thresholds TOML for --gold runs (implies --gate).")
@click.option("--report-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where each corpus's items.json, report.md and charts go, and summary.md "
                   "[default: evals/reports, or evals/reports-llm-NAME with --llm NAME].")
@llm_option
@click.option("--sample", type=click.IntRange(min=1), default=None,
              help="Ask only this many gold questions per corpus, spread evenly over each gold file (slow LLMs).")
@_clean_errors
def eval_command(corpora: tuple[str, ...], gold: Path | None, sources: Path | None, index: Path | None, as_json: bool,
                 gate: bool, thresholds: Path | None, report_dir: Path | None, llm: str | None,
                 sample: int | None) -> None:
    """Ask every gold question of each corpus, score answers and citations, write reports; --gate fails CI.

    Each corpus is indexed into index/evals/NAME (incremental, so a re-run embeds nothing new).
    """
    from . import evaluation
    from .corpora import Corpus, select

    defaults = Settings()
    backend = llm or defaults.llm
    if report_dir is None:  # one folder per way of answering, so no run overwrites another's reports
        judged = "-verify-llm" if defaults.verify == "llm" else ""
        report_dir = Path("evals/reports") if backend == "none" else Path(f"evals/reports-llm-{backend}{judged}")

    if gold is not None:
        runs = [Corpus("custom", "", sources or defaults.sources_dir, gold, thresholds)]
        gate = gate or thresholds is not None
    else:
        runs = select(corpora)
    import tempfile

    outcomes = []
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as scratch:
        for corpus in runs:
            if not corpus.fetched:
                raise click.ClickException(f"corpus {corpus.name} has no documents in {corpus.sources_dir}: "
                                           "run `python evals/fetch_corpora.py` (or `make corpora`) first")
            # A gold file of your own is indexed into a temporary folder; corpora keep theirs between runs.
            location = index or (Path(scratch) if gold is not None else Path("index") / "evals" / corpus.name)
            result = evaluation.run(_settings(corpus.sources_dir, location, llm), corpus.gold,
                                    pairs_path=Path("evals/support_pairs.jsonl"), progress=not as_json,
                                    sample=sample)
            limits = evaluation.load_thresholds(corpus.thresholds) if gate and corpus.thresholds else None
            failures = evaluation.check_gate(result, limits) if limits else []
            if gate and (result.aggregates.get("unsupported_shown") or 0) > 0:
                failures.append(f"unsupported_shown = {result.aggregates['unsupported_shown']:g}: every sentence "
                                "shown must be supported by its citations")
            paths = evaluation.write_report(result, report_dir if gold is not None else report_dir / corpus.name)
            outcomes.append((corpus.name, result, limits, failures, paths))
    summary = evaluation.write_summary([(name, result, failures) for name, result, _, failures, _ in outcomes],
                                       report_dir / "summary.md")
    if as_json:
        results = {name: {**result.to_dict(), "gate_failures": failures, "report": str(paths["report"])}
                   for name, result, _, failures, paths in outcomes}
        click.echo(json.dumps(results["custom"] if gold is not None else results))
    else:
        from rich.console import Console

        console = Console()
        for name, result, limits, _, paths in outcomes:
            console.print(evaluation.summary_table(result, limits, title=name))
            click.echo(f"report: {paths['report']}")
        click.echo(f"summary: {summary}")
    failed = [f"{name}: {'; '.join(failures)}" for name, _, _, failures, _ in outcomes if failures]
    if failed:
        raise click.ClickException("gate failed: " + " | ".join(failed))


def format_answer(answer: Answer) -> str:
    """The answer text followed by its numbered sources."""
    lines = [answer.text]
    if answer.citations:
        lines.append("")
        lines.append("Related passages:" if answer.refused else "Sources:")
        for c in answer.citations:
            where = f"{c.title} ({c.publication})" if c.publication else c.title
            lines.append(f"{marker(c.n)} {where} — {c.source}:{c.start}-{c.end}\n    “{c.quote}”")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
