"""Every route, as every kind of visitor, on objects in every state: the outcome is the one in MATRIX.

The routes come from the app's URL map, so a new route (or a new method on one) fails
test_every_route_is_in_the_matrix until it has its row. A row gives, per method and per state of the
object in its URL, the expected outcome for each visitor, in the order of VISITORS:

    anonymous; outsider: a professional of an institution outside the partnership; member: a professional
    of the owning institution (author of its practices, comments, essays and application); inst-admin:
    the owning institution's admin; coordinator: of the partnership, from its coordinating institution;
    evaluator; site-admin (the last three from institutions of their own)

Outcomes: a status code ("200", "403", "404"...), "login" (302 to the login page), "302" (a redirect
elsewhere) or "ok": a write the visitor may make (2xx, 3xx but the login page, 409 or 422: not refused,
not broken). Web pages are requested with a session cookie and CSRF protection off (the app fixtures'
default: this test checks who may do what; the feature tests and tests/test_security.py check the tokens);
API routes (/api/v1) with the visitor's Bearer token and no cookie. Besides its status:
- no response shows text its visitor (for a secret address, its owner: SEEN_AS) may not see
  (authz_helpers.World.hidden_text, decided by network.permissions): titles of practices and essays, the
  offer, a hidden comment, an application's motivation, an evaluator's private notes, the name of someone
  waiting to join an institution;
- a refused request (login, 401, 403, 404) writes nothing to the database;
- searching for such text finds nothing (test_search_finds_nothing_by_what_a_visitor_may_not_see).
Known gaps are listed, with the reason, in KNOWN_WIDER and KNOWN_SEARCH_GAPS.
The world is built once (authz_helpers.build_world); a request that wrote is followed by putting the
database and the upload folder back as they were (authz_helpers.Snapshot).
"""
from __future__ import annotations

import json
import shutil
import tempfile
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import url_for

from authz_helpers import (
    ESSAY_STATES,
    EVENT_STATES,
    PRACTICE_STATES,
    VISITORS,
    Snapshot,
    World,
    WriteWatch,
    build_world,
)
from conftest import BASE_TEST_CONFIG, POSTGRES_URL, IsolatedClient, practice_data
from network import create_app
from network.certificates.badges import badge_key
from network.extensions import db

# --- the matrix ---------------------------------------------------------------------------------------
# endpoint -> method -> outcomes, or endpoint -> method -> {object state -> outcomes}.
# Object states: practices draft / published (public) / members (published, members only) / archived, and
# for comment routes "hidden" (a comment its moderators hid, on the published practice); essays draft /
# submitted / published / private (published, kept from the members: its reviewers only) / returned.
# Other routes are tried on variants of their object, named by URL argument (or endpoint):
VARIANTS = {
    "slug": ("owner", "other"),  # the owning institution; the outsider's institution
    # Someone waiting to join the owning institution; the outsider's; an approved member (the member).
    "user_id": ("owner", "other", "approved"),
    "application_id": ("member", "traveller"),  # the member's application; the visit's (sending institution)
    "mobility.new_offer": ("home", "sending"),  # for the visitor's own institution; ?institution=<sending>
    "collection_id": ("public", "members"),  # a public collection; a members-only one
    "event_id": EVENT_STATES,  # an event seen by everyone, by members, by the partnership's institutions
    "version_id": ("published", "draft"),  # the self-assessment's published (frozen) version; a draft
    "course_id": ("public", "draft"),  # the owning institution's published course (the member enrolled); a draft
    "survey_id": ("draft", "open", "template"),  # the partnership's surveys (named), a network's template
}
# Columns:  anon   outsider  member  inst-admin  coordinator  evaluator  site-admin

ANYONE = "200 200 200 200 200 200 200"
LOGGED_IN = "login 200 200 200 200 200 200"
LOGGED_IN_WRITE = "login ok ok ok ok ok ok"
SITE_ADMIN_ONLY = "login 403 403 403 403 403 200"

# Practices. Drafts and archived write-ups exist only for the owning institution and site admins (404 for
# everyone else); members-only ones for every approved member.
SEE_PRACTICE = {
    "draft":     "404  404  200  200  404  404  200",
    "published": "200  200  200  200  200  200  200",
    "members":   "404  200  200  200  200  200  200",
    "archived":  "404  404  200  200  404  404  200",
}
EDIT_PRACTICE = {  # the owning institution's members and site admins
    "draft":     "login  404  200  200  404  404  200",
    "published": "login  403  200  200  403  403  200",
    "members":   "login  403  200  200  403  403  200",
    "archived":  "login  404  200  200  404  404  200",
}
EDIT_PRACTICE_WRITE = {state: row.replace("200", "ok") for state, row in EDIT_PRACTICE.items()}
DELETE_PRACTICE = {  # the owning institution's admins and site admins
    "draft":     "login  404  403  200  404  404  200",
    "published": "login  403  403  200  403  403  200",
    "members":   "login  403  403  200  403  403  200",
    "archived":  "login  404  403  200  404  404  200",
}
FOLLOW_PRACTICE = {  # anyone logged in who may see it
    "draft":     "login  404  ok  ok  404  404  ok",
    "published": "login  ok   ok  ok  ok   ok   ok",
    "members":   "login  ok   ok  ok  ok   ok   ok",
    "archived":  "login  404  ok  ok  404  404  ok",
}
COMMENT = {  # approved members, on a published practice they may see
    "draft":     "login  404  403  403  404  404  403",
    "published": "login  ok   ok   ok   ok   ok   ok",
    "members":   "login  ok   ok   ok   ok   ok   ok",
    "archived":  "login  404  403  403  404  404  403",
}
OWN_COMMENT = {  # the comment's author (the member) only; moderators hide, they do not edit
    "draft":     "login  404  200  403  404  404  403",
    "published": "login  403  200  403  403  403  403",
    "members":   "login  403  200  403  403  403  403",
    "archived":  "login  404  200  403  404  404  403",
    # A hidden comment (the outsider's, on the published practice) exists for its moderators only: not even
    # its author may change it any more.
    "hidden":    "login  404  404  403  404  404  403",
}
OWN_COMMENT_WRITE = {state: row.replace("200", "ok") for state, row in OWN_COMMENT.items()}
FLAG_COMMENT = {  # anyone logged in who may see it, but its author; not once hidden
    "draft":     "login  404  403  ok  404  404  ok",
    "published": "login  ok   403  ok  ok   ok   ok",
    "members":   "login  ok   403  ok  ok   ok   ok",
    "archived":  "login  404  403  ok  404  404  ok",
    "hidden":    "login  404  404  403  404  404  403",
}
MODERATE = {  # the owning institution's admins and site admins
    "draft":     "login  404  403  ok  404  404  ok",
    "published": "login  403  403  ok  403  403  ok",
    "members":   "login  403  403  ok  403  403  ok",
    "archived":  "login  404  403  ok  404  404  ok",
    "hidden":    "login  404  404  ok  404  404  ok",
}
REVIEW_PRACTICE = {  # evaluators and site admins, published practices only
    "draft":     "login  404  403  403  404  404  403",
    "published": "login  403  403  403  403  ok   ok",
    "members":   "login  403  403  403  403  ok   ok",
    "archived":  "login  404  403  403  404  404  403",
}

