"""The applications' HTTP API (/api/v1/applications): the citizen's door (citizen.py)."""
