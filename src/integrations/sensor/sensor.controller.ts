import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SensorStatusView } from './sensor-status.js';
import { SensorSupervisor } from './sensor-supervisor.js';

@ApiTags('Sensor')
@Controller('api/v1/sensor')
export class SensorController {
  constructor(@Inject(SensorSupervisor) private readonly supervisor: SensorSupervisor) {}

  @Get()
  @ApiOperation({
    summary: 'The sensor this service starts on its own machine (BURNWATCH_SENSOR)',
    description:
      'running (serving, and scraped), starting, off, or unavailable with the reason in one sentence and what to do ' +
      '(not root, no kernel BTF, no tracefs, no loader and no compiler, or the sensor exited and is restarted).',
  })
  @ApiResponse({ status: 200, schema: { $ref: '#/components/schemas/SensorStatus' } })
  status(): SensorStatusView {
    return this.supervisor.status();
  }
}
