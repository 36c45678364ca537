"""Filters on the log: a refused request is one line, not a traceback."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Keep Django's "Forbidden (Permission denied)" line but drop its traceback: a 403 is the permission check
    doing its work, and a page of stack per refused request hides the errors that matter in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record; strip the traceback from a 403."""
        if getattr(record, "status_code", None) == 403:
            record.exc_info, record.exc_text = None, None
        return True
