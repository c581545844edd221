"""Private conversations: the contact form, the person's own pages and the organizers' inbox."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cohortkit.common.errors import ServiceError
from cohortkit.community import rules, selectors, services
from cohortkit.community.forms import (
    ContactForm,
    ConversationUpdateForm,
    ExtensionGrantForm,
    NoteForm,
    ReplyForm,
    add_service_errors,
)
from cohortkit.community.models import Conversation, ConversationState, Topic
from cohortkit.community.views.common import public_term
from cohortkit.programs.models import Term
from cohortkit.programs.selectors import term_get


def contact_form_for(request: HttpRequest, term: Term, data: Any = None) -> ContactForm:
    applications = list(selectors.applications_for_extension(user=request.user, term=term))
    return ContactForm(
        data, signed_in=request.user.is_authenticated, applications=applications, prefix="contact"
    )


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    """Write privately to the term's organizers (signed in, or with an email address)."""
    term = public_term(request, slug)
    form = contact_form_for(request, term, request.POST if request.method == "POST" else None)
    if request.method == "GET" and request.GET.get("topic") in Topic.values:
        form.initial["topic"] = request.GET["topic"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation = services.conversation_start(
                term=term,
                topic=data["topic"],
                body=data["body"],
                person=request.user if request.user.is_authenticated else None,
                name=data.get("name", ""),
                email=data.get("email", ""),
                application=form.chosen_application(),
            )
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            if conversation.person_id is not None:
                messages.success(request, "Sent. The organizers will answer here.")
                return redirect("community:conversation_detail", slug=term.slug, pk=conversation.pk)
            messages.success(
                request,
                f"Sent. We emailed {conversation.email} a private link to follow the conversation.",
            )
            return redirect("programs:term_detail", slug=term.slug)
    return render(
        request,
        "community/contact.html",
        {"term": term, "contact_form": form},
        status=400 if form.errors else 200,
    )


@login_required
def my_conversations(request: HttpRequest, slug: str) -> HttpResponse:
    term = public_term(request, slug)
    return render(
        request,
        "community/my_conversations.html",
        {
            "term": term,
            "conversations": selectors.conversations_of_person(user=request.user, term=term),
        },
    )


def _person_page(
    request: HttpRequest, conversation: Conversation, *, post_url: str
) -> HttpResponse:
    """The person's view of their conversation (no internal notes) with a reply box."""
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_person_reply(
                conversation=conversation, body=form.cleaned_data["body"], person=request.user
            )
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Sent to the organizers.")
            return redirect(post_url)
    return render(
        request,
        "community/conversation.html",
        {
            "term": conversation.term,
            "conversation": conversation,
            "conversation_messages": selectors.conversation_messages(
                conversation=conversation, include_internal=False
            ),
            "reply_form": form,
            "post_url": post_url,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A person's own conversation; anyone else's is 404, whoever asks."""
    term = public_term(request, slug)
    conversation = rules.require_own_conversation(request, selectors.conversation_get(pk=pk))
    rules.require_conversation_in_term(conversation, term)
    return _person_page(
        request,
        conversation,
        post_url=reverse("community:conversation_detail", args=[term.slug, conversation.pk]),
    )


@require_http_methods(["GET", "POST"])
def conversation_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The conversation of someone without an account, opened by its secret link."""
    conversation = selectors.conversation_by_token(token=token)
    if conversation is None:
        raise Http404("No such conversation")
    response = _person_page(
        request,
        conversation,
        post_url=reverse("community:conversation_by_link", args=[token]),
    )
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it onward
    return response


@login_required
def inbox(request: HttpRequest, slug: str) -> HttpResponse:
    """Organizers: the term's conversations (open ones unless a state is picked)."""
    term = term_get(slug=slug)
    rules.require_organizer(request, term)
    state = request.GET.get("state", "")
    if state not in ConversationState.values:
        state = ""
    mine = request.GET.get("mine") == "1"
    return render(
        request,
        "community/inbox.html",
        {
            "term": term,
            "conversations": list(
                selectors.inbox(
                    term=term, state=state, assignee_id=request.user.pk if mine else None
                )
            ),
            "state": state,
            "mine": mine,
            "states": ConversationState.choices,
            "counts": selectors.inbox_counts(term=term),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inbox_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Organizers: one conversation with its internal notes; reply, note, set the state and the
    assignee, or grant the extension it asks for."""
    term = term_get(slug=slug)
    rules.require_organizer(request, term)
    conversation = rules.require_conversation_in_term(selectors.conversation_get(pk=pk), term)
    organizers = list(selectors.term_organizers(term=term))
    reply_form = ReplyForm(prefix="reply")
    note_form = NoteForm(prefix="note")
    update_form = ConversationUpdateForm(
        prefix="update",
        organizers=organizers,
        initial={"state": conversation.state, "assignee": conversation.assignee_id},
    )
    grant_form = ExtensionGrantForm(
        prefix="grant", initial={"time_zone": getattr(request, "viewer_time_zone", "UTC")}
    )
    here = reverse("community:inbox_detail", args=[term.slug, conversation.pk])
    action = request.POST.get("action", "") if request.method == "POST" else ""
    try:
        if action == "reply":
            reply_form = ReplyForm(request.POST, prefix="reply")
            if reply_form.is_valid():
                services.conversation_reply(
                    conversation=conversation,
                    actor=request.user,
                    body=reply_form.cleaned_data["body"],
                )
                messages.success(request, "Reply sent by email.")
                return redirect(here)
        elif action == "note":
            note_form = NoteForm(request.POST, prefix="note")
            if note_form.is_valid():
                services.conversation_note_add(
                    conversation=conversation,
                    actor=request.user,
                    body=note_form.cleaned_data["note"],
                )
                messages.success(request, "Note added (only organizers see it).")
                return redirect(here)
        elif action == "update":
            update_form = ConversationUpdateForm(
                request.POST, prefix="update", organizers=organizers
            )
            if update_form.is_valid():
                services.conversation_update(
                    conversation=conversation,
                    actor=request.user,
                    state=update_form.cleaned_data["state"],
                    assignee=update_form.chosen_assignee(),
                )
                messages.success(request, "Saved.")
                return redirect(here)
        elif action == "grant":
            grant_form = ExtensionGrantForm(request.POST, prefix="grant")
            until = grant_form.until() if grant_form.is_valid() else None
            if until is not None:
                services.conversation_extension_grant(
                    conversation=conversation,
                    actor=request.user,
                    until=until,
                    message=grant_form.cleaned_data["message"],
                )
                messages.success(
                    request, "Extension granted; the reply with the new deadline is sent."
                )
                return redirect(here)
        elif action:
            raise Http404("No such action")
    except ServiceError as error:
        form = {"reply": reply_form, "note": note_form, "update": update_form}.get(
            action, grant_form
        )
        add_service_errors(form, error)
    current_deadline = None
    if conversation.topic == Topic.EXTENSION and conversation.application is not None:
        from cohortkit.admissions.selectors.applying import deadline_for

        current_deadline = deadline_for(
            form=conversation.application.form, user=conversation.application.applicant
        )
    return render(
        request,
        "community/inbox_detail.html",
        {
            "term": term,
            "conversation": conversation,
            "conversation_messages": selectors.conversation_messages(
                conversation=conversation, include_internal=True
            ),
            "reply_form": reply_form,
            "note_form": note_form,
            "update_form": update_form,
            "grant_form": grant_form,
            "current_deadline": current_deadline,
            "person_zone": (
                conversation.person.time_zone if conversation.person is not None else term.time_zone
            ),
        },
        status=400 if action else 200,
    )
