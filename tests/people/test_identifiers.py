import pytest

from caseflow.people.identifiers import format_nhs_number, nhs_check_digit, nhs_number_is_valid


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "9990000018"])
def test_valid_nhs_numbers(number):
    assert nhs_number_is_valid(number)


@pytest.mark.parametrize(
    "number", ["9434765918", "943476591", "94347659190", "94347659I9", "", "0000000001"]
)
def test_invalid_nhs_numbers(number):
    assert not nhs_number_is_valid(number)


def test_a_computed_check_digit_of_ten_is_never_valid():
    prefix = next(f"999{n:06d}" for n in range(10**6) if nhs_check_digit(f"999{n:06d}") is None)
    for last in "0123456789":
        assert not nhs_number_is_valid(prefix + last)


def test_a_computed_eleven_becomes_zero():
    prefix = next(f"999{n:06d}" for n in range(10**6) if nhs_check_digit(f"999{n:06d}") == 0)
    assert nhs_number_is_valid(prefix + "0")


def test_nhs_numbers_display_in_three_groups():
    assert format_nhs_number("9434765919") == "943 476 5919"
