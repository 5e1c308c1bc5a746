"""The resources service: parks, depots, units, stock, policies and reservations that never double-book."""
