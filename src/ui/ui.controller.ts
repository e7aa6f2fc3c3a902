import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { UI_CSP, readIndexHtml } from './ui-files.js';

/**
 * The UI's pages answer with its index.html (the browser app picks the page from the address). Only these paths:
 * the API, /metrics, /healthz, /readyz and /api/docs keep their own handlers, and any other path stays a JSON 404.
 */
@ApiExcludeController()
@Controller()
export class UiController {
  @Get()
  list(@Res() response: Response): Promise<void> {
    return sendIndex(response);
  }

  @Get('alerts')
  alerts(@Res() response: Response): Promise<void> {
    return sendIndex(response);
  }

  @Get('silences')
  silences(@Res() response: Response): Promise<void> {
    return sendIndex(response);
  }

  @Get('reports')
  reports(@Res() response: Response): Promise<void> {
    return sendIndex(response);
  }

  @Get('workloads')
  workloads(@Res() response: Response): Promise<void> {
    return sendIndex(response);
  }

  @Get('slos/:name')
  slo(@Res() response: Response): Promise<void> {
    return sendIndex(response);
  }
}

async function sendIndex(response: Response): Promise<void> {
  const { html, built } = await readIndexHtml();
  response
    .status(built ? 200 : 503)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': UI_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    })
    .send(html);
}
