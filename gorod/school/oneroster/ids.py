"""OneRoster sourcedIds: stable across exports, opaque to the reader.

A sourcedId is a UUID5 of the row's kind and key (table and primary key, or the pair of
keys a line item is made of) in a namespace of gorod's own. The namespace is
GOROD_ONEROSTER_NAMESPACE when set (a UUID: pin it, and the ids survive a change of
SECRET_KEY), otherwise derived from SECRET_KEY. Because the namespace is secret, nobody
can hash 1, 2, 3… to learn how many pupils a school has or which id is whose: the id
says nothing beyond "the same object as last time".

A year of a school's marks is hundreds of thousands of ids per export, so the UUID5 is
computed directly (RFC 4122 §4.3: SHA-1 of namespace and name, version and variant bits
set) rather than through uuid.UUID objects; a test holds it equal to uuid.uuid5.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_namespace_bytes: bytes | None = None


def namespace() -> uuid.UUID:
    pinned = getattr(settings, "GOROD_ONEROSTER_NAMESPACE", None)
    if pinned:
        return uuid.UUID(pinned)
    digest = hashlib.sha256(f"gorod-oneroster:{settings.SECRET_KEY}".encode()).hexdigest()
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:gorod:oneroster:{digest}")


@receiver(setting_changed)
def _forget_namespace(*, setting: str, **kwargs) -> None:
    global _namespace_bytes
    if setting in ("SECRET_KEY", "GOROD_ONEROSTER_NAMESPACE"):
        _namespace_bytes = None


def sourced_id(kind: str, *key: object) -> str:
    global _namespace_bytes
    if _namespace_bytes is None:
        _namespace_bytes = namespace().bytes
    name = ":".join([kind, *(str(part) for part in key)])
    digest = bytearray(
        hashlib.sha1(_namespace_bytes + name.encode(), usedforsecurity=False).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
