"""Scores an archive of calls and chats on Spark with huashu, and writes the results as
Parquet: one row per conversation (score, passed, dimensions, findings), and one row per
finding.

    spark-submit score_archive.py TURNS OUT [--pack acme.toml] [--id call_id --role speaker ...]
    python score_archive.py TURNS OUT        # the same on a local session

TURNS is a Parquet table (a file or a directory) with one row per turn: the conversation's
id, the role (客服/客户/agent/customer…), the text, and optionally a time, a turn number, the
agent and the channel. Name the columns with the flags when they are called otherwise. The
executors need the huashu wheel installed; see README.md beside this file.
"""

import argparse
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from huashu import spark as hs


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("turns", help="Parquet table of turns, one row per turn")
    p.add_argument("out", help="directory for the results (transcripts/ and findings/)")
    p.add_argument("--pack", action="append", default=[], help="a TOML rule pack, layered in order")
    p.add_argument("--id", default="id")
    p.add_argument("--role", default="role")
    p.add_argument("--text", default="text")
    p.add_argument("--time", default=None)
    p.add_argument("--order", default=None, help="the column that orders a conversation's turns")
    p.add_argument("--agent", default=None)
    p.add_argument("--channel", default=None)
    p.add_argument("--timezone", default=None, help="offset of times without one (default +08:00)")
    args = p.parse_args(argv)

    spark = SparkSession.builder.appName("huashu-score-archive").getOrCreate()
    turns = spark.read.parquet(args.turns)
    results = hs.score(
        turns,
        id=args.id,
        role=args.role,
        text=args.text,
        time=args.time,
        agent=args.agent,
        channel=args.channel,
        order=args.order,
        packs=args.pack or None,
        timezone=args.timezone,
    ).cache()

    results.write.mode("overwrite").parquet(f"{args.out}/transcripts")
    findings = results.select("id", "agent", F.explode("findings").alias("f")).select(
        "id", "agent", "f.*"
    )
    findings.write.mode("overwrite").parquet(f"{args.out}/findings")

    # What a QA lead reads first: the agents with the lowest pass rate, the costliest rules.
    scored = results.where(F.col("score").isNotNull())
    scored.groupBy("agent").agg(
        F.count("*").alias("transcripts"),
        F.round(F.avg(F.col("passed").cast("int")), 3).alias("pass_rate"),
        F.round(F.avg("score"), 1).alias("mean_score"),
    ).orderBy("pass_rate", "agent").show(10, truncate=False)
    findings.groupBy("rule", "severity").agg(
        F.count("*").alias("findings"), F.sum("deduct").alias("points")
    ).orderBy(F.desc("points")).show(10, truncate=False)
    errors = results.where(F.col("error").isNotNull()).count()
    print(f"{results.count()} conversations scored into {args.out}; {errors} could not be read",
          file=sys.stderr)
    spark.stop()


if __name__ == "__main__":
    main()
