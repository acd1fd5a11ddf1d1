"""Hand-coded stance: reading coding files, the classifier and its predictions per group."""

from __future__ import annotations

import pandas as pd
import pytest

from medialens import coding as cod
from medialens import stance as st
from medialens.results import with_intervals
from medialens.text import TextSettings, Tokenizer

HEADER = "unit_id,text,target,stance,coder\n"


def write(tmp_path, name, body):
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_shipped_codes_read_and_say_they_are_examples():
    from medialens.paths import resolve

    path = resolve("corpus/seeds.stance_codes.csv")
    assert "not a gold standard" in path.read_text(encoding="utf-8").splitlines()[0].lower()
    codes = cod.read_codes(path)
    assert 30 <= len(codes) <= 60
    assert set(codes["stance"]) == set(cod.STANCE_LABELS)


def test_codes_unknown_label_names_file_and_row(tmp_path):
    p = write(tmp_path, "codes.csv", "# a comment\n" + HEADER + "1,Goed zo,NAVO,favour,a\n2,Slecht,NAVO,tegen,a\n")
    with pytest.raises(ValueError, match=r"codes\.csv:4: stance = 'tegen' is not in the codebook \(favour, against, neutral\)"):
        cod.read_codes(p)


def test_codes_missing_columns(tmp_path):
    p = write(tmp_path, "codes.csv", "unit_id,text,stance\n1,Goed,favour\n")
    with pytest.raises(ValueError, match=r"codes\.csv:1: missing column\(s\) \['coder', 'target'\]"):
        cod.read_codes(p)


def test_codes_empty_text_and_missing_file(tmp_path):
    p = write(tmp_path, "codes.csv", HEADER + "1,,NAVO,favour,a\n")
    with pytest.raises(ValueError, match=r"codes\.csv:2: empty 'text'"):
        cod.read_codes(p)
    with pytest.raises(ValueError, match="coding_file = .*no such file"):
        cod.read_codes(tmp_path / "nope.csv")


def test_codes_one_class_only(tmp_path):
    p = write(tmp_path, "codes.csv", HEADER + "".join(f"{i},zin {i},NAVO,favour,a\n" for i in range(10)))
    codes = cod.read_codes(p)
    with pytest.raises(ValueError, match=r"coding_file: only one stance class \('favour'\)"):
        cod.evaluate_classifier(codes, settings=TextSettings())


def test_codes_too_few_per_class_for_the_folds(tmp_path):
    rows = [f"{i},goed overleg {i},NAVO,favour,a\n" for i in range(6)] + [f"{i},slecht {i},NAVO,against,a\n" for i in range(6, 9)]
    codes = cod.read_codes(write(tmp_path, "codes.csv", HEADER + "".join(rows)))
    with pytest.raises(ValueError, match=r"too few examples per class for n_splits = 5 folds \('against': 3\)"):
        cod.evaluate_classifier(codes, settings=TextSettings(), n_splits=5)


def test_classifier_is_deterministic_and_reports_macro_f1_beside_the_baseline():
    from sklearn.metrics import f1_score

    from medialens.paths import resolve

    codes = cod.read_codes(resolve("corpus/seeds.stance_codes.csv"))
    settings = TextSettings()
    r1 = cod.evaluate_classifier(codes, settings=settings, n_splits=5, random_state=0)
    r2 = cod.evaluate_classifier(codes, settings=settings, n_splits=5, random_state=0)
    pd.testing.assert_frame_equal(r1.table, r2.table)
    assert list(r1.table.columns) == ["fold", "n_test", "macro_f1_model", "macro_f1_majority"]
    assert r1.confusion.to_numpy().sum() == len(codes)
    # the macro-F1 in the report equals sklearn's from the confusion matrix's predictions
    cm = r1.confusion
    y_true = [t for t in cm.index for p in cm.columns for _ in range(cm.loc[t, p])]
    y_pred = [p for t in cm.index for p in cm.columns for _ in range(cm.loc[t, p])]
    assert r1.report.loc["macro avg", "f1-score"] == pytest.approx(round(f1_score(y_true, y_pred, average="macro"), 3))
    # the majority baseline of a 3-class problem scores at most 1/3 * its F1 of one class
    assert r1.table["macro_f1_majority"].iloc[-1] < 0.34


