"""evaluate: Arrow in, Arrow out, equal to `juxta batch` record for record, from pyarrow,
Polars and DuckDB; the Parquet a lake holds; every error path."""

import json
import threading

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import juxta
from conftest import run

REGIMES = ["eu-ai-act-gpai", "us-ai-eo-2026", "us-ca-sb53", "us-ny-raise"]


def test_pyarrow_equals_batch(engine, inventory, direct):
    got = engine.evaluate(pq.read_table(inventory))
    assert got.schema == direct.schema
    assert got.schema.metadata == direct.schema.metadata
    assert got.equals(direct)
    assert got.num_rows == 2000
    # The schema is batch's Parquet schema: `line` is Int64 (Spark reads UInt64 as a decimal).
    assert got.schema.field("line").type == pa.int64()
    assert got.schema == engine.output_schema()


def test_jobs_do_not_change_the_result(engine, inventory, direct):
    table = pq.read_table(inventory)
    assert engine.evaluate(table, jobs=1).equals(direct)
    assert engine.evaluate(table.to_batches()[0]).num_rows == table.to_batches()[0].num_rows


def test_provenance(engine, inventory):
    meta = engine.evaluate(pq.read_table(inventory), as_of="2027-01-01").schema.metadata
    assert meta[b"juxta.version"] == juxta.__version__.encode()
    assert meta[b"juxta.as_of"] == b"2027-01-01"
    regimes = json.loads(meta[b"juxta.regimes"])
    assert [r["id"] for r in regimes] == REGIMES
    assert all(len(r["sha256"]) == 64 and r["version"] for r in regimes)
    assert meta[b"juxta.layout"] == b"wide"


def test_long_layout_equals_batch(engine, binary, inventory, tmp_path):
    out = tmp_path / "long.parquet"
    run(binary, "batch", inventory, "-o", out, "--layout", "long", "--quiet")
    got = engine.evaluate(pq.read_table(inventory), layout="long")
    assert got.equals(pq.read_table(out))


def test_polars(engine, inventory, direct, binary, tmp_path):
    pl = pytest.importorskip("polars")
    frame = pl.read_parquet(inventory)
    assert engine.evaluate(frame).equals(direct)
    # Polars' own Parquet (Zstandard by default) loads in `juxta batch`, and gives the same.
    own = tmp_path / "polars.parquet"
    frame.write_parquet(own)
    assert pq.ParquetFile(own).metadata.row_group(0).column(0).compression == "ZSTD"
    out = tmp_path / "out.parquet"
    run(binary, "batch", own, "-o", out, "--quiet")
    assert pq.read_table(out).drop_columns([]).equals(direct)
    # And the result goes back into Polars.
    results = pl.from_arrow(engine.evaluate(frame))
    assert results.height == 2000


def test_duckdb(engine, inventory, direct):
    duckdb = pytest.importorskip("duckdb")
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{inventory}')")
    results = engine.evaluate(relation.arrow() if not hasattr(relation, "__arrow_c_stream__") else relation)
    assert results.equals(direct)
    # A SQL query on the result: how many models does each regime fail on, and how many rows.
    long = engine.evaluate(pq.read_table(inventory), layout="long")
    counts = duckdb.sql(
        "SELECT rule, count(*) AS n FROM long WHERE status = 'applies' GROUP BY rule ORDER BY rule"
    ).fetchall()
    expected = {}
    for rule, status in zip(long.column("rule").to_pylist(), long.column("status").to_pylist()):
        if status == "applies":
            expected[rule] = expected.get(rule, 0) + 1
    assert counts == sorted(expected.items())


@pytest.mark.parametrize("codec", ["none", "snappy", "gzip", "lz4", "zstd", "brotli"])
def test_every_codec_loads(binary, inventory, direct, tmp_path, codec):
    path = tmp_path / f"{codec}.parquet"
    pq.write_table(pq.read_table(inventory), path, compression=codec)
    out = tmp_path / "out.parquet"
    run(binary, "batch", path, "-o", out, "--quiet")
    assert pq.read_table(out).equals(direct)


def test_bad_rows_are_error_rows(engine, profiles):
    rows = [dict(p) for p in profiles[:10]]
    rows[3]["evaluation"] = {"as_of": "2027-13-45"}
    got = engine.evaluate(pa.Table.from_pylist(rows))
    errors = got.column("error").to_pylist()
    assert got.num_rows == 10
    assert "line 4" in errors[3] and "evaluation.as_of" in errors[3], errors[3]
    assert [e for i, e in enumerate(errors) if i != 3 and e is not None and "line 4" in e] == []


