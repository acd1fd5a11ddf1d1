"""Build notebooks/20_topic_clustering.ipynb (run: .venv/bin/python notebooks/build_20_topic_clustering.py).

The notebook is written from this script with nbformat so that its structure stays reviewable;
outputs are stored afterwards only by ``medialens store-outputs``.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
cells = []


def md(text: str) -> None:
    cells.append(new_markdown_cell(text.strip("\n")))


def code(text: str, *, tags: list[str] | None = None) -> None:
    cell = new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = tags
    cells.append(cell)


md("""
# Topic clustering: which themes are there, and can we trust them?

*TF-IDF and k-means (or NMF) over paragraphs or articles, checked every way we can.*

- **Question:** Which topics do the texts fall into, how many are there, how stable is that answer, how do outlets and months spread over the topics, and what does the whole look like on a map?
- **Data:** the corpus named in the `corpus` parameter (by default the five seed articles in `seeds/`), cut into units: paragraphs (default) or whole documents.
- **Method:** the shared tokeniser, one TF-IDF matrix (sublinear tf, rows L2-normalised), k-means with ten initialisations (or NMF), k chosen by the cosine silhouette, re-runs with other seeds and bootstrap samples (adjusted Rand index, cluster-wise Jaccard), cross-tables, and a 2-D LSA map. It follows scikit-learn's examples *Clustering text documents using k-means* and *Topic extraction with NMF and LDA*.
- **Outputs:** tables per cluster (size, top terms, representative texts), silhouette by k, stability, cluster × outlet and cluster × month; figures `clustering_silhouette`, `clustering_stability`, `clustering_map` (PNG and SVG).
- **Runtime:** seconds for the seeds; for 100,000 articles see `benchmarks/bench_clustering.py` (MiniBatchKMeans is used automatically above 20,000 units).
""")

code('''
corpus = "corpus/seeds.yaml"  # corpus definition (YAML), relative to the project root
figures_dir = "figures/seeds"  # folder for figures (PNG and SVG), relative to the project root
unit = "paragraph"  # what is clustered: "paragraph" or "document"
include_headings = False  # keep short heading lines as paragraph units of their own
k: int | str = "auto"  # number of clusters, or "auto": the k in k_min..k_max with the best silhouette
k_min = 2  # smallest k tried with "auto"
k_max = 8  # largest k tried with "auto" (capped at the number of units minus 1)
algorithm = "kmeans"  # "kmeans" or "nmf"
minibatch: bool | str = "auto"  # MiniBatchKMeans: True, False, or "auto" (above 20,000 units)
min_df: int | float = 2  # keep terms in at least this many units (a whole number) or this share (0-1)
max_df: int | float = 0.5  # keep terms in at most this many units (a whole number) or this share (0-1)
ngram_range = [1, 1]  # [lowest, highest] word n-gram length; [1, 2] adds word pairs
sublinear_tf = True  # weigh term counts as 1 + log(count)
language = "auto"  # tokeniser language: "nl", "en", or "auto" for the corpus definition's language
remove_stopwords = True  # drop the language's stopwords (negations such as niet/geen are kept)
keep_negations = True  # keep niet/geen/nooit although they are stopwords; False clusters by topic words only
reduce = "none"  # reduce words to "lemma" or "stem", or "none"
random_state = 0  # seed for k-means, NMF, bootstrap samples and the silhouette sample
n_seeds = 5  # runs with seeds random_state, random_state + 1, ... for the stability check
bootstrap = 3  # extra runs on bootstrap samples of the units (0 for none)
n_top_terms = 10  # top terms shown per cluster
n_representatives = 3  # most central units shown per cluster
use_cache = True  # reuse the cached corpus when the input files and settings are unchanged
''', tags=["parameters"])

md("""
## Setting up
Paths are resolved from the project root; the tokeniser is the one every notebook shares, so the words counted here are the words counted in `10_term_frequency`.
""")

code('''
import pandas as pd

from medialens import clustering as cl
from medialens import corpus as mc
from medialens import plots
from medialens import text as mt
from medialens.about import versions
from medialens.paths import resolve

pd.set_option("display.max_colwidth", 160)
pd.set_option("display.precision", 3)
figures_path = resolve(figures_dir)
c = mc.load_corpus(resolve(corpus), use_cache=use_cache)
tokenizer = mt.Tokenizer(
    mt.TextSettings(
        language=c.definition.language if language == "auto" else language,
        remove_stopwords=remove_stopwords,
        keep_negations=keep_negations,
        reduce=reduce,
    )
)
print(c)
''')

md("""
## Units: what is one row of the matrix?
Clustering needs many units to find groups; the seed corpus has five articles, and five points can be split in two in only fifteen ways, none of which says much. Each seed article, however, moves through several themes (the summit, the troops, sanctions, what Zelensky asked for), one or two paragraphs at a time, so **paragraphs are the sensible unit for a small corpus**: there are dozens of them, and a topic can then be shared by paragraphs of different articles. Short heading lines (`Luchtruim`, `Dialoog`) are left out by default: a one-word unit would be placed by that single word. Every unit keeps its document id, outlet, date and paragraph number.
""")

code('''
units = cl.make_units(c, unit=unit, include_headings=include_headings)
per_doc = (
    units.fillna({"month": "undated"})
    .groupby("doc_id")
    .agg(outlet=("outlet", "first"), month=("month", "first"), units=("unit_id", "size"))
)
print(f"{len(units)} units ({unit}s) from {units['doc_id'].nunique()} documents")
per_doc
''')

md("""
## One TF-IDF matrix for everything
TF-IDF weighs a term up when it is frequent in a unit and down when it is common across units; `sublinear_tf` dampens repetition (a word used ten times is not ten times as telling), and every row is scaled to length 1 so that long and short paragraphs are compared by their mix of words, not their size. `min_df` and `max_df` drop terms too rare to link units and too common to tell them apart. The table shows how many terms each filter removed: with a small corpus the usual settings (scikit-learn's example uses `min_df=2, max_df=0.5` on thousands of documents) can remove almost everything, so check it. The matrix is built **once**; every table and figure below uses the same one.
""")

code('''
m = cl.tfidf(units, tokenizer=tokenizer, min_df=min_df, max_df=max_df, ngram_range=ngram_range, sublinear_tf=sublinear_tf)
m.filters
''')

code('''
n_units, n_terms = m.shape
density = m.X.nnz / (n_units * n_terms)
print(f"{n_units} units x {n_terms} terms; {density:.1%} of the cells are non-zero")
print(f"units left out: {len(m.dropped)}")
m.dropped
''')

md("""
Units without any term left (all stopwords, or only terms the filters removed) cannot be placed and are listed above rather than silently dropped. A sparse matrix is normal for text: each paragraph uses only a few of all the terms, which is also why distances between units tend to be large and similar to each other.

## Fitting the clusters
k-means puts each unit with the nearest of k centres; on length-1 TF-IDF rows this is the same as grouping by cosine similarity. It starts from random centres, so it is run ten times (`n_init=10`) with a fixed `random_state` and the best run is kept. With `k = "auto"` every k in the range is fitted and the one with the highest silhouette is kept (below). NMF (`algorithm = "nmf"`) instead describes each unit as a mix of k word profiles and assigns it to its strongest one.
""")

code('''
result = cl.cluster(m, k=k, k_min=k_min, k_max=k_max, algorithm=algorithm, random_state=random_state, minibatch=minibatch)
print(f"algorithm: {result.algorithm}{' (MiniBatchKMeans)' if result.minibatch else ''}; k = {result.k}; random_state = {result.random_state}")
print(result.verdict())
''')

md("""
## 1. What topics are there?
For each cluster: how many units it holds, from how many documents and outlets, and the terms with the highest weight in its centre (as in scikit-learn's example: `cluster_centers_.argsort()`). `top_document_share` is the share of the cluster's units coming from its single largest document: near 1, the "topic" is one article's thread rather than a theme shared across the corpus.
""")

code('''
summary = cl.cluster_summary(m, result, n_terms=n_top_terms)
summary.round(3)
''')

code('''
terms = cl.top_terms(m, result, n=n_top_terms)
terms.assign(weight=terms["weight"].round(3)).pivot(index="rank", columns="cluster", values="term").fillna("")
''')

md("""
The shared tokeniser keeps negations (`niet`, `geen`, `nooit`) because stance analysis needs them; here they can pull paragraphs together by how they are phrased rather than what they are about. If a cluster's top terms are mostly such words, re-run with `keep_negations = False` and see whether it survives.

Top terms are a summary of a centre, not a label. Read the units closest to each centre before giving a cluster a name: these are the three most representative units per cluster (cosine similarity to the centre), shown with their document, outlet and date. Texts are cut to 400 characters and shown escaped.
""")

code('''
reps = cl.representatives(m, result, n=n_representatives)
reps.round(3)
''')

md("""
## 2. How many clusters?
There is no true k. The **silhouette** compares, for every unit, how close it is to its own cluster with how close it is to the next one (cosine distance): +1 means clearly in its cluster, 0 means on the border, negative means closer to another cluster. Its mean over all units is a common way to compare values of k; the chosen k is marked.
""")

code('''
if result.by_k is not None:
    display(result.by_k.round(3))
    fig = plots.silhouette_by_k(result.by_k, chosen_k=result.k, n_units=n_units)
    display(plots.save_figure(fig, "clustering_silhouette", figures_path))
    if result.k == result.by_k["k"].max():
        print(f"The chosen k = {result.k} is the largest tried: the silhouette may still rise beyond it, which on sparse text says little (see below).")
    spread = result.by_k["silhouette"].max() - result.by_k["silhouette"].min()
    print(f"The silhouettes of all k tried lie within {spread:.3f} of each other.")
else:
    print(f"k was fixed at {result.k}; set k = 'auto' to compare values of k")
print(f"silhouette of the chosen solution: {result.silhouette:.3f}")
''')

md("""
**What it means.** On news text the silhouette is usually close to 0: paragraphs share much of their vocabulary and each uses only a few words, so no unit is far from all others. A silhouette near 0 says that the units form a continuum that k-means cuts somewhere, not separate groups; that is a finding about the corpus, not a failure of the analysis. Two more cautions: on sparse text the silhouette tends to creep up as k grows, because small clusters of two or three near-duplicate paragraphs score well, so a maximum at the top of the range (`k_max`) is no evidence for many topics; and with a few dozen units the differences between k are small enough to be noise.
""")

md("""
## 3. How stable is it?
Clustering is a modelling choice: other seeds, another sample of paragraphs, another k or other TF-IDF settings give other clusters. Here the same model is re-fitted with `n_seeds` seeds and on `bootstrap` resamples of the units (drawn with replacement; every unit is then assigned to its nearest centre). The **adjusted Rand index** (ARI) measures how far two runs agree on which units belong together: 1 is identical, 0 is what chance gives. For each cluster of the reported solution, the **Jaccard** overlap with its best match in every other run shows whether that cluster survives (Hennig 2007: 0.75 or more stable, 0.5 to 0.75 a pattern, below 0.5 it dissolves).
""")

code('''
stab = cl.stability(m, result, n_seeds=n_seeds, bootstrap=bootstrap)
ari = stab.ari_matrix()
fig = plots.stability_heatmap(ari, n_units=n_units)
display(plots.save_figure(fig, "clustering_stability", figures_path))
others = stab.ari[stab.ari["run_a"] == stab.runs["run"].iloc[0]]["ari"]
print(f"ARI of the reported run with the {len(others)} other runs: median {others.median():.3f}, range {others.min():.3f} to {others.max():.3f}")
stab.runs.round(3)
''')

code('''
stab.survival.round(3)
''')

md("""
A cluster marked *dissolves* is not found again when the seed or the sample changes: do not build a finding on it. Low agreement between seeds is what weak structure looks like from another side: when there are no clear groups, each run cuts the continuum differently.

## 4. How do outlets and time relate to clusters?
Counts first, with totals, then the share of each outlet's (or month's) units in each cluster, with n in the last row. Undated units are a column of their own, not dropped.
""")

code('''
cl.cluster_table(m.units, result.labels, by="outlet")
''')

code('''
cl.cluster_table(m.units, result.labels, by="outlet", shares=True).round(3)
''')

code('''
cl.cluster_table(m.units, result.labels, by="month")
''')

code('''
cl.cluster_table(m.units, result.labels, by="month", shares=True).round(3)
''')

md("""
**When it misleads.** With paragraph units, the units of one article are not independent: an article about one summit contributes ten paragraphs about it, and its outlet and month then look tied to that cluster. With one or two articles per outlet and month, these tables describe those articles, not the outlets. Read them next to `top_document_share` in the summary above.

## 5. A map
LSA (a truncated singular value decomposition of the TF-IDF matrix) finds the two directions along which the units differ most and places each unit on them. Colour is the cluster, the marker is the outlet. The two axes keep only a small share of the variation in a matrix with hundreds of terms (the first axis of this uncentred decomposition mostly follows how ordinary a unit's vocabulary is, so it can explain less than the second), so clusters that overlap here may still be apart in the full space, and the reverse: the map is for orientation, the silhouette and stability are the checks.
""")

code('''
points = cl.lsa_map(m, result, random_state=random_state)
fig = plots.cluster_map(points)
display(plots.save_figure(fig, "clustering_map", figures_path))
print("variance explained by the two axes: " + ", ".join(f"{e:.3f}" for e in points.attrs["explained"]))
''')

md("""
## Findings, caveats and what to check
""")

code('''
stable = stab.survival[stab.survival["verdict"] == "stable"]["cluster"].tolist()
print(f"- {n_units} {unit} units, {n_terms} terms, {result.k} clusters ({result.algorithm}).")
print(f"- {result.verdict()}")
print(f"- Agreement between the {len(stab.runs)} runs: median ARI over all pairs {stab.ari['ari'].median():.3f}; clusters that survive re-runs: {stable if stable else 'none'}.")
''')

md("""
- **Validate, validate, validate.** Top terms and a silhouette do not tell you what a cluster is about; reading the representative texts does. Before reporting a topic, read more of its units than the three shown, and check that it survives other seeds and bootstrap samples.
- **A modelling choice.** The unit, the stopword and lemma settings, `min_df`/`max_df`, k and the algorithm all change the result. Re-run the notebook with other values (for example `algorithm = "nmf"`, `reduce = "lemma"`, `unit = "document"`) and see what holds.
- **Small corpora.** With five articles, every outlet and month has one or two documents: the tables in section 4 illustrate the method; they are not evidence about outlets.
- **Weak structure is a finding.** A silhouette near 0 says that the texts do not fall into separate themes; a corpus of news on one story usually does not.

**Next:** `30_stance_comparison.ipynb` (how outlets and speakers position themselves toward NATO, Russia and Ukraine).
""")

code('''
# NBVAL_IGNORE_OUTPUT
versions()
''')

nb = new_notebook(cells=cells)
nb.metadata = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
nbformat.write(nb, HERE / "20_topic_clustering.ipynb")
print("wrote", HERE / "20_topic_clustering.ipynb")
