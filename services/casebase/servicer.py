"""CaseBaseService: proto <-> domain mapping and status codes; rules live in the domain modules, tables in store.py."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import grpc
from emergency.casebase.v1 import casebase_service_pb2 as pb
from emergency.casebase.v1 import casebase_service_pb2_grpc as pb_grpc
from emergency.common.v1 import common_pb2
from google.protobuf.message import Message
from sqlalchemy import Engine
from sqlmodel import Session

from services.casebase import store
from services.casebase.case_validation import validate_case
from services.casebase.config import CasebaseOptions
from services.casebase.convert_case import (
    OUTPUT_ONLY_PATHS,
    SEVERITY_TO_LEVEL,
    UPDATABLE_PATHS,
    case_field,
    case_raw,
    case_to_proto,
    kind_label,
    merge_case,
    query_from_profile,
    recommended_to_proto,
    similar_to_proto,
)
from services.casebase.convert_report import (
    case_from_live_report,
    inject_problems,
    is_live,
    report_document,
    report_problems,
    report_to_proto,
    scenario_id_of,
)
from services.casebase.convert_scenario import SharedDepot, scenario_field, scenario_raw, scenario_to_proto
from services.casebase.incidents import IncidentCheck
from services.casebase.recommend import RecommendConfig, recommend_demands
from services.casebase.scenario_validation import Problem, validate_scenario
from services.casebase.searcher import CaseSearcher, LibrarySnapshot
from services.casebase.vocabulary import HazardClass
from services.common.auth import Principal, Role, require_authenticated, require_role
from services.common.db import run_in_thread
from services.common.errors import FieldViolation, already_exists, failed_precondition, invalid_argument
from services.common.idempotency import M, request_id_violations, run_idempotent
from services.common.pagination import decode_page_token, effective_page_size, encode_page_token, page_size_violations

log = logging.getLogger(__name__)

ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
CASE_WRITERS = (Role.OPERATOR,)
SCENARIO_WRITERS = (Role.OPERATOR, Role.DRILL_DIRECTOR)
REPORT_WRITERS = (Role.OPERATOR, Role.DRILL_DIRECTOR)
MAX_QUERY = 200


def name_violations(name: str, collection: str, field: str = "name") -> list[FieldViolation]:
    """A resource name must be "{collection}/{id}"."""
    prefix, _, resource_id = name.partition("/")
    return [] if prefix == collection and ID.match(resource_id) else [FieldViolation(field, f"must be {collection}/{{id}}")]


def parse_name(name: str, collection: str, field: str = "name") -> str:
    """The id in "{collection}/{id}", or INVALID_ARGUMENT."""
    _raise_if(name_violations(name, collection, field))
    return name.partition("/")[2]


def violations_of(prefix: str, problems: Iterable[Problem]) -> list[FieldViolation]:
    """Problems as field violations under a request field."""
    return [FieldViolation(f"{prefix}.{p.path}" if p.path else prefix, p.message) for p in problems]


def _raise_if(violations: list[FieldViolation]) -> None:
    """INVALID_ARGUMENT with one violation per bad field, if anything is wrong."""
    merged: dict[str, list[str]] = {}
    for v in violations:
        messages = merged.setdefault(v.field, [])
        if v.description not in messages:
            messages.append(v.description)
    if merged:
        raise invalid_argument([FieldViolation(field, "; ".join(messages)) for field, messages in merged.items()])


def _id_violations(field: str, value: str) -> list[FieldViolation]:
    """An optional id of lowercase letters, digits and hyphens."""
    return [] if not value or ID.match(value) else [FieldViolation(field, "lowercase letters, digits and hyphens (at most 63), starting with a letter or digit")]


def _output_only(message: Message, prefix: str) -> list[FieldViolation]:
    """Output-only name and create_time must not be set by clients."""
    found = []
    for name in sorted(OUTPUT_ONLY_PATHS):
        descriptor = message.DESCRIPTOR.fields_by_name[name]
        if message.HasField(name) if descriptor.message_type is not None else bool(getattr(message, name)):
            found.append(FieldViolation(f"{prefix}.{name}", "output only; must not be set"))
    return found


def _translated(problems: list[Problem], translate: Callable[[str], str]) -> list[Problem]:
    """Domain problems at message paths."""
    return [Problem(translate(p.path) if p.path != "(root)" else "", p.code, p.message) for p in problems]


def _combined(conversion: list[Problem], domain: list[Problem]) -> list[Problem]:
    """Conversion problems, and the domain's except those at or above a field conversion already faulted."""

    def covered(path: str) -> bool:
        return any(c.path == path or c.path.startswith((f"{path}[", f"{path}.")) for c in conversion)

    return conversion + [p for p in domain if not covered(p.path)]


