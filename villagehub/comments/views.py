from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villagehub.communities.models import Network
from villagehub.core.forms import form_errors_add
from villagehub.core.ratelimit import limit_posts
from villagehub.core.types import AuthenticatedHttpRequest

from . import services
from .forms import CommentForm, ReasonForm
from .models import Comment
from .selectors import (
    Commentable,
    comment_get,
    comment_get_for_author,
    comment_get_for_moderator,
    comments_of,
    item_get,
)


def _at(comment: Comment) -> str:
    # A comment read through the selectors carries its item.
    return f"{cast(Commentable, comment.item).get_absolute_url()}#comment-{comment.pk}"


@login_required
@require_POST
@limit_posts("comment", limit=settings.COMMENT_RATE_LIMIT)
def comment_create_view(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    item = item_get(kind=kind, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent_id = form.cleaned_data["parent"]
        parent = comments_of(item).filter(pk=parent_id).first() if parent_id else None
        try:
            comment = services.comment_create(
                item=item,
                author=request.user,
                body=form.cleaned_data["body"],
                language=form.cleaned_data["language"],
                parent=parent,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your comment has been published."))
            return redirect(_at(comment))
    # The text stays in the form, with what is wrong next to it.
    return render(
        request,
        "comments/comment_form.html",
        {"form": form, "item": item, "kind": kind},
        status=400,
    )


@login_required
def comment_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    comment = comment_get_for_author(pk=pk, user=request.user)
    form = CommentForm(
        request.POST or None, initial={"body": comment.body, "language": comment.language}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(
                comment=comment,
                by=request.user,
                body=form.cleaned_data["body"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your comment has been changed."))
            return redirect(_at(comment))
    return render(
        request,
        "comments/comment_form.html",
        {"form": form, "item": comment.item, "comment": comment},
    )


@login_required
def comment_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    comment = comment_get_for_author(pk=pk, user=request.user)
    if request.method == "POST":
        url = cast(Commentable, comment.item).get_absolute_url()
        services.comment_delete(comment=comment, by=request.user)
        messages.success(request, _("Your comment has been deleted."))
        return redirect(f"{url}#comments")
    return render(request, "comments/comment_delete.html", {"comment": comment})


def _reason_page(request, comment, *, action: str, title: str, service):
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(comment=comment, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return None
    return render(
        request,
        "comments/comment_reason.html",
        {"form": form, "comment": comment, "action": action, "title": title},
    )


@login_required
def comment_hide_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    comment = comment_get_for_moderator(pk=pk, user=request.user)
    page = _reason_page(
        request, comment, action="hide", title=_("Hide a comment"), service=services.comment_hide
    )
    if page is not None:
        return page
    messages.success(request, _("The comment is hidden."))
    return redirect(_at(comment))


@login_required
@require_POST
def comment_restore_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    comment = comment_get_for_moderator(pk=pk, user=request.user)
    services.comment_restore(comment=comment, by=request.user)
    messages.success(request, _("The comment can be read again."))
    return redirect(_at(comment))


@limit_posts("comment-report", limit=settings.COMMENT_RATE_LIMIT)
def comment_report_view(request: HttpRequest, pk: int) -> HttpResponse:
    comment = comment_get(pk=pk)
    if comment.is_deleted:
        return redirect(_at(comment))
    page = _reason_page(
        request,
        comment,
        action="report",
        title=_("Report a comment"),
        service=services.comment_report,
    )
    if page is not None:
        return page
    messages.success(request, _("Thank you: the moderators have been told."))
    return redirect(_at(comment))


@login_required
@require_POST
def item_switch_view(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    item = item_get(kind=kind, pk=pk)
    comment_open = request.POST.get("open") == "1"
    services.comments_switch(by=request.user, open=comment_open, item=item)
    messages.success(
        request, _("Comments are open.") if comment_open else _("Comments are closed.")
    )
    return redirect(f"{item.get_absolute_url()}#comments")


@login_required
@require_POST
def network_switch_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    network = get_object_or_404(Network, slug=slug)
    comment_open = request.POST.get("open") == "1"
    services.comments_switch(by=request.user, open=comment_open, network=network)
    messages.success(
        request,
        _("Comments are open on this network's pages.")
        if comment_open
        else _("Comments are closed on this network's pages."),
    )
    return redirect(network.get_absolute_url())
