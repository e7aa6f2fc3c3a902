import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { WorkloadsView } from './domain/workloads.js';
import { WorkloadsService } from './workloads.service.js';

@ApiTags('Workloads')
@Controller('api/v1/workloads')
export class WorkloadsController {
  constructor(@Inject(WorkloadsService) private readonly workloads: WorkloadsService) {}

  @Get()
  @ApiOperation({
    summary: 'The workloads the sensor reports, with what an SLO on each could start from',
    description:
      'Every workload (namespace and workload in Kubernetes, the service name outside it) with a request in the ' +
      'last hour, busiest first: its routes, requests per minute, 5xx share and P95/P99 over the last five ' +
      'minutes (approximate: interpolated between bucket bounds), image digests, the SLOs that already cover ' +
      'it, and suggested SLOs ready for POST /api/v1/slos.',
  })
  @ApiResponse({ status: 200, schema: { $ref: '#/components/schemas/Workloads' } })
  list(): Promise<WorkloadsView> {
    return this.workloads.list();
  }
}
