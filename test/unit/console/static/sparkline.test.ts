/** The page's sparklines (console/static/sparkline.js, plain browser JavaScript, also a CommonJS module). */
import assert from "node:assert/strict";

interface Segments {
  segments: string[];
  max: number;
  last: number | null;
}
interface FakeElement {
  tag: string;
  attributes: Record<string, string>;
  children: FakeElement[];
  textContent: string;
  setAttribute(name: string, value: string): void;
  appendChild(child: FakeElement): void;
}
const { sparklineSegments, sparklineSvg } = require("../../../../console/static/sparkline.js") as {
  sparklineSegments: (values: (number | null)[], width: number, height: number) => Segments;
  sparklineSvg: (
    doc: unknown,
    values: (number | null)[],
    options: { label: string; span: string; width?: number; height?: number; className?: string },
  ) => FakeElement;
};

/** Just what sparklineSvg uses of `document`. */
const fakeDocument = {
  createElementNS(ns: string, tag: string): FakeElement {
    assert.equal(ns, "http://www.w3.org/2000/svg");
    const node: FakeElement = {
      tag,
      attributes: {},
      children: [],
      textContent: "",
      setAttribute: (name, value) => void (node.attributes[name] = value),
      appendChild: (child) => void node.children.push(child),
    };
    return node;
  },
};

describe("console/static/sparkline", () => {
  it("scales to the series' maximum (top) and zero (bottom), left to right", () => {
    assert.deepEqual(sparklineSegments([0, 5, 10], 80, 18), { segments: ["0,17 40,9 80,1"], max: 10, last: 10 });
  });

  it("breaks the line where a period has no datapoint, instead of drawing a zero", () => {
    assert.deepEqual(sparklineSegments([2, 4, null, null, 4], 40, 10).segments, ["0,5 10,1", "40,1"]);
  });

  it("draws an idle queue flat at the bottom (the scale is at least 1)", () => {
    assert.deepEqual(sparklineSegments([0, 0], 10, 10), { segments: ["0,9 10,9"], max: 1, last: 0 });
  });

  it("builds an <svg> with a title and one polyline per segment, a lone point drawn as a short line", () => {
    const svg = sparklineSvg(fakeDocument, [3, null, 6], { label: "queue visible", span: "3 h", width: 20, height: 10, className: "dlq" });
    assert.deepEqual(svg.attributes, { width: "20", height: "10", viewBox: "0 0 20 10", class: "sparkline dlq", role: "img" });
    assert.deepEqual(
      svg.children.map((c) => [c.tag, c.attributes.points ?? c.textContent]),
      [
        ["title", "queue visible: max 6, latest 6 (3 h)"],
        ["polyline", "0,5 1,5"],
        ["polyline", "20,1 21,1"],
      ],
    );
  });

  it("says so in the title when there is no datapoint at all", () => {
    const svg = sparklineSvg(fakeDocument, [null, null], { label: "DLQ visible", span: "3 h" });
    assert.equal(svg.children[0]?.textContent, "DLQ visible: no datapoints (3 h)");
    assert.equal(svg.children.length, 1);
  });
});
