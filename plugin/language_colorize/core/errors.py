"""The plugin's one kind of failure: a sentence the artist can act on.

Everything that can go wrong (no document, an empty layer, the backend unreachable or saying "No car
found", a broken answer, the document closed meanwhile) becomes a PluginError on its way up, and the
controller shows its message in one place. `kind` lets tests and the docker tell them apart.
"""

from typing import Optional

# kinds
USER = "user"  # the artist can fix it in the document (select a layer, type something)
NETWORK = "network"  # nothing answered (refused, unknown host, ...)
TIMEOUT = "timeout"
CANCELLED = "cancelled"
BUSY = "busy"  # the backend is working for someone else (HTTP 503)
NO_MATCH = "no_match"
NOT_UNDERSTOOD = "not_understood"
BAD_REQUEST = "error"
SERVER = "server"
PROTOCOL = "protocol"  # an answer this plugin cannot read


class PluginError(Exception):
    """A failure with a sentence meant for the artist."""

    def __init__(self, message: str, kind: str = USER, http_status: Optional[int] = None) -> None:
        Exception.__init__(self, message)
        self.message = message
        self.kind = kind
        self.http_status = http_status
