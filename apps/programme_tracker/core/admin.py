"""Admin building blocks shared by every module: base classes whose forms show every model error, the
concurrent-edit guard and the history-aware base class."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from unfold import admin as unfold

from programme_tracker.core.forms import (
    KeyCheckedModelChoiceField,
    KeyCheckedModelMultipleChoiceField,
    ModelForm,
    can_be_key,
)
from programme_tracker.core.models import AuditEvent, ConcurrentEditError, JobRun, concurrent_edit_message
from programme_tracker.core.templatetags.numbers import amount


class ListFilter(admin.SimpleListFilter):
    """A list filter that takes only its own choices: a hand-typed `?ministry=abc` lists everything, not a 500."""

    def value(self):
        value = super().value()
        return value if value in {str(key) for key, _label in self.lookup_choices} else None


class KeyCheckedAutocomplete(AutocompleteSelect):
    """The admin's autocomplete select, which ignores a posted value that cannot be a key when it shows a refused
    form again (Django looks it up as it is: `abc`, `²` or a 30-digit number in an id field is a server error)."""

    def optgroups(self, name, value, attr=None):
        """The options, for the values that can be keys of the related model."""
        remote = self.field.remote_field
        # A foreign key names the field it points at; a many-to-many field points at the primary key.
        target = remote.model._meta.get_field(remote.field_name) if hasattr(remote, "field_name") \
            else remote.model._meta.pk
        return super().optgroups(name, [v for v in value if can_be_key(target, v)], attr)


class KeyCheckedAutocompleteMultiple(KeyCheckedAutocomplete, AutocompleteSelectMultiple):
    """The same for a many-to-many field's autocomplete."""


class SafeFormsMixin:
    """Forms that show every model error (core.forms.ModelForm) and refuse any posted value of a related field
    that cannot be a key with a field error, before the database sees it."""

    form = ModelForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckedAutocomplete(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", KeyCheckedModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckedAutocompleteMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", KeyCheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


AMOUNT = gettext_lazy("amount")


def amount_column(field: str = "amount", description=AMOUNT):
    """A list column showing a money field as the reader's language writes amounts (1,800,000.00), where the admin
    would print 1800000.00; sorted by the field."""

    @admin.display(description=description, ordering=field)
    def column(_model_admin, record):  # a method of the admin class it is assigned to
        return amount(getattr(record, field))

    return column


class ModelAdmin(SafeFormsMixin, unfold.ModelAdmin):
    """Unfold's admin whose forms put every model error on a field they show or on the form itself."""

    def get_object(self, request, object_id, from_field=None):
        """The record, or None (the admin's "not found") for an id in the address that cannot be a key.

        An empty `?_to_field=` means the primary key (Django would look for a field named "").
        """
        from_field = from_field or None
        field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
        if not can_be_key(field, unquote(object_id)):
            return None
        return super().get_object(request, object_id, from_field)

    def get_changelist_instance(self, request):
        """The list; a filter value beyond what the database or the calendar holds (year 10^30, a 30-digit id,
        0001-01-01 moved into UTC) is treated like any other wrong filter: the plain list with a notice."""
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, DataError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def response_action(self, request, queryset):
        """Run the chosen action on the ticked records; a ticked id that cannot be a key (a forged form: "abc", 23
        digits) is refused with a notice, as a wrong filter is, before the action reads the database."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(can_be_key(self.model._meta.pk, value) for value in selected):
            messages.error(request, _("The records chosen are not of this list; nothing was done."))
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Turn what is refused only at the last moment, when saving (someone else's save in between, or a rule a
        tampered form reached past the form's checks), into a message; the whole save is undone."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ConcurrentEditError, ValidationError) as exc:
            messages.error(request, str(exc) if isinstance(exc, ConcurrentEditError) else "; ".join(exc.messages))
            return HttpResponseRedirect(request.get_full_path())


class TabularInline(SafeFormsMixin, unfold.TabularInline):
    """Unfold's tabular inline whose rows show every model error (on a field, or on the row)."""


class StackedInline(SafeFormsMixin, unfold.StackedInline):
    """Unfold's stacked inline whose rows show every model error (on a field, or on the row)."""


class VersionedForm(ModelForm):
    """Carries the version the editor loaded in a hidden field and refuses the save if it has moved on."""

    # Unchanged rows of an inline are not saved, so they need no check; the main form is always saved.
    check_unchanged = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" in self.fields:
            self.fields["version"].widget = forms.HiddenInput()

    def clean(self):
        """Compare the loaded version with the stored one before anything is saved."""
        cleaned = super().clean()
        loaded = cleaned.get("version")
        if self.instance.pk and loaded is not None and (self.check_unchanged or self.has_changed()):
            stored = (
                type(self.instance)._base_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True).first()
            )
            if stored != loaded:
                raise ValidationError(concurrent_edit_message(self.instance), code="concurrent_edit")
        return cleaned


