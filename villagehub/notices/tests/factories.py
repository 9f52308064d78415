import factory

from villagehub.accounts.tests.factories import UserFactory
from villagehub.notices.models import Kind, Notice, NoticePreference


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    user = factory.SubFactory(UserFactory)
    kind = Kind.SUBMISSION
    subject = factory.Sequence(lambda n: f"Practice {n}")
    path = "/contribute/"


class NoticePreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoticePreference

    user = factory.SubFactory(UserFactory)
    kind = Kind.SUBMISSION
    frequency = NoticePreference.Frequency.DAILY
