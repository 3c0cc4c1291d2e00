"""Where the current action comes from (an IP address, 'cli', 'system'), for the audit log.

Set by the request middleware and the CLI; services never see HTTP, they read this."""

from contextvars import ContextVar

current_source: ContextVar[str] = ContextVar("shian_source", default="system")
