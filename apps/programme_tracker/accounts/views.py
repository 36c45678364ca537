"""Pages of the log-in: the lockout page, and setting up, giving and managing the second factor."""

from axes.helpers import get_client_username
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from unfold.widgets import UnfoldAdminTextInputWidget

from programme_tracker.accounts import second_factor

RECOVERY_CODES_SESSION_KEY = "second_factor_recovery_codes"


def locked_out(request, original_response=None, credentials=None):
    """The log-in page again, saying that the user name or the address is locked out and for how long (HTTP 429;
    settings.AXES_LOCKOUT_CALLABLE)."""
    username = get_client_username(request, credentials) or ""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = ngettext(
        "Too many failed log-ins for this user name or from this address: logging in is locked for %(minutes)s "
        "minute after the last attempt. Try again later, or ask an Administrator to clear the lockout.",
        "Too many failed log-ins for this user name or from this address: logging in is locked for %(minutes)s "
        "minutes after the last attempt. Try again later, or ask an Administrator to clear the lockout.", minutes,
    ) % {"minutes": minutes}
    context = {
        **admin.site.each_context(request),
        "title": _("Log in"),
        "app_path": request.get_full_path(),
        "form": AdminAuthenticationForm(request, initial={"username": username}),
        "locked_out_message": message,
    }
    return render(request, "accounts/locked_out.html", context, status=429)


class CodeForm(forms.Form):
    """One code: from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=32, strip=True,
        widget=UnfoldAdminTextInputWidget(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                                 "autocapitalize": "none", "spellcheck": "false"}),
    )


def _next_url(request) -> str:
    """Where to go after the second factor: the page the person asked for, when it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    """The address of one of these pages, passing on where to go afterwards."""
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _plain_page(request, template, **context):
    """A page on the log-in layout (no sidebar): the person has not finished logging in."""
    return render(request, template, {**admin.site.each_context(request), "next": _next_url(request), **context})


@require_http_methods(["GET", "POST"])
def verify_view(request):
    """Ask a person who has a second factor for a code before the desk opens."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not second_factor.has_second_factor(request.user):
        return redirect(_with_next("accounts:second-factor-enrol", _next_url(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.verify(request, form.cleaned_data["code"])
        except second_factor.CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            return redirect(_next_url(request))
    return _plain_page(request, "accounts/verify.html", form=form, title=_("Second factor"))


@require_http_methods(["GET", "POST"])
def enrol_view(request):
    """Set up an authenticator app: its QR code and key, then a code from it; then the recovery codes."""
    if second_factor.has_second_factor(request.user):
        # Someone who has an app replaces it only after an Administrator removes it (a lost phone), never on the
        # strength of a password alone.
        return redirect(reverse("accounts:second-factor") if request.user.is_verified()
                        else _with_next("accounts:second-factor-verify", _next_url(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.confirm_enrolment(request, form.cleaned_data["code"])
        except second_factor.CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            return redirect(_with_next("accounts:recovery-codes", _next_url(request)))
    enrolment = second_factor.start_enrolment(request.user)
    return _plain_page(request, "accounts/enrol.html", form=form, enrolment=enrolment,
                       required=second_factor.is_required(request.user), title=_("Set up a second factor"))


def _desk_page(request, template, **context):
    """A page of the desk (sidebar, header), for a person who has finished logging in."""
    return render(request, template, {**admin.site.each_context(request), **context})


@require_http_methods(["GET"])
def recovery_codes_view(request):
    """Show new recovery codes once (they are taken out of the session as they are shown)."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return _desk_page(request, "accounts/recovery_codes.html", codes=codes, next=_next_url(request),
                      title=_("Recovery codes"))


@require_http_methods(["GET", "POST"])
def second_factor_view(request):
    """The person's second factor: set up or not, codes left, and new recovery codes."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "new-recovery-codes":
        if not second_factor.has_second_factor(user):
            messages.error(request, _("Set up an authenticator app first."))
            return redirect("accounts:second-factor")
        request.session[RECOVERY_CODES_SESSION_KEY] = second_factor.new_recovery_codes(user)
        return redirect(_with_next("accounts:recovery-codes", reverse("accounts:second-factor")))
    if request.method == "POST":
        messages.error(request, _("Unknown action."))
        return redirect("accounts:second-factor")
    return _desk_page(request, "accounts/second_factor.html", title=_("Second factor"),
                      device=second_factor.app_device(user), codes_left=second_factor.recovery_codes_left(user),
                      required=second_factor.is_required(user))
