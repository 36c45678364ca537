"""Business actions on accounts and roles."""

import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import unquote

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programme_tracker.accounts.models import ApiToken, DeskVisit, SavedView
from programme_tracker.accounts.roles import ROLES, permission_codenames

# Pages seen less than this apart belong to one visit: what was new stays marked while the person works through it.
ONE_VISIT = timedelta(minutes=30)


@transaction.atomic
def sync_roles() -> dict[str, int]:
    """Create or update one group per role with exactly the permissions roles.py gives it."""
    wanted = {role: permission_codenames(role) for role in ROLES}
    # Every permission of the apps the roles name, read once with its content type: set-up runs this on every
    # start, and a query per permission (its content type read lazily) made it the slowest part.
    app_labels = {app_label for pairs in wanted.values() for app_label, _codename in pairs}
    known = {(permission.content_type.app_label, permission.codename): permission
             for permission in Permission.objects.filter(content_type__app_label__in=app_labels)
             .select_related("content_type")}
    counts = {}
    for role, pairs in wanted.items():
        missing = pairs - known.keys()
        if missing:
            raise LookupError(f"role {role!r} names unknown permissions: {sorted(missing)} (run migrate first)")
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([known[pair] for pair in pairs])
        counts[role] = len(pairs)
    return counts


@transaction.atomic
def create_account(username: str, role: str, *, email: str = "", password: str | None = None,
                   first_name: str = "", last_name: str = "", superuser: bool = False):
    """Create a staff account in a role; with no password given, a random one is set and returned.

    The user name, e-mail and a given password pass the same checks as in the desk (the site's password
    validators included); otherwise ValidationError names each field and nothing is saved.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    User = get_user_model()
    user = User(username=User.normalize_username(username), email=User.objects.normalize_email(email),
                first_name=first_name, last_name=last_name, is_staff=True, is_superuser=superuser)
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    password = password or secrets.token_urlsafe(12)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user, password


def validation_messages(error: ValidationError) -> list[str]:
    """A refused account's problems, one line per problem, each starting with the field it is about."""
    if hasattr(error, "error_dict"):
        return [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
    return list(error.messages)


@transaction.atomic
def record_visit(user, now: datetime | None = None) -> datetime | None:
    """Note that the person looks at the desk now; returns the end of their previous visit (None on a first
    visit), the moment since which things count as new."""
    now = now or timezone.now()
    visit, created = DeskVisit.objects.select_for_update().get_or_create(user=user, defaults={"at": now})
    if created:
        return None
    if now - visit.at > ONE_VISIT:
        visit.previous_at = visit.at
    visit.at = now
    visit.save(update_fields=["at", "previous_at"])
    return visit.previous_at


MOST_SAVED_VIEWS = 30
DESK_PREFIX = "/desk/"


def is_desk_address(path: str) -> bool:
    """Whether `path` is an address of this site's desk, as a browser will resolve it: not another site (//host,
    https://…, a backslash), not outside /desk/ once its dots and escapes are worked out, no control characters."""
    if len(path) > SavedView._meta.get_field("path").max_length or any(ord(c) < 32 or c == "\\" for c in path):
        return False
    address = unquote(path.split("?", 1)[0].split("#", 1)[0])  # as the browser reads it: %2e%2e is ..
    if any(ord(c) < 32 or c == "\\" for c in address) or "//" in address:
        return False
    return address.startswith(DESK_PREFIX) and not any(segment in (".", "..") for segment in address.split("/"))


@transaction.atomic
def save_view(user, name: str, path: str) -> SavedView:
    """Save a desk page with its filters under a name (replacing the person's view of that name); refuses an
    empty or long name, an address outside the desk, and more than MOST_SAVED_VIEWS views."""
    name, path = " ".join(name.split()), path.strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the view a name.")
    elif len(name) > SavedView._meta.get_field("name").max_length:
        errors["name"] = _("A name of at most 80 characters.")
    elif any(unicodedata.category(character) in ("Cc", "Cf") for character in name):
        errors["name"] = _("A name of letters, digits, spaces and punctuation only.")
    if not is_desk_address(path):
        errors["path"] = _("Only a page of the desk can be saved.")
    if errors:
        raise ValidationError(errors)
    existing = SavedView.objects.select_for_update().filter(user=user)
    if not existing.filter(name=name).exists() and existing.count() >= MOST_SAVED_VIEWS:
        raise ValidationError({"name": _("You have %(count)s saved views; delete one first.") % {
            "count": MOST_SAVED_VIEWS}})
    view, _created = SavedView.objects.update_or_create(user=user, name=name, defaults={"path": path})
    return view


def delete_view(user, pk: int) -> bool:
    """Delete one of the person's saved views; False when they have none with that id."""
    deleted, _details = SavedView.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


TOKEN_PREFIX = "pt_"  # marks a Programme Tracker token in a log or a secret scanner
LONGEST_TOKEN_DAYS = 365
MOST_TOKENS = 20


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256 (a token is 256 random bits, so a plain hash suffices)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@transaction.atomic
def create_token(user, name: str, scope: str, days: int, now: datetime | None = None) -> tuple[ApiToken, str]:
    """Make a personal API token; returns the record and the token itself, which is shown once and not kept."""
    name = " ".join(name.split())
    errors = {}
    if not name or len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = _("Give the token a name of at most 80 characters.")
    if scope not in ApiToken.Scope.values:
        errors["scope"] = _("Choose read only or read and write.")
    if not isinstance(days, int) or not 1 <= days <= LONGEST_TOKEN_DAYS:
        errors["days"] = _("A token is valid for 1 to %(days)s days.") % {"days": LONGEST_TOKEN_DAYS}
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True,
                                                       expires_at__gt=now or timezone.now())
    if live.count() >= MOST_TOKENS:
        errors["name"] = _("You have %(count)s tokens in use; revoke one first.") % {"count": MOST_TOKENS}
    if errors:
        raise ValidationError(errors)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name, scope=scope, prefix=token[:10], digest=token_digest(token),
                                     expires_at=(now or timezone.now()) + timedelta(days=days))
    return record, token


def revoke_token(user, pk: int) -> bool:
    """Revoke one of the person's tokens at once; False when they have no such token in use."""
    return bool(ApiToken.objects.filter(user=user, pk=pk, revoked_at__isnull=True).update(revoked_at=timezone.now()))


def token_user(token: str, now: datetime | None = None) -> ApiToken | None:
    """The token in use that this is (with its user), or None: unknown, expired, revoked, or its owner inactive.
    Notes when it was last used (at most once a minute, so reads do not each write)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    now = now or timezone.now()
    record = ApiToken.objects.select_related("user").filter(
        digest=token_digest(token), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True).first()
    if record and (record.last_used_at is None or now - record.last_used_at > timedelta(minutes=1)):
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record
