"""Code lists for people and custody episodes. Reporting uses these codes, never names."""

SEX = {
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "not_known": "Not known",
}

ETHNIC_GROUP = {
    "asian": "Asian or Asian British",
    "black": "Black, Black British, Caribbean or African",
    "mixed": "Mixed or multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
    "not_stated": "Not stated",
}

PERSON_FLAGS = {
    "interpreter_needed": "Needs an interpreter or communication support",
    "risk_to_staff": "Risk to staff",
    "safeguarding": "Safeguarding concern",
}

SUBSTANCE_GROUP = {
    "opiate": "Opiate",
    "non_opiate_only": "Non-opiate only",
    "non_opiate_and_alcohol": "Non-opiate and alcohol",
    "alcohol_only": "Alcohol only",
}

TREATMENT_NEED = {
    "in_treatment": "In treatment in custody",
    "assessed_need": "Assessed as needing community treatment",
    "no_need": "No treatment need identified",
}

OPIOID_SUBSTITUTION = {
    "none": "None",
    "methadone": "Methadone",
    "buprenorphine": "Buprenorphine",
    "lai_buprenorphine": "Long-acting injectable buprenorphine",
}

RELEASE_TYPE = {
    "licence": "Released on licence",
    "sentence_end": "End of sentence",
    "home_detention_curfew": "Home detention curfew",
    "court": "Released from court",
    "remand_ended": "Remand ended",
    "other_secure_setting": "Released to another secure setting",
    "deported": "Deported or removed",
    "outside_england": "Released outside England",
}

ACCOMMODATION = {
    "settled": "Settled accommodation",
    "temporary": "Temporary accommodation",
    "approved_premises": "Approved premises",
    "no_fixed_abode": "No fixed abode",
    "rough_sleeping": "Rough sleeping",
    "not_known": "Not known",
}

EXPECTED_RELEASE_UNKNOWN = {
    "remand": "On remand",
    "parole": "Awaiting parole decision",
    "recall": "Recalled, release date not set",
    "other": "Other",
}


def choices(codes: dict[str, str], blank: str | None = None) -> list[tuple[str, str]]:
    items = list(codes.items())
    return [("", blank), *items] if blank else items
