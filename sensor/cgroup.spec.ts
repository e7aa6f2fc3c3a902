import { describe, expect, it } from 'vitest';
import { parseCgroup } from './cgroup.js';

const ID = 'a'.repeat(12) + '0123456789abcdef'.repeat(3) + 'b'.repeat(4);
const UID = '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';

describe('parseCgroup', () => {
  it.each([
    {
      name: 'containerd with the systemd driver (cgroup v2)',
      content: `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID.replace(/-/g, '_')}.slice/cri-containerd-${ID}.scope\n`,
      containerId: ID,
      podUid: UID,
    },
    {
      name: 'the cgroupfs driver (cgroup v1 lines)',
      content: `12:pids:/kubepods/besteffort/pod${UID}/${ID}\n11:memory:/kubepods/besteffort/pod${UID}/${ID}\n`,
      containerId: ID,
      podUid: UID,
    },
    { name: 'CRI-O', content: `0::/kubepods.slice/crio-${ID}.scope\n`, containerId: ID, podUid: null },
    { name: 'plain Docker', content: `0::/system.slice/docker-${ID}.scope\n`, containerId: ID, podUid: null },
    {
      name: 'a process on the host',
      content: '0::/user.slice/user-0.slice/session-1.scope\n',
      containerId: null,
      podUid: null,
    },
    {
      name: 'a conmon monitor is not the container',
      content: `0::/machine.slice/libpod-conmon-${ID}.scope\n`,
      containerId: null,
      podUid: null,
    },
    { name: 'empty content', content: '', containerId: null, podUid: null },
  ])('$name', ({ content, containerId, podUid }) => {
    expect(parseCgroup(content)).toEqual({ containerId, podUid });
  });
});
