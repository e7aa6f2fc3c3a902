import { DataSource } from 'typeorm';
import type { RunningBurnwatch } from '../../../src/app.js';
import { SloEngine } from '../../../src/alerts/engine/slo-engine.service.js';

/**
 * Seeds SLI history straight into the engine's per-minute storage (sli_series, sli_minutes), as the sensor scraper
 * would have written it, then lets the engine evaluate. Each workload gets a 200 series and a 503 series; every
 * request answers within the first latency bucket (0.3 s).
 */

export interface Traffic {
  namespace: string;
  workload: string;
  /** Requests per minute at `minute` (epoch minutes): good and failed; null for a minute without data. */
  at(minute: number): { good: number; failed: number } | null;
}

export interface Seeded {
  total: number;
  bad: number;
}

export async function seedTraffic(
  burnwatch: RunningBurnwatch,
  traffic: Traffic,
  fromMinute: number,
  toMinute: number,
): Promise<Seeded> {
  const db = burnwatch.app.get(DataSource);
  const minutes: number[] = [];
  const good: number[] = [];
  const failed: number[] = [];
  for (let minute = fromMinute; minute < toMinute; minute++) {
    const counts = traffic.at(minute);
    if (counts === null) continue;
    minutes.push(minute);
    good.push(counts.good);
    failed.push(counts.failed);
  }
  for (const [statusCode, requests] of [
    [200, good],
    [503, failed],
  ] as const) {
    const [{ id }] = await db.query(
      `INSERT INTO sli_series (series_key, namespace, workload, workload_kind, service_name, image_name, image_id,
                               method, route, status_code, bounds)
       VALUES ($1, $2, $3, 'Deployment', $3, 'registry.example/shop/checkout', '', 'POST', '/api/checkout', $4,
               ARRAY[0.3]::double precision[])
       RETURNING id`,
      [
        `${traffic.namespace}/${traffic.workload}/${statusCode}`,
        traffic.namespace,
        traffic.workload,
        statusCode,
      ],
    );
    await db.query(
      `INSERT INTO sli_minutes (series_id, minute, requests, buckets)
       SELECT $1, m, r, ARRAY[r, 0] FROM unnest($2::int[], $3::int[]) AS t(m, r) WHERE r > 0`,
      [id, minutes, requests],
    );
  }
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return { total: sum(good) + sum(failed), bad: sum(failed) };
}

/** One evaluation now, as the schedule would run it, so that the status API reflects the seeded history. */
export async function evaluateNow(burnwatch: RunningBurnwatch): Promise<void> {
  await burnwatch.app.get(SloEngine).tick(new Date());
}

export const minuteOf = (ms: number) => Math.floor(ms / 60_000);

/** Error budget left in percent, computed from the seeded counts: the number a user should see. */
export function expectedBudgetLeft(seeded: Seeded, objective: number): number {
  const allowed = (seeded.total * (100 - objective)) / 100;
  return ((allowed - seeded.bad) / allowed) * 100;
}

const HOUR_MINUTES = 60;
const DAY_MINUTES = 1_440;

/**
 * shop/checkout over a week: 100 requests a minute; a bad deploy two days ago fails 25 a minute for 6 hours, a
 * second incident a day ago for 2 hours, the sensor was down for 12 hours five days ago, and the last 10 minutes
 * fail 30 a minute (a fast burn now).
 */
export function checkoutStory(nowMinute: number): Traffic & { deployMinute: number } {
  const deployMinute = nowMinute - 2 * DAY_MINUTES;
  const secondIncident = nowMinute - DAY_MINUTES;
  const gapFrom = nowMinute - 5 * DAY_MINUTES;
  return {
    namespace: 'shop',
    workload: 'checkout',
    deployMinute,
    at(minute) {
      if (minute >= gapFrom && minute < gapFrom + 12 * HOUR_MINUTES) return null;
      if (minute >= deployMinute && minute < deployMinute + 6 * HOUR_MINUTES)
        return { good: 100, failed: 25 };
      if (minute >= secondIncident && minute < secondIncident + 2 * HOUR_MINUTES)
        return { good: 100, failed: 25 };
      if (minute >= nowMinute - 10) return { good: 100, failed: 30 };
      return { good: 100, failed: 0 };
    },
  };
}

/** shop/search: 200 requests a minute, one failure every 100 minutes (a twentieth of its budget's pace). */
export function searchStory(): Traffic {
  return {
    namespace: 'shop',
    workload: 'search',
    at: (minute) => ({ good: 200, failed: minute % 100 === 0 ? 1 : 0 }),
  };
}
