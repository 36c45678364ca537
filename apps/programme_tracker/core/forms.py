"""Form building blocks shared by every module: model forms that show every error the model raises."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.utils.text import format_lazy


class ShowsModelErrors:
    """A model form mixin: an error the model raises about a field this form does not show (an admin inline that
    lists only the main facts, say) becomes an error of the whole form or row, naming the field.

    Django refuses such an error with a ValueError (a server error that loses what was typed); the person needs
    to read it instead, to open the record's own page or fill in what the rule asks for.
    """

    def add_error(self, field, error):
        """Add the error, moving the parts about fields not on this form to the form's own errors."""
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            error = ValidationError(self._on_shown_fields(error.error_dict))
        elif field is None and isinstance(error, dict):
            error = ValidationError(self._on_shown_fields(ValidationError(error).error_dict))
        super().add_error(field, error)

    def _on_shown_fields(self, errors: dict) -> dict:
        shown: dict[str, list] = {}
        for name, messages in errors.items():
            if name == NON_FIELD_ERRORS or name in self.fields:
                shown.setdefault(name, []).extend(messages)
                continue
            label = self._label(name)
            shown.setdefault(NON_FIELD_ERRORS, []).extend(
                ValidationError(format_lazy("{}: {}", label, text), code=getattr(message, "code", None))
                for message in messages for text in message
            )
        return shown

    def _label(self, name: str):
        try:
            return self._meta.model._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            return name


class ModelForm(ShowsModelErrors, forms.ModelForm):
    """The project's model form: every model error lands on a field the form shows, or on the form itself."""


def can_be_key(field, value) -> bool:
    """Whether `value` can be a value of the key `field` (a database would not refuse to look it up)."""
    try:
        key = field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    return not isinstance(key, int) or -(2**63) <= key < 2**63  # what the databases' integer keys hold


def _key_field(field: forms.ModelChoiceField):
    model = field.queryset.model
    return model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk


class KeyCheckedModelChoiceField(forms.ModelChoiceField):
    """A related field that refuses `abc`, `²` or a 30-digit number as an invalid choice (Django's own looks such a
    value up, and SQLite cannot take a number that large: a server error)."""

    def to_python(self, value):
        """The chosen record, or an invalid-choice error for a value that cannot be a key."""
        if value not in self.empty_values and not can_be_key(_key_field(self), value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class KeyCheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The several-records variant of KeyCheckedModelChoiceField."""

    def _check_values(self, value):
        key = _key_field(self)
        for item in value:
            if not can_be_key(key, item):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": item})
        return super()._check_values(value)
