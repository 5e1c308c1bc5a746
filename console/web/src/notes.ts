// Notifications kept in the tab's session storage, so that a reload (a language switch reloads the page) loses none.
import type { Key } from "./i18n";

export interface Note {
  id: number;
  kind: Key;
  text: string;
  time: Date;
  /** The domain event that raised it, if one did. */
  event?: string;
}

export const MAX_NOTES = 50;
const STORE = "console.notes";

type Store = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** The notes this tab kept, newest first; none when nothing (or nothing readable) is stored. */
export function loadNotes(store: Store | undefined = globalThis.sessionStorage): Note[] {
  try {
    const kept = JSON.parse(store?.getItem(STORE) ?? "[]") as (Omit<Note, "time"> & { time: string })[];
    return kept.map((note) => ({ ...note, time: new Date(note.time) }));
  } catch {
    return [];
  }
}

/** Keep the newest notes for the next load of the page; none clears them (at logout). */
export function saveNotes(notes: Note[], store: Store | undefined = globalThis.sessionStorage): void {
  if (notes.length) store?.setItem(STORE, JSON.stringify(notes.slice(0, MAX_NOTES)));
  else store?.removeItem(STORE);
}
