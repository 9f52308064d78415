from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from villagehub.accounts.decorators import role_required
from villagehub.communities.models import Community, Network
from villagehub.core.filters import filters_parse, paginate
from villagehub.core.forms import form_errors_add
from villagehub.core.ratelimit import limit_posts
from villagehub.core.selectors import page_views_total
from villagehub.core.services import page_view_count

from . import services
from .forms import (
    DigestForm,
    IssueForm,
    IssueScheduleForm,
    NewsForm,
    SubscribeForm,
    SubscriptionPreferencesForm,
)
from .selectors import (
    CONFIRM_SALT,
    MANAGE_SALT,
    NewsFilterForm,
    digests_of,
    issue_audience,
    issue_counts,
    issue_get_for_coordinator,
    issue_preview,
    issues_managed_by,
    issues_writable_networks,
    news_detail,
    news_drafts_for,
    news_editable_by,
    news_get_for_editor,
    news_get_for_publisher,
    news_list,
    news_publishable_by,
    news_publishers_for,
    subscription_from_token,
    subscription_token,
)

# Publishing is a coordinator's act: with two-factor authentication, like reviewing.
publisher_required = role_required(lambda user: news_publishable_by(user).exists(), role_first=True)


def news_list_view(request):
    filters, problems = filters_parse(NewsFilterForm, request.GET)
    page = paginate(news_list(filters=filters).prefetch_related("themes"), request.GET)
    networks, communities = news_publishers_for(request.user)
    return render(
        request,
        "news/news_list.html",
        {
            "page": page,
            "filters": filters,
            "problems": problems,
            "network": filters.get("network")
            and Network.objects.filter(slug=filters["network"]).first(),
            "community": filters.get("community")
            and Community.objects.filter(slug=filters["community"]).first(),
            "networks": Network.objects.order_by("name"),
            "can_write": networks.exists() or communities.exists(),
        },
    )


def news_detail_view(request, slug):
    item = news_detail(slug=slug, user=request.user)
    if item.is_published:
        page_view_count(obj=item, user_agent=request.headers.get("User-Agent", ""))
    can_edit = news_editable_by(request.user).filter(pk=item.pk).exists()
    return render(
        request,
        "news/news_detail.html",
        {
            "item": item,
            "can_edit": can_edit,
            "views": page_views_total(item) if can_edit else None,
            "can_publish": news_publishable_by(request.user).filter(pk=item.pk).exists(),
        },
    )


@login_required
def news_drafts_view(request):
    return render(request, "news/news_drafts.html", {"drafts": news_drafts_for(request.user)})


def _save(request, item=None):
    initial = NewsForm.initial_of(item) if item else {}
    form = NewsForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if not form.fields["publisher"].choices:
        messages.info(request, _("Only community editors and network coordinators write news."))
        return redirect("news:list")
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                item = services.news_create(by=request.user, **form.service_values())
            else:
                item = services.news_update(item=item, by=request.user, **form.service_values())
        except ValidationError as error:
            form_errors_add(form, error, name_others=True)
        else:
            messages.success(request, _("The news item has been saved."))
            return redirect(item.get_absolute_url())
    return render(request, "news/news_form.html", {"form": form, "item": item})


@login_required
def news_create_view(request):
    return _save(request)


@login_required
def news_edit_view(request, slug):
    return _save(request, news_get_for_editor(slug=slug, user=request.user))


@publisher_required
@require_POST
def news_publish_view(request, slug):
    item = news_get_for_publisher(slug=slug, user=request.user)
    if request.POST.get("action") == "withdraw":
        services.news_withdraw(item=item, by=request.user)
        messages.success(request, _("The news item is a draft again."))
    else:
        services.news_publish(item=item, by=request.user)
        messages.success(request, _("The news item has been published."))
    return redirect(item.get_absolute_url())


def _preferences(form) -> dict:
    data = form.cleaned_data
    return {
        "language": data["language"],
        "networks": data["networks"],
        "themes": data["themes"],
        "countries": data["countries"],
        "kinds": data["kinds"],
    }


