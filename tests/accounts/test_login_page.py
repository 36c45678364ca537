"""The log-in page greets first-time visitors too, offers the languages, and has no "Return to site" leading back
to itself."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_login_page_offers_the_languages_and_no_loop(client):
    page = client.get("/desk/login/").content.decode()
    assert "Log in to" in page and "Welcome back" not in page
    assert "Return to site" not in page
    assert 'name="language" value="nl"' in page and 'id="login-language"' in page


def test_choosing_dutch_on_the_login_page_shows_it_in_dutch(client):
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/desk/login/"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/desk/login/"
    assert "Inloggen bij" in page and '<html lang="nl"' in page


def test_the_delete_button_reads_as_one_sentence_in_dutch(client, login, programme):
    from programme_tracker.accounts import roles

    login(roles.COORDINATOR)
    client.post("/i18n/setlang/", {"language": "nl", "next": "/desk/"})
    page = client.get(f"/desk/portfolio/programme/{programme.pk}/change/").content.decode()
    assert "Programma verwijderen" in page and "Verwijderen programma" not in page
