/**
 * 64-bit integer fields of a record, read as the proto3 JSON mapping has them
 * (https://protobuf.dev/programming-guides/json/): a decimal string ("9007199254740993") or a JSON
 * number. A JSON number beyond ±(2^53 - 1) was already rounded when the line was parsed (IEEE-754
 * doubles hold 53 bits), so it is refused rather than encoded as a different number (issue 13,
 * item 6). Every JSON integer source of magnitude 2^53 or more parses to a double of magnitude 2^53
 * or more (rounding is monotonic and 2^53 is exact), so `Number.isSafeInteger` on the parsed value
 * catches every such line without the source text.
 */
import protobuf from "protobufjs";
import { PermanentError } from "../errors";

const INT64_TYPES = new Set(["int64", "sint64", "sfixed64"]);
const UINT64_TYPES = new Set(["uint64", "fixed64"]);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const DECIMAL = /^-?\d+$/;

/** Where in which record a value sits, for the error message. */
interface At {
  readonly record: number;
  readonly typeName: string;
  readonly path: string;
}

function refuse(at: At, detail: string): PermanentError {
  return new PermanentError(`record ${at.record}, field \`${at.path}\`: ${detail}`, {
    context: { messageType: at.typeName, record: at.record, field: at.path },
  });
}

/** One 64-bit value as protobufjs takes it (a Long-like `{ low, high, unsigned }` for strings), or refused. */
function toInt64(value: unknown, type: string, at: At): unknown {
  const unsigned = UINT64_TYPES.has(type);
  if (typeof value === "number") {
    if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
      throw refuse(
        at,
        `a JSON number beyond 2^53 - 1 (${Number.MAX_SAFE_INTEGER}) cannot be read exactly (JSON parsing rounds it): write ${type} values as decimal strings, e.g. "9007199254740993"`,
      );
    }
    return value;
  }
  if (typeof value !== "string") return value; // verify() names the wrong type
  if (!DECIMAL.test(value)) throw refuse(at, `"${value}" is not a decimal integer (${type} as a string is digits with an optional "-")`);
  const big = BigInt(value);
  const [min, max] = unsigned ? [0n, UINT64_MAX] : [INT64_MIN, INT64_MAX];
  if (big < min || big > max) throw refuse(at, `${value} is outside the ${type} range [${min}, ${max}]`);
  // Two's complement halves, as protobufjs's Long-like objects carry them (`fromObject` takes them exactly).
  const bits = BigInt.asUintN(64, big);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned };
}

/**
 * A copy of `record` whose 64-bit integer fields (nested messages, repeated fields and map values
 * included) are safe JSON numbers or Long-like objects; throws a `PermanentError` naming the record and field.
 */
export function normalizeInt64(type: protobuf.Type, record: Record<string, unknown>, recordNumber: number): Record<string, unknown> {
  return normalizeMessage(type, record, { record: recordNumber, typeName: type.fullName.replace(/^\./, ""), path: "" });
}

function normalizeMessage(type: protobuf.Type, message: Record<string, unknown>, at: At): Record<string, unknown> {
  const out: Record<string, unknown> = { ...message };
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    const path = at.path === "" ? field.name : `${at.path}.${field.name}`;
    const one = (v: unknown, p: string) => normalizeValue(field, v, { ...at, path: p });
    if (field.map && typeof value === "object") {
      out[field.name] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, one(v, `${path}[${k}]`)]));
    } else if (field.repeated && Array.isArray(value)) {
      out[field.name] = value.map((v, i) => one(v, `${path}[${i}]`));
    } else {
      out[field.name] = one(value, path);
    }
  }
  return out;
}

function normalizeValue(field: protobuf.Field, value: unknown, at: At): unknown {
  if (INT64_TYPES.has(field.type) || UINT64_TYPES.has(field.type)) return toInt64(value, field.type, at);
  if (field.resolvedType instanceof protobuf.Type && value !== null && typeof value === "object" && !Array.isArray(value)) {
    return normalizeMessage(field.resolvedType, value as Record<string, unknown>, at);
  }
  return value;
}
