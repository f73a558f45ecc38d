"""`vmcheck rules`: the rules and vocabularies in force, one rule explained, and the rule files' own examples."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from vmcheck.cli.options import EXIT_FAILED, EXIT_OK, config_option, load_rules, override_option, pack_option, resolved_config, rules_option
from vmcheck.findings.ruletest import run_examples


@click.group(invoke_without_command=True)
@config_option
@rules_option
@override_option
@pack_option
@click.pass_context
def rules(ctx, config_path, rule_folders, rule_overrides, packs) -> None:
    """List the rules in force (built-in packs, your folders, your overrides)."""
    config = resolved_config(config_path, rule_folders, rule_overrides, packs)
    ctx.obj = load_rules(config)
    ctx.meta["vmcheck.every_pack"] = lambda: load_rules(resolved_config(config_path, rule_folders, rule_overrides, (*packs, *ctx.obj.packs_off)))
    if ctx.invoked_subcommand is None:
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
