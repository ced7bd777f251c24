"""The "Your data" page and the download of everything the user's team owns."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from funnel.lib.http import AuthenticatedRequest
from funnel.transfer.export import JSON_NAME, VCARD_NAMES, export_chunks, file_name
from funnel.transfer.export_kinds import KINDS


@login_required
@require_safe
def export_page(request: AuthenticatedRequest) -> HttpResponse:
    files = [f"{kind.name}.csv" for kind in KINDS]
    context = {
        "files": files,
        "json_name": JSON_NAME,
        "vcard4": VCARD_NAMES["4.0"],
        "vcard3": VCARD_NAMES["3.0"],
    }
    return render(request, "transfer/export.html", context)


@login_required
@require_safe
def export_download(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """The zip, streamed as it is written: nothing is stored, and memory stays flat."""
    response = StreamingHttpResponse(export_chunks(request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{file_name(request.user)}"'
    response["Cache-Control"] = "no-store"  # the team's whole data: no copy on the way
    return response
