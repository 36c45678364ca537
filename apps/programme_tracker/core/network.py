"""Where a request comes from, behind the site's trusted reverse proxies (for lockouts and the audit record)."""

import ipaddress

from django.conf import settings


def _address(text: str) -> str | None:
    """The text as an IP address, or None when it is not one (a proxy may write `unknown`). An IPv6 zone (`%eth0`)
    is left off: it names the server's own network interface, and the address column has no room for it."""
    try:
        return str(ipaddress.ip_address(text.strip().split("%")[0]))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The address a request comes from (django-axes counts failures per address; the audit record names it).

    Behind `reverse_proxies` proxies, every request reaches the web server from the nearest proxy, so the
    connection's address would lock everyone out at once. Each proxy appends the address it was reached from to
    X-Forwarded-For; the entries left of those the proxies wrote come from the client and can be forged, so the
    address is the one the outermost trusted proxy wrote.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.REVERSE_PROXIES
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and forwarded:
        return _address(forwarded[-min(proxies, len(forwarded))]) or _address(remote)
    return _address(remote)
