"""The worklists each role works from, whichever domain keeps them: the tabs shown above every
worklist, and the page each role lands on after signing in (its first tab).

Each domain registers its lists when its package is loaded, so a keyworker's release lists and
dual-diagnosis list sit in one row of tabs and this module imports none of them. Whatever order
the packages happen to be imported in, the tabs come in one order: the release referrals' lists,
then each pathway's in the order of ``PATHWAYS``, each domain's in the order it registered them.
"""

from dataclasses import dataclass

from flask import request, url_for

from caseflow.pathways import PATHWAYS

# The domains by their blueprint's name, in the order their tabs are shown.
DOMAIN_ORDER = ("referrals", *PATHWAYS)


@dataclass(frozen=True)
class Tab:
    endpoint: str
    values: tuple[tuple[str, str], ...]
    title: str
    roles: frozenset[str]

    @property
    def href(self) -> str:
        return url_for(self.endpoint, **dict(self.values))

    @property
    def current(self) -> bool:
        """Whether this is the page being shown."""
        shown = request.view_args or {}
        return request.endpoint == self.endpoint and all(
            str(shown.get(key)) == value for key, value in self.values
        )


_tabs: list[Tab] = []


def worklist(endpoint: str, title: str, roles, **values: str) -> None:
    """Register a worklist page (an endpoint with its route values) for the roles working it."""
    tab = Tab(endpoint, tuple(sorted(values.items())), title, frozenset(roles))
    if all((t.endpoint, t.values) != (tab.endpoint, tab.values) for t in _tabs):
        _tabs.append(tab)


def _domain_rank(tab: Tab) -> int:
    domain = tab.endpoint.split(".", 1)[0]
    return DOMAIN_ORDER.index(domain) if domain in DOMAIN_ORDER else len(DOMAIN_ORDER)


def tabs_for(user) -> list[Tab]:
    """The worklists of user's role, by domain then as registered: the first is home."""
    # sorted() keeps each domain's own order (it is stable).
    return sorted((tab for tab in _tabs if user.role in tab.roles), key=_domain_rank)
