/** Wire shapes of the API, shared with the UI (ui/src/api/types.ts): no Nest or TypeORM here, so both compile it. */
export type ChangeView =
  | {
      type: 'deploy' | 'configRollout';
      at: string;
      namespace: string;
      workloadKind: string;
      workload: string;
      revision: number;
      container: string | null;
      image: string | null;
      previousImage: string | null;
      digest: string | null;
      previousDigest: string | null;
      startedAt: string;
      finishedAt: string | null;
      failedAt: string | null;
      failureMessage: string | null;
    }
  | {
      type: 'scale';
      at: string;
      namespace: string;
      workloadKind: string;
      workload: string;
      fromReplicas: number;
      toReplicas: number;
    }
  | {
      type: 'event';
      at: string;
      eventType: string;
      namespace: string;
      objectKind: string;
      objectName: string;
      reason: string;
      workloadKind: string | null;
      workload: string | null;
      count: number;
      firstSeen: string;
      lastSeen: string;
      message: string;
    };
