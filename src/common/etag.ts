/**
 * Whether an If-Match header (RFC 9110 §13.1.1) lets a write go ahead on a resource whose current strong entity
 * tag is `current`: no header, `*`, or a list holding `current`. A weak tag (W/"…") never matches, as If-Match
 * compares strongly.
 */
export function ifMatchAllows(header: string | undefined, current: string): boolean {
  if (header === undefined) return true;
  const trimmed = header.trim();
  if (trimmed === '*') return true;
  return entityTags(trimmed).includes(current);
}

/** The entity tags of a comma-separated list; commas inside quotes belong to the tag. */
function entityTags(list: string): string[] {
  return [...list.matchAll(/(W\/)?"[^"]*"/g)].filter((m) => m[1] === undefined).map((m) => m[0]);
}
