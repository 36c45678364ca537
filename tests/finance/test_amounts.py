"""Amounts as finance officers write them: every accepted notation reads back exactly, and a value that could be
read two ways (or has more than two decimals) is refused rather than stored a thousand times too high."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programme_tracker.finance.spreadsheet import Notation, SpreadsheetError, detect_notation, parse_amount

COMMA_FILE, POINT_FILE = Notation(",", row=2, example="1.234,56"), Notation(".", row=2, example="1,234.56")


@pytest.mark.parametrize(("text", "amount"), [
    ("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("1234,56", "1234.56"), ("1234.56", "1234.56"),
    ("1.234.567,89", "1234567.89"), ("1,234,567.89", "1234567.89"), ("1 234,56", "1234.56"),
    ("1\u00a0234,56", "1234.56"), ("1'234.56", "1234.56"), ("€ 1.234,5", "1234.5"), ("12,5", "12.5"),
    ("0,50", "0.50"), ("1.234.567", "1234567"), ("1,234,567", "1234567"), ("1 234 567", "1234567"), ("2000", "2000"),
])
def test_amounts_in_every_accepted_notation_are_read(text, amount):
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize(("text", "reason"), [
    ("1.234,567", "has more than two decimals"), ("1,234.567", "has more than two decimals"),
    ("1.234.567,891", "has more than two decimals"), ("0,001", "has more than two decimals"),
    ("0.500", "has more than two decimals"), ("1234,567", "has more than two decimals"),
    ("1 234,567", "has more than two decimals"), ("1,2345", "has more than two decimals"),
    ("1.234.56", "is not an amount"), ("1,23,456.00", "is not an amount"), ("1.234,567.89", "is not an amount"),
    ("1 234.567,89", "is not an amount"), ("12 34", "is not an amount"), ("1..2", "is not an amount"),
    (",5", "is not an amount"), ("12abc", "is not an amount"),
])
def test_more_than_two_decimals_and_misplaced_separators_are_refused_with_the_value(text, reason):
    for notation in (Notation(), COMMA_FILE, POINT_FILE):
        with pytest.raises(ValueError, match=reason) as refused:
            parse_amount(text, notation)
        assert repr(text) in str(refused.value)


@pytest.mark.parametrize("text", ["12,345", "12.345", "1,000", "999.999"])
def test_a_lone_separator_before_three_digits_is_refused_when_nothing_settles_it(text):
    with pytest.raises(ValueError) as refused:
        parse_amount(text)
    whole, decimals = text[:-4], text[-3:]
    assert str(refused.value) == (
        f"{text!r} could be {whole}{decimals} (with {text[-4]!r} grouping thousands) or {whole}.{decimals} (three "
        f"decimals): no other amount in the file shows which separator is the decimal one; choose the decimal "
        f"separator on the import page (or --decimal-comma or --decimal-point on the command line)")


def test_a_lone_separator_before_three_digits_is_read_by_the_files_decimal_separator():
    assert parse_amount("12.345", COMMA_FILE) == parse_amount("12,345", POINT_FILE) == Decimal("12345")
    with pytest.raises(ValueError, match=r"'12,345' has more than two decimals \(the decimal separator is the "
                                         r"comma, as in row 2: '1.234,56'\)"):
        parse_amount("12,345", COMMA_FILE)
    with pytest.raises(ValueError, match="the decimal separator is the point, chosen for this import"):
        parse_amount("12.345", Notation(".", chosen=True))


@pytest.mark.parametrize(("text", "notation", "message"), [
    ("1,234.56", COMMA_FILE, "'1,234.56' is written with a decimal point, but the decimal separator is the comma "
                             "(as in row 2: '1.234,56')"),
    ("12,5", Notation(".", chosen=True), "'12,5' is written with a decimal comma, but the decimal separator is the "
                                         "point (chosen for this import)"),
    ("1.234.567", POINT_FILE, "'1.234.567' groups thousands with a point, but the decimal separator is the point"),
])
def test_an_amount_written_against_the_files_decimal_separator_is_refused(text, notation, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_amount(text, notation)


def test_excel_numbers_are_never_ambiguous():
    assert parse_amount(12.345) == Decimal("12.345")  # three decimals: the model refuses it, by row and column
    assert parse_amount(12345, COMMA_FILE) == parse_amount(12345.0, POINT_FILE) == Decimal("12345")


def test_the_files_decimal_separator_is_the_one_its_unambiguous_amounts_show():
    assert detect_notation([(2, 12345.0), (3, "12.345"), (4, "1.234,56"), (5, "12,5")]) == Notation(
        ",", row=4, example="1.234,56")
    assert detect_notation([(2, "1,234,567")]).decimal_mark == "."  # a separator used twice groups thousands
    assert detect_notation([(2, "12.345"), (3, "2000"), (4, "1 234")]) == Notation()
    with pytest.raises(SpreadsheetError, match=r"the comma in 2 amounts \(the first in row 3: '12,5'\) and the point "
                                               r"in 1 amount \(the first in row 4: '1,234.56'\)"):
        detect_notation([(2, "12.345"), (3, "12,5"), (4, "1,234.56"), (5, "9,99")])


# -- properties -------------------------------------------------------------------------------------------------
STYLES = {"1234,56": ("", ","), "1.234,56": (".", ","), "1,234.56": (",", "."), "1234.56": ("", "."),
          "1 234,56": (" ", ",")}


def grouped(digits: str, separator: str) -> str:
    """1234567 as 1.234.567 (with this thousands separator)."""
    head = len(digits) % 3 or 3
    return separator.join([digits[:head], *(digits[i:i + 3] for i in range(head, len(digits), 3))])


def written(amount: Decimal, style: str) -> str:
    """An amount as a spreadsheet shows it in one of the accepted styles."""
    thousands, mark = STYLES[style]
    whole, _, decimals = f"{abs(amount):f}".partition(".")
    text = grouped(whole, thousands) if thousands else whole
    return ("-" if amount < 0 else "") + text + (mark + decimals if decimals else "")


# Any amount the money fields hold: at most twelve digits before the decimals (so at most 14 significant digits,
# which an Excel number, a double, holds exactly).
amounts = st.sampled_from([0, 1, 2]).flatmap(lambda places: st.integers(
    -(10 ** (12 + places)) + 1, 10 ** (12 + places) - 1).map(lambda units: Decimal(units).scaleb(-places)))


@given(amounts, st.sampled_from(sorted(STYLES)))
def test_any_amount_with_at_most_two_decimals_reads_back_equal_in_every_style(amount, style):
    text = written(amount, style)
    assert parse_amount(text, Notation(STYLES[style][1], chosen=True)) == amount
    try:
        assert parse_amount(text) == amount  # on its own: the same amount, or refused as ambiguous
    except ValueError as refused:
        assert "could be" in str(refused)
    assert parse_amount(float(amount)) == amount  # as an Excel number


@given(st.integers(1000, 10**15), st.sampled_from([(".", ","), (",", ".")]),
       st.text("0123456789", min_size=3, max_size=8))
def test_three_or_more_decimals_after_both_separators_are_always_refused(whole, separators, decimals):
    thousands, mark = separators
    text = grouped(str(whole), thousands) + mark + decimals
    for notation in (Notation(), Notation(",", chosen=True), Notation(".", chosen=True)):
        with pytest.raises(ValueError, match="more than two decimals"):
            parse_amount(text, notation)


@given(st.text("0123456789.,' -+€", max_size=20))
def test_no_text_is_read_as_two_different_amounts(text):
    """Whatever the file's decimal separator, a text is one amount or refused: never 1,000 times another."""
    read = set()
    for notation in (Notation(), Notation(",", chosen=True), Notation(".", chosen=True)):
        try:
            amount = parse_amount(text, notation)
        except ValueError:
            continue
        if amount is not None:
            read.add(amount)
    assert len(read) <= 1


@given(st.integers(10**12, 10**30), st.sampled_from(sorted(STYLES)))
def test_an_amount_larger_than_the_money_fields_hold_is_refused_in_every_style(units, style):
    for amount in (Decimal(units), -Decimal(units)):
        for value in (written(amount, style), float(amount)):
            with pytest.raises(ValueError, match="larger than an amount can be"):
                parse_amount(value, Notation(STYLES[style][1], chosen=True))


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_an_excel_number_that_is_not_a_number_is_refused(value):
    with pytest.raises(ValueError, match="is not an amount"):
        parse_amount(value)


def test_csv_export_quotes_text_with_a_semicolon_so_dutch_excel_finds_no_formula():
    """Excel set to Dutch splits CSV at semicolons: `x;=1+1` unquoted would be a formula in the next column."""
    from programme_tracker.finance.spreadsheet import write_csv

    text = write_csv(["note", "amount"], [["XSS;=6+6", Decimal("1.50")], ["=1+1", None], ['say "hi", then', 2]])
    assert text == '\ufeffnote,amount\r\n"XSS;=6+6",1.50\r\n\'=1+1,\r\n"say ""hi"", then",2\r\n'
