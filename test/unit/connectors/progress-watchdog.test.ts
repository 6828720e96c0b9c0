import assert from "node:assert/strict";
import { sampleIntervalMs, watchProgress } from "../../../workers/connectors/progress-watchdog";
import { waitFor } from "../../support/wait";

describe("transfer progress watchdog", () => {
  it("calls onIdle once when the counter stops moving for the idle limit", async () => {
    let idle = 0;
    const w = watchProgress(
      () => 42,
      40,
      () => idle++,
    );
    try {
      await waitFor("the watchdog to fire", () => idle > 0);
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(idle, 1);
    } finally {
      w.stop();
    }
  });

  it("stays quiet while the counter moves", async () => {
    let bytes = 0;
    let idle = 0;
    const w = watchProgress(
      () => (bytes += 10),
      40,
      () => idle++,
    );
    await new Promise((r) => setTimeout(r, 150));
    w.stop();
    assert.equal(idle, 0);
  });

  const samples: Array<[number, number]> = [
    [30_000, 1_000],
    [2_000, 500],
    [20, 10],
  ];
  for (const [idleMs, expected] of samples) {
    it(`samples every ${expected} ms for an idle limit of ${idleMs} ms`, () => assert.equal(sampleIntervalMs(idleMs), expected));
  }
});
