import { Module } from '@nestjs/common';
import { EngineModule } from '../../alerts/engine/engine.module.js';
import { ScrapeModule } from '../metrics/scrape.module.js';
import { SensorController } from './sensor.controller.js';
import { SensorSupervisor } from './sensor-supervisor.js';

/** The sensor as a child process of the service on one machine, scraped through the engine's scraper. */
@Module({
  imports: [EngineModule, ScrapeModule],
  controllers: [SensorController],
  providers: [SensorSupervisor],
})
export class SensorModule {}
