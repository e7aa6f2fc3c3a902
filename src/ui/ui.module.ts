import { Module } from '@nestjs/common';
import { UiController } from './ui.controller.js';

/** The web UI's pages; its static files are served by serveUiAssets() in app.ts. */
@Module({ controllers: [UiController] })
export class UiModule {}