# Collections: a public one and a members-only one of the owning institution, whose admin edits both; the
# member edits the public one only (added as an editor).
SEE_COLLECTION = {"public": ANYONE, "members": "404 200 200 200 200 200 200"}
EDIT_COLLECTION = {"public": "login 403 200 200 403 403 200", "members": "login 403 403 200 403 403 200"}
EDIT_COLLECTION_WRITE = {state: row.replace("200", "ok") for state, row in EDIT_COLLECTION.items()}

# Essays. A draft is its author's alone; submitted and returned essays are also read by the evaluators,
# the partnership's coordinators and site admins; published ones by every member, unless "private" (the
# README says "only to the evaluators"; permissions.can_view_essay, the archive and search also let the
# coordinators, who review essays, and site admins read it). Someone who may read an essay but not act on
# it gets 403, someone who may not read it 404. Site admins do not write or assess essays.
SEE_ESSAY = {
    "draft":     "login  404  200  404  404  404  404",
    "submitted": "login  404  200  404  200  200  200",
    "published": "login  200  200  200  200  200  200",
    "private":   "login  404  200  404  200  200  200",
    "returned":  "login  404  200  404  200  200  200",
}
AUTHOR_ONLY = {  # the author, in any state (how the essay appears: essays.display); site admins neither
    "draft":     "login  404  ok  404  404  404  404",
    "submitted": "login  404  ok  404  403  403  403",
    "published": "login  403  ok  403  403  403  403",
    "private":   "login  404  ok  404  403  403  403",
    "returned":  "login  404  ok  404  403  403  403",
}
REVIEW_ESSAY = {  # evaluators, the coordinators and site admins, once submitted
    "draft":     "login  404  403  404  404  404  404",
    "submitted": "login  404  403  404  ok   ok   ok",
    "published": "login  403  403  403  ok   ok   ok",
    "private":   "login  404  403  404  ok   ok   ok",
    "returned":  "login  404  403  404  ok   ok   ok",
}
ASSESS_ESSAY = {  # evaluators only (not site admins: can_assess_essay), submitted or published essays
    "draft":     "login  404  403  404  404  404  404",
    "submitted": "login  404  403  404  403  200  403",
    "published": "login  403  403  403  403  200  403",
    "private":   "login  404  403  404  403  200  403",
    "returned":  "login  404  403  404  403  403  403",
}


# Events, all hosted by the owning institution (its admin and the coordinator organise them); the member's
# registration for the members' event is approved (GET of its form sends them back to the event).
SEE_EVENT = {"public": ANYONE, "members": "404 200 200 200 200 200 200", "partnership": "404 404 200 200 200 200 200"}
ORGANISE_EVENT = {"public": "login 403 403 200 200 403 200", "members": "login 403 403 200 200 403 200",
                  "partnership": "login 404 403 200 200 403 200"}
ORGANISE_EVENT_WRITE = {state: row.replace("200", "ok") for state, row in ORGANISE_EVENT.items()}
REGISTER_WRITE = {"public": "login ok ok ok ok ok ok", "members": "login ok ok ok ok ok ok",
                  "partnership": "login 404 ok ok ok ok ok"}
# Each event's file for its registered participants only: the organisers and the approved (the member, in the
# members' event); anyone else who sees the event finds nothing (an anonymous reader of the public one logs in first).
REGISTERED_MATERIAL = {"public": "login 404 404 200 200 404 200", "members": "404 404 200 200 200 404 200",
                       "partnership": "404 404 404 200 200 404 200"}


ALL_302 = "302 302 302 302 302 302 302"
# Courses: the owning institution's admin (and site admins) edit them; the member follows the public one.
EDIT_COURSE = "login 403 403 200 403 403 200"
EDIT_COURSE_WRITE = "login 403 403 ok 403 403 ok"
SEE_COURSE = {"public": ANYONE, "draft": "404 404 404 200 404 404 200"}
LEARNER = {"public": "login 302 200 302 302 302 302", "draft": "login 404 404 302 404 404 302"}
LEARNER_WRITE = {"public": "login 302 ok 302 302 302 302", "draft": "login 404 404 302 404 404 302"}
SITE_ADMIN_WRITE = "login 403 403 403 403 403 ok"
OWN_RESULT = "login 404 200 404 404 404 404"
PARTNERSHIP_FIGURES = "login 403 403 403 200 200 200"
MANAGE_SURVEYS = "login 403 403 403 200 403 200"  # the partnership's coordinators (and site admins)
MANAGE_SURVEYS_WRITE = MANAGE_SURVEYS.replace("200", "ok")
EDIT_SURVEY = {"draft": MANAGE_SURVEYS, "open": MANAGE_SURVEYS, "template": SITE_ADMIN_ONLY}
EDIT_SURVEY_WRITE = {state: row.replace("200", "ok") for state, row in EDIT_SURVEY.items()}
READ_REPORT = "login 403 200 200 200 200 200"  # the partnership's institutions' people, evaluators, site admins


def _api(row: str) -> str:
    """The API answers 401 where a page sends to the login page."""
    return row.replace("login", "401")


