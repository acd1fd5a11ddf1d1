"""The pages of a report: each executed notebook rendered to HTML, and the index with its manifest."""

from __future__ import annotations

import html
import json
import re
import threading
from pathlib import Path

import nbformat

from .paths import atomic_write, relative_to_root

__all__ = ["MANIFEST", "OFFLINE_TEMPLATE", "TABLES"]

#: Where a run's full tables go (``tables_dir``), inside the output folder; linked from the index.
TABLES = "tables"


#: nbconvert's "lab" page without the scripts it loads from the internet (require.js, MathJax,
#: mermaid, the widget renderer): a report page needs no network, and no text in it (corpus text
#: with a ``$5 tot $10``, say) is ever typeset as math. The notebooks' narrative uses no math.
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
"""


_exporters = threading.local()


def _exporter():
    """The HTML exporter of this thread: made once (its templates are read and compiled once),
    then reused for every page the thread renders."""
    exporter = getattr(_exporters, "html", None)
    if exporter is None:
        import jinja2
        from nbconvert import HTMLExporter

        exporter = _exporters.html = HTMLExporter(
            template_name="lab",
            extra_loaders=[jinja2.DictLoader({"medialens-offline.html.j2": OFFLINE_TEMPLATE})],
            template_file="medialens-offline.html.j2",
        )
    return exporter


def _render_html(nb: nbformat.NotebookNode, html_path: Path) -> None:
    """Render the executed notebook ``nb`` as the offline page ``html_path`` (written atomically)."""
    body, _ = _exporter().from_notebook_node(nb)
    with atomic_write(html_path, "w") as fh:
        fh.write(body)


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if m:
                return m.group(1).strip()
    return fallback


def _shown_status(row: dict) -> str:
    if not row.get("earlier"):
        return row["status"]
    return f"{row['status']} — from an earlier run with {row.get('parameter_file') or 'unknown parameters'}, not re-run this time"


def _table_links(row: dict) -> str:
    """The full tables a page wrote, as links (relative to the report folder)."""
    links = [f'<a href="{html.escape(t, quote=True)}">{html.escape(Path(t).name)}</a>' for t in row.get("tables", [])]
    return f"<br>tables: {', '.join(links)}" if links else ""


def _write_index(out: Path, corpus_label: str, param_file: Path, rows: list[dict]) -> Path:
    items = "\n".join(
        f'<li><a href="{html.escape(r["html"], quote=True)}">{html.escape(r["title"])}</a> '
        f'<code>{html.escape(r["notebook"])}</code> — {html.escape(_shown_status(r))}{_table_links(r)}</li>'
        for r in rows
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>medialens report: {html.escape(corpus_label)}</title>
<style>body{{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.5}}</style></head>
<body><h1>medialens report: {html.escape(corpus_label)}</h1>
<p>Parameter file: <code>{html.escape(relative_to_root(param_file))}</code></p>
<ol>
{items}
</ol>
<p>Executed notebooks (<code>.ipynb</code>) sit beside these pages; the full tables (CSV, UTF-8) in <code>{TABLES}/</code>.</p>
</body></html>
"""
    index = out / "index.html"
    with atomic_write(index, "w") as fh:
        fh.write(page)
    with atomic_write(out / MANIFEST, "w") as fh:
        json.dump({"notebooks": rows}, fh, indent=1, sort_keys=True)
    return index


#: What a run leaves beside index.html: every page's notebook, title, status and parameter file.
MANIFEST = "report.json"
