"""DOCX to Markdown: markitdown's converter first, mammoth alone when markitdown cannot read it.

markitdown's DOCX converter pre-processes the file through BeautifulSoup's "xml" parser before
handing it to mammoth, so an upstream release can break every DOCX at once (lxml 6.2.0 did:
namespace prefixes dropped, "Could not find the body element"). mammoth alone reads the same
file with the standard library's XML parser; its HTML then goes through markitdown's HTML
converter, the same last step as markitdown's own DOCX path, so both give the same Markdown.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from coach.errors import DocumentError, bounded, one_line

MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_RATIO = 200  # XML deflates about 10:1; a zip bomb, 1000:1
ZIP_RATIO_FLOOR = 16 * 1024 * 1024  # small members may compress as well as they like
# markitdown's DocxConverter adds "u => u" so underlined runs keep their <u>: the same here.
STYLE_MAP = "u => u"


@dataclass(frozen=True)
class DocxText:
    """A DOCX as Markdown, which converter read it, and why the first one could not."""

    markdown: str
    converter: str  # "markitdown" or "mammoth"
    fallback_reason: str = ""  # markitdown's failure, when mammoth read the file instead


def check_zip(data: bytes, limit: int) -> None:
    """Refuse a zip (a DOCX is one) that would expand past `limit` bytes, before expanding it."""
    # Reading through zipfile stops at each member's declared size, so these sizes are binding.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except MemoryError:
        raise
    except Exception as exc:  # zipfile raises several types on damaged archives
        raise DocumentError(f"unreadable DOCX: {one_line(exc)}") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise DocumentError(f"DOCX holds {len(members):,} parts, over {MAX_ZIP_MEMBERS:,}")
    expanded = sum(member.file_size for member in members)
    if expanded > limit:
        raise DocumentError(
            f"DOCX expands to {expanded / 1_048_576:,.0f} MB, over the {limit / 1_048_576:g} MB "
            "limit (a quarter of COACH_FILE_MEMORY_MB)"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_FLOOR and ratio > MAX_ZIP_RATIO:
            raise DocumentError(
                f"DOCX part {bounded(member.filename, 60)} is compressed {ratio:,.0f}:1 "
                "(a zip bomb?)"
            )


def docx_to_markdown(data: bytes) -> DocxText:
    """Read a DOCX with markitdown, or with mammoth alone if markitdown fails or finds no text."""
    try:
        markdown = via_markitdown(data)
    except MemoryError:
        raise
    except Exception as exc:  # an upstream break shows up as any exception type
        reason = one_line(exc)
    else:
        if markdown.strip():
            return DocxText(markdown, "markitdown")
        reason = "no text found"
    try:
        markdown = via_mammoth(data)
    except MemoryError:
        raise
    except Exception as exc:  # a damaged file fails both ways: say what mammoth found
        raise DocumentError(f"unreadable DOCX: {one_line(exc)}") from None
    return DocxText(markdown, "mammoth", reason)


def via_markitdown(data: bytes) -> str:
    """markitdown's own DOCX converter (pre-processing, mammoth, HTML to Markdown)."""
    from markitdown import StreamInfo
    from markitdown.converters import DocxConverter

    result = DocxConverter().convert(io.BytesIO(data), StreamInfo(extension=".docx"))
    return result.markdown or ""


def via_mammoth(data: bytes) -> str:
    """mammoth alone to HTML, then markitdown's HTML converter (stdlib parser, no lxml)."""
    import mammoth
    from markitdown.converters import HtmlConverter

    html = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP).value
    return HtmlConverter().convert_string(html).markdown or ""
