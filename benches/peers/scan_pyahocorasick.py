"""Finds the phrases of PHRASES in each line of TEXT with pyahocorasick; writes one line per
hit: line number, character offset, phrase."""
import sys

import ahocorasick


def main(phrases_path, text_path):
    automaton = ahocorasick.Automaton()
    with open(phrases_path, encoding="utf-8") as f:
        for phrase in filter(None, (line.strip() for line in f)):
            automaton.add_word(phrase, phrase)
    automaton.make_automaton()
    out = sys.stdout
    with open(text_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            for end, phrase in automaton.iter(line):
                out.write(f"{n}\t{end - len(phrase) + 1}\t{phrase}\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
