"""Forms of the completion pages."""

from __future__ import annotations

from django import forms

from cohortkit.completion.models import CompletionRule


class RuleForm(forms.Form):
    min_meetings = forms.IntegerField(label="Meetings to attend", min_value=0, max_value=100)
    excused_counts = forms.BooleanField(
        required=False, label="An excused absence counts as attended (term-wide)"
    )
    min_assignments = forms.IntegerField(
        label="Written assignments marked complete", min_value=0, max_value=100
    )
    min_quizzes = forms.IntegerField(label="Quizzes passed", min_value=0, max_value=100)
    quiz_pass_percent = forms.IntegerField(
        label="Pass mark of a quiz (%)",
        min_value=1,
        max_value=100,
        help_text="Unless the quiz has a pass mark of its own.",
    )
    feedback_required = forms.BooleanField(
        required=False, label="The end-of-course feedback form must be submitted"
    )
    facilitator_certificates = forms.BooleanField(
        required=False, label="Facilitators who led a section get a certificate (term-wide)"
    )

    @classmethod
    def initial_for(cls, rule: CompletionRule) -> dict[str, object]:
        return {name: getattr(rule, name) for name in cls.base_fields}


class OverrideForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            ("completes", "Completes"),
            ("does_not", "Does not complete"),
            ("rule", "As the rule says"),
        ]
    )
    reason = forms.CharField(required=False, max_length=500)

    def completes(self) -> bool | None:
        return {"completes": True, "does_not": False}.get(self.cleaned_data["outcome"])


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500)


class PassMarkForm(forms.Form):
    pass_percent = forms.IntegerField(required=False, min_value=1, max_value=100)
