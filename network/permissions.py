"""Who may see or change what. Every view, the API and search ask here; nothing decides on its own.

Each function takes the acting user (possibly anonymous) first and answers True or False.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from network.auth.models import APPROVED, COORDINATOR, EVALUATOR, INSTITUTION_ADMIN, SITE_ADMIN


def _is_user(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_site_admin(user) -> bool:
    return _is_user(user) and user.has_role(SITE_ADMIN)


def is_member(user) -> bool:
    """An approved member of a partner institution: sees members-only content and can contribute."""
    return _is_user(user) and (user.is_approved_member or is_site_admin(user))


def administers_institution(user, institution) -> bool:
    if not _is_user(user) or institution is None:
        return False
    if is_site_admin(user):
        return True
    return (
        user.has_role(INSTITUTION_ADMIN)
        and user.is_approved_member
        and user.institution_id == institution.id
    )


def can_edit_institution(user, institution) -> bool:
    return administers_institution(user, institution)


def can_create_institution(user) -> bool:
    return is_site_admin(user)


def can_approve_membership(user, member) -> bool:
    """Site admins decide on anyone; an institution admin on requests to join their own institution, not on
    approved members (declining one would strip a colleague admin or coordinator of every right)."""
    if member is None:
        return False
    if is_site_admin(user):
        return True
    return member.membership_status != APPROVED and administers_institution(user, member.institution)


def can_see_member_list(user, institution) -> bool:
    return is_member(user)


def can_manage_users(user) -> bool:
    return is_site_admin(user)


def can_assign_roles(user) -> bool:
    return is_site_admin(user)


def can_review_memberships(user) -> bool:
    return is_site_admin(user) or (_is_user(user) and user.has_role(INSTITUTION_ADMIN) and user.is_approved_member)


def can_read_audit_log(user) -> bool:
    return is_site_admin(user)


def can_see_background_jobs(user) -> bool:
    """The background jobs' page (/admin/jobs): what failed, with its arguments and traceback."""
    return is_site_admin(user)


def can_create_partnership(user) -> bool:
    return is_site_admin(user) or (_is_user(user) and user.has_role(COORDINATOR) and user.is_approved_member)


def can_edit_partnership(user, partnership) -> bool:
    """Site admins, and coordinators who belong to the partnership's coordinating institution."""
    if is_site_admin(user):
        return True
    return (
        _is_user(user)
        and user.has_role(COORDINATOR)
        and user.is_approved_member
        and user.institution_id == partnership.coordinating_institution_id
    )


def is_coordinator(user) -> bool:
    return _is_user(user) and user.has_role(COORDINATOR)


def is_evaluator(user) -> bool:
    return _is_user(user) and user.has_role(EVALUATOR)


def require(check, *args):
    """Abort with 403 unless check(current_user, *args); anonymous visitors go to the login page first."""
    if not current_user.is_authenticated:
        from network.extensions import login_manager

        abort(login_manager.unauthorized())
    if not check(current_user, *args):
        abort(403)


