from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from . import services
from .forms import NoticePreferencesForm
from .selectors import notice_frequencies, notices_for, path_in


@login_required
def inbox_view(request):
    form = NoticePreferencesForm(
        request.POST if "preferences" in request.POST else None,
        initial=notice_frequencies(request.user),
    )
    if request.method == "POST":
        if "read" in request.POST:
            services.notices_mark_read(user=request.user)
            return redirect("notices:inbox")
        if form.is_valid():
            services.notice_preferences_set(user=request.user, frequencies=form.cleaned_data)
            messages.success(request, _("Your choices have been saved."))
            return redirect("notices:inbox")
    language = translation.get_language()
    return render(
        request,
        "notices/inbox.html",
        {
            "entries": [
                (notice, path_in(notice.path, language))
                for notice in notices_for(request.user)[:100]
            ],
            "form": form,
        },
    )
