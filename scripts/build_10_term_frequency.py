"""Build notebooks/10_term_frequency.ipynb (outputs are stored separately by
`medialens store-outputs notebooks/10_term_frequency.ipynb`).

Run: .venv/bin/python scripts/build_10_term_frequency.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parents[1] / "notebooks" / "10_term_frequency.ipynb"

cells: list = []


def md(text: str) -> None:
    cells.append(new_markdown_cell(text.strip()))


def code(text: str, tags: list[str] | None = None) -> None:
    cell = new_code_cell(text.strip())
    if tags:
        cell.metadata["tags"] = tags
    cells.append(cell)


md("""
# Term frequencies: which words, for whom, and when

*Counts, keyness, trends over time and keyword-in-context, per outlet.*

- **Question:** (1) Which words and phrases dominate the corpus and each group? (2) Which terms are *key* for one group against the rest? (3) What is typical of this coverage compared with general Dutch? (4) How do chosen terms move over time? (5) Where and how are they used?
- **Data:** the corpus in the `corpus` parameter (by default the five seed articles), grouped by `group_by` (default: `outlet`, the house-style groups of the seeds).
- **Method:** one document-term count with the shared tokeniser (unigrams and bigrams); relative frequencies per 1,000 tokens; signed chi-square (quanteda's conditional Yates by default) and log-likelihood G² with the log ratio as effect size and a bootstrap over documents; general-language frequencies from `wordfreq`; monthly rates with gaps for empty months; a concordance and an x-ray plot.
- **Outputs:** tables of top terms, keyness, reference keyness, trends and contexts; figures `top_terms`, `keyness`, `keyness_grid`, `trends`, `trends_share`, `xray` (PNG and SVG in `figures_dir`).
- **Runtime:** seconds for the seeds. For 100,000 articles (measured on 2 shared cores): under a minute to count words (1.4 GB peak), about the same with word pairs (`ngram_range = [1, 2]`, 2.6 GB peak); keyness and trends then take seconds.
""")

code('''
corpus = "corpus/seeds.yaml"  # corpus definition (YAML), relative to the project root
figures_dir = "figures/seeds"  # folder for figures (PNG and SVG), relative to the project root
group_by = "outlet"  # document column to compare: "outlet", "month" or any metadata column
top_n = 10  # terms shown per group
terms = ["no-flyzone", "sancties", "escalatie", "troepen"]  # terms to follow over time and in context
ngram_range = [1, 2]  # n-gram orders to count: [1, 1] words only, [1, 2] words and word pairs
min_count = 1  # a term must occur this often in a group to enter its top list
language = "auto"  # tokeniser language: "nl", "en", or "auto" for the corpus definition's language
remove_stopwords = True  # drop the language's stopwords (negations such as niet/geen are kept)
reduce = "none"  # reduce words to "lemma" or "stem", or "none"
target_group = ""  # group tested for keyness; empty: the group with most documents
reference_group = ""  # group to compare it with; empty: all other documents
correction = "default"  # chi-square correction: "default" (quanteda's conditional Yates), "yates" or "none"
williams = False  # divide G2 by Williams' correction factor q
kwic_window = 8  # words of context either side of a keyword
n_boot = 1000  # bootstrap replicates (resampling documents) for log-ratio intervals
random_state = 0  # seed for the bootstrap
use_cache = True  # reuse the cached corpus when the input files and settings are unchanged
''', tags=["parameters"])

md("""
## Setting up
Every path is resolved from the project root. The corpus is loaded once and **counted once**: every table below reads the same document-term counts, made with the same tokeniser as every other notebook.
""")

code('''
import pandas as pd

from medialens import corpus as mc
from medialens import frequency as mf
from medialens import plots
from medialens import text as mt
from medialens.about import versions
from medialens.paths import resolve

pd.set_option("display.max_colwidth", 80)
pd.set_option("display.width", 160)
corpus_path = resolve(corpus)
figures_path = resolve(figures_dir)


def show_notes(frame):
    """Print the notes a medialens function attached to its result (one per line)."""
    for note in frame.attrs.get("notes", []):
        print("note:", note)
''')

code('''
c = mc.load_corpus(corpus_path, use_cache=use_cache)
settings = mt.TextSettings(
    language=c.definition.language if language == "auto" else language,
    remove_stopwords=remove_stopwords,
    reduce=reduce,
)
followed = [mf.normalise_term(t, settings) or t for t in terms]
counts = mf.count_terms(c.documents, settings=settings, ngram_range=ngram_range, keep_terms=followed)
print(c)
print(f"{counts.matrix.shape[0]} documents, {len(counts.terms):,} distinct terms (n-grams {ngram_range[0]}-{ngram_range[1]})")
''')

md("""
### The groups and their sizes
Every comparison below is between groups of documents, so first their sizes: how many documents and how many tokens (words left after stopwords) each group has. A group of one document is one article's vocabulary, not an outlet's.
""")

code('''
labels = mf.group_labels(counts.documents, group_by)
sizes = (
    counts.documents.assign(group=labels.to_numpy())
    .groupby("group")
    .agg(documents=("doc_id", "size"), words=("words", "sum"), tokens=("total_1", "sum"))
)
sizes
''')

md("""
## 1. Which words and phrases dominate?
A count says how often a term occurs; the **relative frequency per 1,000 tokens** divides by the group's size, so that a group with more text does not look more interested in everything. Bigrams (word pairs) are built on the tokens *after* stopword removal, so `minister van buitenlandse zaken` yields the pair `buitenlandse zaken`.

First the whole corpus, then each group.
""")

code('''
overall = mf.term_frequencies(counts, group_by=None, top_n=top_n, min_count=min_count)
show_notes(overall)
overall.round(2)
''')

code('''
top = mf.term_frequencies(counts, group_by=group_by, top_n=top_n, min_count=min_count)
show_notes(top)
top[top["n"] == 1].round(2)
''')

code('''
top[top["n"] > 1].round(2)
''')

code('''
plots.save_figure(plots.top_terms_plot(top), "top_terms", figures_path)
''')

md("""
**What it means.** The top of every list is the story's cast (Oekraïne, Rusland, Navo, Stoltenberg): the corpus is about one topic, so the big words are shared. `geen` and `niet` are high because the tokeniser keeps negations on purpose (stance analysis needs them).

**When it misleads.**
- *Small counts.* Most bigrams occur two or three times; a rank among ties (`rank` breaks them alphabetically) means nothing.
- *One long article dominates.* `docs_with_term` shows in how many documents a term occurs: a high count from a single document is that article's topic, not the group's habit. Check it before reading a term as typical of an outlet.
- *Groups of one document* (the notes above) describe a single article.

**Check** the relative frequency *and* the group total beside it; compare `docs_with_term` with `n_docs`.
""")

md("""
## 2. Which terms are key for one group?
Keyness asks whether a term is **more frequent in a target group than in a reference** (the rest of the corpus, or another group) by more than chance would give. For each term a 2×2 table is formed: *a* = count in the target, *b* = count in the reference, *c* and *d* = the other tokens of each side. From it:
- **chi2**, signed (positive: over-represented in the target). The correction follows quanteda's `textstat_keyness`: with `correction = "default"` Yates' continuity correction is applied only when some expected cell is below 5; `"yates"` always, `"none"` never.
- **g2**, the log-likelihood statistic, signed the same way (Williams' correction if `williams = True`; off by default).
- **p-values** for both (1 degree of freedom), and the **log ratio** (Hardie 2014) as the effect size: log2 of the ratio of relative frequencies, so 1 means twice as frequent, 2 four times. A zero count is replaced by 0.5 so the ratio stays finite, and we say so.
""")

code('''
target = target_group or sizes["documents"].sort_index().idxmax()
reference = reference_group or None
key = mf.keyness(
    counts, group_by=group_by, target=target, reference=reference, correction=correction, williams=williams
)
show_notes(key)
print(f"target {target!r} vs {key['reference'].iloc[0]!r}: {len(key):,} terms tested")
cols = ["term", "n", "a", "b", "per_1000_target", "per_1000_reference", "chi2", "p_chi2", "g2", "p_g2", "log_ratio", "docs_target", "docs_reference"]
key[cols].head(top_n).round(4)
''')

md("""
The same table from the other end: terms the target uses *less* than the reference (negative chi2).
""")

code('''
key[cols].tail(top_n).iloc[::-1].round(4)
''')

code('''
plots.save_figure(plots.keyness_plot(key, n=top_n), "keyness", figures_path)
''')

md("""
### Every group against the rest
The same test for each group in turn (one-vs-rest), keeping each group's most over-represented terms. Each row carries the group's number of documents and tokens.
""")

code('''
grid = mf.keyness_grid(counts, group_by=group_by, top_n=5, correction=correction, williams=williams)
show_notes(grid)
grid[["target", "term", "a", "b", "chi2", "p_chi2", "log_ratio", "docs_target", "n_docs_target", "tokens_target"]].round(4)
''')

md("""
### How sure are we? A bootstrap over documents
The chi-square and G² tests treat every token as an independent draw. They are not: words come in articles, and one article that mentions a term five times gives five "independent" tokens. Resampling **documents** (with replacement, within the target and within the reference) and recomputing the log ratio each time gives an interval that respects that. With a single document on a side there is nothing to resample, and the interval is left empty.
""")

code('''
top_terms = key[key["chi2"] > 0]["term"].head(top_n).tolist()
boot = mf.bootstrap_log_ratio(
    counts, group_by=group_by, target=target, reference=reference, terms=top_terms,
    n_boot=n_boot, random_state=random_state,
)
show_notes(boot)
boot.round(3)
''')

md("""
**What it means.** A large positive chi2 or G² with a large log ratio marks a term the target uses much more often; the sign tells the direction.

**When it misleads.**
- *Many tests.* Thousands of terms are tested; at p < 0.05 about one in twenty passes by chance alone. Read the list sorted by the statistic, with the counts beside it, and treat p-values as a ranking aid, not as proof.
- *Small counts.* A term seen 3 times in the target and never in the reference gets a high log ratio (the 0.5 replacing zero makes it finite, not meaningful). With counts this small, Yates' correction (and quanteda's conditional rule) pulls chi2 down; G² without correction is larger.
- *Words in one article.* `docs_target` says how many target documents contain the term; a key term found in one document is that article's subject. The bootstrap interval widens accordingly (an interval reaching near zero means the difference rests on few documents).
- *n = 1 groups.* Against a single article, "keyness" is that article's vocabulary.
""")

md("""
## 3. Against general language
Which words are typical of *this coverage* rather than of Dutch in general? We compare the corpus with word frequencies from the `wordfreq` package (a mix of subtitles, Wikipedia, web text, news and social media), installed with the project, so nothing is downloaded.

Two honest caveats about the reference. `wordfreq` gives each word's **share of running text**, not counts, so (i) the corpus side uses its rate per running word *before* stopword removal, the same kind of denominator; and (ii) for the test we treat the reference as a nominal corpus of 1 billion words. The log ratio does not depend on that size; G² does, and with a reference that large it becomes the test of each corpus count against a known rate. Words `wordfreq` does not list get half its smallest frequency (one in 200 million); hyphenated compounds are estimated by `wordfreq` from their parts (see `note`). Only word forms can be compared (`reduce = "none"`).
""")

code('''
if settings.reduce == "none" and 1 in counts.orders:
    ref = mf.reference_keyness(counts, top_n=top_n, min_count=2)
    show_notes(ref)
    display(ref.round(3))
else:
    print(f"reference keyness needs reduce = 'none' and unigrams; here reduce = {settings.reduce!r}, ngram_range = {ngram_range}")
''')

md("""
**What it means.** Names (Stoltenberg, Navo, Oekraïne) and the vocabulary of diplomacy and war are far more frequent here than in everyday Dutch: the corpus is news about one conflict, and any comparison between outlets happens *inside* that topic.

**When it misleads.** The reference is a different kind of text (spoken subtitles weigh heavily in `wordfreq`), so typical news words (`aldus`, "says") come out as "key" for any news corpus. G² against a nominal billion words is huge for almost every frequent word; sort by it, read the log ratio.
""")

md("""
## 4. How do the followed terms move over time?
For each followed term and month: its rate per 1,000 tokens, and, as Media Cloud measures attention, the **share of documents mentioning it**. The two answer different questions: one long article that repeats a term raises the rate but counts once in the share.

Months in which a group has no documents are **gaps** (empty values), not zeros: "no articles" is not "no mentions". Undated documents cannot be placed on the time line; they are counted and left out of the lines.
""")

code('''
trend = mf.trends(counts, terms=terms, group_by=group_by)
show_notes(trend)
print(f"undated documents: {trend.attrs['undated']}")
trend.round(3)
''')

code('''
plots.save_figure(plots.trends_plot(trend), "trends", figures_path)
''')

code('''
plots.save_figure(plots.trends_plot(trend, value="share_docs"), "trends_share", figures_path)
''')

md("""
**What it means.** A point is one group in one month; with the seeds most points rest on a single article, and a line between two points joins two articles.

**When it misleads.** With one or two documents per month, a "trend" is the topic of the articles that happened to be collected. Months without documents are gaps; if a line seems to jump, check `n_docs` for that month first. A followed term that never occurs gives zeros (and a note), not an error: check its spelling against the tokens (`no-flyzone` is one token; `vliegverbod` is a different word).
""")

md("""
## 5. Where and how are the terms used?
Numbers say how often; a **concordance** (keyword in context, KWIC) shows how. Each row is one occurrence with the words before and after it, the document, outlet and date. Matching is on the tokeniser's words (lowercased, stopwords kept so the context reads naturally); a hyphenated compound such as `no-flyzone` matches as one word. The table is sorted by the words to the left of the keyword, as concordancers do; `sort_by="right"` or `"position"` give other orders. Text is shown escaped.
""")

code('''
conc = mf.kwic(c.documents, terms=terms, window=kwic_window, settings=settings, sort_by="left")
show_notes(conc)
conc
''')

md("""
### Dispersion (x-ray) plot
Where in each article the terms occur (0 = the start, 1 = the end). Clusters show a term used in one passage; spread ticks show a running theme. Documents without a hit keep their row, so absence is visible too.
""")

code('''
disp = mf.dispersion(c.documents, terms=terms, settings=settings)
plots.save_figure(plots.xray_plot(disp), "xray", figures_path)
''')

md("""
**What to check.** Read the contexts before trusting a count: is `troepen` about NATO troops or Russian troops? Is `escalatie` said by a NATO spokesperson or quoted from Moscow? The same word counts the same in every table above, whoever says it; the stance notebook separates who says what.

## Findings and caveats
- The corpus is about one topic; its most frequent terms are shared by every group, and its difference from general Dutch is the topic itself (names, war and diplomacy).
- Keyness between outlets rests on two, two and one documents: every "key" term here is an illustration of the method. Counts of 2–5 dominate, many tests are run, and the bootstrap over documents shows how wide the uncertainty is.
- Followed terms occur a handful of times, in few articles, in three dated months; one document is undated and left out of the trends.
- The concordance is where a reader checks what a count means.

**Next:** `20_topic_clustering.ipynb` (which articles are about the same thing).
""")

code('''
# NBVAL_IGNORE_OUTPUT
versions()
''')

nb = new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
nb.metadata["language_info"] = {"name": "python"}
nbformat.write(nb, OUT)
print(f"wrote {OUT}")