def role_required(check):
    """Decorator for views guarded by a check that needs only the user."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# --- practices ------------------------------------------------------------------------------------
# Keep can_view_practice in step with network.practices.services.visible_to (the same rule in SQL).


def belongs_to(user, institution_id) -> bool:
    """An approved member of this institution."""
    return _is_user(user) and user.is_approved_member and user.institution_id == institution_id


def can_view_practice(user, practice) -> bool:
    if practice.status == "published":
        return practice.visibility == "public" or is_member(user)
    # Drafts and archived write-ups: only the owning institution (and site admins).
    return is_site_admin(user) or belongs_to(user, practice.institution_id)


def can_create_practice(user) -> bool:
    return _is_user(user) and user.is_approved_member


def can_edit_practice(user, practice) -> bool:
    return is_site_admin(user) or belongs_to(user, practice.institution_id)


def can_delete_practice(user, practice) -> bool:
    return is_site_admin(user) or (
        belongs_to(user, practice.institution_id) and user.has_role(INSTITUTION_ADMIN)
    )


def can_review_practice(user, practice) -> bool:
    return practice.status == "published" and (is_evaluator(user) or is_site_admin(user))


def can_comment(user, practice) -> bool:
    return is_member(user) and practice.status == "published" and can_view_practice(user, practice)


def can_edit_comment(user, comment) -> bool:
    return _is_user(user) and comment.author_id == user.id and not comment.deleted


def can_moderate_comments(user, practice) -> bool:
    return administers_institution(user, practice.institution)


def can_see_flag_queue(user) -> bool:
    return is_site_admin(user) or (_is_user(user) and user.has_role(INSTITUTION_ADMIN) and user.is_approved_member)


def can_write_for_institution(user, institution) -> bool:
    """Create or move a practice under this institution."""
    return institution is not None and (is_site_admin(user) or belongs_to(user, institution.id))


# --- discussion -----------------------------------------------------------------------------------


def can_flag_comment(user, comment) -> bool:
    """Anyone logged in, on someone else's comment that is still shown: the moderators decide the rest."""
    return _is_user(user) and not comment.deleted and not comment.hidden and comment.author_id != user.id


def can_follow_practice(user, practice) -> bool:
    return _is_user(user) and can_view_practice(user, practice)


def can_bookmark_practice(user, practice) -> bool:
    return _is_user(user) and can_view_practice(user, practice)


# --- mobility -------------------------------------------------------------------------------------


def _in_partnership(institution_id, partnership) -> bool:
    return institution_id is not None and (
        institution_id == partnership.coordinating_institution_id
        or any(partner.id == institution_id for partner in partnership.partners)
    )


def coordinates(user, partnership) -> bool:
    """Coordinators of the partnership's coordinating institution (and site admins) run its exchanges."""
    return can_edit_partnership(user, partnership)


def can_view_mobility(user, partnership) -> bool:
    """Offers and the list of visits are for members of the partnership's institutions and evaluators."""
    return is_site_admin(user) or is_evaluator(user) or (
        is_member(user) and _in_partnership(user.institution_id, partnership))


def can_read_mobility_dashboard(user, partnership) -> bool:
    """Coordinators of the partnership (and site admins) run it; evaluators read every partnership's figures."""
    return coordinates(user, partnership) or (is_evaluator(user) and can_view_mobility(user, partnership))


def can_manage_offer(user, partnership, institution) -> bool:
    """An institution's admins publish what it offers, in partnerships it belongs to."""
    return _in_partnership(getattr(institution, "id", None), partnership) and (
        administers_institution(user, institution) or coordinates(user, partnership))


def can_apply(user, partnership) -> bool:
    return _is_user(user) and user.is_approved_member and _in_partnership(user.institution_id, partnership)


def can_view_application(user, application) -> bool:
    return _is_user(user) and (
        application.user_id == user.id
        or administers_institution(user, application.institution)
        or coordinates(user, application.partnership))


def can_edit_application(user, application) -> bool:
    return _is_user(user) and application.user_id == user.id


def can_endorse_application(user, application) -> bool:
    """The admins of the applicant's own institution vouch for them."""
    return administers_institution(user, application.institution)


def can_view_visit(user, visit) -> bool:
    return _is_user(user) and (
        visit.visitor_id == user.id
        or belongs_to(user, visit.host_institution_id)
        or administers_institution(user, visit.application.institution)
        or coordinates(user, visit.partnership)
        or is_evaluator(user)
        or is_site_admin(user))


def can_manage_visit(user, visit) -> bool:
    """Confirm, complete, cancel and adjust the programme: the host's admins and the coordinators."""
    return administers_institution(user, visit.host) or coordinates(user, visit.partnership)


def can_cancel_visit(user, visit) -> bool:
    return can_manage_visit(user, visit) or (_is_user(user) and visit.visitor_id == user.id)


# --- events ---------------------------------------------------------------------------------------
# Keep can_view_event in step with network.events.services.visible_to (the same rule in SQL).


