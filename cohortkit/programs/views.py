"""Program pages for the public and the organizer's term settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from cohortkit.accounts import rules
from cohortkit.common.errors import InvalidInputError
from cohortkit.common.middleware import TIME_ZONE_COOKIE, VIEW_TIME_ZONE_SESSION_KEY
from cohortkit.common.timezones import time_zone_label
from cohortkit.programs import rules as term_rules
from cohortkit.programs import selectors, services
from cohortkit.programs.forms import TermSettingsForm, TimeZonePickForm
from cohortkit.programs.models import Term


def _public_term(request: HttpRequest, slug: str) -> Term:
    term = selectors.term_get(slug=slug)
    term_rules.require_public_page(request.user, term)
    return term


def home(request: HttpRequest) -> HttpResponse:
    terms = list(selectors.terms_published())
    now = timezone.now()
    return render(
        request,
        "programs/home.html",
        {
            "open_terms": [term for term in terms if term.participant_deadline > now],
            "other_terms": [term for term in terms if term.participant_deadline <= now],
            # The terms the person takes part in, each with a way straight to this week's work.
            "my_terms": (
                selectors.terms_taken_part_in(user=request.user)
                if request.user.is_authenticated
                else []
            ),
        },
    )


def term_detail(request: HttpRequest, slug: str) -> HttpResponse:
    term = _public_term(request, slug)
    tracks = list(term.tracks.all())
    curriculum = selectors.term_curriculum(term)
    commitment = selectors.term_weekly_commitment(term, curriculum, tracks)
    now = timezone.now()
    return render(
        request,
        "programs/term_detail.html",
        {
            "term": term,
            "program": term.program,
            "tracks": tracks,
            "curriculum": curriculum,
            "commitment": commitment,
            "commitment_total": selectors.term_weekly_total(commitment),
            "key_dates": selectors.term_key_dates(term),
            "participant_open": selectors.term_applications_open(
                term=term, kind="participant", now=now
            ),
            "facilitator_open": selectors.term_applications_open(
                term=term, kind="facilitator", now=now
            ),
            "is_organizer": rules.is_organizer(request.user, term),
            "roles": rules.term_roles(request.user, term),
            "my_applications": (
                list(
                    request.user.applications.filter(form__term=term)
                    .select_related("form", "decision")
                    .order_by("form__kind")
                )
                if request.user.is_authenticated
                else []
            ),
            "form_kinds": set(term.application_forms.values_list("kind", flat=True)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def term_settings(request: HttpRequest, slug: str) -> HttpResponse:
    term = selectors.term_get(slug=slug)
    term_rules.require_term_organizer(request, term)
    if request.method == "POST":
        form = TermSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.term_settings_update(
                    term=term, actor=request.user, values=form.term_values()
                )
            except InvalidInputError as error:
                # The form checks the term's rules first; this catches a rule it does not know.
                for message in error.field_errors.values() or [error.message]:
                    form.add_error(None, message)
            else:
                messages.success(request, "Term settings saved.")
                return redirect("programs:term_settings", slug=term.slug)
        status = 400
    else:
        form = TermSettingsForm(initial=TermSettingsForm.initial_for(term))
        status = 200
    return render(
        request, "programs/term_settings.html", {"term": term, "form": form}, status=status
    )


@require_POST
def time_zone_pick(request: HttpRequest) -> HttpResponse:
    """Show times in the zone a visitor picks.

    A signed-in person's pick is a view for this session only: their profile's zone (which their
    emails and forms use) changes only on the profile page. Picking the profile's zone again
    ends the view.
    """
    form = TimeZonePickForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("programs:home")
    if not form.is_valid():
        messages.error(request, "Pick a time zone from the list.")
        return HttpResponseRedirect(next_url)
    zone_name = form.cleaned_data["tz"]
    if request.user.is_authenticated:
        profile_zone = request.user.time_zone
        if zone_name == profile_zone:
            request.session.pop(VIEW_TIME_ZONE_SESSION_KEY, None)
        else:
            request.session[VIEW_TIME_ZONE_SESSION_KEY] = zone_name
            messages.info(
                request,
                f"Times are shown in {time_zone_label(zone_name)} while you are signed in here. "
                f"Your profile's zone is still {time_zone_label(profile_zone)}: change it on "
                "your profile page if you have moved.",
            )
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        TIME_ZONE_COOKIE,
        zone_name,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
