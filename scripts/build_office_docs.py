"""Build the PDF and DOCX knowledge documents from their Markdown sources.

Each source in scripts/office_sources/ carries YAML front matter. The script writes the
rendered document into knowledge/ and, next to it, a ``<file name>.meta.yaml`` sidecar
holding the front matter. Run from the repository root:

    python scripts/build_office_docs.py
"""

from __future__ import annotations

import logging
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import yaml
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from coach.ingest.documents import split_front_matter

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {
    "certification-catalog.md": "knowledge/growth/certification-catalog.pdf",
    "mentoring-program.md": "knowledge/growth/mentoring-program.docx",
}
HEADING_SIZES = {1: 18, 2: 14, 3: 12}
BODY_SIZE = 10.5
LINE_HEIGHT = 5.5
HEADING_RE = re.compile(r"^(#{1,3})\s+(.*)$")
BULLET_RE = re.compile(r"^[-*]\s+(.*)$")
NUMBERED_RE = re.compile(r"^(\d+)\.\s+(.*)$")
NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

log = logging.getLogger("build_office_docs")

Block = tuple[str, str, int]  # (kind, text, heading level or list number)


def parse_blocks(body: str) -> list[Block]:
    """Split a Markdown body into headings, bullets, numbered items and paragraphs."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(("paragraph", " ".join(paragraph), 0))
            paragraph.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if heading := HEADING_RE.match(line):
            flush()
            blocks.append(("heading", heading.group(2), len(heading.group(1))))
        elif bullet := BULLET_RE.match(line):
            flush()
            blocks.append(("bullet", bullet.group(1), 0))
        elif numbered := NUMBERED_RE.match(line):
            flush()
            blocks.append(("numbered", numbered.group(2), int(numbered.group(1))))
        elif line:
            paragraph.append(line)
        else:
            flush()
    flush()
    return blocks


def fixed_datetime(meta: dict) -> datetime:
    """Return a reproducible timestamp derived from the ``updated`` field."""
    updated = meta.get("updated", date(2026, 1, 1))
    return datetime(updated.year, updated.month, updated.day, tzinfo=UTC)


def write_pdf(meta: dict, blocks: list[Block], target: Path) -> None:
    """Render the blocks to a PDF with fpdf2 core fonts (Latin-1 text only)."""
    pdf = FPDF(format="A4")
    pdf.set_title(meta["title"])
    pdf.set_author(f"Lumenfield {meta.get('owner', '')}".strip())
    pdf.set_subject(meta.get("doc_type", ""))
    pdf.set_creator("scripts/build_office_docs.py")
    pdf.set_creation_date(fixed_datetime(meta))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    for kind, text, number in blocks:
        if kind == "heading":
            pdf.ln(3 if number > 1 else 0)
            pdf.set_font("Helvetica", "B", HEADING_SIZES[number])
            pdf.multi_cell(0, HEADING_SIZES[number] * 0.5, text, **NEXT_LINE)
            pdf.ln(1.5)
            continue
        pdf.set_font("Helvetica", "", BODY_SIZE)
        if kind == "paragraph":
            pdf.multi_cell(0, LINE_HEIGHT, text, markdown=True, **NEXT_LINE)
            pdf.ln(2)
        else:
            marker = "-" if kind == "bullet" else f"{number}."
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(6, LINE_HEIGHT, marker)
            pdf.multi_cell(0, LINE_HEIGHT, text, markdown=True, **NEXT_LINE)
            pdf.ln(0.8)
    pdf.output(str(target))


def add_runs(paragraph: docx.text.paragraph.Paragraph, text: str) -> None:
    """Add text to a DOCX paragraph, turning **bold** spans into bold runs."""
    for index, part in enumerate(text.split("**")):
        if part:
            paragraph.add_run(part).bold = index % 2 == 1


def write_docx(meta: dict, blocks: list[Block], target: Path) -> None:
    """Render the blocks to a DOCX with Heading and List styles."""
    document = docx.Document()
    props = document.core_properties
    props.title = meta["title"]
    props.author = f"Lumenfield {meta.get('owner', '')}".strip()
    props.last_modified_by = props.author
    props.subject = meta.get("doc_type", "")
    props.created = props.modified = fixed_datetime(meta).replace(tzinfo=None)
    props.revision = 1
    styles = {"paragraph": None, "bullet": "List Bullet", "numbered": "List Number"}
    for kind, text, number in blocks:
        if kind == "heading":
            document.add_heading(text.replace("**", ""), level=number)
        else:
            add_runs(document.add_paragraph(style=styles[kind]), text)
    document.save(str(target))
    freeze_zip_timestamps(target, fixed_datetime(meta))


def freeze_zip_timestamps(path: Path, when: datetime) -> None:
    """Rewrite a ZIP container with fixed entry timestamps so rebuilds are byte-identical."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data, zipfile.ZIP_DEFLATED)


def build(source: Path, target: Path) -> None:
    """Build one output document and its front matter sidecar."""
    meta, body = split_front_matter(source.read_text(encoding="utf-8"))
    blocks = parse_blocks(body)
    target.parent.mkdir(parents=True, exist_ok=True)
    writer = write_pdf if target.suffix == ".pdf" else write_docx
    writer(meta, blocks, target)
    sidecar = target.with_name(f"{target.name}.meta.yaml")
    sidecar.write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8")
    log.info("wrote %s and %s", target.name, sidecar.name)


def main() -> None:
    """Build every document listed in SOURCES."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for source_name, target_name in SOURCES.items():
        build(ROOT / "scripts" / "office_sources" / source_name, ROOT / target_name)


if __name__ == "__main__":
    main()
