"""Small helpers for driving Caseflow's pages in the browser tests."""

from caseflow.people.identifiers import nhs_check_digit


def synthetic_nhs_number(first_six: str) -> str:
    """The first valid NHS number in the 999 test range from 999 + first_six upwards."""
    start = int(first_six)
    for value in range(start, start + 100):
        first_nine = f"999{value:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)
    raise AssertionError("no valid NHS number found")


def main_menu(page, name):
    """A link in the service navigation."""
    return page.get_by_role("navigation", name="Main menu").get_by_role("link", name=name)


def fill_date(page, field: str, value) -> None:
    """The day, month and year boxes of a GOV.UK date input."""
    page.locator(f"#{field}-day").fill(str(value.day))
    page.locator(f"#{field}-month").fill(str(value.month))
    page.locator(f"#{field}-year").fill(str(value.year))


def choose(page, label: str, option: str) -> None:
    """Choose from a select by its label, whether it is a plain select or a long one that
    GOV.UK's accessible autocomplete has taken the place of (type, then pick the suggestion)."""
    field = page.get_by_label(label, exact=True)
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(label=option)
        return
    field.fill(option)
    listbox = page.locator(f"#{field.get_attribute('id')}__listbox")
    listbox.get_by_role("option", name=option, exact=True).click()
