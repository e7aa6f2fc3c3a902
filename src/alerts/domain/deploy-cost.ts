/**
 * What each deploy cost: for every container image digest that served an SLO's traffic, the events it served, the
 * bad ones, and the share of the SLO's budget those spent, next to the digest it replaced. Pure.
 */

export interface ImageUsage {
  imageId: string;
  /** First and last minute (epoch minutes) the digest served traffic in the range. */
  firstMinute: number;
  lastMinute: number;
  total: number;
  bad: number;
}

export interface DeployCost {
  imageId: string;
  /** When this digest first and last served traffic in the range. */
  from: string;
  to: string;
  total: number;
  bad: number;
  /** Bad share of its events, percent; null without events. */
  errorPercent: number | null;
  /** Share of the SLO's budget (over the range) its bad events spent, percent; null without a budget. */
  budgetConsumedPercent: number | null;
  /** The digest that served before it, with its error share: what this deploy is compared with. */
  previous: { imageId: string; errorPercent: number | null } | null;
  /** errorPercent / previous errorPercent: 3 means three times the errors of the digest it replaced. */
  errorRatioVsPrevious: number | null;
}

/**
 * Orders the digests by when they started serving and prices each against the range's budget
 * (`allowedBadRatio × every event in the range`). Digests that served side by side (a rolling update) each carry
 * their own events; the "previous" one is the digest that started serving before it.
 */
export function deployCosts(images: readonly ImageUsage[], allowedBadRatio: number): DeployCost[] {
  const sorted = [...images].sort(
    (a, b) => a.firstMinute - b.firstMinute || a.imageId.localeCompare(b.imageId),
  );
  const allEvents = sorted.reduce((sum, i) => sum + i.total, 0);
  const budget = allEvents * allowedBadRatio;
  return sorted.map((image, i) => {
    const errorPercent = percentOf(image.bad, image.total);
    const before = i > 0 ? sorted[i - 1]! : null;
    const previousPercent = before ? percentOf(before.bad, before.total) : null;
    return {
      imageId: image.imageId,
      from: new Date(image.firstMinute * 60_000).toISOString(),
      to: new Date((image.lastMinute + 1) * 60_000).toISOString(),
      total: image.total,
      bad: image.bad,
      errorPercent,
      budgetConsumedPercent: budget > 0 ? round((image.bad / budget) * 100, 4) : null,
      previous: before ? { imageId: before.imageId, errorPercent: previousPercent } : null,
      errorRatioVsPrevious:
        errorPercent !== null && previousPercent !== null && previousPercent > 0
          ? round(errorPercent / previousPercent, 3)
          : null,
    };
  });
}

function percentOf(part: number, whole: number): number | null {
  return whole > 0 ? round((part / whole) * 100, 6) : null;
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
