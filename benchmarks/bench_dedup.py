"""Benchmark: near-duplicate detection over word ids (``medialens.dedup.near_duplicates``) against
the old text-based 128-permutation MinHash (a copy kept in this script only), on the same documents.

    .venv/bin/python benchmarks/bench_dedup.py --sizes 10000,100000

For every size the synthetic corpus of ``benchmarks/synth.py`` is loaded once through
``medialens.corpus.load_corpus`` (language detection and near-duplicate flags switched off, so the
loader does not do the work measured here; exact duplicates are collapsed as always) into its
cache. Each step then runs in a child process of its own:

``old``  the previous implementation: ``\\w+`` words of the lowercased texts, 128 multiply-shift
         min-hashes of 5-word shingles per document, 32x4 bands, pairs decided by the estimated
         similarity;
``new``  the texts are first turned into word ids with the shared tokeniser (lowercased, every word
         kept; timed apart and NOT counted: the loader will do this once for every analysis), then
         ``near_duplicates(doc_ids, ids, offsets)``.

Printed per step: CPU seconds (best of 3), the extra memory of one call (tracemalloc peak), the
number of documents flagged; then the agreement of the two sets of flags (document -> root) and
each one's recall and precision against the planted near copies in ``truth/documents.csv``
(kind ``near_duplicate``, ``copy_of``: a flag is right when it names that source), and ``uptime``
load. Last, a recall table on planted pairs of known exact Jaccard similarity (``recall_table``)
and the new call's time on wire-heavy corpora of synthetic ids (``cluster_timing``).
"""

from __future__ import annotations

import csv
import re
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
from harness import load_avg, peak_mb, run_child  # noqa: E402

STEPS = ("old", "new")
REPEATS = 3
TARGETS = {10_000: 0.1, 100_000: 1.5}  # CPU seconds of the new call (given ids)


# --------------------------------------------------------------------------------------------
# The old implementation (src/medialens/dedup.py before the switch to word ids), for comparison
# --------------------------------------------------------------------------------------------
_WORD_RE = re.compile(r"\w+")
_N_PERM, _OLD_BANDS, _OLD_SHINGLE = 128, 32, 5


def _old_shingle_hashes(ids: np.ndarray) -> np.ndarray:
    if len(ids) < _OLD_SHINGLE:
        ids = np.concatenate([ids, np.zeros(_OLD_SHINGLE - len(ids), dtype=np.uint64)])
    h = np.zeros(len(ids) - _OLD_SHINGLE + 1, dtype=np.uint64)
    p = np.uint64(1_000_003)
    for k in range(_OLD_SHINGLE):
        h = h * p + ids[k : len(ids) - _OLD_SHINGLE + 1 + k]
    return h


def _old_signatures(texts: list[str], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**62, size=_N_PERM, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**62, size=_N_PERM, dtype=np.uint64)
    vocab: dict[str, int] = {}
    known, number = vocab.get, vocab.__getitem__
    shift = np.uint64(3)
    sigs = np.empty((len(texts), _N_PERM), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, text in enumerate(texts):
            words = _WORD_RE.findall(text.lower())
            ids = list(map(known, words))
            if None in ids:
                for w in dict.fromkeys(words):
                    if w not in vocab:
                        vocab[w] = len(vocab) + 1
                ids = list(map(number, words))
            sh = _old_shingle_hashes(np.array(ids, dtype=np.uint64))
            h = np.multiply.outer(a, sh)
            h += b[:, None]
            sigs[i] = h.min(axis=1) >> shift
    return sigs


def old_near_duplicates(doc_ids: list[str], texts: list[str], *, threshold: float = 0.8) -> list[str | None]:
    n = len(texts)
    result: list[str | None] = [None] * n
    if n < 2 or threshold is None or threshold > 1:
        return result
    sigs = _old_signatures(texts)
    rows = _N_PERM // _OLD_BANDS
    candidates: set[tuple[int, int]] = set()
    for band in range(_OLD_BANDS):
        block = sigs[:, band * rows : (band + 1) * rows]
        order = np.lexsort(block.T[::-1])
        ordered = block[order]
        starts = np.flatnonzero(np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)])
        sizes = np.diff(np.r_[starts, n])
        keep = (sizes > 1) & (sizes <= 200)
        for start, size in zip(starts[keep].tolist(), sizes[keep].tolist(), strict=True):
            members = order[start : start + size].tolist()
            for x in range(size):
                for y in range(x + 1, size):
                    candidates.add((members[x], members[y]))
    for i, j in sorted(candidates):
        if result[j] is not None:
            continue
        if float(np.mean(sigs[i] == sigs[j])) >= threshold:
            result[j] = result[i] if result[i] is not None else doc_ids[i]
    return result


# --------------------------------------------------------------------------------------------
# Child side
# --------------------------------------------------------------------------------------------
def _definition(yaml_path: str):
    import dataclasses

    from medialens.corpus import read_definition

    defn = read_definition(yaml_path)
    cleaning = {**defn.cleaning, "detect_language": False, "near_duplicate_threshold": None}
    return dataclasses.replace(defn, cleaning=cleaning)


