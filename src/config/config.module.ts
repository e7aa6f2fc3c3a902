import { DynamicModule, Global, Module } from '@nestjs/common';
import { CLOCK, Clock, systemClock } from '../common/clock.js';
import type { Config } from './config.js';

export const CONFIG = Symbol('CONFIG');

/** Makes the typed configuration, loaded once in main.ts (or by a test), injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: Config, clock: Clock = systemClock): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [CONFIG, CLOCK],
    };
  }
}
