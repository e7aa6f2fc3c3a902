import type { Change, KubernetesStatus, RawChange } from '../api/types.js';

/**
 * The change log's items as the charts draw them. Warning events become "warning" markers (normal events are
 * left out: they explain nothing); an event without a workload is named after its object.
 */
export function normalizeChanges(items: RawChange[]): Change[] {
  return items.flatMap((item): Change[] => {
    const kind = item.kind ?? (item.type === 'event' ? 'warning' : item.type);
    if (!kind) return [];
    if (item.type === 'event' && item.eventType !== undefined && item.eventType !== 'Warning') return [];
    const base = {
      kind,
      at: item.at,
      namespace: item.namespace,
      workload: item.workload ?? item.objectName ?? '',
    };
    switch (kind) {
      case 'deploy':
      case 'configRollout':
        return [
          {
            ...base,
            image: item.image ?? undefined,
            digest: item.digest ?? undefined,
            previousDigest: item.previousDigest ?? undefined,
            message:
              item.message ??
              (item.failureMessage
                ? `Rollout failed: ${item.failureMessage}`
                : item.revision !== undefined
                  ? `Revision ${item.revision}`
                  : undefined),
          },
        ];
      case 'scale':
        return [
          {
            ...base,
            message:
              item.message ??
              (item.fromReplicas !== undefined && item.toReplicas !== undefined
                ? `${item.fromReplicas} → ${item.toReplicas} replicas`
                : undefined),
          },
        ];
      case 'warning':
        return [{ ...base, reason: item.reason, count: item.count, message: item.message }];
    }
  });
}

/** Whether the charts can show changes, and what to say when they cannot. */
export function kubernetesConnection(status: KubernetesStatus | null): {
  connected: boolean;
  message: string | null;
} {
  if (status === null) return { connected: false, message: null };
  const connected = status.state !== undefined ? status.state === 'connected' : status.connected === true;
  return { connected, message: connected ? null : (status.message ?? status.state ?? null) };
}
