/** Wire shapes of the API, shared with the UI (ui/src/api/types.ts): no Nest or TypeORM here, so both compile it. */
import type { DeployCost } from '../domain/deploy-cost.js';

export interface DeployCostsView {
  slo: string;
  from: string;
  to: string;
  /** One entry per image digest that served the SLO's traffic in the range, in the order they started. */
  items: DeployCost[];
  /** Why the list may say less than the truth (a Prometheus SLO; traffic without an image digest). */
  note: string | null;
}
