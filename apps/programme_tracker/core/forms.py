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
