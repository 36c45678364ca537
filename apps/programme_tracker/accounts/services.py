"""Business actions on accounts and roles."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from programme_tracker.accounts.roles import ROLES, permission_codenames


@transaction.atomic
def sync_roles() -> dict[str, int]:
    """Create or update one group per role with exactly the permissions roles.py gives it."""
    counts = {}
    for role in ROLES:
        wanted = permission_codenames(role)
        query = Q()
        for app_label, codename in wanted:
            query |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(query))
        missing = wanted - {(p.content_type.app_label, p.codename) for p in permissions}
        if missing:
            raise LookupError(f"role {role!r} names unknown permissions: {sorted(missing)} (run migrate first)")
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions)
        counts[role] = len(permissions)
    return counts


@transaction.atomic
def create_account(username: str, role: str, *, email: str = "", password: str | None = None,
                   first_name: str = "", last_name: str = "", superuser: bool = False):
    """Create a staff account in a role; with no password given, a random one is set and returned."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    password = password or secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(
        username=username, email=email, password=password, first_name=first_name, last_name=last_name,
        is_staff=True, is_superuser=superuser,
    )
    user.groups.add(Group.objects.get(name=role))
    return user, password
