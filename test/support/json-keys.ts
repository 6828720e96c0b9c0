/**
 * Duplicate keys in a JSON text. `JSON.parse` keeps the last of two equal keys silently, so a log line
 * with `"connector"` twice parses fine and shows one; log shippers differ on which one they keep.
 * A small scanner over the text (strings, objects, arrays), no dependency.
 */
export function duplicateKeys(text: string): string[] {
  const duplicates: string[] = [];
  const stack: Array<Set<string> | null> = []; // a Set per open object, null per open array
  let i = 0;
  let expectKey = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const top = stack.at(-1);
      if (expectKey && top) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) duplicates.push(key);
        top.add(key);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === "{") {
      stack.push(new Set());
      expectKey = true;
    } else if (c === "[") stack.push(null);
    else if (c === "}" || c === "]") stack.pop();
    else if (c === ",") expectKey = stack.at(-1) !== null;
    i++;
  }
  return duplicates;
}
