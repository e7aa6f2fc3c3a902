/** Wire shapes of the API, shared with the UI (ui/src/api/types.ts): no Nest or TypeORM here, so both compile it. */
import type { Matcher, SilenceState } from '../domain/silence.js';

export interface SilenceView {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  /** null: until the alert resolves, and it has not yet. */
  endsAt: string | null;
  untilResolved: boolean;
  alertId: string | null;
  createdBy: string;
  comment: string;
  createdAt: string;
  updatedAt: string;
  /** As in Alertmanager. */
  status: { state: SilenceState };
}
