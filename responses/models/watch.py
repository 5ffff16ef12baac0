"""The tenant's post-crisis watch period (one row; without it the default in responses.watch.settings applies)."""

from django.db import models


class WatchSettings(models.Model):
    watch_days = models.PositiveIntegerField(help_text="Days a resolved case's scope is watched for; 0: no watch.")
    updated_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "watch settings"

    def __str__(self) -> str:
        return "watch settings"
