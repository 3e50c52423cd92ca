"""A deterministic generator of large corpora for benchmarks: many documents in several formats
(txt, md, html), headings, paragraphs and sentences of realistic lengths, vocabulary in topics.

Synthetic text measures cost (time, memory), not retrieval quality: its words follow no meaning.
"""

from __future__ import annotations

import random
from pathlib import Path

_COMMON = (
    "the of and to in a is that for be are with as by this on or which shall any from not have it "
    "an at their they may should must can will also who when where victims person people support"
).split()
TOPICS = {
    "identification": "identification indicator frontline screening referral interview disclosure trust signs officer "
    "assessment".split(),
    "labour": "labour wages employer recruitment debt bondage passport agency factory farm construction inspector "
    "contract".split(),
    "sexual": "sexual exploitation brothel online grooming advertisement escort coercion trafficker survivor shelter".split(),
    "children": "child children school guardian safeguarding social worker age consent parent foster missing".split(),
    "justice": "prosecution court evidence witness defence statutory compensation legal aid conviction police "
    "investigation".split(),
    "support": "accommodation counselling health interpreter recovery period caseworker needs assessment reintegration".split(),
    "migration": "border migrant smuggling asylum visa status refugee displacement route corridor destination".split(),
    "business": "supply chain audit procurement supplier risk transparency statement due diligence remediation".split(),
}
_EXTRA = [f"term{n}" for n in range(3000)]  # a long tail of rare words, as real documents have


def _sentence(rng: random.Random, topic: list[str]) -> str:
    length = max(6, int(rng.gauss(22, 8)))
    words = []
    for _ in range(length):
        roll = rng.random()
        words.append(rng.choice(topic) if roll < 0.35 else rng.choice(_EXTRA) if roll < 0.45 else rng.choice(_COMMON))
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", "?", ";"]).replace(";", ".")


def _paragraph(rng: random.Random, topic: list[str]) -> str:
    return " ".join(_sentence(rng, topic) for _ in range(max(1, int(rng.gauss(4, 2)))))


def generate_corpus(folder: Path, documents: int, paragraphs_per_document: int = 24, seed: int = 7) -> list[Path]:
    """Write ``documents`` files into ``folder`` (about 5 chunks per 6 paragraphs)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    topics = list(TOPICS.values())
    for number in range(documents):
        topic = topics[number % len(topics)]
        kind = ("txt", "md", "html")[number % 3]
        title = f"Guidance note {number}: " + " ".join(rng.choice(topic) for _ in range(4))
        sections = []
        for section in range(max(1, paragraphs_per_document // 4)):
            heading = f"{section + 1}. " + " ".join(rng.choice(topic) for _ in range(3)).capitalize()
            sections.append((heading, [_paragraph(rng, topic) for _ in range(4)]))
        path = folder / f"doc{number:06d}.{kind}"
        if kind == "md":
            body = f"# {title}\n\n" + "\n\n".join(f"## {h}\n\n" + "\n\n".join(ps) for h, ps in sections)
        elif kind == "html":
            body = (
                f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                + "".join(f"<h2>{h}</h2>" + "".join(f"<p>{p}</p>" for p in ps) for h, ps in sections)
                + "</body></html>"
            )
        else:
            body = title + "\n\n" + "\n\n".join(h + "\n" + "\n".join(ps) for h, ps in sections)
        path.write_text(body + "\n", encoding="utf-8")
        written.append(path)
    return written


def change_one_file(path: Path, seed: int = 99) -> None:
    """Rewrite one generated file's paragraphs (same shape, new words): an edited document."""
    rng = random.Random(seed)
    text = path.read_text(encoding="utf-8")
    topic = TOPICS["support"]
    marker = _paragraph(rng, topic)
    path.write_text(text.replace(". ", f". {marker} ", 3), encoding="utf-8")
