"""Accident-case and drill-scenario libraries: content, retrieval, recommendation and validation."""
