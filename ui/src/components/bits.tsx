import type { ComponentChildren } from 'preact';
import type { SloRow } from '../lib/slo-list.js';
import { STATUS_LABELS, budgetBar } from '../lib/slo-list.js';
import { formatPercent } from '../lib/format.js';

/** Status as a word with a colour; the word carries the meaning, the colour only repeats it. */
export function StatusBadge({ status }: { status: SloRow['status'] }) {
  return <span class={`badge status-${status}`}>{STATUS_LABELS[status]}</span>;
}

export function SeverityBadge({ severity }: { severity: 'page' | 'ticket' }) {
  return <span class={`badge status-${severity}`}>{severity === 'page' ? 'Page' : 'Ticket'}</span>;
}

/** The budget left as a bar and a number; a meter for assistive technology. */
export function BudgetBar({ remainingPercent, label }: { remainingPercent: number | null; label: string }) {
  const bar = budgetBar(remainingPercent);
  return (
    <div class="budget">
      <div
        class={`budget-track level-${bar.level}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={remainingPercent === null ? undefined : Math.max(0, Math.min(100, remainingPercent))}
        aria-valuetext={remainingPercent === null ? 'no data' : `${formatPercent(remainingPercent)} left`}
      >
        <div class="budget-fill" style={{ width: `${bar.widthPercent}%` }} />
      </div>
      <span class={`budget-value level-${bar.level}`}>{formatPercent(remainingPercent, 1)}</span>
    </div>
  );
}

/** A teaching empty state: what is missing, and what to do about it. */
export function EmptyState(props: {
  title: string;
  children: ComponentChildren;
  tone?: 'info' | 'warning';
  headingLevel?: 2 | 3;
}) {
  const Heading = props.headingLevel === 3 ? 'h3' : 'h2';
  return (
    <section class={`empty ${props.tone ?? 'info'}`} aria-label={props.title}>
      <Heading>{props.title}</Heading>
      {props.children}
    </section>
  );
}

export function ErrorNote({ message }: { message: string }) {
  return (
    <p class="error-note" role="alert">
      {message}
    </p>
  );
}

export function Code({ children, label }: { children: string; label: string }) {
  return (
    <pre class="code" tabIndex={0} aria-label={label}>
      <code>{children}</code>
    </pre>
  );
}
