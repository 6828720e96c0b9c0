import assert from "node:assert/strict";
import { backoffCeiling, backoffDelay, releaseVisibilitySeconds, sleep } from "../../../workers/runtime/backoff";

describe("backoff", () => {
  it("doubles the ceiling per attempt up to the cap", () => {
    const options = { baseMs: 100, capMs: 1000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 50].map((n) => backoffCeiling(n, options)),
      [100, 200, 400, 800, 1000, 1000],
    );
  });

  it("draws full jitter in [0, ceiling)", () => {
    assert.equal(backoffDelay(3, { baseMs: 100, capMs: 1000, random: () => 0 }), 0);
    assert.equal(backoffDelay(3, { baseMs: 100, capMs: 1000, random: () => 0.5 }), 200);
    assert.equal(backoffDelay(3, { baseMs: 100, capMs: 1000, random: () => 0.999 }), 399);
  });

  const releases: Array<[number, number, number]> = [
    // receiveCount, random, seconds (base 10 s, cap 300 s): half fixed, half jitter
    [1, 0, 5],
    [1, 0.999, 10],
    [2, 0, 10],
    [3, 0.5, 30],
    [10, 0.999, 300],
  ];
  for (const [receiveCount, random, seconds] of releases) {
    it(`releases a failed message on receive ${receiveCount} (jitter ${random}) for ${seconds} s`, () => {
      assert.equal(releaseVisibilitySeconds(receiveCount, { baseSeconds: 10, capSeconds: 300, random: () => random }), seconds);
    });
  }

  it("never asks SQS for more than 12 hours", () => {
    assert.equal(releaseVisibilitySeconds(40, { baseSeconds: 10_000, capSeconds: 100_000, random: () => 0.999 }), 43_200);
  });

  it("sleep ends early when its signal aborts", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await sleep(10_000, controller.signal);
    assert.ok(Date.now() - started < 1_000);
  });
});
