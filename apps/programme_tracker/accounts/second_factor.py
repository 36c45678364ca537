"""The second factor (django-otp): who must have one, enrolling an authenticator app, recovery codes, verifying.

An authenticator app is a TOTP device; the recovery codes are one static device whose tokens are each accepted
once. A session counts as verified once django_otp.login() has recorded the device that accepted a code.
"""

import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from programme_tracker.accounts import roles

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def is_required(user) -> bool:
    """Whether the person must log in with a second factor: a member of one of `second_factor_roles` (a superuser
    counts as an Administrator, holding every right an Administrator has)."""
    required = set(settings.SECOND_FACTOR_ROLES)
    if not required or not user.is_authenticated:
        return False
    if user.is_superuser and roles.ADMINISTRATOR in required:
        return True
    return user.groups.filter(name__in=required).exists()


def app_device(user) -> TOTPDevice | None:
    """The person's enrolled (confirmed) authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    """Whether the person has an enrolled authenticator app (then every log-in asks for a code)."""
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    """How many unused recovery codes the person has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret as a QR code (SVG) and as text to type into an app."""

    device: TOTPDevice
    qr_svg: str
    secret: str


def start_enrolment(user) -> Enrolment:
    """The person's pending authenticator app (made once, so that reloading the page keeps the same secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    secret = b32encode(device.bin_key).decode()
    # Inline SVG: the secret never leaves the site (no image service), and no image request for CSP to allow.
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return Enrolment(device=device, qr_svg=qr_svg, secret=" ".join(re.findall(".{1,4}", secret)))


def _normalised(code: str) -> str:
    """The code as typed, without the spaces and hyphens people add (`123 456`, `abcd-efgh`), in lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def _new_recovery_device(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


class CodeRefused(Exception):
    """A second-factor code was not accepted; the message says why in the person's words."""


def _wait_message(device) -> str | None:
    """Why the device accepts no code now (too many wrong codes), or None."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    until = details.get("locked_until") if details else None
    if isinstance(until, datetime):
        return _("Too many wrong codes. Wait until %(time)s and try again.") % {
            "time": formats.time_format(timezone.localtime(until), "H:i:s")}
    return _("Too many wrong codes. Wait a moment and try again.")


def confirm_enrolment(request, code: str) -> list[str]:
    """Enrol the person's pending authenticator app with a code it shows, make their recovery codes, and count this
    session as verified; returns the recovery codes (shown once). Raises CodeRefused for a wrong code."""
    outcome = _confirm(request, _normalised(code))
    if isinstance(outcome, str):
        # Raised only after the transaction: the device's count of wrong codes must be kept.
        raise CodeRefused(outcome)
    return outcome


@transaction.atomic
def _confirm(request, token: str) -> list[str] | str:
    """The recovery codes of a confirmed enrolment, or why the code was refused."""
    user = request.user
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        return _("Start again: open the set-up page to show a new QR code.")
    wait = _wait_message(device)
    if wait:
        return wait
    if not token.isdigit() or not device.verify_token(token):
        return _("That is not the code the app shows now. Check that the phone's clock is right and try the next "
                 "code.")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_device(user)
    django_otp.login(request, device)
    return codes


def verify(request, code: str) -> None:
    """Count this session as verified with a code from the person's app or one of their recovery codes (used up);
    raises CodeRefused otherwise. Six digits go to the app, anything else to the recovery codes, so that a mistyped
    code of one kind does not hold up the other."""
    user, token = request.user, _normalised(code)
    if not token:
        raise CodeRefused(_("Enter the code."))
    model = TOTPDevice if token.isdigit() else StaticDevice
    devices = list(model.objects.filter(user=user, confirmed=True))
    for device in devices:
        wait = _wait_message(device)
        if wait:
            raise CodeRefused(wait)
        # django_otp.verify_token locks the device row, so a code is never accepted twice in parallel.
        verified = django_otp.verify_token(user, device.persistent_id, token)
        if verified is not None:
            django_otp.login(request, verified)
            return
    if model is StaticDevice:
        raise CodeRefused(_("That is not one of your unused recovery codes."))
    raise CodeRefused(_("That is not the code your app shows now. Try the next code."))


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with new ones (the old ones stop working); returns them (shown once)."""
    return _new_recovery_device(user)


@transaction.atomic
def remove_second_factor(user) -> int:
    """Remove the person's authenticator app and recovery codes (a lost phone): their sessions stop counting as
    verified, and at their next page they set up a new app if their role must have one. Returns devices removed."""
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    return removed
