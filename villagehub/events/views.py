from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from villagehub.accounts.decorators import role_required
from villagehub.accounts.selectors import language_of
from villagehub.communities.models import Community, Network
from villagehub.contributions.selectors import communities_edited_by
from villagehub.core.feeds import TextAtomFeed
from villagehub.core.filters import filters_parse, paginate
from villagehub.core.forms import form_errors_add
from villagehub.core.ratelimit import limit_posts
from villagehub.core.selectors import page_views_total
from villagehub.core.services import page_view_count
from villagehub.taxonomy.models import Theme

from . import exports, selectors, services
from .forms import (
    AttendeeSearchForm,
    EventEditor,
    FeedbackForm,
    HostDeclineForm,
    HostRequestForm,
    PhotoForm,
    RegistrationDetailsForm,
    RegistrationForm,
    ReportForm,
    SeriesForm,
    editor_more_rows,
)
from .models import Event, HostRequest, Photo, Registration, Series


def event_list_view(request):
    filters, problems = filters_parse(selectors.EventFilterForm, request.GET)
    page = paginate(selectors.event_list(filters=filters).prefetch_related("themes"), request.GET)
    return render(
        request,
        "events/event_list.html",
        {
            "page": page,
            "filters": filters,
            "problems": problems,
            "form": selectors.EventFilterForm(request.GET),
            "themes": Theme.objects.order_by("name"),
            "series_list": Series.objects.order_by("name"),
            "kinds": Event.Kind.choices,
            "now": timezone.now(),
            "runs_programme": selectors.programme_runner(request.user),
        },
    )


def _event_or_404(slug: str) -> Event:
    try:
        return selectors.event_detail(slug=slug)
    except Event.DoesNotExist:
        raise Http404(_("There is no such event.")) from None


def event_detail_view(request, slug):
    event = _event_or_404(slug)
    feedback = (
        selectors.feedback_summary(Event.objects.filter(pk=event.pk))
        if event.feedback_published and event.has_ended()
        else None
    )
    if feedback is not None and feedback.attend_again is None:
        feedback = None  # too few answers to publish anything
    places_left = selectors.event_places_left(event)
    page_view_count(obj=event, user_agent=request.headers.get("User-Agent", ""))
    can_manage = selectors.events_managed_by(request.user).filter(pk=event.pk).exists()
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "when": selectors.event_when(event),
            "registration_state": event.registration_state(),
            "places_left": places_left,
            "joins_waiting_list": selectors.event_joins_waiting_list(event, places_left),
            "feedback": feedback,
            "in_calendar": selectors.event_in_calendar(event),
            "can_manage": can_manage,
            "views": page_views_total(event) if can_manage else None,
        },
    )