def can_create_event(user) -> bool:
    """Coordinators (for partnerships they coordinate), institution admins (as hosts), site admins."""
    return is_site_admin(user) or (
        _is_user(user) and user.is_approved_member
        and (user.has_role(INSTITUTION_ADMIN) or user.has_role(COORDINATOR)))


def may_organise(user, partnership, host) -> bool:
    """Organise an event of this partnership hosted by this institution (or none): its coordinators, or the
    admins of a host that belongs to the partnership (site admins: both)."""
    return coordinates(user, partnership) or (
        host is not None and _in_partnership(host.id, partnership) and administers_institution(user, host))


def organises_event(user, event) -> bool:
    """The partnership's coordinators and the host institution's admins (and site admins): they edit the
    event and its programme, decide on registrations and take attendance."""
    return coordinates(user, event.partnership) or administers_institution(user, event.host)


def _registered(user, event, statuses=("pending", "approved", "waiting")) -> bool:
    return _is_user(user) and any(r.user_id == user.id and r.status in statuses for r in event.registrations)


def _attended(user, event) -> bool:
    return _is_user(user) and any(person.id == user.id for person in event.participants)


def can_view_event(user, event) -> bool:
    """Public events for anyone; members' events for approved members; a partnership's events for the members
    of its institutions and evaluators. Organisers, and whoever registered or took part, always."""
    if event.visibility == "public" or organises_event(user, event):
        return True
    if _registered(user, event) or _attended(user, event):
        return True
    if event.visibility == "members":
        return is_member(user)
    return is_evaluator(user) or (is_member(user) and _in_partnership(user.institution_id, event.partnership))


def can_register_for_event(user, event) -> bool:
    """Approved members who may see the event (whether registration is open is the service's to say)."""
    return is_member(user) and can_view_event(user, event)


def can_see_online_link(user, event) -> bool:
    """An online event's link: its organisers and the people whose registration is approved (or who took part),
    never someone waiting, pending or declined."""
    return organises_event(user, event) or _registered(user, event, ("approved",)) or _attended(user, event)


def can_see_event_material(user, material) -> bool:
    """A material of an event (a file, a link): whoever sees the event, or, when it is for the registered
    participants only, whoever sees the online link (the organisers, the approved, those who took part). A link's
    page keeps its own rule too (network.events.materials)."""
    event = material.event
    if not can_view_event(user, event):
        return False
    return material.audience != "registered" or can_see_online_link(user, event)


# --- essays ---------------------------------------------------------------------------------------


def reviews_essays(user, partnership) -> bool:
    """Evaluators, and the partnership's coordinators, read every submitted essay, publish or return it."""
    return is_evaluator(user) or coordinates(user, partnership)


def can_record_event(user, partnership) -> bool:
    return coordinates(user, partnership)


def can_write_essay(user, event) -> bool:
    return _is_user(user) and any(person.id == user.id for person in event.participants)


def can_edit_essay(user, essay) -> bool:
    return _is_user(user) and essay.author_id == user.id and essay.status in ("draft", "returned")


def can_view_essay(user, essay) -> bool:
    if _is_user(user) and essay.author_id == user.id:
        return True
    if essay.status == "draft":
        return False
    if reviews_essays(user, essay.event.partnership) or is_site_admin(user):
        return True
    return essay.status == "published" and essay.display != "private" and is_member(user)


def can_review_essay(user, essay) -> bool:
    return essay.status in ("submitted", "published", "returned") and (
        reviews_essays(user, essay.event.partnership) or is_site_admin(user))


def can_assess_essay(user, essay) -> bool:
    return essay.status in ("submitted", "published") and is_evaluator(user)


def can_see_assessments(user, essay) -> bool:
    """Scores, tags and private notes are for evaluators (and site admins) only."""
    return is_evaluator(user) or is_site_admin(user)


def can_read_report(user, partnership) -> bool:
    return reviews_essays(user, partnership) or is_site_admin(user)


# --- collections ----------------------------------------------------------------------------------
# Keep can_view_collection in step with network.collections.services.collections_visible_to (the SQL).


