import type { SloSpec } from '../../slo/domain/slo.js';

/**
 * A port to the engine's per-image SLI data: for an SLO, the good and bad event counts per container image
 * digest (the sensor's container_image_id) between two instants. The correlation compares the new image of a
 * deploy with the previous one through it; without an implementation the comparison is left out.
 */
export interface ImageSliSource {
  sliByImage(slo: SloSpec, from: Date, to: Date): Promise<{ imageId: string; total: number; bad: number }[]>;
}

export const IMAGE_SLI_SOURCE = Symbol('IMAGE_SLI_SOURCE');
