"""Who may do what: roles, the activities granted to them, and the check on every view.

Every view names the activity it needs with @requires. A before-request hook refuses any
endpoint that names none, so a view added without a decision is closed, not open.
"""

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from caseflow.codes import CodeList

PUBLIC = "public"
SIGNED_IN = "signed-in"


class Role(CodeList, key="role"):
    PRISON_HEALTHCARE = "prison_healthcare", "Prison healthcare"
    PROBATION = "probation", "Probation"
    KEYWORKER = "keyworker", "Keyworker"
    MENTAL_HEALTH = "mental_health_practitioner", "Mental health practitioner"
    OUTREACH = "outreach_worker", "Outreach worker"
    MANAGER = "manager", "Manager"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


CLINICAL_ROLES = (
    Role.PRISON_HEALTHCARE,
    Role.PROBATION,
    Role.KEYWORKER,
    Role.MENTAL_HEALTH,
    Role.OUTREACH,
    Role.MANAGER,
)

# The one table of activities and the roles granted them.
PERMISSIONS: dict[str, frozenset[str]] = {
    "person.view": frozenset(CLINICAL_ROLES),
    "person.search": frozenset(CLINICAL_ROLES),
    "person.create": frozenset({Role.PRISON_HEALTHCARE, Role.PROBATION}),
    # The roles that add and hold people keep their details right (people/details.py).
    "person.update": frozenset({Role.PRISON_HEALTHCARE, Role.PROBATION}),
    "custody.create": frozenset({Role.PRISON_HEALTHCARE}),
    "custody.update": frozenset({Role.PRISON_HEALTHCARE}),
    "casenote.create": frozenset(CLINICAL_ROLES) - {Role.MANAGER},
    # Named contacts (people/contacts.py): the prison and probation keep the offender managers,
    # a provider's keyworkers their own.
    "contact.offender_manager": frozenset({Role.PRISON_HEALTHCARE, Role.PROBATION}),
    "contact.keyworker": frozenset({Role.KEYWORKER}),
    # A death, or a removal from the country after release, is recorded by whoever working with
    # the person learns of it first (DOMAIN.md, Person), but not by the managers judged on the
    # rate: each takes a release out of the cohort.
    "death.record": frozenset(CLINICAL_ROLES) - {Role.MANAGER},
    "removal.record": frozenset(CLINICAL_ROLES) - {Role.MANAGER},
    "worklist.view": frozenset(
        {Role.PRISON_HEALTHCARE, Role.PROBATION, Role.KEYWORKER, Role.MANAGER}
    ),
    "referral.view": frozenset(
        {Role.PRISON_HEALTHCARE, Role.PROBATION, Role.KEYWORKER, Role.MANAGER}
    ),
    "referral.create": frozenset({Role.PRISON_HEALTHCARE, Role.PROBATION}),
    # A community referral, for a person not leaving custody (DOMAIN.md, Referral): probation's.
    "referral.create_community": frozenset({Role.PROBATION}),
    "referral.send": frozenset({Role.PRISON_HEALTHCARE, Role.PROBATION}),
    "referral.withdraw": frozenset({Role.PRISON_HEALTHCARE, Role.PROBATION}),
    # Deleting an unsent draft: its referring team's, like editing it (referrals.services.deletion).
    "referral.delete": frozenset({Role.PRISON_HEALTHCARE, Role.PROBATION}),
    "referral.redirect": frozenset({Role.PRISON_HEALTHCARE, Role.PROBATION, Role.KEYWORKER}),
    "referral.accept": frozenset({Role.KEYWORKER}),
    "referral.assign": frozenset({Role.KEYWORKER}),
    "referral.close": frozenset({Role.KEYWORKER}),
    "appointment.record": frozenset({Role.KEYWORKER}),
    "treatment.record": frozenset({Role.KEYWORKER}),
    "treatment.correct": frozenset({Role.KEYWORKER}),
    "break_glass.use": frozenset(CLINICAL_ROLES) - {Role.MANAGER},
    # The continuity-of-care measure: managers watch it for their partnership.
    "continuity.view": frozenset({Role.MANAGER}),
    # Its settings (window, target, code mappings) are changed only by an administrator.
    "continuity.settings": frozenset({Role.ADMIN}),
    # Dual diagnosis pathway (caseflow/pathways/dual_diagnosis).
    # The person's case and joint care plan: the referrer, the keyworker and the mental health
    # practitioner (record-level rule: pathways/dual_diagnosis/finding.py).
    "dual_diagnosis.view": frozenset({Role.PRISON_HEALTHCARE, Role.KEYWORKER, Role.MENTAL_HEALTH}),
    # Recording a co-occurring need and referring it (or withdrawing): who holds the person.
    "dual_diagnosis.refer": frozenset({Role.PRISON_HEALTHCARE, Role.KEYWORKER}),
    # The need assessed again: the referrer, the keyworker, the mental health practitioner.
    "dual_diagnosis.assess": frozenset(
        {Role.PRISON_HEALTHCARE, Role.KEYWORKER, Role.MENTAL_HEALTH}
    ),
    # Accepting (naming a care coordinator), declining, closing: the mental health service's.
    "dual_diagnosis.respond": frozenset({Role.MENTAL_HEALTH}),
    # The joint care plan, its reviews and missed appointments: both services.
    "dual_diagnosis.plan": frozenset({Role.KEYWORKER, Role.MENTAL_HEALTH}),
    # Rough sleeping pathway (caseflow/pathways/rough_sleeping).
    "rough_sleeping.view": frozenset(
        {Role.PRISON_HEALTHCARE, Role.PROBATION, Role.KEYWORKER, Role.OUTREACH, Role.MANAGER}
    ),
    # Opened, and an outreach team assigned, by whoever saw the person leave with nowhere to stay.
    "rough_sleeping.open": frozenset({Role.PRISON_HEALTHCARE, Role.PROBATION, Role.KEYWORKER}),
    # The Duty to Refer (HRA 2017) falls on prisons and probation too, not only on outreach.
    "rough_sleeping.refer": frozenset(
        {Role.PRISON_HEALTHCARE, Role.PROBATION, Role.KEYWORKER, Role.OUTREACH}
    ),
    "rough_sleeping.record": frozenset({Role.KEYWORKER, Role.OUTREACH}),
    "rough_sleeping.worklist": frozenset({Role.KEYWORKER, Role.OUTREACH}),
    # What a pathway's partner sees of a person is limited to what the pathway needs (DOMAIN.md,
    # Pathways): an outreach team sees who the person is, their accommodation and the treatment
    # clock, not case notes about treatment nor custody treatment details (need, substance,
    # opioid substitution and doses). Read wherever the person page shows them.
    "casenote.view": frozenset(CLINICAL_ROLES) - {Role.OUTREACH},
    "treatment_detail.view": frozenset(CLINICAL_ROLES) - {Role.OUTREACH},
    # Community Sentence Treatment Requirements (caseflow/pathways/cstr).
    # Probation and the services it asks to assess and treat see the CSTRs they are party to.
    "cstr.view": frozenset({Role.PROBATION, Role.KEYWORKER, Role.MENTAL_HEALTH}),
    # Probation asks for the assessment, records the order, reviews, warnings and the outcome.
    "cstr.supervise": frozenset({Role.PROBATION}),
    # The treatment provider or mental health service assesses, starts treatment and records
    # drug tests and attendance.
    "cstr.treat": frozenset({Role.KEYWORKER, Role.MENTAL_HEALTH}),
    "audit.read": frozenset({Role.AUDITOR}),
    "audit.export": frozenset({Role.AUDITOR}),
    "audit.review": frozenset({Role.AUDITOR}),
    # Subject access exports carry clinical content off the pages: an activity of its own.
    "subject_access.export": frozenset({Role.AUDITOR}),
    "reference.view": frozenset(Role),
    "organisation.view": frozenset({Role.ADMIN}),
    "organisation.manage": frozenset({Role.ADMIN}),
    "user.view": frozenset({Role.ADMIN}),
    "user.manage": frozenset({Role.ADMIN}),
}


