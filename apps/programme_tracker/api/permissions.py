"""Who may do what through the API: the roles' model permissions, as in the desk, and a read-only token reads;
how often a token may ask."""

from django.contrib.admin.utils import NestedObjects
from django.db import router
from django.utils.translation import gettext as _
from rest_framework import permissions, throttling
from rest_framework.exceptions import PermissionDenied

from programme_tracker.accounts.models import ApiToken
from programme_tracker.finance.services import may_import


def _may_write(request) -> bool:
    """Staff, and not through a read-only token."""
    if not (request.user and request.user.is_authenticated and request.user.is_staff):
        return False
    return not (isinstance(request.auth, ApiToken) and request.auth.scope != ApiToken.Scope.WRITE
                and request.method not in permissions.SAFE_METHODS)


class RolePermissions(permissions.DjangoModelPermissions):
    """Staff with the model's permission: view to read, add to create, change to update, delete to delete. A token
    of read-only scope may only read, whatever its owner may do."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        return _may_write(request) and super().has_permission(request, view)


class ActionPermission(permissions.BasePermission):
    """An action on a record (acknowledge an alert, a POST) needs the change permission on its model."""

    def has_permission(self, request, view):
        model = view.queryset.model  # (not get_queryset(): it may filter by the person, who may be anonymous)
        return _may_write(request) and request.user.has_perm(
            f"{model._meta.app_label}.change_{model._meta.model_name}")


class ImportPermission(permissions.BasePermission):
    """A bulk write needs what the spreadsheet import of that kind needs: add and change on its model."""

    def has_permission(self, request, view):
        return _may_write(request) and may_import(request.user, view.bulk_kind)


class PerTokenThrottle(throttling.UserRateThrottle):
    """The site's api_requests_per_minute per token, so that one busy client does not use up its owner's other
    tokens; per person for a desk session."""

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        return super().get_cache_key(request, view)


def refuse_cascade(user, record) -> None:
    """Refuse (403) to delete a record when the records deleted with it include a kind the person may not delete,
    as the desk does: a coordinator may delete a programme, but not through it its funding periods and payments."""
    collector = NestedObjects(using=router.db_for_write(type(record)))
    collector.collect([record])
    missing = sorted({str(model._meta.verbose_name_plural) for model in collector.model_objs
                      if not model._meta.auto_created and not hasattr(model, "instance_type")  # (history rows)
                      and not user.has_perm(f"{model._meta.app_label}.delete_{model._meta.model_name}")})
    if missing:
        raise PermissionDenied(_("Deleting it would also delete %(kinds)s, which you may not delete.") % {
            "kinds": ", ".join(missing)})


class CheckedDelete:
    """A viewset's DELETE that deletes nothing the person may not delete (refuse_cascade)."""

    def perform_destroy(self, instance):
        refuse_cascade(self.request.user, instance)
        instance.delete()
