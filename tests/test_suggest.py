"""Suggested stance targets: names without articles, institutions whole, every suggestion found."""

from __future__ import annotations

import pandas as pd
import pytest

from medialens import speakers as spk
from medialens import stance as st
from medialens import suggest as sg
from medialens.text import TextSettings

NL_ORG = [
    "Een woordvoerder van de Europese Commissie zei dat de zorg goed is. De Europese Commissie wil meer geld. "
    "Het Openbaar Ministerie onderzoekt de scholen. \"De treinen zijn slecht geregeld\", zei Mark Rutte. "
    "De Tweede Kamer stemde dinsdag over het plan. Volgens de Tweede Kamer is de zorg te duur.",
    "De Tweede Kamer stemde over de haven. Het Openbaar Ministerie onderzoekt de boeren. "
    "De Europese Commissie wil meer geld voor de dijken. \"De zorg is slecht geregeld\", zei Mark Rutte.",
    "Volgens de Tweede Kamer is de haven te duur. De Europese Commissie wil geld. Het Openbaar Ministerie onderzoekt de zorg.",
]


@pytest.mark.parametrize(("text", "names"), [
    ("De Tweede Kamer stemde. Volgens de Tweede Kamer is het te duur.", ["Tweede Kamer", "Tweede Kamer"]),
    ("De Europese Unie wil het. Het Openbaar Ministerie onderzoekt. De Nederlandse Spoorwegen rijden. "
     "De Raad van State adviseert. Volgens de Europese Unie is het goed.",
     ["Europese Unie", "Openbaar Ministerie", "Nederlandse Spoorwegen", "Raad van State", "Europese Unie"]),
    ("The European Union said so. The National Health Service is short. The Senate voted.",
     ["European Union", "National Health Service", "Senate"]),
    ("Zei De Vries. Anna de Boer zei het. De PvdA-leider Frans Timmermans zei het.", ["De Vries", "Anna de Boer", "Frans Timmermans"]),
    # a role before a name no lexicon has is no institution (review): the person keeps the name alone
    ("Zei the Ukrainian President Volodymyr Zelensky.", ["Volodymyr Zelensky"]),
])
def test_a_name_never_starts_with_an_article_and_an_institution_is_one_name(text, names):
    found = [m for m in spk.find_names(text, spk.NameSignal()) if not m.common]
    assert [m.name for m in found] == names
    assert all(text[m.start : m.end] == m.name for m in found)
    if not text.startswith("Zei"):  # institutions: the adjective is part of the name, not a role
        assert all(m.role == "" for m in found)


def test_suggested_dutch_institutions_are_whole_and_found_by_the_stance_analysis():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": NL_ORG})
    s = sg.suggest_targets(docs, settings=TextSettings(language="nl"), n=4)
    assert set(s.value) == {"Europese Commissie", "Tweede Kamer", "Openbaar Ministerie", "Mark Rutte"}
    mentions = st.find_mentions(docs, s.value, lexicon=None, window=1, settings=TextSettings(language="nl"))  # never raises
    by = mentions.groupby("target")["doc_id"].nunique()
    assert s.table.set_index("target")["documents"].to_dict() == by.to_dict()
    assert s.table.set_index("target")["documents"].to_dict()["Tweede Kamer"] == 3


def test_a_target_another_targets_longer_alias_swallows_is_not_suggested():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["De Tweede Kamer stemde.", "Toen stemde de Tweede Kamer."]})
    pool = pd.DataFrame({"target": ["De Tweede Kamer", "Tweede Kamer"], "aliases": [["De Tweede Kamer"], ["Tweede Kamer"]],
                         "documents": [2, 2], "mentions": [2, 2]})
    out = sg._occurring(docs, pool, TextSettings(language="nl"), 2, 1)
    assert out["target"].tolist() == ["De Tweede Kamer"]
    assert out["documents"].tolist() == [2]


def test_a_surname_named_alone_more_often_than_its_one_full_name_joins_it():
    # news: the full name on first mention, the surname alone after it and in later articles
    docs = pd.DataFrame({
        "doc_id": list("abcdefg"),
        "text": ["Joe Biden spoke on Monday. Biden said little.", "Joe Biden met Mitch McConnell.",
                 "Biden left early.", "Later Biden returned.", "Biden was tired.", "Biden waved.",
                 "Mitch McConnell spoke. McConnell left."],
    })
    s = sg.suggest_targets(docs, settings=TextSettings(language="en"), n=4)
    assert "Biden" not in s.value
    assert s.value["Joe Biden"] == ["Joe Biden", "Biden"]
    assert s.table.set_index("target").loc["Joe Biden", "documents"] == 6


def test_a_surname_two_full_names_share_stays_a_target_of_its_own_and_a_note_says_why():
    docs = pd.DataFrame({
        "doc_id": list("abcd"),
        "text": ["Anna Smith met John Smith.", "Smith said no.", "Smith said yes.", "Anna Smith and John Smith left."],
    })
    s = sg.suggest_targets(docs, settings=TextSettings(language="en"), n=4)
    # the surname alone is not dropped (it may be the corpus's most named person: review) nor guessed
    assert set(s.value) == {"Anna Smith", "John Smith", "Smith"}
    assert s.value["Anna Smith"] == ["Anna Smith"] and s.value["Smith"] == ["Smith"]
    assert s.table.set_index("target").loc["Smith", "documents"] == 2
    assert any("'Smith' stays a target of its own" in n and "Anna Smith, John Smith" in n for n in s.notes)
