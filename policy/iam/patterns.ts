/**
 * Matching helpers the IAM checks share: IAM's own wildcards (`*`, `?`) in actions, the placeholder
 * templates of the catalogue (`aws:ResourceTag/${TagKey}`, `s3:ExistingObjectTag/<key>`,
 * `aws:PrincipalTag/tag-key`), and the nearest known name for a "did you mean".
 */

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\*?]/g, "\\$&");
}

/** Whether a value uses IAM's wildcards. */
export function hasWildcard(value: string): boolean {
  return /[*?]/.test(value);
}

/** An IAM wildcard pattern (`s3:Get*`, `secret:name-??????`) as an anchored, case-insensitive RegExp. */
export function wildcardRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === "*" ? ".*" : c === "?" ? "." : escapeRegExp(c))).join("");
  return new RegExp(`^${body}$`, "i");
}

/**
 * A catalogue condition-key template as an anchored, case-insensitive RegExp: `${Name}` and `<name>`
 * stand for any non-empty text, and so does a trailing `/tag-key` (the global keys' spelling).
 * Condition key names are case-insensitive in IAM.
 */
export function keyTemplateRegExp(template: string): RegExp {
  const placeholder = /\$\{[^}]+\}|<[^>]+>|(?<=\/)tag-key$/g;
  let body = "";
  let last = 0;
  for (const match of template.matchAll(placeholder)) {
    body += escapeRegExp(template.slice(last, match.index)) + ".+";
    last = match.index + match[0].length;
  }
  body += escapeRegExp(template.slice(last));
  return new RegExp(`^${body}$`, "i");
}

/** Levenshtein distance, case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length];
}

/** The `count` known names closest to `name`, closest first. */
export function closest(name: string, known: readonly string[], count: number): string[] {
  return known
    .map((candidate) => ({ candidate, d: distance(name, candidate) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, count)
    .map((c) => c.candidate);
}

/** The known name closest to `name`, when it is close enough to be a misspelling (a third of its length). */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** ` Did you mean \`x\`?` or nothing. */
export function didYouMean(name: string, known: readonly string[], render: (s: string) => string = (s) => s): string {
  const guess = nearest(name, known);
  return guess === undefined ? "" : ` Did you mean \`${render(guess)}\`?`;
}
