"""The citizen's pages of the medical record (mounted at /health/record/)."""
