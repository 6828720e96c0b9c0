/**
 * A checker for CloudWatch Embedded Metric Format documents, written from AWS's specification
 * ("Specification: Embedded metric format", Amazon CloudWatch User Guide): the root holds an `_aws`
 * metadata object with a millisecond `Timestamp` and `CloudWatchMetrics` directives; every metric a
 * directive names is a top-level number (or array of up to 100 numbers); every dimension names a
 * top-level string; a dimension set has at most 30 dimensions, a directive at most 100 metrics; units
 * come from CloudWatch's `StandardUnit` list. Returns the violations (empty when the document is valid).
 */

/** CloudWatch `StandardUnit` values (MetricDatum.Unit, CloudWatch API Reference). */
export const EMF_UNITS: ReadonlySet<string> = new Set([
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function extraMembers(o: Record<string, unknown>, allowed: readonly string[], where: string): string[] {
  return Object.keys(o)
    .filter((k) => !allowed.includes(k))
    .map((k) => `${where} has the member \`${k}\`, which the specification does not define`);
}

export function emfViolations(doc: unknown): string[] {
  if (!isObject(doc)) return ["the root is not a JSON object"];
  const aws = doc._aws;
  if (!isObject(aws)) return ["the root has no `_aws` metadata object"];
  const problems: string[] = [];
  if (!isNumber(aws.Timestamp) || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 1e12)
    problems.push("`_aws.Timestamp` must be epoch milliseconds (an integer)");
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) return [...problems, "`_aws.CloudWatchMetrics` must be a non-empty array"];
  directives.forEach((d: unknown, i) => {
    const at = `_aws.CloudWatchMetrics[${i}]`;
    if (!isObject(d)) return problems.push(`${at} is not an object`);
    problems.push(...extraMembers(d, ["Namespace", "Dimensions", "Metrics"], at));
    if (typeof d.Namespace !== "string" || d.Namespace.length < 1 || d.Namespace.length > 1024 || d.Namespace.trim() === "")
      problems.push(`${at}.Namespace must be a string of 1 to 1024 characters`);
    if (!Array.isArray(d.Dimensions)) problems.push(`${at}.Dimensions must be an array of dimension sets`);
    else
      d.Dimensions.forEach((set: unknown, j) => {
        if (!Array.isArray(set)) return problems.push(`${at}.Dimensions[${j}] must be an array`);
        if (set.length > 30) problems.push(`${at}.Dimensions[${j}] has ${set.length} dimensions; at most 30`);
        for (const name of set) {
          if (typeof name !== "string") problems.push(`${at}.Dimensions[${j}] holds a non-string`);
          else if (typeof doc[name] !== "string") problems.push(`dimension \`${name}\` has no top-level string value`);
        }
      });
    if (!Array.isArray(d.Metrics)) return problems.push(`${at}.Metrics must be an array`);
    if (d.Metrics.length > 100) problems.push(`${at}.Metrics has ${d.Metrics.length} metrics; at most 100`);
    d.Metrics.forEach((m: unknown, k) => {
      if (!isObject(m)) return problems.push(`${at}.Metrics[${k}] is not an object`);
      problems.push(...extraMembers(m, ["Name", "Unit", "StorageResolution"], `${at}.Metrics[${k}]`));
      if (typeof m.Name !== "string" || m.Name.length < 1 || m.Name.length > 1024)
        return problems.push(`${at}.Metrics[${k}].Name must be a string`);
      const value = doc[m.Name];
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || values.length > 100 || !values.every(isNumber))
        problems.push(`metric \`${m.Name}\` has no top-level numeric value (a number, or an array of up to 100)`);
      if (m.Unit !== undefined && (typeof m.Unit !== "string" || !EMF_UNITS.has(m.Unit)))
        problems.push(`metric \`${m.Name}\` has the unit \`${String(m.Unit)}\`, not a CloudWatch unit`);
      if (m.StorageResolution !== undefined && m.StorageResolution !== 1 && m.StorageResolution !== 60)
        problems.push(`metric \`${m.Name}\` has StorageResolution ${String(m.StorageResolution)}; 1 or 60`);
    });
  });
  return problems;
}
