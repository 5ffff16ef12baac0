from api.audit.models import *  # noqa: F403  (models of the api app live in subpackages)