def test_unknown_columns_are_left_out_with_a_warning(engine, inventory, direct):
    table = pq.read_table(inventory).append_column("owner_team", pa.array(["ml"] * 2000))
    with pytest.warns(juxta.IgnoredColumnsWarning, match="owner_team"):
        got = engine.evaluate(table)
    assert got.equals(direct)
    with pytest.raises(ValueError, match="owner_team"):
        engine.evaluate(table, strict_columns=True)
    # A misspelt fact is named with the fact it most likely meant.
    misspelt = pa.table({"model.id": ["a"], "model.training_compute_flops": [1e25]})
    with pytest.warns(
        juxta.IgnoredColumnsWarning, match=r"did you mean `model\.training_compute_flop`"
    ):
        engine.evaluate(misspelt)


def test_a_null_line_number_is_no_line(engine):
    table = pa.table({"model.id": ["a", "b"], "row": pa.array([7, None], pa.int64())})
    got = engine.evaluate(table, line_column="row")
    assert got.column("line").to_pylist() == [7, 0]
    assert "null" in got.column("error").to_pylist()[1]


def test_passthrough_keeps_type_and_order(engine, inventory):
    table = pq.read_table(inventory)
    table = table.append_column("owner_team", pa.array([f"team-{i % 7}" for i in range(2000)]))
    table = table.append_column("row_key", pa.array(range(10, 2010), pa.int32()))
    got = engine.evaluate(table, passthrough=["row_key", "owner_team"])
    assert got.column_names[-2:] == ["row_key", "owner_team"]
    assert got.schema.field("row_key").type == pa.int32()
    assert got.column("row_key").to_pylist() == list(range(10, 2010))
    assert got.column("owner_team").to_pylist() == table.column("owner_team").to_pylist()
    with pytest.warns(juxta.IgnoredColumnsWarning, match="owner_team"):
        long = engine.evaluate(table, passthrough=["row_key"], layout="long")
    first = pc.equal(long.column("line"), 1)
    assert set(long.filter(first).column("row_key").to_pylist()) == {10}
    with pytest.raises(ValueError, match="no column `owner`"):
        engine.evaluate(table, passthrough=["owner"])
    with pytest.raises(ValueError, match="field `error`"):
        engine.evaluate(table.append_column("error", pa.array(["x"] * 2000)), passthrough=["error"])
    with pytest.raises(ValueError, match="field `id`"):
        engine.evaluate(table.append_column("ID", pa.array(["x"] * 2000)), passthrough=["ID"])


def test_line_column_numbers_the_rows(engine, inventory, direct):
    table = pq.read_table(inventory)
    part = table.slice(500, 100).append_column("row", pa.array(range(501, 601), pa.int64()))
    got = engine.evaluate(part, line_column="row")
    assert got.equals(direct.slice(500, 100))


def test_float32_is_read_as_its_shortest_decimal(engine):
    base = {"schema_version": "1", "model": {"id": "m"}, "evaluation": {"as_of": "2026-12-01"}}
    table = pa.table(
        {
            "schema_version": ["1"],
            "model.id": ["m"],
            "model.training_compute_flop": pa.array([1e25], pa.float32()),
            "evaluation.as_of": ["2026-12-01"],
        }
    )
    got = engine.evaluate(table).to_pylist()[0]
    exact = engine.compare(dict(base, model={"id": "m", "training_compute_flop": 1e25}))
    eu = next(r for r in exact["regimes"] if r["id"] == "eu-ai-act-gpai")
    sr = next(f for f in eu["rules"] if f["id"] == "EU-CLS-SR")
    assert got["eu-ai-act-gpai"]["rules"]["EU-CLS-SR"] == sr["status"]


def test_not_arrow_is_a_type_error(engine):
    with pytest.raises(TypeError, match="Arrow"):
        engine.evaluate([{"model": {"id": "m"}}])
    with pytest.raises(ValueError, match="layout"):
        engine.evaluate(pa.table({"x": [1]}), layout="tall")
    with pytest.raises(ValueError, match="jobs"):
        engine.evaluate(pa.table({"x": [1]}), jobs=0)


def test_the_gil_is_released(engine, inventory):
    """Another Python thread runs while evaluate works."""
    table = pq.read_table(inventory)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=tick)
    t.start()
    before = len(ticks)
    engine.evaluate(table, jobs=1)
    during = len(ticks) - before
    stop.set()
    t.join()
    assert during > 0
