import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { optionalString } from '../../common/query-params.js';
import { Report, ReportsService, reportCsv } from './reports.service.js';

@ApiTags('Reports')
@Controller('api/v1')
export class ReportsController {
  constructor(@Inject(ReportsService) private readonly reports: ReportsService) {}

  @Get('reports')
  @ApiOperation({
    summary:
      'Compliance over a calendar period for every SLO (or a team’s): achieved SLI, budget spent, time burning, incidents with their suspects, corrections',
  })
  @ApiQuery({
    name: 'period',
    required: true,
    description: 'A month "2026-11", an ISO week "2026-W48" or a quarter "2026-Q4"',
  })
  @ApiQuery({
    name: 'timeZone',
    required: false,
    description: 'IANA time zone the period is midnight to midnight in (default UTC)',
  })
  @ApiQuery({ name: 'team', required: false })
  @ApiQuery({
    name: 'format',
    required: false,
    enum: ['json', 'csv'],
    description: 'csv, or send Accept: text/csv',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiResponse({ status: 200, description: 'The report (JSON), or one CSV line per SLO' })
  @ApiResponse({ status: 400, description: 'A period or time zone that does not parse, named in `errors`' })
  async report(
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Report | string> {
    const format = optionalString('format', query.format);
    const report = await this.reports.report({
      period: optionalString('period', query.period),
      timeZone: optionalString('timeZone', query.timeZone),
      team: optionalString('team', query.team),
    });
    const csv = format === 'csv' || (format === undefined && (accept ?? '').includes('text/csv'));
    if (!csv) return report;
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="burnwatch-report-${report.period}${report.team ? `-${report.team}` : ''}.csv"`,
    );
    return reportCsv(report);
  }
}
