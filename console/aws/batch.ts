/**
 * Batching and pagination, written once. AWS caps how many ids one call may take (DescribeServices
 * 10, DescribeTasks and DescribeContainerInstances 100, DescribeInstances filters 200) and pages
 * every list call; with fifty workers the console would otherwise see only the first page.
 */

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The most pages one listing may take: a guard against a token that never ends. */
export const MAX_PAGES = 1000;

/**
 * Follows a `nextToken` until it is empty and concatenates the pages. `fetchPage` gets the token of
 * the page to fetch (undefined for the first) and returns its items and the next token.
 */
export async function paginate<T>(
  what: string,
  fetchPage: (token: string | undefined) => Promise<{ items: readonly T[] | undefined; next: string | undefined }>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, next } = await fetchPage(token);
    all.push(...(items ?? []));
    if (!next) return all;
    token = next;
  }
  throw new Error(`${what}: more than ${MAX_PAGES} pages; stopped following nextToken`);
}

/**
 * Runs `fn` over `items` with at most `limit` calls in flight, keeping the input order. Bounded so a
 * large cluster does not fire hundreds of requests at once and get throttled.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}
