"""Prospecting blocks: plan them, see this week's and next week's, mark the ones that ended."""

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funnel.lib.http import AuthenticatedRequest
from funnel.lib.refusals import Refused
from funnel.prospecting import actions, facts, page, rules
from funnel.prospecting.forms import BlockForm, MarkForm
from funnel.prospecting.models import Block

PAGE = "prospecting/blocks.html"


def get_block(request: AuthenticatedRequest, pk: int) -> Block:
    """The user's own block, else 404: blocks are personal, even within a team."""
    return get_object_or_404(
        Block.objects.visible_to(request.user).filter(owner=request.user), pk=pk
    )


def new_block_form(request: AuthenticatedRequest) -> BlockForm:
    initial = {
        "title": _("Prospecting"),
        "starts_on": timezone.localdate(),
        "start_time": "09:00",
        "minutes": 180,
        "interval": 1,
    }
    return BlockForm(initial=initial, team=request.user.profile.team)


def render_page(
    request: AuthenticatedRequest,
    *,
    block_form: BlockForm | None = None,
    bound: MarkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = page.context(request.user, timezone.now(), bound=bound)
    context["block_form"] = block_form or new_block_form(request)
    return render(request, PAGE, context, status=status)


@login_required
def prospecting_blocks(request: AuthenticatedRequest) -> HttpResponse:
    if request.method != "POST":
        return render_page(request)
    form = BlockForm(request.POST, team=request.user.profile.team)
    form.instance.owner = request.user
    if not form.is_valid():
        return render_page(request, block_form=form, status=422)
    form.save()
    messages.success(request, _("Prospecting block planned: keep it sacred."))
    return redirect("prospecting_blocks")


@login_required
@require_POST
def block_stop(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    block = get_block(request, pk)
    actions.stop_block(block=block, zone=request.user.profile.zone, at=timezone.now())
    messages.success(request, _("%(title)s stops here; its past stays.") % {"title": block})
    return redirect("prospecting_blocks")


@login_required
@require_POST
def block_mark(request: AuthenticatedRequest, pk: int, stamp: int) -> HttpResponse:
    """Mark an ended occurrence; a refused move comes back with its message and the input."""
    block = get_block(request, pk)
    occurrence = find_occurrence(request, block, stamp)
    form = MarkForm(request.POST, occurrence=occurrence)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.mark(
                block=block,
                occurrence=occurrence,
                outcome=data["outcome"],
                now=timezone.now(),
                moved_start=data.get("moved_start"),
                moved_end=data.get("moved_end"),
            )
        except Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Marked: %(title)s.") % {"title": block})
            return redirect("prospecting_blocks")
    return render_page(request, bound=form, status=422)


def find_occurrence(request: AuthenticatedRequest, block: Block, stamp: int) -> rules.Occurrence:
    """The occurrence planned at `stamp` (seconds since the epoch), with its mark; else 404."""
    start = datetime.fromtimestamp(stamp, UTC)
    loaded = facts.load(request.user, since=start)
    for occurrence in loaded.planned_in(start, start + timedelta(seconds=1)):
        if occurrence.block.pk == block.pk:
            return occurrence
    raise Http404("No such occurrence")
