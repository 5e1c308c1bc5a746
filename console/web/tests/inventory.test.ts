import { describe, expect, it } from "vitest";
import { csvRecords, parseInventoryCsv, violationsToRows } from "../src/inventory";

const FILE = `kind,id,name,depot_kind,latitude,longitude,shared,resource_type,call_sign,home_depot,crew_size,capabilities,depot,on_hand,minimum_level,minimum
depot,d1,"Depot, one",FIRE_STATION,31.9,120.2,yes,,,,,,,,,
unit,u1,,,,,,PUMPER_ENGINE,D1-PE01,d1,5,foam;water,,,,
unit,u2,,,,,,PUMPER_ENGINE,,d1,five,,,,,
stock,,,,,,,FOAM_AR_AFFF,,,,,d1,lots,,
depot,d2,Two,CASTLE,31.9,120.2,,,,,,,,,,
reserve_policy,,,,,,,PUMPER_ENGINE,,,,,,,,2
teleporter,,,,,,,,,,,,,,,
`;

describe("inventory CSV", () => {
  it("reads quoted fields", () => {
    expect(csvRecords('a,"b, c","d ""e"""\n1,2,3')).toEqual([["a", "b, c", 'd "e"'], ["1", "2", "3"]]);
  });

  it("turns good lines into import rows and reports every bad line with its field", () => {
    const parsed = parseInventoryCsv(FILE, "xiagang");
    expect(parsed.rows).toHaveLength(3);
    expect(parsed.lines).toEqual([2, 3, 7]);
    expect(parsed.rows[0].depot?.name).toBe("parks/xiagang/depots/d1");
    expect(parsed.rows[0].depot?.displayName).toBe("Depot, one");
    expect(parsed.rows[1].unit?.capabilities).toEqual(["foam", "water"]);
    expect(parsed.bad.map((b) => [b.row, b.field])).toEqual([
      [4, "call_sign"],
      [4, "crew_size"],
      [5, "on_hand"],
      [6, "depot_kind"],
      [8, "kind"],
    ]);
  });

  it("maps the server's field violations back to file lines", () => {
    const rows = violationsToRows([{ field: "inventory.rows[1].unit.resource_type", description: "unknown type" }, { field: "parent", description: "x" }], [2, 3, 7]);
    expect(rows).toEqual([
      { row: 3, field: "unit.resource_type", problem: "unknown type" },
      { row: 0, field: "parent", problem: "x" },
    ]);
  });
});
