"""The parts of the home page that come from the features: what needs the person, what is new for them, how to
begin, and what a visitor is shown. The home (network/web.py) sends these signals and each feature answers from
its plug (`connect` in its home.py), so the core imports no feature.

A receiver returns data, never a composed sentence: a HomeItem's message is a text marked with _l whose %(name)s
placeholders stay open, and its parameters. The page words it when it is shown (`say`), in the reader's language:
dates and numbers in their format, a list joined as their language joins one, a text people wrote marked with the
language it is in. Receivers keep to a few queries, whatever the number of rows (LIMIT items, then one that leads
to the whole list), and show only what network.permissions lets the person see or do.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from babel.lists import format_list
from blinker import Signal
from flask_babel import format_date, format_decimal, get_locale
from markupsafe import Markup, escape

from network import labels
from network.i18n import reader_language

# sender: the logged-in User. What needs them: each item a link that does it (write, endorse, approve, answer...).
home_tasks = Signal("home-tasks")
# sender: the logged-in User. What is new for them: in their sectors and languages, discussions they follow...
home_news = Signal("home-news")
# sender: the logged-in User, when nothing needs them: what to do first (share a practice, take the self-assessment).
home_first_steps = Signal("home-first-steps")
# sender: the anonymous visitor. What the network shows everyone (the page may be cached for every visitor: public
# things only). Each receiver returns Showcase sections rather than items.
home_showcase = Signal("home-showcase")

LIMIT = 5  # items of one kind; beyond, one more item leads to the whole list
NEWS_DAYS = 30  # "new": published, changed or commented in these last days


@dataclass(frozen=True)
class Text:
    """A text people wrote (a title, a name), put into a message as it is: marked with its language when that is
    not the reader's (language "" when unknown)."""

    text: str
    language: str = ""


@dataclass(frozen=True)
class Country:
    """A country (ISO code), named in the reader's language when shown."""

    code: str


@dataclass(frozen=True)
class Words:
    """A message worded when shown: a LazyString marked with _l (its %(name)s placeholders left open, or none), or a
    Text; and its parameters (Text, date, number, LazyString, a list of them, or a plain string)."""

    message: object
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class HomeItem:
    """One line of the home. kind: what it is ("essay_to_write", "membership_request"...: a class on the page and
    what tests look for); link: the page that does it; due: a deadline, shown; when: what orders it (tasks: soonest
    first, news: newest first); details: lines under it (a visit's programme)."""

    kind: str
    message: object
    link: str
    params: Mapping[str, object] = field(default_factory=dict)
    due: date | None = None
    when: date | datetime | None = None
    details: tuple[Words, ...] = ()

    @property
    def words(self) -> Words:
        return Words(self.message, self.params)


@dataclass(frozen=True)
class Showcase:
    """A section of the visitors' home: its heading, its items, and a link to all of them."""

    heading: object
    items: tuple[HomeItem, ...]
    more_link: str = ""
    more_label: object = ""
    order: int = 50


def connect(*, tasks: Callable | None = None, news: Callable | None = None, first_steps: Callable | None = None,
            showcase: Callable | None = None) -> None:
    """A feature's receivers (functions of the user returning a list), connected for good (weak=False)."""
    for signal, receiver in ((home_tasks, tasks), (home_news, news), (home_first_steps, first_steps),
                             (home_showcase, showcase)):
        if receiver is not None:
            signal.connect(receiver, weak=False)


def _collect(signal: Signal, user) -> list:
    return [item for _receiver, items in signal.send(user) for item in items or ()]


def _moment(value) -> datetime:
    """A date or a datetime as a naive UTC datetime, for ordering them together."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    return datetime.combine(value, time.min)


def tasks_for(user) -> list[HomeItem]:
    """What needs the person, soonest first (items without a date last, in the features' order)."""
    items = _collect(home_tasks, user)
    return sorted(items, key=lambda item: (item.when is None, _moment(item.when or date.min)))


def news_for(user) -> list[HomeItem]:
    """What is new for the person, newest first."""
    items = _collect(home_news, user)
    dated = sorted((item for item in items if item.when is not None), key=lambda item: _moment(item.when),
                   reverse=True)
    return dated + [item for item in items if item.when is None]


def first_steps_for(user) -> list[HomeItem]:
    return _collect(home_first_steps, user)


def showcase_for(visitor) -> list[Showcase]:
    return sorted(_collect(home_showcase, visitor), key=lambda section: section.order)


def since() -> datetime:
    """The start of what counts as new."""
    return datetime.now(timezone.utc) - timedelta(days=NEWS_DAYS)


def interests(user) -> tuple[list[str], list[str]]:
    """The sectors and languages a person works in: their institution's, and the language they chose for the
    interface. What is new "for them" is in these."""
    institution = getattr(user, "institution", None) if getattr(user, "is_authenticated", False) else None
    sectors = list(institution.sectors) if institution is not None else []
    languages = list(institution.languages) if institution is not None else []
    chosen = getattr(user, "locale", None)
    if chosen and chosen.split("_")[0] not in languages:
        languages.append(chosen.split("_")[0])
    return sectors, languages


def some(rows: list, item: Callable, more: Callable[[], HomeItem | None] | None = None) -> list[HomeItem]:
    """An item for each of the first LIMIT rows (a query asked for LIMIT + 1); when there were more, the item
    `more()` gives, which leads to the whole list (None: nothing more is said)."""
    items = [item(row) for row in rows[:LIMIT]]
    if len(rows) > LIMIT and more is not None:
        extra = more()
        if extra is not None:
            items.append(extra)
    return items


# --- wording, when shown ------------------------------------------------------------------------------------------


def say(words: Words | HomeItem) -> Markup:
    """The message in the reader's language, its parameters filled in and escaped (HTML)."""
    if isinstance(words, HomeItem):
        words = words.words
    if isinstance(words.message, Text):
        return _shown(words.message)
    text = escape(str(words.message))
    if not words.params:
        return text
    return text % {name: _shown(value) for name, value in words.params.items()}


def _shown(value) -> Markup:
    if isinstance(value, Text) or (hasattr(value, "text") and hasattr(value, "language")):  # i18n.Localized too
        if value.language and value.language != reader_language():
            return Markup('<span lang="{}">{}</span>').format(value.language, value.text)
        return escape(value.text)
    if isinstance(value, Country):
        return escape(labels.country_name(value.code))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return escape(format_date(value, "long"))
    if isinstance(value, bool):
        return escape(str(value))
    if isinstance(value, (int, float)):
        return escape(format_decimal(value))
    if isinstance(value, (list, tuple)):
        parts = [_shown(part) for part in value]
        return Markup(format_list([str(part) for part in parts], locale=get_locale() or "en")) if parts else Markup()
    return escape(str(value))

