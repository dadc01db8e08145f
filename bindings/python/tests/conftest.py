"""Shared fixtures: the repository, the `juxta` binary the results are checked against, and
generated inventories (profiles from `juxta generate`, as Parquet)."""

import json
import os
import pathlib
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import juxta

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def binary() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("JUXTA", ROOT / "target" / "debug" / "juxta"))
    if not path.exists():
        pytest.fail(f"the juxta binary is missing at {path}: build it (cargo build) or set JUXTA")
    return path


def run(binary, *args, check=True):
    """Runs the CLI; returns the completed process (text)."""
    done = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)
    if check and done.returncode not in (0, 3):
        raise AssertionError(f"juxta {' '.join(map(str, args))} exited {done.returncode}:\n{done.stderr}")
    return done


@pytest.fixture(scope="session")
def engine() -> juxta.Engine:
    return juxta.Engine()


@pytest.fixture(scope="session")
def profiles(binary, tmp_path_factory) -> list:
    """2,000 generated profiles as dicts (every one valid JSON; some invalid as profiles)."""
    out = tmp_path_factory.mktemp("gen") / "profiles.jsonl"
    run(binary, "generate", "-n", "2000", "--seed", "11", "-o", out)
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.fixture(scope="session")
def inventory(profiles, tmp_path_factory) -> pathlib.Path:
    """The profiles as a Parquet inventory with struct columns, Zstandard-compressed (as
    Polars writes by default)."""
    path = tmp_path_factory.mktemp("inv") / "inventory.parquet"
    pq.write_table(pa.Table.from_pylist(profiles), path, compression="zstd")
    return path


@pytest.fixture(scope="session")
def direct(binary, inventory, tmp_path_factory) -> pa.Table:
    """`juxta batch` on the inventory: what every Python path must equal."""
    out = tmp_path_factory.mktemp("direct") / "results.parquet"
    run(binary, "batch", inventory, "-o", out, "--quiet")
    return pq.read_table(out)
