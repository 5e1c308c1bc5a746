"""The four national response levels and their dispatch weights: each level counts twice the one below."""

from __future__ import annotations

SEVERITY_WEIGHTS: dict[str, float] = {"I": 8.0, "II": 4.0, "III": 2.0, "IV": 1.0}
