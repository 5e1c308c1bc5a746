import { describe, expect, it } from "vitest";
import { MAX_NOTES, loadNotes, saveNotes, type Note } from "../src/notes";

/** Storage as a browser tab keeps it, in memory. */
function tabStorage(): Pick<Storage, "getItem" | "setItem" | "removeItem"> {
  const items = new Map<string, string>();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
}

const note = (id: number): Note => ({ id, kind: "noteCommitted", text: `proposals/p-${id}`, time: new Date(Date.UTC(2026, 11, 4, 8, 0, id)) });

describe("notes kept across a reload", () => {
  it("come back as they were, times included, newest first", () => {
    const store = tabStorage();
    saveNotes([note(2), note(1)], store);
    expect(loadNotes(store)).toEqual([note(2), note(1)]);
  });

  it("keep at most the newest fifty", () => {
    const store = tabStorage();
    saveNotes(Array.from({ length: 60 }, (_, i) => note(60 - i)), store);
    const kept = loadNotes(store);
    expect(kept).toHaveLength(MAX_NOTES);
    expect(kept[0].id).toBe(60);
  });

  it("are cleared by saving none, and unreadable storage gives none", () => {
    const store = tabStorage();
    saveNotes([note(1)], store);
    saveNotes([], store);
    expect(loadNotes(store)).toEqual([]);
    store.setItem("console.notes", "{not json");
    expect(loadNotes(store)).toEqual([]);
    expect(loadNotes(undefined)).toEqual([]);
  });
});
