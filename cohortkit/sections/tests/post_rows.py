"""POST rows of the sections pages added here (see cohortkit/tests/test_permissions_post.py); the
older ones (attendance, apologies, switching) are in cohortkit/scheduling/tests/post_rows.py."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.post_matrix import ORGANIZER_POSTS, Post, World


def _participant_left_a(world: World, response: Any) -> bool:
    from cohortkit.sections.models import SectionMembership

    return not SectionMembership.objects.filter(
        section=world.sections["a"], user=world.people["participant"], to_week__isnull=True
    ).exists()


def _a_has_no_facilitator(world: World, response: Any) -> bool:
    from cohortkit.sections.models import Section

    return Section.objects.get(pk=world.sections["a"].pk).facilitator_id is None


def _a_without_facilitator(world: World, client: Any) -> None:
    from cohortkit.sections.models import Section

    Section.objects.filter(pk=world.sections["a"].pk).update(facilitator=None)


def _a_led_by_facilitator(world: World, response: Any) -> bool:
    from cohortkit.sections.models import Section

    return Section.objects.get(pk=world.sections["a"].pk).facilitator_id == (
        world.people["facilitator"].pk
    )


POST_ROWS: dict[str, Post] = {
    # An organizer removes the participant from section A from week 2 on (they are emailed).
    "sections:member_remove": Post(
        args=lambda w: [w.term.slug, w.sections["a"].pk, w.people["participant"].pk],
        data={"from_week": "2", "reason": "Moved to the evening cohort"},
        answers=ORGANIZER_POSTS,
        done=_participant_left_a,
    ),
    # An organizer removes section A's facilitator (they and A's members are emailed).
    "sections:facilitator_remove": Post(
        args=lambda w: [w.term.slug, w.sections["a"].pk],
        data={"reason": "Moved away", "expected_emails": "2"},
        answers=ORGANIZER_POSTS,
        done=_a_has_no_facilitator,
    ),
    # An organizer gives section A, which has no facilitator, the term's free facilitator.
    "sections:facilitator_assign": Post(
        args=lambda w: [w.term.slug, w.sections["a"].pk],
        data=lambda w: {"facilitator": str(w.people["facilitator"].pk)},
        prepare=_a_without_facilitator,
        answers=ORGANIZER_POSTS,
        done=_a_led_by_facilitator,
    ),
}
