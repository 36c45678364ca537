"""The user menu of the desk (settings.UNFOLD["ACCOUNT"]): the password, the second factor and API tokens."""

from django.urls import reverse
from django.utils.translation import gettext as _


def account_links(request) -> list[dict]:
    """Links in the user menu; Unfold's own "Change password" is replaced by this list, so it is here too."""
    if not request.user.is_authenticated:
        return []  # the log-in page is drawn with the same context
    links = []
    if request.user.has_usable_password():
        links.append({"title": _("Change password"), "link": reverse("admin:password_change")})
    links.append({"title": _("Second factor"), "link": reverse("accounts:second-factor")})
    links.append({"title": _("API tokens"), "link": reverse("desk:api-tokens")})  # by name: the desk is above
    return links
