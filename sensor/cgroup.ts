/**
 * Container identity from /proc/<pid>/cgroup. Pure.
 *
 * Handles the layouts of the common runtimes, cgroup v1 and v2:
 *   0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/cri-containerd-<id>.scope
 *   0::/kubepods/burstable/pod<uid>/<id>                      (cgroupfs driver)
 *   0::/system.slice/docker-<id>.scope, 12:pids:/docker/<id>   (plain Docker)
 *   0::/machine.slice/libpod-<id>.scope                        (Podman), crio-<id>.scope (CRI-O)
 */

export interface CgroupIdentity {
  /** 64 hex characters, as in a pod's status.containerStatuses[].containerID after "runtime://". */
  readonly containerId: string | null;
  /** The pod's UID (dashes restored), when the path is under kubepods. */
  readonly podUid: string | null;
}

const CONTAINER_ID = /(?:^|[/-])([0-9a-f]{64})(?:\.scope)?$/;
const POD_UID = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/;

export function parseCgroup(content: string): CgroupIdentity {
  let containerId: string | null = null;
  let podUid: string | null = null;
  for (const line of content.split('\n')) {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1).trim();
    if (!path) continue;
    // A conmon/crio-conmon scope is the monitor, not the container.
    if (/conmon/.test(path)) continue;
    const c = CONTAINER_ID.exec(path);
    if (c && !containerId) containerId = c[1]!;
    const p = POD_UID.exec(path);
    if (p && !podUid) podUid = p[1]!.replace(/_/g, '-');
  }
  return { containerId, podUid };
}