MATRIX: dict[str, dict[str, str | dict[str, str]]] = {
    # --- home, static files, search ---
    "web.home": {"GET": ANYONE},
    "web.set_language": {"POST": "ok ok ok ok ok ok ok"},
    "web.choose_language": {"GET": "ok ok ok ok ok ok ok"},  # a plain link: a 303 back, for everyone
    "web.markdown_preview": {"POST": LOGGED_IN_WRITE},
    "static": {"GET": ANYONE},
    "search.index": {"GET": ANYONE},  # browsing everything (?sort=date): the leak check reads the results

    # --- accounts ---
    "auth.login": {"GET": "200 302 302 302 302 302 302",  # logged in already: to the home page
                   "POST": "ok 302 302 302 302 302 302"},
    "auth.logout": {"POST": "302 ok ok ok ok ok ok"},
    "auth.register": {"GET": "200 302 302 302 302 302 302", "POST": "ok 302 302 302 302 302 302"},
    "auth.request_reset": {"GET": ANYONE, "POST": "ok ok ok ok ok ok ok"},
    # An unknown reset token, for everyone (a real one is a secret: whoever holds it sets the password).
    "auth.reset_password": {"GET": "400 400 400 400 400 400 400", "POST": "400 400 400 400 400 400 400"},
    "auth.account": {"GET": LOGGED_IN},
    "auth.notification_settings": {"POST": LOGGED_IN_WRITE},
    "auth.my_data": {"GET": LOGGED_IN},
    "auth.my_data_download": {"GET": LOGGED_IN},
    "auth.change_password": {"GET": LOGGED_IN, "POST": LOGGED_IN_WRITE},
    "auth.delete_account": {"GET": LOGGED_IN, "POST": LOGGED_IN_WRITE},
    "tokens.index": {"GET": LOGGED_IN, "POST": LOGGED_IN_WRITE},
    # The URL names the member's token: anyone else's attempt to revoke it is a 404.
    "tokens.revoke": {"POST": "login 404 ok 404 404 404 404"},
    "notifications.index": {"GET": LOGGED_IN},
    "notifications.read_all": {"POST": LOGGED_IN_WRITE},

    # --- administration ---
    "admin.users": {"GET": SITE_ADMIN_ONLY},
    "admin.user": {"GET": {"owner": SITE_ADMIN_ONLY, "other": SITE_ADMIN_ONLY, "approved": SITE_ADMIN_ONLY},
                   "POST": {"owner": "login 403 403 403 403 403 ok", "other": "login 403 403 403 403 403 ok",
                            "approved": "login 403 403 403 403 403 ok"}},
    "admin.audit": {"GET": SITE_ADMIN_ONLY},
    "jobs.failures": {"GET": SITE_ADMIN_ONLY},
    "admin.memberships": {"GET": "login 403 403 200 403 403 200"},
    # The admins of the institution a person asks to join decide, or a site admin. Declining an approved
    # member (who would lose every right: a colleague admin, a coordinator...) is for site admins only.
    "admin.decide_membership": {"POST": {"owner": "login 403 403 ok 403 403 ok",
                                         "other": "login 403 403 403 403 403 ok",
                                         "approved": "login 403 403 403 403 403 ok"}},

    # --- institutions and partnerships ---
    "institutions.index": {"GET": ANYONE},
    "institutions.show": {"GET": {"owner": ANYONE, "other": ANYONE}},  # pending requests: leak check
    "institutions.create": {"GET": SITE_ADMIN_ONLY, "POST": "login 403 403 403 403 403 ok"},
    "institutions.edit": {"GET": {"owner": "login 403 403 200 403 403 200", "other": SITE_ADMIN_ONLY},
                          "POST": {"owner": "login 403 403 ok 403 403 ok",
                                   "other": "login 403 403 403 403 403 ok"}},
    "partnerships.index": {"GET": ANYONE},
    "partnerships.show": {"GET": ANYONE},
    # Coordinators create partnerships; they edit those their institution coordinates.
    "partnerships.create": {"GET": "login 403 403 403 200 403 200", "POST": "login 403 403 403 ok 403 ok"},
    "partnerships.edit": {"GET": "login 403 403 403 200 403 200", "POST": "login 403 403 403 ok 403 ok"},

    # --- practices ---
    "practices.index": {"GET": ANYONE},
    "practices.feed": {"GET": ANYONE},
    # Every visitor is an approved member and may write practices, for their own institution only: the
    # form posted is for the owning institution, refused (422, with the reason) to the others.
    "practices.create": {"GET": LOGGED_IN, "POST": "login 422 302 302 422 422 302"},
    "practices.show": {"GET": SEE_PRACTICE},
    "practices.revisions": {"GET": SEE_PRACTICE},
    "practices.download": {"GET": SEE_PRACTICE},
    "practices.edit": {"GET": EDIT_PRACTICE, "POST": EDIT_PRACTICE_WRITE},
    "practices.change_status": {"POST": EDIT_PRACTICE_WRITE},
    "practices.delete_attachment": {"POST": EDIT_PRACTICE_WRITE},
    "practices.delete": {"GET": DELETE_PRACTICE,
                         "POST": {state: row.replace("200", "ok") for state, row in DELETE_PRACTICE.items()}},
    "practices.review": {"POST": REVIEW_PRACTICE},
    "practices.follow": {"POST": FOLLOW_PRACTICE},
    "practices.unfollow": {"POST": FOLLOW_PRACTICE},
    "practices.bookmark": {"POST": FOLLOW_PRACTICE},
    "practices.unbookmark": {"POST": FOLLOW_PRACTICE},
    "practices.bookmarks": {"GET": LOGGED_IN},
    "practices.add_comment": {"POST": COMMENT},
    "practices.edit_comment": {"GET": OWN_COMMENT, "POST": OWN_COMMENT_WRITE},
    "practices.delete_comment": {"POST": OWN_COMMENT_WRITE},
    "practices.flag_comment": {"POST": FLAG_COMMENT},
    "practices.hide_comment": {"POST": MODERATE},
    "practices.restore_comment": {"POST": MODERATE},
    "practices.flags": {"GET": "login 403 403 200 403 403 200"},

    # --- mobility (the owning institution and the sending one are partners; the outsider's is not) ---
    "mobility.index": {"GET": LOGGED_IN},
    # Offers: members of the partnership's institutions, evaluators, site admins.
    "mobility.offer": {"GET": "login 403 200 200 200 200 200"},
    # "home": the owning institution has its offer already (its admin is sent to edit it); the coordinator
    # may write the offer of their own institution; a site admin's is not in the partnership (they name
    # one with ?institution=<id>). "sending": that offer exists too; who may write it is sent to edit it.
    "mobility.new_offer": {
        "GET": {"home": "login 403 403 302 200 403 403", "sending": "login 403 403 403 302 403 302"},
        "POST": {"home": "login 403 403 302 ok 403 403", "sending": "login 403 403 403 302 403 302"}},
    "mobility.edit_offer": {"GET": "login 403 403 200 200 403 200", "POST": "login 403 403 ok ok 403 ok"},
    # Applying: approved members of the partnership's institutions (the evaluator's and the site admin's
    # institutions are not in it).
    "mobility.apply": {"GET": "login 403 200 200 200 403 403", "POST": "login 403 ok ok ok 403 403"},
    # An application: its applicant, the admins of their institution, the coordinators, site admins. The
    # traveller's is from the sending institution: the owning institution (their host) may not read it.
    "mobility.application": {"GET": {"member": "login 403 200 200 200 403 200",
                                     "traveller": "login 403 403 403 200 403 200"}},
    "mobility.decide": {"POST": {"member": "login 403 403 ok 403 403 ok",
                                 "traveller": "login 403 403 403 403 403 ok"}},
    "mobility.withdraw": {"POST": {"member": "login 403 ok 403 403 403 403",  # the applicant only
                                   "traveller": "login 403 403 403 403 403 403"}},
    "mobility.matching_page": {"GET": "login 403 403 403 200 403 200"},
    "mobility.accept": {"POST": "login 403 403 403 ok 403 ok"},
    "mobility.assign": {"POST": "login 403 403 403 ok 403 ok"},
    "mobility.record_past": {"POST": "login 403 403 403 ok 403 ok"},
    # The visit is hosted by the owning institution (its members see it) for a person from the sending one.
    "mobility.visit": {"GET": "login 403 200 200 200 200 200"},
    "calendars.visit_ics": {"GET": "login 403 200 200 200 200 200"},
    "mobility.confirm": {"POST": "login 403 403 ok ok 403 ok"},
    "mobility.complete": {"POST": "login 403 403 ok ok 403 ok"},
    "mobility.programme": {"GET": "login 403 403 200 200 403 200", "POST": "login 403 403 ok ok 403 ok"},
    # Cancelling: the host's admins, the coordinators and the visitor (not one of the matrix's visitors).
    "mobility.cancel": {"POST": "login 403 403 ok ok 403 ok"},
    "mobility.offer_next": {"POST": "login 403 403 403 ok 403 ok"},
    "mobility.dashboard": {"GET": "login 403 403 403 200 200 200"},
    "mobility.dashboard_csv": {"GET": "login 403 403 403 200 200 200"},
    "calendars.index": {"GET": LOGGED_IN, "POST": LOGGED_IN_WRITE},
    # The member's secret feed address: the token is the key, for calendar apps that cannot log in.
    "calendars.feed": {"GET": ANYONE},

    # --- essays ---
    "essays.index": {"GET": LOGGED_IN},
    "essays.show": {"GET": SEE_ESSAY},
    # The event's participants (the member) start an essay.
    "essays.start": {"GET": "login 403 200 403 403 403 403", "POST": "login 403 ok 403 403 403 403"},
    "essays.edit": {
        # The author edits a draft or a returned essay; other states send them to the essay page.
        "GET": {**{state: row.replace("ok", "302") for state, row in AUTHOR_ONLY.items()},
                "draft": "login 404 200 404 404 404 404", "returned": "login 404 200 404 403 403 403"},
        # A post to an essay no longer editable shows the text back (409); an anonymous post (an expired
        # session) keeps the text for the author and sends to the login page.
        "POST": {**{state: row.replace("ok", "409") for state, row in AUTHOR_ONLY.items()},
                 "draft": "login 404 ok 404 404 404 404", "returned": "login 404 ok 404 403 403 403"},
    },
    # The editor's autosave answers in JSON: 401 (text kept, as above), 409 when no longer editable.
    "essays.autosave": {"POST": {
        **{state: _api(row).replace("ok", "409") for state, row in AUTHOR_ONLY.items()},
        "draft": "401 404 ok 404 404 404 404", "returned": "401 404 ok 404 403 403 403"}},
    "essays.submit": {"POST": {**{state: row.replace("ok", "403") for state, row in AUTHOR_ONLY.items()},
                               "draft": "login 404 ok 404 404 404 404",
                               "returned": "login 404 ok 404 403 403 403"}},
    "essays.display": {"POST": AUTHOR_ONLY},
    "essays.publish": {"POST": REVIEW_ESSAY},
    "essays.return_to_author": {"POST": REVIEW_ESSAY},
    "essays.assess": {"GET": ASSESS_ESSAY,
                      "POST": {state: row.replace("200", "ok") for state, row in ASSESS_ESSAY.items()}},
    # The partnership's coordinators (and site admins) record events and edit the rubric.
    "essays.new_event": {"GET": "login 403 403 403 200 403 200", "POST": "login 403 403 403 ok 403 ok"},
    "essays.rubric": {"GET": "login 403 403 403 200 403 200", "POST": "login 403 403 403 ok 403 ok"},
    "essays.report": {"GET": "login 403 403 403 200 200 200"},
    "essays.report_csv": {"GET": "login 403 403 403 200 200 200"},

    # --- collections (both owned by the owning institution; the member was added as an editor of the public
    # one). Members-only collections are for approved members, like members-only practices. ---
    "collections.index": {"GET": ANYONE},
    "collections.show": {"GET": SEE_COLLECTION},
    "collections.edition": {"GET": SEE_COLLECTION},
    # The edition's PDF (a page following its preparation until it is ready) and its JSON status.
    "collections.edition_pdf": {"GET": SEE_COLLECTION},
    "collections.edition_pdf_status": {"GET": SEE_COLLECTION},
    # Institution admins, coordinators and site admins start collections (for what they administer).
    "collections.create": {"GET": "login 403 403 200 200 403 200", "POST": "login 403 403 ok ok 403 ok"},
    "collections.edit": {"GET": EDIT_COLLECTION, "POST": EDIT_COLLECTION_WRITE},
    "collections.add_chapter": {"POST": EDIT_COLLECTION_WRITE},
    "collections.chapter": {"POST": EDIT_COLLECTION_WRITE},
    "collections.add_item": {"POST": EDIT_COLLECTION_WRITE},
    "collections.item": {"POST": EDIT_COLLECTION_WRITE},
    "collections.order": {"POST": EDIT_COLLECTION_WRITE},
    "collections.publish": {"POST": EDIT_COLLECTION_WRITE},
    # Editors are added, and the collection deleted, by the owner's admins (not by the editors they added).
    "collections.editors": {"POST": {"public": "login 403 403 ok 403 403 ok",
                                     "members": "login 403 403 ok 403 403 ok"}},
    "collections.delete": {"GET": {"public": "login 403 403 200 403 403 200",
                                   "members": "login 403 403 200 403 403 200"},
                           "POST": {"public": "login 403 403 ok 403 403 ok",
                                    "members": "login 403 403 ok 403 403 ok"}},
    # From a practice page or search results: for whoever edits a collection (the posted one: the public).
    "collections.add": {"GET": "login 403 200 200 403 403 200", "POST": "login 403 ok ok 403 403 ok"},

    # --- certificates (the member holds one, of a kind its coordinators may revoke) ---
    # Checking a code is for anyone, without logging in: the code is the key.
    "certificates.verify": {"GET": ANYONE},
    "certificates.show": {"GET": ANYONE},
    "certificates.mine": {"GET": LOGGED_IN},
    # The PDF: its holder and site admins.
    "certificates.download": {"GET": "login 403 200 403 403 403 200"},
    # Revoking: site admins, and whom the kind's owner feature names (network.certificates.register_kind).
    "certificates.revoke": {"GET": "login 403 403 403 200 403 200", "POST": "login 403 403 403 ok 403 ok"},

    # --- events (the online link and the answers to the organisers' questions are in hidden_text) ---
    "events.index": {"GET": ANYONE},
    # Coordinators (for their partnerships) and institution admins (as hosts) organise events.
    "events.create": {"GET": "login 403 403 200 200 403 200", "POST": "login 403 403 ok ok 403 ok"},
    "events.show": {"GET": SEE_EVENT},
    "events.event_ics": {"GET": SEE_EVENT},
    "events.programme": {"GET": SEE_EVENT},
    "events.session_ics": {"GET": SEE_EVENT},
    "events.edit": {"GET": ORGANISE_EVENT, "POST": ORGANISE_EVENT_WRITE},
    "events.sessions": {"GET": ORGANISE_EVENT, "POST": ORGANISE_EVENT_WRITE},
    "events.edit_session": {"GET": ORGANISE_EVENT, "POST": ORGANISE_EVENT_WRITE},
    "events.delete_session": {"POST": ORGANISE_EVENT_WRITE},
    "events.move_session": {"POST": ORGANISE_EVENT_WRITE},
    "events.participants": {"GET": ORGANISE_EVENT},
    "events.decide": {"POST": ORGANISE_EVENT_WRITE},
    "events.attendance": {"POST": ORGANISE_EVENT_WRITE},  # refused before the event, with a message: 302
    # The organisers' exports: the participants as CSV (with the answers), the badges and a day's attendance sheet.
    "events.participants_csv": {"GET": ORGANISE_EVENT},
    "events.badges_pdf": {"GET": ORGANISE_EVENT},
    "events.attendance_sheet_pdf": {"GET": ORGANISE_EVENT},
    # Approved members who may see the event; the member registered for the members' event already.
    "events.register": {"GET": {"public": "login 200 200 200 200 200 200", "members": "login 200 302 200 200 200 200",
                                "partnership": "login 404 200 200 200 200 200"},
                        "POST": REGISTER_WRITE},
    "events.cancel": {"POST": REGISTER_WRITE},  # one's own registration (none: a message, 302)
    # The month calendar (this month; January 2027, the events' month) shows what each visitor may see.
    "events.calendar": {"GET": ANYONE},
    "events.calendar_month": {"GET": ANYONE},
    # Materials: the organisers' page (a post without a file is refused with its message: 422), and the file.
    "events.materials_page": {"GET": ORGANISE_EVENT, "POST": ORGANISE_EVENT_WRITE},
    "events.add_material_link": {"POST": ORGANISE_EVENT_WRITE},
    "events.delete_material": {"POST": ORGANISE_EVENT_WRITE},
    "events.material": {"GET": REGISTERED_MATERIAL},

    # --- the JSON API: a token or nothing; no token is an anonymous visitor ---
    "api.openapi_document": {"GET": ANYONE},
    "api.search": {"GET": ANYONE},
    # Collections: public ones for anyone, members-only ones for approved members (404 for the others).
    "api.list_collections": {"GET": ANYONE},
    "api.get_collection": {"GET": {"public": ANYONE, "members": "404 200 200 200 200 200 200"}},
    "api.list_practices": {"GET": ANYONE},
    "api.get_practice": {"GET": SEE_PRACTICE},
    "api.create_practice": {"POST": "401 403 201 201 403 403 201"},  # for the owning institution
    "api.update_practice": {"PATCH": {state: _api(row) for state, row in EDIT_PRACTICE_WRITE.items()}},
    "api.delete_practice": {"DELETE": {state: _api(row).replace("200", "ok")
                                       for state, row in DELETE_PRACTICE.items()}},
    # Visits and offers are never public (401 without a token); lists hold what the caller may see.
    "api.list_visits": {"GET": "401 200 200 200 200 200 200"},
    "api.get_visit": {"GET": "401 404 200 200 200 200 200"},
    "api.list_offers": {"GET": "401 200 200 200 200 200 200"},
    "api.list_essays": {"GET": ANYONE},
    "api.get_essay": {"GET": {state: row.replace("login", "404") for state, row in SEE_ESSAY.items()}},
    # The member takes part in the event; everyone else is refused.
    "api.create_essay": {"POST": "401 403 ok 403 403 403 403"},
    "api.update_essay": {"PATCH": {state: _api(row) for state, row in AUTHOR_ONLY.items()}},
    # Events as their pages show them (the online link of the members' event: the organisers and the member, approved);
    # one's own registrations need a token.
    "api.list_events": {"GET": ANYONE},
    "api.get_event": {"GET": {state: row.replace("login", "404") for state, row in SEE_EVENT.items()}},
    "api.list_event_registrations": {"GET": "401 200 200 200 200 200 200"},
    # Courses as their pages show them; one's own certificates need a token.
    "api.list_courses": {"GET": ANYONE},
    "api.get_course": {"GET": {state: row.replace("login", "404") for state, row in SEE_COURSE.items()}},
    "api.list_certificates": {"GET": "401 200 200 200 200 200 200"},
    # Open Badges: public like the verification page (the code is the key); the member's certificate.
    "certificates.badge_assertion": {"GET": ANYONE},
    "certificates.badge_class": {"GET": ANYONE},
    "certificates.badge_issuer": {"GET": ANYONE},
    # One's own self-assessment results; a group's figures (the partnership's: its coordinators and evaluators).
    "api.list_self_assessments": {"GET": "401 200 200 200 200 200 200"},
    "api.self_assessment_aggregates": {"GET": "401 403 403 403 200 200 200"},

    # --- learning ---
    "learning.index": {"GET": ANYONE},
    "learning.new": {"GET": "login 403 403 200 200 403 200", "POST": "login 403 403 ok ok 403 ok"},
    "learning.show": {"GET": SEE_COURSE},
    "learning.lesson": {"GET": SEE_COURSE},
    "learning.enrol": {"POST": {"public": "login ok ok ok ok ok ok", "draft": "login 404 404 ok 404 404 ok"}},
    "learning.leave": {"GET": LEARNER, "POST": LEARNER_WRITE},
    "learning.move": {"POST": LEARNER_WRITE},
    "learning.lesson_done": {"POST": LEARNER_WRITE},
    "learning.reflection": {"POST": LEARNER_WRITE},
    "learning.task": {"POST": LEARNER_WRITE},
    "learning.quiz": {"GET": LEARNER, "POST": LEARNER_WRITE},
    "learning.result": {"GET": LEARNER},
    **{f"learning.{endpoint}": {"GET": EDIT_COURSE, "POST": EDIT_COURSE_WRITE} for endpoint in (
        "edit", "archive", "delete_module", "edit_lesson", "delete_lesson", "edit_activity", "delete_activity",
        "edit_question", "delete_question")},
    **{f"learning.{endpoint}": {"POST": EDIT_COURSE_WRITE} for endpoint in (
        "publish", "editors", "add_module", "module", "add_lesson", "move_lesson", "add_activity", "move_activity",
        "add_question", "move_question")},
    # The course's tutors (its editors) follow its learners; a draft has none, and takes no cohort.
    **{f"learning.{endpoint}": {"GET": EDIT_COURSE} for endpoint in ("learners", "learners_csv", "statistics")},
    "learning.learner": {"GET": {"public": EDIT_COURSE, "draft": "login 403 403 404 403 403 404"}},
    "learning.cohorts": {"GET": EDIT_COURSE, "POST": EDIT_COURSE_WRITE},
    "learning.remind_learners": {"POST": EDIT_COURSE_WRITE},
    # A lesson's file: for whoever may read a version listing it (the public course's version 1), the draft's for
    # its editors; its editors add and remove files.
    "learning.attachment": {"GET": SEE_COURSE},
    "learning.add_attachment": {"POST": EDIT_COURSE_WRITE},
    "learning.remove_attachment": {"POST": EDIT_COURSE_WRITE},

    # --- evaluation ---
    # A partnership's surveys, indicators and report draft: those who read its dashboard (its coordinators,
    # evaluators, site admins); written by its coordinators. Templates: written by site admins, seen by coordinators
    # and evaluators (to copy them). A structure frozen (the open survey) or a button in the wrong state answers a
    # redirect with its message.
    "evaluation.partnership_surveys": {"GET": PARTNERSHIP_FIGURES},
    "evaluation.new_survey": {"GET": MANAGE_SURVEYS, "POST": MANAGE_SURVEYS_WRITE},
    "evaluation.survey_templates": {"GET": PARTNERSHIP_FIGURES},
    "evaluation.new_template": {"GET": SITE_ADMIN_ONLY, "POST": SITE_ADMIN_ONLY.replace("200", "ok")},
    "evaluation.survey": {"GET": PARTNERSHIP_FIGURES},
    "evaluation.survey_preview": {"GET": PARTNERSHIP_FIGURES},
    **{f"evaluation.{endpoint}": {"GET": EDIT_SURVEY, "POST": EDIT_SURVEY_WRITE} for endpoint in (
        "edit_survey", "edit_section", "edit_question")},
    **{f"evaluation.{endpoint}": {"GET": {**EDIT_SURVEY, "open": MANAGE_SURVEYS.replace("200", "302")},
                                  "POST": EDIT_SURVEY_WRITE} for endpoint in ("add_section", "add_question")},
    **{f"evaluation.{endpoint}": {"POST": EDIT_SURVEY_WRITE} for endpoint in (
        "open_survey", "close_survey", "reopen_survey", "delete_survey", "move_section", "delete_section",
        "move_question", "delete_question")},
    # Copied by whoever sees it into a partnership they coordinate (an evaluator sees it, coordinates none).
    "evaluation.copy_survey": {"POST": "login 403 403 403 ok 403 ok"},
    # The member's invitation: theirs alone.
    "evaluation.answer": {"GET": "login 403 200 403 403 403 403", "POST": "login 403 ok 403 403 403 403"},
    "evaluation.my_surveys": {"GET": LOGGED_IN},
    **{f"evaluation.{endpoint}": {"GET": {"draft": PARTNERSHIP_FIGURES, "open": PARTNERSHIP_FIGURES,
                                          "template": "login 403 403 403 403 403 403"}}
       for endpoint in ("survey_results", "survey_results_csv")},
    # How visitors rated the owning institution as a host: its own people (and site admins).
    "evaluation.host_results": {"GET": "login 403 200 200 403 403 200"},
    # Sessions back home are the visitor's (the traveller, none of the visitors here) to record and change; whoever
    # sees the visit (the host's people among them) reads them.
    "evaluation.new_session": {"GET": "login 403 403 403 403 403 403", "POST": "login 403 403 403 403 403 403"},
    "evaluation.session": {"GET": "login 403 200 200 200 200 200"},
    "evaluation.session_material": {"GET": "login 403 200 200 200 200 200"},
    **{f"evaluation.{endpoint}": {"GET": "login 403 403 403 403 403 403", "POST": "login 403 403 403 403 403 403"}
       for endpoint in ("edit_session", "delete_session")},
    **{f"evaluation.{endpoint}": {"POST": "login 403 403 403 403 403 403"}
       for endpoint in ("add_material", "remove_material")},
    "evaluation.targets": {"GET": PARTNERSHIP_FIGURES, "POST": MANAGE_SURVEYS_WRITE},
    "evaluation.indicators": {"GET": PARTNERSHIP_FIGURES},
    "evaluation.indicators_csv": {"GET": PARTNERSHIP_FIGURES},
    # The report: the draft for those who read the dashboard, published versions for the partnership's people too.
    "reports.show": {"GET": READ_REPORT},
    **{f"reports.{endpoint}": {"GET": READ_REPORT} for endpoint in ("version", "pdf", "annex_csv", "annex_xlsx")},
    "reports.edit": {"GET": MANAGE_SURVEYS, "POST": MANAGE_SURVEYS_WRITE},
    "reports.publish": {"POST": MANAGE_SURVEYS_WRITE},
    "api.partnership_indicators": {"GET": "401 403 403 403 200 200 200"},
    "api.list_surveys": {"GET": "401 200 200 200 200 200 200"},
    "api.survey_results": {"GET": {"draft": "401 404 404 404 200 200 200", "open": "401 404 404 404 200 200 200",
                                   "template": "401 404 404 404 404 404 404"}},

    # --- self-assessment ---
    # Anyone takes it (without a sitting, the questionnaire's pages and "my result" go back to the start page).
    "self_assessment.index": {"GET": ANYONE},
    "self_assessment.start": {"POST": "ok ok ok ok ok ok ok"},
    "self_assessment.take": {"GET": ALL_302, "POST": ALL_302},
    "self_assessment.my_result": {"GET": ALL_302},
    "self_assessment.keep_answers": {"POST": "login ok ok ok ok ok ok"},
    "self_assessment.invitation_landing": {"GET": ALL_302},
    # A result is its taker's (the member's) alone: for anyone else it does not exist, site admins included.
    "self_assessment.result": {"GET": OWN_RESULT},
    "self_assessment.delete_result": {"GET": OWN_RESULT, "POST": OWN_RESULT.replace("200", "ok")},
    # The partnership's figures: its coordinators, evaluators, site admins. The institution's admin reads groups
    # (their institution's), not this one.
    "self_assessment.aggregates": {"GET": PARTNERSHIP_FIGURES},
    "self_assessment.needs": {"GET": PARTNERSHIP_FIGURES},
    "self_assessment.needs_csv": {"GET": PARTNERSHIP_FIGURES},
    "self_assessment.needs_print": {"GET": PARTNERSHIP_FIGURES},
    # Invitations: whoever coordinates a partnership or organises an event (the owning institution's admin hosts
    # the world's events); the coordinator's invitation of the partnership: its managers, and evaluators to read.
    "self_assessment.invitations": {"GET": "login 403 403 200 200 403 200", "POST": "login 403 403 ok ok 403 ok"},
    "self_assessment.invitation": {"GET": "login 403 403 403 200 200 200"},
    "self_assessment.delete_invitation": {"POST": "login 403 403 403 ok 403 ok"},
    # The questionnaire is content for site admins; a published version refuses changes (a 302 with the message).
    **{f"self_assessment.{endpoint}": {"GET": SITE_ADMIN_ONLY} for endpoint in ("admin_index", "admin_export")},
    **{f"self_assessment.{endpoint}": {"POST": SITE_ADMIN_WRITE} for endpoint in (
        "admin_new_draft", "admin_load_standard", "admin_import", "admin_publish", "admin_delete",
        "admin_delete_dimension", "admin_delete_level", "admin_delete_statement", "admin_move_dimension",
        "admin_move_statement")},
    "self_assessment.admin_version": {"GET": SITE_ADMIN_ONLY, "POST": SITE_ADMIN_WRITE},
    # The forms of a published version's parts send the site admin back to the version (frozen, read only).
    **{f"self_assessment.{endpoint}": {"GET": {"published": SITE_ADMIN_ONLY.replace("200", "302"),
                                               "draft": SITE_ADMIN_ONLY}, "POST": SITE_ADMIN_WRITE} for endpoint in (
        "admin_add_dimension", "admin_add_level", "admin_add_statement", "admin_edit_dimension",
        "admin_edit_level", "admin_edit_statement")},
}

