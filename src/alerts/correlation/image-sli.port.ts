import type { EntityManager } from 'typeorm';
import type { SloSpec } from '../../slo/domain/slo.js';

/**
 * A port to the engine's per-image SLI data: for an SLO, the good and bad event counts per container image
 * digest (the sensor's container_image_id) between two instants. The correlation compares the new image of a
 * deploy with the previous one through it; without an implementation the comparison is left out.
 *
 * It is called inside the transaction that records the alert transition; `manager` is that transaction's: read
 * through it (on the embedded database the pool has one connection, so a second one would wait until the
 * transaction ends — the correlation gives up after 5 s and leaves the comparison out).
 */
export interface ImageSliSource {
  sliByImage(
    slo: SloSpec,
    from: Date,
    to: Date,
    manager?: EntityManager,
  ): Promise<{ imageId: string; total: number; bad: number }[]>;
}

export const IMAGE_SLI_SOURCE = Symbol('IMAGE_SLI_SOURCE');
