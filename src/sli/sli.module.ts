import { Module } from '@nestjs/common';
import { ImageSliQuery } from './image-sli.query.js';
import { PromqlSliSource } from './promql/promql-sli-source.js';
import { SensorStoreSliSource } from './sensor-store-sli-source.js';
import { SliRepository } from './sli-repository.js';
import { SLI_SOURCES, SliSources } from './sli-source.js';
import { TimeseriesMinutesQuery } from './timeseries-minutes.query.js';

/** SLI data: the sensor store and the PromQL source, and the map the engine picks one from (see sli-source.ts). */
@Module({
  providers: [
    SliRepository,
    TimeseriesMinutesQuery,
    ImageSliQuery,
    PromqlSliSource,
    SensorStoreSliSource,
    {
      provide: SLI_SOURCES,
      useFactory: (sensor: SensorStoreSliSource, prometheus: PromqlSliSource): SliSources => ({
        sensor,
        prometheus,
      }),
      inject: [SensorStoreSliSource, PromqlSliSource],
    },
  ],
  exports: [SliRepository, PromqlSliSource, SLI_SOURCES, TimeseriesMinutesQuery, ImageSliQuery],
})
export class SliModule {}
