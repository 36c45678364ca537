"""How the OpenAPI schema describes the API: a personal token as an HTTP bearer token, and what drf-spectacular
cannot see by itself (the error answers, the choices of ?ordering=, the range of ?page_size=)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer pt_…` (api/authentication.py), in the schema and in Swagger UI's Authorize dialog."""

    target_class = "programme_tracker.api.authentication.BearerTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal token made in the desk (user menu → API tokens): pt_…"}


ERROR = {"type": "object", "additionalProperties": True,
         "description": "What is wrong: `detail`, or the fields (and `non_field_errors`) each with their messages."}
ERRORS_OF_EVERY_OPERATION = {
    "400": "A parameter or field is wrong; the answer names it.",
    "401": "No token or session, or a token that is unknown, expired or revoked.",
    "403": "Your roles, or a read-only token, do not allow it.",
    "404": "No such record (or a page cursor this API did not give).",
    "429": "Too many requests: wait as Retry-After says.",
}
ERRORS_OF_BODIES = {"415": "Send the body as JSON (Content-Type: application/json)."}
ERRORS_OF_WRITES = {
    "409": "Other records depend on this one, or it cannot be changed that way now.",
    "412": "The record changed since your copy (If-Match is stale): read it again.",
    "428": "Send the record's ETag in If-Match.",
}


# A versioned record's write names the version it changes (api/concurrency.py).
IF_MATCH = {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"},
            "description": 'The ETag of the record as you read it (`"3"`): 428 without it, 412 when the record '
                           "changed since."}


def describe_errors_and_lists(result, generator, request, public):
    """drf-spectacular post-processing: document each operation's error answers, the If-Match of a versioned
    record's writes, ?ordering='s choices (api/filters.Ordering), ?page_size='s range, and that an empty filter is
    no filter."""
    from programme_tracker.api.concurrency import VersionedMixin
    from programme_tracker.api.filters import choices_of

    # The endpoints' paths say {pk} where the schema's say {id} (drf-spectacular's SCHEMA_COERCE_PATH_PK).
    views = {path.replace("{pk}", "{id}"): callback.cls for path, _regex, _method, callback in generator.endpoints}
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, operations in result.get("paths", {}).items():
        view = views.get(path)
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            errors = ERRORS_OF_EVERY_OPERATION | (ERRORS_OF_WRITES if method in ("put", "patch", "delete") else {}) \
                | (ERRORS_OF_BODIES if "requestBody" in operation else {})
            for code, text in errors.items():
                responses.setdefault(code, {"description": text, **reference})
            if method in ("put", "patch", "delete") and view is not None and issubclass(view, VersionedMixin):
                operation.setdefault("parameters", []).append(IF_MATCH)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                if parameter.get("schema", {}).get("type") == "boolean":
                    parameter["schema"].pop("enum", None)  # django-filter's choices are the strings "true", "false"
                if parameter["name"] == "ordering" and view is not None:
                    parameter["schema"] = {"type": "string", "enum": choices_of(view)}
                elif parameter["name"] == "page_size":
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 500}
                if parameter["name"] != "cursor":
                    parameter["allowEmptyValue"] = True  # ?status= (empty) is no filter, as in the desk's lists
    return result
