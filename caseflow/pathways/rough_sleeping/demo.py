"""Demo stories for this pathway: people at every stage of it, on the synthetic demo data."""


def load(users) -> None:
    """Tell this pathway's stories, given the demo accounts (caseflow/demo.py)."""
