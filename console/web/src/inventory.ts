// A park's inventory CSV read in the browser: every row becomes an import row or a bad row with its line and column.
import type { InventoryRowJson } from "./gen/emergency/resources/v1/resources_service_pb";

export interface BadRow {
  row: number;
  field: string;
  problem: string;
}

export interface ParsedInventory {
  rows: InventoryRowJson[];
  lines: number[];
  bad: BadRow[];
}

/** RFC 4180 CSV records (quoted fields, doubled quotes, CRLF). */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || record.length) {
    record.push(field);
    records.push(record);
  }
  return records;
}

const DEPOT_KINDS = ["FIRE_STATION", "RESCUE_BASE", "SUPPLY_WAREHOUSE"];

/** The CSV format of `emergency import`: a kind column (depot, unit, stock, reserve_policy) and the columns that kind uses. */
export function parseInventoryCsv(text: string, parkId: string): ParsedInventory {
  const records = csvRecords(text);
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const out: ParsedInventory = { rows: [], lines: [], bad: [] };
  records.slice(1).forEach((cells, index) => {
    const line = index + 2;
    if (cells.every((c) => c.trim() === "")) return;
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = (cells[i] ?? "").trim()));
    const problems: BadRow[] = [];
    const need = (key: string): string => {
      if (!row[key]) problems.push({ row: line, field: key, problem: "required" });
      return row[key] ?? "";
    };
    const number = (key: string, fallback?: number): number => {
      if (!row[key]) {
        if (fallback === undefined) problems.push({ row: line, field: key, problem: "required" });
        return fallback ?? 0;
      }
      const value = Number(row[key]);
      if (!Number.isFinite(value)) problems.push({ row: line, field: key, problem: `not a number: ${row[key]}` });
      return value;
    };
    let parsed: InventoryRowJson | null = null;
    switch ((row.kind ?? "").toLowerCase()) {
      case "depot": {
        const kind = need("depot_kind").toUpperCase();
        if (kind && !DEPOT_KINDS.includes(kind)) problems.push({ row: line, field: "depot_kind", problem: `one of ${DEPOT_KINDS.join(", ")}` });
        parsed = {
          depot: {
            name: `parks/${parkId}/depots/${need("id")}`,
            displayName: need("name"),
            kind: `KIND_${kind}` as never,
            location: { latitude: number("latitude"), longitude: number("longitude") },
            shared: ["1", "true", "yes"].includes((row.shared ?? "").toLowerCase()),
          },
        };
        break;
      }
      case "unit":
        parsed = {
          unit: {
            name: `parks/${parkId}/units/${need("id")}`,
            resourceType: need("resource_type"),
            callSign: need("call_sign"),
            homeDepotId: need("home_depot"),
            crewSize: Math.trunc(number("crew_size", 0)),
            capabilities: (row.capabilities ?? "").replace(/;/g, " ").split(/\s+/).filter(Boolean),
          },
        };
        break;
      case "stock":
        parsed = {
          stock: {
            name: `parks/${parkId}/depots/${need("depot")}/stocks/${need("resource_type")}`,
            resourceType: row.resource_type,
            onHand: number("on_hand"),
            minimumLevel: number("minimum_level", 0),
          },
        };
        break;
      case "reserve_policy":
        parsed = { reservePolicy: { parkId, resourceType: need("resource_type"), minimum: number("minimum") } };
        break;
      default:
        problems.push({ row: line, field: "kind", problem: "depot, unit, stock or reserve_policy" });
    }
    if (problems.length) out.bad.push(...problems);
    else if (parsed) {
      out.rows.push(parsed);
      out.lines.push(line);
    }
  });
  return out;
}

/** Server field violations ("inventory.rows[3].unit.resource_type") as bad rows with the file's line numbers. */
export function violationsToRows(violations: { field: string; description: string }[], lines: number[]): BadRow[] {
  return violations.map((v) => {
    const match = /rows\[(\d+)\]\.?(.*)$/.exec(v.field);
    if (!match) return { row: 0, field: v.field, problem: v.description };
    return { row: lines[Number(match[1])] ?? Number(match[1]) + 2, field: match[2] || v.field, problem: v.description };
  });
}
