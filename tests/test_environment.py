"""The three environment definitions agree: pyproject.toml, environment.yml and requirements.lock."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import ROOT
from medialens.yamlfile import load_yaml

SECURITY_FLOORS = {"nbconvert": "7.17.1", "jupyter-server": "2.20.0", "jupyterlab": "4.6.2"}


def _pyproject() -> dict[str, Requirement]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = meta["dependencies"] + meta["optional-dependencies"]["dev"]
    return {canonicalize_name(r.name): r for r in map(Requirement, reqs)}


def _lock() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if m:
            pins[canonicalize_name(m.group(1))] = Version(m.group(2))
    return pins


def test_environment_yml_lists_the_same_packages_as_pyproject():
    env = load_yaml(ROOT / "environment.yml")
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda = {canonicalize_name(r.name): r for r in (Requirement(x) for x in pip_section if not x.startswith("-"))}
    py = _pyproject()
    assert sorted(conda) == sorted(py), "environment.yml and pyproject.toml name different packages"
    for name, req in py.items():
        assert conda[name].specifier == req.specifier, f"{name}: {conda[name]} vs {req}"
    assert "python=3.11" in env["dependencies"]


def test_lock_satisfies_every_declared_lower_bound():
    pins = _lock()
    for name, req in _pyproject().items():
        assert name in pins, f"{name} is declared but not locked: re-run uv pip compile"
        assert pins[name] in req.specifier, f"{name}=={pins[name]} does not satisfy {req}"


def test_security_floors_are_declared_and_locked():
    py, pins = _pyproject(), _lock()
    for name, floor in SECURITY_FLOORS.items():
        assert name in py, name
        assert Version(floor) in py[name].specifier and not any(
            s.operator in (">=", ">") and Version(s.version) < Version(floor) for s in py[name].specifier
        ), f"{name} must be pinned >= {floor}: {py[name]}"
        assert pins[name] >= Version(floor)


def _pins(path) -> dict[str, Version]:
    pins = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if m:
            pins[canonicalize_name(m.group(1))] = Version(m.group(2))
    return pins


def test_the_spark_extra_has_its_own_lock_that_agrees_with_the_default_one():
    """``medialens[spark]`` stays out of requirements.lock (the default install is unchanged) and is
    pinned in requirements-spark.lock, which pins every other package exactly as the default lock."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["spark"]
    default, spark = _lock(), _pins(ROOT / "requirements-spark.lock")
    for req in map(Requirement, extra):
        name = canonicalize_name(req.name)
        assert name not in default, f"{name} must not be in requirements.lock (it is the optional spark extra)"
        assert name in spark and spark[name] in req.specifier, f"{name} is not locked in requirements-spark.lock"
    assert {k: v for k, v in spark.items() if k in default} == default, "requirements-spark.lock differs from requirements.lock: re-run its uv pip compile"