@limit_posts("subscribe", limit=settings.REGISTRATION_RATE_LIMIT)
def subscribe_view(request):
    # A network's page links here with its network chosen.
    form = SubscribeForm(
        request.POST or None, initial={"networks": request.GET.getlist("networks")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_request(
                email=form.cleaned_data["email"],
                consent=form.cleaned_data["consent"],
                **_preferences(form),
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return render(
                request, "news/subscribe_sent.html", {"email": form.cleaned_data["email"]}
            )
    return render(
        request, "news/subscribe.html", {"form": form}, status=400 if form.errors else 200
    )


def subscription_confirm_view(request, token):
    """GET shows a button (mail scanners follow links); POST confirms."""
    subscription = subscription_from_token(token, salt=CONFIRM_SALT)
    if request.method == "POST":
        subscription = services.subscription_confirm(subscription=subscription)
        messages.success(request, _("Your subscription is confirmed. Welcome!"))
        return redirect(
            "news:subscription", token=subscription_token(subscription, salt=MANAGE_SALT)
        )
    return render(request, "news/subscription_confirm.html", {"subscription": subscription})


def subscription_view(request, token):
    subscription = subscription_from_token(token, salt=MANAGE_SALT)
    form = SubscriptionPreferencesForm(
        request.POST or None, initial=SubscriptionPreferencesForm.initial_of(subscription)
    )
    if request.method == "POST" and "resume" in request.POST:
        services.subscription_resume(subscription=subscription)
        messages.success(request, _("You are subscribed again."))
        return redirect("news:subscription", token=token)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_update(subscription=subscription, **_preferences(form))
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your choices have been saved."))
            return redirect("news:subscription", token=token)
    return render(
        request,
        "news/subscription.html",
        {"subscription": subscription, "form": form, "token": token},
        status=400 if form.errors else 200,
    )


@csrf_exempt
def unsubscribe_view(request, token):
    """One-click unsubscribe (RFC 8058): mail clients POST `List-Unsubscribe=One-Click` to
    this address without a session or CSRF token; the signed link is the authority. A
    person following the link gets a page with a button."""
    subscription = subscription_from_token(token, salt=MANAGE_SALT)
    if request.method == "POST":
        subscription = services.subscription_unsubscribe(subscription=subscription)
        return render(request, "news/unsubscribed.html", {"token": token})
    return render(request, "news/unsubscribe.html", {"subscription": subscription, "token": token})


# Newsletters: coordinators, with two-factor authentication ------------------------------------

coordinator_required = role_required(
    lambda user: issues_writable_networks(user).exists(), role_first=True
)


@coordinator_required
def issue_list_view(request):
    form = IssueForm(request.POST or None, networks=issues_writable_networks(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = services.issue_create(
                by=request.user,
                network=data["network"],
                subject=data["subject"],
                intro=data["intro"],
                language=data["language"],
                since=timezone.now() - timedelta(days=data["days"]),
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return redirect("news:issue", pk=issue.pk)
    issues = issues_managed_by(request.user).select_related("network")[:50]
    networks = issues_writable_networks(request.user)
    return render(
        request,
        "news/issue_list.html",
        {
            "form": form,
            "issues": issues,
            "digest_form": DigestForm(networks=networks),
            "digests": digests_of(networks),
        },
    )


@coordinator_required
@require_POST
def digest_view(request):
    form = DigestForm(request.POST, networks=issues_writable_networks(request.user))
    if form.is_valid():
        services.network_digest_set(
            network=form.cleaned_data["network"],
            frequency=form.cleaned_data["frequency"],
            by=request.user,
        )
        messages.success(request, _("Your choices have been saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("news:issues")


def _issue_page(request, issue, schedule_form=None, status=200):
    preview = issue_preview(issue=issue, email=request.GET.get("as", ""))
    if schedule_form is None:
        send_at = issue.send_at and timezone.localtime(issue.send_at)
        schedule_form = IssueScheduleForm(initial={"send_at": send_at})
    return render(
        request,
        "news/issue.html",
        {
            "issue": issue,
            "preview": preview,
            "audience": issue_audience(issue).count(),
            "counts": issue_counts(issue),
            "schedule_form": schedule_form,
        },
        status=status,
    )


@coordinator_required
def issue_view(request, pk):
    return _issue_page(request, issue_get_for_coordinator(pk=pk, user=request.user))


@coordinator_required
def issue_preview_html_view(request, pk):
    issue = issue_get_for_coordinator(pk=pk, user=request.user)
    preview = issue_preview(issue=issue, email=request.GET.get("as", ""))
    return HttpResponse(preview["html"])


@coordinator_required
@require_POST
def issue_send_view(request, pk):
    issue = issue_get_for_coordinator(pk=pk, user=request.user)
    if request.POST.get("action") == "test":
        services.issue_send_test(
            issue=issue, to=request.user.email, language=translation.get_language() or "en"
        )
        messages.success(request, _("A test has been sent to your address."))
        return redirect("news:issue", pk=issue.pk)
    if request.POST.get("action") in ("schedule", "unschedule"):
        return _issue_schedule(request, issue)
    try:
        count = services.issue_send(issue=issue)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Sending to %(count)s subscriber has started.",
                "Sending to %(count)s subscribers has started.",
                count,
            )
            % {"count": count},
        )
    return redirect("news:issue", pk=issue.pk)


def _issue_schedule(request, issue):
    if request.POST["action"] == "unschedule":
        try:
            services.issue_unschedule(issue=issue)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("news:issue", pk=issue.pk)
    form = IssueScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.issue_schedule(issue=issue, send_at=form.cleaned_data["send_at"])
        except ValidationError as error:
            form_errors_add(form, error)
    if form.errors:
        return _issue_page(request, issue, schedule_form=form, status=400)
    messages.success(request, _("The issue will be sent at the time you chose."))
    return redirect("news:issue", pk=issue.pk)
