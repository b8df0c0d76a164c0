"""Finds the phrases of PHRASES in each line of TEXT with flashtext; writes one line per hit:
line number, character offset, phrase."""
import sys

from flashtext import KeywordProcessor


def main(phrases_path, text_path):
    keywords = KeywordProcessor()
    with open(phrases_path, encoding="utf-8") as f:
        for phrase in filter(None, (line.strip() for line in f)):
            keywords.add_keyword(phrase)
    out = sys.stdout
    with open(text_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            for phrase, start, _end in keywords.extract_keywords(line, span_info=True):
                out.write(f"{n}\t{start}\t{phrase}\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
