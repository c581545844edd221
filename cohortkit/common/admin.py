from django.contrib import admin

from cohortkit.common.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["occurred_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
