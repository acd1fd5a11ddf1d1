"""Every figure stays small whatever the corpus size: bounded drawn elements, bounded SVG bytes.

The inputs are synthetic tables of the shape each analysis returns, large enough that a figure
drawing one element per document, term, unit or group would blow the bounds (tens of thousands
of documents, thousands of groups' worth of rows).
"""

from __future__ import annotations

import io
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from medialens import plots
from medialens.clustering import ClusterMap
from medialens.frequency import Dispersion, Trends

#: An SVG with more drawing elements than this draws per item, not a summary.
MAX_ELEMENTS = 12_000
#: Figures under 1 MB each (issue 14's target).
MAX_SVG_BYTES = 1_000_000

N_DOCS = 20_000


def _svg(fig) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context(plots.STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buf.getvalue()


def _elements(svg: bytes) -> int:
    return len(re.findall(rb"<(?:use|path|image|rect|line|polyline|text)\b", svg))


def _assert_small(fig) -> bytes:
    svg = _svg(fig)
    assert len(svg) < MAX_SVG_BYTES, f"SVG of {len(svg):,} bytes"
    assert _elements(svg) < MAX_ELEMENTS, f"SVG with {_elements(svg):,} elements"
    width, height = fig.get_size_inches()
    assert width <= 20 and height <= 25, f"figure of {width} x {height} inches"
    return svg


def _drawn_points(fig) -> int:
    """Markers in non-rasterised collections (what the SVG writes one element for)."""
    return sum(len(c.get_offsets()) for ax in fig.axes for c in ax.collections if not c.get_rasterized())


@pytest.fixture(scope="module")
def big_dispersion() -> Dispersion:
    rng = np.random.default_rng(0)
    doc_ids = [f"d{i:05d}" for i in range(N_DOCS)]
    outlets = [f"outlet-{i % 25:02d}" for i in range(N_DOCS)]
    n_words = rng.integers(100, 900, N_DOCS)
    docs = pd.DataFrame({"doc_id": doc_ids, "outlet": outlets, "n_words": n_words})
    rows = []
    for term, per_doc in (("dat", 6), ("oorlog", 1)):
        hits = rng.poisson(per_doc, N_DOCS)
        owner = np.repeat(np.arange(N_DOCS), hits)
        position = (rng.random(len(owner)) * n_words[owner]).astype(int)
        rows.append(pd.DataFrame({
            "doc_id": np.asarray(doc_ids)[owner], "outlet": np.asarray(outlets)[owner], "term": term,
            "position": position, "n_words": n_words[owner], "offset": position / n_words[owner],
        }))
    table = pd.concat(rows, ignore_index=True)
    return Dispersion(table, (), documents=docs, terms=("dat", "oorlog"))


def test_xray_shows_at_most_max_docs_rows_and_says_which(big_dispersion):
    fig = plots.xray_plot(big_dispersion, max_docs=50)
    svg = _assert_small(fig)
    assert len(fig.axes[0].get_yticks()) == 50
    assert "the 50 documents with most hits of 20,000" in fig.get_suptitle()
    # the rows are the documents with most hits (ties by doc_id)
    hits = big_dispersion.table["doc_id"].value_counts()
    ranked = sorted(hits.index, key=lambda d: (-hits[d], d))[:50]
    shown = [t.get_text().split(" ")[0] for t in fig.axes[0].get_yticklabels()]
    assert sorted(shown) == sorted(ranked)
    assert _drawn_points(fig) <= plots.RASTER_POINTS * len(fig.axes)
    assert svg.count(b"<image") == 0  # 50 rows of a few hits each: ticks, not an image


def test_xray_sample_is_seeded_and_said(big_dispersion):
    a = plots.xray_plot(big_dispersion, max_docs=20, sample=True, random_state=3)
    b = plots.xray_plot(big_dispersion, max_docs=20, sample=True, random_state=3)
    labels = [t.get_text() for t in a.axes[0].get_yticklabels()]
    assert labels == [t.get_text() for t in b.axes[0].get_yticklabels()] and len(labels) == 20
    assert "a random sample of 20 of 20,000 documents (random_state = 3)" in a.get_suptitle()
    other = plots.xray_plot(big_dispersion, max_docs=20, sample=True, random_state=4)
    assert labels != [t.get_text() for t in other.axes[0].get_yticklabels()]


def test_xray_small_corpus_keeps_every_document():
    docs = pd.DataFrame({"doc_id": ["b", "a", "c"], "outlet": ["x", "y", "x"], "n_words": [10, 20, 30]})
    table = pd.DataFrame({"doc_id": ["a"], "outlet": ["y"], "term": ["t"], "position": [5], "n_words": [20], "offset": [0.25]})
    fig = plots.xray_plot(Dispersion(table, (), documents=docs, terms=("t",)))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a (y, 20 words)", "b (x, 10 words)", "c (x, 30 words)"]
    assert fig.get_suptitle() == "Where the terms occur (n = 3 documents)"
    with pytest.raises(ValueError, match="max_docs"):
        plots.xray_plot(Dispersion(table, (), documents=docs, terms=("t",)), max_docs=0)


def test_dispersion_profile_summarises_the_whole_corpus(big_dispersion):
    fig = plots.dispersion_profile_plot(big_dispersion, group_by="outlet", bins=10, max_groups=5)
    _assert_small(fig)
    assert "all 20,000 documents" in fig.get_suptitle()
    assert "the 5 largest of 25 groups shown" in fig.get_suptitle()
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 10]
    assert len(lines) == 6  # all documents + 5 groups, 10 points each
    overall = lines[0].get_ydata()
    assert overall.sum() == pytest.approx(1.0)
    # the overall line is the histogram of offsets
    dat = big_dispersion.table[big_dispersion.table["term"] == "dat"]
    expected = np.bincount(np.minimum((dat["offset"] * 10).astype(int), 9), minlength=10) / len(dat)
    assert np.allclose(overall, expected)


