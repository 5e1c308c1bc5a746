import { describe, expect, it } from "vitest";
import { allKeys, lang, setLang, t, tEnum, textsOf } from "../src/i18n";

describe("labels", () => {
  it("has Chinese and English for every label, Chinese by default", () => {
    expect(lang()).toBe("zh");
    for (const key of allKeys()) {
      const [zh, en] = textsOf(key);
      expect(zh.trim(), key).not.toBe("");
      expect(en.trim(), key).not.toBe("");
    }
    expect(t("sev_SEVERITY_I")).toContain("特别重大");
    expect(tEnum("sev", "SEVERITY_IV")).toContain("一般");
  });

  it("switches to English", () => {
    setLang("en");
    expect(t("board")).toBe("Board");
    expect(tEnum("st", "STATE_RESPONDING")).toBe("Responding");
    expect(tEnum("st", "STATE_NEW")).toBe("STATE_NEW");
    setLang("zh");
  });

  it("names all four national response levels", () => {
    expect(["SEVERITY_I", "SEVERITY_II", "SEVERITY_III", "SEVERITY_IV"].map((s) => tEnum("sev", s).split(" ")[1])).toEqual(["特别重大", "重大", "较大", "一般"]);
  });
});
