import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.comments import services
from villagehub.comments.models import Comment, CommentReport, CommentsOff
from villagehub.comments.selectors import comment_thread, comments_open
from villagehub.events.tests.factories import event_make
from villagehub.news.tests.factories import NewsItemFactory, network_with_community
from villagehub.notices.models import Notice
from villagehub.practices.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    network, town = network_with_community()
    item = NewsItemFactory(slug="fibre", title="Fibre for every farm", network=network)
    practice = PracticeFactory(slug="village-shop", title="Village shop", community=town)
    event = event_make(title="Smart Café")
    event.organiser_networks.add(network)
    return {
        "network": network,
        "town": town,
        "item": item,
        "practice": practice,
        "event": event,
        "coordinator": person("coordinator", coordinator=network),
        "editor": person("editor", community_editor=town),
        "ana": person("ana"),
        "ben": person("ben"),
    }


def _post(item, author, body="Well done!", **kwargs):
    return services.comment_create(item=item, author=author, body=body, language="en", **kwargs)


def test_people_comment_and_reply_one_level_deep(world):
    top = _post(world["item"], world["ana"], "How fast is it?")
    reply = _post(world["item"], world["ben"], "100 Mbit/s.", parent=top)
    with pytest.raises(ValidationError) as refused:
        _post(world["item"], world["ana"], "And upload?", parent=reply)
    assert "parent" in refused.value.message_dict
    thread = comment_thread(world["item"])
    assert [c.body for c in thread.comments] == ["How fast is it?"]
    assert [r.body for r in thread.comments[0].thread_replies] == ["100 Mbit/s."]
    assert thread.count == 2


def test_a_reply_must_belong_to_the_same_item(world):
    elsewhere = _post(world["practice"], world["ana"])
    with pytest.raises(ValidationError):
        _post(world["item"], world["ben"], parent=elsewhere)


def test_an_empty_comment_is_refused_on_its_field(world):
    with pytest.raises(ValidationError) as refused:
        _post(world["item"], world["ana"], "   ")
    assert list(refused.value.message_dict) == ["body"]


def test_only_the_author_edits_or_deletes_a_comment(world):
    comment = _post(world["item"], world["ana"], "Frist")
    with pytest.raises(PermissionDenied):
        services.comment_update(comment=comment, by=world["ben"], body="Mine now", language="en")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, by=world["coordinator"])
    services.comment_update(comment=comment, by=world["ana"], body="First", language="en")
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at is not None) == ("First", True)
    services.comment_delete(comment=comment, by=world["ana"])
    assert not Comment.objects.exists()


def test_a_deleted_comment_with_replies_keeps_its_place_without_text_or_author(world):
    top = _post(world["item"], world["ana"], "Question")
    reply = _post(world["item"], world["ben"], "Answer", parent=top)
    services.comment_delete(comment=top, by=world["ana"])
    top.refresh_from_db()
    assert (top.body, top.author, top.is_deleted) == ("", None, True)
    # The last reply gone, the empty place goes too.
    services.comment_delete(comment=reply, by=world["ben"])
    assert not Comment.objects.exists()


@pytest.mark.parametrize("item_name", ["item", "practice", "event"])
def test_coordinators_hide_and_restore_with_a_reason_others_cannot(world, item_name):
    item = world[item_name]
    comment = _post(item, world["ana"], "Buy cheap watches")
    for outsider in (world["ben"], world["ana"]):
        with pytest.raises(PermissionDenied):
            services.comment_hide(comment=comment, by=outsider, reason="spam")
    with pytest.raises(ValidationError) as refused:
        services.comment_hide(comment=comment, by=world["coordinator"], reason=" ")
    assert list(refused.value.message_dict) == ["reason"]
    services.comment_hide(comment=comment, by=world["coordinator"], reason="Advertising")
    comment.refresh_from_db()
    assert (comment.is_hidden, comment.hidden_reason) == (True, "Advertising")
    assert comment_thread(item).count == 0
    services.comment_restore(comment=comment, by=world["coordinator"])
    comment.refresh_from_db()
    assert (comment.is_hidden, comment.hidden_reason) == (False, "")


def test_the_practices_community_editor_moderates_its_comments(world):
    comment = _post(world["practice"], world["ana"])
    services.comment_hide(comment=comment, by=world["editor"], reason="Off topic")
    assert Comment.objects.get().hidden_by == world["editor"]


