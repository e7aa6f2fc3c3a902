/**
 * A read that concurrent callers share, but only when it started after they asked: a caller never gets an answer
 * older than its own request. While one read runs, callers that arrive wait for the next one, which starts when
 * the running one ends and serves all of them; so under any load there are at most two reads in flight, and each
 * caller waits at most two of them. Used for the cheap version checks that tell whether a cached list is current
 * (a write committed before the request arrived, on any replica, is always seen).
 */
export class CoalescedRead<T> {
  private running: Promise<T> | undefined;
  private next: Promise<T> | undefined;

  constructor(private readonly read: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.running === undefined) return this.start();
    this.next ??= this.running.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  }

  private startNext(): Promise<T> {
    this.next = undefined;
    return this.start();
  }

  private start(): Promise<T> {
    const read = this.read().finally(() => {
      if (this.running === read) this.running = undefined;
    });
    this.running = read;
    return read;
  }
}
