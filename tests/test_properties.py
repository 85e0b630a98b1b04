"""Property-based tests (Hypothesis): the sanitiser never lets active content through and is idempotent;
search never fails on any input, caps what it reads, and pages its answers."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from network import sanitize
from network.search import backend, services, sync
from search_helpers import ANONYMOUS, write_up

# BeautifulSoup warns when a short output looks like a file name or a URL; here it is always markup.
pytestmark = pytest.mark.filterwarnings("ignore::bs4.MarkupResemblesLocatorWarning")

# Every character, control characters included, but lone surrogates: no request delivers one (forms and URLs
# are UTF-8, and the JSON API refuses them).
any_text = st.text(st.characters(exclude_categories=("Cs",)))

# --- HTML-ish input: tags, attributes, URL schemes and Markdown that try to get something active through --

TAGS = ["script", "style", "iframe", "a", "img", "svg", "math", "p", "b", "object", "embed", "form", "input",
        "textarea", "noscript", "template", "title", "xmp", "plaintext", "base", "link", "meta", "table",
        "td", "th", "abbr", "h1", "h3", "code", "pre", "frameset", "select", "details", "video",
        "annotation-xml"]
ATTRIBUTES = ["onclick", "onerror", "ONLOAD", "onmouseover", "href", "src", "style", "srcdoc", "formaction",
              "xlink:href", "data", "title", "rel", "scope", "action", "background"]
VALUES = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", " javascript:x",
          "&#106;avascript:alert(1)", "&#x6A;avascript:x", "javascript&colon;x", "jav&#x09;ascript:x",
          "\x01javascript:x", "data:text/html,<script>alert(1)</script>", "vbscript:x", "http://example.org/",
          "https://example.org/?a=1&b=2", "mailto:a@example.org", "//evil.example", "/path", "#top", "x", "",
          '"', "'", "alert(1)"]
MARKUP = ["<", ">", "</", "<!--", "-->", "<![CDATA[", "]]>", "&lt;", "&amp;", "&#60;", "&", "=", "\n\n",
          "[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1) 'title')", "![i](data:image/png;base64,AAAA)",
          "<javascript:alert(1)>", "<http://example.org>", "`", "```\n", "* ", "1. ", "> ", "# ", "### ",
          "http://example.org/a", "www.example.org", "a@example.org", "| a | b |\n|---|---|\n| c | d |\n",
          "<a href=", "\x00", "\u202e", "\ufeff"]

attribute = st.builds(lambda name, value, quote: f" {name}={quote}{value}{quote}",
                      st.sampled_from(ATTRIBUTES), st.sampled_from(VALUES), st.sampled_from(['"', "'", ""]))
opening_tag = st.builds(lambda tag, attributes, slash: f"<{tag}{''.join(attributes)}{' /' if slash else ''}>",
                        st.sampled_from(TAGS), st.lists(attribute, max_size=3), st.booleans())
closing_tag = st.sampled_from(TAGS).map(lambda tag: f"</{tag}>")
html_like = st.lists(st.one_of(opening_tag, closing_tag, st.sampled_from(MARKUP), st.text(max_size=8)),
                     max_size=25).map("".join)
sanitiser_input = st.one_of(any_text, html_like)

NEVER = {"script", "style", "iframe", "object", "embed", "form", "input", "svg", "math", "img", "base",
         "link", "meta"}
SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def assert_inert(html: str, allowed_tags) -> None:
    """Parsed as a browser would read it: only allowed elements and attributes, no event handlers, and no
    link to anything but http, https, mailto or a relative address."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(True):
        assert element.name in allowed_tags and element.name not in NEVER, element
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), element
            assert name in sanitize.ATTRIBUTES.get(element.name, ()), element
            if name in ("href", "src"):
                # Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
                compact = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
                assert not compact.startswith(("javascript:", "data:", "vbscript:")), element
                scheme = SCHEME.match(compact)
                assert scheme is None or scheme.group(1) in sanitize.PROTOCOLS, element
        if element.name == "a":
            assert {"nofollow", "noopener"} <= set(element.get("rel") or ()), element


SANITISER = settings(max_examples=200, deadline=None)


@SANITISER
@given(sanitiser_input)
def test_cleaned_html_is_inert(text):
    assert_inert(sanitize.clean_html(text), sanitize.DOCUMENT_TAGS)
    assert_inert(sanitize.clean_html(text, tags=sanitize.COMMENT_TAGS), sanitize.COMMENT_TAGS)


@SANITISER
@given(sanitiser_input)
def test_rendered_markdown_and_comments_are_inert(text):
    assert_inert(str(sanitize.render_markdown(text)), sanitize.DOCUMENT_TAGS)
    assert_inert(str(sanitize.render_comment(text)), sanitize.COMMENT_TAGS)


def has_a_double_quote_in_an_attribute(html: str) -> bool:
    soup = BeautifulSoup(html, "html.parser")
    return any('"' in str(value) for element in soup.find_all(True) for value in element.attrs.values())


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@SANITISER
@given(sanitiser_input.map(lambda text: CONTROL_CHARACTERS.sub(" ", text)))
def test_cleaning_is_idempotent(text):
    """Cleaning clean HTML changes nothing, with two known exceptions (the strict xfails below): control
    characters (left out of this input) and an attribute value with a double quote in it."""
    for tags in (sanitize.DOCUMENT_TAGS, sanitize.COMMENT_TAGS):
        once = sanitize.clean_html(text, tags=tags)
        assume(not has_a_double_quote_in_an_attribute(once))
        assert sanitize.clean_html(once, tags=tags) == once


@pytest.mark.xfail(strict=True, reason="bleach 6 escapes & and < again, at every pass, in an attribute value "
                                       "that contains a double quote: safe, but not idempotent")
