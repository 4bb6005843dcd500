"""The certificate signing key: production refuses to run without one (issue 13, item 6)."""

import os
import stat

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from gorod.medrecord import documents


def _ids(*, deploy: bool) -> set[str]:
    return {message.id for message in checks.run_checks(include_deployment_checks=deploy)}


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    settings.GOROD_HEALTH_SIGNING_KEY = ""
    settings.GOROD_HEALTH_SIGNING_PASSWORD = ""
    documents._signer_for.cache_clear()
    yield settings
    documents._signer_for.cache_clear()


def test_production_without_a_signing_key_does_not_start(production):
    assert "gorod.E001" in _ids(deploy=False)
    # `gorod serve` and `gorod check` run the same checks and stop on an Error.
    with pytest.raises(SystemCheckError, match="GOROD_HEALTH_SIGNING_KEY"):
        call_command("check")


def test_production_without_a_key_never_signs_with_the_demo_key(production):
    with pytest.raises(ImproperlyConfigured):
        documents.signer()


def test_a_missing_key_file_is_an_error(production, tmp_path):
    production.GOROD_HEALTH_SIGNING_KEY = str(tmp_path / "absent.p12")
    assert "gorod.E002" in _ids(deploy=False)


def test_check_deploy_warns_about_the_demo_key_outside_production(settings):
    settings.GOROD_HEALTH_SIGNING_KEY = ""
    assert "gorod.E001" not in _ids(deploy=False)
    assert "gorod.W001" in _ids(deploy=True)


def test_check_deploy_warns_about_an_unprotected_key(settings, tmp_path):
    key = tmp_path / "clinic.p12"
    key.write_bytes(b"not read by the check")
    key.chmod(0o644)
    settings.GOROD_HEALTH_SIGNING_KEY = str(key)
    settings.GOROD_HEALTH_SIGNING_PASSWORD = ""
    found = _ids(deploy=True)
    assert {"gorod.W002", "gorod.W003"} <= found
    assert "gorod.W001" not in found

    key.chmod(0o600)
    settings.GOROD_HEALTH_SIGNING_PASSWORD = "secret"
    assert not {"gorod.E002", "gorod.W001", "gorod.W002", "gorod.W003"} & _ids(deploy=True)


def test_the_demo_key_is_readable_by_its_owner_only(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    previous = os.umask(0o022)
    try:
        documents._demo_pkcs12()
    finally:
        os.umask(previous)
    mode = (tmp_path / documents.DEMO_KEY_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
