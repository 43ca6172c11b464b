"""Turn extracted text with markup residue into clean, readable plain text.

The papers arrive as text pulled out of PDFs by converters that left HTML tags,
Markdown emphasis and tables, tab-separated table rows and page furniture behind.
Cleaning keeps every word and keeps table rows readable as "cell | cell" lines.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

BLOCK_TAG = re.compile(r"</?(p|div|br|li|ul|ol|tr|h[1-6]|table|section)\b[^>]*>", re.IGNORECASE)
CELL_TAG = re.compile(r"</?(td|th)\b[^>]*>", re.IGNORECASE)
ANY_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^<>]*>")
SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
MD_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3})(?=\S)(.+?)(?<=\S)\1")
MD_HEADING = re.compile(r"^#{1,6}\s+")
TABLE_RULE = re.compile(r"^[\s|:\-–—=+_\t]*$")
BULLET = re.compile(r"^\s*[-*•]\s+(?=\d+(\.\d+)*\.?\s)")
PAGE_FURNITURE = re.compile(r"^\s*(page\s+\d+(\s+of\s+\d+)?|\d{1,4})\s*$", re.IGNORECASE)
ESCAPE = re.compile(r"\\+([_*\[\]#|\\.])")
QUOTE = re.compile(r"^(>\s?)+(\[![a-z]+\][-+]?\s*)?", re.IGNORECASE)  # > and > [!note]- callouts
LINK_ONLY = re.compile(r"^\s*\[[^\]]*\]\([^)]*\)\s*$")  # a line that is only a link: navigation
HIDDEN_INLINE = re.compile(r"<(\w+)\b[^>]*display:\s*none[^>]*>.*?</\1\s*>",
                           re.IGNORECASE | re.DOTALL)  # markup a reader never sees
SPACES = re.compile(r"[ \u00a0]+")
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n---[ \t]*(\n|\Z)", re.DOTALL)


def clean_text(raw: str) -> str:
    """Clean one page (or a whole text file) of extracted text."""
    return clean_with_headings(raw)[0]


def clean_with_headings(raw: str) -> tuple[str, tuple[int, ...]]:
    """Clean text, with the offsets of the lines that were marked up as headings (Markdown
    "#", HTML h1-h6). A heading soft-wrapped onto indented lines becomes one line."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = COMMENT.sub(" ", SCRIPT_STYLE.sub(" ", text))
    text = HIDDEN_INLINE.sub("", text)
    text = BLOCK_TAG.sub("\n", text)
    text = CELL_TAG.sub("\t", text)
    text = ANY_TAG.sub("", text)
    text = html.unescape(text)
    lines: list[tuple[str, bool]] = []
    for line in text.split("\n"):
        if lines and lines[-1][1] and line[:1].isspace() and line.strip():
            lines[-1] = (f"{lines[-1][0]} {clean_line(line) or ''}".strip(), True)
            continue
        cleaned = clean_line(line)
        if cleaned is not None:
            lines.append((cleaned, bool(MD_HEADING.match(line.strip())) and bool(cleaned)))
    return collapse_blank_lines(lines)


def split_front_matter(raw: str) -> tuple[dict[str, str], str]:
    """YAML front matter ("---" lines at the very top) as plain key: value pairs, and the
    text after it. Lists and nested values are ignored; the front matter is never body text."""
    match = FRONT_MATTER.match(raw)
    if not match:
        return {}, raw
    fields = {}
    for line in match[1].split("\n"):
        key, colon, value = line.partition(":")
        if colon and key.strip() and not key[:1].isspace() and value.strip():
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields, raw[match.end():]


