"""System checks of what an operator must configure before a city runs the portal.

`gorod serve`, `gorod worker` and `gorod check` run them; an Error stops the command.
"""

import os
import stat
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

SIGNING_KEY_HINT = (
    "Set GOROD_HEALTH_SIGNING_KEY to the clinic's PKCS#12 file (readable only by the "
    "portal's user) and GOROD_HEALTH_SIGNING_PASSWORD to its password; see docs/deploy.md."
)


@register(Tags.security)
def signing_key_configured(app_configs, **kwargs):
    """Production signs medical certificates with the city's key, never a demo key.

    Without a configured key, the demo signer would generate an unprotected key in the data
    directory, and every certificate would be signed by something any node's user can copy.
    """
    key_path = settings.GOROD_HEALTH_SIGNING_KEY
    if not key_path:
        if settings.PRODUCTION:
            return [
                Error(
                    "GOROD_HEALTH_SIGNING_KEY is not set in production.",
                    hint=SIGNING_KEY_HINT,
                    id="gorod.E001",
                )
            ]
        return []
    path = Path(key_path)
    if not path.is_file() or not os.access(path, os.R_OK):
        return [
            Error(
                f"GOROD_HEALTH_SIGNING_KEY names {key_path}, which is not a readable file.",
                hint=SIGNING_KEY_HINT,
                id="gorod.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def signing_key_protected(app_configs, **kwargs):
    """`check --deploy`: the key is configured, locked by a password and not readable by others."""
    key_path = settings.GOROD_HEALTH_SIGNING_KEY
    if not key_path:
        return [
            Warning(
                "Certificates are signed with a self-signed demo key "
                "(GOROD_HEALTH_SIGNING_KEY is not set).",
                hint=SIGNING_KEY_HINT,
                id="gorod.W001",
            )
        ]
    warnings = []
    if not settings.GOROD_HEALTH_SIGNING_PASSWORD:
        warnings.append(
            Warning(
                "The signing key has no password (GOROD_HEALTH_SIGNING_PASSWORD is empty).",
                hint=SIGNING_KEY_HINT,
                id="gorod.W002",
            )
        )
    try:
        mode = Path(key_path).stat().st_mode
    except OSError:
        return warnings  # signing_key_configured reports a missing file as an error
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(
            Warning(
                f"The signing key {key_path} is accessible to other users "
                f"(mode {stat.filemode(mode)}).",
                hint="chmod 600 the file; only the portal's user needs to read it.",
                id="gorod.W003",
            )
        )
    return warnings