# Text that a surface shows more widely than network.permissions lets its own page show it. Each entry is
# a known gap, reported, kept here so that it stays visible (and fails once fixed: remove it then).
KNOWN_WIDER: set[tuple[str, str, str]] = set()  # (endpoint, visitor, text): none left

# Searching for the exact words of something a visitor may not see must find nothing: a hit would show
# that it exists, and its snippet the words around. Known gaps, reported (remove an entry once fixed):
# Entries: (visitor, text, type of the document found).
KNOWN_SEARCH_GAPS: set[tuple[str, str, str]] = set()  # none left: offers follow can_view_mobility, name
# only public practices, and a visit's document leaves out the application's motivation.

# Refused requests that write, by design: an editor post that arrives after the session expired keeps
# its text for two days, for the author to get back after logging in again (README, "Essays").
KEEPS_TEXT = {("essays.edit", "anonymous"), ("essays.autosave", "anonymous")}

# Responses that show what the owner of a secret address may see, to whoever holds the address: the member's
# calendar feed (their visits, and the events they are registered for with the online link). The leak check reads
# the owner's hidden text for them, not the visitor's.
SEEN_AS = {"calendars.feed": "member"}

REFUSED = {"login", "401", "403", "404"}
TOKENS = {"ok", "login", "302", "200", "201", "204", "400", "401", "403", "404", "409", "422"}


