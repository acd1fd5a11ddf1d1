"""Deterministic synthetic news corpus for benchmarks (and for tests that need volume).

    from synth import ensure_corpus          # with benchmarks/ on sys.path
    yaml_path = ensure_corpus(10_000, fmt="txt")
    corpus = medialens.corpus.load_corpus(yaml_path)

or from the shell::

    python benchmarks/synth.py --sizes 1000,10000 --fmt txt

The corpus is generated once into ``$MEDIALENS_BENCH_DATA`` (default ``<repo>/benchmarks/data/``,
ignored by git) under a folder named after size, format, seed and generator version; generation
writes into a temporary folder and renames it into place, so two processes can race safely. The
same ``(n_docs, fmt, seed)`` always gives the same bytes, and article ``i`` is the same in every
size (each article has its own random stream), so a 1k corpus is a prefix of the 10k one.

What the text looks like (all numbers approximate):

- Dutch-like vocabulary: the 20,000 most frequent Dutch words of ``wordfreq`` drawn with Zipf
  weights; ~62% of words from that background, 25% from the main topic, 8% from the second, 5% from
  the outlet's preferred words.
- 8 latent topics of 200 content words each; an article has a main and a second topic, so
  clustering has structure. 10 outlets ``outlet-00 .. outlet-09``, each with 30 preferred words
  and its own topic preferences (so keyness and outlet comparisons find something).
- Dates over 2022; ``outlet-03`` publishes nothing in July and August; ~1% undated.
- ~450 words per article in 4-8 paragraphs of capitalised sentences ending in full stops.
- Quotes planted in ~30% of articles, in Dutch styles with speakers from 20 names:
  ``,,…”, zei Jan de Vries.`` / ``„…”, aldus minister Wopke Hoekstra.`` / ``Volgens Mark Rutte …``
  / ``“…”, zegt hij.`` (the last always right after a named quote of the same speaker).
- ~0.5% exact duplicates of an earlier article (wire copy, other outlet and date), ~0.5% near
  duplicates (four words changed), ~0.5% English articles.

Ground truth sits beside the corpus in ``truth/documents.csv`` (doc_id, outlet, date, topic,
second_topic, language, kind, copy_of) and ``truth/quotes.csv`` (doc_id, paragraph, style,
speaker, quote).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["ensure_corpus", "data_dir", "GENERATOR_VERSION", "OUTLETS", "SPEAKERS"]

GENERATOR_VERSION = 1
FORMATS = ("txt", "jsonl")
N_OUTLETS = 10
OUTLETS = [f"outlet-{k:02d}" for k in range(N_OUTLETS)]
N_TOPICS = 8
TOPIC_WORDS = 200
OUTLET_WORDS = 30
N_FUNCTION = 250  # the most frequent words: articles, prepositions, pronouns, auxiliaries
MEAN_WORDS = 450
P_UNDATED = 0.01
P_QUOTES = 0.30
P_EXACT_DUP = 0.005
P_NEAR_DUP = 0.005
P_ENGLISH = 0.005
#: (outlet, months without articles)
EMPTY_MONTHS = {"outlet-03": (7, 8)}
#: Speakers: (name, pronoun, role or "")
SPEAKERS = [
    ("Jan de Vries", "hij", ""),
    ("Wopke Hoekstra", "hij", "minister"),
    ("Mark Rutte", "hij", "premier"),
    ("Sigrid Kaag", "zij", "minister"),
    ("Kajsa Ollongren", "zij", "minister"),
    ("Hugo de Jonge", "hij", "minister"),
    ("Ernst Kuipers", "hij", "minister"),
    ("Dilan Yeşilgöz", "zij", "minister"),
    ("Caroline van der Plas", "zij", ""),
    ("Geert Wilders", "hij", ""),
    ("Jesse Klaver", "hij", ""),
    ("Lilian Marijnissen", "zij", ""),
    ("Femke Halsema", "zij", "burgemeester"),
    ("Ahmed Aboutaleb", "hij", "burgemeester"),
    ("Frans Timmermans", "hij", "eurocommissaris"),
    ("Ursula von der Leyen", "zij", ""),
    ("Jens Stoltenberg", "hij", "secretaris-generaal"),
    ("Klaas Knot", "hij", ""),
    ("Pieter Omtzigt", "hij", ""),
    ("Anouk van den Berg", "zij", "woordvoerder"),
]
QUOTE_STYLES = ("zei", "aldus", "volgens", "zegt_pronoun")
_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]  # 2022


def data_dir() -> Path:
    """Where synthetic corpora live: ``$MEDIALENS_BENCH_DATA`` or ``<repo>/benchmarks/data``."""
    env = os.environ.get("MEDIALENS_BENCH_DATA")
    return Path(env).expanduser().resolve() if env else Path(__file__).resolve().parent / "data"


# --------------------------------------------------------------------------------------------
# The generative model (fixed by the seed)
# --------------------------------------------------------------------------------------------
class _Model:
    def __init__(self, seed: int) -> None:
        from wordfreq import top_n_list

        words = [w for w in top_n_list("nl", 20000) if w.isalpha()]
        self.words = words
        self.en_words = [w for w in top_n_list("en", 5000) if w.isalpha()]
        rng = np.random.default_rng([seed, 0xC0FFEE])
        v = len(words)
        self.base_cdf = _zipf_cdf(v, 1.05)
        self.en_cdf = _zipf_cdf(len(self.en_words), 1.05)
        content = np.arange(N_FUNCTION, min(v, 6000))
        self.topics = [rng.choice(content, TOPIC_WORDS, replace=False) for _ in range(N_TOPICS)]
        self.topic_cdf = _zipf_cdf(TOPIC_WORDS, 0.9)
        pool = np.arange(300, min(v, 10000))
        self.outlet_words = [rng.choice(pool, OUTLET_WORDS, replace=False) for _ in range(N_OUTLETS)]
        self.outlet_cdf = _zipf_cdf(OUTLET_WORDS, 0.5)
        # each outlet favours some topics: Dirichlet weights, then a floor so no topic is absent
        pref = rng.dirichlet(np.full(N_TOPICS, 0.8), size=N_OUTLETS) + 0.03
        self.outlet_topic_cdf = np.cumsum(pref / pref.sum(axis=1, keepdims=True), axis=1)
        # outlet volume: not all outlets publish equally often
        vol = np.linspace(1.6, 0.6, N_OUTLETS)
        self.outlet_cdf_volume = np.cumsum(vol / vol.sum())
        self.seed = seed

    # words -----------------------------------------------------------------------------------
    def draw(self, rng: np.random.Generator, n: int, outlet: int, topic: int, topic2: int) -> list[str]:
        u = rng.random(n)
        r = rng.random(n)
        idx = np.searchsorted(self.base_cdf, r)
        t1 = u >= 0.62
        t2 = u >= 0.87
        ol = u >= 0.95
        sel = t1 & ~t2
        idx[sel] = self.topics[topic][np.searchsorted(self.topic_cdf, r[sel])]
        sel = t2 & ~ol
        idx[sel] = self.topics[topic2][np.searchsorted(self.topic_cdf, r[sel])]
        idx[ol] = self.outlet_words[outlet][np.searchsorted(self.outlet_cdf, r[ol])]
        w = self.words
        return [w[i] for i in idx.tolist()]

    def draw_en(self, rng: np.random.Generator, n: int) -> list[str]:
        idx = np.searchsorted(self.en_cdf, rng.random(n))
        w = self.en_words
        return [w[i] for i in idx.tolist()]

    # one original article ---------------------------------------------------------------------
    @lru_cache(maxsize=64)  # noqa: B019 - the model lives as long as the process
    def article(self, i: int) -> dict:
        rng = np.random.default_rng([self.seed, i])
        outlet = int(np.searchsorted(self.outlet_cdf_volume, rng.random()))
        outlet = min(outlet, N_OUTLETS - 1)
        topic = int(np.searchsorted(self.outlet_topic_cdf[outlet], rng.random()))
        topic = min(topic, N_TOPICS - 1)
        topic2 = int(rng.integers(N_TOPICS - 1))
        topic2 = topic2 + 1 if topic2 >= topic else topic2
        date = _draw_date(rng, OUTLETS[outlet])
        english = rng.random() < P_ENGLISH
        n_words = int(np.clip(rng.normal(MEAN_WORDS, 70), 200, 800))
        n_paras = int(rng.integers(4, 9))
        if english:
            words = self.draw_en(rng, n_words)
        else:
            words = self.draw(rng, n_words, outlet, topic, topic2)
        sentences = _sentences(rng, words)
        paras = _paragraphs(rng, sentences, n_paras)
        quotes: list[tuple] = []
        if not english and rng.random() < P_QUOTES:
            for _ in range(int(rng.integers(1, 4))):
                quotes.extend(self._plant_quote(rng, paras, outlet, topic, topic2))
        title_words = self.draw(rng, int(rng.integers(3, 7)), outlet, topic, topic) if not english else self.draw_en(rng, 5)
        return {
            "outlet": OUTLETS[outlet],
            "date": date,
            "topic": topic,
            "topic2": topic2,
            "language": "en" if english else "nl",
            "title": _cap(" ".join(title_words)),
            "paragraphs": paras,
            "quotes": quotes,
        }

    def _plant_quote(self, rng, paras: list[list[str]], outlet: int, topic: int, topic2: int) -> list[tuple]:
        name, pronoun, role = SPEAKERS[int(rng.integers(len(SPEAKERS)))]
        style = QUOTE_STYLES[int(rng.integers(len(QUOTE_STYLES)))]
        p = int(rng.integers(len(paras)))
        pos = int(rng.integers(len(paras[p]) + 1))
        inner = _cap(" ".join(self.draw(rng, int(rng.integers(6, 17)), outlet, topic, topic2)))
        who = f"{role} {name}" if role else name
        if style == "zei":
            sents = [f",,{inner}”, zei {who}."]
            out = [(p, "zei", name, inner)]
        elif style == "aldus":
            sents = [f"„{inner}”, aldus {who}."]
            out = [(p, "aldus", name, inner)]
        elif style == "volgens":
            clause = inner[0].lower() + inner[1:]
            sents = [f"Volgens {who} {clause}."]
            out = [(p, "volgens", name, clause)]
        else:  # a named quote, then one attributed by pronoun
            inner2 = _cap(" ".join(self.draw(rng, int(rng.integers(6, 17)), outlet, topic, topic2)))
            sents = [f"“{inner}”, zei {who}.", f"“{inner2}”, zegt {pronoun}."]
            out = [(p, "zei", name, inner), (p, "zegt_pronoun", name, inner2)]
        paras[p][pos:pos] = sents
        return out


def _zipf_cdf(n: int, s: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1, dtype=float) ** s
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return cdf


def _draw_date(rng: np.random.Generator, outlet: str) -> str | None:
    undated = rng.random() < P_UNDATED
    months = [m for m in range(1, 13) if m not in EMPTY_MONTHS.get(outlet, ())]
    month = months[int(rng.integers(len(months)))]
    day = int(rng.integers(1, _DAYS[month - 1] + 1))
    return None if undated else f"2022-{month:02d}-{day:02d}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _sentences(rng: np.random.Generator, words: list[str]) -> list[str]:
    out = []
    i = 0
    lengths = rng.integers(6, 24, size=len(words) // 6 + 1)
    commas = rng.random(len(lengths))
    for k, n in enumerate(lengths.tolist()):
        if i >= len(words):
            break
        chunk = words[i : i + n]
        i += n
        if len(chunk) > 9 and commas[k] < 0.4:
            cut = len(chunk) // 2
            chunk = [*chunk[: cut - 1], chunk[cut - 1] + ",", *chunk[cut:]]
        out.append(_cap(" ".join(chunk)) + ".")
    return out


def _paragraphs(rng: np.random.Generator, sentences: list[str], n_paras: int) -> list[list[str]]:
    n_paras = max(1, min(n_paras, len(sentences)))
    cuts = np.sort(rng.choice(np.arange(1, len(sentences)), n_paras - 1, replace=False)) if n_paras > 1 else []
    bounds = [0, *[int(c) for c in cuts], len(sentences)]
    return [sentences[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _kind(seed: int, i: int) -> str:
    """Whether article ``i`` is original, an exact copy or a near copy of an earlier one."""
    if i < 20:
        return "original"
    u = np.random.default_rng([seed, i, 1]).random()
    if u < P_EXACT_DUP:
        return "exact_duplicate"
    if u < P_EXACT_DUP + P_NEAR_DUP:
        return "near_duplicate"
    return "original"


def _document(model: _Model, i: int) -> dict:
    """Article ``i`` as it appears in the corpus (copies take their text from an earlier one)."""
    kind = _kind(model.seed, i)
    own = model.article(i)
    if kind == "original":
        return {**own, "kind": kind, "copy_of": None}
    rng = np.random.default_rng([model.seed, i, 2])
    j = int(rng.integers(i))
    while _kind(model.seed, j) != "original":
        j = int(rng.integers(i))
    src = model.article(j)
    paras = [list(p) for p in src["paragraphs"]]
    if kind == "near_duplicate":  # change four words in the body
        for _ in range(4):
            p = int(rng.integers(len(paras)))
            s = int(rng.integers(len(paras[p])))
            toks = paras[p][s].split(" ")
            k = int(rng.integers(1, len(toks))) if len(toks) > 1 else 0
            toks[k] = model.words[int(rng.integers(N_FUNCTION, 3000))] + ("." if toks[k].endswith(".") else "")
            paras[p][s] = " ".join(toks)
    return {
        **own,
        "topic": src["topic"],
        "topic2": src["topic2"],
        "language": src["language"],
        "title": src["title"],
        "paragraphs": paras,
        "quotes": src["quotes"],
        "kind": kind,
        "copy_of": j,
    }


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def _doc_id(i: int, n: int) -> str:
    return f"doc-{i:0{max(6, len(str(n - 1)))}d}"


def _body(doc: dict) -> str:
    return "\n\n".join(" ".join(p) for p in doc["paragraphs"])


def _write(folder: Path, n_docs: int, fmt: str, seed: int) -> None:
    model = _Model(seed)
    name = f"synth-{n_docs}-{fmt}" + (f"-s{seed}" if seed else "")
    (folder / "truth").mkdir(parents=True)
    truth_docs = []
    truth_quotes = []
    if fmt == "txt":
        (folder / "docs").mkdir()
        source = {"path": "docs", "format": "txt", "pattern": "*.txt", "encoding": "utf-8"}
    else:
        source = {"path": "articles.jsonl", "format": "jsonl", "encoding": "utf-8"}
        out = (folder / "articles.jsonl").open("w", encoding="utf-8", newline="\n")
    try:
        for i in range(n_docs):
            doc = _document(model, i)
            doc_id = _doc_id(i, n_docs)
            body = _body(doc)
            if fmt == "txt":
                head = (f"date {doc['date']}\n" if doc["date"] else "") + f"outlet {doc['outlet']}\n\n"
                (folder / "docs" / f"{doc_id}.txt").write_text(head + body + "\n", encoding="utf-8", newline="\n")
            else:
                rec = {"id": doc_id, "date": doc["date"], "outlet": doc["outlet"], "title": doc["title"], "text": body}
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            copy_of = _doc_id(doc["copy_of"], n_docs) if doc["copy_of"] is not None else ""
            truth_docs.append(
                (doc_id, doc["outlet"], doc["date"] or "", doc["topic"], doc["topic2"], doc["language"], doc["kind"], copy_of)
            )
            for p, style, speaker, quote in doc["quotes"]:
                truth_quotes.append((doc_id, p + 1, style, speaker, quote))
    finally:
        if fmt == "jsonl":
            out.close()
    with (folder / "truth" / "documents.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["doc_id", "outlet", "date", "topic", "second_topic", "language", "kind", "copy_of"])
        w.writerows(truth_docs)
    with (folder / "truth" / "quotes.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["doc_id", "paragraph", "style", "speaker", "quote"])
        w.writerows(truth_quotes)
    yaml_text = "\n".join(
        [
            f"# Synthetic corpus made by benchmarks/synth.py (generator v{GENERATOR_VERSION}, seed {seed}).",
            "# Dutch-like Zipfian text, 10 outlets, dates over 2022; ground truth in truth/.",
            f"name: {name}",
            f"description: Synthetic Dutch-like news corpus, {n_docs} articles ({fmt}), for benchmarks.",
            "language: nl",
            "source:",
            *[f"  {k}: {json.dumps(v)}" for k, v in source.items()],
            *(["fields: {id: id, text: text, date: date, outlet: outlet, title: title}"] if fmt == "jsonl" else []),
            "cleaning:",
            "  boilerplate: true",
            "  html: auto",
            "  near_duplicate_threshold: 0.8",
            "  detect_language: true",
            "  languages: [nl, en, de, fr]",
            "  bad_date: skip",
            "",
        ]
    )
    (folder / "corpus.yaml").write_text(yaml_text, encoding="utf-8")


def ensure_corpus(n_docs: int, *, fmt: str = "txt", seed: int = 0) -> Path:
    """Return the corpus-definition YAML of the synthetic corpus, generating it if needed.

    Parameters
    ----------
    n_docs : int
        Number of articles (>= 1).
    fmt : "txt" | "jsonl"
        A folder of ``.txt`` files with ``date``/``outlet`` header lines, or one JSONL file
        with fields ``id, date, outlet, title, text``.
    seed : int
        Seed of the generator; the same arguments always give the same bytes.

    Returns
    -------
    Path
        ``<data>/synth-v<version>-s<seed>-<n_docs>-<fmt>/corpus.yaml``.
    """
    if not isinstance(n_docs, int) or isinstance(n_docs, bool) or n_docs < 1:
        raise ValueError(f"n_docs = {n_docs!r}: must be a whole number >= 1")
    if fmt not in FORMATS:
        raise ValueError(f"fmt = {fmt!r}: choose one of {FORMATS}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed = {seed!r}: must be a whole number >= 0")
    root = data_dir()
    final = root / f"synth-v{GENERATOR_VERSION}-s{seed}-{n_docs}-{fmt}"
    target = final / "corpus.yaml"
    if target.is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=root))
    try:
        _write(tmp, n_docs, fmt, seed)
        try:
            os.rename(tmp, final)
        except OSError:
            if not target.is_file():  # not a lost race: a real failure
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def parse_sizes(text: str) -> list[int]:
    """The ``--sizes`` option of every benchmark: comma-separated article counts, each >= 1."""
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: comma-separated whole numbers") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: every size must be >= 1")
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate synthetic benchmark corpora (once) and print their YAML paths.")
    ap.add_argument("--sizes", type=parse_sizes, default="1000", help="comma-separated article counts, e.g. 1000,10000,100000")
    ap.add_argument("--fmt", default="txt", help="txt, jsonl or txt,jsonl")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    sizes = args.sizes
    for fmt in [f.strip() for f in args.fmt.split(",") if f.strip()]:
        for n in sizes:
            print(ensure_corpus(n, fmt=fmt, seed=args.seed), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