class CaseBaseServicer(pb_grpc.CaseBaseServiceServicer):
    """Serves cases, scenarios and after-action reports from this service's database; changes also go to the outbox."""

    def __init__(
        self, engine: Engine, searcher: CaseSearcher, options: CasebaseOptions, incidents: IncidentCheck, on_commit: Callable[[], None] = lambda: None
    ) -> None:
        self._engine = engine
        self._incidents = incidents
        self._searcher = searcher
        self._context = options.validation_context()
        self._depot = SharedDepot(options.shared_depot_park, options.shared_depot_id)
        self._on_commit = on_commit

    async def _mutate(self, method: str, request: Message, request_id: str, response_type: type[M], work: Callable[[Session], M]) -> M:
        """Run one idempotent change in a transaction off the event loop, then wake the outbox relay."""
        result = await run_in_thread(run_idempotent, self._engine, method=method, request=request, request_id=request_id, response_type=response_type, work=work)
        self._on_commit()
        return result

    async def _refresh_index(self) -> None:
        """Rebuild the search index after a change of the library, so the next search does not wait for it."""
        try:
            await run_in_thread(self._searcher.snapshot)
        except Exception:
            log.exception("could not rebuild the case index; the next search will retry")

    # --- cases ------------------------------------------------------------------------------

    async def CreateCase(self, request: pb.CreateCaseRequest, context: grpc.aio.ServicerContext) -> pb.CreateCaseResponse:
        """Add an accident case."""
        principal = require_role(*CASE_WRITERS)
        violations = request_id_violations(request.request_id) + _id_violations("case_id", request.case_id)
        case_id = request.case_id or f"case-{uuid.uuid4().hex[:12]}"
        raw, conversion = case_raw(request.accident_case, case_id)
        case, problems = validate_case(raw)
        problems = [p for p in _translated(problems, case_field) if p.path != "name"]
        violations += _output_only(request.accident_case, "accident_case") + violations_of("accident_case", _combined(conversion, problems))
        _raise_if(violations)
        assert case is not None

        def work(session: Session) -> pb.CreateCaseResponse:
            if store.case_exists(session=session, case_id=case.id):
                raise already_exists("case", case.name)
            row = store.insert_case(session=session, case=case, extra={"actor": principal.subject})
            return pb.CreateCaseResponse(accident_case=case_to_proto(case, row.created_at))

        response = await self._mutate("CreateCase", request, request.request_id, pb.CreateCaseResponse, work)
        await self._refresh_index()
        return response

    async def GetCase(self, request: pb.GetCaseRequest, context: grpc.aio.ServicerContext) -> pb.GetCaseResponse:
        """Return one case."""
        require_authenticated()
        case_id = parse_name(request.name, "cases")

        def read() -> pb.GetCaseResponse:
            with Session(self._engine) as session:
                row = store.get_case(session=session, case_id=case_id)
            return pb.GetCaseResponse(accident_case=case_to_proto(store.case_of(row), row.created_at))

        return await run_in_thread(read)

    async def ListCases(self, request: pb.ListCasesRequest, context: grpc.aio.ServicerContext) -> pb.ListCasesResponse:
        """Return a page of cases in id order, filtered by kind, hazard class, severity and text."""
        require_authenticated()
        violations = page_size_violations(request.page_size, maximum=500)
        if request.kind and request.kind not in common_pb2.IncidentKind.values():
            violations.append(FieldViolation("kind", f"unknown incident kind {request.kind}"))
        if request.hazard_class and request.hazard_class not in {h.value for h in HazardClass}:
            violations.append(FieldViolation("hazard_class", "must be a UN class or division, e.g. 2.3 or 8"))
        if request.severity and request.severity not in SEVERITY_TO_LEVEL:
            violations.append(FieldViolation("severity", f"unknown severity {request.severity}"))
        if len(request.query) > MAX_QUERY:
            violations.append(FieldViolation("query", f"at most {MAX_QUERY} characters"))
        _raise_if(violations)
        kind = kind_label(request.kind) or ""
        severity = SEVERITY_TO_LEVEL.get(request.severity, "")
        filters = {"kind": kind, "hazard_class": request.hazard_class, "severity": severity, "query": request.query.strip()}
        position = decode_page_token(request.page_token, filters)
        limit = effective_page_size(request.page_size, default=50, maximum=500)

        def read() -> pb.ListCasesResponse:
            with Session(self._engine) as session:
                rows = store.list_cases(
                    session=session, kind=kind, hazard_class=request.hazard_class, severity=severity, query=filters["query"],
                    after_id=str(position["id"]) if position else None, limit=limit,
                )
            page, more = rows[:limit], len(rows) > limit
            token = encode_page_token({"id": page[-1].case_id}, filters) if more and page else ""
            return pb.ListCasesResponse(cases=[case_to_proto(store.case_of(r), r.created_at) for r in page], next_page_token=token)

        return await run_in_thread(read)

    async def UpdateCase(self, request: pb.UpdateCaseRequest, context: grpc.aio.ServicerContext) -> pb.UpdateCaseResponse:
        """Change the fields of a case named in the update mask."""
        principal = require_role(*CASE_WRITERS)
        violations = request_id_violations(request.request_id) + name_violations(request.accident_case.name, "cases", "accident_case.name")
        case_id = request.accident_case.name.partition("/")[2]
        paths = list(dict.fromkeys(request.update_mask.paths))
        if not paths:
            violations.append(FieldViolation("update_mask", "name at least one field to change"))
        for path in paths:
            if path not in UPDATABLE_PATHS:
                reason = "output only" if path in OUTPUT_ONLY_PATHS else "not a field of AccidentCase (name top-level fields only)"
                violations.append(FieldViolation(f"update_mask.paths[{path}]", f"{path!r} cannot be updated: {reason}"))
        if request.accident_case.HasField("create_time"):
            violations.append(FieldViolation("accident_case.create_time", "output only; must not be set"))
        _raise_if(violations)

        def work(session: Session) -> pb.UpdateCaseResponse:
            row = store.get_case(session=session, case_id=case_id, for_update=True)
            merged, conversion = merge_case(store.case_of(row), request.accident_case, paths)
            case, problems = validate_case(merged)
            _raise_if(violations_of("accident_case", _combined(conversion, _translated(problems, case_field))))
            assert case is not None
            row = store.replace_case(session=session, case=case, changed=paths, actor=principal.subject)
            return pb.UpdateCaseResponse(accident_case=case_to_proto(case, row.created_at))

        response = await self._mutate("UpdateCase", request, request.request_id, pb.UpdateCaseResponse, work)
        await self._refresh_index()
        return response

    async def DeleteCase(self, request: pb.DeleteCaseRequest, context: grpc.aio.ServicerContext) -> pb.DeleteCaseResponse:
        """Remove a case."""
        require_role(*CASE_WRITERS)
        _raise_if(request_id_violations(request.request_id) + name_violations(request.name, "cases"))
        case_id = parse_name(request.name, "cases")

        def work(session: Session) -> pb.DeleteCaseResponse:
            row = store.delete_case(session=session, case_id=case_id)
            return pb.DeleteCaseResponse(accident_case=case_to_proto(store.case_of(row), row.created_at))

        response = await self._mutate("DeleteCase", request, request.request_id, pb.DeleteCaseResponse, work)
        await self._refresh_index()
        return response

    # --- search and recommendation ----------------------------------------------------------

    def _query(self, request: pb.SearchSimilarCasesRequest | pb.RecommendDemandsRequest, count_field: str, count: int) -> Any:
        """The domain query of a request's profile, or INVALID_ARGUMENT."""
        query, problems = query_from_profile(request.profile)
        violations = violations_of("profile", problems)
        if count < 0:
            violations.append(FieldViolation(count_field, "must be >= 0 (0 for the default)"))
        _raise_if(violations)
        return query

    async def SearchSimilarCases(self, request: pb.SearchSimilarCasesRequest, context: grpc.aio.ServicerContext) -> pb.SearchSimilarCasesResponse:
        """Rank cases by similarity to an incident, with the reason for each part of each score."""
        require_authenticated()
        query = self._query(request, "limit", request.limit)
        limit = effective_page_size(request.limit, default=5, maximum=50)

        def search() -> pb.SearchSimilarCasesResponse:
            snapshot = self._searcher.snapshot()
            hits = snapshot.index.search(query, k=limit)
            return pb.SearchSimilarCasesResponse(results=[self._similar(snapshot, h) for h in hits])

        return await run_in_thread(search)

    async def RecommendDemands(self, request: pb.RecommendDemandsRequest, context: grpc.aio.ServicerContext) -> pb.RecommendDemandsResponse:
        """Recommend demands from similar cases and hazard rules, each line citing its sources."""
        require_authenticated()
        query = self._query(request, "case_count", request.case_count)
        config = RecommendConfig(top_k=effective_page_size(request.case_count, default=3, maximum=10))

        def recommend() -> pb.RecommendDemandsResponse:
            snapshot = self._searcher.snapshot()
            recommendation = recommend_demands(query, snapshot.index, snapshot.library, config)
            return pb.RecommendDemandsResponse(
                demands=recommended_to_proto(recommendation), similar_cases=[self._similar(snapshot, h) for h in recommendation.similar]
            )

        return await run_in_thread(recommend)

    @staticmethod
    def _similar(snapshot: LibrarySnapshot, hit: Any) -> pb.SimilarCase:
        """A hit with its case as a message."""
        return similar_to_proto(hit, snapshot.library.get(hit.case_id), snapshot.added.get(hit.case_id))

    # --- scenarios --------------------------------------------------------------------------

    async def CreateScenario(self, request: pb.CreateScenarioRequest, context: grpc.aio.ServicerContext) -> pb.CreateScenarioResponse:
        """Add a drill scenario, validated as a whole (or only validate it)."""
        require_role(*SCENARIO_WRITERS)
        violations = [] if request.validate_only else request_id_violations(request.request_id)
        violations += _id_violations("scenario_id", request.scenario_id)
        scenario_id = request.scenario_id or f"scenario-{uuid.uuid4().hex[:12]}"
        raw, conversion = scenario_raw(request.scenario, scenario_id, self._depot)
        scenario, problems = validate_scenario(raw, self._context)
        problems = _translated(problems, lambda path: scenario_field(path, raw))
        violations += _output_only(request.scenario, "scenario") + violations_of("scenario", _combined(conversion, problems))
        _raise_if(violations)
        assert scenario is not None
        if request.validate_only:
            return pb.CreateScenarioResponse(scenario=scenario_to_proto(scenario, self._depot))

        def work(session: Session) -> pb.CreateScenarioResponse:
            if store.scenario_exists(session=session, scenario_id=scenario.id):
                raise already_exists("scenario", scenario.name)
            row = store.insert_scenario(session=session, scenario=scenario)
            return pb.CreateScenarioResponse(scenario=scenario_to_proto(scenario, self._depot, row.created_at))

        return await self._mutate("CreateScenario", request, request.request_id, pb.CreateScenarioResponse, work)

    async def GetScenario(self, request: pb.GetScenarioRequest, context: grpc.aio.ServicerContext) -> pb.GetScenarioResponse:
        """Return one scenario."""
        require_authenticated()
        scenario_id = parse_name(request.name, "scenarios")

        def read() -> pb.GetScenarioResponse:
            with Session(self._engine) as session:
                row = store.get_scenario(session=session, scenario_id=scenario_id)
            return pb.GetScenarioResponse(scenario=scenario_to_proto(store.scenario_of(row), self._depot, row.created_at))

        return await run_in_thread(read)

    async def ListScenarios(self, request: pb.ListScenariosRequest, context: grpc.aio.ServicerContext) -> pb.ListScenariosResponse:
        """Return a page of scenarios in id order."""
        require_authenticated()
        _raise_if(page_size_violations(request.page_size, maximum=500))
        filters: dict[str, Any] = {}
        position = decode_page_token(request.page_token, filters)
        limit = effective_page_size(request.page_size, default=50, maximum=500)

        def read() -> pb.ListScenariosResponse:
            with Session(self._engine) as session:
                rows = store.list_scenarios(session=session, after_id=str(position["id"]) if position else None, limit=limit)
            page, more = rows[:limit], len(rows) > limit
            token = encode_page_token({"id": page[-1].scenario_id}, filters) if more and page else ""
            scenarios = [scenario_to_proto(store.scenario_of(r), self._depot, r.created_at) for r in page]
            return pb.ListScenariosResponse(scenarios=scenarios, next_page_token=token)

        return await run_in_thread(read)

    async def DeleteScenario(self, request: pb.DeleteScenarioRequest, context: grpc.aio.ServicerContext) -> pb.DeleteScenarioResponse:
        """Remove a scenario."""
        require_role(*SCENARIO_WRITERS)
        _raise_if(request_id_violations(request.request_id) + name_violations(request.name, "scenarios"))
        scenario_id = parse_name(request.name, "scenarios")

        def work(session: Session) -> pb.DeleteScenarioResponse:
            row = store.delete_scenario(session=session, scenario_id=scenario_id)
            return pb.DeleteScenarioResponse(scenario=scenario_to_proto(store.scenario_of(row), self._depot, row.created_at))

        return await self._mutate("DeleteScenario", request, request.request_id, pb.DeleteScenarioResponse, work)

    # --- after-action reports ---------------------------------------------------------------

    async def CreateAfterActionReport(
        self, request: pb.CreateAfterActionReportRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateAfterActionReportResponse:
        """Store an after-action report of a drill or a closed live incident."""
        require_role(*REPORT_WRITERS)
        report = request.report
        violations = request_id_violations(request.request_id)
        if not request.HasField("report"):
            violations.append(FieldViolation("report", "required"))
        violations += violations_of("report", report_problems(report))
        _raise_if(violations)
        if is_live(report):
            await self._incidents.require_closed(list(report.incidents))
        report_id = f"aar-{uuid.uuid4().hex[:12]}"
        scenario_id = scenario_id_of(report)

        def work(session: Session) -> pb.CreateAfterActionReportResponse:
            if scenario_id:
                scenario = store.scenario_of(store.get_scenario(session=session, scenario_id=scenario_id))
                _raise_if(violations_of("report", inject_problems(report, scenario)))
            row = store.insert_report(
                session=session, report_id=report_id, scenario_id=scenario_id, exercise_id=report.exercise_id, live=is_live(report),
                score=report.score, document=report_document(report),
            )
            return pb.CreateAfterActionReportResponse(report=report_to_proto(store.report_document(row), report_id, row.created_at))

        return await self._mutate("CreateAfterActionReport", request, request.request_id, pb.CreateAfterActionReportResponse, work)

    async def GetAfterActionReport(self, request: pb.GetAfterActionReportRequest, context: grpc.aio.ServicerContext) -> pb.GetAfterActionReportResponse:
        """Return one after-action report."""
        require_authenticated()
        report_id = parse_name(request.name, "afterActionReports")

        def read() -> pb.GetAfterActionReportResponse:
            with Session(self._engine) as session:
                row = store.get_report(session=session, report_id=report_id)
            return pb.GetAfterActionReportResponse(report=report_to_proto(store.report_document(row), row.report_id, row.created_at))

        return await run_in_thread(read)

    async def ListAfterActionReports(
        self, request: pb.ListAfterActionReportsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListAfterActionReportsResponse:
        """Return a page of after-action reports, newest first, optionally of one scenario."""
        require_authenticated()
        _raise_if(page_size_violations(request.page_size, maximum=500))
        scenario_id = parse_name(request.scenario, "scenarios", "scenario") if request.scenario else ""
        filters = {"scenario": scenario_id}
        position = decode_page_token(request.page_token, filters)
        limit = effective_page_size(request.page_size, default=50, maximum=500)

        def read() -> pb.ListAfterActionReportsResponse:
            with Session(self._engine) as session:
                rows = store.list_reports(session=session, scenario_id=scenario_id, after_seq=int(position["seq"]) if position else None, limit=limit)
            page, more = rows[:limit], len(rows) > limit
            token = encode_page_token({"seq": page[-1].seq}, filters) if more and page else ""
            reports = [report_to_proto(store.report_document(r), r.report_id, r.created_at) for r in page]
            return pb.ListAfterActionReportsResponse(reports=reports, next_page_token=token)

        return await run_in_thread(read)

    async def CreateCaseFromReport(self, request: pb.CreateCaseFromReportRequest, context: grpc.aio.ServicerContext) -> pb.CreateCaseFromReportResponse:
        """Turn a live incident's after-action report into a new accident case."""
        principal: Principal = require_role(*CASE_WRITERS)
        _raise_if(request_id_violations(request.request_id) + name_violations(request.report, "afterActionReports", "report"))
        report_id = parse_name(request.report, "afterActionReports", "report")

        def incidents_of() -> tuple[bool, list[str]]:
            with Session(self._engine) as session:
                row = store.get_report(session=session, report_id=report_id)
                return row.live, list(store.report_document(row).get("incidents", []))

        live, incidents = await run_in_thread(incidents_of)
        if live:
            await self._incidents.require_closed(incidents)

        def work(session: Session) -> pb.CreateCaseFromReportResponse:
            row = store.get_report(session=session, report_id=report_id)
            if not row.live:
                raise failed_precondition("REPORT_NOT_LIVE", f"{request.report} is a drill report; only live incidents become cases", {"report": request.report})
            report = report_to_proto(store.report_document(row), row.report_id, row.created_at)
            try:
                case = case_from_live_report(report, row.report_id, row.created_at)
            except ValueError as exc:
                raise failed_precondition("REPORT_INCOMPLETE", f"{request.report} cannot become a case: {exc}", {"report": request.report}) from exc
            if store.case_exists(session=session, case_id=case.id):
                raise already_exists("case", case.name)
            created = store.insert_case(session=session, case=case, extra={"from_report": request.report, "actor": principal.subject})
            store.mark_report_case(session=session, report_id=row.report_id, case_id=case.id)
            return pb.CreateCaseFromReportResponse(accident_case=case_to_proto(case, created.created_at))

        response = await self._mutate("CreateCaseFromReport", request, request.request_id, pb.CreateCaseFromReportResponse, work)
        await self._refresh_index()
        return response