def test_dispersion_profile_groups_from_the_document_table(big_dispersion):
    docs = big_dispersion.documents.assign(month=["2022-01", "2022-02", None, "2022-03"] * (N_DOCS // 4))
    fig = plots.dispersion_profile_plot(big_dispersion, documents=docs, group_by="month")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0].startswith("all documents") and any(lb.startswith("(missing)") for lb in labels)
    assert len(plots.dispersion_profile_plot(big_dispersion, group_by=None).axes[0].get_lines()) == 2  # overall + even line
    with pytest.raises(ValueError, match="bins"):
        plots.dispersion_profile_plot(big_dispersion, bins=1)


def test_corpus_overview_bounded():
    rng = np.random.default_rng(1)
    months = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)]
    docs = pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(N_DOCS)],
        "outlet": [f"outlet-{i:02d}" for i in rng.integers(0, 30, N_DOCS)],
        "month": rng.choice(months, N_DOCS),
    })
    fig = plots.corpus_overview(docs, pd.Series(rng.integers(50, 2000, N_DOCS)))
    _assert_small(fig)
    assert "the 12 largest of 30 groups shown" in fig.axes[0].get_title()
    assert _drawn_points(fig) == 0


def test_cluster_map_bounded():
    rng = np.random.default_rng(2)
    n = 60_000
    table = pd.DataFrame({
        "unit_id": [f"u{i}" for i in range(n)], "outlet": [f"o{i % 10}" for i in range(n)],
        "cluster": rng.integers(0, 8, n), "x": rng.normal(size=n), "y": rng.normal(size=n),
    })
    fig = plots.cluster_map(ClusterMap(table, (), explained=(0.05, 0.04)), max_points=5000)
    _assert_small(fig)
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == 5000
    assert "a random sample of 5,000 shown (random_state = 0)" in fig.axes[0].get_title()


def test_cluster_map_bounds_the_outlets_in_its_legend():
    # 600 outlets made a legend of 600 entries (a figure 9,201 px tall) with 10 marker shapes reused
    rng = np.random.default_rng(5)
    n = 3000
    outlets = [f"outlet-{i:03d}" for i in range(600)]
    table = pd.DataFrame({
        "unit_id": [f"u{i}" for i in range(n)], "outlet": [outlets[0]] * 200 + [outlets[i % 600] for i in range(n - 200)],
        "cluster": rng.integers(1, 5, n), "x": rng.normal(size=n), "y": rng.normal(size=n),
    })
    fig = plots.cluster_map(ClusterMap(table, (), explained=(0.05, 0.04)))
    _assert_small(fig)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    outlet_labels = [t for t in labels if not t.startswith("cluster ")]
    assert len(outlet_labels) == plots.MAX_GROUPS + 1 and outlet_labels[-1] == "588 other outlets"
    assert "outlet-000" in outlet_labels  # the outlet with most units keeps its marker
    markers = [h.get_marker() for h in fig.axes[0].get_legend().legend_handles if h.get_label() in outlet_labels]
    assert len(set(markers)) == len(markers)  # no shape reused
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == n  # every unit drawn
    assert "markers for the 12 outlets with most units, the other 588 as dots" in fig.axes[0].get_title()
    few = table.assign(outlet=table["outlet"].map(lambda o: o[-1]))  # 10 outlets: a marker each, no note
    fig = plots.cluster_map(ClusterMap(few, (), explained=(0.05, 0.04)))
    assert "dots" not in fig.axes[0].get_title() and len(fig.axes[0].get_legend().get_texts()) == 4 + 10


def test_log_odds_chart_bounded():
    rng = np.random.default_rng(3)
    n = 50_000
    scores = pd.DataFrame({
        "term": [f"w{i}" for i in range(n)], "count": rng.integers(1, 5000, n), "z": rng.normal(size=n),
        "count_i": rng.integers(0, 100, n), "count_j": rng.integers(0, 100, n), "comparison": "a vs b",
    })
    fig = plots.log_odds_chart(scores, top_n=10)
    _assert_small(fig)
    assert _drawn_points(fig) <= 2 * 10 + 2


