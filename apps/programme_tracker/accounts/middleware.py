"""Keeps a session that has not given its second factor on the second-factor pages."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from programme_tracker.accounts import second_factor

# What a session may open before its second factor: those pages themselves, logging out or in again, the language.
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:second-factor-verify", "accounts:second-factor-enrol", "admin:login", "admin:logout", "set_language",
}


class SecondFactorMiddleware:
    """After the password, a person with an authenticator app is asked for a code, and a person whose role must have
    one (second_factor_roles) is sent to set it up; until then no other page opens. Others pass."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Redirect a session that still owes its second factor (checked on every request, so that a role given or
        an app removed during a session counts at once)."""
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if second_factor.has_second_factor(user):
            page = "accounts:second-factor-verify"
        elif second_factor.is_required(user):
            page = "accounts:second-factor-enrol"
        else:
            return None
        url = f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # htmx would put the page inside the one on screen; it reloads the whole window to this address instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
