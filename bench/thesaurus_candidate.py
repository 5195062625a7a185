"""A candidate thesaurus from the shipped one and a file of additions, for ``feidi match eval
--thesaurus``: each addition row (``line number<TAB>term<TAB>related terms``, the term checked
against that line of ``thesaurus.txt``) appends its new related terms to the entry's fourth
column, leaving out any the entry already has.

    PYTHONPATH=. .venv/bin/python bench/thesaurus_candidate.py bench/thesaurus_remedies.tsv /tmp/candidate.txt
    .venv/bin/python -m feidi match eval --no-semantic --thesaurus /tmp/candidate.txt

``bench/thesaurus_remedies.tsv`` (decision 0011, 2026-12-06): four writers who had not seen the
evaluation sets or the engine were each given a quarter of the 974 problem entries and asked for
3–6 more related terms a patent or listing that solves, prevents or diagnoses the problem would
use (another material or process at the source, another machine, control of the environment, an
added treatment step, the test or instrument that finds the cause, the mechanism's name), Chinese
only, none already in the entry. The example in their brief was 污闪, an entry no set mentions.
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")


def merge(th, lines: list[str], additions: list[str]) -> tuple[list[str], int]:
    """``lines`` of thesaurus.txt with the additions' related terms appended; and how many terms
    were new to their entry."""
    out, added = list(lines), 0
    for n, row in enumerate(additions, 1):
        if not row.strip() or row.startswith("#"):
            continue
        number, term, related = row.rstrip("\n").split("\t")
        parts = [p.strip() for p in out[int(number) - 1].split("|")]
        if parts[0] != term.strip():
            sys.exit(f"additions line {n}: thesaurus.txt line {number} is {parts[0]!r}, not {term!r}")
        parts += [""] * (4 - len(parts))
        have = {w for col in parts[:4] for w in th.split_equivalents(col)}
        new = [w for w in dict.fromkeys(th.split_equivalents(related)) if w not in have]
        added += len(new)
        parts[3] = ", ".join(x for x in (parts[3], ", ".join(new)) if x)
        out[int(number) - 1] = " | ".join(parts)
    return out, added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("additions", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    import django

    django.setup()
    from feidi.techmarket.matching import thesaurus as th

    lines = th.THESAURUS_PATH.read_text(encoding="utf-8").split("\n")
    merged, added = merge(th, lines, args.additions.read_text(encoding="utf-8").splitlines())
    args.out.write_text("\n".join(merged), encoding="utf-8")
    print(f"{args.out}: {len(th.load_file(args.out))} entries, {added} related terms added")


if __name__ == "__main__":
    main()
