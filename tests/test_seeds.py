"""The embedded seed corpus: the files, how they load, and the evidence recorded for their grouping."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from medialens.corpus import house_style_markers, load_corpus
from medialens.paths import project_root
from medialens.yamlfile import load_yaml

ROOT = project_root()
SEEDS = ROOT / "seeds"
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"  # shared/ sits beside the checkout (as in CI)
DEFINITION = ROOT / "corpus" / "seeds.yaml"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("MEDIALENS_CACHE", str(tmp_path_factory.mktemp("cache")))
    try:
        yield load_corpus(DEFINITION, use_cache=False)
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def definition() -> dict:
    return load_yaml(DEFINITION)


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the shared seed folder is not on this machine")
def test_seeds_are_byte_identical_to_the_shared_ones():
    ours = {p.name: p.read_bytes() for p in sorted(SEEDS.iterdir())}
    theirs = {p.name: p.read_bytes() for p in sorted(SHARED_SEEDS.iterdir())}
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name] == theirs[name], name


def test_five_documents_nothing_skipped(seeds):
    assert len(seeds) == 5
    assert seeds.skipped.empty
    s = seeds.summary()["count"]
    assert (s["input files"], s["input records"], s["documents kept"], s["records skipped"]) == (5, 5, 5, 0)
    assert seeds.documents["doc_id"].tolist() == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert (seeds.documents["language"] == "nl").all()
    assert seeds.documents["near_duplicate_of"].isna().all()


def test_the_undated_seed_is_kept_with_its_inferred_date_recorded(seeds):
    docs = seeds.documents.set_index("doc_id")
    undated = docs[docs["date"].isna()]
    assert undated.index.tolist() == ["004_183bfa2d4f81081f"]
    row = undated.iloc[0]
    assert pd.isna(row["month"])
    assert row["date_inferred"] == "2022-03"
    assert "No date line" in row["date_inferred_reason"]
    note = seeds.notes[seeds.notes["kind"] == "date_missing"]
    assert note["doc_id"].tolist() == ["004_183bfa2d4f81081f"]
    # every other seed has its date from the 'date YYYY-MM' header
    dated = docs.drop(index="004_183bfa2d4f81081f")
    for doc_id, date in dated["date"].items():
        first = (SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8").lstrip().split()[:2]
        assert first == ["date", date]


def test_no_outlet_name_is_invented(seeds, definition):
    assert set(seeds.documents["outlet"]) == {"style-A", "style-B", "style-C"}
    assert set(definition["documents"]) == set(seeds.documents["doc_id"])


# The phrases used in corpus/seeds.yaml's outlet_evidence, and the marker each one counts.
EVIDENCE_COUNTS = {
    ",, opening quotes": "quotes_low_double_comma",
    "“ opening quotes": "quotes_curly_double",
    "‘ short quotes": "quotes_curly_single",
    "NAVO spelling in capitals": "spelling_NAVO",
    "Navo spelling": "spelling_Navo",
}
EVIDENCE_PRESENT = {
    "'Volledig scherm ... ©' photo caption": "caption_volledig_scherm",
    "'Quote ...' pull quote": "pull_quote",
    "'Lees ook:' teaser block": "teaser_lees_ook",
}


def test_outlet_evidence_counts_match_the_raw_files(definition):
    checked = 0
    for doc_id, meta in definition["documents"].items():
        markers = house_style_markers((SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8"))
        for claim in (c.strip() for c in meta["outlet_evidence"].split(";")):
            m = re.fullmatch(r"(.+?) \((\d+)\)", claim)
            if m:
                assert m.group(1) in EVIDENCE_COUNTS, f"{doc_id}: unknown evidence {claim!r}"
                assert markers[EVIDENCE_COUNTS[m.group(1)]] == int(m.group(2)), f"{doc_id}: {claim}"
            elif claim.startswith("no "):
                phrase = claim.removeprefix("no ")
                key = next(v for k, v in EVIDENCE_COUNTS.items() if k.startswith(phrase))
                assert markers[key] == 0, f"{doc_id}: {claim}"
            else:
                assert claim in EVIDENCE_PRESENT, f"{doc_id}: unknown evidence {claim!r}"
                assert markers[EVIDENCE_PRESENT[claim]] >= 1, f"{doc_id}: {claim}"
            checked += 1
    assert checked == 18


def test_each_house_style_has_its_own_markers():
    by_style: dict[str, list[dict]] = {}
    definition = load_yaml(DEFINITION)
    for doc_id, meta in definition["documents"].items():
        by_style.setdefault(meta["outlet"], []).append(
            house_style_markers((SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8"))
        )
    assert all(m["quotes_low_double_comma"] > 0 and m["quotes_curly_double"] == 0 for m in by_style["style-A"])
    assert all(m["quotes_curly_double"] > 0 and m["spelling_Navo"] > 0 for m in by_style["style-B"])
    assert all(m["spelling_NAVO"] > 0 and m["spelling_Navo"] == 0 for m in by_style["style-C"])


def test_boilerplate_removals_are_the_expected_ones(seeds):
    r = seeds.removals
    got = sorted(zip(r["doc_id"], r["kind"], r["paragraph"], strict=True))
    assert got == [
        ("000_1a0a6596d60781e4", "caption", 5),
        ("000_1a0a6596d60781e4", "pull_quote", 4),
        ("001_6ccf7d9b56e9e077", "teaser", 14),
        ("001_6ccf7d9b56e9e077", "teaser", 15),
        ("001_6ccf7d9b56e9e077", "teaser", 16),
        ("001_6ccf7d9b56e9e077", "teaser", 17),
        ("001_6ccf7d9b56e9e077", "teaser", 18),
    ]
    docs = seeds.documents.set_index("doc_id")["text"]
    for text in docs:
        assert not re.search(r"^(Volledig scherm|Lees ook:|Quote )", text, re.M)
    # the pull quote repeated the body: its words are still there once, in the body
    pull = r[r["kind"] == "pull_quote"].iloc[0]["excerpt"].removeprefix("Quote ")[:40]
    assert docs["000_1a0a6596d60781e4"].count(pull) == 1
    # the teaser block was the end of the article; the last kept paragraph is article text
    assert "Poetin ontkent" not in docs["001_6ccf7d9b56e9e077"]
    raw = (SEEDS / "001_6ccf7d9b56e9e077.txt").read_text(encoding="utf-8")
    assert raw.index("Lees ook:") > raw.index(docs["001_6ccf7d9b56e9e077"].split("\n\n")[-1])


def test_seed_paragraphs_and_sentences_are_derivable(seeds):
    paras = seeds.paragraphs()
    sents = seeds.sentences()
    assert set(paras["doc_id"]) == set(sents["doc_id"]) == set(seeds.documents["doc_id"])
    assert (paras.groupby("doc_id").size() == seeds.documents.set_index("doc_id")["n_paragraphs"]).all()
    assert "Luchtruim" in paras[paras["kind"] == "heading"]["text"].tolist()
    assert (sents.groupby("doc_id")["sentence"].max() == sents.groupby("doc_id").size()).all()