# --- how each URL is filled in, and what a write sends --------------------------------------------------


def _states(rule) -> tuple[str, ...]:
    """The objects a route is tried on: a practice or essay in each state, or the variants of VARIANTS."""
    if "comment_id" in rule.arguments:
        return PRACTICE_STATES + ("hidden",)
    if "practice_id" in rule.arguments:
        return PRACTICE_STATES
    if "essay_id" in rule.arguments:
        return ESSAY_STATES
    for name, variants in VARIANTS.items():
        if name in rule.arguments or name == rule.endpoint:
            return variants
    return ("-",)


def _url(rule, state: str, world: World, query: dict | None = None) -> str:
    practice_state = "published" if state == "hidden" else state
    values = {
        "practice_id": world.practices.get(practice_state),
        "attachment_id": world.attachments.get(practice_state),
        "comment_id": world.hidden_comment if state == "hidden" else world.comments.get(state),
        "essay_id": world.essays.get(state), "partnership_id": world.partnership, "offer_id": world.offer,
        "application_id": world.trip if state == "traveller" else world.application, "visit_id": world.visit,
        "user_id": world.users["member"] if state == "approved" else world.pending.get(state),
        "token_id": world.spare_token, "collection_id": world.collections.get(state),
        "chapter_id": world.collection_chapters.get(state), "item_id": world.collection_items.get(state),
        "number": 1, "code": world.certificate,
        # The Open Badges class of the member's certificate (certificates_helpers.issue_to: kind, subject).
        "kind": "test_attendance", "subject_type": "test_event", "subject_id": 1,
        "key": badge_key("test_attendance", "test_event", 1),
        "event_id": world.events.get(state), "session_id": world.event_sessions.get(state),
        "registration_id": world.event_registrations.get(state), "material_id": world.event_materials.get(state),
        "year": 2027, "month": 1,
        "version_id": world.questionnaire_versions.get(state), "result_id": world.assessment_result,
        "invitation_id": world.assessment_invitation, "page": 1,
        **world.questionnaire_parts.get(state, {}),
        "course_id": world.courses.get(state), "attempt_id": world.quiz_attempt, "enrolment_id": world.enrolment,
        **{name: value for name, value in world.course_parts.get(state, {}).items() if name.endswith("_id")},
        # The learner's pages of a reflection or a task take theirs; the quiz's and the editors' take the quiz.
        "activity_id": world.course_parts.get(state, {}).get(
            {"learning.reflection": "reflection", "learning.task": "task"}.get(rule.endpoint, "quiz")),
        "institution_id": world.owner_institution, "survey_id": world.surveys.get(state),
        "section_id": world.survey_parts.get(state, {}).get("section_id"),
        # A course's question (learning's routes), else a survey's (the evaluation's take theirs below, in any case).
        "question_id": world.course_parts.get(state, {}).get("question_id")
        or world.survey_parts.get(state, {}).get("question_id"),
        "slug": world.other_slug if state == "other" else world.owner_slug, "filename": "css/site.css",
        "token": {"calendars.feed": world.calendar_token, "self_assessment.invitation_landing": world.assessment_token
                  }.get(rule.endpoint, "not-a-reset-token"),
    }
    args = {name: values[name] for name in rule.arguments}
    args.update({"essays.start": {"event": world.blank_event},
                 "search.index": {"sort": "date"},
                 "collections.add": {"practice_id": world.practices["published"]},
                 **{f"self_assessment.{name}": {"partnership": world.partnership}
                    for name in ("aggregates", "needs", "needs_csv", "needs_print")},
                 "api.self_assessment_aggregates": {"partnership": world.partnership},
                 # A course's file (not "attachment_id" in course_parts: practices' routes take their own).
                 "learning.attachment": {"attachment_id": world.course_parts.get(state, {}).get("attachment"),
                                         "filename": f"{state}.pdf"},
                 "learning.remove_attachment": {"attachment_id": world.course_parts.get(state, {}).get("attachment")},
                 # The evaluation's names that other features' routes use too: the member's survey invitation, the
                 # session back home and its file (and, below, a survey's section and question).
                 "evaluation.answer": {"invitation_id": world.survey_invitation},
                 "web.choose_language": {"code": "es"},
                 **{f"evaluation.{name}": {"session_id": world.back_home_session,
                                          **({"material_id": world.session_material}
                                             if "material_id" in rule.arguments else {})}
                    for name in ("session", "edit_session", "delete_session", "add_material", "remove_material",
                                 "session_material")},
                 }.get(rule.endpoint, {}))
    if "survey_id" in rule.arguments:
        args.update({name: value for name, value in world.survey_parts.get(state, {}).items() if name in rule.arguments})
    if rule.endpoint == "mobility.new_offer" and state == "sending":
        args["institution"] = world.sending
    return url_for(rule.endpoint, **args, **(query or {}))


