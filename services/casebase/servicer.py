"""CaseBaseService: transport only; messages are mapped in mapping_*.py, checked in validation*.py, changed by changes.py."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from emergency.casebase.v1 import casebase_service_pb2 as pb
from emergency.casebase.v1 import casebase_service_pb2_grpc as pb_grpc
from google.protobuf.message import Message
from sqlmodel import Session

from services.casebase import changes, mapping_case, mapping_report, mapping_scenario, store, validation_case, validation_report
from services.casebase.config import CasebaseOptions
from services.casebase.incidents import IncidentCheck
from services.casebase.models import Case, Scenario
from services.casebase.recommend import RecommendConfig, recommend_demands
from services.casebase.retrieval import IncidentQuery, SearchHit
from services.casebase.searcher import CaseSearcher, LibrarySnapshot
from services.casebase.validation import CASE_NAME, ID_HINT, REPORT_NAME, SCENARIO_NAME, combined, output_only_violations, translated, violations_of
from services.casebase.validation_scenario import validate_scenario
from services.common.auth import Role, require_authenticated, require_role
from services.common.db import run_in_thread
from services.common.errors import FieldViolation, raise_if
from services.common.idempotency import M, request_id_violations
from services.common.interceptors import Context
from services.common.names import id_violations
from services.common.pagination import effective_page_size, open_page, page_size_violations
from services.common.transactions import Transactions

log = logging.getLogger(__name__)

CASE_WRITERS = (Role.OPERATOR,)
SCENARIO_WRITERS = (Role.OPERATOR, Role.DRILL_DIRECTOR)
REPORT_WRITERS = (Role.OPERATOR, Role.DRILL_DIRECTOR)


class CaseBaseServicer(pb_grpc.CaseBaseServiceServicer):
    """Serves cases, scenarios and after-action reports from this service's database; changes also go to the outbox."""

    def __init__(self, tx: Transactions, searcher: CaseSearcher, options: CasebaseOptions, incidents: IncidentCheck) -> None:
        self._tx = tx
        self._incidents = incidents
        self._searcher = searcher
        self._context = options.validation_context()
        self._depot = mapping_scenario.SharedDepot(options.shared_depot_park, options.shared_depot_id)

    async def _mutate(self, method: str, request: Message, request_id: str, response_type: type[M], work: Callable[[Session], M]) -> M:
        """One idempotent change (the request id was checked with the request's other fields)."""
        return await self._tx.mutate(method=method, request=request, request_id=request_id, response_type=response_type, work=work)

    async def _refresh_index(self) -> None:
        """Rebuild the search index after a change of the library, so the next search does not wait for it."""
        try:
            await run_in_thread(self._searcher.snapshot)
        except Exception:
            log.exception("could not rebuild the case index; the next search will retry")

    # --- cases ------------------------------------------------------------------------------

    async def CreateCase(self, request: pb.CreateCaseRequest, context: Context) -> pb.CreateCaseResponse:
        """Add an accident case."""
        principal = require_role(*CASE_WRITERS)
        violations = request_id_violations(request.request_id) + id_violations("case_id", request.case_id, required=False, rule=ID_HINT)
        case_id = request.case_id or f"case-{uuid.uuid4().hex[:12]}"
        raw, conversion = mapping_case.case_raw(request.accident_case, case_id)
        case, problems = validation_case.validate_case(raw)
        problems = [p for p in translated(problems, mapping_case.case_field) if p.path != "name"]
        violations += output_only_violations(request.accident_case, "accident_case", mapping_case.OUTPUT_ONLY_PATHS)
        raise_if(violations + violations_of("accident_case", combined(conversion, problems)), merge=True)
        assert case is not None

        def work(session: Session) -> pb.CreateCaseResponse:
            row = changes.create_case(session, case, {"actor": principal.subject})
            return pb.CreateCaseResponse(accident_case=mapping_case.case_to_proto(case, row.created_at))

        response = await self._mutate("CreateCase", request, request.request_id, pb.CreateCaseResponse, work)
        await self._refresh_index()
        return response

    async def GetCase(self, request: pb.GetCaseRequest, context: Context) -> pb.GetCaseResponse:
        """Return one case."""
        require_authenticated()
        case_id = CASE_NAME.parse_one(request.name)
        return await self._tx.query(lambda session: pb.GetCaseResponse(accident_case=mapping_case.case_message(store.get_case(session, case_id=case_id))))

    async def ListCases(self, request: pb.ListCasesRequest, context: Context) -> pb.ListCasesResponse:
        """Return a page of cases in id order, filtered by kind, hazard class, severity and text."""
        require_authenticated()
        raise_if(validation_case.list_violations(request), merge=True)
        kind = mapping_case.kind_label(request.kind) or ""
        severity = mapping_case.SEVERITY_TO_LEVEL.get(request.severity, "")
        filters = {"kind": kind, "hazard_class": request.hazard_class, "severity": severity, "query": request.query.strip()}
        page = open_page(request.page_token, request.page_size, filters, default=50, maximum=500)

        def read(session: Session) -> pb.ListCasesResponse:
            fetched = store.list_cases(
                session, kind=kind, hazard_class=request.hazard_class, severity=severity, query=filters["query"],
                after_id=str(page.after["id"]) if page.after else None, limit=page.limit,
            )  # fmt: skip
            rows, token = page.cut(fetched, lambda row: {"id": row.case_id})
            return pb.ListCasesResponse(cases=[mapping_case.case_message(r) for r in rows], next_page_token=token)

        return await self._tx.query(read)

    async def UpdateCase(self, request: pb.UpdateCaseRequest, context: Context) -> pb.UpdateCaseResponse:
        """Change the fields of a case named in the update mask."""
        principal = require_role(*CASE_WRITERS)
        raise_if(validation_case.update_violations(request), merge=True)
        case_id = CASE_NAME.parse_one(request.accident_case.name, "accident_case.name")
        paths = list(dict.fromkeys(request.update_mask.paths))

        def revise(current: Case) -> Case:
            merged, conversion = mapping_case.merge_case(current, request.accident_case, paths)
            case, problems = validation_case.validate_case(merged)
            raise_if(violations_of("accident_case", combined(conversion, translated(problems, mapping_case.case_field))), merge=True)
            assert case is not None
            return case

        def work(session: Session) -> pb.UpdateCaseResponse:
            case, row = changes.update_case(session, case_id, paths, principal.subject, revise)
            return pb.UpdateCaseResponse(accident_case=mapping_case.case_to_proto(case, row.created_at))

        response = await self._mutate("UpdateCase", request, request.request_id, pb.UpdateCaseResponse, work)
        await self._refresh_index()
        return response

    async def DeleteCase(self, request: pb.DeleteCaseRequest, context: Context) -> pb.DeleteCaseResponse:
        """Remove a case."""
        require_role(*CASE_WRITERS)
        raise_if(request_id_violations(request.request_id) + CASE_NAME.violations(request.name), merge=True)
        case_id = CASE_NAME.parse_one(request.name)

        def work(session: Session) -> pb.DeleteCaseResponse:
            return pb.DeleteCaseResponse(accident_case=mapping_case.case_message(changes.delete_case(session, case_id)))

        response = await self._mutate("DeleteCase", request, request.request_id, pb.DeleteCaseResponse, work)
        await self._refresh_index()
        return response

    # --- search and recommendation ----------------------------------------------------------

    def _query(self, request: pb.SearchSimilarCasesRequest | pb.RecommendDemandsRequest, count_field: str, count: int) -> IncidentQuery:
        """The domain query of a request's profile, or INVALID_ARGUMENT."""
        query, problems = mapping_case.query_from_profile(request.profile)
        violations = violations_of("profile", problems)
        if count < 0:
            violations.append(FieldViolation(count_field, "must be >= 0 (0 for the default)"))
        raise_if(violations, merge=True)
        assert query is not None
        return query

    async def SearchSimilarCases(self, request: pb.SearchSimilarCasesRequest, context: Context) -> pb.SearchSimilarCasesResponse:
        """Rank cases by similarity to an incident, with the reason for each part of each score."""
        require_authenticated()
        query = self._query(request, "limit", request.limit)
        limit = effective_page_size(request.limit, default=5, maximum=50)

        def search() -> pb.SearchSimilarCasesResponse:
            snapshot = self._searcher.snapshot()
            hits = snapshot.index.search(query, k=limit)
            return pb.SearchSimilarCasesResponse(results=[self._similar(snapshot, h) for h in hits])

        return await run_in_thread(search)

    async def RecommendDemands(self, request: pb.RecommendDemandsRequest, context: Context) -> pb.RecommendDemandsResponse:
        """Recommend demands from similar cases and hazard rules, each line citing its sources."""
        require_authenticated()
        query = self._query(request, "case_count", request.case_count)
        config = RecommendConfig(top_k=effective_page_size(request.case_count, default=3, maximum=10))

        def recommend() -> pb.RecommendDemandsResponse:
            snapshot = self._searcher.snapshot()
            recommendation = recommend_demands(query, snapshot.index, snapshot.library, config)
            return pb.RecommendDemandsResponse(
                demands=mapping_case.recommended_to_proto(recommendation), similar_cases=[self._similar(snapshot, h) for h in recommendation.similar]
            )

        return await run_in_thread(recommend)

    @staticmethod
    def _similar(snapshot: LibrarySnapshot, hit: SearchHit) -> pb.SimilarCase:
        """A hit with its case as a message."""
        return mapping_case.similar_to_proto(hit, snapshot.library.get(hit.case_id), snapshot.added.get(hit.case_id))

    # --- scenarios --------------------------------------------------------------------------

    async def CreateScenario(self, request: pb.CreateScenarioRequest, context: Context) -> pb.CreateScenarioResponse:
        """Add a drill scenario, validated as a whole (or only validate it)."""
        require_role(*SCENARIO_WRITERS)
        violations = [] if request.validate_only else request_id_violations(request.request_id)
        violations += id_violations("scenario_id", request.scenario_id, required=False, rule=ID_HINT)
        scenario_id = request.scenario_id or f"scenario-{uuid.uuid4().hex[:12]}"
        raw, conversion = mapping_scenario.scenario_raw(request.scenario, scenario_id, self._depot)
        scenario, problems = validate_scenario(raw, self._context)
        problems = translated(problems, lambda path: mapping_scenario.scenario_field(path, raw))
        violations += output_only_violations(request.scenario, "scenario", mapping_case.OUTPUT_ONLY_PATHS)
        raise_if(violations + violations_of("scenario", combined(conversion, problems)), merge=True)
        assert scenario is not None
        if request.validate_only:
            return pb.CreateScenarioResponse(scenario=mapping_scenario.scenario_to_proto(scenario, self._depot))

        def work(session: Session) -> pb.CreateScenarioResponse:
            row = changes.create_scenario(session, scenario)
            return pb.CreateScenarioResponse(scenario=mapping_scenario.scenario_to_proto(scenario, self._depot, row.created_at))

        return await self._mutate("CreateScenario", request, request.request_id, pb.CreateScenarioResponse, work)

    async def GetScenario(self, request: pb.GetScenarioRequest, context: Context) -> pb.GetScenarioResponse:
        """Return one scenario."""
        require_authenticated()
        scenario_id = SCENARIO_NAME.parse_one(request.name)

        def read(session: Session) -> pb.GetScenarioResponse:
            return pb.GetScenarioResponse(scenario=mapping_scenario.scenario_message(store.get_scenario(session, scenario_id=scenario_id), self._depot))

        return await self._tx.query(read)

    async def ListScenarios(self, request: pb.ListScenariosRequest, context: Context) -> pb.ListScenariosResponse:
        """Return a page of scenarios in id order."""
        require_authenticated()
        page = open_page(request.page_token, request.page_size, {}, default=50, maximum=500)

        def read(session: Session) -> pb.ListScenariosResponse:
            fetched = store.list_scenarios(session, after_id=str(page.after["id"]) if page.after else None, limit=page.limit)
            rows, token = page.cut(fetched, lambda row: {"id": row.scenario_id})
            return pb.ListScenariosResponse(scenarios=[mapping_scenario.scenario_message(r, self._depot) for r in rows], next_page_token=token)

        return await self._tx.query(read)

    async def DeleteScenario(self, request: pb.DeleteScenarioRequest, context: Context) -> pb.DeleteScenarioResponse:
        """Remove a scenario."""
        require_role(*SCENARIO_WRITERS)
        raise_if(request_id_violations(request.request_id) + SCENARIO_NAME.violations(request.name), merge=True)
        scenario_id = SCENARIO_NAME.parse_one(request.name)

        def work(session: Session) -> pb.DeleteScenarioResponse:
            row = changes.delete_scenario(session, scenario_id)
            return pb.DeleteScenarioResponse(scenario=mapping_scenario.scenario_message(row, self._depot))

        return await self._mutate("DeleteScenario", request, request.request_id, pb.DeleteScenarioResponse, work)

    # --- after-action reports ---------------------------------------------------------------

    async def CreateAfterActionReport(self, request: pb.CreateAfterActionReportRequest, context: Context) -> pb.CreateAfterActionReportResponse:
        """Store an after-action report of a drill or a closed live incident."""
        require_role(*REPORT_WRITERS)
        report = request.report
        violations = request_id_violations(request.request_id)
        if not request.HasField("report"):
            violations.append(FieldViolation("report", "required"))
        raise_if(violations + violations_of("report", validation_report.report_problems(report)), merge=True)
        live = mapping_report.is_live(report)
        if live:
            await self._incidents.require_closed(list(report.incidents))
        report_id = f"aar-{uuid.uuid4().hex[:12]}"

        def check(scenario: Scenario) -> None:
            raise_if(violations_of("report", validation_report.inject_problems(report, scenario)), merge=True)

        def work(session: Session) -> pb.CreateAfterActionReportResponse:
            row = changes.create_report(
                session, report_id, mapping_report.scenario_id_of(report), check,
                exercise_id=report.exercise_id, live=live, score=report.score, document=mapping_report.report_body(report),
            )  # fmt: skip
            return pb.CreateAfterActionReportResponse(report=mapping_report.report_message(row))

        return await self._mutate("CreateAfterActionReport", request, request.request_id, pb.CreateAfterActionReportResponse, work)

    async def GetAfterActionReport(self, request: pb.GetAfterActionReportRequest, context: Context) -> pb.GetAfterActionReportResponse:
        """Return one after-action report."""
        require_authenticated()
        report_id = REPORT_NAME.parse_one(request.name)
        return await self._tx.query(
            lambda session: pb.GetAfterActionReportResponse(report=mapping_report.report_message(store.get_report(session, report_id=report_id)))
        )

    async def ListAfterActionReports(self, request: pb.ListAfterActionReportsRequest, context: Context) -> pb.ListAfterActionReportsResponse:
        """Return a page of after-action reports, newest first, optionally of one scenario."""
        require_authenticated()
        raise_if(page_size_violations(request.page_size, maximum=500))
        scenario_id = SCENARIO_NAME.parse_one(request.scenario, "scenario") if request.scenario else ""
        page = open_page(request.page_token, request.page_size, {"scenario": scenario_id}, default=50, maximum=500)

        def read(session: Session) -> pb.ListAfterActionReportsResponse:
            fetched = store.list_reports(session, scenario_id=scenario_id, after_seq=int(page.after["seq"]) if page.after else None, limit=page.limit)
            rows, token = page.cut(fetched, lambda row: {"seq": row.seq})
            return pb.ListAfterActionReportsResponse(reports=[mapping_report.report_message(r) for r in rows], next_page_token=token)

        return await self._tx.query(read)

    async def CreateCaseFromReport(self, request: pb.CreateCaseFromReportRequest, context: Context) -> pb.CreateCaseFromReportResponse:
        """Turn a live incident's after-action report into a new accident case."""
        principal = require_role(*CASE_WRITERS)
        raise_if(request_id_violations(request.request_id) + REPORT_NAME.violations(request.report, "report"), merge=True)
        report_id = REPORT_NAME.parse_one(request.report, "report")

        def live_incidents(session: Session) -> list[str] | None:
            row = store.get_report(session, report_id=report_id)
            return mapping_report.incidents_of(row) if row.live else None

        incidents = await self._tx.query(live_incidents)
        if incidents is not None:
            await self._incidents.require_closed(incidents)

        def work(session: Session) -> pb.CreateCaseFromReportResponse:
            case, created = changes.case_from_report(session, request.report, report_id, principal.subject, mapping_report.case_of_report)
            return pb.CreateCaseFromReportResponse(accident_case=mapping_case.case_to_proto(case, created.created_at))

        response = await self._mutate("CreateCaseFromReport", request, request.request_id, pb.CreateCaseFromReportResponse, work)
        await self._refresh_index()
        return response
