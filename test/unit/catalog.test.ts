import assert from "node:assert/strict";
import { workerKinds } from "../../catalog/kinds";
describe("catalog", () => {
  it("names every kind by its own name", () => {
    for (const [k, d] of Object.entries(workerKinds)) assert.equal(d.name, k);
  });
});
