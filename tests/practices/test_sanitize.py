"""The sanitiser: Markdown in, only allow-listed HTML out."""
import pytest
from bs4 import BeautifulSoup

from hostile import all_hostile
from network.sanitize import clean_html, plain_text, render_comment, render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    "<a href='data:text/html;base64,PHNjcmlwdD4='>x</a>",
    "<style>body{display:none}</style>",
    "<div style='position:fixed'>x</div>",
    "<iframe src='https://evil.example'></iframe>",
    "<svg onload=alert(1)>",
    "<form action='https://evil.example'><input name=x></form>",
]


def _soup(html):
    return BeautifulSoup(str(html), "html.parser")


def test_markdown_renders_structure():
    page = _soup(render_markdown("# Title\n\n**bold** and *it*\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    assert page.find("h3").get_text() == "Title"  # headings start below the page's own h1 and h2
    assert page.find("strong") and page.find("em") and len(page.find_all("li")) == 2 and page.find("table")


def test_hostile_markup_loses_everything_executable():
    for text in HOSTILE:
        page = _soup(render_markdown(text))
        assert not page.find_all(["script", "style", "iframe", "img", "svg", "form", "input"]), text
        for element in page.find_all(True):
            assert not any(a.startswith("on") or a == "style" for a in element.attrs), text
            href = element.get("href", "")
            assert not href.lower().startswith(("javascript:", "data:")), text


@pytest.mark.filterwarnings("ignore::bs4.MarkupResemblesLocatorWarning")  # "con", "https://..." as a page
def test_every_naughty_string_comes_out_inert_from_every_rendering():
    """The whole Big List of Naughty Strings (tests/hostile.py), through Markdown for documents and for
    comments, raw HTML cleaning and plain text: no exception, nothing executable."""
    for text in all_hostile():
        plain_text(text)
        for html in (render_markdown(text), render_comment(text), clean_html(text)):
            page = _soup(html)
        assert not page.find_all(["script", "style", "iframe", "img", "svg", "form", "input"]), text
        for element in page.find_all(True):
            assert not any(a.startswith("on") or a == "style" for a in element.attrs), text
            href = element.get("href", "")
            assert not href.lower().startswith(("javascript:", "data:")), text


def test_links_get_nofollow_noopener_and_bare_urls_become_links():
    page = _soup(render_markdown("[site](https://example.org) and https://bare.example.org"))
    links = page.find_all("a")
    assert [a["href"] for a in links] == ["https://example.org", "https://bare.example.org"]
    assert all(set(a["rel"]) >= {"nofollow", "noopener"} for a in links)


def test_comments_allow_a_smaller_set():
    page = _soup(render_comment("## Heading\n\n**ok** [l](https://e.org)\n\n| a |\n|---|\n| 1 |"))
    assert not page.find_all(["h3", "h4", "table"])
    assert page.find("strong") and page.find("a")["href"] == "https://e.org"


def test_plain_text_drops_markup_and_keeps_characters():
    assert plain_text("**Familias** & <b>niños</b>") == "Familias & niños"


def test_entities_written_as_text_stay_text():
    # A writer explaining HTML types "&nbsp;" in code: the reader must see those six characters, in a
    # practice and in a comment alike (linkifying inside the cleaning parse once decoded them).
    for render in (render_markdown, render_comment):
        page = _soup(render("Use `&nbsp;` and `&lt;br&gt;` here; AT&amp;T wrote &amp;copy; "
                            "at http://x.org/?a=1&b=2"))
        code = [c.get_text() for c in page.find_all("code")]
        assert code == ["&nbsp;", "&lt;br&gt;"]
        assert "&copy;" in page.get_text() and "©" not in page.get_text()
        assert page.find("a")["href"] == "http://x.org/?a=1&b=2"