def test_predict_stance_per_group_with_intervals_and_min_n():
    from medialens.paths import resolve

    codes = cod.read_codes(resolve("corpus/seeds.stance_codes.csv"))
    units = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d", "e", "f"],
        "outlet": ["X"] * 5 + ["Y"],
        "target": ["Rusland"] * 6,
        "text": ["Rusland als agressor."] * 6,
    })
    settings = TextSettings()
    p1 = with_intervals(cod.predict_stance(codes, units, settings=settings, group_by="outlet", n_bootstrap=200, min_n=2), value="net_stance")
    p2 = with_intervals(cod.predict_stance(codes, units, settings=settings, group_by="outlet", n_bootstrap=200, min_n=2), value="net_stance")
    pd.testing.assert_frame_equal(p1, p2)
    assert p1["n_units"].tolist() == [5, 1]
    assert p1.loc[p1["group"] == "Y", "result"].iloc[0] == "insufficient data"
    x = p1[p1["group"] == "X"].iloc[0]
    assert x["share_favour"] + x["share_against"] <= 1
    assert x["ci_low"] <= x["net_stance"] <= x["ci_high"]
    with pytest.raises(ValueError, match="group_by = 'krant'"):
        cod.predict_stance(codes, units, settings=settings, group_by="krant")
    p3 = with_intervals(cod.predict_stance(codes, units, settings=settings, group_by="outlet", n_bootstrap=200, min_n=1), value="net_stance")
    assert p3.loc[p3["group"] == "Y", "result"].iloc[0] == "insufficient data"  # one unit: no interval
    with pytest.raises(ValueError, match="min_n = 0"):
        cod.predict_stance(codes, units, settings=settings, group_by="outlet", min_n=0)
    with pytest.raises(ValueError, match="n_bootstrap = 5"):
        cod.predict_stance(codes, units, settings=settings, group_by="outlet", n_bootstrap=5)


def test_classifier_top_terms_lists_every_class():
    from medialens.paths import resolve

    codes = cod.read_codes(resolve("corpus/seeds.stance_codes.csv"))
    top = cod.classifier_top_terms(codes, settings=TextSettings(), top_n=3)
    assert top["stance"].tolist() == ["against", "favour", "neutral"]
    assert all(len(t.split(", ")) == 3 for t in top["strongest terms (weight)"])
    with pytest.raises(ValueError, match="top_n = 0"):
        cod.classifier_top_terms(codes, settings=TextSettings(), top_n=0)


def test_mention_sentences_one_unit_per_sentence_and_target(lex):
    from medialens.corpus import load_corpus

    c = load_corpus("corpus/seeds.yaml")
    m = st.find_mentions(c.documents, st.DEFAULT_TARGETS, lexicon=lex, window=3)
    u = cod.mention_sentences(m, c.sentences(), c.documents, group_by="outlet")
    assert not u.duplicated(["doc_id", "sentence", "target"]).any()
    assert len(u) == len(m.drop_duplicates(["doc_id", "sentence", "target"]))
    sents = c.sentences().set_index(["doc_id", "sentence"])["text"]
    assert all(sents.loc[(d, s)] == t for d, s, t in zip(u["doc_id"], u["sentence"], u["text"], strict=True))
    outlets = c.documents.set_index("doc_id")["outlet"].astype(object).fillna("(missing)")
    assert u["outlet"].tolist() == [outlets[d] for d in u["doc_id"]]
    with pytest.raises(ValueError, match="group_by = 'krant'"):
        cod.mention_sentences(m, c.sentences(), c.documents, group_by="krant")