def _practice_form(world: World, **overrides) -> dict:
    """The practice form as a browser posts it, for the owning institution."""
    data = practice_data(SimpleNamespace(slug=world.owner_slug, country="ES"), **overrides)
    values = {name: getattr(data, name) for name in (
        "title", "summary", "context", "target_group", "objectives", "methods", "resources", "outcomes",
        "lessons", "country", "language", "institution", "status", "visibility", "external_ref",
        "external_link")}
    values.update(sectors=data.sectors, intervention_types=data.intervention_types, tags=", ".join(data.tags))
    return values


def _form(endpoint: str, state: str, world: World) -> dict:
    """What a page's write posts: what its form would send, so an allowed visitor gets past the form."""
    if endpoint == "practices.create":  # for the owning institution: only its members may
        return _practice_form(world, title="A new practice", status="draft")
    if endpoint == "practices.edit":  # the same practice, saved again
        return _practice_form(world, title=f"Authz {state} practice",
                              status="published" if state == "members" else state,
                              visibility="members" if state == "members" else "public")
    return {
        "admin.user": {"submit": "Save roles"},
        "admin.decide_membership": {"decline": "Decline"} if state == "approved" else {"approve": "Approve"},
        "practices.change_status": {"status": "archived"},
        "collections.add": {"collection_id": str(world.collections["public"])},
        "practices.review": {"reviewed": "1"},
        "practices.add_comment": {"body": "Another comment"},
        "practices.edit_comment": {"body": "An edited comment"},
        "practices.flag_comment": {"reason": "Off topic"},
        "mobility.decide": {"decision": "endorse"},
        "mobility.cancel": {"reason": "Ill that week"},
        "calendars.index": {"feed": "user"},
        "events.decide": {"decision": "approve"},
        "events.move_session": {"direction": "down"},
        "events.add_material_link": {"link-link_kind": "practice", "link-link": str(world.practices["published"]),
                                     "link-audience": "everyone"},
        "certificates.revoke": {"reason": "Did not attend."},
        "tokens.index": {"name": "another token"},
        "self_assessment.start": {"role": "professional"},
        "learning.lesson_done": {"done": "1"},
        **{f"learning.{name}": {"direction": "down"} for name in ("move_lesson", "move_activity", "move_question",
                                                                  "module")},
        "self_assessment.invitations": {"group": f"partnership-{world.partnership}", "phase": "any"},
        "essays.display": {"display": "anonymous"},
        "evaluation.copy_survey": {"target": str(world.partnership)},
        "web.markdown_preview": {"text": "**Bold** words", "kind": "document"},
        "evaluation.move_section": {"direction": "down"},
        "evaluation.move_question": {"direction": "down"},
        "essays.return_to_author": {"comment": "Say more about the groups."},
        "essays.edit": {"title": "Edited", "body": "Some words.", "language": "en", "display": "named"},
        "essays.autosave": {"title": "Autosaved", "body": "Words.", "language": "en", "display": "named"},
    }.get(endpoint, {})


