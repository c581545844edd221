"""The forms and rubric parts of running a term again (see cohortkit.programs.copying)."""

from __future__ import annotations

from cohortkit.admissions.models import ApplicationForm
from cohortkit.programs.copying import CopyContext, CopyPart, clone, term_copy_part_register


def _copy_forms(context: CopyContext) -> int:
    count = 0
    for form in ApplicationForm.objects.filter(term=context.source).prefetch_related("questions"):
        new_form = clone(
            form,
            term=context.target,
            confirmation_deadline=context.shift_instant(
                form.confirmation_deadline, context.source.deadline_time_zone
            ),
        )
        context.copied[("admissions.applicationform", form.pk)] = new_form
        for question in form.questions.all():
            clone(question, form=new_form)
        count += 1
    return count


def _copy_rubric(context: CopyContext) -> int:
    count = 0
    for form in ApplicationForm.objects.filter(term=context.source).prefetch_related("rubric"):
        new_form = context.copied[("admissions.applicationform", form.pk)]
        for category in form.rubric.all():
            clone(category, form=new_form)
            count += 1
    return count


def _invite_the_waitlist(context: CopyContext) -> int:
    from cohortkit.admissions.services.carrying_over import carry_over_invite

    return carry_over_invite(from_term=context.source, to_term=context.target, actor=context.actor)


def register_admissions_parts() -> None:
    term_copy_part_register(
        CopyPart(key="forms", label="Application forms", copier=_copy_forms, order=40)
    )
    term_copy_part_register(
        CopyPart(
            key="rubric",
            label="Review rubric",
            copier=_copy_rubric,
            order=45,
            needs=("forms",),
        )
    )
    term_copy_part_register(
        CopyPart(
            key="waitlist",
            label="Invite the waitlist to the new term (they choose)",
            copier=_invite_the_waitlist,
            order=90,
        )
    )
