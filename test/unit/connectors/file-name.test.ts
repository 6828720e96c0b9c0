import assert from "node:assert/strict";
import { compileTemplate, renderFileName, type FileNameContext } from "../../../workers/connectors/file-name";
import { ConfigError, PermanentError } from "../../../workers/errors";

const context: FileNameContext = {
  key: "in/2026/orders.v2.csv",
  eventTime: "2026-03-29T00:30:00.000Z",
  id: "0123456789abcdef0123456789abcdef",
  slot: "partner",
  records: 42,
  sha256: "f".repeat(64),
};
const render = (template: string, timeZone = "UTC", ctx = context) => renderFileName(compileTemplate(template, "t"), ctx, timeZone, "t");

describe("connectors/file-name: partner file names from templates", () => {
  const cases: Array<[string, string, string]> = [
    ["{dir}|{name}|{stem}|{ext}", "UTC", "in/2026|orders.v2.csv|orders.v2|csv"],
    ["{date}_{time}", "UTC", "20260329_003000"],
    // 00:30 UTC on 29 March 2026 is after Europe/Berlin's switch to summer time (01:00 UTC): still CET, +1.
    ["{yyyy}-{MM}-{dd}T{HH}:{mm}:{ss}", "Europe/Berlin", "2026-03-29T01:30:00"],
    ["{date}{time}", "America/Los_Angeles", "20260328173000"],
    ["{date}", "Asia/Tokyo", "20260329"],
    ["{id}/{id:4}/{sha256:8}/{sha256}", "UTC", "0123456789abcdef/0123/ffffffff/ffffffffffffffff"],
    ["{slot}_{records}.csv", "UTC", "partner_42.csv"],
    ["{{literal}}_{stem}", "UTC", "{literal}_orders.v2"],
  ];
  for (const [template, zone, expected] of cases) {
    it(`renders ${template} in ${zone} as ${expected}`, () => assert.equal(render(template, zone), expected));
  }

  it("renders a key without folder or extension", () => {
    assert.equal(render("[{dir}][{stem}][{ext}]", "UTC", { ...context, key: "README" }), "[][README][]");
  });

  it("renders the same name from the same event, whatever the clock says", () => {
    assert.equal(render("{date}{time}_{id}"), render("{date}{time}_{id}"));
  });

  it("fails a date placeholder without an event time as permanent, naming the field", () => {
    assert.throws(
      () => render("{date}", "UTC", { ...context, eventTime: undefined }),
      (err: unknown) => err instanceof PermanentError && /`t` uses the event time/.test(err.message),
    );
  });

  it("refuses a template the schema would refuse, as a ConfigError naming the field", () => {
    assert.throws(
      () => compileTemplate("{nope}", "JOBWORKER_OUTPUTS.partner.fileName"),
      (err: unknown) =>
        err instanceof ConfigError && /`JOBWORKER_OUTPUTS\.partner\.fileName` is "\{nope\}": unknown placeholder/.test(err.message),
    );
  });
});