def test_a_mention_that_is_only_an_attribution_makes_no_classifier_unit(lex):
    from medialens.quotes import extract_quotes

    docs = pd.DataFrame({"doc_id": ["a"], "outlet": ["X"], "text": [
        "“Wij gaan door”, zei Mark Rutte. Critici noemen Rutte een slechte premier."]})
    sentences = pd.DataFrame({"doc_id": ["a", "a"], "sentence": [1, 2],
                              "text": ["“Wij gaan door”, zei Mark Rutte.", "Critici noemen Rutte een slechte premier."]})
    m = st.find_mentions(docs, {"Mark Rutte": ["Mark Rutte", "Rutte"]}, lexicon=lex, quotes=extract_quotes(docs).table)
    assert m["attribution"].tolist() == [True, False]
    assert cod.mention_sentences(m, sentences, docs, group_by="outlet")["sentence"].tolist() == [2]  # as stance_table
    assert cod.mention_sentences(m, sentences, docs, group_by="outlet", attributions=True)["sentence"].tolist() == [1, 2]


def test_the_classifier_counts_with_the_analysis_settings():
    from medialens.paths import resolve

    codes = cod.read_codes(resolve("corpus/seeds.stance_codes.csv"))
    top = cod.classifier_top_terms(codes, settings=TextSettings(), top_n=3)
    first = top["strongest terms (weight)"].iloc[1].split(", ")[0].split(" (")[0]  # not a negation: those stay
    without = cod.classifier_top_terms(codes, settings=TextSettings(extra_stopwords=(first,)), top_n=3)
    assert first not in " ".join(without["strongest terms (weight)"])
    with pytest.raises(ValueError, match=r"^settings: expected a TextSettings, got Tokenizer"):
        cod.evaluate_classifier(codes, settings=Tokenizer(TextSettings()))


# --------------------------------------------------------------------------------------------
# One counting path: the classifier's features are count_terms' counts
# --------------------------------------------------------------------------------------------
def _seed_codes():
    from medialens.paths import resolve

    return cod.read_codes(resolve("corpus/seeds.stance_codes.csv"))


@pytest.mark.parametrize("settings", [TextSettings(), TextSettings(reduce="lemma"), TextSettings(remove_stopwords=False)])
def test_classifier_counts_are_count_terms_counts(settings):
    import numpy as np

    from medialens.frequency import count_terms

    codes = _seed_codes()
    X, names = cod._counts(codes["text"], cod.classifier_settings(settings))
    docs = pd.DataFrame({"doc_id": [f"u{i}" for i in range(len(codes))], "text": codes["text"]})
    counts = count_terms(docs, settings=cod.classifier_settings(settings))
    assert names.tolist() == counts.terms["term"].tolist()
    np.testing.assert_array_equal(X.toarray(), counts.matrix.toarray())


def test_classifier_tfidf_equals_tfidfvectorizer_on_the_training_vocabulary():
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    codes = _seed_codes()
    settings = cod.classifier_settings(TextSettings())
    texts = codes["text"].to_numpy()
    train, test = np.arange(0, len(texts), 2), np.arange(1, len(texts), 2)
    X, names = cod._counts(texts, settings)
    fitted = cod._fit(X[train], codes["stance"].to_numpy()[train], 0)
    vec = TfidfVectorizer(analyzer=Tokenizer(settings), sublinear_tf=True).fit(texts[train])
    assert names[fitted.columns].tolist() == vec.get_feature_names_out().tolist()
    np.testing.assert_allclose(fitted.tfidf.transform(X[test][:, fitted.columns]).toarray(), vec.transform(texts[test]).toarray(), atol=1e-12)


def test_classifier_keeps_negations_when_the_analysis_drops_them():
    assert cod.classifier_settings(TextSettings(keep_negations=False)) == TextSettings()
    codes = _seed_codes()
    _, names = cod._counts(codes["text"], cod.classifier_settings(TextSettings(keep_negations=False)))
    assert "niet" in names or "geen" in names
    with pytest.raises(ValueError, match=r"^settings: expected a TextSettings, got Tokenizer"):
        cod.classifier_settings(Tokenizer(TextSettings()))


