import { Module } from '@nestjs/common';
import { PromqlSliSource } from './promql/promql-sli-source.js';
import { SliRepository } from './sli-repository.js';

/** SLI data: the sensor store and the PromQL source (see sli-source.ts). */
@Module({
  providers: [SliRepository, PromqlSliSource],
  exports: [SliRepository, PromqlSliSource],
})
export class SliModule {}