def role_may(role: str | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS.get(permission, frozenset())


def requires(permission: str) -> Callable:
    """Declare the activity a view needs. PUBLIC and SIGNED_IN are the two non-activities."""
    if permission not in PERMISSIONS and permission not in (PUBLIC, SIGNED_IN):
        raise ValueError(f"Unknown permission {permission!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorate


def declared_permission(app: Flask, endpoint: str) -> str | None:
    view = app.view_functions.get(endpoint)
    return getattr(view, "required_permission", None)


def may_open(user, endpoint: str) -> bool:
    """Whether a page's own permission check would let user in: what a link to it needs.

    Read from the view's ``@requires``, so a link is offered on exactly the terms the page is
    opened on. Scope (which records) is the caller's: it links only to records it found through
    ``security.scope``.
    """
    permission = declared_permission(current_app, endpoint)
    if permission is None or not user.is_authenticated:
        return permission == PUBLIC
    return permission in (PUBLIC, SIGNED_IN) or role_may(user.role, permission)


def enforce_permission(app: Flask):
    """Deny by default: no declaration, no entry."""
    if request.endpoint is None:
        return None  # no route matched; Flask answers 404 or 405
    permission = declared_permission(app, request.endpoint)
    if permission is None:
        abort(403)
    if permission == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    if permission == SIGNED_IN or role_may(current_user.role, permission):
        return None
    from caseflow.audit.services import record_denial
    from caseflow.security.scope import person_named_by

    record_denial(
        entity_type="page",
        entity_id=request.endpoint,
        person_id=person_named_by(request.view_args),
        reason=f"lacks {permission}",
    )
    abort(403)


def init_app(app: Flask) -> None:
    # Static assets are public; Flask registers that view itself, so it is declared here.
    static_view = app.view_functions.get("static")
    if static_view is not None:
        app.view_functions["static"] = requires(PUBLIC)(static_view)
    app.before_request(lambda: enforce_permission(app))