def _json(endpoint: str, world: World) -> dict:
    return {
        "api.create_practice": {
            "title": "A practice from the API", "summary": "Families meet.", "context": "A town.",
            "target_group": "Families.", "methods": "Meetings.", "outcomes": "Support.",
            "sectors": ["social"], "country": "ES", "language": "es", "status": "draft",
            "institution": world.owner_slug},
        "api.update_practice": {"summary": "A summary changed through the API."},
        "api.create_essay": {"event_id": world.blank_event, "title": "An essay from the API",
                             "body": "Words.", "language": "en"},
        "api.update_essay": {"display": "anonymous"},
    }.get(endpoint, {})


def _outcome(response) -> str:
    if response.status_code == 302 and response.headers["Location"].split("?")[0].endswith("/login"):
        return "login"
    return str(response.status_code)


def _matches(expected: str, outcome: str) -> bool:
    if expected == "ok":
        return outcome not in REFUSED and (200 <= int(outcome) < 400 or outcome in ("409", "422"))
    return expected == outcome


# --- the routes -------------------------------------------------------------------------------------------


def _rules():
    """The URL map of an app made only to read it (collection happens before any fixture)."""
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("NETWORK_INSTANCE_PATH", folder)
        app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


RULES = _rules()


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _expected(endpoint: str, method: str, state: str) -> str:
    spec = MATRIX[endpoint][method]
    return spec if isinstance(spec, str) else spec[state]


