"""Private conversations: the contact form, guests' secret links, the inbox, notes, extensions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cohortkit.admissions.models import DeadlineExtension
from cohortkit.admissions.tests.factories import SubmittedApplicationFactory
from cohortkit.common.errors import InvalidInputError
from cohortkit.common.timezones import format_instant
from cohortkit.community import services
from cohortkit.community.models import Conversation, ConversationState
from cohortkit.community.tests.conftest import emails_to
from cohortkit.tests.factories import ApplicationFormFactory, UserFactory

pytestmark = pytest.mark.django_db


def _contact(client, term, **fields):
    data = {f"contact-{name}": value for name, value in fields.items()}
    return client.post(reverse("community:contact", args=[term.slug]), data)


def test_a_signed_in_person_writes_privately_and_follows_it_on_their_page(
    term, people, client_as, committed, outbox
):
    client = client_as("applicant")

    with committed():
        response = _contact(client, term, topic="accessibility", body="I use a screen reader.")

    conversation = Conversation.objects.get()
    assert response["Location"] == reverse(
        "community:conversation_detail", args=[term.slug, conversation.pk]
    )
    assert conversation.person == people["applicant"]
    assert conversation.state == ConversationState.NEW
    page = client.get(response["Location"]).content.decode()
    assert "I use a screen reader." in page
    assert len(emails_to(outbox, "applicant@example.org")) == 1


def test_someone_without_an_account_gets_a_secret_link_that_opens_the_conversation(
    term, client, committed, outbox
):
    with committed():
        _contact(
            client,
            term,
            topic="question",
            body="Can my university host a section?",
            name="Ada",
            email="Ada@Example.org",
        )

    conversation = Conversation.objects.get()
    assert conversation.person is None and conversation.email == "ada@example.org"
    (sent,) = emails_to(outbox, "ada@example.org")
    link = re.search(r"http\S+/conversations/(\S+)/", sent.body)
    assert link is not None
    path = reverse("community:conversation_by_link", args=[link.group(1)])

    page = client.get(path)
    assert "Can my university host a section?" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    client.post(path, {"body": "We are in Zurich."})
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.WAITING_FOR_US
    assert conversation.messages.count() == 2
    # A link with the right id and a wrong secret opens nothing.
    forged = reverse("community:conversation_by_link", args=[f"{conversation.pk}-{'0' * 64}"])
    assert client.get(forged).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field_message"),
    [
        ({"topic": "other", "body": "Hello", "email": "not-an-address"}, "email address"),
        ({"topic": "other", "body": "   ", "email": "a@example.org"}, "Write a message"),
        ({"topic": "gossip", "body": "Hello", "email": "a@example.org"}, "Select a valid choice"),
        (
            {"topic": "extension", "body": "More time?", "email": "a@example.org"},
            "Log in to ask for an extension",
        ),
    ],
)
def test_bad_contact_input_gets_a_message_and_changes_nothing(term, client, fields, field_message):
    response = _contact(client, term, **fields)

    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Conversation.objects.exists()


def test_an_extension_request_must_name_one_of_the_persons_own_applications(term, people):
    someone_elses = SubmittedApplicationFactory(
        form=ApplicationFormFactory(term=term), applicant=people["participant"]
    )

    with pytest.raises(InvalidInputError) as refused:
        services.conversation_start(
            term=term,
            topic="extension",
            body="I need two more days.",
            person=people["applicant"],
            application=someone_elses,
        )

    assert "application" in refused.value.field_errors
    assert not Conversation.objects.exists()


def test_sending_the_same_message_twice_is_one_conversation(term, people):
    first = services.conversation_start(
        term=term, topic="other", body="Hello there.", person=people["applicant"]
    )
    again = services.conversation_start(
        term=term, topic="other", body="Hello there.", person=people["applicant"]
    )

    assert first.pk == again.pk
    assert Conversation.objects.count() == 1


def test_replies_are_emailed_and_internal_notes_are_never_shown_to_the_person(
    term, people, client_as, committed, outbox
):
    conversation = services.conversation_start(
        term=term, topic="stipend", body="When is the stipend paid?", person=people["applicant"]
    )
    organizer = client_as("organizer")
    url = reverse("community:inbox_detail", args=[term.slug, conversation.pk])

    with committed():
        organizer.post(url, {"action": "note", "note-note": "Check with finance first."})
        organizer.post(url, {"action": "reply", "reply-body": "Within a month of the end."})
        organizer.post(url, {"action": "reply", "reply-body": "Within a month of the end."})

    conversation.refresh_from_db()
    assert conversation.state == ConversationState.WAITING_FOR_THEM
    assert conversation.assignee == people["organizer"]
    assert conversation.messages.filter(from_organizers=True, is_internal=False).count() == 1
    sent = emails_to(outbox, "applicant@example.org")
    assert len(sent) == 1  # one reply, however often it was clicked; no note
    assert "Within a month of the end." in sent[0].body
    assert all("finance" not in message.body for message in outbox)
    person_page = client_as("applicant").get(
        reverse("community:conversation_detail", args=[term.slug, conversation.pk])
    )
    assert "Within a month of the end." in person_page.content.decode()
    assert "finance" not in person_page.content.decode()
    assert "Check with finance first." in organizer.get(url).content.decode()


def test_state_and_assignee_are_set_among_the_terms_organizers_only(term, people, client_as):
    conversation = services.conversation_start(
        term=term, topic="other", body="Hello there.", person=people["applicant"]
    )
    url = reverse("community:inbox_detail", args=[term.slug, conversation.pk])
    organizer = client_as("organizer")

    refused = organizer.post(
        url,
        {
            "action": "update",
            "update-state": "closed",
            "update-assignee": str(people["reviewer"].pk),
        },
    )
    organizer.post(
        url,
        {
            "action": "update",
            "update-state": "closed",
            "update-assignee": str(people["organizer"].pk),
        },
    )

    assert refused.status_code == 400
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.CLOSED
    assert conversation.assignee == people["organizer"]
    with pytest.raises(InvalidInputError):
        services.conversation_update(
            conversation=conversation,
            actor=people["organizer"],
            state="closed",
            assignee=people["organizer_other_term"],
        )


def test_an_organizer_grants_the_extension_from_the_conversation_in_one_step(
    term, people, client_as, committed, outbox
):
    applicant = people["applicant"]
    applicant.time_zone = "Asia/Tokyo"
    applicant.save()
    form = ApplicationFormFactory(term=term)
    application = SubmittedApplicationFactory(form=form, applicant=applicant)
    conversation = services.conversation_start(
        term=term,
        topic="extension",
        body="I was ill; may I have until Friday?",
        person=applicant,
        application=application,
    )
    until_day = (timezone.now() + dt.timedelta(days=10)).date()

    with committed():
        response = client_as("organizer").post(
            reverse("community:inbox_detail", args=[term.slug, conversation.pk]),
            {
                "action": "grant",
                "grant-until_date": until_day.isoformat(),
                "grant-until_time": "23:59",
                "grant-time_zone": "America/Los_Angeles",
                "grant-message": "Get well soon.",
            },
        )

    assert response.status_code == 302
    extension = DeadlineExtension.objects.get(form=form, user=applicant)
    assert extension.granted_by == people["organizer"]
    in_tokyo = format_instant(extension.until, "Asia/Tokyo")
    reply = conversation.messages.get(from_organizers=True)
    assert reply.body == f"Get well soon.\n\nYour new deadline for the {form.title} is {in_tokyo}."
    (email,) = [m for m in emails_to(outbox, applicant.email) if m.subject.startswith("Re:")]
    assert in_tokyo in email.body
    apply_page = client_as("applicant").get(
        reverse("admissions:apply", args=[term.slug, form.kind])
    )
    assert "your personal extension" in apply_page.content.decode()


def test_an_extension_in_the_past_is_refused_and_nothing_changes(term, people, client_as):
    application = SubmittedApplicationFactory(
        form=ApplicationFormFactory(term=term), applicant=people["applicant"]
    )
    conversation = services.conversation_start(
        term=term,
        topic="extension",
        body="More time please.",
        person=people["applicant"],
        application=application,
    )

    response = client_as("organizer").post(
        reverse("community:inbox_detail", args=[term.slug, conversation.pk]),
        {
            "action": "grant",
            "grant-until_date": "2020-01-01",
            "grant-until_time": "12:00",
            "grant-time_zone": "UTC",
        },
    )

    assert response.status_code == 400
    assert "The new deadline must be in the future." in response.content.decode()
    assert not DeadlineExtension.objects.exists()
    assert not conversation.messages.filter(from_organizers=True).exists()


def test_a_person_sees_only_their_own_conversations(term, people, client_as):
    mine = services.conversation_start(
        term=term, topic="other", body="My own message.", person=people["applicant"]
    )
    theirs = services.conversation_start(
        term=term, topic="other", body="Someone else's message.", person=people["participant"]
    )
    client = client_as("applicant")

    listing = client.get(reverse("community:my_conversations", args=[term.slug]))
    other = client.get(reverse("community:conversation_detail", args=[term.slug, theirs.pk]))
    reply = client.post(
        reverse("community:conversation_detail", args=[term.slug, theirs.pk]), {"body": "Hi"}
    )

    assert reverse("community:conversation_detail", args=[term.slug, mine.pk]) in (
        listing.content.decode()
    )
    assert "Someone else" not in listing.content.decode()
    assert other.status_code == 404 and reply.status_code == 404
    assert theirs.messages.count() == 1


def test_the_inbox_reads_as_many_queries_for_many_conversations_as_for_one(
    term, people, client_as, django_assert_max_num_queries
):
    client = client_as("organizer")
    url = reverse("community:inbox", args=[term.slug])
    form = ApplicationFormFactory(term=term)

    def write(count):
        for _ in range(count):
            person = UserFactory()
            conversation = services.conversation_start(
                term=term,
                topic="extension",
                body="More time?",
                person=person,
                application=SubmittedApplicationFactory(form=form, applicant=person),
            )
            services.conversation_reply(
                conversation=conversation, actor=people["organizer"], body="Yes."
            )

    write(1)
    with django_assert_max_num_queries(15) as for_one:
        one = client.get(url).content.decode()
    write(30)
    with django_assert_max_num_queries(len(for_one.captured_queries)):
        many = client.get(url).content.decode()

    assert one.count("Extension request") == 1
    assert many.count("Extension request") == 31


@pytest.mark.parametrize(("role", "status"), [("participant", 403), ("organizer_other_term", 404)])
def test_only_the_terms_organizers_reply_from_the_inbox(term, people, client_as, role, status):
    conversation = services.conversation_start(
        term=term, topic="other", body="Hello there.", person=people["applicant"]
    )

    response = client_as(role).post(
        reverse("community:inbox_detail", args=[term.slug, conversation.pk]),
        {"action": "reply", "reply-body": "Hi!"},
    )

    assert response.status_code == status
    assert conversation.messages.count() == 1


def test_a_reply_to_someone_without_an_account_carries_their_secret_link(
    term, people, client, committed, outbox
):
    conversation = services.conversation_start(
        term=term, topic="other", body="Hello from Ada.", email="ada@example.org"
    )

    with committed():
        services.conversation_reply(
            conversation=conversation, actor=people["organizer"], body="Hello Ada!"
        )

    (reply,) = emails_to(outbox, "ada@example.org")
    link = re.search(r"http\S+(/conversations/\S+/)", reply.body)
    assert link is not None
    page = client.get(link.group(1)).content.decode()
    assert "Hello Ada!" in page and "Hello from Ada." in page