def can_view_collection(user, collection) -> bool:
    """Public collections are for anyone; members-only ones for approved members, like practices."""
    return collection.visibility == "public" or is_member(user)


def can_create_collection(user) -> bool:
    """Institution admins and coordinators (approved members), and site admins."""
    return is_site_admin(user) or (
        _is_user(user) and user.is_approved_member
        and (user.has_role(INSTITUTION_ADMIN) or user.has_role(COORDINATOR)))


def owns_collection(user, collection) -> bool:
    """The owner's people: its institution's admins, or its partnership's coordinators (and site admins)."""
    if collection.institution_id is not None:
        return administers_institution(user, collection.institution)
    return collection.partnership is not None and coordinates(user, collection.partnership)


def can_manage_editors(user, collection) -> bool:
    return owns_collection(user, collection)


def can_edit_collection(user, collection) -> bool:
    """The owner's admins or coordinators, site admins, and the approved members they added as editors."""
    if owns_collection(user, collection):
        return True
    return is_member(user) and any(row.user_id == user.id for row in collection.editor_rows)


def can_delete_collection(user, collection) -> bool:
    return owns_collection(user, collection)


# --- certificates ---------------------------------------------------------------------------------
# Checking a certificate (/certificates/<code>) is for anyone: the code is the key. Its PDF and revoking it
# are not.


def can_download_certificate(user, certificate) -> bool:
    """Its holder, and site admins (the issuing feature's organisers, if ever, through the kind's registry)."""
    return _is_user(user) and (certificate.person_id == user.id or is_site_admin(user))


def can_revoke_certificate(user, certificate) -> bool:
    """Site admins, and whom the feature that issues this kind of certificate names (its may_revoke, given to
    network.certificates.services.register_kind): the organisers of an event, the tutors of a course."""
    if not _is_user(user):
        return False
    if is_site_admin(user):
        return True
    from network.certificates import services as certificates

    return certificates.may_revoke(user, certificate)


# --- learning ---------------------------------------------------------------------------------------
# Keep can_view_course in step with network.learning.services.courses_visible_to (the same rule in SQL).


def can_create_course(user) -> bool:
    """Institution admins and coordinators (approved members), and site admins, like collections."""
    return can_create_collection(user)


def owns_course(user, course) -> bool:
    """The owner's people: its institution's admins, or its partnership's coordinators (and site admins)."""
    if course.institution_id is not None:
        return administers_institution(user, course.institution)
    return course.partnership is not None and coordinates(user, course.partnership)


def can_edit_course(user, course) -> bool:
    """The owner's people and the approved members they added as editors, who are also its tutors."""
    if owns_course(user, course):
        return True
    return is_member(user) and any(row.user_id == user.id for row in course.editor_rows)


def tutors_course(user, course) -> bool:
    """Follows its learners: their progress, quiz scores and reflections."""
    return can_edit_course(user, course)


def can_view_course(user, course) -> bool:
    """A published course: public ones for anyone, members' ones for approved members; a draft or archived one
    for its editors only (an archived one also for who is enrolled: see can_follow_course)."""
    if can_edit_course(user, course):
        return True
    if course.status != "published":
        return False
    return course.visibility == "public" or is_member(user)


def can_enrol(user, course) -> bool:
    return _is_user(user) and course.status == "published" and can_view_course(user, course)


def can_follow_course(user, enrolment) -> bool:
    """The learner, on the version they are enrolled on, whatever became of the course since."""
    return _is_user(user) and enrolment is not None and enrolment.user_id == user.id


# --- self-assessment ------------------------------------------------------------------------------
# Anyone may take it. A result is its taker's alone; groups are seen only as aggregates, by those who run them
# (and never below network.self_assessment.services.MIN_GROUP people: the services' rule, not a permission).


def can_view_assessment_result(user, result) -> bool:
    """A result belongs to the person who took it: not even site admins read it (they see aggregates)."""
    return _is_user(user) and result.user_id == user.id


def can_edit_questionnaire(user) -> bool:
    """The questionnaire is content: site admins write, translate, publish, import and export its versions."""
    return is_site_admin(user)