def test_group_figures_bounded():
    rng = np.random.default_rng(4)
    groups = [f"group-{i:03d}" for i in range(60)]
    polarity = pd.DataFrame([
        {"group": g, "target": t, "mean": rng.uniform(-0.5, 0.5), "ci_low": -0.6, "ci_high": 0.6, "n_mentions": int(rng.integers(1, 500))}
        for g in groups for t in ("A", "B", "C")
    ])
    fig = plots.stance_intervals(polarity)
    _assert_small(fig)
    assert len(fig.axes[0].get_yticks()) == 15 and "the 15 largest of 60 groups shown" in fig.get_suptitle()
    sov = pd.DataFrame([
        {"outlet": g, "speaker": f"s{k}", "quotes": int(rng.integers(1, 50)), "words": int(rng.integers(10, 900))}
        for g in groups for k in range(30)
    ])
    _assert_small(plots.share_of_voice_chart(sov))
    freq = pd.DataFrame([
        {"group": g, "n": 1, "term": f"t{r}", "rank": r, "per_1000": 10.0 - r, "count": 100 - r, "n_docs": i + 1, "group_total": 10_000}
        for i, g in enumerate(groups) for r in range(1, 11)
    ])
    fig = plots.top_terms_plot(freq)
    _assert_small(fig)
    assert len(fig.axes) == plots.MAX_GROUPS
    months = [f"{y}-{m:02d}" for y in range(2015, 2025) for m in range(1, 13)]
    trend = pd.DataFrame([
        {"term": t, "group": g, "month": mo, "count": 3, "per_1000": 1.0, "share_docs": 0.1, "n_docs": 5}
        for t in ("a", "b") for g in groups[:20] for mo in months
    ])
    fig = plots.trends_plot(Trends(trend, (), undated=0))
    _assert_small(fig)
    assert len(fig.axes[0].get_lines()) == 10 and len(fig.axes[0].get_xticks()) <= 24


def test_stance_intervals_label_documents_and_mentions():
    table = pd.DataFrame([
        {"group": "X", "target": "A", "n_documents": 1, "n_mentions": 5, "mean": np.nan, "ci_low": np.nan, "ci_high": np.nan},
        {"group": "Y", "target": "A", "n_documents": 3, "n_mentions": 4, "mean": 0.1, "ci_low": -0.2, "ci_high": 0.3},
    ])
    texts = [t.get_text() for t in plots.stance_intervals(table).axes[0].texts]
    assert "insufficient (n=1 docs, 5 mentions)" in texts and " n=3 docs, 4 mentions" in texts


def _bars(ax) -> dict[str, float]:
    """Bar label -> height summed over the stacked outlets."""
    labels = [t.get_text() for t in ax.get_xticklabels()]
    heights = np.zeros(len(labels))
    for container in ax.containers:
        heights += [b.get_height() for b in container]
    return dict(zip(labels, heights, strict=True))


def test_corpus_overview_has_a_continuous_time_axis():
    # three months with documents over a year: every month between them is a bar, zero when empty
    docs = pd.DataFrame({"doc_id": list("abcde"), "outlet": ["X", "Y", "X", "X", None],
                         "month": ["2022-01", "2022-01", "2022-06", "2022-12", None]})
    fig = plots.corpus_overview(docs, pd.Series([10, 20, 30, 40, 50]))
    bars = _bars(fig.axes[0])
    assert list(bars) == [f"2022-{m:02d}" for m in range(1, 13)] + ["(missing)"]
    assert bars["2022-01"] == 2 and bars["2022-02"] == 0 and bars["2022-06"] == 1 and bars["(missing)"] == 1
    assert fig.axes[0].get_title() == "Documents per month (n = 5)"
    # ten years: binned by quarter (40 bars from 2013Q1 to 2022Q4), and the title says so
    months = [f"{y}-{m:02d}" for y in range(2013, 2023) for m in (1, 5, 10)][:-1] + ["2022-10"]
    long = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(months))], "outlet": "X", "month": months})
    fig = plots.corpus_overview(long, pd.Series(range(len(months))))
    bars = _bars(fig.axes[0])
    assert list(bars)[0] == "2013Q1" and list(bars)[-1] == "2022Q4" and len(bars) == 40 and sum(bars.values()) == len(months)
    assert "Documents per quarter" in fig.axes[0].get_title() and "118 months, binned by quarter" in fig.axes[0].get_title()


def test_corpus_overview_gives_each_of_twelve_outlets_its_own_colour():
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(36)], "outlet": [f"outlet number {i % 12}" for i in range(36)],
                         "month": "2022-01"})
    fig = plots.corpus_overview(docs, pd.Series(range(36)))
    colours = {tuple(c.patches[0].get_facecolor()) for c in fig.axes[0].containers}
    assert len(colours) == 12
    assert fig.axes[0].get_legend() is None and len(fig.legends) == 1  # below the panels, not over the bars
