"""Paths: containment, atomic writes, resolution from the project root."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from medialens.paths import atomic_write, confine, project_root, relative_to_root, resolve


def test_atomic_write_failing_halfway_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old,content\n")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_write(target, "w") as fh:
            fh.write("new,half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old,content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


def test_atomic_write_failing_on_a_new_file_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(tmp_path / "sub" / "new.bin") as fh:
            fh.write(b"\x00" * 10)
            raise KeyboardInterrupt
    assert list((tmp_path / "sub").iterdir()) == []


def test_atomic_write_replaces_on_success(tmp_path):
    target = tmp_path / "a" / "b.txt"
    with atomic_write(target, "w") as fh:
        fh.write("één\n")
    assert target.read_bytes() == "één\n".encode()
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.txt"]


def test_atomic_write_gives_normal_permissions(tmp_path):
    """mkstemp creates 0600 files: reports must stay readable like any other written file."""
    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.html", "w") as fh:
            fh.write("x")
        assert stat.S_IMODE((tmp_path / "new.html").stat().st_mode) == 0o644
        keep = tmp_path / "old.sh"
        keep.write_text("old")
        keep.chmod(0o750)
        with atomic_write(keep, "w") as fh:
            fh.write("new")
        assert stat.S_IMODE(keep.stat().st_mode) == 0o750  # an existing file keeps its mode
    finally:
        os.umask(umask)


@pytest.mark.parametrize("value", ["../../etc", "/etc/passwd", "a/../../b", "..", "a/../../out2"])
def test_confine_refuses_paths_outside(tmp_path, value):
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=rf"^output_dir = {value!r} resolves to .* outside the output folder"):
        confine(value, out, what="output_dir")


@pytest.mark.parametrize("value", [".", "a", "a/b/../c", "./x.png"])
def test_confine_accepts_paths_inside(tmp_path, value):
    out = tmp_path / "out"
    got = confine(value, out)
    assert got == out.resolve() or out.resolve() in got.parents


def test_confine_sees_through_symlinks(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="outside the output folder"):
        confine("link/escape.txt", out, what="figures_dir")


def test_resolve_is_from_the_project_root_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve("corpus/seeds.yaml") == project_root() / "corpus" / "seeds.yaml"
    assert resolve("x", base=tmp_path) == tmp_path / "x"
    assert resolve(tmp_path / "abs") == tmp_path / "abs"
    assert relative_to_root(project_root() / "seeds" / "a.txt") == "seeds/a.txt"
    assert relative_to_root(tmp_path) == tmp_path.as_posix()


def test_project_root_can_be_set_by_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIALENS_ROOT", str(tmp_path))
    assert project_root() == tmp_path.resolve()
    assert resolve("corpus/x.yaml") == tmp_path / "corpus" / "x.yaml"
    assert Path(os.environ["MEDIALENS_ROOT"]) == tmp_path


@pytest.mark.parametrize(("name", "slug"), [("NRC/Handelsblad", "NRC-Handelsblad"), ("../../etc/x", "etc-x"), ("a b", "a-b")])
def test_figure_names_are_slugified_inside_the_figures_folder(tmp_path, name, slug):
    from medialens.plots import new_figure, save_figure

    fig = new_figure(width=2, height=2)
    fig.add_subplot().plot([0, 1], [0, 1])
    saved = save_figure(fig, name, tmp_path / "figs")
    assert saved.png == tmp_path / "figs" / f"{slug}.png" and saved.svg.is_file()
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [f"{slug}.png", f"{slug}.svg"]


def test_the_svg_has_the_pngs_layout_and_crop_and_the_figure_keeps_its_layout_engine(tmp_path):
    # the SVG is drawn with the layout and tight crop the PNG computed (not laid out again);
    # the figure's own layout engine is back afterwards, and saving twice gives the same files
    import re

    from PIL import Image

    from medialens.plots import new_figure, save_figure

    fig = new_figure(width=4, height=3)
    ax = fig.add_subplot()
    ax.barh(["a long label on the left", "b"], [3, 5])
    ax.set_title("a title")
    fig.suptitle("a figure title that is wider than the axes above it")
    engine = fig.get_layout_engine()
    saved = save_figure(fig, "layout", tmp_path)
    assert fig.get_layout_engine() is engine
    width_px, height_px = Image.open(saved.png).size
    svg = saved.svg.read_text(encoding="utf-8")
    width_pt, height_pt = (float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    # PNG pixels at 100 dpi, SVG points at 72 per inch: the same crop within a pixel
    assert abs(width_pt - width_px * 0.72) < 1 and abs(height_pt - height_px * 0.72) < 1
    first = (saved.png.read_bytes(), saved.svg.read_bytes())
    again = save_figure(fig, "layout", tmp_path)
    assert (again.png.read_bytes(), again.svg.read_bytes()) == first


def test_a_figure_name_without_usable_characters_is_refused(tmp_path):
    from medialens.plots import new_figure, save_figure

    with pytest.raises(ValueError, match=r"figure name '\.\./\.\.' has no usable characters"):
        save_figure(new_figure(), "../..", tmp_path)


def test_a_dollar_sign_in_a_figure_title_is_text_not_maths(tmp_path):
    # corpus text such as an outlet name can hold '$': the plot functions draw it as text, never as
    # maths (which would change it, or fail at savefig on a malformed expression such as this one)
    import matplotlib.pyplot as plt
    import pandas as pd

    from medialens.plots import corpus_overview, save_figure

    name = r"Prijs: $\frac{5$ tot 10"
    with plt.rc_context({"text.parse_math": True}), pytest.raises(ValueError):
        fig = plt.figure()
        fig.suptitle(name)
        fig.savefig(tmp_path / "maths.svg")
    plt.close("all")
    docs = pd.DataFrame({"doc_id": ["a", "b"], "outlet": [name, "B"], "month": ["2022-01", "2022-02"]})
    fig = corpus_overview(docs, pd.Series([10, 20]))
    saved = save_figure(fig, "dollar", tmp_path / "figs")
    assert saved.svg.is_file() and saved.png.is_file()
