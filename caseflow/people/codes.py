"""Code lists for people and custody episodes. Reporting uses these codes, never names."""

from caseflow.codes import CodeList


class Sex(CodeList, key="sex"):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class EthnicGroup(CodeList, key="ethnic_group"):
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_STATED = "not_stated", "Not stated"


class PersonFlag(CodeList, key="person_flag"):
    """Each flag is a yes/no column of the person named by its code, shown as a tag in its own
    colour wherever the person is shown."""

    INTERPRETER_NEEDED = (
        "interpreter_needed",
        "Needs an interpreter or communication support",
        "govuk-tag--blue",
    )
    RISK_TO_STAFF = "risk_to_staff", "Risk to staff", "govuk-tag--red"
    SAFEGUARDING = "safeguarding", "Safeguarding concern", "govuk-tag--pink"


class SubstanceGroup(CodeList, key="substance_group"):
    """NDTMS substance groups."""

    OPIATE = "opiate", "Opiate"
    NON_OPIATE_ONLY = "non_opiate_only", "Non-opiate only"
    NON_OPIATE_AND_ALCOHOL = "non_opiate_and_alcohol", "Non-opiate and alcohol"
    ALCOHOL_ONLY = "alcohol_only", "Alcohol only"


class TreatmentNeed(CodeList, key="treatment_need"):
    IN_TREATMENT = "in_treatment", "In treatment in custody"
    ASSESSED_NEED = "assessed_need", "Assessed as needing community treatment"
    NO_NEED = "no_need", "No treatment need identified"


# A community treatment need: in treatment in custody, or assessed as needing it. These are the
# people the 21-day clock is kept for.
COMMUNITY_TREATMENT_NEEDS = (TreatmentNeed.IN_TREATMENT, TreatmentNeed.ASSESSED_NEED)


class OpioidSubstitution(CodeList, key="opioid_substitution"):
    """The medicine, in custody and on a referral's handover alike."""

    NONE = "none", "None"
    METHADONE = "methadone", "Methadone"
    BUPRENORPHINE = "buprenorphine", "Buprenorphine"
    LAI_BUPRENORPHINE = "lai_buprenorphine", "Long-acting injectable buprenorphine"


class ReleaseType(CodeList, key="release_type"):
    LICENCE = "licence", "Released on licence"
    SENTENCE_END = "sentence_end", "End of sentence"
    HOME_DETENTION_CURFEW = "home_detention_curfew", "Home detention curfew"
    COURT = "court", "Released from court"
    REMAND_ENDED = "remand_ended", "Remand ended"
    OTHER_SECURE_SETTING = "other_secure_setting", "Released to another secure setting"
    DEPORTED = "deported", "Deported or removed"
    OUTSIDE_ENGLAND = "outside_england", "Released outside England"


# Release types that leave community care in England: the person goes to another secure setting,
# is removed from the country or goes outside England, so no English community provider can start
# their treatment. The 21-day clock is not kept for them (referrals/clock.py reads this), and the
# continuity measure seeds its default exclusions from it (DOMAIN.md: "Excluded").
RELEASES_WITHOUT_COMMUNITY_CLOCK = (
    ReleaseType.OTHER_SECURE_SETTING,
    ReleaseType.DEPORTED,
    ReleaseType.OUTSIDE_ENGLAND,
)


class Accommodation(CodeList, key="accommodation"):
    """Where someone lives after release, in the categories probation reports use (DOMAIN.md,
    Pathways): the custody episode's expectation and the rough sleeping pathway's history."""

    SETTLED = "settled", "Settled accommodation"
    TEMPORARY = "temporary", "Transient or temporary accommodation"
    APPROVED_PREMISES = (
        "approved_premises",
        "Approved premises or community accommodation (CAS1, CAS2, CAS3)",
    )
    NO_FIXED_ABODE = "no_fixed_abode", "Homeless, not rough sleeping (no fixed abode)"
    ROUGH_SLEEPING = "rough_sleeping", "Rough sleeping"
    NOT_KNOWN = "not_known", "Not known"


class ExpectedReleaseUnknown(CodeList, key="expected_release_unknown"):
    REMAND = "remand", "On remand"
    PAROLE = "parole", "Awaiting parole decision"
    RECALL = "recall", "Recalled, release date not set"
    OTHER = "other", "Other"


class CustodyChangeKind(CodeList, key="custody_change"):
    """The changes to an episode kept in its history (``CustodyChange.kind``)."""

    RELEASE_RECORDED = "release_recorded", "Release recorded"
    RELEASE_CORRECTED = "release_corrected", "Release date corrected"
    EXPECTED_RELEASE_MOVED = "expected_release_moved", "Expected release date moved"
    TRANSFERRED = "transferred", "Transferred"
    TREATMENT_NEED_CORRECTED = "treatment_need_corrected", "Treatment need corrected"
    DESTINATION_CORRECTED = "destination_corrected", "Destination corrected"


class DeathSource(CodeList, key="death_source"):
    """Who told Caseflow of a person's death: it decides an exclusion from the measure."""

    CORONER = "coroner", "Coroner"
    GP = "gp", "GP"
    FAMILY = "family", "Family"
    PROVIDER = "provider", "Treatment provider"
    OTHER = "other", "Other"


class ContactKind(CodeList, key="contact_kind"):
    """The named contacts a person has (DOMAIN.md, Records), in the order pages list them."""

    PRISON_OFFENDER_MANAGER = "prison_offender_manager", "Prison offender manager"
    COMMUNITY_OFFENDER_MANAGER = "community_offender_manager", "Community offender manager"
    KEYWORKER = "keyworker", "Keyworker"
