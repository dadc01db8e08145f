"""Evaluate a Parquet inventory of model profiles with juxta on Apache Spark, in the executors'
own Python processes: `mapInArrow` hands each partition's Arrow batches to
`juxta.Engine.evaluate`, which answers each with a batch in the schema of `juxta batch`'s
Parquet output. No pipes, no JSON text, and no funnel into one partition: every partition is
evaluated where it lies, and the table's order is kept by the inventory's own row number
(`--line-column`), which becomes each result's `line`.

Needs the juxta package on every executor (`pip install ./bindings/python`).

Local:    python3 evaluate_arrow.py --input inventory.parquet --output results/ --line-column row
Cluster:  spark-submit evaluate_arrow.py --input s3://lake/inventory/ --output s3://lake/juxta/ \
              --line-column row
"""

import argparse
import os

import pyarrow as pa
from pyspark.sql import SparkSession
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

import juxta


def evaluate_partitions(line_column, passthrough, as_of):
    """The function `mapInArrow` runs on each partition: one engine per Python worker."""

    def run(batches):
        engine = juxta.Engine()
        for batch in batches:
            result = engine.evaluate(
                batch,
                jobs=1,  # Spark runs one task per core already
                line_column=line_column,
                passthrough=passthrough,
                as_of=as_of,
            )
            yield from result.to_batches()

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="Parquet inventory of profiles (columns named for facts)")
    parser.add_argument("--output", required=True, help="directory for the Parquet results")
    parser.add_argument("--line-column", default=None, help="the inventory's own row number (an integer column)")
    parser.add_argument("--passthrough", action="append", default=[], help="carry this input column into the results")
    parser.add_argument("--as-of", default=None, help="apply the law on this day instead of each profile's own")
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--master", default=None, help="Spark master (default: spark-submit's, or local[2])")
    args = parser.parse_args()

    builder = SparkSession.builder.appName("juxta-evaluate")
    if args.master or not os.environ.get("SPARK_SUBMIT_OPTS"):
        builder = builder.master(args.master or "local[2]")
    spark = builder.getOrCreate()

    inventory = spark.read.parquet(args.input)
    if args.partitions:
        inventory = inventory.repartition(args.partitions)
    # The result schema, with any passthrough columns: asked of the engine on the driver.
    empty = pa.Table.from_batches([], schema=to_arrow_schema(inventory.schema))
    schema = (
        juxta.Engine()
        .evaluate(empty, line_column=args.line_column, passthrough=args.passthrough)
        .schema
    )
    results = inventory.mapInArrow(
        evaluate_partitions(args.line_column, args.passthrough, args.as_of),
        from_arrow_schema(schema),
    )
    results.write.mode("overwrite").parquet(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
