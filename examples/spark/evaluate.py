"""Evaluate a JSON Lines file of model profiles with juxta, on Apache Spark.

juxta runs as an RDD.pipe stage: each partition streams its profiles through
`juxta batch - -o -`, which answers every input line with exactly one output
line, in order. Because of that contract, `RDD.zip` can pair every result with
its input (Spark refuses the zip if a partition's counts differ), and
`zipWithIndex` restores global line numbers, which juxta counts per stream.

Local:    python3 evaluate.py --juxta target/release/juxta --input profiles.jsonl --output results/
Cluster:  spark-submit --files target/release/juxta evaluate.py --juxta juxta \
              --input hdfs:///inventory/profiles.jsonl --output hdfs:///inventory/juxta/
"""

import argparse
import json
import os
import shlex

from pyspark import SparkFiles
from pyspark.sql import SparkSession


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--juxta", required=True, help="path to the juxta binary, or its file name when shipped with --files")
    parser.add_argument("--input", required=True, help="JSON Lines of profiles")
    parser.add_argument("--output", required=True, help="directory for the JSON Lines results")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--master", default=None, help="Spark master (default: spark-submit's, or local[2])")
    parser.add_argument("--juxta-args", default="", help="extra arguments for `juxta batch`, e.g. '--as-of 2027-01-01'")
    args = parser.parse_args()

    builder = SparkSession.builder.appName("juxta-batch")
    if args.master or not os.environ.get("SPARK_SUBMIT_OPTS"):
        builder = builder.master(args.master or "local[2]")
    spark = builder.getOrCreate()
    sc = spark.sparkContext

    # A local path is used as is; otherwise the binary was shipped with --files.
    binary = args.juxta if os.path.exists(args.juxta) else SparkFiles.get(args.juxta)
    command = [binary, "batch", "-", "-o", "-", "--quiet", "--jobs", "1"] + shlex.split(args.juxta_args)

    profiles = sc.textFile(args.input, minPartitions=args.partitions)
    results = profiles.pipe(" ".join(shlex.quote(c) for c in command))

    def renumber(pair):
        (result, index) = pair
        record = json.loads(result)
        partition_line = record["line"]
        record["line"] = index + 1
        if record["error"] is not None:
            # Error messages name the line; a record without an id carries its line as id.
            record["error"] = record["error"].replace(f"line {partition_line}:", f"line {index + 1}:", 1)
            if record["id"] == str(partition_line):
                record["id"] = str(index + 1)
        return (index, json.dumps(record, separators=(",", ":")))

    # zip: one result per input, partition by partition (the pipe contract); then global order.
    paired = profiles.zip(results).map(lambda p: p[1]).zipWithIndex().map(renumber)
    paired.sortByKey(numPartitions=1).values().saveAsTextFile(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
