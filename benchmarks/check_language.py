"""Does the function-word first pass of ``medialens.language`` give lingua's answers? (Not a test.)

Compares ``detect_languages`` (function words, then lingua for the rest) with lingua alone on:

1. the seeds (``corpus/seeds.yaml``);
2. the synthetic corpora (``synth.ensure_corpus``, sizes from ``--sizes``; default 10k and 100k);
3. real text in nl/de/fr/en: the gettext catalogues of this machine (``/usr/share/locale/<lang>``
   and vim's), joined into texts of 150, 400 and 1,000 characters;
4. adversarial texts: English quotes opening Dutch text, two-language mixes at every tenth,
   lists of names and numbers, very short texts, and languages that are not candidates.

Per set it prints n, agreement with lingua alone (must be 100%; every disagreement is printed
with its text), the share the first pass decides, and wall and CPU seconds (best of 3) of lingua
alone and of the cascade. ``--sweep`` also prints, for a grid of thresholds, how many first-pass
decisions would disagree with lingua and how many documents the first pass would decide.
The synthetic corpora come from ``synth.py`` (``$MEDIALENS_BENCH_DATA``, see benchmarks/README.md).

    .venv/bin/python benchmarks/check_language.py [--sizes 10000,100000] [--sweep]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gettext
import gzip
import os
import random
import re
import resource
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from medialens import language  # noqa: E402
from medialens.corpus import load_corpus, read_definition  # noqa: E402
from medialens.paths import resolve  # noqa: E402

CANDIDATES = ["nl", "en", "de", "fr"]
LOCALE = Path("/usr/share/locale")
VIM = Path("/usr/share/vim/vim90/lang")
MAN = Path("/usr/share/man")
LENGTHS = (150, 400, 1000)
PER_LENGTH = 300
#: troff's named characters that occur in the nl/de/fr man pages (the rest are dropped).
TROFF_CHARS = {
    **{f":{c}": u for c, u in zip("aouAOUei", "äöüÄÖÜëï", strict=True)},
    **{f"'{c}": u for c, u in zip("eEaio", "éÉáíó", strict=True)},
    **{f"`{c}": u for c, u in zip("aeuAE", "àèùÀÈ", strict=True)},
    **{f"^{c}": u for c, u in zip("aeiouE", "âêîôûÊ", strict=True)},
    ",c": "ç", "ss": "ß", "oe": "œ", "aq": "'", "dq": '"', "Fo": "«", "Fc": "»", "en": "–", "em": "—",
    "lq": "“", "rq": "”", "Bq": "„", "bq": "‚", "cq": "’", "oq": "‘",
}  # texts per language and length at most


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


# ---- text sets -------------------------------------------------------------------------------
def catalogue_messages(locale: str) -> list[str]:
    """Translated strings of every gettext catalogue for ``locale`` (sorted, deterministic)."""
    files = sorted((LOCALE / locale / "LC_MESSAGES").glob("*.mo"))
    vim = VIM / locale / "LC_MESSAGES" / "vim.mo"
    if vim.exists():
        files.append(vim)
    per_file = []
    for path in files:
        try:
            with path.open("rb") as fh:
                catalog = gettext.GNUTranslations(fh)._catalog
        except (OSError, UnicodeDecodeError, struct.error):
            continue
        msgs = []
        for key in sorted(catalog, key=str):
            msgid = key[0] if isinstance(key, tuple) else key
            value = catalog[key]
            if not msgid or not isinstance(value, str) or sum(map(str.isalpha, value)) < 3:
                continue
            msgs.append(" ".join(value.replace("_", "").replace("&", "").split()))
        if msgs:
            per_file.append(msgs)
    out = []  # round robin over catalogues, so a text mixes domains like a corpus would not
    for i in range(max(map(len, per_file), default=0)):
        out.extend(m[i] for m in per_file if i < len(m))
    return out


def joined(messages: list[str], length: int, limit: int) -> list[str]:
    """Consecutive messages joined (". ") into texts of exactly ``length`` characters."""
    texts, buf = [], ""
    for msg in messages:
        buf = f"{buf}. {msg}" if buf else msg
        if len(buf) >= length:
            texts.append(buf[:length])
            buf = ""
            if len(texts) == limit:
                break
    return texts


def gettext_sets() -> dict[str, list[str]]:
    sets = {}
    for lang, locale in (("nl", "nl"), ("de", "de"), ("fr", "fr"), ("en", "en_GB")):
        msgs = catalogue_messages(locale)
        sets[f"gettext {lang}"] = [t for n in LENGTHS for t in joined(msgs, n, PER_LENGTH)]
    return sets


def windows(text: str, length: int, step: int, limit: int) -> list[str]:
    """Windows of ``length`` characters every ``step`` characters through ``text``."""
    text = " ".join(text.split())
    return [text[i : i + length] for i in range(0, max(len(text) - length, 0) + 1, step)][:limit]


def man_text(path: Path) -> str:
    """The running text of a troff man page (requests dropped, font and character escapes removed)."""
    raw = gzip.open(path, "rt", encoding="utf-8", errors="replace").read()
    lines = [ln for ln in raw.splitlines() if ln and not ln.startswith((".", "'", '\\"'))]
    text = re.sub(r"\\\((..)|\\\[(..)\]", lambda m: TROFF_CHARS.get(m.group(1) or m.group(2), ""), " ".join(lines))
    text = re.sub(r"\\f(?:\(..|\[[^]]*\]|.)|\\\[[^]]*\]|\\[&|^%]", "", text)
    return text.replace("\\-", "-").replace("\\e", "\\").replace("\\ ", " ")


def tutor_texts() -> dict[str, str]:
    """vim's tutor per language (running prose), as far as installed."""
    names = {"nl": "tutor.nl.utf-8", "de": "tutor.de.utf-8", "fr": "tutor.fr.utf-8", "en": "tutor"}
    paths = {lang: VIM.parent / "tutor" / name for lang, name in names.items()}
    return {lang: p.read_text(encoding="utf-8", errors="replace") for lang, p in paths.items() if p.exists()}


