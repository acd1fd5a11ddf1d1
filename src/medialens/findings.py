"""Findings as sentences computed from the results, shown escaped.

A notebook's narrative cells explain methods; every sentence about *this* corpus's results (how
many documents, which terms, whether a difference rests on one article, who is quoted most) comes
from a function here, so the same notebook is right on any corpus. Each ``describe_*`` function
takes the tables an analysis returned and gives :class:`Findings`: a few sentences built from
fixed templates and the values, rendered as HTML with every value escaped (corpus text never
becomes live markup, and the block is marked so that math typesetting leaves ``$`` alone) and
as plain text for the console.

The seed corpus may keep a short, clearly marked note about itself: :func:`about_seeds` shows it
only when the corpus in hand is the seeds.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Code", "Sentence", "Findings", "say", "listing", "count", "about_seeds", "suggested", "SEED_CORPUS"]

#: The name of the seed corpus (``corpus/seeds.yaml``).
SEED_CORPUS = "seeds"
#: How many items a listing names before "... and N more".
MAX_LISTED = 8


class Code(str):
    """A term or name as the analysis knows it: shown as code (``<code>`` in HTML)."""


@dataclass(frozen=True)
class Sentence:
    """One finding: a fixed ``template`` (``str.format`` fields) filled with ``values``.

    The template is ours; the values may hold corpus text and are escaped when rendered. ``lead``
    is a short bold lead-in (``"Who speaks."``).
    """

    template: str
    values: dict = field(default_factory=dict)
    lead: str = ""

    def render(self, as_html: bool) -> str:
        """The sentence as HTML (escaped) or plain text."""
        esc = html.escape if as_html else str
        body = esc(self.template).format(**{k: _value(v, as_html) for k, v in self.values.items()})
        if not self.lead:
            return body
        return f"<strong>{esc(self.lead)}</strong> {body}" if as_html else f"{self.lead} {body}"


def say(template: str, *, lead: str = "", **values) -> Sentence:
    """A :class:`Sentence` from a template and its values (``say("{n} documents.", n=5)``)."""
    return Sentence(template, values, lead)


def _value(v, as_html: bool) -> str:
    """A value as text: whole numbers with thousands separators, floats to 3 decimals, lists
    joined with "and", :class:`Code` in code style, anything else escaped."""
    if isinstance(v, Listing):
        return v.render(as_html)
    if isinstance(v, list | tuple):
        return listing(v).render(as_html)
    if isinstance(v, Code):
        return f"<code>{html.escape(str(v))}</code>" if as_html else f"`{v}`"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, numbers.Integral):
        return f"{int(v):,}"
    if isinstance(v, numbers.Real):
        return f"{float(v):.3f}"
    return html.escape(str(v)) if as_html else str(v)


@dataclass(frozen=True)
class Listing:
    """Items joined as "a, b and c" (at most ``limit``, then "... and N more"); "none" when empty."""

    items: tuple
    limit: int = MAX_LISTED
    empty: str = "none"

    def render(self, as_html: bool) -> str:
        shown = [_value(i, as_html) for i in self.items[: self.limit]]
        if not shown:
            return self.empty
        rest = len(self.items) - len(shown)
        if rest:
            return ", ".join(shown) + f" and {rest:,} more"
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the right number: ``count(1, "document")`` is ``"1 document"``,
    ``count(1200, "document")`` ``"1,200 documents"``."""
    n = int(n)
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def listing(items: Iterable, *, limit: int = MAX_LISTED, empty: str = "none", code: bool = False) -> Listing:
    """A :class:`Listing` of ``items`` (as :class:`Code` when ``code``)."""
    items = tuple(Code(i) if code else i for i in items)
    return Listing(items, limit, empty)


class Findings:
    """Sentences about results: shown as an escaped HTML list in a notebook, as text elsewhere."""

    def __init__(self, sentences: Sequence[Sentence], heading: str = ""):
        self.sentences = [s for s in sentences if s is not None]
        self.heading = heading

    def _repr_html_(self) -> str:
        head = f"<p><strong>{html.escape(self.heading)}</strong></p>" if self.heading else ""
        items = "".join(f"<li>{s.render(True)}</li>" for s in self.sentences)
        # tex2jax_ignore / mathjax_ignore: MathJax 2 and 3 leave a '$' in corpus text alone
        return f'<div class="medialens-findings tex2jax_ignore mathjax_ignore">{head}<ul>{items}</ul></div>'

    @property
    def text(self) -> str:
        """The findings as plain text, one sentence per line."""
        lines = [self.heading] if self.heading else []
        return "\n".join(lines + [f"- {s.render(False)}" for s in self.sentences])

    def __repr__(self) -> str:
        return self.text

    def __add__(self, other: Findings) -> Findings:
        return Findings(self.sentences + other.sentences, self.heading or other.heading)


def about_seeds(corpus, *notes: str) -> Findings | None:
    """A clearly marked note about the seed corpus, or None when the corpus is another one.

    Parameters
    ----------
    corpus : medialens.corpus.Corpus
    notes : str
        Sentences about the seeds (fixed text, ours).

    Returns
    -------
    Findings or None
    """
    if getattr(corpus, "name", None) != SEED_CORPUS:
        return None
    return Findings([say(n) for n in notes], heading="About the seed corpus")


def suggested(parameter: str, suggestion) -> Findings:
    """What a notebook took from the corpus for an empty parameter, and the line that fixes it.

    Parameters
    ----------
    parameter : str
        The parameter left empty (``terms``, ``targets``).
    suggestion : medialens.suggest.Suggestion
        Its ``source`` says what was taken ("the corpus's top key terms").

    Returns
    -------
    Findings
    """
    value = suggestion.value
    names = list(value) if isinstance(value, dict) else list(value)
    notes = [say("{note}", note=note) for note in getattr(suggestion, "notes", ())]  # what was passed over, and why
    if not names:
        return Findings([say("{p} is empty and nothing suitable was found in the corpus; give {p} yourself.", p=Code(parameter)), *notes])
    return Findings([
        say("{p} is empty, so this notebook uses {what}: {names}.", p=Code(parameter), what=suggestion.source, names=listing(names, code=True)),
        *notes,
        say("To keep this choice (or edit it), paste this line into your parameter file: {line}", line=Code(suggestion.paste)),
    ])


def group_sizes_sentence(documents_per_group: pd.Series, *, group_by: str) -> Sentence:
    """How many documents the groups hold, and what that allows ("illustration" at 1-2)."""
    n = documents_per_group.astype(int)
    if len(n) == 0:
        return say("There are no groups.")
    if len(n) == 1:
        return say(
            ("The one document is" if int(n.iloc[0]) == 1 else "All {d} are") + " in one {g} group ({name}): there is nothing to compare between groups.",
            d=count(int(n.iloc[0]), "document"), g=Code(group_by), name=str(n.index[0]),
        )
    small = [str(g) for g, v in n.items() if v <= 2]
    values = {"k": len(n), "g": Code(group_by), "lo": int(n.min()), "hi": count(int(n.max()), "document")}
    sizes = "{hi}" if n.min() == n.max() else "{lo} to {hi}"  # "7 documents each", not "7 to 7"
    if not small:
        return say("{k} {g} groups with " + sizes + " each.", **values)
    return say(
        "{k} {g} groups with " + sizes + " each; {small} {have} one or two documents, so a difference involving "
        "{them} illustrates the method and is no evidence about the group.",
        small=listing(small), have="has" if len(small) == 1 else "have", them="it" if len(small) == 1 else "them", **values,
    )
