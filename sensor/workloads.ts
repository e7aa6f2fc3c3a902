/**
 * Kubernetes pods → the labels the metric contract wants. Pure: the pod objects
 * come from a PodSource (the API watch in kubernetes.ts, or a test's fixtures).
 */

/** The subset of a Kubernetes V1Pod that the sensor reads. */
export interface PodLike {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ kind?: string; name?: string; controller?: boolean }>;
  };
  status?: {
    containerStatuses?: ContainerStatusLike[];
    initContainerStatuses?: ContainerStatusLike[];
    ephemeralContainerStatuses?: ContainerStatusLike[];
  };
}

interface ContainerStatusLike {
  name?: string;
  containerID?: string;
  image?: string;
  imageID?: string;
}

export interface WorkloadLabels {
  readonly namespace: string;
  readonly workloadName: string;
  readonly workloadKind: string;
  readonly imageName: string;
  readonly imageId: string;
}

/** The workload that owns a pod: ReplicaSets are followed up to their Deployment. */
export function ownerWorkload(pod: PodLike): { kind: string; name: string } {
  const meta = pod.metadata ?? {};
  const owner = (meta.ownerReferences ?? []).find((o) => o.controller) ?? meta.ownerReferences?.[0];
  if (!owner?.kind || !owner.name) return { kind: 'Pod', name: meta.name ?? '' };
  if (owner.kind === 'ReplicaSet') {
    const hash = meta.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) {
      return { kind: 'Deployment', name: owner.name.slice(0, -(hash.length + 1)) };
    }
  }
  return { kind: owner.kind, name: owner.name };
}

/** "docker.io/library/nginx:1.25@sha256:…" → "docker.io/library/nginx". */
export function imageName(image: string): string {
  const noDigest = image.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/** "docker-pullable://nginx@sha256:abc" or "sha256:abc" → "sha256:abc". */
export function imageDigest(imageId: string): string {
  const m = /(sha256:[0-9a-f]{64})/.exec(imageId);
  return m ? m[1]! : '';
}

/** "containerd://<id>" → "<id>". */
export function bareContainerId(containerID: string): string {
  const i = containerID.indexOf('://');
  return i === -1 ? containerID : containerID.slice(i + 3);
}

export function workloadLabels(pod: PodLike, containerId: string | null): WorkloadLabels {
  const { kind, name } = ownerWorkload(pod);
  const statuses = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ];
  const status = containerId
    ? statuses.find((s) => s.containerID && bareContainerId(s.containerID) === containerId)
    : undefined;
  return {
    namespace: pod.metadata?.namespace ?? '',
    workloadName: name,
    workloadKind: kind,
    imageName: status?.image ? imageName(status.image) : '',
    imageId: status?.imageID ? imageDigest(status.imageID) : '',
  };
}

/** The node's pods, indexed by container ID and pod UID. */
export class PodIndex {
  private readonly byUid = new Map<string, PodLike>();
  private readonly byContainer = new Map<string, PodLike>();

  upsert(pod: PodLike): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    this.remove(pod);
    this.byUid.set(uid, pod);
    for (const id of containerIds(pod)) this.byContainer.set(id, pod);
  }

  remove(pod: PodLike): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const old = this.byUid.get(uid);
    if (old) for (const id of containerIds(old)) this.byContainer.delete(id);
    this.byUid.delete(uid);
  }

  lookup(containerId: string | null, podUid: string | null): PodLike | undefined {
    return (
      (containerId && this.byContainer.get(containerId)) || (podUid ? this.byUid.get(podUid) : undefined)
    );
  }

  get size(): number {
    return this.byUid.size;
  }
}

function containerIds(pod: PodLike): string[] {
  const s = pod.status ?? {};
  return [
    ...(s.containerStatuses ?? []),
    ...(s.initContainerStatuses ?? []),
    ...(s.ephemeralContainerStatuses ?? []),
  ]
    .map((c) => (c.containerID ? bareContainerId(c.containerID) : ''))
    .filter((id) => id.length > 0);
}
