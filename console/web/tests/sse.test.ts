import { describe, expect, it } from "vitest";
import { SseParser } from "../src/sse";

describe("SSE parser", () => {
  it("assembles frames across chunks, with ids, names, multi-line data and heartbeats", () => {
    const parser = new SseParser();
    expect(parser.feed("retry: 1000\n\nid: a=1-1\nevent: dom")).toEqual([]);
    const frames = parser.feed('ain\ndata: {"x":1}\n\n: heartbeat\n\ndata: one\r\ndata: two\r\n\r\n');
    expect(frames).toEqual([
      { event: "domain", data: '{"x":1}', id: "a=1-1" },
      { event: "message", data: "one\ntwo", id: undefined },
    ]);
    expect(parser.heartbeats).toBe(1);
    expect(parser.retryMs).toBe(1000);
  });

  it("ignores frames without data and unknown fields", () => {
    const parser = new SseParser();
    expect(parser.feed("event: nothing\n\nfoo: bar\ndata:x\n\n")).toEqual([{ event: "message", data: "x", id: undefined }]);
  });
});
