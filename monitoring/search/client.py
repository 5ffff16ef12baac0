from functools import cache

from django.conf import settings
from elasticsearch import Elasticsearch


@cache
def es_client() -> Elasticsearch:
    return Elasticsearch(
        settings.ELASTICSEARCH_URL,
        request_timeout=settings.ELASTICSEARCH_TIMEOUT,
        retry_on_timeout=False,
        max_retries=0,
    )
