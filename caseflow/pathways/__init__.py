"""The three specialist pathways beside the release referral (DOMAIN.md, Pathways).

Each is its own package, with its own models, lifecycle (a transition table on
``caseflow.lifecycle``), services, forms and views, and none imports another. Each plugs into the
shared parts by registering with them when it is loaded: the scope rule (the partner
organisation's relationship to the person), the person page (``caseflow.timeline``), subject
access (``caseflow.personal_data``), the worklist tabs (``caseflow.worklist_tabs``) and the
continuity measure's breakdown (``caseflow.continuity.pathway_membership``).
"""

# The packages, in the order their blueprints, worklists and demo stories are loaded.
PATHWAYS = ("dual_diagnosis", "rough_sleeping", "cstr")
