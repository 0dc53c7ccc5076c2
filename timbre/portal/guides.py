"""The guides in `docs/` (one Markdown file per area), rendered as web pages at `/docs/guides` and linked from
the API reference at `/docs`, so a server's users read the guides of the version they run."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt

from timbre.errors import NotFound
from timbre.portal.endpoints import templates

router = APIRouter(include_in_schema=False)
DOCS = Path(__file__).resolve().parents[2] / "docs"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def _title(text: str, name: str) -> str:
    heading = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), None)
    return heading or name


@cache
def _render(path: Path, mtime: float) -> tuple[str, str]:
    """(title, HTML) of a guide; keyed by its modification time, so an edited file is read again."""
    text = path.read_text()
    return _title(text, path.stem), _markdown.render(text)


def guide_names() -> list[str]:
    return sorted(p.stem for p in DOCS.glob("*.md") if _NAME.match(p.stem)) if DOCS.is_dir() else []


@router.get("/docs/guides", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    guides = [(name, _render(DOCS / f"{name}.md", (DOCS / f"{name}.md").stat().st_mtime)[0])
              for name in guide_names()]
    return templates.TemplateResponse(request, "guides.html", {"guides": guides, "title": "Guías"})


@router.get("/docs/guides/{name}", response_class=HTMLResponse)
def guide(request: Request, name: str) -> HTMLResponse:
    """A guide; `invoices` and `invoices.md` (how the guides link to each other) are the same page."""
    stem = name.removesuffix(".md")
    path = DOCS / f"{stem}.md"
    if not _NAME.match(stem) or not path.is_file():
        raise NotFound("Guide not found", f"There is no guide named {stem!r}; see /docs/guides")
    title, html = _render(path, path.stat().st_mtime)
    return templates.TemplateResponse(request, "guide.html", {"title": title, "html": html})