def word_ids(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Lowercased words of the shared tokeniser, every word kept, numbered in one vocabulary."""
    from medialens.text import TextSettings, Tokenizer

    words = Tokenizer(TextSettings(lowercase=True, remove_stopwords=False, min_length=1, numbers=True)).words
    vocab: dict[str, int] = {}
    number = vocab.setdefault
    flat: list[int] = []
    offsets = [0]
    for text in texts:
        flat.extend(number(w, len(vocab)) for w in words(text))
        offsets.append(len(flat))
    return np.asarray(flat, dtype=np.int32), np.asarray(offsets, dtype=np.int64)


def _child(step: str, yaml_path: str) -> dict:
    from medialens.corpus import load_corpus
    from medialens.dedup import near_duplicates

    corpus = load_corpus(_definition(yaml_path), use_cache=True)
    doc_ids = corpus.documents["doc_id"].tolist()
    texts = corpus.documents["text"].tolist()
    out: dict = {"step": step, "docs": len(doc_ids), "from_cache": corpus.from_cache}
    if step == "old":
        call = lambda: old_near_duplicates(doc_ids, texts, threshold=0.8)  # noqa: E731
    else:
        t0 = time.process_time()
        ids, offsets = word_ids(texts)
        out.update(ids_s=time.process_time() - t0, tokens=int(len(ids)))
        call = lambda: near_duplicates(doc_ids, ids, offsets, threshold=0.8)  # noqa: E731
    cpu, wall = [], []
    for _ in range(REPEATS):
        t0, c0 = time.perf_counter(), time.process_time()
        result = call()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
    tracemalloc.start()
    again = call()
    extra = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    out.update(
        cpu_s=min(cpu), wall_s=min(wall), extra_mb=extra, peak_mb=peak_mb(), same_each_run=again == result,
        flags={d: r for d, r in zip(doc_ids, result, strict=True) if r is not None},
    )
    return out


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------
def _truth(yaml_path: Path, present: set[str]) -> dict[str, str]:
    """Planted near copies present in the loaded corpus: doc_id -> the doc_id it was copied from."""
    with (yaml_path.parent / "truth" / "documents.csv").open(encoding="utf-8", newline="") as fh:
        return {
            row["doc_id"]: row["copy_of"]
            for row in csv.DictReader(fh)
            if row["kind"] == "near_duplicate" and row["doc_id"] in present and row["copy_of"] in present
        }


def bench_size(n: int, fmt: str) -> dict:
    from synth import ensure_corpus

    from medialens.corpus import load_corpus

    yaml_path = ensure_corpus(n, fmt=fmt)
    t0 = time.perf_counter()
    corpus = load_corpus(_definition(str(yaml_path)), use_cache=True)  # once: builds the cache if needed
    first_load = time.perf_counter() - t0
    present = set(corpus.documents["doc_id"])
    del corpus
    truth = _truth(Path(yaml_path), present)
    before = load_avg()
    res = {step: run_child(__file__, step, ["--yaml", str(yaml_path)]) for step in STEPS}
    after = load_avg()
    old, new = res["old"], res["new"]
    print(f"\n{n:,} articles requested, {new['docs']:,} documents after loading ({fmt}, exact duplicates "
          f"collapsed), {new['tokens']:,} words; first load {first_load:.1f} s (not counted); load {before} -> {after}")
    print(f"  {'step':<5} {'CPU s':>7} {'wall s':>7} {'extra MB':>9} {'peak MB':>8} {'flagged':>8} {'recall':>7} "
          f"{'precision':>9}  (best of {REPEATS}; recall/precision vs {len(truth)} planted near copies)")
    for label, r in (("old", old), ("new", new)):
        flags = r["flags"]
        right = sum(flags.get(d) == src for d, src in truth.items())
        r["recall"] = right / len(truth) if truth else float("nan")
        r["precision"] = right / len(flags) if flags else float("nan")
        print(f"  {label:<5} {r['cpu_s']:>7.3f} {r['wall_s']:>7.3f} {r['extra_mb']:>9.0f} {r['peak_mb']:>8.0f} "
              f"{len(flags):>8} {r['recall']:>7.3f} {r['precision']:>9.3f}")
    po, pn = set(old["flags"].items()), set(new["flags"].items())
    print(f"  agreement: {len(po & pn)} flags (document -> root) in both, {len(po - pn)} only old, "
          f"{len(pn - po)} only new; new/old CPU {new['cpu_s'] / old['cpu_s']:.3f}; "
          f"ids built once beforehand in {new['ids_s']:.1f} s CPU (not counted)")
    for d, r in sorted(po ^ pn)[:5]:
        print(f"    differs: {d} -> {r} ({'old' if (d, r) in po else 'new'} only; truth: {truth.get(d, 'no planted copy')})")
    target = TARGETS.get(n)
    if target is not None:
        print(f"  target: new <= {target} s CPU per {n:,} articles: {'met' if new['cpu_s'] <= target else 'MISSED'}; "
              f"same result each run: {new['same_each_run'] and old['same_each_run']}")
    for r in res.values():
        r.pop("flags")
    return {"n": n, "load_before": before, "load_after": after, "planted": len(truth), **res}


def recall_table(n_pairs: int = 500, length: int = 450) -> None:
    """Planted pairs (a random 450-word document and a copy with some words replaced): exact
    Jaccard J, the share that become candidates against 1 - (1 - J^4)^32, and the share flagged
    at threshold 0.8 by the new (exact) and the old (estimated) method."""
    from medialens import dedup

    print(f"\nrecall: {n_pairs} planted pairs of {length}-word documents per row (ids outside the timing)")
    print(f"  {'changed':>7} {'J mean':>7} {'J range':>13} {'candidate':>9} {'formula':>8} {'new >=0.8':>9} "
          f"{'old >=0.8':>9} {'exact >=0.8':>11}")
    for changes in (5, 9, 11, 14, 25, 40):
        rng = np.random.default_rng(changes)
        docs = []
        for _ in range(n_pairs):
            a = rng.integers(0, 10**6, length)
            b = a.copy()
            b[rng.choice(length, changes, replace=False)] = rng.integers(10**6, 2 * 10**6, changes)
            docs += [a, b]
        ids, offsets = np.concatenate(docs), np.cumsum([0] + [len(d) for d in docs])
        lengths = np.diff(offsets)
        keys = np.concatenate(
            [dedup._band_keys(ids[offsets[a] : offsets[b]], lengths[a:b]) for a, b in dedup._chunks(offsets, 10**6)]
        )
        i, j = dedup._candidate_pairs(keys, lengths > 0)
        first, second = np.arange(0, 2 * n_pairs, 2), np.arange(1, 2 * n_pairs, 2)
        jac = dedup._jaccard(ids, offsets, first, second)
        found = set(zip(i.tolist(), j.tolist(), strict=True))
        rate = np.mean([(x, y) in found for x, y in zip(first.tolist(), second.tolist(), strict=True)])
        doc_ids = [f"d{k:05d}" for k in range(2 * n_pairs)]
        new = dedup.near_duplicates(doc_ids, ids, offsets, threshold=0.8)
        old = old_near_duplicates(doc_ids, [" ".join(f"w{x}" for x in d) for d in docs], threshold=0.8)
        new_share, old_share = (np.mean([r[k] == doc_ids[k - 1] for k in second.tolist()]) for r in (new, old))
        print(f"  {changes:>7} {jac.mean():>7.3f} {jac.min():>6.3f}-{jac.max():<6.3f} {rate:>9.4f} "
              f"{np.mean(1 - (1 - jac**4) ** 32):>8.4f} {new_share:>9.3f} {old_share:>9.3f} {np.mean(jac >= 0.8):>11.3f}")


def cluster_timing(n: int = 100_000, length: int = 450) -> None:
    """Wire-heavy corpora of random word ids: a share of the documents are copies of a story
    reprinted ``size`` times, each copy with 4 of its words replaced. Times the new call only
    (best of 3 CPU, extra memory of one call); the old one would spend minutes in its pair loop."""
    from medialens.dedup import near_duplicates

    print(f"\nwire-heavy synthetic ids: {n:,} documents of {length} words, clusters of copies (4 words changed each)")
    print(f"  {'in clusters':>11} {'size':>5} {'CPU s':>7} {'extra MB':>9} {'flagged':>8} {'copies':>7}")
    for share, size in ((0.1, 5), (0.3, 20), (0.9, 50)):
        rng = np.random.default_rng(size)
        docs, n_copies = [], 0
        while len(docs) < n:
            base = rng.integers(0, 10**7, length)
            if rng.random() < share / (share + (1 - share) * size) and len(docs) + size <= n:
                for _ in range(size):
                    copy = base.copy()
                    copy[rng.integers(0, length, 4)] = rng.integers(0, 10**7, 4)
                    docs.append(copy)
                n_copies += size - 1
            else:
                docs.append(base)
        ids = np.concatenate(docs).astype(np.int32)
        offsets = np.cumsum([0] + [len(d) for d in docs]).astype(np.int64)
        del docs
        doc_ids = [f"d{k:06d}" for k in range(n)]
        cpu = []
        for _ in range(REPEATS):
            c0 = time.process_time()
            result = near_duplicates(doc_ids, ids, offsets)
            cpu.append(time.process_time() - c0)
        tracemalloc.start()
        near_duplicates(doc_ids, ids, offsets)
        extra = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        flagged = sum(r is not None for r in result)
        print(f"  {share:>11.0%} {size:>5} {min(cpu):>7.3f} {extra:>9.0f} {flagged:>8,} {n_copies:>7,}")


def main(argv: list[str] | None = None) -> int:
    code = harness.main(
        "bench_dedup", __doc__.split("\n\n")[0], steps=STEPS, child=_child, bench_size=bench_size, argv=argv
    )
    if "--child" not in (argv if argv is not None else sys.argv):
        recall_table()
        cluster_timing()
        print(f"load {load_avg()}")
    return code


if __name__ == "__main__":
    sys.exit(main())
