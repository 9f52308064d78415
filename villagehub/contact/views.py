from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from villagehub.accounts.decorators import role_required
from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Network
from villagehub.core.forms import form_errors_add
from villagehub.core.ratelimit import limit_posts

from . import services
from .forms import ContactForm, ReplyForm
from .selectors import (
    BACK_OFFICE_PERMISSION,
    contact_message_get_for_coordinator,
    contact_messages_for,
    contact_possible,
)

coordinator_required = role_required(
    lambda user: user.has_perm(BACK_OFFICE_PERMISSION) or networks_coordinated(user).exists(),
    role_first=True,
)


def _contact(request, *, network=None, country="", place: str, back: str):
    if not contact_possible(network=network, country=country):
        raise Http404
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_message_create(
                network=network,
                country=country,
                name=data["name"],
                email=data["email"],
                body=data["body"],
                language=translation.get_language(),
                consent=data["consent"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return render(request, "contact/sent.html", {"place": place, "back": back})
    return render(
        request,
        "contact/contact_form.html",
        {"form": form, "place": place, "back": back},
        status=400 if form.errors else 200,
    )


@limit_posts("contact", limit=settings.CONTACT_RATE_LIMIT)
def contact_network_view(request, slug):
    network = get_object_or_404(Network, slug=slug)
    return _contact(request, network=network, place=network.name, back=network.get_absolute_url())


@limit_posts("contact", limit=settings.CONTACT_RATE_LIMIT)
def contact_country_view(request, code):
    code = code.upper()
    if len(code) != 2 or code not in countries:
        raise Http404
    return _contact(
        request,
        country=code,
        place=str(countries.name(code)),
        back=reverse("countries:detail", args=[code.lower()]),
    )


@coordinator_required
def message_list_view(request):
    return render(
        request,
        "contact/message_list.html",
        {
            "contact_messages": contact_messages_for(request.user).prefetch_related("replies"),
            "days": settings.CONTACT_RETENTION_DAYS,
        },
    )


@coordinator_required
def message_view(request, pk):
    message = contact_message_get_for_coordinator(pk=pk, user=request.user)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_reply_send(
                message=message, by=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your reply has been sent by e-mail."))
            return redirect("contact:message", pk=message.pk)
    return render(
        request,
        "contact/message.html",
        {"message": message, "replies": message.replies.select_related("by"), "form": form},
    )
