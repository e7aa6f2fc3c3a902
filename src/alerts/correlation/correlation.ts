/**
 * What Burnwatch attaches to an alert (alerts.correlation): the changes and events that most likely caused a burn.
 * The Slack message and the UI render this shape; change it only together with them.
 */
export interface Correlation {
  lookbackMinutes: number;
  /** Changes of the SLO's workload before the burn began, most likely cause first. */
  suspects: Suspect[];
  /** Warning events (folded by object and reason) around the burn, most telling first. */
  events: CorrelatedEvent[];
  /** The SLI per image digest, previous then new, when the sensor reports images; null otherwise. */
  imageComparison: ImageSli[] | null;
}

export type ChangeKind = 'deploy' | 'configRollout' | 'scale';

export interface Suspect {
  kind: ChangeKind;
  namespace: string;
  workload: string;
  workloadKind: string;
  container: string | null;
  image: string | null;
  digest: string | null;
  previousDigest: string | null;
  /** When the change (the rollout) started, ISO 8601. */
  at: string;
  minutesBeforeBurn: number;
  /** 0 to 100: how strongly this change is suspected. */
  score: number;
  reason: string;
}

export interface CorrelatedEvent {
  reason: string;
  objectKind: string;
  objectName: string;
  namespace: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  message: string;
  score: number;
}

export interface ImageSli {
  digest: string;
  image: string | null;
  total: number;
  bad: number;
  /** Percent of good events on this image; null without events. */
  sliPercent: number | null;
}
