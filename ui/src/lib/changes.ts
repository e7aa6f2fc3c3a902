import type { Change, KubernetesStatus, RawChange } from '../api/types.js';

/**
 * The change log's items as the charts draw them. Warning events become "warning" markers (normal events are
 * left out: they explain nothing); an event without a workload is named after its object.
 */
export function normalizeChanges(items: RawChange[]): Change[] {
  return items.flatMap((item): Change[] => {
    switch (item.type) {
      case 'deploy':
      case 'configRollout':
        return [
          {
            kind: item.type,
            at: item.at,
            namespace: item.namespace,
            workload: item.workload,
            image: item.image ?? undefined,
            digest: item.digest ?? undefined,
            previousDigest: item.previousDigest ?? undefined,
            message: item.failureMessage
              ? `Rollout failed: ${item.failureMessage}`
              : `Revision ${item.revision}`,
          },
        ];
      case 'scale':
        return [
          {
            kind: 'scale',
            at: item.at,
            namespace: item.namespace,
            workload: item.workload,
            message: `${item.fromReplicas} → ${item.toReplicas} replicas`,
          },
        ];
      case 'event':
        if (item.eventType !== 'Warning') return [];
        return [
          {
            kind: 'warning',
            at: item.at,
            namespace: item.namespace,
            workload: item.workload ?? item.objectName,
            reason: item.reason,
            count: item.count,
            message: item.message,
          },
        ];
    }
  });
}

/** Whether the charts can show changes, and what to say when they cannot. */
export function kubernetesConnection(status: KubernetesStatus | null): {
  connected: boolean;
  message: string | null;
} {
  if (status === null) return { connected: false, message: null };
  const connected = status.state === 'connected';
  return { connected, message: connected ? null : status.message || status.state };
}