def clean_line(line: str) -> str | None:
    """Clean one line; None drops it (table rules, page numbers, link-only navigation).
    Each pattern runs only where the character it needs is in the line."""
    line = line.strip()
    if line.startswith(">"):
        line = QUOTE.sub("", line)
    if line.strip() and (TABLE_RULE.match(line) or PAGE_FURNITURE.match(line)
                         or LINK_ONLY.match(line)):
        return None
    if "\\" in line:
        line = ESCAPE.sub(r"\1", line)
    if "](" in line:
        line = MD_LINK.sub(r"\1", line)
    line = MD_HEADING.sub("", line.strip())
    line = BULLET.sub("", line)
    for _ in range(2 if "*" in line or "__" in line else 0):
        line = MD_EMPHASIS.sub(r"\2", line)
    if "\t" in line or "|" in line:
        cells = [cell.strip() for cell in re.split(r"\t|(?<!\S)\|(?!\S)|^\||\|$", line)]
        cells = [cell for cell in cells if cell]
        line = " | ".join(cells) if len(cells) > 1 else (cells[0] if cells else "")
    return SPACES.sub(" ", line).strip()


def collapse_blank_lines(lines: list[tuple[str, bool]]) -> tuple[str, tuple[int, ...]]:
    """Join lines, at most one blank line in a row, with the offsets of heading lines."""
    out: list[str] = []
    headings, offset = [], 0
    for line, heading in lines:
        if not line and not (out and out[-1]):
            continue
        if heading:
            headings.append(offset)
        out.append(line)
        offset += len(line) + 1
    text = "\n".join(out)
    lead = len(text) - len(text.lstrip())
    return text.strip(), tuple(h - lead for h in headings if h >= lead)


LIST_ITEM = re.compile(r"^\s*(?:[-*•▪◦–]\s|\(?[a-zA-Z0-9]{1,3}[.)]\s|\d{1,2}(?:\.\d{1,2})*\s)")
ENDS_SENTENCE = re.compile(r"[.!?:;]['\"”’)]*$")
LEADS_ON = re.compile(r"(?:[,(–—-]|\b(?:the|a|an|of|and|or|to|in|on|at|by|for|from|with|as|is|"
                      r"are|was|were|be|been|that|which|who|its|their|this|these|not|but))$",
                      re.IGNORECASE)


def reflow(text: str) -> str:
    """Join a PDF page's lines that break inside a sentence with a space, so a passage reads
    (and highlights) as one paragraph. Blank lines, headings, list items and table rows keep
    their line breaks. The page's length is unchanged, only "\n" becomes " "."""
    lines = text.split("\n")
    out = lines[:1]
    for line in lines[1:]:
        if continues(out[-1], line):
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


def continues(line: str, following: str) -> bool:
    """Whether `following` carries on the sentence that `line` broke off."""
    if not line.strip() or not following.strip() or " | " in line + following:
        return False
    if ENDS_SENTENCE.search(line) or LIST_ITEM.match(following):
        return False
    return following[0].islower() or bool(LEADS_ON.search(line))


HIDDEN_TAGS = {"script", "style", "template", "noscript", "svg"}
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed",
             "source", "track", "wbr"}
BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "h1",
              "h2", "h3", "h4", "h5", "h6", "title", "header", "footer", "blockquote", "pre",
              "hr", "dt", "dd", "main", "nav", "aside", "figure", "figcaption", "caption"}


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page: script, style and other hidden content dropped.

    Block tags become line breaks and cells tabs; text is re-escaped so that clean_text,
    which it still goes through, reads a literal "<" as text.
    """
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []  # open script/style/... tags

    def handle_starttag(self, tag, attrs):
        style = (dict(attrs).get("style") or "").replace(" ", "").lower()
        if tag in HIDDEN_TAGS or (tag not in VOID_TAGS and ("display:none" in style
                                                            or "hidden" in dict(attrs))):
            self.hidden.append(tag)
        heading = "# " if re.fullmatch(r"h[1-6]", tag) else ""
        self.parts.append("\n" + heading if tag in BLOCK_TAGS else
                          "\t" if tag in ("td", "th") else "")

    def handle_endtag(self, tag):
        if tag in self.hidden:
            del self.hidden[len(self.hidden) - 1 - self.hidden[::-1].index(tag):]
        self.parts.append("\n" if tag in BLOCK_TAGS else "")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
