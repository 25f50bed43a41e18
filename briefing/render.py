"""Rendering a briefing document to Markdown or a standalone HTML page; model and source text are escaped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import templates
from .errors import ConfigError
from .grounding import sort_ids
from .sources import URL

if TYPE_CHECKING:
    from markupsafe import Markup

    from .document import BriefingDocument

# Characters that start Markdown or HTML constructs inline: emphasis, code, links, images, raw
# HTML, entities, tables, strikethrough, headings. Escaping them keeps model text inert.
# `@` too: GFM turns bare e-mail addresses into mailto links.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!@])")


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def md(text: object, links: frozenset[str] = frozenset()) -> str:
    """Escape untrusted text for inline Markdown, folding newlines so it cannot open a block.

    A URL becomes a link only if it is in `links` (URLs the sources write verbatim); any other
    is defanged (`https\\://`, `www\\.`) so GFM's autolinker leaves it as text.
    """
    flat, out, pos = " ".join(str(text).split()), [], 0
    for match in URL.finditer(flat):
        url = match.group()
        out.append(_escape(flat[pos:match.start()]))
        if url in links and url.startswith(("http://", "https://")):
            out.append(f"<{url}>")
        else:
            out.append(_escape(url).replace("://", "\\://").replace("www.", "www\\."))
        pos = match.end()
    out.append(_escape(flat[pos:]))
    return "".join(out)


def cite(ids: list[str]) -> str:
    """Citation ids as `[1.4, 1.7]`; ids are validated, but escape them anyway."""
    return "[" + ", ".join(md(i) for i in ids) + "]"


def render_as(document: BriefingDocument, fmt: str, prompts: Path | None = None, template: str | None = None) -> str:
    """The document as `fmt` writes it: "json" (the saved briefing), "html" or "markdown"; `template`
    replaces the packaged report template."""
    if fmt == "json":
        return document.dump()
    if fmt == "html":
        return render_html(document, prompts, template or templates.REPORT_HTML)
    return render_markdown(document, prompts, template or templates.REPORT)


def render_markdown(document: BriefingDocument, prompts: Path | None = None, template: str = templates.REPORT) -> str:
    """Render a briefing document to Markdown; same input, same bytes.

    Args:
        document: a run's `to_document()` or `BriefingDocument.load(path)`.
        prompts: a folder of templates searched before the user's and the packaged ones.
        template: a template name in those folders, or a path to a template file.

    Raises:
        ConfigError: the report template fails.
    """
    text = _render_report(document, prompts, template, html=False)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_html(document: BriefingDocument, prompts: Path | None = None,
                template: str = templates.REPORT_HTML) -> str:
    """Render a briefing document to a standalone HTML page; every value is HTML-escaped.

    Raises:
        ConfigError: the report template fails.
    """
    return _render_report(document, prompts, template, html=True)


def _render_report(document: BriefingDocument, prompts: Path | None, template: str, html: bool) -> str:
    """Markdown templates escape with `md`; HTML ones are autoescaped and link with `linked`."""
    prompt_set, name = _report_templates(templates.search_dirs(prompts), template, autoescape=html)
    links = frozenset(url for source in document.sources for url in source.links)
    if html:
        prompt_set.add_filters(linked=lambda text: _html_links(str(text), links))
    else:
        prompt_set.add_filters(md=lambda text: md(text, links), cite=cite)
    prompt_set.add_filters(dictsort_ids=_sorted_quotes,
                           page=lambda i: f", p. {page}" if (page := document.page_of(str(i))) else "",
                           support_mark=_support_marks(document, html), support_line=lambda _: support_line(document))
    # Templates see plain JSON values, as in the saved file, except the briefing itself.
    data = document.model_dump(mode="json")
    return prompt_set.render(name, briefing=document.briefing, quotes=document.quotes, sources=data["sources"],
                             run=data["run"])


def _report_templates(dirs: list[Path], template: str, autoescape: bool) -> tuple[templates.PromptSet, str]:
    """A template given as a file path is looked up in its own folder first."""
    path = Path(template)
    if path.suffix == ".j2" and (path.parent != Path(".") or path.is_file()):
        if not path.is_file():
            raise ConfigError(f"--template {template}: no such file")
        return templates.PromptSet([path.parent, *dirs], autoescape=autoescape), path.name
    return templates.PromptSet(dirs, autoescape=autoescape), template


# How an item the support check did not find supported is marked where it is shown.
_MARKS = {"partly": "judged partly supported", "not_supported": "judged not supported",
          "contradicted": "judged contradicted"}


def _support_marks(document: BriefingDocument, html: bool) -> Any:
    """The filter `support_mark`: for an item (or "title", "bottom_line", "context"), a mark
    saying it is only partly supported or not supported; nothing for a supported or unchecked one."""
    from .support import item_of

    verdicts = {e.item: e.verdict for e in document.run.support or [] if e.action != "dropped"}
    by_object = {id(item_of(document.briefing, place)): verdict for place, verdict in verdicts.items()
                 if "[" in place}

    def mark(item: object) -> str:
        verdict = verdicts.get(item) if isinstance(item, str) else by_object.get(id(item))
        words = _MARKS.get(verdict or "")
        if not words:
            return ""
        if html:
            from markupsafe import Markup

            return Markup(' <span class="support">({})</span>').format(words)
        return f" *({words})*"
    return mark


def support_line(document: BriefingDocument) -> str:
    """One sentence on the support check: how many items it found supported, partly, not, and
    what it took out; empty for a briefing saved before the check existed."""
    from .support import REMOVED_ELSEWHERE, TEXTS, judge_name

    entries = document.run.support
    if entries is None:
        return ""
    shown = [e for e in entries if e.action != "dropped"]
    counts = {label: sum(e.verdict == label for e in shown) for label in _MARKS}
    supported = sum(e.verdict == "supported" for e in shown)
    parts = [f"{supported} of {len(shown)} items judged supported by the sentences they cite"
             + (f" ({supported / len(shown):.0%})" if shown else "")]
    parts += [f"{n} {_MARKS[label]} (marked)" for label, n in counts.items() if n]
    elsewhere = sum(e.action == "dropped" and REMOVED_ELSEWHERE in e.reason for e in entries)
    dropped = sum(e.action == "dropped" for e in entries) - elsewhere
    replaced = sum(e.action == "replaced" for e in entries)
    repaired = sum(e.action == "repaired" for e in entries)
    parts += [f"{repaired} repaired"] if repaired else []
    parts += [f"{dropped} removed as contradicted"] if dropped else []
    parts += [f"{elsewhere} removed by other checks"] if elsewhere else []
    parts += [f"{replaced} replaced by the sources' words"] if replaced else []
    judges = " and ".join(dict.fromkeys(judge_name(e.judge) for e in entries))
    # With the check off, the title, bottom line and context are still judged (they are all there is).
    which = " of the title, bottom line and context" if entries and all(e.item in TEXTS for e in entries) else ""
    return f"Support check{which}: " + "; ".join(parts) + f". Judged by {judges}." if entries else \
        "Support check: no items to judge."


def _sorted_quotes(quotes: dict[str, str]) -> list[tuple[str, str]]:
    return [(k, quotes[k]) for k in sort_ids(list(quotes))]


def _html_links(text: str, links: frozenset[str]) -> Markup:
    """Escaped text in which only URLs the sources write become links."""
    from markupsafe import Markup, escape

    out, pos = [], 0
    for match in URL.finditer(text):
        out.append(escape(text[pos:match.start()]))
        url = match.group()
        allowed = url in links and url.startswith(("http://", "https://"))
        out.append(Markup('<a href="{0}" rel="nofollow noopener">{0}</a>').format(url) if allowed else escape(url))
        pos = match.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)
