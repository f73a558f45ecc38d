"""Vocabularies as data: the built-in lists, a user's folder adding to them and changing a verdict, and clear errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from vmcheck.cli.main import cli
from vmcheck.errors import VmcheckError
from vmcheck.findings import ruleset as rules
from vmcheck.paths import builtin_rules_dir
from vmcheck.run import pipeline
from vmcheck.run.config import Settings
from vmcheck.transcript.textmode import from_text

COURSE = """company_names:
  accept: [Qorvix]
team_names:
  accept:
    - Siobhan Okonkwo
standalone_fillers:
  accept: ["right?"]
"""


def _course(tmp_path, text: str = COURSE):
    folder = tmp_path / "Course"
    (folder / "vocab").mkdir(parents=True, exist_ok=True)
    (folder / "vocab" / "team.yml").write_text(text)
    return folder


def _fired(text: str, folders=()) -> set[str]:
    result = pipeline.judge("x", from_text(text), None, rules.load(folders), Settings())
    return {f.rule for f in result.findings}


def test_an_unusual_company_name_on_the_accept_list_is_recognised(tmp_path):
    text = "Hi, this is Dana with qorvix. Please call me back at 312-555-0147 by Friday. Again, 312-555-0147. Thanks."
    assert "Core.CompanyMissing" in _fired(text)
    assert "Core.CompanyMissing" not in _fired(text, [_course(tmp_path)])


def test_a_course_filler_is_counted(tmp_path):
    text = (
        "Hi, this is John Miller from Acme Insurance. The renewal, right? It is due Friday, right? And the rate went up,"
        " right? Please call me back at 312-555-0147 by Friday. Again, 312-555-0147. Thanks."
    )
    assert "Core.TooManyFillers" not in _fired(text)
    assert "Core.TooManyFillers" in _fired(text, [_course(tmp_path)])


def test_a_team_name_heard_wrong_did_not_come_through(tmp_path):
    text = "Hi, this is Siobhan Okonquo from Acme Insurance. Please call me back at 312-555-0147 by Friday. Thanks."
    assert "Core.KnownNameMisheard" not in _fired(text)
    assert "Core.KnownNameMisheard" in _fired(text, [_course(tmp_path)])
    assert "Core.KnownNameMisheard" not in _fired(text.replace("Okonquo", "Okonkwo"), [_course(tmp_path)])


def test_every_word_says_where_it_came_from(tmp_path):
    folder = _course(tmp_path)
    loaded = rules.load([folder])
    [added] = loaded.vocab["team_names"].entries
    assert added.text == "Siobhan Okonkwo" and added.source == f"{folder / 'vocab' / 'team.yml'}:5"
    assert all(e.source.startswith(str(builtin_rules_dir())) for e in loaded.vocab["fillers"].entries)
    listing = CliRunner().invoke(cli, ["rules", "--rules", str(folder), "vocab", "team_names"])
    assert listing.exit_code == 0 and f"Siobhan Okonkwo  [{folder / 'vocab' / 'team.yml'}:5]" in listing.output
    table = CliRunner().invoke(cli, ["rules", "--rules", str(folder)])
    assert table.exit_code == 0 and "standalone_fillers" in table.output and "Core.NoAsk" in table.output


@pytest.mark.parametrize(
    "text, error, line",
    [
        ("fillerz:\n  accept: [right]\n", "unknown vocabulary 'fillerz'", 1),
        ("fillers:\n  kind: words\n  accept: [right]\n", "only accept: may add to it", 1),
        ("titles:\n  accept:\n    - dr\n    - chief of staff\n", "holds single words", 4),
        ("weak_closes:\n  accept: ['(a+)+ later']\n", "nests repeats", 2),
        ("weak_closes:\n  accept: ['(unclosed']\n", "bad pattern", 2),
        ("weak_closes:\n  accept: ['{nonsense} later']\n", "no words vocabulary", 2),
        ("fillers:\n  accept: right\n", "accept must be a list", 1),
        ("fillers:\n  accept: [no]\n", "quote yes, no, on and off", 1),
        ("fillers:\n  reject: [um]\n", "must be a mapping with accept", 1),
        ("- fillers\n", "maps vocabulary names", None),
        ("fillers: [unclosed\n", "invalid YAML", 2),
    ],
)
def test_bad_vocabulary_files_are_errors_naming_the_file_and_line(tmp_path, text, error, line):
    with pytest.raises(VmcheckError) as caught:
        rules.load([_course(tmp_path, text)])
    where = "team.yml" if line is None else f"team.yml:{line}:"
    assert error in str(caught.value) and where in str(caught.value), str(caught.value)
