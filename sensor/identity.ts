/**
 * pid → who served the request: process name, and in Kubernetes the pod's
 * workload and image, through /proc/<pid>/cgroup → container ID → pod.
 * Outside a pod the service name comes from the systemd unit or the command line (service-name.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCgroup } from './cgroup.js';
import {
  DEFAULT_SERVICE_NAMING,
  serviceNameOf,
  type ServiceNameOrigin,
  type ServiceNaming,
} from './service-name.js';
import { PodIndex, workloadLabels } from './workloads.js';

export interface ServiceIdentity {
  readonly namespace: string;
  readonly workloadName: string;
  readonly workloadKind: string;
  readonly serviceName: string;
  readonly imageName: string;
  readonly imageId: string;
  readonly processName: string;
  /** Where serviceName came from: the pod's workload, the systemd unit, the command line or the process name. */
  readonly serviceNameOrigin: ServiceNameOrigin | 'kubernetes';
}

/** The /proc reads the resolver needs (a port, so tests can hand their own). */
export interface ProcFs {
  comm(pid: number): Promise<string | null>;
  cgroup(pid: number): Promise<string | null>;
  /** argv, from the NUL-separated /proc/<pid>/cmdline. */
  cmdline(pid: number): Promise<string[] | null>;
}

export class HostProcFs implements ProcFs {
  constructor(private readonly root = '/proc') {}

  async comm(pid: number): Promise<string | null> {
    return (await this.read(pid, 'comm'))?.trim() ?? null;
  }

  cgroup(pid: number): Promise<string | null> {
    return this.read(pid, 'cgroup');
  }

  async cmdline(pid: number): Promise<string[] | null> {
    const raw = await this.read(pid, 'cmdline');
    if (raw === null) return null;
    const argv = raw.split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    return argv;
  }

  private async read(pid: number, file: string): Promise<string | null> {
    try {
      return await readFile(path.join(this.root, String(pid), file), 'utf8');
    } catch {
      return null; // the process is gone, or not visible
    }
  }
}

interface CacheEntry {
  readonly identity: ServiceIdentity;
  readonly key: string;
  readonly expiresAtMs: number;
}

/**
 * Caches per pid; an entry is keyed by the record's cgroup id and comm as well, so a
 * reused pid or a process that moved is looked up again.
 */
export class IdentityResolver {
  private readonly cache = new Map<number, CacheEntry>();

  constructor(
    private readonly proc: ProcFs,
    private readonly pods: PodIndex | null,
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 4096,
    private readonly naming: ServiceNaming = DEFAULT_SERVICE_NAMING,
  ) {}

  async resolve(pid: number, cgroupId: bigint, threadComm: string, nowMs: number): Promise<ServiceIdentity> {
    const key = `${cgroupId}`;
    const hit = this.cache.get(pid);
    if (hit && hit.key === key && hit.expiresAtMs > nowMs) return hit.identity;

    const [comm, cgroup, argv] = await Promise.all([
      this.proc.comm(pid),
      this.proc.cgroup(pid),
      this.naming.sources.includes('cmdline') ? this.proc.cmdline(pid) : null,
    ]);
    const processName = comm || threadComm;
    const derived = serviceNameOf({ comm: processName, cgroup, argv }, this.naming);
    let identity: ServiceIdentity = {
      namespace: '',
      workloadName: '',
      workloadKind: '',
      serviceName: derived.name,
      imageName: '',
      imageId: '',
      processName,
      serviceNameOrigin: derived.origin,
    };
    if (this.pods && cgroup) {
      const { containerId, podUid } = parseCgroup(cgroup);
      const pod = this.pods.lookup(containerId, podUid);
      if (pod) {
        const w = workloadLabels(pod, containerId);
        identity = w.workloadName
          ? { ...w, serviceName: w.workloadName, processName, serviceNameOrigin: 'kubernetes' }
          : { ...w, serviceName: derived.name, processName, serviceNameOrigin: derived.origin };
      }
    }
    // A pod not yet known to the watch is looked up again soon.
    const ttl = this.pods && !identity.workloadName ? Math.min(this.ttlMs, 2_000) : this.ttlMs;
    if (this.cache.size >= this.maxEntries) this.evictExpired(nowMs);
    if (this.cache.size < this.maxEntries) this.cache.set(pid, { identity, key, expiresAtMs: nowMs + ttl });
    return identity;
  }

  private evictExpired(nowMs: number): void {
    for (const [pid, e] of this.cache) if (e.expiresAtMs <= nowMs) this.cache.delete(pid);
    // Still full: forget the oldest half rather than grow.
    if (this.cache.size >= this.maxEntries) {
      let n = Math.floor(this.maxEntries / 2);
      for (const pid of this.cache.keys()) {
        if (n-- <= 0) break;
        this.cache.delete(pid);
      }
    }
  }
}