def test_a_report_reaches_the_coordinators_once(world, django_capture_on_commit_callbacks):
    comment = _post(world["item"], world["ana"], "Rude words")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.comment_report(comment=comment, by=world["ben"], reason="Rude")
        assert not services.comment_report(comment=comment, by=world["ben"], reason="Again")
    assert CommentReport.objects.get().reason == "Rude"
    (notice,) = Notice.objects.all()
    assert notice.user == world["coordinator"]
    assert notice.kind == "comment_report"
    assert notice.subject == "A comment on “Fibre for every farm”"
    assert notice.path == f"/news/fibre/#comment-{comment.pk}"


def test_comments_close_per_item_and_per_network(world):
    item, practice = world["item"], world["practice"]
    with pytest.raises(PermissionDenied):
        services.comments_switch(by=world["ana"], open=False, item=item)
    services.comments_switch(by=world["coordinator"], open=False, item=item)
    assert not comments_open(item)
    assert comments_open(practice)
    with pytest.raises(ValidationError):
        _post(item, world["ana"])
    services.comments_switch(by=world["coordinator"], open=True, item=item)
    assert comments_open(item)
    with pytest.raises(PermissionDenied):
        services.comments_switch(by=world["editor"], open=False, network=world["network"])
    services.comments_switch(by=world["coordinator"], open=False, network=world["network"])
    assert not any(comments_open(world[n]) for n in ("item", "practice", "event"))
    services.comments_switch(by=world["coordinator"], open=True, network=world["network"])
    assert not CommentsOff.objects.exists()


# Pages -------------------------------------------------------------------------------------


def test_a_signed_in_person_comments_through_the_plain_form(client, world):
    page = client.get("/news/fibre/").content.decode()
    assert "Sign in to comment." in page
    sign_in(client, world["ana"])
    page = client.get("/news/fibre/").content.decode()
    assert 'id="comment-body-new"' in page
    response = client.post(
        f"/comments/news/{world['item'].pk}/",
        {"body": "Is **upload** symmetric? <script>x()</script>", "language": "fi"},
    )
    comment = Comment.objects.get()
    assert response["Location"] == f"/news/fibre/#comment-{comment.pk}"
    page = client.get("/news/fibre/").content.decode()
    assert '<div lang="fi"><p>Is <strong>upload</strong> symmetric?' in page
    assert "<script>x()</script>" not in page
    assert "Comments (1)" in page


