import { Global, Module } from '@nestjs/common';
import { ALERT_DELIVERIES, AlertDeliveries } from '../../alerts/deliveries.port.js';
import { notificationsOfAlerts } from './notification-views.js';

const deliveries: AlertDeliveries = { ofAlerts: notificationsOfAlerts };

/** Slack's notifications as the alert views' deliveries (global: the alerts module cannot import Slack's). */
@Global()
@Module({
  providers: [{ provide: ALERT_DELIVERIES, useValue: deliveries }],
  exports: [ALERT_DELIVERIES],
})
export class AlertDeliveriesModule {}
