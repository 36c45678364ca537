"""Big spreadsheets for the import tests: programmes enough for them, and their budget lines as Dutch Excel saves
a CSV file."""

from programme_tracker.portfolio.models import Organisation, Programme

ROWS_PER_PROGRAMME = 200  # fiscal years 2000–2099, original and revised


def many_programmes(count: int) -> list[str]:
    """`count` programmes (codes BIG-0000, BIG-0001, …), created in one query; returns their codes.

    Ended, without an end date, so that no continuity rule finds anything in them: re-evaluating them after an import
    is quick.
    """
    ministry = Organisation.objects.get(short_name="JenV")
    codes = [f"BIG-{n:04d}" for n in range(count)]
    Programme.objects.bulk_create([Programme(code=code, name=f"Programme {code}", area="prevention",
                                             status="ended", lead_ministry=ministry) for code in codes])
    return codes


def budget_csv(rows: int, codes: list[str]) -> bytes:
    """`rows` budget lines over the programmes `codes` (ROWS_PER_PROGRAMME each), in Dutch notation."""
    lines = ["programme;fiscal year;kind;amount;revised on"]
    for n in range(rows):
        code, rest = codes[n // ROWS_PER_PROGRAMME], n % ROWS_PER_PROGRAMME
        kind = ("original", "revised")[rest % 2]
        lines.append(f"{code};{2000 + rest // 2};{kind};{n % 997 + 1}.{n % 1000:03d},50;"
                     f"{'01-02-2026' if kind == 'revised' else ''}")
    return ("\n".join(lines) + "\n").encode()
