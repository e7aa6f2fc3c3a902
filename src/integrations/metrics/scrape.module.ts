import { Module } from '@nestjs/common';
import { JobScheduler } from '../../common/job-scheduler.js';
import { SliModule } from '../../sli/sli.module.js';
import { SensorScraperService } from './sensor-scraper.service.js';

/** Scraping the sensors into the SLI store. */
@Module({
  imports: [SliModule],
  providers: [SensorScraperService, JobScheduler],
  exports: [SensorScraperService],
})
export class ScrapeModule {}
