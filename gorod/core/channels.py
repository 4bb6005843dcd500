"""The channels a citizen reaches the portal through, and which one a request came by.

Usage events count uses by channel, and a meter reading or a booking keeps the channel it
was sent through; every app names them alike.
"""

CHANNELS = ("web", "mobile", "api", "kiosk")
# Our mobile app and the street kiosks identify themselves with this header; it is not a
# security boundary (a wrong value only files a use under another channel).
CLIENT_HEADER = "X-Gorod-Client"


def channel_of(request) -> str:
    client = request.headers.get(CLIENT_HEADER, "").strip().lower()
    if client in {"mobile", "kiosk"}:
        return client
    return "api" if request.path.startswith("/api/") else "web"
