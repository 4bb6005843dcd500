"""Tests of the whole portal: the API across apps, the command line, the deployment checks."""