def test_predicted_stance_needs_min_n_documents_and_resamples_documents():
    codes = _seed_codes()
    units = pd.DataFrame({
        "doc_id": ["a"] * 5 + ["b", "c", "d"],
        "outlet": ["X"] * 5 + ["Y"] * 3,
        "target": ["Rusland"] * 8,
        "text": ["Rusland als agressor."] * 8,
    })
    p = with_intervals(cod.predict_stance(codes, units, settings=TextSettings(), group_by="outlet", n_bootstrap=200, min_n=2), value="net_stance")
    assert p[["group", "n_documents", "n_units"]].values.tolist() == [["X", 1, 5], ["Y", 3, 3]]
    assert p["result"].tolist()[0] == "insufficient data"  # five units in one document
    assert p["result"].tolist()[1] != "insufficient data"
    by_unit = cod.predict_stance(codes, units, settings=TextSettings(), group_by="outlet", n_bootstrap=200, min_n=1, resample="mentions")
    assert not by_unit["net_stance"].isna().any()
    with pytest.raises(ValueError, match="resample = 'zinnen'"):
        cod.predict_stance(codes, units, settings=TextSettings(), group_by="outlet", resample="zinnen")


# --------------------------------------------------------------------------------------------
# Any label: hand codes with other labels, and a document column of the corpus metadata
# --------------------------------------------------------------------------------------------
def _partisan_documents() -> pd.DataFrame:
    left = ["De vakbond eist hogere lonen voor alle arbeiders.", "Solidariteit met de stakers in de haven.",
            "Meer geld voor sociale huur en de zorg.", "De arbeiders staken voor een eerlijk loon.",
            "Vakbonden en huurders protesteren samen.", "Sociale zekerheid moet omhoog, zegt de bond."]
    right = ["De ondernemers willen lagere belastingen.", "Minder regels voor bedrijven en de markt.",
             "Belastingverlaging helpt ondernemers groeien.", "De markt regelt het beter dan de staat.",
             "Bedrijven vragen minder bureaucratie en belasting.", "Ondernemers investeren bij lagere lasten."]
    return pd.DataFrame({
        "doc_id": [f"d{i:02d}" for i in range(13)],
        "outlet": ["A", "B"] * 6 + ["A"],
        "partisan": ["links"] * 6 + ["rechts"] * 6 + [None],
        "text": left + right + ["Het weer is vandaag wisselvallig."],
    })


def test_a_document_column_is_the_target_with_macro_f1_spread_beside_the_baseline():
    docs = _partisan_documents()
    units = cod.document_codes(docs, "partisan")
    assert units.table["unit_id"].tolist() == [f"d{i:02d}" for i in range(12)]
    assert units.notes == ("1 of 13 documents have no 'partisan' and are left out.",)
    ev = cod.evaluate_classifier(units.table, label="partisan", settings=TextSettings(), n_splits=3, source="label_column")
    folds = ev.table[ev.table["fold"] != "mean"]
    assert list(ev.summary.index) == ["model", "majority baseline"]
    assert ev.summary.loc["model", "macro_f1"] == pytest.approx(round(folds["macro_f1_model"].astype(float).mean(), 3), abs=1e-3)
    assert ev.summary.loc["model", "sd_over_folds"] == pytest.approx(round(folds["macro_f1_model"].astype(float).std(ddof=1), 3), abs=2e-3)
    assert (ev.summary.loc["model", "folds"], ev.summary.loc["model", "units"], ev.summary.loc["model", "classes"]) == (3, 12, 2)
    assert ev.summary.loc["model", "macro_f1"] > ev.summary.loc["majority baseline", "macro_f1"]
    assert list(ev.confusion.index) == ["links", "rechts"]
    top = cod.classifier_top_terms(units.table, label="partisan", settings=TextSettings(), top_n=2)
    assert list(top.columns) == ["partisan", "strongest terms (weight)"] and top["partisan"].tolist() == ["links", "rechts"]