@limit_posts("registration", limit=settings.REGISTRATION_RATE_LIMIT, seconds=3600)
def event_register_view(request, slug):
    try:
        event = selectors.event_for_registration(slug=slug)
    except Event.DoesNotExist:
        raise Http404(_("There is no such event.")) from None
    state = event.registration_state()
    if state != "open":
        return render(
            request,
            "events/registration_refused.html",
            {"event": event, "reason": services.RegistrationRefused.MESSAGES[state]},
            status=409 if request.method == "POST" else 200,
        )
    form = RegistrationForm(
        request.POST or None,
        event=event,
        initial={"language": language_of(request.user, default=translation.get_language())},
    )
    if request.method == "POST" and form.is_valid():
        details = form.details()
        try:
            registration, created = services.registration_create(
                event=event,
                privacy_consent=True,
                privacy_notice_version=selectors.privacy_notice_version(),
                **details,
            )
        except services.RegistrationRefused as refused:
            return render(
                request,
                "events/registration_refused.html",
                {"event": event, "reason": str(refused)},
                status=409,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            # The same page whether the address was new or already registered: who
            # registered is told only through the link sent to the address (which goes
            # out again even when a new address would have been refused as full).
            if not created and selectors.event_full_for_newcomers(event):
                refused = services.RegistrationRefused("full")
                return render(
                    request,
                    "events/registration_refused.html",
                    {"event": event, "reason": str(refused)},
                    status=409,
                )
            return render(
                request,
                "events/registration_sent.html",
                {"event": event, "email": registration.email},
            )
    places_left = selectors.event_places_left(event)
    return render(
        request,
        "events/registration_form.html",
        {
            "event": event,
            "form": form,
            "places_left": places_left,
            "joins_waiting_list": selectors.event_joins_waiting_list(event, places_left),
        },
        status=400 if form.errors else 200,
    )


def _registration_or_error(request, token):
    try:
        return selectors.registration_from_token(token), None
    except selectors.LinkInvalid as invalid:
        return None, render(request, "events/link_invalid.html", {"code": invalid.code}, status=400)


def registration_view(request, token):
    registration, error = _registration_or_error(request, token)
    if error:
        return error
    event = registration.event
    answers_editable = event.answers_editable()
    form = RegistrationDetailsForm(
        request.POST or None,
        event=event,
        answers_editable=answers_editable,
        initial={
            **{f: getattr(registration, f) for f in RegistrationDetailsForm.base_fields},
            **{f"q_{k}": v for k, v in registration.answers.items()},
        },
    )
    active = registration.status in Registration.ACTIVE
    questions = [] if answers_editable else list(event.questions.all())
    if request.method == "POST" and active and form.is_valid():
        try:
            services.registration_update(registration=registration, **form.details())
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your registration has been updated."))
            return redirect(request.path)
    return render(
        request,
        "events/registration_detail.html",
        {
            "registration": registration,
            "event": event,
            "form": form,
            "token": token,
            "active": active,
            "position": selectors.waitlist_position(registration),
            "when": selectors.event_when(event),
            "show_online": registration.status == Registration.Status.CONFIRMED
            and event.online_url,
            "show_low_bandwidth": registration.status == Registration.Status.CONFIRMED
            and event.low_bandwidth,
            "offer_until": selectors.offer_until(registration),
            "frozen_answers": list(
                zip(
                    [q.label for q in questions],
                    selectors.registration_answers(registration, questions),
                    strict=True,
                )
            ),
            "can_answer_survey": registration.attended
            and event.has_ended()
            and not hasattr(registration, "feedback"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def registration_accept_view(request, token):
    registration, error = _registration_or_error(request, token)
    if error:
        return error
    try:
        services.registration_offer_accept(registration=registration)
    except services.OfferRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The place is yours: your registration is confirmed."))
    return redirect("events:registration", token=token)


def registration_cancel_view(request, token):
    """Asks first (a page of its own, no script needed); cancels on the confirming POST."""
    registration, error = _registration_or_error(request, token)
    if error:
        return error
    if registration.status not in Registration.ACTIVE:
        return redirect("events:registration", token=token)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.registration_cancel(registration=registration)
        messages.success(request, _("Your registration has been cancelled."))
        return redirect("events:registration", token=token)
    return render(
        request,
        "events/cancel_confirm.html",
        {
            "event": registration.event,
            "action": reverse("events:cancel", kwargs={"token": token}),
            "back": reverse("events:registration", kwargs={"token": token}),
            "question": _("Cancel your registration?"),
            "explanation": _(
                "Your place goes to the first person on the waiting list. "
                "To come after all, you would have to register again."
            ),
            "confirm_label": _("Yes, cancel my registration"),
            "keep_label": _("No, keep my registration"),
            "fields": {"confirm": "yes"},
        },
    )


def registration_ics_view(request, token):
    registration, error = _registration_or_error(request, token)
    if error:
        return error
    return _ical_response(
        selectors.event_ical([registration.event], registration=registration),
        registration.event.slug,
    )


@limit_posts("feedback", limit=settings.REGISTRATION_RATE_LIMIT, seconds=3600)
def feedback_view(request, token):
    registration, error = _registration_or_error(request, token)
    if error:
        return error
    event = registration.event
    refused = None
    if not event.has_ended():
        refused = services.FeedbackRefused.MESSAGES["not_ended"]
    elif not registration.attended:
        refused = services.FeedbackRefused.MESSAGES["not_attended"]
    elif hasattr(registration, "feedback"):
        refused = services.FeedbackRefused.MESSAGES["answered"]
    if refused:
        return render(request, "events/feedback_refused.html", {"event": event, "reason": refused})
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_create(registration=registration, **form.cleaned_data)
        except services.FeedbackRefused as refusal:
            return render(
                request, "events/feedback_refused.html", {"event": event, "reason": str(refusal)}
            )
        return render(request, "events/feedback_thanks.html", {"event": event})
    return render(
        request,
        "events/feedback_form.html",
        {"event": event, "form": form},
        status=400 if form.errors else 200,
    )


def event_report_view(request, slug):
    """What the event left behind; only what the people in it agreed may be shown."""
    try:
        event = selectors.event_report(slug=slug)
    except Event.DoesNotExist:
        raise Http404(_("There is no published report for this event.")) from None
    feedback = (
        selectors.feedback_summary(Event.objects.filter(pk=event.pk))
        if event.feedback_published and event.has_ended()
        else None
    )
    return render(
        request,
        "events/report.html",
        {
            "event": event,
            "when": selectors.event_when(event),
            "sessions": selectors.report_sessions(event),
            "participants": selectors.report_participants(event),
            "materials": selectors.report_materials(event),
            "feedback": feedback,
            "can_manage": selectors.events_managed_by(request.user).filter(pk=event.pk).exists(),
        },
    )


def series_view(request, slug):
    series = get_object_or_404(Series.objects.prefetch_related("networks"), slug=slug)
    events = selectors.event_list_base().filter(series=series).order_by("-starts_at", "-pk")
    user = request.user
    return render(
        request,
        "events/series_detail.html",
        {
            "series": series,
            "events": events,
            "can_edit": selectors.series_coordinated_by(user).filter(pk=series.pk).exists(),
            "can_offer": user.is_authenticated and communities_edited_by(user).exists(),
        },
    )


# Calendars and feeds -------------------------------------------------------------------


def _ical_response(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


def event_ics_view(request, slug):
    event = _event_or_404(slug)
    if not selectors.event_in_calendar(event):
        raise Http404(_("This event has no date to put in a calendar."))
    return _ical_response(selectors.event_ical([event], name=event.title), event.slug)


def calendar_view(request):
    """Subscribable calendar of upcoming events: all, or one network's, or one theme's."""
    events = selectors.event_upcoming().prefetch_related("themes")
    name = _("Events")
    if network := request.GET.get("network"):
        network = get_object_or_404(Network, slug=network)
        events = events.filter(
            Q(organiser_networks=network)
            | Q(series__networks=network)
            | Q(host_community__networks=network)
        ).distinct()
        name = network.name
    if theme := request.GET.get("theme"):
        theme = get_object_or_404(Theme, slug=theme)
        events = events.filter(themes=theme)
        name = theme.localized("name", translation.get_language()).text
    return _ical_response(selectors.event_ical(events, name=name), "events")


class EventFeed(Feed):
    feed_type = TextAtomFeed
    title = gettext_lazy("Events")
    subtitle = gettext_lazy("The events of the knowledge-exchange programme.")

    def link(self):
        return reverse("events:list")

    def author_name(self):
        return settings.HUB_NAME

    def items(self):
        return selectors.event_list_base().order_by("-updated_at", "-pk")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return f"{selectors.event_when(item)}. {item.summary}"

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at


# Organisers ----------------------------------------------------------------------------


# Organiser pages: signed in, with two-factor authentication, organising something.
manage_required = role_required(
    lambda user: selectors.events_managed_by(user).exists(),
    two_factor_message=gettext_lazy(
        "Organiser pages need two-factor authentication: please set it up first."
    ),
)


@manage_required
def manage_view(request, slug):
    event = get_object_or_404(selectors.events_managed_by(request.user), slug=slug)
    form = AttendeeSearchForm(request.GET)
    registrations = event.registrations.order_by("queued_at", "pk")
    if form.is_valid():
        if query := form.cleaned_data["q"]:
            registrations = registrations.filter(
                Q(name__icontains=query)
                | Q(email__icontains=query)
                | Q(organisation__icontains=query)
            )
        if status := form.cleaned_data["status"]:
            registrations = registrations.filter(status=status)
    counts = dict(event.registrations.order_by().values_list("status").annotate(n=Count("pk")))
    status_counts = [(label, counts.get(s, 0)) for s, label in Registration.Status.choices]
    page = paginate(registrations, request.GET, per_page=100)
    questions = list(event.questions.all())
    unanswered = list(selectors.feedback_unanswered(event))
    return render(
        request,
        "events/manage.html",
        {
            "event": event,
            "form": form,
            "page": page,
            "questions": questions,
            "rows": [(r, selectors.registration_answers(r, questions)) for r in page.object_list],
            "check_in_open": event.check_in_open(),
            "check_in_opens": selectors.event_check_in_opens(event),
            "has_ended": event.has_ended(),
            "status_counts": status_counts,
            "export_tables": exports.table_labels(),
            "attended": event.registrations.filter(attended=True).count(),
            "summary": selectors.feedback_summary(Event.objects.filter(pk=event.pk)),
            "unanswered": unanswered,
            "remind_due": sum(r.asked and not r.reminded for r in unanswered),
        },
    )


@manage_required
@require_POST
def manage_registration_view(request, slug, pk):
    registration = get_object_or_404(
        Registration,
        pk=pk,
        event__slug=slug,
        event__in=selectors.events_managed_by(request.user),
    )
    action = request.POST.get("action")
    back = request.POST.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("events:manage", kwargs={"slug": slug})
    if action == "cancel" and request.POST.get("confirm") != "yes":
        return render(
            request,
            "events/cancel_confirm.html",
            {
                "event": registration.event,
                "action": request.path,
                "back": back,
                "question": _("Cancel the registration of %(name)s?") % {"name": registration.name},
                "explanation": _(
                    "Their place goes to the first person on the waiting list, and they are "
                    "told by e-mail."
                ),
                "confirm_label": _("Yes, cancel this registration"),
                "keep_label": _("No, keep it"),
                "fields": {"action": "cancel", "confirm": "yes", "next": back},
            },
        )
    if action == "attended":
        try:
            services.attendance_set(registration=registration, attended=True)
        except services.CheckInRefused as refused:
            messages.error(request, str(refused))
    elif action == "absent":
        services.attendance_set(registration=registration, attended=False)
    elif action == "approve":
        services.registration_approve(registration=registration)
    elif action == "decline":
        services.registration_decline(registration=registration)
    elif action == "cancel":
        services.registration_cancel(registration=registration)
    else:
        messages.error(request, _("Unknown action."))
    return redirect(back)


@manage_required
@require_POST
def manage_event_view(request, slug):
    event = get_object_or_404(selectors.events_managed_by(request.user), slug=slug)
    action = request.POST.get("action")
    try:
        if action == "survey":
            services.event_feedback_request(event=event)
            messages.success(request, _("The survey is being sent to the people who attended."))
        elif action == "remind":
            due = services.event_feedback_remind(event=event)
            messages.success(
                request,
                ngettext(
                    "A reminder is being sent to %(count)s person who has not answered.",
                    "A reminder is being sent to %(count)s people who have not answered.",
                    due,
                )
                % {"count": due},
            )
        elif action in ("publish_feedback", "hide_feedback"):
            services.event_feedback_publish(event=event, published=action == "publish_feedback")
            messages.success(request, _("Saved."))
        else:
            messages.error(request, _("Unknown action."))
    except services.FeedbackRefused as refused:
        messages.error(request, str(refused))
    return redirect("events:manage", slug=slug)


def _report_initial(event: Event) -> dict:
    return {
        "report_summary": event.report_summary,
        "report_key_points": event.report_key_points,
        "practices": list(event.practices.all()),
        "report_published": event.report_published,
        "recording_published": event.recording_published,
        "feedback_published": event.feedback_published,
    }


@manage_required
def manage_report_view(request, slug):
    """The organisers write the report, record the speakers' consent and add photos; the
    page lists who did not agree to be recorded or published."""
    event = get_object_or_404(
        selectors.events_managed_by(request.user).prefetch_related(
            "sessions__people", "speaker_consents"
        ),
        slug=slug,
    )
    action = request.POST.get("action", "report") if request.method == "POST" else None
    form = ReportForm(
        request.POST if action == "report" else None, event=event, initial=_report_initial(event)
    )
    photo_form = PhotoForm(
        request.POST if action == "photo" else None, request.FILES if action == "photo" else None
    )
    if action == "report" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.event_report_update(
                    event=event,
                    report_summary=data["report_summary"],
                    report_key_points=data["report_key_points"],
                    practices=[*data["practices"], *data["other_practices"]],
                    report_published=data["report_published"],
                    recording_published=data["recording_published"],
                    translation_language=data["translation_language"],
                    translation_summary=data["translation_summary"],
                    translation_key_points=data["translation_key_points"],
                )
                for person, recording, publish in form.people_consents():
                    services.speaker_person_consent_set(
                        speaker=person, recording=recording, publish=publish
                    )
                for speaker, recording, publish in form.speaker_consents():
                    services.speaker_consent_set(
                        event=event,
                        speaker=speaker,
                        recording=recording,
                        publish=publish,
                    )
                services.event_feedback_publish(event=event, published=data["feedback_published"])
        except (services.ReportRefused, services.FeedbackRefused) as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The report has been saved."))
            return redirect("events:manage-report", slug=slug)
    elif action == "photo" and photo_form.is_valid():
        try:
            services.photo_add(event=event, **photo_form.cleaned_data)
        except ValidationError as error:
            form_errors_add(photo_form, error)
        else:
            messages.success(request, _("The photo has been added."))
            return redirect("events:manage-report", slug=slug)
    elif action == "photo_remove":
        photo = get_object_or_404(Photo, pk=request.POST.get("photo") or 0, event=event)
        services.photo_remove(photo=photo)
        messages.success(request, _("The photo has been removed."))
        return redirect("events:manage-report", slug=slug)
    invalid = bool(form.errors or photo_form.errors)
    return render(
        request,
        "events/manage_report.html",
        {
            "event": event,
            "form": form,
            "photo_form": photo_form,
            "photos": event.photos.all(),
            "missing": selectors.consent_missing(event),
            "has_ended": event.has_ended(),
        },
        status=400 if invalid else 200,
    )


def _results_scope(request):
    events = selectors.events_managed_by(request.user)
    scope, scope_kind = None, ""
    if slug := request.GET.get("series"):
        scope, scope_kind = get_object_or_404(Series, slug=slug), "series"
        events = events.filter(series=scope)
    elif slug := request.GET.get("host"):
        scope, scope_kind = get_object_or_404(Community, slug=slug), "host"
        events = events.filter(host_community=scope)
    return events, scope, scope_kind


@manage_required
def results_view(request):
    """Survey results over time for a series or a host community."""
    events, scope, scope_kind = _results_scope(request)
    rows = selectors.feedback_over_time(events)
    return render(
        request,
        "events/results.html",
        {
            "scope": scope,
            "scope_kind": scope_kind,
            "export_tables": exports.table_labels(),
            "summary": selectors.feedback_summary(events),
            "rows": rows,
            "series_list": Series.objects.order_by("name"),
            "hosts": Community.objects.filter(hosted_events__isnull=False).distinct(),
        },
    )


@manage_required
def results_chart_view(request):
    """The chart of the results page as an SVG image of its own (no inline style or script
    in the page, so it stays within a strict Content Security Policy)."""
    events, _scope, _kind = _results_scope(request)
    rows = selectors.feedback_over_time(events)
    if not rows:
        raise Http404
    return HttpResponse(
        selectors.feedback_chart(rows, _("Survey results over time")),
        content_type="image/svg+xml; charset=utf-8",
    )


@manage_required
def export_view(request, what, fmt):
    """Registrations, attendance or feedback of one event (?event=) or series (?series=)."""
    if what not in exports.TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    events = selectors.events_managed_by(request.user)
    if slug := request.GET.get("event"):
        events = events.filter(slug=slug)
    elif slug := request.GET.get("series"):
        events = events.filter(series__slug=slug)
    else:
        raise Http404(_("Name an event or a series."))
    if not events.exists():
        raise Http404
    header, rows = exports.table(what, events)
    filename = f"{slug}-{what}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(header, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        buffer = BytesIO()
        exports.xlsx_write(buffer, header, rows, title=what)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The programme: coordinators and organisers create and edit events and series -----------

programme_required = role_required(
    selectors.programme_runner,
    two_factor_message=gettext_lazy(
        "Organiser pages need two-factor authentication: please set it up first."
    ),
)


def _editor_save(request, event: Event | None):
    if "more" in request.POST:
        more = editor_more_rows(request.POST)
        return EventEditor(more, request.FILES, user=request.user, event=event).quiet(), None
    editor = EventEditor(request.POST, request.FILES, user=request.user, event=event)
    if editor.is_valid():
        fields = editor.service_fields()
        try:
            if event is None:
                event = services.event_create(**fields)
            else:
                event = services.event_update(event=event, **fields)
        except ValidationError as error:
            form_errors_add(editor.form, error, name_others=True)
        else:
            return editor, event
    return editor, None


def _editor_page(request, event: Event | None):
    if request.method == "POST":
        editor, saved = _editor_save(request, event)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("events:edit", slug=saved.slug)
    else:
        editor = EventEditor(user=request.user, event=event)
    return render(
        request,
        "events/event_form.html",
        {"editor": editor, "form": editor.form, "event": event},
        status=422 if request.method == "POST" and editor.has_errors else 200,
    )


@programme_required
def event_create_view(request):
    return _editor_page(request, None)


@manage_required
def event_edit_view(request, slug):
    return _editor_page(
        request, get_object_or_404(selectors.events_managed_by(request.user), slug=slug)
    )


# What each action does, its question and its explanation on the page that confirms it.
_EVENT_ACTIONS = {
    "publish": (
        Event.Status.PUBLISHED,
        gettext_lazy("Publish “%(title)s”?"),
        gettext_lazy("It appears in the programme, the calendars and the feeds."),
    ),
    "postpone": (
        Event.Status.POSTPONED,
        gettext_lazy("Postpone “%(title)s”?"),
        gettext_lazy(
            "Everyone registered is told by e-mail that the event is postponed; their "
            "registrations stay."
        ),
    ),
    "cancel": (
        Event.Status.CANCELLED,
        gettext_lazy("Cancel “%(title)s”?"),
        gettext_lazy("Everyone registered is told by e-mail that the event is cancelled."),
    ),
}


@manage_required
@require_POST
def event_action_view(request, slug):
    """Publish, postpone, cancel (each confirmed first) or duplicate an event."""
    event = get_object_or_404(selectors.events_managed_by(request.user), slug=slug)
    action = request.POST.get("action")
    if action == "duplicate":
        copy = services.event_duplicate(event=event)
        messages.success(request, _("This is a draft copy: give it its date and publish it."))
        return redirect("events:edit", slug=copy.slug)
    if action not in _EVENT_ACTIONS:
        raise Http404
    status, question, explanation = _EVENT_ACTIONS[action]
    back = reverse("events:edit", kwargs={"slug": slug})
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "events/cancel_confirm.html",
            {
                "event": event,
                "action": request.path,
                "back": back,
                "question": question % {"title": event.title},
                "explanation": explanation,
                "confirm_label": _("Yes"),
                "keep_label": _("No, go back"),
                "fields": {"action": action, "confirm": "yes"},
            },
        )
    try:
        services.event_status_set(event=event, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect(back)


@programme_required
def programme_view(request):
    """What this person runs: their events and series, and offers to host waiting."""
    return render(
        request,
        "events/programme.html",
        {
            "events": selectors.events_managed_by(request.user)
            .select_related("series")
            .order_by(F("starts_at").desc(nulls_first=True), "-pk")[:200],
            "series_list": selectors.series_coordinated_by(request.user),
            "can_create_series": selectors.event_networks_for(request.user).exists(),
            "offers": selectors.host_requests_for(request.user).filter(
                status=HostRequest.Status.PENDING
            ),
        },
    )


series_required = role_required(
    lambda user: selectors.event_networks_for(user).exists(),
    two_factor_message=gettext_lazy(
        "Organiser pages need two-factor authentication: please set it up first."
    ),
)


def _series_page(request, series: Series | None):
    form = SeriesForm(request.POST or None, user=request.user, series=series)
    if request.method == "POST" and form.is_valid():
        try:
            if series is None:
                series = services.series_create(**form.service_fields())
            else:
                series = services.series_update(series=series, **form.service_fields())
        except ValidationError as error:
            form_errors_add(form, error, name_others=True)
        else:
            messages.success(request, _("Saved."))
            return redirect("events:series", slug=series.slug)
    return render(
        request,
        "events/series_form.html",
        {"form": form, "series": series},
        status=422 if form.errors else 200,
    )


@series_required
def series_create_view(request):
    return _series_page(request, None)


@series_required
def series_edit_view(request, slug):
    return _series_page(
        request, get_object_or_404(selectors.series_coordinated_by(request.user), slug=slug)
    )


@login_required
def host_offer_view(request, slug):
    """A community editor offers to host the next café of a series."""
    series = get_object_or_404(Series, slug=slug)
    communities = communities_edited_by(request.user).order_by("name")
    if not communities.exists():
        raise Http404
    form = HostRequestForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            services.host_request_create(
                series=series,
                proposer=request.user,
                language=translation.get_language() or "en",
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("Thank you: the coordinators of the series will answer you by e-mail."),
            )
            return redirect(series.get_absolute_url())
    return render(
        request,
        "events/host_offer.html",
        {"form": form, "series": series},
        status=422 if form.errors else 200,
    )


@series_required
def host_request_view(request, pk):
    """A coordinator of the series takes the offer into the programme or declines it."""
    offer = get_object_or_404(selectors.host_requests_for(request.user), pk=pk)
    form = HostDeclineForm(request.POST if request.POST.get("action") == "decline" else None)
    if request.method == "POST" and offer.status == HostRequest.Status.PENDING:
        try:
            if request.POST.get("action") == "accept":
                event = services.host_request_accept(request=offer)
                messages.success(request, _("The café is in the programme as a draft."))
                return redirect("events:edit", slug=event.slug)
            if form.is_valid():
                services.host_request_decline(request=offer, reason=form.cleaned_data["reason"])
                messages.success(request, _("The offer is declined; the proposer is told."))
                return redirect("events:programme")
        except services.HostRequestRefused as refused:
            messages.error(request, str(refused))
            return redirect("events:host-request", pk=offer.pk)
    return render(
        request,
        "events/host_request.html",
        {"offer": offer, "form": form},
        status=422 if form.errors else 200,
    )
