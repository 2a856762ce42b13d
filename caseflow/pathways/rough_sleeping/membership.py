"""The rough sleeping pathway as a breakdown of the continuity measure: a release is on it when
a rough sleeping case was opened for that release (live or closed)."""

from sqlalchemy import exists
from sqlalchemy.orm import aliased

from caseflow.continuity.pathway_membership import pathway
from caseflow.pathways.rough_sleeping.models import RoughSleepingCase


def on_release(episode_id_column, _person_id_column):
    case = aliased(RoughSleepingCase)
    return exists().where(case.episode_id == episode_id_column)


pathway("rough_sleeping", "Rough sleeping", on_release)
