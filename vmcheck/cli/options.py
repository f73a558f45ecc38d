"""Options and settings shared by the commands: the config file first, then the command line on top."""

from __future__ import annotations

from pathlib import Path

import click

from vmcheck.errors import VmcheckError
from vmcheck.findings import ruleset as rulesets
from vmcheck.run import config as configuration

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


def resolved_config(config_path, rule_folders=(), rule_overrides=(), packs=(), **cli_values):
    """Config file first, then the command line on top; resolved once before the first file."""
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


def load_rules(config):
    return rulesets.load([Path(p) for p in config["rule_folders"]], config["rules"], config["packs"])


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (default: nearest vmcheck.toml or [tool.vmcheck] in pyproject.toml).",
)
rules_option = click.option("--rules", "rule_folders", multiple=True, type=click.Path(file_okay=False), help="Extra rule folder (repeatable).")
override_option = click.option(
    "--rule",
    "rule_overrides",
    multiple=True,
    metavar="ID=LEVEL",
    help="Switch a rule or pack off, or re-level it: Core.Hedging=off, Core.NameLate=error.",
)
pack_option = click.option(
    "--pack", "packs", multiple=True, metavar="NAME", help="Switch on a built-in compliance pack: TCPA, RegF, HIPAA (repeatable)."
)
