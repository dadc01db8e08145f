"""compare, what_if and explain: the JSON result contract, equal to the CLI's."""

import datetime
import json
import pathlib

import pytest

import juxta
from conftest import ROOT, run

EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_compare_equals_the_cli(engine, binary, example):
    cli = json.loads(run(binary, "compare", example, "--format", "json").stdout)
    assert engine.compare(example) == cli
    # A path as a string, the text itself, and the same profile as a dict (JSON) agree.
    assert engine.compare(str(example)) == cli
    text = example.read_text()
    from_text = engine.compare(text)
    assert from_text["regimes"] == cli["regimes"]


def test_a_dict_is_a_json_profile(engine, binary, tmp_path):
    import tomllib

    example = ROOT / "examples" / "fine-tune.toml"
    as_dict = tomllib.loads(example.read_text())
    path = tmp_path / "fine-tune.json"
    path.write_text(json.dumps(as_dict, default=str))
    cli = json.loads(run(binary, "compare", path, "--format", "json").stdout)
    result = engine.compare(as_dict)
    assert result["regimes"] == cli["regimes"]


def test_as_of_and_full(engine, binary):
    example = ROOT / "examples" / "closed-frontier.toml"
    cli = json.loads(
        run(binary, "compare", example, "--format", "json", "--full", "--as-of", "2027-09-01").stdout
    )
    assert engine.compare(example, as_of=datetime.date(2027, 9, 1), full=True) == cli


def test_what_if_equals_the_cli(engine, binary):
    example = ROOT / "examples" / "fine-tune.toml"
    cli = json.loads(
        run(
            binary, "compare", example, "--format", "json",
            "--set", "derivation.modification_compute_flop=2e25",
            "--unset", "release.weights_public",
        ).stdout
    )
    got = engine.what_if(
        example, derivation__modification_compute_flop=2e25, unset=["release.weights_public"]
    )
    assert got == cli
    assert got["what_if"] is not None
    same = engine.what_if(
        example, {"derivation.modification_compute_flop": 2e25}, unset=["release.weights_public"]
    )
    assert same == cli


def test_explain_equals_the_cli(engine, binary):
    example = ROOT / "examples" / "closed-frontier.toml"
    for rule in ["EU-CLS-SR", "EU-OBL-53-1a"]:
        cli = json.loads(run(binary, "explain", example, rule, "--format", "json").stdout)
        assert engine.explain(example, rule) == cli


def test_unknown_rule_names_it(engine):
    with pytest.raises(juxta.JuxtaError, match="EU-CLS-XX"):
        engine.explain(ROOT / "examples" / "closed-frontier.toml", "EU-CLS-XX")


def test_profile_errors_name_file_line_and_field(engine, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'schema_version = "1"\n[model]\nid = "m"\ntraining_compute_flop = "lots"\n'
        "[evaluation]\nas_of = 2026-12-01\n"
    )
    with pytest.raises(juxta.ProfileError) as caught:
        engine.compare(bad)
    message = str(caught.value)
    assert str(bad) in message and ":4:" in message and "model.training_compute_flop" in message
    assert caught.value.origin == str(bad)
    (problem,) = caught.value.problems
    assert problem["field"] == "model.training_compute_flop" and problem["location"].startswith("4:")


def test_bad_arguments_are_errors_not_crashes(engine):
    example = ROOT / "examples" / "closed-frontier.toml"
    with pytest.raises(ValueError, match="as_of"):
        engine.compare(example, as_of="2027-13-01")
    with pytest.raises(ValueError, match="no.such"):
        engine.what_if(example, {"no.such": 1})
    with pytest.raises(TypeError):
        engine.compare(42)
    with pytest.raises(FileNotFoundError):
        engine.compare("missing.toml")
    with pytest.raises(juxta.JuxtaError, match="nope"):
        juxta.Engine(regimes=["nope"])


def test_regimes_and_schema(engine):
    ids = [r["id"] for r in engine.regimes]
    assert ids == ["eu-ai-act-gpai", "us-ai-eo-2026", "us-ca-sb53", "us-ny-raise"]
    assert all(len(r["sha256"]) == 64 and r["origin"] == "bundled" for r in engine.regimes)
    assert "model" in engine.schema()["properties"]
    only = juxta.Engine(regimes=["us-ca-sb53"])
    assert [r["id"] for r in only.compare(ROOT / "examples" / "closed-frontier.toml")["regimes"]] == ["us-ca-sb53"]


def test_decimals_cross_with_every_digit(engine, binary, tmp_path):
    """1e25 + 1 FLOP is over the EU presumption (> 1e25); through a float it would be 1e25
    exactly, and under it. A Decimal in a dict, or in a what-if, keeps every digit."""
    import decimal
    import tomllib

    example = ROOT / "examples" / "closed-frontier.toml"
    profile = tomllib.loads(example.read_text())
    over = "10000000000000000000000001"
    profile["model"]["training_compute_flop"] = decimal.Decimal(over)
    path = tmp_path / "over.toml"
    path.write_text(example.read_text().replace("training_compute_flop = 1.5e26", f"training_compute_flop = {over}"))
    cli = json.loads(run(binary, "compare", path, "--format", "json").stdout)
    assert engine.compare(profile)["regimes"] == cli["regimes"]
    asked = engine.what_if(example, {"model.training_compute_flop": decimal.Decimal(over)})
    assert asked["regimes"] == cli["regimes"]
    profile["model"]["training_compute_flop"] = float(over)
    assert engine.compare(profile)["regimes"] != cli["regimes"]


def test_text_outside_the_basic_plane_and_datetimes(engine, binary):
    example = ROOT / "examples" / "closed-frontier.toml"
    name = "Nordvind 🜁 Ωmega"
    cli = json.loads(
        run(binary, "compare", example, "--format", "json", "--set", f'model.id="{name}"').stdout
    )
    assert engine.what_if(example, {"model.id": name}) == cli
    # A datetime as as_of is its day.
    day = engine.compare(example, as_of=datetime.date(2027, 3, 1))
    assert engine.compare(example, as_of=datetime.datetime(2027, 3, 1, 23, 59)) == day
