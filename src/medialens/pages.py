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


#: The code cells' input as nbconvert's "lab" template writes it, without its ``clean_html`` pass:
#: Pygments has already escaped every character of the code, and bleach re-parsing that markup
#: changes nothing (``tests/test_report.py`` checks every cell of every notebook) but costs a
#: fifth of a page's rendering.
_INPUT_BLOCK = """
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
     <div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
     </div>
</div>
{%- endblock input %}
"""

_exporters = threading.local()

#: What nbconvert's HTMLExporter adds to a page after rendering it (it re-parses the whole page
#: with BeautifulSoup's pure-Python parser, half of a page's rendering at 10k articles): a
#: description for images without one, and ``tabindex="0"`` on cell inputs and outputs so that a
#: keyboard can reach (and scroll) them. :func:`_accessible` adds the same to the start tags.
_NO_ALT = "No description has been provided for this image"
_START_TAG = re.compile(
    # what is not markup (scripts, styles, comments, CDATA) is matched first and kept as it is
    r"""(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<!\[CDATA\[.*?\]\]>)"""
    r"""|<(div|img)((?:[\s/](?:[^>"']|"[^"]*"|'[^']*')*)?)>""",
    re.I | re.S,
)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_FOCUSABLE = {"jp-Cell-inputWrapper", "jp-OutputArea-output"}


def _accessible(page: str) -> str:
    """``page`` with the alternative text and ``tabindex`` nbconvert's HTMLExporter adds: ``alt``
    on every ``img`` without one, ``tabindex="0"`` on every ``div`` of class
    ``jp-Cell-inputWrapper`` or ``jp-OutputArea-output`` (every one is inside the page's
    ``body.jp-Notebook``). Text in a page is escaped (``&lt;div``), and scripts, styles, comments
    and CDATA are left as they are, so what changes is a start tag as BeautifulSoup reads it."""

    def add(m: re.Match) -> str:
        if m.group(1):
            return m.group(1)
        tag, attrs = m.group(2).lower(), m.group(3)
        found: dict[str, str] = {}
        for name, *value in _ATTRIBUTE.findall(attrs):
            found[name.lower()] = next((v for v in value if v), "")  # the last of a repeated name, as BeautifulSoup
        if tag == "img" and "alt" not in found:
            extra = f' alt="{_NO_ALT}"'
        elif tag == "div" and "tabindex" not in found and _FOCUSABLE.intersection(found.get("class", "").split()):
            extra = ' tabindex="0"'
        else:
            return m.group(0)
        # a closing "/" after a quote or a space ends the tag (in an unquoted value it is part of it)
        end = len(attrs) - 1 if re.search(r"""(^|[\s"'])/$""", attrs) else len(attrs)
        return f"<{m.group(2)}{attrs[:end].rstrip()}{extra}{attrs[end:]}>"

    return _START_TAG.sub(add, page)


def _exporter():
    """The HTML exporter of this thread: made once (its templates are read and compiled once),
    then reused for every page the thread renders."""
    exporter = getattr(_exporters, "html", None)
    if exporter is None:
        import jinja2
        from nbconvert import HTMLExporter
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        class PageExporter(HTMLExporter):
            """nbconvert's HTMLExporter, whose ``from_notebook_node`` this repeats up to the page
            it renders; :func:`_accessible` then does what the BeautifulSoup pass after it does
            (``tests/test_report.py`` checks that both pages are the same document)."""

            def from_notebook_node(self, nb, resources=None, **kw):
                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
                self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
                resources = self._init_resources(resources)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
                page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
                return _accessible(page), resources

        exporter = _exporters.html = PageExporter(
            template_name="lab",
            extra_loaders=[jinja2.DictLoader({"medialens-offline.html.j2": OFFLINE_TEMPLATE + _INPUT_BLOCK})],
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
