"""Teaching material (issue 15 item 7): three exercises at the end of every notebook, and a
teacher's guide with a lesson plan per notebook."""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
GUIDE = ROOT / "docs" / "teaching.md"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_ends_with_three_exercises(path):
    last = nbformat.read(path, as_version=4).cells[-1]
    assert last.cell_type == "markdown" and "exercises" in last.metadata.get("tags", [])
    assert last.source.startswith("## Exercises\n")
    items = re.split(r"\n\*\*\d\. ", last.source)[1:]
    assert len(items) == 3, f"{path.name}: {len(items)} exercises"
    for item in items:
        for part in ("- *Change:* ", "- *Look for:* ", "- *A careful answer notices:* "):
            assert part in item, f"{path.name}: exercise {item[:40]!r} has no {part.strip()!r}"


def test_the_guide_has_a_lesson_plan_per_notebook_and_the_class_set_up():
    guide = GUIDE.read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        number = path.name[:2]
        plan = re.search(rf"^### {number} — .*\((\d+)(?:–(\d+))? minutes", guide, re.M)
        assert plan, f"no lesson plan for {path.name}"
        assert 45 <= int(plan.group(1)) <= int(plan.group(2) or plan.group(1)) <= 90
        section = guide[plan.end():].split("\n### ")[0]
        assert "**Objectives.**" in section
    for needed in ("environment.yml", "make report", "make test", "--params", "## Common mistakes"):
        assert needed in guide, needed
    assert "docs/teaching.md" in (ROOT / "README.md").read_text(encoding="utf-8")
