"""Defaults found in the corpus: followed terms, stance targets, and the closest spellings of a word.

A notebook parameter left empty (``terms = []`` in notebook 10, ``targets = {}`` in notebook 30)
means "take it from the corpus in hand": :func:`suggest_terms` picks the corpus's top key terms,
:func:`suggest_targets` the most frequent names and organisations. Each suggestion comes with a
table of what it rests on (counts and documents) and the line to paste into a parameter file to
fix the choice (:attr:`Suggestion.paste`). :func:`closest_spellings` is what a check says when an
explicit term or target never occurs.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from . import validate
from .results import Result
from .text import TextSettings, Tokenizer

__all__ = ["Suggestion", "suggest_terms", "suggest_targets", "closest_spellings", "paste_line"]


@dataclass(frozen=True)
class Suggestion(Result):
    """A default taken from the corpus: ``table`` (what it rests on), ``value`` (the terms as a
    list, or the targets as a mapping of target -> aliases) and ``paste`` (the parameter-file line
    that fixes it)."""

    value: list | dict = field(default_factory=list)
    paste: str = ""
    source: str = ""  # where the value comes from, in words


def paste_line(name: str, value) -> str:
    """``name: <value>`` as one line of YAML (JSON flow style, accents kept), for a parameter file.

    A top-level key reaches every notebook that declares the parameter, so the line can be pasted
    as it is at the top of a parameter file.
    """
    return f"{name}: {json.dumps(value, ensure_ascii=False)}"


#: A suggested term to follow is in at most this share of the documents (with 5 documents or more):
#: a word in (nearly) every document cannot rise or fall in the share of documents using it.
MAX_DOC_SHARE = 0.8


def suggest_terms(counts, *, n: int = 4, min_docs: int = 2, named: list[str] | None = None) -> Suggestion:
    """The corpus's top key terms, to follow over time and in context (or the terms its corpus
    definition names under ``defaults: terms``).

    Key terms are the words most over-represented against general language (wordfreq, as in
    :func:`medialens.frequency.reference_keyness`, by G²) when the counts hold word forms
    (``reduce = "none"``, unigrams); otherwise the most frequent terms. Only terms found in at
    least ``min_docs`` documents are suggested (fewer when the corpus has fewer documents), and, in
    a corpus of 5 documents or more, in at most :data:`MAX_DOC_SHARE` of them (``said`` in 210 of
    214 documents cannot move over time; the table's note says how many were passed over).

    Parameters
    ----------
    counts : medialens.frequency.TermCounts
        The document-term counts of the notebook.
    n : int
        How many terms.
    min_docs : int
        Documents a term must occur in.
    named : list of str, optional
        Terms the corpus definition names (``Corpus.definition.defaults["terms"]``): used as they
        are, with their counts.

    Returns
    -------
    Suggestion
        ``table``: ``term, count, documents, chosen_by``; ``value``: the terms; ``paste``: the
        ``terms: [...]`` line.
    """
    from .frequency import reference_keyness

    n = validate.whole_number(n, "n", minimum=1)
    min_docs = min(validate.whole_number(min_docs, "min_docs", minimum=1), max(len(counts.documents), 1))
    docs = counts.document_counts()
    by_term = pd.DataFrame({"term": counts.terms["term"].to_numpy(), "count": counts.terms["count"].to_numpy(), "documents": docs})
    if named:
        terms = validate.word_list(named, "defaults.terms")
        found = by_term.set_index("term")
        rows = [{"term": t, "count": int(found["count"].get(t, 0)), "documents": int(found["documents"].get(t, 0))}
                for t in (" ".join(Tokenizer(counts.settings)(t)) or t for t in terms)]
        table = pd.DataFrame(rows, columns=["term", "count", "documents"]).assign(chosen_by="named by the corpus definition")
        return Suggestion(table, (), list(terms), paste_line("terms", list(terms)), "the terms the corpus definition names")
    by_term = by_term[(counts.terms["n"].to_numpy() == 1) if 1 in counts.orders else slice(None)]
    by_term = by_term[by_term["documents"] >= min_docs]
    n_docs = len(counts.documents)
    everywhere = by_term["documents"] > MAX_DOC_SHARE * n_docs if n_docs >= 5 else pd.Series(False, index=by_term.index)
    by_term = by_term[~everywhere]
    chosen_by = "most frequent"
    if counts.settings.reduce == "none" and 1 in counts.orders and len(by_term):
        ref = reference_keyness(counts, top_n=max(len(counts.terms), 1), min_count=1).table
        ranked = ref[["term", "g2"]].merge(by_term, on="term")
        if len(ranked):
            by_term, chosen_by = ranked.drop(columns="g2"), "key against general language (G²)"
    else:
        by_term = by_term.sort_values(["count", "documents", "term"], ascending=[False, False, True], kind="stable")
    table = by_term.head(n).reset_index(drop=True).assign(chosen_by=chosen_by)
    terms = table["term"].tolist()
    notes = () if terms else ("no term occurs in enough documents to follow; give terms = [...] yourself",)
    if everywhere.any():
        notes += (f"{int(everywhere.sum()):,} term(s) in more than {MAX_DOC_SHARE:.0%} of the {n_docs:,} documents were "
                  "passed over: a word in nearly every document cannot rise or fall over time",)
    return Suggestion(table, notes, terms, paste_line("terms", terms), "the corpus's top key terms")


def _name_counts(texts: list[str], settings: TextSettings) -> tuple[dict, dict, dict]:
    """Names per case-folded key: documents (sets of positions), mentions and spellings."""
    from .speakers import NameSignal, find_names, lowercase_words

    signal = NameSignal(lowercase_words(texts))
    stop = Tokenizer(TextSettings(language=settings.language, remove_stopwords=True, keep_negations=False))
    docs: dict[str, set[int]] = defaultdict(set)
    mentions: Counter = Counter()
    spellings: dict[str, Counter] = defaultdict(Counter)
    for i, text in enumerate(texts):
        for m in find_names(text, signal):
            name = m.name.strip()
            words = name.split()
            if m.common or not words:
                continue
            # a single word that is a stopword or a common word in lower case ("The", "Street") is no name
            if len(words) == 1 and (not stop(name) or signal.is_lower_common(name)):
                continue
            key = name.casefold()
            docs[key].add(i)
            mentions[key] += 1
            spellings[key][name] += 1
    return docs, mentions, spellings


def suggest_targets(
    documents: pd.DataFrame, *, settings: TextSettings | None = None, n: int = 4, min_docs: int = 2, named: dict | None = None
) -> Suggestion:
    """The most frequent names of people and organisations, as stance targets with their aliases.

    Names are runs of capitalised words told from common words by :mod:`medialens.speakers`
    (part-of-speech lexicons and the corpus itself). Spellings that differ only in case are one
    target (``NAVO``, ``Navo``); a one-word name that is the surname of exactly one full name in
    the corpus is an alias of it (``Brennan`` of ``Alice Brennan``), however many more documents
    name the surname alone (:func:`medialens.speakers.surname_owners`; ``Navo`` is no surname of
    ``Zelenski de Navo``); a surname that two full names share (two Smiths) is left out, with a
    note, since it cannot say which of them is meant. Targets are ranked by the documents that name them,
    then by mentions; those named in fewer than ``min_docs`` documents are suggested only when
    there are not ``n`` others.

    Parameters
    ----------
    documents : DataFrame
        The corpus documents (``doc_id``, ``text``).
    settings : TextSettings, optional
        For the language's stopwords (a stopword is never a name).
    n, min_docs : int
    named : dict, optional
        Targets the corpus definition names (``Corpus.definition.defaults["targets"]``): used as
        they are, with the documents and mentions of their aliases (whole words, also parts of
        hyphenated compounds, case ignored).

    Returns
    -------
    Suggestion
        ``table``: ``target, aliases, documents, mentions``; ``value``: target -> aliases, for
        :func:`medialens.stance.find_mentions`; ``paste``: the ``targets: {...}`` line.
    """
    validate.frame(documents, "documents", columns=("doc_id", "text"), what="the corpus document table")
    n = validate.whole_number(n, "n", minimum=1)
    min_docs = validate.whole_number(min_docs, "min_docs", minimum=1)
    texts = [t if isinstance(t, str) else "" for t in documents["text"]]
    if named:
        return _named_targets(texts, named)
    from .speakers import surname_owners

    docs, mentions, spellings = _name_counts(texts, settings or TextSettings())
    # a one-word name that is the surname of exactly one full name in the corpus joins it
    # (news writes the full name once, the surname after it: the surname alone is in more documents)
    longer: dict[str, list[str]] = defaultdict(list)
    for key in docs:
        if " " in key:
            longer[key.split()[-1]].append(key)
    merged_into, shared = {}, {}
    for key in sorted(k for k in docs if " " not in k and k in longer):
        spelled = {spellings[k].most_common(1)[0][0]: k for k in longer[key]}
        owners = [spelled[f] for f in surname_owners(key, spelled)]  # given names + this surname
        # a longer spelling of another owner is that owner (Ukrainian President Volodymyr Zelensky)
        owners = [o for o in owners if not any(p != o and o.endswith(" " + p) for p in owners)]
        if len(owners) == 1:
            merged_into[key] = owners[0]
        elif len(owners) > 1:  # two Smiths: the surname alone could be either
            shared[key] = owners
    for short, full in sorted(merged_into.items()):
        docs[full] |= docs.pop(short)
        mentions[full] += mentions.pop(short)
        spellings[full].update(spellings.pop(short))
    notes = []
    for short, owners in sorted(shared.items()):
        word = spellings[short].most_common(1)[0][0]
        names = [spellings[k].most_common(1)[0][0] for k in owners]
        notes.append(f"{word!r} stays a target of its own: {len(names)} full names in the corpus end with it "
                     f"({', '.join(sorted(names))}), so its mentions may be of any of them; split it by hand if it matters.")
    rows = []
    for key in docs:
        spelled = spellings[key]
        label = max(spelled, key=lambda s: (len(s.split()), spelled[s], s))
        aliases = sorted(spelled, key=lambda s: (-len(s.split()), -spelled[s], s))
        rows.append({"target": label, "aliases": aliases, "documents": len(docs[key]), "mentions": mentions[key]})
    table = _ranked(pd.DataFrame(rows, columns=["target", "aliases", "documents", "mentions"]), min_docs)
    table = _occurring(documents, table.head(max(3 * n, n + 8)), settings, n, min_docs)
    targets = {t: list(a) for t, a in zip(table["target"], table["aliases"], strict=True)}
    if not targets:
        notes.append("no names of people or organisations found; give targets = {...} yourself")
    return Suggestion(table, tuple(notes), targets, paste_line("targets", targets), "the corpus's most named people and organisations")


def _ranked(table: pd.DataFrame, min_docs: int) -> pd.DataFrame:
    """Targets by documents, then mentions, then name; those in fewer than ``min_docs`` documents last."""
    table = table.sort_values(["documents", "mentions", "target"], ascending=[False, False, True], kind="stable")
    return pd.concat([table[table["documents"] >= min_docs], table[table["documents"] < min_docs]]).reset_index(drop=True)


def _occurring(documents: pd.DataFrame, pool: pd.DataFrame, settings: TextSettings | None, n: int, min_docs: int) -> pd.DataFrame:
    """The first ``n`` targets of ``pool`` that :func:`medialens.stance.find_mentions` finds when
    given together, with the documents and mentions it finds for them.

    Names are counted as written (capitalised, one name per run of words); the stance analysis
    finds aliases case-insensitively and gives a place in the text to the longest alias that fits
    there (``Tweede Kamer`` inside ``De Tweede Kamer`` is the longer one's). A target whose every
    mention another target's longer alias takes is dropped, so a suggestion always occurs; the
    counts shown are the stance analysis's own.
    """
    from .stance import find_mentions

    def counted(rows: pd.DataFrame, docs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        targets = {t: list(a) for t, a in zip(rows["target"], rows["aliases"], strict=True)}
        if not targets:
            return rows.iloc[:0], docs.iloc[:0]
        found = find_mentions(docs, targets, lexicon=None, window=1, settings=settings, on_missing="keep")
        by = found.groupby("target")["doc_id"]
        rows = rows.assign(documents=rows["target"].map(by.nunique()).fillna(0).astype(int),
                           mentions=rows["target"].map(by.size()).fillna(0).astype(int))
        return rows[rows["mentions"] > 0], docs[docs["doc_id"].astype(str).isin(set(found["doc_id"]))]

    pool, named = counted(pool, documents)  # all candidates together: who keeps which places
    pool = _ranked(pool, min_docs)
    # a subset of the pool is found only where the pool was: the checks below read those documents only
    while True:
        chosen, _ = counted(pool.head(n), named)  # the suggestion as it will be used
        dropped = set(pool.head(n)["target"]) - set(chosen["target"])
        if not dropped:
            return _ranked(chosen, min_docs)
        pool = pool[~pool["target"].isin(dropped)]


def _named_targets(texts: list[str], named: dict) -> Suggestion:
    """The targets a corpus definition names, with the documents and mentions of their aliases."""
    rows = []
    for target, aliases in named.items():
        pattern = re.compile("|".join(rf"(?<![\w]){re.escape(a.casefold())}(?![\w])" for a in aliases))
        hits = [len(pattern.findall(t.casefold())) for t in texts]
        rows.append({"target": target, "aliases": list(aliases), "documents": sum(h > 0 for h in hits), "mentions": sum(hits)})
    table = pd.DataFrame(rows, columns=["target", "aliases", "documents", "mentions"])
    targets = {str(t): list(a) for t, a in named.items()}
    return Suggestion(table, (), targets, paste_line("targets", targets), "the targets the corpus definition names")


def closest_spellings(word: str, vocabulary: Iterable[str], *, n: int = 3, cutoff: float = 0.7) -> list[str]:
    """Up to ``n`` words of ``vocabulary`` spelled most like ``word`` (difflib's ratio >= ``cutoff``),
    compared in lower case; best first, ties by the word."""
    word = word.casefold()
    candidates = sorted({v.casefold() for v in vocabulary if v and abs(len(v) - len(word)) <= max(3, len(word) // 2)})
    return difflib.get_close_matches(word, candidates, n=n, cutoff=cutoff)
