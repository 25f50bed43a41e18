"""How much of each real news page's body survives HTML ingestion, and how much furniture slips in.

For every page in a corpus folder (NAME.html with its reference body text NAME.txt), the page is
loaded as `briefing generate` loads it, and compared with the reference by words:

- body kept: the share of the reference's words found in the extracted text (multiset overlap);
- extra: the share of the extracted words that the reference does not have (furniture, or
  captions the reference dropped).

    python bench/extraction.py [tests/data/corpus]
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from briefing.sources import load_source


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.casefold()))


def compare(html: Path) -> tuple[float, float, int, int]:
    reference = words(html.with_suffix(".txt").read_text(encoding="utf-8", errors="replace"))
    extracted = words(load_source(html).text)
    shared = sum((reference & extracted).values())
    return shared / sum(reference.values()), 1 - shared / sum(extracted.values()), sum(reference.values()), \
        sum(extracted.values())


def main(folder: Path) -> None:
    print(f"{'page':<24} {'ref words':>9} {'got words':>9} {'body kept':>9} {'extra':>6}")
    kept_all = []
    for html in sorted(folder.glob("*.html")):
        kept, extra, ref_n, got_n = compare(html)
        kept_all.append(kept)
        print(f"{html.stem:<24} {ref_n:>9} {got_n:>9} {kept:>9.1%} {extra:>6.1%}")
    print(f"{'mean':<24} {'':>9} {'':>9} {sum(kept_all) / len(kept_all):>9.1%}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent / "tests" / "data" / "corpus"))
