"""Shared test set-up: deterministic environment for every kernel nbval starts, tiny fixtures."""

from __future__ import annotations

import os
from pathlib import Path

from medialens.report import DETERMINISTIC_ENV

ROOT = Path(__file__).resolve().parent

# Kernels started by nbval inherit this process's environment.
for _k, _v in DETERMINISTIC_ENV.items():
    os.environ.setdefault(_k, _v)
os.environ.setdefault("MPLBACKEND", "Agg")
