"""What a reader sees of a Markdown comment: rendered by a CommonMark renderer (markdown-it-py,
with GitHub's tables and strikethrough), as HTML and as its visible text."""

from __future__ import annotations

from html.parser import HTMLParser

from markdown_it import MarkdownIt

_RENDERER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def to_html(markdown: str) -> str:
    return str(_RENDERER.render(markdown))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.comments: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def visible(markdown: str) -> str:
    """The text a reader sees (HTML comments are not shown, so they are left out)."""
    parser = _Text()
    parser.feed(to_html(markdown))
    parser.close()
    return "".join(parser.parts)


def comments(markdown: str) -> list[str]:
    """The HTML comments in the rendered comment (hidden from the reader)."""
    parser = _Text()
    parser.feed(to_html(markdown))
    parser.close()
    return parser.comments


def table_cells(markdown: str) -> list[list[str]]:
    """Each rendered table row's cells, as visible text."""
    tokens = _RENDERER.parse(markdown)
    rows: list[list[str]] = []
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        elif (
            token.type == "inline"
            and index > 0
            and tokens[index - 1].type in ("td_open", "th_open")
        ):
            rows[-1].append(visible(token.content).strip())
    return rows
