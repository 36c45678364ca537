"""Optimistic concurrency over HTTP, as the desk's stale-save check: a record's ETag is its edit version, and a
write must send it back in If-Match. A missing If-Match is refused (428), a stale one too (412), and so is a save
that another one overtook between the check and the write."""

from rest_framework import status
from rest_framework.exceptions import APIException

from programme_tracker.api.permissions import refuse_cascade
from programme_tracker.core.models import ConcurrentEditError


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "Send the record's ETag in an If-Match header: GET it first."
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it (its ETag differs). GET it again and redo your change."
    default_code = "precondition_failed"


def etag(version: int) -> str:
    """A record's entity tag: its edit version, quoted as HTTP wants."""
    return f'"{version}"'


class VersionedMixin:
    """For viewsets of VersionedModel records: GET gives the ETag; PUT, PATCH and DELETE need a matching If-Match
    (and a DELETE deletes nothing the person may not delete)."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])  # the record just read, not read again
        return response

    def check_if_match(self, record) -> None:
        """Refuse the write unless If-Match names the record's current version."""
        sent = self.request.headers.get("If-Match")
        if not sent:
            raise PreconditionRequired()
        tags = {tag.strip().removeprefix("W/") for tag in sent.split(",")}
        if etag(record.version) not in tags and "*" not in tags:
            raise PreconditionFailed()

    def perform_update(self, serializer):
        self.check_if_match(serializer.instance)
        try:
            serializer.save()
        except ConcurrentEditError as exc:
            raise PreconditionFailed() from exc

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])  # the version just saved
        return response

    def perform_destroy(self, instance):
        self.check_if_match(instance)
        refuse_cascade(self.request.user, instance)
        instance.delete()