def test_a_refused_comment_keeps_its_text(client, world):
    sign_in(client, world["ana"])
    long = "x" * 4001
    response = client.post(
        f"/comments/practice/{world['practice'].pk}/", {"body": long, "language": "en"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert long in page
    assert "Your comment" in page and 'class="problems"' in page
    assert not Comment.objects.exists()


def test_anonymous_visitors_cannot_post(client, world):
    response = client.post(f"/comments/news/{world['item'].pk}/", {"body": "Hi", "language": "en"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Comment.objects.exists()


def test_drafts_take_no_comments(client, world):
    draft = NewsItemFactory(slug="draft", network=world["network"], published_at=None)
    sign_in(client, world["ana"])
    response = client.post(f"/comments/news/{draft.pk}/", {"body": "Hi", "language": "en"})
    assert response.status_code == 404


def test_someone_elses_comment_cannot_be_edited_or_deleted_through_the_pages(client, world):
    comment = _post(world["item"], world["ana"], "Mine")
    sign_in(client, world["ben"])
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 404
    edit = client.post(f"/comments/{comment.pk}/edit/", {"body": "x", "language": "en"})
    assert edit.status_code == 404
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 404
    assert Comment.objects.get().body == "Mine"


def test_a_non_moderator_cannot_hide_through_the_pages(client, world):
    comment = _post(world["item"], world["ana"], "Mine")
    sign_in(client, world["ben"])
    assert client.post(f"/comments/{comment.pk}/hide/", {"reason": "x"}).status_code == 404
    assert client.post(f"/comments/{comment.pk}/restore/").status_code == 404
    assert not Comment.objects.get().is_hidden
    assert "Hide" not in client.get("/news/fibre/").content.decode().split('id="comments"')[1]


def test_the_author_edits_and_a_moderator_hides_through_the_pages(client, world):
    comment = _post(world["item"], world["ana"], "Frist")
    sign_in(client, world["ana"])
    client.post(f"/comments/{comment.pk}/edit/", {"body": "First", "language": "en"})
    assert Comment.objects.get().body == "First"
    sign_in(client, world["coordinator"])
    form = client.get(f"/comments/{comment.pk}/hide/")
    assert form.status_code == 200
    refused = client.post(f"/comments/{comment.pk}/hide/", {"reason": ""})
    assert "Reason" in refused.content.decode()
    client.post(f"/comments/{comment.pk}/hide/", {"reason": "Off topic"})
    sign_in(client, world["ben"])
    page = client.get("/news/fibre/").content.decode()
    assert "Hidden by the moderators: Off topic" in page
    assert "First" not in page.split('id="comments"')[1]


def test_reporting_through_the_page(client, world, django_capture_on_commit_callbacks):
    comment = _post(world["item"], world["ana"], "Rude")
    sign_in(client, world["ben"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/comments/{comment.pk}/report/", {"reason": "Insults"})
    assert response.status_code == 302
    assert Notice.objects.get().kind == "comment_report"


def test_a_visitor_without_an_account_reports_a_comment(
    client, world, django_capture_on_commit_callbacks
):
    comment = _post(world["item"], world["ana"], "Rude")
    page = client.get("/news/fibre/").content.decode()
    assert f'href="/comments/{comment.pk}/report/"' in page
    assert client.get(f"/comments/{comment.pk}/report/").status_code == 200
    empty = client.post(f"/comments/{comment.pk}/report/", {"reason": " "})
    assert empty.status_code == 200
    assert CommentReport.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/comments/{comment.pk}/report/", {"reason": "Insults"})
        second = client.post(f"/comments/{comment.pk}/report/", {"reason": "Spam"})
    assert (first.status_code, second.status_code) == (302, 302)
    # Both reports are kept, with nothing about who sent them; the coordinators hear once.
    assert sorted(CommentReport.objects.values_list("reason", "by")) == [
        ("Insults", None),
        ("Spam", None),
    ]
    (notice,) = Notice.objects.all()
    assert (notice.user, notice.kind) == (world["coordinator"], "comment_report")


def test_visitors_reports_are_rate_limited(client, world, settings):
    cache.clear()
    comment = _post(world["item"], world["ana"], "Rude")
    url = f"/comments/{comment.pk}/report/"
    for _n in range(settings.COMMENT_RATE_LIMIT):
        assert client.post(url, {"reason": "Spam"}, REMOTE_ADDR="203.0.113.7").status_code == 302
    assert client.post(url, {"reason": "Spam"}, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.post(url, {"reason": "Spam"}, REMOTE_ADDR="203.0.113.8").status_code == 302


def test_posting_is_rate_limited(client, world, settings):
    cache.clear()
    sign_in(client, world["ana"])
    url = f"/comments/news/{world['item'].pk}/"
    limit = settings.COMMENT_RATE_LIMIT
    for n in range(limit):
        assert client.post(url, {"body": f"Comment {n}", "language": "en"}).status_code == 302
    assert client.post(url, {"body": "One more", "language": "en"}).status_code == 429
    assert Comment.objects.count() == limit


def test_the_thread_is_read_in_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    url = world["item"].get_absolute_url()
    client.get(url)
    _post(world["item"], world["ana"])
    with django_assert_num_queries(8) as one:
        client.get(url)
    for n in range(5):
        top = _post(world["item"], world["ana"], f"Top {n}")
        _post(world["item"], world["ben"], f"Reply {n}", parent=top)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert "Comments (11)" in page


def test_a_long_thread_stays_a_light_page(client, world):
    for n in range(10):
        top = _post(world["practice"], world["ana"], f"Question {n} " + "words " * 40)
        _post(world["practice"], world["ben"], f"Answer {n} " + "words " * 40, parent=top)
    sign_in(client, world["editor"])
    page = client.get(world["practice"].get_absolute_url())
    assert page.content.decode().count("<textarea") == 11
    assert len(page.content) < 60_000


def test_switches_on_the_pages(client, world):
    network = world["network"]
    sign_in(client, world["editor"])
    assert (
        client.post(f"/comments/network/{network.slug}/switch/", {"open": "0"}).status_code == 403
    )
    sign_in(client, world["coordinator"])
    assert "Close comments</button>" in client.get(network.get_absolute_url()).content.decode()
    client.post(f"/comments/network/{network.slug}/switch/", {"open": "0"})
    assert CommentsOff.objects.get().network == network
    page = client.get("/news/fibre/").content.decode()
    assert "Comments are closed." in page and 'id="comment-body-new"' not in page
    client.post(f"/comments/network/{network.slug}/switch/", {"open": "1"})
    client.post(f"/comments/news/{world['item'].pk}/switch/", {"open": "0"})
    assert CommentsOff.objects.get().object_id == world["item"].pk
    assert "Open comments on this page" in client.get("/news/fibre/").content.decode()
