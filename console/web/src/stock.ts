// The park officer's edits as gateway requests: a unit out of service and back, a stock change with its ledger reason.
import type { Key } from "./i18n";

/** The state a unit can be moved to from the inventory page, and the button's label; null when none. */
export function unitToggle(state: string | undefined): { to: string; label: Key } | null {
  if (state === "STATE_AVAILABLE") return { to: "STATE_OUT_OF_SERVICE", label: "takeOutOfService" };
  if (state === "STATE_OUT_OF_SERVICE") return { to: "STATE_AVAILABLE", label: "backInService" };
  return null;
}

/** An AdjustStock request (without its request_id), or what is wrong: receipts add, losses take away, a reason is required. */
export function adjustRequest(stock: string, kind: string, delta: string, reason: string): { stock: string; kind: string; delta: number; reason: string } | { problem: string } {
  const value = Number(delta);
  if (delta.trim() === "" || !Number.isFinite(value) || value === 0) return { problem: "delta" };
  if (!reason.trim()) return { problem: "reason" };
  const signed = kind === "KIND_LOSS" ? -Math.abs(value) : kind === "KIND_RECEIPT" ? Math.abs(value) : value;
  return { stock, kind, delta: signed, reason: reason.trim() };
}