def test_document_label_errors_are_one_line_and_name_the_parameter():
    docs = _partisan_documents()
    with pytest.raises(ValueError, match=r"^label_column = 'partijdig': not a column of the documents; columns: \['outlet', 'partisan'\]$"):
        cod.document_codes(docs, "partijdig")
    with pytest.raises(ValueError, match=r"^label_column = 'outlet': has one value \('A'\) in 7 documents; a classifier needs at least two classes$"):
        cod.document_codes(docs[docs["outlet"] == "A"], "outlet")
    with pytest.raises(ValueError, match=r"^label_column = 'partisan': has no values in 0 documents"):
        cod.document_codes(docs.assign(partisan=None), "partisan")
    units = cod.document_codes(docs, "partisan").table
    with pytest.raises(ValueError, match=r"^label = 'stance': not a column of the codes"):
        cod.evaluate_classifier(units, settings=TextSettings(), n_splits=3)
    with pytest.raises(ValueError, match=r"^label_column: only one partisan class \('links'\) is coded"):
        cod.evaluate_classifier(units.head(6), label="partisan", n_splits=3, source="label_column")


def test_hand_codes_with_any_labels_at_any_level():
    # e.g. sentences coded for a frame with four values, not favour/against/neutral
    frames = {"economie": "De kosten en de begroting stijgen", "veiligheid": "De dreiging en het leger groeien",
              "moraal": "Het is een schande en onrecht", "overig": "Het weer en de sport vandaag"}
    rows = [(f"u{k}{i}", f"{text} {i}.", frame) for k, (frame, text) in enumerate(frames.items()) for i in range(4)]
    codes = pd.DataFrame(rows, columns=["unit_id", "text", "frame"])
    ev = cod.evaluate_classifier(codes, label="frame", settings=TextSettings(), n_splits=2)
    assert sorted(ev.n.index) == sorted(frames) and ev.confusion.to_numpy().sum() == 16
    assert ev.summary.loc["majority baseline", "macro_f1"] < 0.26  # one of four classes at best


def test_a_coding_file_with_any_labels_reads_when_labels_are_open(tmp_path):
    rows = [f"u{i},De kosten stijgen {i},-,economie,a\n" for i in range(3)] + [f"v{i},Het leger groeit {i},-,veiligheid,a\n" for i in range(3)]
    p = write(tmp_path, "frames.csv", HEADER + "".join(rows))
    with pytest.raises(ValueError, match=r"stance = 'economie' is not in the codebook"):
        cod.read_codes(p)  # the default: stance labels
    codes = cod.read_codes(p, labels=None)
    assert sorted(set(codes["stance"])) == ["economie", "veiligheid"] and not cod.is_stance(codes)
    assert cod.is_stance(pd.DataFrame({"stance": ["Favour", "against"]}))


def test_codes_of_whole_documents_are_applied_to_whole_documents_not_sentences():
    docs = _partisan_documents().iloc[:12]
    codes = docs.rename(columns={"doc_id": "unit_id", "partisan": "stance"})[["unit_id", "text", "stance"]]
    assert cod.code_level(codes, docs) == "document"
    assert cod.code_level(codes.assign(unit_id=codes["unit_id"] + ":3"), docs) == "sentence"
    units = cod.document_units(docs, group_by="outlet")
    assert units["doc_id"].tolist() == docs["doc_id"].tolist() and set(units["target"]) == {"(whole document)"}
    assert units["text"].tolist() == docs["text"].tolist()  # the whole text, one unit per document
    shares = cod.predict_labels(codes, units, settings=TextSettings(), group_by="outlet", n_bootstrap=200, min_n=2)
    assert list(shares.columns) == ["group", "target", "label", "n_documents", "n_units", "share", "ci_low", "ci_high"]
    assert shares["group"].tolist() == ["A", "A", "B", "B"] and shares["label"].tolist() == ["links", "rechts"] * 2
    assert shares["n_units"].tolist() == [6] * 4 and shares["n_documents"].tolist() == [6] * 4
    for _, cell in shares.groupby("group"):
        assert cell["share"].sum() == pytest.approx(1.0)  # every unit gets one of the labels
    assert (shares["ci_low"] <= shares["share"]).all() and (shares["share"] <= shares["ci_high"]).all()
    thin = cod.predict_labels(codes, units, settings=TextSettings(), group_by="outlet", n_bootstrap=200, min_n=7)
    assert thin["share"].isna().all() and with_intervals(thin, value="share")["result"].eq("insufficient data").all()
