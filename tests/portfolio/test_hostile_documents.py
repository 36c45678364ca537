"""Portfolio documents made to harm the site (issue 12, items 3 and 13): they cannot take over accounts, and every bad
document is refused with a message naming the place, never a traceback, within a bounded memory."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from programme_tracker.accounts import roles
from programme_tracker.accounts.services import create_account
from programme_tracker.portfolio.exchange import (
    PortfolioImportError,
    export_portfolio,
    import_portfolio,
    read_document,
)
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme
from tests import hostile_files
from tests.hostile_files import portfolio, run_limited

pytestmark = pytest.mark.django_db
User = get_user_model()


def refused(document) -> list[str]:
    with pytest.raises(PortfolioImportError) as caught:
        import_portfolio(document)
    return caught.value.errors


def read_refused(text: str | bytes) -> list[str]:
    with pytest.raises(PortfolioImportError) as caught:
        read_document(text.encode() if isinstance(text, str) else text)
    return caught.value.errors


def person(username, **fields) -> dict:
    return {"username": username, "first_name": "", "last_name": "", "email": f"{username}@example.nl",
            "active": True, "roles": [], **fields}


# -- accounts: an import cannot take them over -----------------------------------------------------------------
def test_an_import_never_creates_an_administrator_or_a_superuser(base):
    errors = refused(portfolio(people=[person("mallory", roles=[roles.ADMINISTRATOR]),
                                       person("eve", roles=["superuser"])]))
    assert errors == [
        "people mallory: roles: an import never gives the role 'Administrator': an administrator gives it in Users",
        "people eve: roles: unknown role 'superuser'; an import gives 'Task Force Coordinator', 'Finance Officer', "
        "'Monitor', 'Task Force Member'",
    ]
    assert not User.objects.exists()


def test_new_people_are_staff_without_a_password_in_the_roles_named(base):
    result = import_portfolio(portfolio(people=[person("k.smit", roles=[roles.FINANCE_OFFICER, roles.MONITOR]),
                                                person("l.berg")]))
    assert result["people"]["created"] == 2
    smit = User.objects.get(username="k.smit")
    assert (smit.is_staff, smit.is_superuser, smit.has_usable_password()) == (True, False, False)
    assert sorted(smit.groups.values_list("name", flat=True)) == [roles.FINANCE_OFFICER, roles.MONITOR]
    assert not User.objects.get(username="l.berg").groups.exists()


@pytest.fixture
def existing(base):
    """An account with a role, an administrator and the superuser."""
    account, _password = create_account("a.jansen", roles.COORDINATOR, email="a.jansen@vws.nl", first_name="Anna")
    admin, _password = create_account("beheer", roles.ADMINISTRATOR, email="beheer@vws.nl")
    root = User.objects.create_superuser("root", "root@vws.nl", "a-long-test-password-1")
    return account, admin, root


def account_state(username) -> tuple:
    account = User.objects.get(username=username)
    return (account.email, account.is_active, account.first_name,
            sorted(account.groups.values_list("name", flat=True)))


def test_an_import_leaves_existing_accounts_as_they_are_and_says_so(existing):
    before = {name: account_state(name) for name in ("a.jansen", "beheer", "root")}
    result = import_portfolio(portfolio(people=[
        person("a.jansen", email="mallory@evil.example", first_name="Anna", roles=[roles.MONITOR]),
        person("root", email="root@vws.nl", active=False),
        person("beheer", email="beheer@vws.nl"),
    ]))
    assert {name: account_state(name) for name in before} == before
    assert result.account_changes == []
    assert result.accounts_kept == [
        "people a.jansen: not changed (email 'a.jansen@vws.nl' → 'mallory@evil.example'; roles ['Task Force "
        "Coordinator'] → ['Monitor']); an import changes existing accounts only with --update-accounts",
        "people root: not changed (active True → False); an import changes existing accounts only with "
        "--update-accounts",
    ]  # the administrator's record equals the account (an import neither gives nor takes Administrator)
    assert result["people"] == {"created": 0, "updated": 0, "unchanged": 3}


def test_with_update_accounts_an_import_changes_accounts_and_lists_each_change(existing):
    manager = Group.objects.create(name="Newsletter")  # a group that is no role: an import leaves it alone
    existing[0].groups.add(manager)
    result = import_portfolio(portfolio(people=[person("a.jansen", email="anna.jansen@vws.nl", first_name="Anna",
                                                       active=False, roles=[roles.MONITOR])]),
                              update_accounts=True)
    assert result.account_changes == [
        "people a.jansen: email: 'a.jansen@vws.nl' → 'anna.jansen@vws.nl'",
        "people a.jansen: active: True → False",
        "people a.jansen: roles: ['Task Force Coordinator'] → ['Monitor']",
    ]
    assert account_state("a.jansen") == ("anna.jansen@vws.nl", False, "Anna", [roles.MONITOR, "Newsletter"])
    assert result["people"]["updated"] == 1


def test_a_dry_run_lists_the_account_changes_and_saves_nothing(existing):
    before = account_state("a.jansen")
    result = import_portfolio(portfolio(people=[person("a.jansen", email="anna.jansen@vws.nl", first_name="Anna",
                                                       roles=[roles.COORDINATOR])],
                                        organisations=[{"short_name": "NEW", "name": "New", "kind": "ngo",
                                                        "active": True}]),
                              update_accounts=True, dry_run=True)
    assert result.dry_run and result.account_changes == [
        "people a.jansen: email: 'a.jansen@vws.nl' → 'anna.jansen@vws.nl'"]
    assert result["organisations"]["created"] == 1
    assert account_state("a.jansen") == before and not Organisation.objects.filter(short_name="NEW").exists()


@pytest.mark.parametrize("username", ["root", "beheer"])
def test_an_import_never_changes_an_administrators_account(existing, username):
    before = account_state(username)
    with pytest.raises(PortfolioImportError) as caught:
        import_portfolio(portfolio(people=[person(username, active=False, email=f"{username}@vws.nl")]),
                         update_accounts=True)
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].startswith(f"people {username}: an import never changes an administrator's "
                                             f"account (")
    assert caught.value.errors[0].endswith("active True → False); change it in Users")
    assert account_state(username) == before


def test_a_new_name_that_differs_only_in_case_from_an_account_is_refused(existing):
    assert refused(portfolio(people=[person("Root")])) == [
        "people Root: username: differs only in case from the existing account 'root'"]


def test_the_export_lists_only_the_roles_an_import_gives(existing):
    account, admin, _root = existing
    admin.groups.add(Group.objects.get(name=roles.COORDINATOR))
    Programme.objects.create(code="P1", name="P1", area="prevention", status="planned", owner=admin)
    people = export_portfolio()["people"]
    assert people == [{"username": "beheer", "first_name": "", "last_name": "", "email": "beheer@vws.nl",
                       "active": True, "roles": [roles.COORDINATOR]}]


# -- documents: every problem by its place -------------------------------------------------------------------
def test_a_key_twice_in_one_object_is_refused_naming_the_object():
    assert read_refused('{"format": "programme-tracker-portfolio", "format_version": 1, "programmes": [], '
                        '"programmes": []}') == ["document: the section 'programmes' appears twice"]
    assert read_refused('{"programmes": [{"code": "COSA", "name": "COSA", "name": "Stop it Now!"}]}') == [
        "document: the record with code 'COSA' has the field 'name' twice"]
    assert read_refused('{"x": [{"recommendation": "PREV-3", "note": "a", "note": "b"}]}') == [
        "document: the record with recommendation 'PREV-3' has the field 'note' twice"]
    assert read_refused('{"x": [{"a": 1, "a": 2}]}') == ["document: an object has the field 'a' twice"]


@pytest.mark.parametrize(("value", "problem"), [
    ("NaN", "NaN is not a number JSON allows"), ("-Infinity", "-Infinity is not a number JSON allows"),
    ("1e400", "'1e400' is too large a number"), ("1" + "0" * 40, "a number of 41 digits"),
])
def test_numbers_json_does_not_allow_are_refused_by_place(value, problem):
    text = json.dumps(portfolio(recommendations=[{"code": "PREV-3", "number": 0}])).replace('"number": 0',
                                                                                          f'"number": {value}')
    assert read_refused(text) == [f"recommendations PREV-3: number: {problem}"]


def test_text_too_long_and_nesting_too_deep_are_refused_by_place():
    document = portfolio(programmes=[{"code": "P1", "description": "x" * 100_001},
                                     {"code": "P2", "recommendations": [{"note": [[[[[[[["deep"]]]]]]]]}]}])
    assert read_refused(json.dumps(document)) == [
        "programmes P1: description: a text of 100,001 characters (at most 100,000)",
        "programmes P2: recommendations: #1: note: #1: #1: #1: #1: #1: nested deeper than 10 levels"]
    assert read_refused("[" * 5000 + "]" * 5000) == ["document: line 1, column 11: nested deeper than 10 levels"]


def test_a_document_that_is_not_utf8_or_not_json_is_refused_by_line_and_column():
    assert read_refused('{\n  "organisations": [{"name": "caf\u00e9"}]}'.encode("cp1252")) == [
        "document: line 2, column 34: not UTF-8 (byte 0xE9); save the file as UTF-8"]
    assert read_refused('{\n  "organisations": [}') == [
        "document: line 2, column 21: not valid JSON: Expecting value"]
    assert read_document('\ufeff{"format": 1}'.encode()) == {"format": 1}  # a byte-order mark is fine


def test_a_document_larger_than_an_import_reads_is_refused(settings):
    settings.IMPORT_MAX_MEGABYTES = 1
    assert read_refused(b" " * (1024 * 1024 + 1)) == [
        "document: the file is 1.0 MB, larger than the 1 MB an import reads (the site setting import_max_megabytes)"]


@pytest.mark.parametrize(("record", "field", "problem"), [
    ({"short_name": "X", "name": {"nl": "X"}}, "name", "must be text"),
    ({"short_name": "X", "name": "X", "active": "yes"}, "active", "must be true or false, got 'yes'"),
    ({"short_name": "X", "name": "X", "kind": None}, "kind", "must be text"),
])
def test_fields_of_the_wrong_type_are_refused_by_name(base, record, field, problem):
    assert refused(portfolio(organisations=[record])) == [f"organisations X: {field}: {problem}"]


def test_dates_and_amounts_are_written_with_the_digits_0_to_9(base, ministry):
    Programme.objects.create(code="P1", name="P1", area="prevention", status="planned")
    period = {"code": "P1-1", "programme": "P1", "funder": "JenV", "instrument": "subsidy", "amount": "١٢٣",
              "currency": "EUR", "status": "committed", "start": "٢٠٢٦-٠١-٠١", "end": "2026-12-31",
              "decision_reference": "", "renewal_decision": "pending", "note": ""}
    assert refused(portfolio(funding_periods=[period])) == [
        "funding_periods P1-1: start: must be a date as text, such as \"2026-03-31\", or null; got '٢٠٢٦-٠١-٠١'"]
    assert refused(portfolio(funding_periods=[{**period, "start": "2026-01-01"}])) == [
        "funding_periods P1-1: amount: “١٢٣” value must be a decimal number."]
    assert not FundingPeriod.objects.exists()


# -- the command line ---------------------------------------------------------------------------------------------
def test_the_command_names_the_place_of_every_problem_and_never_shows_a_traceback(base, tmp_path):
    for name, content, message in [
        ("latin.json", '{"organisations": [{"name": "café"}]}'.encode("cp1252"), "line 1, column 33: not UTF-8"),
        ("deep.json", b"[" * 100_000, "nested deeper than 10 levels"),
        ("twice.json", b'{"format": 1, "format": 2}', "the section 'format' appears twice"),
    ]:
        (tmp_path / name).write_bytes(content)
        with pytest.raises(CommandError, match=message):
            call_command("import_portfolio", str(tmp_path / name))


def test_the_command_lists_account_changes_in_a_dry_run(existing, tmp_path, capsys):
    document = tmp_path / "people.json"
    document.write_text(json.dumps(portfolio(people=[person("a.jansen", email="anna@vws.nl", first_name="Anna",
                                                            roles=[roles.COORDINATOR])])))
    call_command("import_portfolio", str(document), "--dry-run", "--update-accounts")
    assert capsys.readouterr().out.splitlines() == [
        "people: 1 updated", "Account changes:", "  people a.jansen: email: 'a.jansen@vws.nl' → 'anna@vws.nl'",
        "Dry run: nothing was saved."]
    assert account_state("a.jansen")[0] == "a.jansen@vws.nl"
    call_command("import_portfolio", str(document))
    assert capsys.readouterr().out.splitlines() == [
        "people: 1 unchanged",
        "people a.jansen: not changed (email 'a.jansen@vws.nl' → 'anna@vws.nl'); an import changes existing accounts "
        "only with --update-accounts", "Import complete."]
    call_command("import_portfolio", str(document), "--update-accounts")
    assert account_state("a.jansen")[0] == "anna@vws.nl"


def test_the_command_refuses_a_document_too_large_before_reading_it(base, settings, tmp_path):
    settings.IMPORT_MAX_MEGABYTES = 1
    document = tmp_path / "big.json"
    document.write_bytes(b" " * (2 * 1024 * 1024))
    with pytest.raises(CommandError, match="the file is 2.0 MB, larger than the 1 MB an import reads"):
        call_command("import_portfolio", str(document))


# -- memory ---------------------------------------------------------------------------------------------------
@pytest.mark.sweep
@pytest.mark.parametrize("name", list(hostile_files.hostile_json()))
def test_every_hostile_document_is_refused_within_512_mb(tmp_path, name):
    build, expected = hostile_files.hostile_json()[name]
    path = tmp_path / "document.json"
    path.write_bytes(build())
    code, output, (resident, address_space) = run_limited("document", path, 512 * hostile_files.MEGABYTE)
    assert code == 0, output
    assert output.startswith("refused: ") and expected in output, output
    print(f"{name}: peak {resident // 1024} MB resident, {address_space // 1024} MB address space")
