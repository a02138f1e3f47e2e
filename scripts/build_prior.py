"""Build newswatch/text/data/prior_df_en.tsv.gz from wordfreq's English frequencies (build time only).

Each line is `term<TAB>zipf*100` for a content term of newswatch's tokenizer (zipf = log10(frequency) + 9);
newswatch.text.corpus_stats turns it into the share of news articles expected to contain the term. The file
holds word -> number only. wordfreq's data is CC BY-SA 4.0: keep the attribution in the header.

Usage: pip install wordfreq && python scripts/build_prior.py [MIN_ZIPF]   (default 1.5)
"""

from __future__ import annotations

import gzip
import math
import sys
from pathlib import Path

from wordfreq import get_frequency_dict

from newswatch.analysis.topics import content_terms, tokenize

OUT = Path(__file__).resolve().parents[1] / "newswatch" / "text" / "data" / "prior_df_en.tsv.gz"


def main(min_zipf: float = 1.5) -> None:
    rows: dict[str, int] = {}
    for word, freq in get_frequency_dict("en", wordlist="large").items():
        if freq <= 0 or (zipf := math.log10(freq) + 9) < min_zipf:
            continue
        tokens = tokenize(word)
        terms = content_terms(tokens) if len(tokens) == 1 else {}
        if len(terms) == 1:
            (term,) = terms
            rows[term] = max(rows.get(term, -1), round(zipf * 100))
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("# term<TAB>zipf*100 from wordfreq 3.1.1 'large' English list (data CC BY-SA 4.0, "
                 "https://github.com/rspeer/wordfreq); p_doc = 1 - exp(-10**(zipf-9) * L)\n")
        for term, z in sorted(rows.items(), key=lambda kv: (-kv[1], kv[0])):
            fh.write(f"{term}\t{z}\n")
    print(OUT, len(rows), "terms")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.5)
