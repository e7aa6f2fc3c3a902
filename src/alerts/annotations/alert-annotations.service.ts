import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import type { AlertAnnotation, AnnotationKind } from '../domain/alert-annotation.js';
import { AlertAnnotationEntity } from './alert-annotation.entity.js';

const UNIQUE_VIOLATION = '23505';

export interface NewAnnotation {
  alertId: string;
  kind: AnnotationKind;
  createdBy: string;
  slackUserId: string | null;
  comment?: string;
  /** The signature of the Slack request: the same request twice records once. */
  slackRequest: string | null;
  at: Date;
}

/** Acknowledgements and the other annotations people put on an alert. */
@Injectable()
export class AlertAnnotationsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records one; null when this Slack request was already carried out (a replay within Slack's 5 minutes). */
  async record(input: NewAnnotation): Promise<AlertAnnotationEntity | null> {
    try {
      return await this.dataSource.manager.save(
        AlertAnnotationEntity,
        this.dataSource.manager.create(AlertAnnotationEntity, {
          ...input,
          comment: input.comment ?? null,
          details: {},
        }),
      );
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
      )
        return null;
      throw error;
    }
  }

  async complete(id: string, details: AlertAnnotationEntity['details']): Promise<void> {
    await this.dataSource.manager.update(AlertAnnotationEntity, { id }, { details });
  }

  /** Takes back one whose action failed (the silence or correction was refused), so that a retry can do it. */
  async discard(id: string): Promise<void> {
    await this.dataSource.manager.delete(AlertAnnotationEntity, { id });
  }

  /** Each alert's annotations, oldest first. */
  async ofAlerts(
    alertIds: string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, AlertAnnotation[]>> {
    const result = new Map<string, AlertAnnotation[]>();
    if (alertIds.length === 0) return result;
    const rows = await manager.find(AlertAnnotationEntity, {
      where: { alertId: In(alertIds) },
      order: { at: 'ASC', id: 'ASC' },
    });
    for (const row of rows) {
      const list = result.get(row.alertId) ?? [];
      list.push(toAnnotation(row));
      result.set(row.alertId, list);
    }
    return result;
  }
}

export function toAnnotation(row: AlertAnnotationEntity): AlertAnnotation {
  return {
    kind: row.kind,
    createdBy: row.createdBy,
    slackUserId: row.slackUserId,
    at: row.at.toISOString(),
    ...(row.comment !== null ? { comment: row.comment } : {}),
    ...row.details,
  };
}
