"""Personal API tokens on requests: `Authorization: Bearer pt_…`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from programme_tracker.accounts.models import ApiToken
from programme_tracker.accounts.services import token_user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """A personal token in the Authorization header acts as its owner; request.auth is the token's record (its
    scope decides whether the request may write)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not a token request: the session may still authenticate it
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after 'Bearer' and a space."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("This is not a token of this site.")) from exc
        record = token_user(token)
        if record is None or record.scope == ApiToken.Scope.CALENDAR:  # a feed's key opens only the feed
            raise exceptions.AuthenticationFailed(_("This token is unknown, expired or revoked."))
        return record.user, record

    def authenticate_header(self, request):
        return self.keyword
