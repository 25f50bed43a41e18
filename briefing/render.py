"""Rendering a validated briefing to Markdown or JSON; model and source text are escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import prompts
from .errors import ConfigError, InputError
from .grounding import sort_ids
from .schema import SCHEMA_VERSION, Briefing
from .sources import URL

if TYPE_CHECKING:
    from markupsafe import Markup

    from .pipeline import Prepared

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


def render_markdown(document: dict[str, Any], prompts_dir: Path | list[Path] | None = None,
                    template: str = prompts.REPORT) -> str:
    """Render a briefing document (see `BriefingRun.to_document`) to Markdown; same input, same bytes.

    Args:
        document: the saved JSON document.
        prompts_dir: user template folders searched before the packaged ones.
        template: a template name in those folders, or a path to a template file.

    Raises:
        InputError: the document is not a valid briefing document.
        ConfigError: the report template fails.
    """
    text = _render_report(document, prompts_dir, template, html=False)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_html(document: dict[str, Any], prompts_dir: Path | list[Path] | None = None,
                template: str = prompts.REPORT_HTML) -> str:
    """Render a briefing document to a standalone HTML page; every value is HTML-escaped.

    Raises:
        InputError: the document is not a valid briefing document.
        ConfigError: the report template fails.
    """
    return _render_report(document, prompts_dir, template, html=True)


def _render_report(document: dict[str, Any], prompts_dir: Path | list[Path] | None, template: str, html: bool) -> str:
    """Markdown templates escape with `md`; HTML ones are autoescaped and link with `linked`."""
    briefing, quotes, sources = check_document(document)
    prompt_set, name = _report_templates(prompts_dir, template, autoescape=html)
    links = _links(sources)
    if html:
        prompt_set.add_filters(linked=lambda text: _html_links(str(text), links))
    else:
        prompt_set.add_filters(md=lambda text: md(text, links), cite=cite)
    prompt_set.add_filters(dictsort_ids=_sorted_quotes)
    return prompt_set.render(name, briefing=briefing, quotes=quotes, sources=sources, run=document.get("run", {}))


def _report_templates(prompts_dir: Path | list[Path] | None, template: str,
                      autoescape: bool) -> tuple[prompts.PromptSet, str]:
    """A template given as a file path is looked up in its own folder first."""
    dirs = [prompts_dir] if isinstance(prompts_dir, Path) else list(prompts_dir or [])
    path = Path(template)
    if path.suffix == ".j2" and (path.parent != Path(".") or path.is_file()):
        if not path.is_file():
            raise ConfigError(f"--template {template}: no such file")
        return prompts.PromptSet([path.parent, *dirs], autoescape=autoescape), path.name
    return prompts.PromptSet(dirs, autoescape=autoescape), template


def _links(sources: list[dict[str, Any]]) -> frozenset[str]:
    return frozenset(url for source in sources for url in source.get("links", []) if isinstance(url, str))


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


def render_dry_run(prepared: Prepared) -> str:
    """The exact messages a run would send, then its token budget (for --dry-run)."""
    parts = [f"=== {m['role']} ===\n{m['content'].rstrip()}\n" for m in prepared.sent]
    return "\n".join([*parts, f"=== budget ===\n{prepared.budget_line()}\n"])


def render_json(document: dict[str, Any]) -> str:
    """The document as stable, readable JSON."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def check_document(document: dict[str, Any]) -> tuple[Briefing, dict[str, str], list[dict[str, Any]]]:
    """The briefing, quotes and source list of a saved document, validated.

    Raises:
        InputError: wrong schema version, an invalid briefing, or missing quotes or sources.
    """
    from pydantic import ValidationError

    if document.get("schema_version") != SCHEMA_VERSION:
        raise InputError(f"not a briefing document of schema version {SCHEMA_VERSION}")
    try:
        briefing = Briefing.model_validate(document.get("briefing"))
    except ValidationError as e:
        raise InputError(f"the briefing in the document is not valid: {e.errors()[0]['msg']}") from e
    quotes = document.get("quotes")
    sources = document.get("sources")
    if not isinstance(quotes, dict) or not isinstance(sources, list):
        raise InputError("the document lacks its quotes or sources")
    missing = [i for i in briefing.citation_ids() if i not in quotes]
    if missing:
        raise InputError(f"the document has no quoted sentence for citation {missing[0]}")
    return briefing, {str(k): str(v) for k, v in quotes.items()}, sources


def load_briefing_json(path: Path) -> dict[str, Any]:
    """Read a document written by `generate --format json`.

    Raises:
        InputError: missing, unreadable or not JSON.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file") from e
    except IsADirectoryError as e:
        raise InputError(f"{path}: is a directory, not a briefing JSON file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read it ({e})") from e
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not JSON (line {e.lineno}: {e.msg})") from e
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a briefing document")
    return data