def prose_sets() -> dict[str, list[str]]:
    """Running text: vim's tutor and man pages, per language, windows of 150, 400 and 1,000."""
    man = {"nl": MAN / "nl", "de": MAN / "de", "fr": MAN / "fr", "en": MAN}
    sets = {}
    for lang, text in tutor_texts().items():
        sets[f"vim tutor {lang}"] = [w for n in LENGTHS for w in windows(text, n, 200, 150)]
    for lang, root in man.items():
        pages = sorted(root.glob("man[1-8]/*.gz"))[:200]
        texts = []
        for n in LENGTHS:
            per_page = [windows(man_text(p), n, n, 2) for p in pages]
            texts += [w for ws in per_page for w in ws][:PER_LENGTH]
        if texts:
            sets[f"man pages {lang}"] = texts
    return sets


def adversarial_sets(seeds: list[str]) -> dict[str, list[str]]:
    rng = random.Random(0)
    msgs = {lang: catalogue_messages(loc) for lang, loc in (("nl", "nl"), ("de", "de"), ("fr", "fr"), ("en", "en_GB"))}
    long_text = {lang: joined(m[2000:], 1000, 40) for lang, m in msgs.items()}
    english = long_text["en"]
    dutch = seeds + long_text["nl"]
    quotes = []
    for i, nl in enumerate(dutch):
        for n in (100, 200, 300, 380):
            en = english[i % len(english)][:n]
            quotes.append(f'"{en}", zei de minister. {nl}')
    tutor = {lang: windows(t, 1000, 1000, 30) for lang, t in tutor_texts().items()}
    for i, nl in enumerate(seeds + tutor["nl"]):  # running English prose quoted in Dutch
        for n in (100, 200, 300, 380):
            quotes.append(f'"{tutor["en"][i % len(tutor["en"])][:n]}", zei de minister. {nl}')
    prose_mixes = [
        tutor[a][i][:cut] + " " + tutor[b][(i + 5) % len(tutor[b])]
        for a in tutor
        for b in tutor
        if a != b
        for i in range(10)
        for cut in range(40, 400, 40)
    ]
    mixes = []
    pairs = [(a, b) for a in long_text for b in long_text if a != b]
    for a, b in pairs:
        for i in range(10):
            ta, tb = long_text[a][i], long_text[b][(i + 3) % len(long_text[b])]
            for cut in range(40, 400, 40):
                mixes.append(ta[:cut] + " " + tb)
    sentences = []  # alternate sentences of two languages
    for a, b in pairs:
        sa = [s for t in long_text[a] for s in t.split(". ") if len(s) > 20]
        sb = [s for t in long_text[b] for s in t.split(". ") if len(s) > 20]
        for i in range(0, min(len(sa), len(sb)) - 4, 4):
            sentences.append(". ".join(x for pair in zip(sa[i : i + 4], sb[i : i + 4], strict=True) for x in pair))
    first = ["Jan", "Piet", "Anna", "Marie", "Hans", "Peter", "John", "Pierre", "Klaus", "Sophie", "Mark", "Els"]
    last = ["de Vries", "van Dam", "Müller", "Dupont", "Smith", "Jansen", "Schmidt", "Martin", "Bakker", "Meyer"]
    lists = []
    for n in range(60):
        k = 5 + n % 40
        sep = [", ", "; ", "\n", " - "][n % 4]
        lists.append(sep.join(f"{rng.choice(first)} {rng.choice(last)} {rng.randint(1, 999)}" for _ in range(k)))
        lists.append(" ".join(str(rng.randint(0, 10**6)) for _ in range(k * 3)))
    short = ["", "NAVO", "Ja.", "12345", "Rutte", "a" * 19, "a" * 20, "de de de de de de de de",
             "het is niet", "the and the", "und nicht", "les pas", "x" * 19 + " " * 200 + "de het een van",
             "1234567890 " * 18 + "het is niet zo dat de van een voor met maar ook door naar bij nog"]
    short += [t[:n] for t in dutch[:20] + english[:20] for n in (10, 20, 30, 60)]
    others = {}
    for loc in ("es", "it", "pt_BR", "sv", "da", "pl"):
        m = catalogue_messages(loc)
        others[loc] = [t for n in LENGTHS for t in joined(m, n, 100)]
    return {
        "adv: English quote opens Dutch": quotes,
        "adv: two-language cuts": mixes,
        "adv: two-language cuts (tutor prose)": prose_mixes,
        "adv: alternating sentences": sentences,
        "adv: names and numbers": lists,
        "adv: very short": short,
        **{f"adv: not a candidate ({loc})": t for loc, t in others.items()},
    }


