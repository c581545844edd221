"""The staff part of running a term again: the chosen roles (see cohortkit.programs.copying).

It lives here, not in accounts, because accounts sits below programs and cannot register.
"""

from __future__ import annotations

from cohortkit.accounts.models import Membership, Role
from cohortkit.programs.copying import CopyContext, CopyPart, term_copy_part_register

STAFF_ROLES = (Role.ORGANIZER, Role.REVIEWER, Role.FACILITATOR)


def _copy_staff(context: CopyContext) -> int:
    roles = [role for role in STAFF_ROLES if role in context.staff_roles]
    # The person copying stays an organizer of what they made, whatever they ticked.
    members = {
        (membership.user_id, membership.role)
        for membership in Membership.objects.filter(term=context.source, role__in=roles)
    }
    if context.actor is not None and getattr(context.actor, "pk", None):
        members.add((context.actor.pk, Role.ORGANIZER))
    Membership.objects.bulk_create(
        [Membership(term=context.target, user_id=user, role=role) for user, role in members],
        ignore_conflicts=True,
    )
    return len(members)


def _keep_only_the_copier(context: CopyContext) -> None:
    _copy_staff(
        CopyContext(
            source=context.source,
            target=context.target,
            shift=context.shift,
            actor=context.actor,
            staff_roles=frozenset(),
        )
    )


def register_staff_part() -> None:
    term_copy_part_register(
        CopyPart(
            key="staff",
            label="Staff roles",
            copier=_copy_staff,
            order=50,
            when_left_out=_keep_only_the_copier,
        )
    )
