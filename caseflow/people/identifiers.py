"""Checks for the identifiers a person may carry."""

import re

# ASCII only: other scripts' digits look like numbers but would make a second record.
PRISON_NUMBER = re.compile(r"^[A-Z][0-9]{4}[A-Z]{2}$", re.ASCII)
CRN = re.compile(r"^[A-Z][0-9]{6}$", re.ASCII)
PNC_NUMBER = re.compile(r"^[0-9]{2}([0-9]{2})?/[0-9]{1,7}[A-Z]$", re.ASCII)
TEN_DIGITS = re.compile(r"^[0-9]{10}$", re.ASCII)


def compact(value: str) -> str:
    return "".join(value.split()).upper()


def nhs_number_is_valid(value: str) -> bool:
    """Ten digits whose last is the modulus 11 check digit; a computed 10 is never valid."""
    digits = compact(value)
    return bool(TEN_DIGITS.match(digits)) and nhs_check_digit(digits[:9]) == int(digits[9])


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when there is none (the computed 10)."""
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, weights, strict=True))
    check = 11 - total % 11
    return None if check == 10 else (0 if check == 11 else check)


def format_nhs_number(value: str) -> str:
    digits = compact(value)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else value
