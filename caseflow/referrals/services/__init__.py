"""The operations on referrals, one module for each part of a referral's life. Each takes the
acting user, checks scope and permission, changes the records, writes their history and audit,
and refuses with a domain error that the views turn into a page or a message.

- ``reading``: finding a referral within the actor's scope, the audited view of it, its clock.
- ``records``: what every change writes beside itself (history, audit) and the side check.
- ``starting``: where a new referral starts: the person, the release, the providers offered.
- ``handover``: creating a draft, editing it, sending it, and every change of its status.
- ``redirection``: the providers the redirect page offers, for the destination recorded or chosen.
- ``keyworkers``: the provider assigning one of its keyworkers to an accepted referral.
- ``page_actions``: which changes the referral page offers this viewer now, in their groups.
- ``appointments``: booking, moving and cancelling appointments, and recording attendance.
- ``treatment_start``: correcting a recorded treatment start, and the release rule it keeps.
- ``deletion``: deleting an unsent draft, and the 90-day purge of drafts never sent.

The status changes themselves are rows of the lifecycle's table (``referrals.transitions``),
applied by ``caseflow.lifecycle.apply``; nothing here changes a status another way.
"""
