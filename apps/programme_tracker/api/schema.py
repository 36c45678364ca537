"""How the OpenAPI schema describes the API's authentication: a personal token as an HTTP bearer token."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer pt_…` (api/authentication.py), in the schema and in Swagger UI's Authorize dialog."""

    target_class = "programme_tracker.api.authentication.BearerTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal token made in the desk (user menu → API tokens): pt_…"}
