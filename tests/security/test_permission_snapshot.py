"""The permission table as a role x activity grid, written out by hand: a row granted to the
wrong role, or an activity added without a decision here, fails this test.

Roles: PH prison healthcare, PR probation, KW keyworker, MH mental health practitioner,
OW outreach worker, MG manager, AU auditor, AD administrator. "x" is granted.
"""

from caseflow.security.access import PERMISSIONS, Role

ROLES = {
    "PH": Role.PRISON_HEALTHCARE,
    "PR": Role.PROBATION,
    "KW": Role.KEYWORKER,
    "MH": Role.MENTAL_HEALTH,
    "OW": Role.OUTREACH,
    "MG": Role.MANAGER,
    "AU": Role.AUDITOR,
    "AD": Role.ADMIN,
}

GRID = """
activity               PH PR KW MH OW MG AU AD
person.view            x  x  x  x  x  x  .  .
person.search          x  x  x  x  x  x  .  .
person.create          x  x  .  .  .  .  .  .
person.update          x  x  .  .  .  .  .  .
custody.create         x  .  .  .  .  .  .  .
custody.update         x  .  .  .  .  .  .  .
casenote.create        x  x  x  x  x  .  .  .
casenote.view          x  x  x  x  .  x  .  .
treatment_detail.view  x  x  x  x  .  x  .  .
contact.offender_manager x  x  .  .  .  .  .  .
contact.keyworker      .  .  x  .  .  .  .  .
death.record           x  x  x  x  x  .  .  .
removal.record         x  x  x  x  x  .  .  .
worklist.view          x  x  x  .  .  x  .  .
referral.view          x  x  x  .  .  x  .  .
referral.create        x  x  .  .  .  .  .  .
referral.create_community .  x  .  .  .  .  .  .
referral.send          x  x  .  .  .  .  .  .
referral.withdraw      x  x  .  .  .  .  .  .
referral.delete        x  x  .  .  .  .  .  .
referral.redirect      x  x  x  .  .  .  .  .
referral.accept        .  .  x  .  .  .  .  .
referral.assign        .  .  x  .  .  .  .  .
referral.close         .  .  x  .  .  .  .  .
appointment.record     .  .  x  .  .  .  .  .
treatment.record       .  .  x  .  .  .  .  .
treatment.correct      .  .  x  .  .  .  .  .
break_glass.use        x  x  x  x  x  .  .  .
continuity.view        .  .  .  .  .  x  .  .
continuity.settings    .  .  .  .  .  .  .  x
dual_diagnosis.view    x  .  x  x  .  .  .  .
dual_diagnosis.refer   x  .  x  .  .  .  .  .
dual_diagnosis.assess  x  .  x  x  .  .  .  .
dual_diagnosis.respond .  .  .  x  .  .  .  .
dual_diagnosis.plan    .  .  x  x  .  .  .  .
cstr.view              .  x  x  x  .  .  .  .
cstr.supervise         .  x  .  .  .  .  .  .
cstr.treat             .  .  x  x  .  .  .  .
rough_sleeping.view    x  x  x  .  x  x  .  .
rough_sleeping.open    x  x  x  .  .  .  .  .
rough_sleeping.refer   x  x  x  .  x  .  .  .
rough_sleeping.record  .  .  x  .  x  .  .  .
rough_sleeping.worklist .  .  x  .  x  .  .  .
audit.read             .  .  .  .  .  .  x  .
audit.export           .  .  .  .  .  .  x  .
audit.review           .  .  .  .  .  .  x  .
subject_access.export  .  .  .  .  .  .  x  .
reference.view         x  x  x  x  x  x  x  x
organisation.view      .  .  .  .  .  .  .  x
organisation.manage    .  .  .  .  .  .  .  x
user.view              .  .  .  .  .  .  .  x
user.manage            .  .  .  .  .  .  .  x
"""


def _grid() -> dict[str, frozenset[str]]:
    header, *rows = (line.split() for line in GRID.strip().splitlines())
    columns = [ROLES[code] for code in header[1:]]
    return {
        row[0]: frozenset(role for role, mark in zip(columns, row[1:], strict=True) if mark == "x")
        for row in rows
    }


def test_the_permission_table_matches_the_grid():
    expected = _grid()
    assert sorted(PERMISSIONS) == sorted(expected)
    wrong = {
        activity: sorted(PERMISSIONS[activity] ^ roles)
        for activity, roles in expected.items()
        if PERMISSIONS[activity] != roles
    }
    assert wrong == {}