def test_cleaning_an_attribute_with_a_double_quote_is_idempotent():
    once = sanitize.clean_html("""<abbr title='say "a&b"'>x</abbr>""")
    assert sanitize.clean_html(once) == once


@pytest.mark.xfail(strict=True, reason="bleach 6 replaces a control character with '?' or keeps it depending "
                                       "on the markup around it: safe, but not idempotent")
def test_cleaning_a_control_character_is_idempotent():
    once = sanitize.clean_html("0\x0c<!>0")
    assert sanitize.clean_html(once) == once


@SANITISER
@given(sanitiser_input)
def test_rendered_markdown_is_already_clean(text):
    """What render_markdown gives a template passes the sanitiser unchanged: nothing was left to remove."""
    rendered = str(sanitize.render_markdown(text))
    assert sanitize.clean_html(rendered) == rendered


# --- search queries ---------------------------------------------------------------------------------

QUERY_PIECES = ['"', '""', "*", "**", "fami*", "a*", "family", "families", "familias", "Familie", "meals",
                "AND", "OR", "NOT", "title:family", "(", ")", "-", "+", "~2", "^10", "\\", "'", "ß", "ﬁ", "İ",
                "é", "🏳️‍🌈", "\x00", "\x1f", "\x7f", "\u200b", "\ud800", "\t", "\n", "x" * 300, "fami" * 60,
                '"family meals"', '"the in of"', "<script>", "%00", "{{7*7}}", "' OR 1=1 --"]
queries = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=400),  # the backend even copes with surrogates
    st.lists(st.sampled_from(QUERY_PIECES), max_size=60).map(" ".join),
    st.lists(st.one_of(st.sampled_from(QUERY_PIECES), st.text(max_size=5)), max_size=60).map("".join),
)


def parsed_terms(parsed: backend.ParsedQuery) -> list[str]:
    return parsed.words + parsed.prefixes + [word for phrase in parsed.phrases for word in phrase]


@settings(max_examples=200, deadline=None)
@given(queries)
def test_parsing_a_query_never_fails_and_caps_what_it_reads(text):
    parsed = backend.parse_user_query(text)
    # Only the first MAX_QUERY_CHARS characters count: whatever follows them changes nothing.
    head = (text + " " * backend.MAX_QUERY_CHARS)[:backend.MAX_QUERY_CHARS]
    assert parsed == backend.parse_user_query(head)
    assert parsed == backend.parse_user_query(head + ' more "words here" fami* ' * 20)
    assert len(parsed.words) + len(parsed.prefixes) <= backend.MAX_QUERY_WORDS
    assert all(1 < len(phrase) <= backend.MAX_QUERY_WORDS for phrase in parsed.phrases)
    assert len(parsed.words) == len(set(parsed.words))
    assert all(len(prefix) >= backend.MIN_PREFIX_CHARS for prefix in parsed.prefixes)
    for term in parsed_terms(parsed):
        assert term and not re.search(r'[\s"*\x00-\x1f\x7f\ud800-\udfff]', term), term


@pytest.fixture
def small_index(make_institution, make_practice, make_user):
    """A few practices in several languages, indexed; what the property tests search."""
    seville = make_institution(name="Seville Centre", country="ES")
    arad = make_institution(name="Arad Services", country="RO", languages=("ro", "en"))
    write_up(make_practice, seville, "Family meals", "Families cook together every week; the family club.")
    write_up(make_practice, seville, "Comidas familiares", "Las familias cocinan juntas.", language="es")
    write_up(make_practice, arad, "Grupuri interfamiliale", "Familiile se întâlnesc.", language="ro",
             country="RO", sectors=["mental_health"])
    write_up(make_practice, arad, "Members' circle", "A family circle for members.", visibility="members")
    write_up(make_practice, seville, "Draft club", "Family draft.", status="draft")
    sync.drain_all()
    return {
        "anonymous": ANONYMOUS,
        "member": make_user(institution=arad),
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=queries, who=st.sampled_from(["anonymous", "member"]), page=st.integers(1, 4),
       per_page=st.integers(1, 30), sort=st.sampled_from(["relevance", "date"]))
def test_search_never_fails_and_pages_its_answers(small_index, text, who, page, per_page, sort):
    filters = backend.Filters(values={}, allowed=services.permission_filter_for(small_index[who]))
    results = backend.run_search(sync.search_index(), text, filters, page=page, per_page=per_page, sort=sort)
    assert results.total >= 0
    assert len(results.hits) <= per_page
    assert len({(hit.doc_type, hit.doc_id) for hit in results.hits}) == len(results.hits)
    if page == 1 and not results.estimated:
        assert results.total >= len(results.hits)
    assert all(count >= 0 for values in results.facets.values() for count in values.values())
    for hit in results.hits:
        assert hit.title != "Draft club"  # another institution's draft
        assert {tag.name for tag in BeautifulSoup(hit.snippet, "html.parser").find_all(True)} <= {"mark"}


# A URL carries UTF-8: a lone surrogate cannot be sent in one (the API's JSON can, tested above).
URL_PIECES = [piece for piece in QUERY_PIECES if not re.search(r"[\ud800-\udfff]", piece)]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=300),
                      st.lists(st.sampled_from(URL_PIECES), max_size=40).map(" ".join)))
def test_the_search_page_answers_any_query(small_index, client, text):
    response = client.get("/search", query_string={"q": text})
    # The site refuses NUL characters in any parameter with 400 (network/web.py); never a 500.
    assert response.status_code == (400 if "\x00" in text else 200)
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert all(script.get("src", "").startswith("/static/") for script in page.find_all("script"))