def reads_network_aggregates(user) -> bool:
    """Network-wide groups (a country, students or professionals): site admins, evaluators, coordinators."""
    return is_site_admin(user) or is_evaluator(user) or (is_coordinator(user) and is_member(user))


def can_read_assessment_aggregates(user, kind: str, target, partnerships=()) -> bool:
    """A group's aggregates. kind "partnership": its coordinators and evaluators (who read its dashboard);
    "institution": its admins, and the coordinators of the partnerships it is in (`partnerships`);
    "country" and "role": network-wide readers; "invitation": whoever manages the invitation."""
    if target is None:
        return False
    if kind == "partnership":
        return can_read_mobility_dashboard(user, target)
    if kind == "institution":
        return administers_institution(user, target) or is_evaluator(user) or any(
            coordinates(user, partnership) and _in_partnership(target.id, partnership) for partnership in partnerships)
    if kind in ("country", "role"):
        return reads_network_aggregates(user)
    if kind == "invitation":
        return manages_assessment_invitation(user, target) or is_evaluator(user)
    return False


def can_invite_to_assessment(user, partnership, event=None) -> bool:
    """An invitation for an event's participants: its organisers; for a partnership's: its coordinators."""
    if event is not None:
        return organises_event(user, event)
    return partnership is not None and coordinates(user, partnership)


def manages_assessment_invitation(user, invitation) -> bool:
    return _is_user(user) and can_invite_to_assessment(user, invitation.partnership, invitation.event)


def reads_some_assessment_aggregates(user) -> bool:
    """Whom the menu offers the aggregates page: anyone who runs a group of some kind."""
    return reads_network_aggregates(user) or (
        is_member(user) and (user.has_role(INSTITUTION_ADMIN) or user.has_role(COORDINATOR)))


# --- evaluation -------------------------------------------------------------------------------------
# Surveys, sessions back home, targets and the final report (network/evaluation). A survey's anonymous figures are
# shown only for five answers or more, and a host's results only aggregated: the services' rules, not permissions.


def can_create_survey_template(user) -> bool:
    """Templates every partnership may copy are the network's: site admins write them."""
    return is_site_admin(user)


def can_manage_surveys(user, partnership) -> bool:
    """A partnership's surveys, targets and report are its coordinators' to write."""
    return partnership is not None and coordinates(user, partnership)


def can_edit_survey(user, survey) -> bool:
    if survey.partnership_id is None:
        return can_create_survey_template(user)
    return can_manage_surveys(user, survey.partnership)


def can_view_survey(user, survey) -> bool:
    """Its questions: whoever edits it, the evaluators and, for a template, every coordinator (to copy it)."""
    if can_edit_survey(user, survey) or (is_evaluator(user) and is_member(user)):
        return True
    return survey.partnership_id is None and is_coordinator(user) and is_member(user)


def can_read_survey_results(user, survey) -> bool:
    """A partnership's survey results: those who read its dashboard (its coordinators, evaluators, site admins).
    For a named survey they also see who answered what."""
    return survey.partnership_id is not None and can_read_mobility_dashboard(user, survey.partnership)


def can_answer_survey(user, invitation) -> bool:
    """Only the person it was sent to (whether it is still open is the services' rule, with its message)."""
    return _is_user(user) and invitation.user_id == user.id


def can_read_host_results(user, institution) -> bool:
    """How visitors rated a host's programme, aggregated: the host's own members (and site admins)."""
    return institution is not None and (is_site_admin(user) or (is_member(user) and belongs_to(user, institution.id)))


def can_record_sessions(user, visit) -> bool:
    """Sessions back home are the visitor's to record (once the visit is completed: the services' rule)."""
    return _is_user(user) and visit.visitor_id == user.id


def can_edit_session(user, session) -> bool:
    return _is_user(user) and session.user_id == user.id and session.visit.visitor_id == user.id


def can_view_session(user, session) -> bool:
    """Whoever sees the visit, and the visitor's colleagues at their own institution."""
    return can_view_visit(user, session.visit) or (
        is_member(user) and belongs_to(user, session.visit.application.institution_id))


