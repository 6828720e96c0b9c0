/** The cloud-config YAML writer: every value round-trips as YAML 1.1, the version cloud-init (PyYAML) reads. */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { toYaml, YamlValue } from "../../../bootstrap/yaml";

describe("toYaml", () => {
  const cases: { what: string; value: { [k: string]: YamlValue } }[] = [
    { what: "scalars", value: { a: "x", b: 1, c: true, d: false, e: null, f: 0.5 } },
    {
      what: "strings YAML would otherwise read as other types",
      value: { a: "true", b: "0644", c: "null", d: "1e3", e: "- x", f: "#not a comment", g: "a: b" },
    },
    { what: "keys that need quoting", value: { "net.core.somaxconn": 1, "a b": 2, yes: 3, "": 4 } },
    {
      what: "strings YAML 1.1 reads as booleans, octals or sexagesimals",
      value: { a: "yes", b: "on", c: "off", d: "y", e: "0755", f: "1:20", g: "1_000", h: "~" },
    },
    { what: "a multi-line script with a final newline", value: { s: "#!/bin/bash\nset -e\n\necho 'hi' \"$x\"\n" } },
    { what: "a multi-line string without a final newline", value: { s: "line1\nline2" } },
    {
      what: "multi-line strings a block cannot hold exactly",
      value: { a: "  indented\nx", b: "trailing \nspace", c: "two\n\n", d: "cr\r\nlf" },
    },
    {
      what: "nested lists and mappings",
      value: { l: [["bash", "-c", "a\nb\n", "x"], { path: "/p", content: "c\n" }, [], {}, "s"], m: { n: { o: [1, 2] } } },
    },
    { what: "unicode and escapes", value: { s: "résumé \u0001 \t tab", t: "日本語\n改行\n" } },
  ];
  for (const c of cases) {
    it(`round-trips ${c.what}`, () => {
      assert.deepEqual(parse(toYaml(c.value), { version: "1.1" }), c.value);
    });
  }

  it("writes scripts as literal blocks so they read as scripts", () => {
    assert.equal(toYaml({ runcmd: ["echo a\necho b\n"] }), "runcmd:\n  - |\n    echo a\n    echo b\n");
  });

  it("never folds long lines (a folded script line would change the script)", () => {
    const line = `echo ${"x".repeat(300)}`;
    assert.equal(toYaml({ runcmd: [line] }), `runcmd:\n  - ${line}\n`);
  });

  it("omits undefined values", () => {
    assert.equal(toYaml({ a: 1, b: undefined }), "a: 1\n");
  });
});
