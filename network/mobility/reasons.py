"""Why a visit was proposed, kept as codes with their values (Visit.match_reason_codes) and written out when it
is shown, in the reader's language. Visits stored before the codes keep their sentence (Visit.match_reasons).

A reason is a dict: {"code": CHOICE, "rank": 2}, {"code": INTERESTS, "names": [...]}, {"code": LANGUAGES,
"codes": ["en", "fi"]}, or a code alone ({"code": ASSIGNED})."""
from __future__ import annotations

from flask_babel import gettext as _

from network import labels

CHOICE, NOT_CHOSEN = "choice", "not_chosen"
INTERESTS, NO_INTERESTS = "interests", "no_interests"
LANGUAGES, NO_LANGUAGE = "languages", "no_language"
ASSIGNED, RECORDED, WAITING_LIST = "assigned", "recorded", "waiting_list"
CODES = (CHOICE, NOT_CHOSEN, INTERESTS, NO_INTERESTS, LANGUAGES, NO_LANGUAGE, ASSIGNED, RECORDED, WAITING_LIST)


def of_match(match) -> list[dict]:
    """The reasons of a pair the solver proposes (a matching.Match, or anything with its three fields)."""
    return [
        {"code": CHOICE, "rank": int(match.preference_rank)} if match.preference_rank else {"code": NOT_CHOSEN},
        {"code": INTERESTS, "names": list(match.shared_interests)} if match.shared_interests
        else {"code": NO_INTERESTS},
        {"code": LANGUAGES, "codes": list(match.shared_languages)} if match.shared_languages
        else {"code": NO_LANGUAGE},
    ]


def one(code: str) -> list[dict]:
    """A reason without values: ASSIGNED, RECORDED, WAITING_LIST."""
    return [{"code": code}]


def render_one(reason: dict) -> str | None:
    """One reason in the reader's language; None for a code this version does not know."""
    code = reason.get("code") if isinstance(reason, dict) else None
    if code == CHOICE:
        return _("Their choice number %(rank)d", rank=int(reason.get("rank") or 0))
    if code == INTERESTS:
        return _("Shared interests: %(names)s", names=", ".join(str(n) for n in reason.get("names") or ()))
    if code == LANGUAGES:
        return _("Shared languages: %(names)s",
                 names=", ".join(labels.language_name(c) for c in reason.get("codes") or ()))
    fixed = {
        NOT_CHOSEN: lambda: _("Not among their choices"),
        NO_INTERESTS: lambda: _("No shared interests"),
        NO_LANGUAGE: lambda: _("No shared language"),
        ASSIGNED: lambda: _("Assigned by a coordinator"),
        RECORDED: lambda: _("Recorded by a coordinator after the visit"),
        WAITING_LIST: lambda: _("Next on the waiting list"),
    }.get(code)
    return fixed() if fixed else None


def render(reasons) -> list[str]:
    """Each known reason in the reader's language, in their order."""
    return [text for text in (render_one(reason) for reason in reasons or ()) if text]


def shown(visit) -> list[str]:
    """What a visit's page says about why it was proposed: its codes written out now, or the sentence an older
    visit stored (in the language of the coordinator who accepted it)."""
    if visit.match_reason_codes:
        return render(visit.match_reason_codes)
    return [visit.match_reasons] if visit.match_reasons else []
