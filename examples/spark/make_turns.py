"""Writes a Parquet table of turns (one row per turn) from JSON Lines transcripts, as an
archive would hold them, for trying `score_archive.py`:

    python make_turns.py ../transcripts/chats.jsonl ../transcripts/phone-calls.jsonl turns.parquet
"""

import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def main(argv):
    *inputs, out = argv
    rows = []
    for path in inputs:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                record = json.loads(line)
                for seq, turn in enumerate(record["turns"]):
                    time = turn.get("time")
                    rows.append({
                        "call_id": str(record["id"]),
                        "seq": seq,
                        "speaker": turn["role"],
                        "utterance": turn["text"],
                        "ts": None if time is None else str(time),
                        "agent": record.get("agent"),
                        "channel": record.get("channel"),
                    })
    pq.write_table(pa.Table.from_pylist(rows), out)
    print(f"{len(rows)} turns written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
