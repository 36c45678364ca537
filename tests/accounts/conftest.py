"""Fixtures of the log-in tests: the site's default second-factor roles, codes computed from a secret, log-ins."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from programme_tracker.config import site_config
from tests.builders import PASSWORD

DEFAULT_SECOND_FACTOR_ROLES = next(s.default for s in site_config.SETTINGS if s.name == "second_factor_roles")


@pytest.fixture
def second_factor_roles(settings):
    """The site's default: Administrators and Finance officers must have a second factor (tests/conftest.py turns
    it off for the tests about other things)."""
    settings.SECOND_FACTOR_ROLES = list(DEFAULT_SECOND_FACTOR_ROLES)
    return settings.SECOND_FACTOR_ROLES


def code_from_secret(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for a key as the enrolment page writes it (base32, in groups of four),
    as django_otp computes it; `steps_ahead` 30-second steps later (a code is accepted once, one step either way)."""
    key = b32decode(secret.replace(" ", ""))
    return f"{totp(key, drift=steps_ahead):06d}"


def app_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or `steps_ahead` steps later)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, steps_ahead):06d}"


def next_unused_code(device: TOTPDevice) -> str:
    """A code the device has not accepted yet (each time step's code is accepted once)."""
    device.refresh_from_db()
    step_now = int((time.time() - device.t0) // device.step)
    return app_code(device, steps_ahead=max(0, device.last_t + 1 - step_now))


def enrol(user) -> TOTPDevice:
    """An enrolled authenticator app for the person, as if they had set it up."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def log_in_with_password(client, user, **extra):
    """Log in through the desk's log-in form (as a person does: the first step only); returns the response."""
    return client.post("/desk/login/?next=/desk/dashboard/", {"username": user.username, "password": PASSWORD},
                       **extra)
