"""Pure domain values: codes, months, units."""

import doctest

import pytest

import symbiose.domain
import symbiose.params
import symbiose.units
from symbiose.domain import format_months, normalize_ewc, parse_months
from symbiose.units import Unit, parse_decimal, to_base

pytestmark = pytest.mark.usefixtures("english")  # these tests read the messages' English text


@pytest.mark.parametrize("module", [symbiose.domain, symbiose.units, symbiose.params])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize(
    "text,expected",
    [("02 01 03", "020103"), ("020103", "020103"), ("17 06 05*", "170605"), ("02", "02"), ("02 07", "0207")],
)
def test_normalize_ewc(text, expected):
    assert normalize_ewc(text) == expected


@pytest.mark.parametrize("text", ["2 1 3", "0201031", "abc", "", "02 01 0"])
def test_normalize_ewc_rejects(text):
    with pytest.raises(ValueError, match="List of Waste"):
        normalize_ewc(text)


def test_months_wrap_over_new_year_and_round_trip():
    assert parse_months("11-3") == (1, 2, 3, 11, 12)
    assert parse_months("novembre-mars") == (1, 2, 3, 11, 12)
    assert parse_months("1-12") == ()  # all year
    assert parse_months("") == ()
    for text in ["6-9", "11-3", "1,3,5", "12"]:
        assert parse_months(format_months(parse_months(text))) == parse_months(text)
    with pytest.raises(ValueError, match="not a month"):
        parse_months("13")


def test_french_decimals_and_units():
    assert parse_decimal("1 234,5") == 1234.5
    assert parse_decimal("1\u202f234,5") == 1234.5
    assert parse_decimal("1.234,5") == 1234.5
    assert parse_decimal("1,234.5") == 1234.5
    assert to_base(parse_decimal("0,001"), Unit.T) == 1
    assert Unit.parse("tonnes") is Unit.T and Unit.parse("m³") is Unit.M3 and Unit.parse("MWh") is Unit.MWH
    with pytest.raises(ValueError, match="unknown unit"):
        Unit.parse("kg")
    with pytest.raises(ValueError, match="not a number"):
        parse_decimal("douze")
