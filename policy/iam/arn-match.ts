/**
 * Whether an ARN as a policy writes it (with IAM's `*` and `?`) can name a resource of a catalogue
 * ARN format (`arn:${Partition}:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}`).
 *
 * Both sides are patterns, so the question is whether some concrete ARN matches both: a walk over
 * the pairs of positions of the two (the product of two small automata). In the format, a
 * `${Placeholder}` is one or more characters without a colon, except the last one of the format,
 * which may hold colons (object keys, log stream names); a literal `*` in a format is any text. In the
 * ARN, `*` is any text and `?` one character (IAM lets a trailing `*` run past a colon, so this
 * check lets every `*` do so: it is for shapes, not for what a wildcard grants).
 */

type Char = { kind: "literal"; char: string } | { kind: "any" } | { kind: "notColon" };

/** One step of a pattern: a character class, repeatable when `repeat` (zero or more for `*`, one or more for placeholders). */
interface Step {
  readonly char: Char;
  readonly min: 0 | 1;
  readonly repeat: boolean;
}

function globSteps(arn: string): Step[] {
  return [...arn].map((c) =>
    c === "*"
      ? { char: { kind: "any" }, min: 0, repeat: true }
      : c === "?"
        ? { char: { kind: "any" }, min: 1, repeat: false }
        : { char: { kind: "literal", char: c }, min: 1, repeat: false },
  );
}

function formatSteps(format: string): Step[] {
  const steps: Step[] = [];
  const placeholder = /\$\{[^}]+\}/g;
  let last = 0;
  const literal = (text: string) => {
    for (const c of text)
      steps.push(
        c === "*" ? { char: { kind: "any" }, min: 0, repeat: true } : { char: { kind: "literal", char: c }, min: 1, repeat: false },
      );
  };
  for (const match of format.matchAll(placeholder)) {
    literal(format.slice(last, match.index));
    last = match.index + match[0].length;
    const atEnd = last === format.length;
    steps.push({ char: atEnd ? { kind: "any" } : { kind: "notColon" }, min: 1, repeat: true });
  }
  literal(format.slice(last));
  return steps;
}

function compatible(a: Char, b: Char): boolean {
  if (a.kind === "literal" && b.kind === "literal") return a.char === b.char;
  if (a.kind === "literal") return b.kind === "any" || a.char !== ":";
  if (b.kind === "literal") return a.kind === "any" || b.char !== ":";
  return true;
}

/**
 * A position in a pattern: the step index and whether that step has already consumed its minimum
 * (then it may repeat or be left).
 */
type Position = readonly [index: number, satisfied: boolean];

/** Positions reachable without reading a character: leaving a step whose minimum is met. */
function closure(steps: readonly Step[], start: Position): Position[] {
  const out: Position[] = [start];
  let [index, satisfied] = start;
  while (index < steps.length && (satisfied || steps[index].min === 0)) {
    index += 1;
    satisfied = false;
    out.push([index, satisfied]);
  }
  return out;
}

/** Positions after reading one character of class `char` at `position`. */
function advance(steps: readonly Step[], [index]: Position): Position | undefined {
  const step = steps[index];
  if (step === undefined) return undefined;
  return step.repeat ? [index, true] : [index + 1, false];
}

/** Whether some ARN matches both the policy's ARN pattern and the catalogue format. */
export function arnMatchesFormat(arn: string, format: string): boolean {
  const a = globSteps(arn);
  const b = formatSteps(format);
  const key = (p: Position, q: Position) => `${p[0]},${+p[1]},${q[0]},${+q[1]}`;
  const seen = new Set<string>();
  const queue: [Position, Position][] = [
    [
      [0, false],
      [0, false],
    ],
  ];
  while (queue.length > 0) {
    const [p0, q0] = queue.pop()!;
    for (const p of closure(a, p0)) {
      for (const q of closure(b, q0)) {
        if (p[0] === a.length && q[0] === b.length) return true;
        const k = key(p, q);
        if (seen.has(k)) continue;
        seen.add(k);
        if (p[0] >= a.length || q[0] >= b.length || !compatible(a[p[0]].char, b[q[0]].char)) continue;
        const p1 = advance(a, p);
        const q1 = advance(b, q);
        if (p1 && q1) queue.push([p1, q1]);
      }
    }
  }
  return false;
}
