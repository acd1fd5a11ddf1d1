"""The browser tests run only through ``make test-browser`` (which sets ``MEDIALENS_BROWSER_TEST``):
they start JupyterLab and Chromium and take minutes, so ``make test`` does not collect them."""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("MEDIALENS_BROWSER_TEST") else ["test_*.py"]
