"""Names only the resources service gives out, on the shared name patterns of services/common/names.py."""

from __future__ import annotations

from services.common.names import NamePattern, collection

RESERVATION = collection("reservations")
AGREEMENT = NamePattern("mutualAidAgreements/{lender}.{borrower}")
