import { Inject, Injectable } from '@nestjs/common';
import { ChangeFilter, ChangeLogStore } from './change-log.store.js';
import type { ChangeView } from './changes.view.js';

export type { ChangeView } from './changes.view.js';

/** The change log as the API shows it: deploys, config rollouts, scale events and folded events, newest first. */
@Injectable()
export class ChangesService {
  constructor(@Inject(ChangeLogStore) private readonly store: ChangeLogStore) {}

  async list(filter: ChangeFilter): Promise<{ items: ChangeView[]; from: string; to: string }> {
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const [rollouts, scales, events] = await Promise.all([
      this.store.rollouts(filter),
      this.store.scaleChanges(filter),
      this.store.events(filter),
    ]);
    const items: ChangeView[] = [
      ...rollouts.map((r) => ({
        ...r,
        at: r.startedAt.toISOString(),
        startedAt: r.startedAt.toISOString(),
        finishedAt: iso(r.finishedAt),
        failedAt: iso(r.failedAt),
      })),
      ...scales.map((s) => ({ ...s, at: s.at.toISOString() })),
      ...events.map((e) => ({
        ...e,
        at: e.lastSeen.toISOString(),
        firstSeen: e.firstSeen.toISOString(),
        lastSeen: e.lastSeen.toISOString(),
      })),
    ];
    items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    return {
      items: items.slice(0, filter.limit),
      from: filter.from.toISOString(),
      to: filter.to.toISOString(),
    };
  }
}
