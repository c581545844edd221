from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from cohortkit.common.errors import ServiceError
from cohortkit.notifications.models import OutboundEmail
from cohortkit.notifications.selectors import EmailStatus, outbound_emails
from cohortkit.notifications.services import email_retry


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(status.value, str(status.label)) for status in EmailStatus]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin[OutboundEmail]):
    list_display = ["subject", "to", "status", "attempts", "last_error", "created_at", "sent_at"]
    list_filter = [StatusFilter]
    search_fields = ["to", "subject"]
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]
    actions = ["send_again"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboundEmail]:
        return outbound_emails()

    @admin.display(description="status", ordering="status")
    def status(self, email: OutboundEmail) -> str:
        return str(EmailStatus(email.status).label)  # type: ignore[attr-defined]

    @admin.action(description="Send the selected failed emails again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        retried = 0
        for email in queryset:
            try:
                email_retry(email_id=email.pk, actor=request.user)
            except ServiceError as refusal:
                self.message_user(request, f"{email}: {refusal.message}", messages.WARNING)
            else:
                retried += 1
        self.message_user(request, f"{retried} email(s) queued again.")