# On PostgreSQL the matrix tries the cases whose page reaches the database's queries: a login redirect, a 401 or a
# 403 is decided in Python before any query of the page (the same code on both databases, tried on SQLite).
DECIDED_BEFORE_THE_QUERIES = {"login", "401", "403"}


def _cases():
    for rule in RULES:
        if rule.endpoint not in MATRIX:
            continue  # test_every_route_is_in_the_matrix names it
        for method in _methods(rule):
            for state in _states(rule):
                try:
                    expected = _expected(rule.endpoint, method, state).split()
                except KeyError:  # a method or state missing from its row: the test says so
                    expected = []
                for visitor in VISITORS:
                    if POSTGRES_URL and expected and expected[VISITORS.index(visitor)] in DECIDED_BEFORE_THE_QUERIES:
                        continue
                    yield pytest.param(rule, method, state, visitor,
                                       id=f"{rule.endpoint}-{method}-{state}-{visitor}")


CASES = list(_cases())


def test_every_route_is_in_the_matrix():
    """Each rule of the URL map has its row, with its methods, its states and one outcome per visitor."""
    problems = []
    endpoints = [rule.endpoint for rule in RULES]
    twice = sorted({endpoint for endpoint in endpoints if endpoints.count(endpoint) > 1})
    problems += [f"{endpoint}: one endpoint, several rules (one row each)" for endpoint in twice]
    for rule in RULES:
        row = MATRIX.get(rule.endpoint)
        if row is None:
            problems.append(f"{rule.endpoint} ({rule.rule}) is not in MATRIX")
            continue
        if sorted(row) != _methods(rule):
            problems.append(f"{rule.endpoint}: methods {sorted(row)} in MATRIX, {_methods(rule)} in the app")
            continue
        for method, spec in row.items():
            states = {"-": spec} if isinstance(spec, str) else spec
            if set(states) != set(_states(rule)) and not isinstance(spec, str):
                problems.append(f"{rule.endpoint} {method}: states {sorted(states)}, not {_states(rule)}")
            for state, outcomes in states.items():
                tokens = outcomes.split()
                if len(tokens) != len(VISITORS) or not set(tokens) <= TOKENS:
                    problems.append(f"{rule.endpoint} {method} {state}: {outcomes!r}")
    gone = sorted(set(MATRIX) - set(endpoints))
    problems += [f"{endpoint} is in MATRIX, not in the app" for endpoint in gone]
    assert not problems, "\n".join(problems)


# --- the world, built once for the module ---------------------------------------------------------------


class Matrix:
    """The world, and requests to it as each visitor."""

    def __init__(self, app, world: World, snapshot: Snapshot, watch: WriteWatch, session_ids: dict):
        self.app, self.world, self.snapshot, self.watch = app, world, snapshot, watch
        self.session_ids = session_ids
        self.dirty = False

    def request(self, rule, method: str, state: str, visitor: str, query: dict | None = None):
        """Send the request as this visitor, to the world as it was built; returns (outcome, body)."""
        if self.dirty:
            self.snapshot.restore(set(self.watch.tables))
            self.dirty = False
        self.watch.clear()
        url = _url(rule, state, self.world, query)
        client = self.app.test_client()
        api = rule.rule.startswith("/api/")
        headers = {}
        if api and visitor != "anonymous":
            headers["Authorization"] = f"Bearer {self.world.bearer[visitor]}"
        elif visitor != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"], session["_fresh"] = self.session_ids[visitor], True  # as login_user()
        self.dirty = True  # until the request has answered (an exception leaves its writes unknown)
        if method == "GET":
            response = client.get(url, headers=headers)
        elif api:
            response = client.open(url, method=method, headers=headers, json=_json(rule.endpoint, self.world))
        else:
            response = client.open(url, method=method, headers=headers,
                                   data=_form(rule.endpoint, state, self.world))
        body = response.get_data()
        response.close()
        self.dirty = bool(self.watch.writes)
        return _outcome(response), body


@pytest.fixture(scope="module")
def matrix(database_template, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("authz")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(workdir / "instance"))
        if POSTGRES_URL:
            url = POSTGRES_URL
        else:
            shutil.copy(database_template, workdir / "authz.sqlite3")
            url = f"sqlite:///{workdir / 'authz.sqlite3'}"
        app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        app.test_client_class = IsolatedClient
        with app.app_context():
            try:
                world = build_world()
                from network.auth.models import User

                session_ids = {kind: db.session.get(User, user_id).get_id()
                               for kind, user_id in world.users.items()}
                snapshot = Snapshot()
                watch = WriteWatch(db.engine)
                try:
                    yield Matrix(app, world, snapshot, watch, session_ids)
                finally:
                    watch.close()
            finally:
                db.session.remove()
                if POSTGRES_URL:
                    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
                    with db.engine.begin() as connection:
                        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                db.engine.dispose()


@pytest.mark.parametrize("rule, method, state, visitor", CASES)
def test_visitor_gets_the_outcome_in_the_matrix(matrix, rule, method, state, visitor):
    """The status is MATRIX's, nothing hidden from the visitor shows, and a refusal changes nothing."""
    expected = _expected(rule.endpoint, method, state).split()[VISITORS.index(visitor)]
    outcome, body = matrix.request(rule, method, state, visitor)
    assert _matches(expected, outcome), (
        f"{method} {_url(rule, state, matrix.world)} as {visitor}: expected {expected}, got {outcome}")
    leaked = [text for text in matrix.world.hidden_text[SEEN_AS.get(rule.endpoint, visitor)]
              if text.encode() in body and (rule.endpoint, visitor, text) not in KNOWN_WIDER]
    assert not leaked, f"{method} {rule.rule} ({state}) shows {visitor} what they may not see: {leaked}"
    if outcome in REFUSED and (rule.endpoint, visitor) not in KEEPS_TEXT:
        assert not matrix.watch.writes, f"a refused {method} {rule.rule} wrote: {matrix.watch.writes}"


def test_known_wider_surfaces_still_show_the_text(matrix):
    """KNOWN_WIDER lists gaps, not wishes: when one is closed, this fails so the entry goes."""
    for endpoint, visitor, text in sorted(KNOWN_WIDER):
        rule = next(rule for rule in RULES if rule.endpoint == endpoint)
        _outcome_, body = matrix.request(rule, "GET", "-", visitor)
        assert text.encode() in body, f"{endpoint} no longer shows {visitor} {text!r}: take it out"


def test_search_finds_nothing_by_what_a_visitor_may_not_see(matrix):
    """The search API, asked for the exact words of each thing a visitor may not see (as a phrase)."""
    rule = next(rule for rule in RULES if rule.endpoint == "api.search")
    found = set()
    for visitor in VISITORS:
        for text in matrix.world.hidden_text[visitor]:
            outcome, body = matrix.request(rule, "GET", "-", visitor, query={"q": f'"{text}"'})
            assert outcome == "200", (visitor, text, outcome)
            found |= {(visitor, text, hit["type"]) for hit in json.loads(body)["items"]}
    assert found - KNOWN_SEARCH_GAPS == set(), "search finds what these visitors may not see"
    assert KNOWN_SEARCH_GAPS - found == set(), "closed gaps: remove them from KNOWN_SEARCH_GAPS"
