"""Dispatch optimiser: a stateless planner that turns a request into a dispatch plan."""
