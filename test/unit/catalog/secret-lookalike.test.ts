import assert from "node:assert/strict";
import { secretLookalike } from "../../../catalog/secret-ref";

describe("secretLookalike", () => {
  it("flags credential names and credential-shaped values, never repeating the value (table)", () => {
    const cases: [name: string, value: string, flagged: RegExp | undefined][] = [
      ["MACKEREL_APIKEY", "plain-value", /name `MACKEREL_APIKEY`/],
      ["DD_API_KEY", "plain-value", /name/],
      ["DB_PASSWORD", "plain-value", /name/],
      ["GITHUB_TOKEN", "plain-value", /name/],
      ["AWS_SECRET_ACCESS_KEY", "plain-value", /name/],
      ["KEY_ID", "AKIAABCDEFGHIJKLMNOP", /an AWS access key id/],
      ["CERT", "-----BEGIN RSA PRIVATE KEY-----\nMIIE", /a PEM private key/],
      ["EXTRA", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==", /a long opaque token/],
      ["MACKEREL_CONTAINER_PLATFORM", "ecs", undefined],
      ["USE_DEFAULT_CONFIG", "True", undefined],
      ["LOG_PATH", "/var/log/containers/application-platform-a.log", undefined],
      ["ROLES", "jobworker:ecs", undefined],
    ];
    for (const [name, value, flagged] of cases) {
      const why = secretLookalike(name, value);
      if (flagged === undefined) assert.equal(why, undefined, name);
      else {
        assert.match(why ?? "", flagged, name);
        assert.ok(!why!.includes(value), `${name}: the value is not repeated`);
      }
    }
  });
});
