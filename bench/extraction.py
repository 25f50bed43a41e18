"""How much of each real news page's body survives HTML ingestion, and how much furniture slips in.

For every page in a corpus folder (NAME.html with its reference body text NAME.txt), the page is
loaded as `briefing generate` loads it, and compared with the reference by words:

- body kept: the share of the reference body's words found in what ingestion keeps (multiset
  overlap): the article text plus the source's metadata (authors, credits, dateline), which is
  where bylines and credits now go. The reference texts keep some furniture themselves, so a
  line that holds a labelled furniture string counts on neither side;
- raw kept: the same against the whole reference and the article text alone (the measure used
  before furniture was separated, kept for comparison);
- extra: the share of the extracted words that the reference does not have (furniture, or
  captions the reference dropped);
- furniture: how many of the page's hand-labelled furniture strings (bylines, captions, teaser
  blocks, calls to action; `--furniture FILE`, default ../shared/gold/furniture.json) are still
  in a sentence the model is shown.

    python bench/extraction.py [CORPUS_DIR] [--furniture FILE]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

try:
    from briefing.ingest import load_source
except ImportError:  # builds before the ingest package
    from briefing.sources import load_source  # type: ignore[no-redef,attr-defined]

ROOT = Path(__file__).resolve().parent.parent


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.casefold()))


def kept_share(reference: Counter[str], got: Counter[str]) -> float:
    return sum((reference & got).values()) / sum(reference.values())


def compare(html: Path, labels: list[str]) -> tuple[float, float, float, int, int, list[str]]:
    """Body kept, raw kept, extra share, reference and extracted word counts, and the labels the model sees."""
    text = html.with_suffix(".txt").read_text(encoding="utf-8", errors="replace")
    reference = words(text)
    body = words("\n".join(line for line in text.split("\n") if not any(label in line for label in labels)))
    source = load_source(html)
    extracted = words(source.text)
    # Labelled furniture counts on neither side: neither as body nor as body kept.
    article = words("\n".join(line for line in source.text.split("\n") if not any(label in line for label in labels)))
    about = getattr(source, "about", None)  # older builds have no metadata
    meta = words(" ".join([*about.authors, *about.credits, about.dateline or ""])) if about else Counter()
    shared = sum((reference & extracted).values())
    shown = [s.text for s in source.sentences if not s.suspicious]
    leaked = [label for label in labels if any(label in text for text in shown)]
    return (kept_share(body, article + meta), shared / sum(reference.values()), 1 - shared / sum(extracted.values()),
            sum(reference.values()), sum(extracted.values()), leaked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "tests" / "data" / "corpus")
    parser.add_argument("--furniture", type=Path, default=ROOT.parent / "shared" / "gold" / "furniture.json")
    args = parser.parse_args()
    gold = json.loads(args.furniture.read_text()) if args.furniture.is_file() else {}
    labels = {Path(k).stem: v for k, v in gold.items() if not k.startswith("_")}
    print(f"{'page':<24} {'ref words':>9} {'got words':>9} {'body kept':>9} {'raw kept':>9} {'extra':>6} "
          f"{'furniture shown':>15}")
    kept_all, raw_all, leaked_all, labelled = [], [], 0, 0
    for html in sorted(args.corpus.glob("*.html")):
        page_labels = labels.get(html.stem, [])
        kept, raw, extra, ref_n, got_n, leaked = compare(html, page_labels)
        kept_all.append(kept)
        raw_all.append(raw)
        leaked_all += len(leaked)
        labelled += len(page_labels)
        shown = f"{len(leaked)}/{len(page_labels)}" if html.stem in labels else "-"
        print(f"{html.stem:<24} {ref_n:>9} {got_n:>9} {kept:>9.1%} {raw:>9.1%} {extra:>6.1%} {shown:>15}"
              + (f"  {'; '.join(leaked)}" if leaked else ""))
    print(f"{'mean / total':<24} {'':>9} {'':>9} {sum(kept_all) / len(kept_all):>9.1%} "
          f"{sum(raw_all) / len(raw_all):>9.1%} {'':>6} {leaked_all:>7}/{labelled:<7}")


if __name__ == "__main__":
    main()
