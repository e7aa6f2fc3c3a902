import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SloSpec } from './domain/slo.js';

/**
 * A port for what must happen when an SLO is deleted (its alerts close). It runs inside the transaction that
 * deletes the SLO, holding the SLO's row lock: write with `manager`, never call the network here, so that the
 * deletion and its consequences are stored together or not at all.
 */
export interface SloDeletionListener {
  readonly name: string;
  onSloDeleted(manager: EntityManager, slo: SloSpec, at: Date): Promise<void>;
}

/** Where other modules register their listeners (in their onModuleInit). */
@Injectable()
export class SloLifecycleHooks {
  private readonly listeners: SloDeletionListener[] = [];

  register(listener: SloDeletionListener): void {
    this.listeners.push(listener);
  }

  async sloDeleted(manager: EntityManager, slo: SloSpec, at: Date): Promise<void> {
    for (const listener of this.listeners) await listener.onSloDeleted(manager, slo, at);
  }
}
