// Sparklines as inline SVG, built with DOM calls (no markup strings, no inline styles, no library):
// the page's CSP (`default-src 'self'`) allows that and nothing looser is needed. Loaded before
// app.js; also a CommonJS module, so the unit tests run the same code.
"use strict";

(function (root) {
  // Polyline point lists, one per run of known values: a period without a datapoint (`null`) breaks
  // the line rather than drawing a made-up zero. y grows downwards; the top is the series' maximum
  // (at least 1, so an idle queue lies flat at the bottom).
  function sparklineSegments(values, width, height) {
    const known = values.filter((v) => typeof v === "number");
    const max = Math.max(1, ...known);
    const step = values.length > 1 ? width / (values.length - 1) : 0;
    const pad = 1;
    const segments = [];
    let current = [];
    values.forEach((v, i) => {
      if (typeof v !== "number") {
        if (current.length) segments.push(current.join(" "));
        current = [];
        return;
      }
      const x = Math.round(i * step * 10) / 10;
      const y = Math.round((height - pad - (v / max) * (height - 2 * pad)) * 10) / 10;
      current.push(x + "," + y);
    });
    if (current.length) segments.push(current.join(" "));
    return { segments, max, last: known.length ? known[known.length - 1] : null };
  }

  const SVG_NS = "http://www.w3.org/2000/svg";

  // An <svg> element with one <polyline> per segment (a lone point as a short line, so it shows) and
  // a <title> with the label, the maximum and the latest value.
  function sparklineSvg(doc, values, options) {
    const width = options.width || 80;
    const height = options.height || 18;
    const { segments, max, last } = sparklineSegments(values, width, height);
    const svg = doc.createElementNS(SVG_NS, "svg");
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("class", "sparkline" + (options.className ? " " + options.className : ""));
    svg.setAttribute("role", "img");
    const title = doc.createElementNS(SVG_NS, "title");
    const known = values.filter((v) => typeof v === "number").length;
    title.textContent = known
      ? options.label + ": max " + max + ", latest " + last + " (" + options.span + ")"
      : options.label + ": no datapoints (" + options.span + ")";
    svg.appendChild(title);
    for (const points of segments) {
      const line = doc.createElementNS(SVG_NS, "polyline");
      const single = points.indexOf(" ") < 0;
      line.setAttribute("points", single ? points + " " + points.replace(/^([\d.]+)/, (x) => String(Number(x) + 1)) : points);
      line.setAttribute("fill", "none");
      svg.appendChild(line);
    }
    return svg;
  }

  const api = { sparklineSegments, sparklineSvg };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.jobworkerSparkline = api;
})(globalThis);