def synth_texts(n: int) -> list[str]:
    from synth import ensure_corpus

    definition = read_definition(ensure_corpus(n))
    cleaning = {**definition.cleaning, "detect_language": False}
    corpus = load_corpus(dataclasses.replace(definition, cleaning=cleaning), use_cache=False)
    return corpus.documents["text"].tolist()


# ---- comparison ------------------------------------------------------------------------------
def timed(fn, texts, repeat: int) -> tuple[list[str], float, float]:
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        w, c = time.perf_counter(), cpu_seconds()
        result = fn(texts, CANDIDATES)
        best_wall, best_cpu = min(best_wall, time.perf_counter() - w), min(best_cpu, cpu_seconds() - c)
    return result, best_wall, best_cpu


def fast_share(texts: list[str]) -> float:
    table = language._distinctive(language._codes(CANDIDATES))
    if table is None:
        return 0.0
    decided = language._first_pass([t[: language._PREFIX] for t in texts], table)
    return sum(d is not None for d in decided) / max(len(texts), 1)


def compare(name: str, texts: list[str], repeat: int) -> int:
    ref, lw, lc = timed(language._lingua_only, texts, repeat)
    got, cw, cc = timed(functools.partial(language.detect_languages, first_pass=True), texts, repeat)
    bad = [(r, g, t) for r, g, t in zip(ref, got, texts, strict=True) if r != g]
    agree = 100 * (1 - len(bad) / max(len(texts), 1))
    counts = ", ".join(f"{k} {ref.count(k)}" for k in sorted(set(ref)))
    print(f"{name:34s} {len(texts):7,d} {agree:7.2f}% {100 * fast_share(texts):6.1f}%  "
          f"{lw:6.2f} {lc:6.2f}  {cw:6.2f} {cc:6.2f}   {counts}", flush=True)
    for r, g, t in bad:
        print(f"    DISAGREE lingua {r} cascade {g}: {t[:400]!r}")
    return len(bad)


