from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader

from cohortkit.accounts.models import NAME_MAX_LENGTH, Role, User
from cohortkit.common.forms import TimeZoneField
from cohortkit.common.text import PersonTextValidator
from cohortkit.common.timezones import date_in_range
from cohortkit.notifications.services import email_queue


def _name_field() -> forms.CharField:
    return forms.CharField(
        max_length=NAME_MAX_LENGTH,
        validators=[PersonTextValidator(max_length=NAME_MAX_LENGTH, single_line=True)],
    )


class SignupForm(forms.Form):
    name = _name_field()
    email = forms.EmailField()
    time_zone = TimeZoneField(help_text="Times everywhere are shown in this zone.")
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists. Log in?")
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            candidate = User(email=data.get("email", ""), name=data.get("name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}))


class ProfileForm(forms.Form):
    name = _name_field()
    time_zone = TimeZoneField(help_text="Times everywhere are shown in this zone.")


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the email goes through our queue (sent by a task after commit)."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_queue(
            to=to_email,
            subject=subject,
            body=body,
            idempotency_key=f"password-reset:{context['uid']}:{context['token']}",
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, help_text="A label to recognise it by, e.g. “reports”."
    )
    expires = forms.TypedChoiceField(
        label="Expires",
        choices=[("", "Never"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")],
        coerce=int,
        empty_value=None,
        required=False,
    )


class AuditFilterForm(forms.Form):
    """The audit page's filters; dates are days in the viewer's zone."""

    person = forms.CharField(required=False, max_length=200, label="Who (name or email)")
    action = forms.ChoiceField(required=False, label="What", choices=[("", "Everything")])
    since = forms.DateField(
        required=False,
        label="From",
        validators=[date_in_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        required=False,
        label="To (inclusive)",
        validators=[date_in_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action_field = self.fields["action"]
        assert isinstance(action_field, forms.ChoiceField)
        action_field.choices = [("", "Everything"), *[(action, action) for action in actions]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end is before the start.")
        return data
