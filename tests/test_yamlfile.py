"""The one YAML loader: limits and one-line messages naming the file (robustness rows: cp1252 YAML,
alias bomb), and that the project's code reads YAML nowhere else (tests may round-trip their own)."""

from __future__ import annotations

import datetime
import re

import pytest

from conftest import ROOT
from medialens.yamlfile import YamlError, load_yaml

#: "billion laughs": 1 KB on disk, 10**9 strings once every alias is expanded.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)


def write(tmp_path, content: str | bytes, name: str = "x.yaml"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg, msg
    return msg


def test_plain_yaml_reads_as_safe_load_does(tmp_path):
    path = write(tmp_path, "name: t\nd: 2022-03-01\nn: 08\nl: [a, 1]\nbase: &b {x: 1}\nc: {<<: *b, y: 2}\n")
    assert load_yaml(path) == {
        "name": "t", "d": datetime.date(2022, 3, 1), "n": "08", "l": ["a", 1],
        "base": {"x": 1}, "c": {"x": 1, "y": 2},
    }
    assert load_yaml(write(tmp_path, "")) is None
    assert load_yaml(write(tmp_path, b"\xef\xbb\xbfname: t\n")) == {"name": "t"}


def test_cp1252_bytes_are_named_with_file_line_and_column(tmp_path):
    path = write(tmp_path, "name: t\ndescription: caf\u00e9 \u201ekrant\u201d\n".encode("cp1252"), "corpus.yaml")
    with pytest.raises(YamlError) as exc:
        load_yaml(path)
    assert one_line(exc) == (
        "corpus.yaml:2:17 byte 0xe9 is not valid UTF-8 (is the file saved as cp1252 or latin-1? save it as UTF-8)"
    )
    assert "codec" not in str(exc.value)


def test_alias_bomb_is_refused_at_once(tmp_path):
    with pytest.raises(YamlError, match=r"x.yaml:\d+:\d+: the aliases .* expand to more than 2,000,000 values") as exc:
        load_yaml(write(tmp_path, ALIAS_BOMB))
    one_line(exc)
    small = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n"  # a few aliases are fine
    assert load_yaml(write(tmp_path, small))["b"] == [[1, 2, 3]] * 3
    with pytest.raises(YamlError, match="expand to more than 10 values"):
        load_yaml(write(tmp_path, small), max_nodes=10)


def test_recursive_alias_deep_nesting_and_size_are_refused(tmp_path):
    with pytest.raises(YamlError, match=r"x.yaml:1:4: a recursive alias"):
        load_yaml(write(tmp_path, "a: &a [*a]\n"))
    with pytest.raises(YamlError, match="x.yaml: values nested too deeply"):
        load_yaml(write(tmp_path, "[" * 2000 + "]" * 2000))
    with pytest.raises(YamlError, match=r"x.yaml: 1,001 bytes is more than a YAML settings file may hold \(1,000\)"):
        load_yaml(write(tmp_path, "a: " + "x" * 998), max_bytes=1000)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: [\n", r"x.yaml:2:1: not valid YAML: expected the node content"),
        ("a: b: c\n", r"x.yaml:1:5: not valid YAML: mapping values are not allowed here"),
        ('a: "\x07"\n', r"x.yaml:1: not valid YAML: character #x0007 is not allowed"),
        ("a: 1\nb: 2\na: 3\n", r"x.yaml:3:1: key 'a' repeats line 1 of the same mapping"),
    ],
)
def test_broken_yaml_is_one_line_with_file_and_line(tmp_path, content, message):
    with pytest.raises(YamlError, match=message) as exc:
        load_yaml(write(tmp_path, content))
    one_line(exc)


def test_the_project_reads_yaml_only_through_the_shared_loader():
    readers = re.compile(r"\byaml\.(safe_load|load|full_load|unsafe_load|load_all|safe_load_all|compose)\b|yaml\.\w*Loader")
    found = []
    files = [ROOT / "conftest.py", *[p for f in ("src", "benchmarks", "notebooks") for p in sorted((ROOT / f).rglob("*"))]]
    for path in files:
        if path.suffix not in (".py", ".ipynb") or path.name == "yamlfile.py":
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if readers.search(line):
                found.append(f"{path.relative_to(ROOT)}:{i}")
    assert not found, f"YAML read without medialens.yamlfile.load_yaml: {found}"