def sweep(sets: dict[str, list[str]], top_ns: list[int]) -> None:
    """First-pass decisions that disagree with lingua, and decided shares, over a grid of thresholds."""
    refs = {name: language._lingua_only(texts, CANDIDATES) for name, texts in sets.items()}
    keep = language.TOP_N
    for top_n in top_ns:
        language.TOP_N = top_n
        language._distinctive.cache_clear()
        table = language._distinctive(language._codes(CANDIDATES))
        rows = []
        for name, texts in sets.items():
            for text, ref in zip(texts, refs[name], strict=True):
                code, best, second, n_words = language._scores(text[: language._PREFIX], table)
                rows.append((name, code, best, second, n_words, ref, text))
        print(f"\nsweep TOP_N {top_n}: wrong decisions (lingua says otherwise) | decided share of the synthetic"
              f" | of the real prose | of the gettext texts; rows MIN_WORDS, columns RATIO")
        for cov in (0.0, 0.3, 0.35, 0.4, 0.45, 0.5):
            print(f"  COVERAGE {cov}")
            for m in (6, 8, 10, 12, 14):
                cells = []
                for k in (2, 3, 4, 6, 8):
                    dec = [r for r in rows if r[2] >= m and r[2] >= k * (r[3] + 1) and r[2] >= cov * r[4]]
                    wrong = sum(r[5] not in (r[1], "und") for r in dec)
                    share = [sum(r[0].startswith(p) for r in dec) / max(sum(r[0].startswith(p) for r in rows), 1)
                             for p in (("synth",), ("vim tutor", "man pages", "seed"), ("gettext",))]
                    cells.append(f"{wrong:4d} {share[0]:4.0%} {share[1]:4.0%} {share[2]:4.0%}")
                print(f"    {m:3d}  " + " | ".join(cells))
        worst = sorted((r for r in rows if r[5] not in (r[1], "und") and r[2] >= 4),
                       key=lambda r: -min(r[2] / (r[3] + 1) / 4, r[2] / max(r[4], 1) / 0.3))
        print("  closest calls (lingua disagrees with the leader):")
        for name, code, best, second, n_words, ref, text in worst[:8]:
            print(f"    {name}: {code} {best} vs {second} of {n_words} words, lingua {ref}: {text[:120]!r}")
    language.TOP_N = keep
    language._distinctive.cache_clear()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="synthetic corpus sizes ('' for none)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sweep", default="", help="TOP_N values to sweep thresholds for (e.g. 100,1000,5000)")
    args = ap.parse_args(argv)
    print(f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}; candidates {CANDIDATES}; "
          f"TOP_N {language.TOP_N}, MIN_WORDS {language.MIN_WORDS}, RATIO {language.RATIO}, COVERAGE {language.COVERAGE}")
    print({c: len(w) for c, w in language.function_words(CANDIDATES).items()}, "distinctive words per candidate")
    language.detect_languages(["warm up the models, het is niet zo"] * 2, CANDIDATES, first_pass=True)
    seeds = load_corpus(resolve("corpus/seeds.yaml")).documents["text"].tolist()
    windows_ = [w for t in seeds for w in windows(t, 400, 200, 1000)]
    sets = {"seeds": seeds, "seed windows": windows_, **prose_sets(), **gettext_sets(), **adversarial_sets(seeds)}
    if args.sweep:
        synth = {f"synth {n}": synth_texts(n) for n in [int(x) for x in args.sizes.split(",") if x]}
        sweep({**sets, **synth}, [int(x) for x in args.sweep.split(",")])
        return 0
    print(f"\n{'set':34s} {'n':>7s} {'agree':>8s} {'fast':>7s}  {'lingua wall/cpu s':>13s}  {'cascade wall/cpu s':>13s}   lingua's answers")
    bad = sum(compare(name, texts, args.repeat) for name, texts in sets.items())
    for n in [int(s) for s in args.sizes.split(",") if s]:
        bad += compare(f"synth {n}", synth_texts(n), args.repeat)
    print(f"\ndisagreements: {bad}; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
