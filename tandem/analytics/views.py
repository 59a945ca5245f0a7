"""The dashboards as pages: a programme's (its managers, org admins) and the organisation's
roll-up (admins: every programme; managers: theirs), the CSV/XLSX download of every table, and
the list of pairs behind a figure. Thin: guard, parse the filters, ask the selectors."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from tandem.accounts.requests import signed_in_user
from tandem.analytics import charts, selectors, tables
from tandem.analytics.filters import Filters, Scope, filters_parse
from tandem.analytics.pairs import FIGURES, figure_label, pairs_behind
from tandem.analytics.permissions import analytics_program_access, analytics_programs_access
from tandem.audit.services import audit_export
from tandem.core.errors import InvalidInput
from tandem.core.exports import csv_download, xlsx_download
from tandem.core.web import guard_as_http
from tandem.participants.models import ParticipantRole
from tandem.programs.models import Program
from tandem.workspace.selectors import relationship_signals

PAIRS_PER_PAGE = 50
FORMATS = ("csv", "xlsx")
# The page's sections: heading, anchor, the tables (and their charts) in it.
GROUPS = [
    ("Funnel", "funnel", ["funnel"]),
    ("Matching", "matching", ["matching", "match-scores", "waiting"]),
    ("Engagement", "engagement", ["engagement", "met-recently"]),
    ("Satisfaction", "satisfaction", ["nps", "satisfaction"]),
    ("Skill growth", "skills", ["skills"]),
]


def _query(params: dict[str, str]) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def _get(request: HttpRequest) -> dict[str, str]:
    """The GET parameters, the last value of each."""
    return {key: str(request.GET.get(key, "")) for key in request.GET}


def _comparison(request: HttpRequest) -> Filters | None:
    """The second cohort, when the page compares two (`b_joined_from` / `b_joined_to`)."""
    if not (request.GET.get("b_joined_from") or request.GET.get("b_joined_to")):
        return None
    params = _get(request)
    second = {**params}
    for name in ("role", "department", "location", "weeks"):
        second["b_" + name] = params.get(name, "")
    return filters_parse(second, prefix="b_")


def _cohort_name(filters: Filters) -> str:
    start = filters.joined_from.isoformat() if filters.joined_from else "the start"
    end = filters.joined_to.isoformat() if filters.joined_to else "today"
    return f"Joined {start} to {end}"


def _dashboard_page(
    request: HttpRequest,
    *,
    programs: list[Program],
    program: Program | None,
    base_url: str,
    pairs_url: str | None,
    export_url: Callable[[str, str], str],
) -> HttpResponse:
    errors: list[Any] = []
    context: dict[str, Any] = {
        "nav_section": "programs" if program else "analytics",
        "program": program,
        "programs": programs,
        "base_url": base_url,
        "roles": ParticipantRole.choices,
        "params": request.GET,
    }
    try:
        filters = filters_parse(_get(request))
        second = _comparison(request)
    except InvalidInput as error:
        errors = error.errors
        context.update(errors=errors, data=None)
        template = "analytics/_dashboard.html" if request.htmx else "analytics/dashboard.html"  # type: ignore[attr-defined]
        return render(request, template, context, status=400)
    ids = tuple(p.pk for p in programs)
    data = selectors.dashboard(Scope(program_ids=ids, filters=filters))
    query = _query(filters.as_params())

    def link(figure: str) -> str:
        return f"{pairs_url or ''}?{_query({**filters.as_params(), 'figure': figure})}"

    table_map = tables.dashboard_tables(data)
    pictures = charts.dashboard_charts(data, link if pairs_url else None)

    def block(key: str) -> dict[str, Any]:
        table = table_map[key]
        return {
            "table": table,
            "chart": pictures.get(key),
            "rows": [
                (row, link(figure) if pairs_url and figure else None)
                for row, figure in table.rows_with_figures()
            ],
            "csv": f"{export_url(key, 'csv')}?{query}",
            "xlsx": f"{export_url(key, 'xlsx')}?{query}",
        }

    context.update(
        data=data,
        filters=filters,
        query=query,
        groups=[(title, anchor, [block(key) for key in keys]) for title, anchor, keys in GROUPS],
    )
    if second is not None:
        other = selectors.dashboard(Scope(program_ids=ids, filters=second))
        names = (_cohort_name(filters), _cohort_name(second))
        compare = tables.comparison_table(data, other, names)
        compare_query = _query(
            {
                **filters.as_params(),
                **{f"b_{k}": v for k, v in second.as_params().items()},
            }
        )
        context.update(
            compare=compare,
            compare_csv=f"{export_url('compare', 'csv')}?{compare_query}",
            compare_xlsx=f"{export_url('compare', 'xlsx')}?{compare_query}",
            compare_chart=charts.funnel_chart(data, None, other, names),
        )
    template = "analytics/_dashboard.html" if request.htmx else "analytics/dashboard.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_GET
def program_dashboard(request: HttpRequest, program_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    with guard_as_http():
        program = analytics_program_access(actor=actor, program_id=program_id)
    return _dashboard_page(
        request,
        programs=[program],
        program=program,
        base_url=reverse("analytics:program", args=[program.pk]),
        pairs_url=reverse("analytics:program_pairs", args=[program.pk]),
        export_url=lambda table, fmt: reverse(
            "analytics:program_export", args=[program.pk, table, fmt]
        ),
    )


@login_required
@require_GET
def organization_dashboard(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    with guard_as_http():
        programs = analytics_programs_access(actor=actor)
    return _dashboard_page(
        request,
        programs=programs,
        program=None,
        base_url=reverse("analytics:organization"),
        pairs_url=reverse("analytics:organization_pairs"),
        export_url=lambda table, fmt: reverse("analytics:organization_export", args=[table, fmt]),
    )


def _export(
    request: HttpRequest, *, programs: list[Program], name: str, table: str, fmt: str
) -> HttpResponseBase:
    if fmt not in FORMATS or (table not in tables.BUILDERS and table != "compare"):
        raise Http404("No such download.")
    try:
        filters = filters_parse(_get(request))
        second = _comparison(request)
    except InvalidInput as error:
        text = "; ".join(f"{e.field}: {e.message}" for e in error.errors)
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    ids = tuple(p.pk for p in programs)
    data = selectors.dashboard(Scope(program_ids=ids, filters=filters))
    if table == "compare":
        if second is None:
            raise Http404("Nothing to compare: give the second cohort.")
        other = selectors.dashboard(Scope(program_ids=ids, filters=second))
        built = tables.comparison_table(data, other, (_cohort_name(filters), _cohort_name(second)))
    else:
        built = tables.BUILDERS[table](data)
    filename = f"{slugify(name)}-{built.key}-{data['generated_at']:%Y-%m-%d}.{fmt}"
    actor = signed_in_user(request)
    audit_export(
        actor=actor,
        organization_id=actor.organization_id,
        what=f"analytics.{built.key}",
        export_format=fmt,
        target=programs[0] if len(programs) == 1 and table != "compare" else None,
        data={"program_ids": list(ids)},
    )
    if fmt == "csv":
        return csv_download(filename=filename, header=built.header, rows=built.rows)
    return xlsx_download(filename=filename, sheet=built.title, header=built.header, rows=built.rows)


@login_required
@require_GET
def program_export(request: HttpRequest, program_id: int, table: str, fmt: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    with guard_as_http():
        program = analytics_program_access(actor=actor, program_id=program_id)
    return _export(request, programs=[program], name=program.name, table=table, fmt=fmt)


@login_required
@require_GET
def organization_export(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    with guard_as_http():
        programs = analytics_programs_access(actor=actor)
    name = actor.organization.name if actor.organization else "organisation"
    return _export(request, programs=programs, name=name, table=table, fmt=fmt)


def _pairs_page(
    request: HttpRequest, *, programs: list[Program], program: Program | None
) -> HttpResponse:
    figure = request.GET.get("figure", "matched")
    context: dict[str, Any] = {
        "nav_section": "programs" if program else "analytics",
        "program": program,
        "programs": programs,
    }
    try:
        filters = filters_parse(_get(request))
        label = figure_label(figure)
    except InvalidInput as error:
        context.update(errors=error.errors, figures=FIGURES)
        return render(request, "analytics/pairs.html", context, status=400)
    scope = Scope(tuple(p.pk for p in programs), filters)
    page = Paginator(pairs_behind(scope=scope, figure=figure), PAIRS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    dashboard = (
        reverse("analytics:program", args=[program.pk])
        if program
        else reverse("analytics:organization")
    )
    context.update(
        figure=figure,
        label=label,
        page=page,
        rows=relationship_signals(relationships=list(page.object_list)),
        query=_query({**filters.as_params(), "figure": figure}),
        dashboard_url=f"{dashboard}?{_query(filters.as_params())}",
    )
    return render(request, "analytics/pairs.html", context)


@login_required
@require_GET
def program_pairs(request: HttpRequest, program_id: int) -> HttpResponse:
    """The programme's pairs behind one figure, with their activity signals (never content)."""
    actor = signed_in_user(request)
    with guard_as_http():
        program = analytics_program_access(actor=actor, program_id=program_id)
    return _pairs_page(request, programs=[program], program=program)


@login_required
@require_GET
def organization_pairs(request: HttpRequest) -> HttpResponse:
    """The pairs behind one figure of the roll-up, over the programmes the caller manages."""
    actor = signed_in_user(request)
    with guard_as_http():
        programs = analytics_programs_access(actor=actor)
    return _pairs_page(request, programs=programs, program=None)
