import assert from "node:assert/strict";
import { chunk, mapLimit, MAX_PAGES, paginate } from "../../../../console/aws/batch";

describe("console/aws/batch", () => {
  const cases: [number, number, number[]][] = [
    [0, 10, []],
    [10, 10, [10]],
    [28, 10, [10, 10, 8]],
    [250, 100, [100, 100, 50]],
  ];
  for (const [n, size, sizes] of cases) {
    it(`chunks ${n} ids into calls of at most ${size}: ${JSON.stringify(sizes)}`, () => {
      const ids = Array.from({ length: n }, (_, i) => `id-${i}`);
      const chunks = chunk(ids, size);
      assert.deepEqual(
        chunks.map((c) => c.length),
        sizes,
      );
      assert.deepEqual(chunks.flat(), ids, "order and content kept");
    });
  }

  it("rejects a chunk size that is not a positive integer", () => {
    assert.throws(() => chunk([1], 0), /positive integer, got 0/);
  });

  it("follows nextToken across pages and stops at an empty token", async () => {
    const pages: Record<string, { items: number[]; next?: string }> = {
      "": { items: [1, 2], next: "a" },
      a: { items: [3], next: "b" },
      b: { items: [4, 5] },
    };
    const asked: (string | undefined)[] = [];
    const all = await paginate("test", async (token) => {
      asked.push(token);
      const page = pages[token ?? ""] as { items: number[]; next?: string };
      return { items: page.items, next: page.next };
    });
    assert.deepEqual(all, [1, 2, 3, 4, 5]);
    assert.deepEqual(asked, [undefined, "a", "b"]);
  });

  it("gives up on a token that never ends, naming the listing", async () => {
    let calls = 0;
    await assert.rejects(
      paginate("ecs:ListServices", async () => {
        calls++;
        return { items: [], next: "again" };
      }),
      /ecs:ListServices: more than 1000 pages/,
    );
    assert.equal(calls, MAX_PAGES);
  });

  it("maps with at most `limit` calls in flight and keeps the input order", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
    assert.equal(peak, 2);
  });
});
