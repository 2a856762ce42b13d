"""Security mechanisms shared by every part of Caseflow: one place for each rule."""
