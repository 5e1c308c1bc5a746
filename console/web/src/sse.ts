// Server-Sent Events over fetch (so the bearer token travels in a header), resumed with Last-Event-ID.
export interface SseFrame {
  event: string;
  data: string;
  id?: string;
}

/** Incremental SSE parser: feed text chunks, get whole frames; comment lines count as heartbeats. */
export class SseParser {
  private buffer = "";
  private fields: { event?: string; data: string[]; id?: string } = { data: [] };
  heartbeats = 0;
  retryMs: number | undefined;

  feed(chunk: string): SseFrame[] {
    this.buffer += chunk;
    const frames: SseFrame[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      if (line === "") {
        if (this.fields.data.length) {
          frames.push({ event: this.fields.event ?? "message", data: this.fields.data.join("\n"), id: this.fields.id });
        }
        this.fields = { data: [] };
        continue;
      }
      if (line.startsWith(":")) {
        this.heartbeats += 1;
        continue;
      }
      const colon = line.indexOf(":");
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (name === "data") this.fields.data.push(value);
      else if (name === "event") this.fields.event = value;
      else if (name === "id") this.fields.id = value;
      else if (name === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
    }
    return frames;
  }
}

export type StreamState = "connecting" | "live" | "offline";

export interface EventStreamOptions {
  url: string;
  token: () => string;
  onFrame: (frame: SseFrame) => void;
  onState: (state: StreamState) => void;
  /** No byte for this long means the connection is dead (the server sends heartbeats). */
  silenceMs?: number;
}

/** One resumable event connection; reconnects on its own and resumes from the last id it saw. */
export class EventStream {
  lastEventId = "";
  private controller: AbortController | null = null;
  private stopped = false;
  private attempt = 0;

  constructor(private readonly options: EventStreamOptions) {}

  start(): void {
    this.stopped = false;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.options.onState("connecting");
      try {
        await this.once();
      } catch {
        // a network error or an abort: reconnect below
      }
      if (this.stopped) return;
      this.options.onState("offline");
      this.attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * this.attempt, 5000)));
    }
  }

  private async once(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = { Accept: "text/event-stream", Authorization: `Bearer ${this.options.token()}` };
    if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
    const response = await fetch(this.options.url, { headers, signal: controller.signal, cache: "no-store" });
    if (!response.ok || !response.body) {
      this.options.onFrame({ event: "error", data: await response.text() });
      throw new Error(`events: HTTP ${response.status}`);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    const silenceMs = this.options.silenceMs ?? 45000;
    let watchdog = setTimeout(() => controller.abort(), silenceMs);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), silenceMs);
        for (const frame of parser.feed(value)) {
          if (frame.id) this.lastEventId = frame.id;
          if (frame.event === "ready" || frame.event === "resync") {
            this.attempt = 0;
            this.options.onState("live");
          }
          this.options.onFrame(frame);
        }
      }
    } finally {
      clearTimeout(watchdog);
    }
  }
}
