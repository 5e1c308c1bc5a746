"""ResourceService methods of reserve policies and mutual-aid agreements."""

from __future__ import annotations

from emergency.resources.v1 import resources_service_pb2 as pb
from sqlmodel import Session

from services.common.errors import FieldViolation, raise_if
from services.common.interceptors import Context
from services.common.names import id_violations
from services.resources import mapping as mp
from services.resources import mapping_requests as mq
from services.resources import policies, store_policies
from services.resources.access import Action
from services.resources.names import AGREEMENT
from services.resources.servicer_base import ServicerBase, caller


class PolicyRpcs(ServicerBase):
    """Reserve policies (set, list) and mutual-aid agreements (create, list, delete)."""

    async def SetReservePolicy(self, request: pb.SetReservePolicyRequest, context: Context) -> pb.SetReservePolicyResponse:
        """Create or replace a park's home reserve of one type."""
        park_id = request.policy.park_id
        raise_if(id_violations("policy.park_id", park_id))
        principal = caller(Action.REGISTER, park=park_id)
        violations: list[FieldViolation] = []
        policy = mp.policy_from_pb(request.policy, violations)
        raise_if(violations)

        def work(session: Session) -> pb.SetReservePolicyResponse:
            stored = policies.set_reserve_policy(session, policy=policy, actor=principal.subject)
            return pb.SetReservePolicyResponse(policy=mp.policy_to_pb(stored))

        return await self._mutate("SetReservePolicy", request, pb.SetReservePolicyResponse, work)

    async def ListReservePolicies(self, request: pb.ListReservePoliciesRequest, context: Context) -> pb.ListReservePoliciesResponse:
        """Reserve policies of one park or all."""
        park_id = mq.optional_id(request.park_id, "park_id")
        caller(Action.READ)
        return await self._read(
            lambda s: pb.ListReservePoliciesResponse(policies=[mp.policy_to_pb(p) for p in store_policies.list_reserve_policies(s, park_id=park_id)])
        )

    async def CreateMutualAidAgreement(self, request: pb.CreateMutualAidAgreementRequest, context: Context) -> pb.CreateMutualAidAgreementResponse:
        """Record an agreement (the lender park's officer or an operator)."""
        message = request.agreement
        raise_if(id_violations("agreement.lender_park_id", message.lender_park_id))
        principal = caller(Action.REGISTER, park=message.lender_park_id)
        agreement = mp.agreement_from_pb(message)

        def work(session: Session) -> pb.CreateMutualAidAgreementResponse:
            stored = policies.set_mutual_aid(session, agreement=agreement, actor=principal.subject, replace=False)
            return pb.CreateMutualAidAgreementResponse(agreement=mp.agreement_to_pb(stored))

        return await self._mutate("CreateMutualAidAgreement", request, pb.CreateMutualAidAgreementResponse, work)

    async def ListMutualAidAgreements(self, request: pb.ListMutualAidAgreementsRequest, context: Context) -> pb.ListMutualAidAgreementsResponse:
        """Agreements a park lends or borrows under, or all."""
        park_id = mq.optional_id(request.park_id, "park_id")
        caller(Action.READ)
        return await self._read(
            lambda s: pb.ListMutualAidAgreementsResponse(agreements=[mp.agreement_to_pb(a) for a in store_policies.list_mutual_aid(s, park_id=park_id)])
        )

    async def DeleteMutualAidAgreement(self, request: pb.DeleteMutualAidAgreementRequest, context: Context) -> pb.DeleteMutualAidAgreementResponse:
        """End an agreement."""
        lender, borrower = AGREEMENT.parse(request.name)
        principal = caller(Action.REGISTER, park=lender)

        def work(session: Session) -> pb.DeleteMutualAidAgreementResponse:
            ended = policies.delete_mutual_aid(session, lender_park=lender, borrower_park=borrower, actor=principal.subject)
            return pb.DeleteMutualAidAgreementResponse(agreement=mp.agreement_to_pb(ended))

        return await self._mutate("DeleteMutualAidAgreement", request, pb.DeleteMutualAidAgreementResponse, work)