def can_read_indicators(user, partnership) -> bool:
    return can_read_mobility_dashboard(user, partnership)


def can_read_report_draft(user, partnership) -> bool:
    """The report being written, with today's figures: its coordinators and the evaluators."""
    return can_read_mobility_dashboard(user, partnership)


def can_read_published_report(user, partnership) -> bool:
    """A published version: the members of the partnership's institutions, the evaluators and site admins."""
    return can_view_mobility(user, partnership)


def can_see_survey_templates(user) -> bool:
    """The network's templates: site admins write them; coordinators copy them; evaluators read them
    (can_view_survey of a template)."""
    return can_create_survey_template(user) or (
        (is_coordinator(user) or is_evaluator(user)) and is_member(user))


# --- search -----------------------------------------------------------------------------------------
# The index cannot ask the functions above about every document it holds, so a restricted document carries
# the audience its page admits, as tokens that depend only on the document itself (its author, visitor,
# host, sending institution, partnership), never on who holds a role or belongs where today.
# search_grants() reads the person's tokens when they search: a role removed, a membership declined or a
# move to another institution counts from the next search on, with nothing to re-index. Keep each
# *_audience beside the can_view_* it restates; tests/search/test_search_permission_changes.py proves
# they agree after every kind of change, and search checks each restricted hit it shows against the page's
# rule as well (network.search.services).


def search_grants(user) -> list[str]:
    """The audience tokens this person holds now."""
    if not _is_user(user):
        return []
    grants = [f"user:{user.id}"]
    if user.is_approved_member and user.institution_id:
        grants.append(f"institution:{user.institution_id}")  # belongs_to
        if user.has_role(INSTITUTION_ADMIN):
            grants.append(f"admin-of:{user.institution_id}")  # administers_institution
        if user.has_role(COORDINATOR):
            grants.append(f"coordinator-of:{user.institution_id}")  # coordinates
    if user.has_role(EVALUATOR):
        grants.append(f"role:{EVALUATOR}")  # is_evaluator (like the pages, without membership)
    return grants


def _coordinators_of(partnership) -> list[str]:
    institution_id = partnership.coordinating_institution_id
    return [f"coordinator-of:{institution_id}"] if institution_id else []


def mobility_audience(partnership) -> list[str]:
    """can_view_mobility (site admins see everything anyway)."""
    institutions = {partnership.coordinating_institution_id, *(p.id for p in partnership.partners)}
    return [f"institution:{i}" for i in sorted(i for i in institutions if i)] + [f"role:{EVALUATOR}"]


def visit_audience(visit) -> list[str]:
    """can_view_visit."""
    return [f"user:{visit.visitor_id}", f"institution:{visit.host_institution_id}",
            f"admin-of:{visit.application.institution_id}", *_coordinators_of(visit.partnership),
            f"role:{EVALUATOR}"]


def event_audience(event) -> list[str]:
    """can_view_event, besides everyone (a public event) and the members (a members' event): its organisers
    (the partnership's coordinators, the host's admins), whoever registered (pending, approved, waiting) or took
    part, and for a partnership's event the members of its institutions and evaluators. The registered and the
    participants are the event's own people, like a visit's visitor: the event's document is indexed again
    whenever a registration or the attendance changes (network/events/search.py)."""
    tokens = _coordinators_of(event.partnership)
    if event.host_institution_id:
        tokens.append(f"admin-of:{event.host_institution_id}")
    people = {r.user_id for r in event.registrations if r.status in ("pending", "approved", "waiting")}
    people |= {person.id for person in event.participants}
    tokens += [f"user:{person_id}" for person_id in sorted(people)]
    if event.visibility == "partnership":
        tokens += mobility_audience(event.partnership)
    return tokens


def essay_audience(essay) -> list[str]:
    """can_view_essay, besides the members when it is published for them."""
    author = [f"user:{essay.author_id}"] if essay.author_id else []
    return [*author, *_coordinators_of(essay.event.partnership), f"role:{EVALUATOR}"]