class VersionedInlineForm(VersionedForm):
    """Inline row variant: only rows the editor changed are checked (and saved)."""

    check_unchanged = False

    def has_changed(self):
        """A row differing only in its loaded version was not edited here, so it is neither checked nor saved."""
        return bool(set(self.changed_data) - {"version"})


def _with_version(fieldsets):
    """Add the hidden version field to the first fieldset unless it is there already."""
    if any("version" in (options.get("fields") or ()) for _name, options in fieldsets):
        return fieldsets
    (name, options), *rest = fieldsets
    return [(name, {**options, "fields": (*options["fields"], "version")}), *rest]


class VersionedAdminMixin:
    """Admin side of the concurrent-edit guard, for models built on VersionedModel."""

    form = VersionedForm

    def get_fieldsets(self, request, obj=None):
        return _with_version(super().get_fieldsets(request, obj))


class VersionedInlineMixin:
    """Inline side of the concurrent-edit guard."""

    form = VersionedInlineForm

    def get_fieldsets(self, request, obj=None):
        return _with_version(super().get_fieldsets(request, obj))


class HistoryAdmin(SimpleHistoryAdmin, ModelAdmin):
    """The desk's base admin: Unfold's look, with the history (who, when, before and after) of every record."""

    history_list_display: list[str] = []
    list_per_page = 50

    def history_view(self, request, object_id, extra_context=None):
        """The record's history; an id that cannot be a key is not found (simple-history looks it up as it is)."""
        if not can_be_key(self.model._meta.pk, unquote(object_id)):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One past version, to read. Only reading: simple-history would save whatever is posted to this page with
        no more than the view permission (SIMPLE_HISTORY_REVERT_DISABLED only hides the button), and a revert
        would bypass the concurrent-edit check; edit the record instead."""
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        history_id = self.model.history.model._meta.get_field("history_id")
        if not (can_be_key(self.model._meta.pk, unquote(object_id)) and can_be_key(history_id, version_id)):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class VersionedHistoryAdmin(VersionedAdminMixin, HistoryAdmin):
    """History admin for records guarded against concurrent edits."""


class VersionedTabularInline(VersionedInlineMixin, TabularInline):
    """Tabular inline whose rows are guarded against concurrent edits."""


class VersionedStackedInline(VersionedInlineMixin, StackedInline):
    """Stacked inline whose rows are guarded against concurrent edits."""


class RecordAdmin(ModelAdmin):
    """Records the system keeps as things happened (job runs, the audit record, log-ins): read here, never added
    or changed; only what a subclass allows is deleted (retention deletes the rest)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(RecordAdmin):
    """Runs of the background jobs, failures with their error (read-only)."""

    list_display = ["job", "started_at", "finished_at", "outcome", "attempt", "runner"]
    list_filter = ["job", "outcome"]
    readonly_fields = ["job", "attempt", "started_at", "finished_at", "outcome", "result", "error", "runner"]


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdmin):
    """Log-ins, exports and imports: who, when, from where (read-only, for Administrators)."""

    list_display = ["at", "username", "kind", "detail", "address"]
    list_filter = ["kind"]
    search_fields = ["username", "detail"]
    readonly_fields = ["at", "user", "username", "kind", "detail", "address"]

    def has_delete_permission(self, request, obj=None):
        return False
