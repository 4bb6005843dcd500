"""Which channel a request came through, for usage events."""

# Our mobile app and the street kiosks identify themselves with this header; it is not a
# security boundary (a wrong value only files a use under another channel).
CLIENT_HEADER = "X-Gorod-Client"


def channel_of(request) -> str:
    client = request.headers.get(CLIENT_HEADER, "").strip().lower()
    if client in {"mobile", "kiosk"}:
        return client
    return "api" if request.path.startswith("/api/") else "web"
