"""Users and groups in the desk, with the theme's look; roles are shown beside each user."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from programme_tracker.accounts import lockouts, second_factor
from programme_tracker.accounts.models import FailedLogIn, Lockout, LogIn
from programme_tracker.core.admin import ModelAdmin, RecordAdmin

admin.site.unregister(User)
admin.site.unregister(Group)
# django-otp's own pages would show each person's secret key; the desk removes a second factor from the user instead.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    """Staff accounts. A role is given by adding the account to the role's group (and ticking staff status)."""

    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "first_name", "last_name", "email", "roles", "is_active", "is_staff",
                    "has_second_factor"]
    actions = ["remove_second_factor"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]

    def get_queryset(self, request):
        app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).prefetch_related("groups").annotate(second_factor=Exists(app))

    # Only a superuser makes superusers or hands out single permissions: an Administrator who could tick these on
    # its own account would hold every right there is. Roles (groups) are what Administrators give.
    superuser_only_fields = ("is_superuser", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [name for name in self.superuser_only_fields if name not in readonly]
        return readonly

    def has_change_permission(self, request, obj=None):
        # A superuser's account (its password, e-mail, active flag) is changed by superusers only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("roles"))
    def roles(self, user):
        return ", ".join(group.name for group in user.groups.all())

    @admin.display(description=_("second factor"), boolean=True, ordering="second_factor")
    def has_second_factor(self, user):
        return user.second_factor

    @admin.action(description=_("Remove the second factor (a lost phone): set up again at the next log-in"),
                  permissions=["change"])
    def remove_second_factor(self, request, queryset):
        """Remove the selected people's authenticator apps and recovery codes, each noted in their history."""
        done = 0
        for user in queryset:
            if not self.has_change_permission(request, user):
                continue  # a superuser's account, for an Administrator who is not one
            if second_factor.remove_second_factor(user):
                self.log_change(request, user, [{"changed": {"fields": ["second factor (removed)"]}}])
                done += 1
        self.message_user(request, ngettext(
            "Removed the second factor of %(count)d person.", "Removed the second factor of %(count)d people.", done,
        ) % {"count": done}, messages.SUCCESS)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    """Roles are groups with permissions set from roles.py by `sync_roles`: Administrators see them, superusers
    alone may edit them (an Administrator who could add permissions to its own role would hold every right)."""


class LockedOutFilter(admin.SimpleListFilter):
    """Whether the count's user name or address is locked out now."""

    title = _("locked out")
    parameter_name = "locked_out"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        limit = settings.AXES_FAILURE_LIMIT
        locked = Q(user_failures__gte=limit) | Q(address_failures__gte=limit)
        if self.value() == "yes":
            return queryset.filter(locked)
        if self.value() == "no":
            return queryset.exclude(locked)
        return queryset


class LogInRecordAdmin(RecordAdmin):
    """Records of log-ins are kept as they happened: nobody adds or edits them."""

    search_fields = ["username", "ip_address"]


@admin.register(Lockout)
class LockoutAdmin(LogInRecordAdmin):
    """Failed log-ins that still count, per user name and address; clearing one lets both log in again at once."""

    list_display = ["username", "ip_address", "failures_since_start", "user_failures", "address_failures",
                    "attempt_time", "status"]
    list_filter = [LockedOutFilter]
    fields = ["username", "ip_address", "user_agent", "path_info", "failures_since_start", "attempt_time"]
    actions = ["clear_lockouts"]

    def get_queryset(self, request):
        return lockouts.current_attempts(Lockout)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # clearing also clears the name's and the address's other counts
        return actions

    @admin.display(description=_("failures of this user name"), ordering="user_failures")
    def user_failures(self, attempt):
        return attempt.user_failures

    @admin.display(description=_("failures from this address"), ordering="address_failures")
    def address_failures(self, attempt):
        return attempt.address_failures

    @admin.display(description=_("status"))
    def status(self, attempt):
        return _("locked out") if lockouts.is_locked_out(attempt) else _("may log in")

    @admin.action(description=_("Clear the lockouts of the selected user names and addresses"),
                  permissions=["delete"])
    def clear_lockouts(self, request, queryset):
        """Forget the selected counts and the other counts of their user names and addresses."""
        lockouts.clear_lockouts(queryset)
        self.message_user(request, _("The lockouts are cleared: these user names and addresses may log in again."),
                          messages.SUCCESS)

    def delete_model(self, request, obj):
        lockouts.clear_lockouts([obj])

    def delete_queryset(self, request, queryset):
        lockouts.clear_lockouts(queryset)


@admin.register(FailedLogIn)
class FailedLogInAdmin(LogInRecordAdmin):
    """Every failed log-in: the user name tried, the address, when, and whether it was locked out."""

    list_display = ["attempt_time", "username", "ip_address", "locked_out", "user_agent"]
    list_filter = ["locked_out", "attempt_time"]
    fields = ["attempt_time", "username", "ip_address", "locked_out", "user_agent", "path_info"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LogIn)
class LogInAdmin(LogInRecordAdmin):
    """Every log-in with the password: who, from which address, when, and when they logged out."""

    list_display = ["attempt_time", "username", "ip_address", "logout_time", "user_agent"]
    list_filter = ["attempt_time"]
    fields = ["attempt_time", "username", "ip_address", "logout_time", "user_agent", "path_info"]

    def has_delete_permission(self, request, obj=None):
        return False
