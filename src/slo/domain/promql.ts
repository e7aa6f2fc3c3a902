import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

/**
 * PromQL as Burnwatch reads a ratio SLO's queries, checked with Prometheus's own grammar (the lezer parser of its
 * UI) plus the type rules Prometheus applies after parsing (promql/parser checkAST): what an instant query of the
 * query would answer, or why Prometheus would refuse it. Pure: no network, no clock.
 *
 * A query counts the events of one window in one of two shapes:
 * - **windowed**: it holds the window placeholder, `{{window}}` (or the Go-template spellings sloth and the OpenSLO
 *   SDK write, `{{.window}}` and `{{.Window}}`), e.g. `sum(increase(http_requests_total[{{window}}]))`;
 * - **counter**: it has no placeholder and reads cumulative counters: a selector, a `sum` of one (with `by` or
 *   `without`), or `+`/`-` of such. Burnwatch counts it per window by putting `increase(…[window])` around each
 *   selector, so that a counter reset in one series costs nothing (increase of a sum would read a reset of one
 *   series as the whole sum starting over). Any other shape without a placeholder (a rate, a max, a quantile) has no
 *   event count Burnwatch could derive without guessing, so it is refused with the way to write it.
 */

export type PromqlType = 'scalar' | 'vector' | 'matrix' | 'string';

export type PromqlShape = 'windowed' | 'counter';

export type PromqlCheck = { ok: true; shape: PromqlShape } | { ok: false; message: string };

const PLACEHOLDER = /\{\{\s*\.?(?:window|Window)\s*\}\}/g;
const ANY_TEMPLATE = /\{\{.*?\}\}/g;
/** The duration the check puts in the placeholder: any duration parses the same. */
const SAMPLE_WINDOW = '5m';

export function hasWindowPlaceholder(query: string): boolean {
  return new RegExp(PLACEHOLDER.source).test(query);
}

/** Checks one query of a ratio SLO; the message says where (line and column) and how to put it right. */
export function checkPromqlQuery(query: string): PromqlCheck {
  for (const match of query.matchAll(ANY_TEMPLATE)) {
    if (!new RegExp(`^${PLACEHOLDER.source}$`).test(match[0]))
      return fail(
        query,
        match.index,
        `has the unknown placeholder ${match[0]}: Burnwatch fills only {{window}} (also written {{.window}} or {{.Window}}) with each window's duration`,
      );
  }
  const windowed = hasWindowPlaceholder(query);
  const { text, original } = windowed
    ? substitute(query, SAMPLE_WINDOW)
    : { text: query, original: identity };
  const analysis = parsePromql(text);
  if (!analysis.ok) return fail(query, original(analysis.at), analysis.message);
  if (analysis.type !== 'vector' && analysis.type !== 'scalar')
    return fail(
      query,
      undefined,
      `must give an instant vector or a scalar (a number of events), but gives ${aType(analysis.type)}${
        analysis.type === 'matrix' ? ': put it in a function such as increase(…) or sum_over_time(…)' : ''
      }`,
    );
  if (windowed) {
    const rate = rateOverPlaceholder(query, analysis.root, original);
    if (rate)
      return fail(
        query,
        rate.at,
        `takes ${rate.name}() over the window, which gives events per second; Burnwatch counts events (and needs them to judge minEvents): write increase(…[{{window}}]) instead of ${rate.name}(…[{{window}}])`,
      );
    return { ok: true, shape: 'windowed' };
  }
  if (counterSelectors(analysis.root) !== undefined) return { ok: true, shape: 'counter' };
  const rate = /\b(?:i?rate|increase)\s*\(/.test(query);
  return fail(
    query,
    undefined,
    `has no {{window}} placeholder, and without one Burnwatch can count only counters: a metric selector, a sum of one (sum by (…) (…)), or + and - of those. ` +
      (rate
        ? 'Put the placeholder where the range is, e.g. sum(increase(http_requests_total{code=~"5.."}[{{window}}])) instead of sum(rate(http_requests_total{code=~"5.."}[5m]))'
        : 'Write the events of one window with the placeholder, e.g. sum(increase(http_requests_total{code=~"5.."}[{{window}}]))'),
  );
}

/**
 * The query that counts the events of one window of `range` (a PromQL duration such as "1h"): the placeholder
 * filled, or each counter selector wrapped in increase(…[range]). Only for a query checkPromqlQuery accepted.
 */
export function promqlForWindow(query: string, range: string): string {
  if (hasWindowPlaceholder(query)) return substitute(query, range).text;
  const tree = parser.parse(query);
  const selectors = counterSelectors(root(tree.topNode));
  if (selectors === undefined) throw new Error(`not a counter query: ${query}`);
  let out = '';
  let from = 0;
  for (const selector of selectors) {
    out += `${query.slice(from, selector.from)}increase(${query.slice(selector.from, selector.to)}[${range}])`;
    from = selector.to;
  }
  return out + query.slice(from);
}

/** A rate() or irate() whose range is the window placeholder, if any. */
function rateOverPlaceholder(
  query: string,
  top: SyntaxNode,
  original: (at: number) => number,
): { name: string; at: number } | undefined {
  const cursor = top.cursor();
  do {
    if (cursor.name !== 'FunctionCall') continue;
    const call = cursor.node;
    const identifier = call.getChild('FunctionIdentifier')!;
    const name = identifier.firstChild?.name;
    if (name !== 'Rate' && name !== 'Irate') continue;
    const range = call.getChild('FunctionCallBody')?.getChild('MatrixSelector')?.getChild('DurationExpr');
    if (range && query.startsWith('{{', original(range.from)))
      return { name: name.toLowerCase(), at: original(call.from) };
  } while (cursor.next() && cursor.from < top.to);
  return undefined;
}

/** The counter selectors of a counter-shaped query, in order; undefined for any other shape. */
function counterSelectors(node: SyntaxNode | null): { from: number; to: number }[] | undefined {
  if (!node) return undefined;
  switch (node.name) {
    case 'VectorSelector':
      return [{ from: node.from, to: node.to }];
    case 'ParenExpr':
      return counterSelectors(expressions(node)[0] ?? null);
    case 'AggregateExpr': {
      const args = expressions(node.getChild('FunctionCallBody'));
      if (operatorName(node) !== 'sum' || args.length !== 1) return undefined;
      return args[0]!.name === 'VectorSelector' || args[0]!.name === 'ParenExpr'
        ? counterSelectors(args[0]!)
        : undefined;
    }
    case 'BinaryExpr': {
      const [left, right] = expressions(node);
      if (!node.getChild('Add') && !node.getChild('Sub')) return undefined;
      const l = counterSelectors(left ?? null);
      const r = counterSelectors(right ?? null);
      return l && r ? [...l, ...r] : undefined;
    }
    default:
      return undefined;
  }
}

export type PromqlParse =
  { ok: true; type: PromqlType; root: SyntaxNode } | { ok: false; at: number; message: string };

class PromqlError extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses one PromQL expression as Prometheus would: its grammar, then its type rules (what Prometheus refuses
 * after parsing, e.g. `sum(x) offset 1h` or `rate(x)`). `at` is the position of the first problem.
 */
export function parsePromql(text: string): PromqlParse {
  if (text.trim() === '') return { ok: false, at: 0, message: 'is empty' };
  const tree = parser.parse(text);
  let error: SyntaxNode | undefined;
  tree.iterate({
    enter(node) {
      if (error) return false;
      if (node.type.isError) error = node.node;
      return undefined;
    },
  });
  if (error) return { ok: false, at: error.from, message: syntaxMessage(text, error) };
  const top = root(tree.topNode);
  if (!top) return { ok: false, at: 0, message: 'holds no expression' };
  try {
    return { ok: true, type: typeOf(text, top), root: top };
  } catch (thrown) {
    if (thrown instanceof PromqlError) return { ok: false, at: thrown.at, message: thrown.message };
    throw thrown;
  }
}

function syntaxMessage(text: string, error: SyntaxNode): string {
  if (error.from >= text.trimEnd().length)
    return 'ends too early: an operand or a closing bracket is missing at the end';
  const previous = error.prevSibling;
  if (text[error.from] === '(' && previous?.name === 'Identifier')
    return `calls ${JSON.stringify(text.slice(previous.from, previous.to))}, which is not a PromQL function`;
  const near = text.slice(error.from).split(/\s/)[0]!.slice(0, 24);
  return `is not valid PromQL: unexpected ${JSON.stringify(near)}`;
}

/** The expression under the PromQL top node (comments aside). */
function root(top: SyntaxNode): SyntaxNode | null {
  return expressions(top)[0] ?? null;
}

const EXPRESSIONS = new Set([
  'AggregateExpr',
  'AnchoredExpr',
  'BinaryExpr',
  'FunctionCall',
  'MatrixSelector',
  'NumberDurationLiteral',
  'OffsetExpr',
  'ParenExpr',
  'SmoothedExpr',
  'StepInvariantExpr',
  'StringLiteral',
  'SubqueryExpr',
  'UnaryExpr',
  'VectorSelector',
]);

function expressions(node: SyntaxNode | null): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node?.firstChild ?? null; child; child = child.nextSibling) {
    if (EXPRESSIONS.has(child.name)) out.push(child);
  }
  return out;
}

/** The type of an expression as Prometheus infers it, throwing PromqlError where Prometheus would refuse it. */
function typeOf(text: string, node: SyntaxNode): PromqlType {
  const source = (n: SyntaxNode) => text.slice(n.from, n.to);
  const inner = () => {
    const child = expressions(node)[0];
    if (!child) throw new PromqlError(node.from, 'is not valid PromQL: an expression is missing');
    return child;
  };
  switch (node.name) {
    case 'NumberDurationLiteral':
      // The grammar reads "1h" as a number; Prometheus takes a duration only as a range or an offset.
      if (
        /^\d+(?:\.\d+)?[a-zA-Z]/.test(source(node)) &&
        !/^0x/i.test(source(node)) &&
        !/^\d+(?:\.\d+)?e/i.test(source(node))
      )
        throw new PromqlError(
          node.from,
          `has the duration ${source(node)} where a number belongs: a duration stands in a range [${source(node)}], a subquery or after offset`,
        );
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
      checkSelector(text, node);
      return 'vector';
    case 'MatrixSelector': {
      const selected = inner();
      if (selected.name !== 'VectorSelector')
        throw new PromqlError(
          node.from,
          `applies a range to ${JSON.stringify(source(selected))}, but a range [d] applies only to a metric selector: for an expression write a subquery [d:step]`,
        );
      typeOf(text, selected);
      checkRange(text, node);
      return 'matrix';
    }
    case 'SubqueryExpr': {
      checkRange(text, node);
      const type = typeOf(text, inner());
      if (type !== 'vector')
        throw new PromqlError(
          node.from,
          `takes a subquery of ${aType(type)}, but a subquery needs an instant vector`,
        );
      return 'matrix';
    }
    case 'OffsetExpr':
    case 'StepInvariantExpr': {
      const modified = inner();
      const modifier = node.name === 'OffsetExpr' ? 'offset' : '@';
      if (!isSelectorOrSubquery(modified))
        throw new PromqlError(
          node.from,
          `puts the ${modifier} modifier after ${JSON.stringify(source(modified))}, but it must follow a metric selector, a range selector or a subquery: write e.g. sum(x ${modifier === 'offset' ? 'offset 1h' : '@ 1700000000'}) rather than sum(x) ${modifier === 'offset' ? 'offset 1h' : '@ 1700000000'}`,
        );
      return typeOf(text, modified);
    }
    case 'AnchoredExpr':
    case 'SmoothedExpr':
    case 'ParenExpr':
      return typeOf(text, inner());
    case 'UnaryExpr': {
      const type = typeOf(text, inner());
      if (type !== 'scalar' && type !== 'vector')
        throw new PromqlError(node.from, `negates ${aType(type)}: only a scalar or an instant vector can be`);
      return type;
    }
    case 'FunctionCall':
      return functionType(text, node);
    case 'AggregateExpr':
      return aggregateType(text, node);
    case 'BinaryExpr':
      return binaryType(text, node);
    default:
      throw new PromqlError(node.from, `is not valid PromQL: unexpected ${JSON.stringify(source(node))}`);
  }
}

function isSelectorOrSubquery(node: SyntaxNode): boolean {
  if (node.name === 'OffsetExpr' || node.name === 'StepInvariantExpr')
    return expressions(node)[0] !== undefined && isSelectorOrSubquery(expressions(node)[0]!);
  return node.name === 'VectorSelector' || node.name === 'MatrixSelector' || node.name === 'SubqueryExpr';
}

/**
 * What Prometheus checks in a selector beyond its grammar: each regular expression compiles, the metric name is
 * given once, and the selector cannot match every series (`{}` or `{job=""}`).
 */
function checkSelector(text: string, node: SyntaxNode): void {
  const name = node.getChild('Identifier');
  let selective = name !== null;
  const matchers = node.getChild('LabelMatchers');
  for (let matcher = matchers?.firstChild ?? null; matcher; matcher = matcher.nextSibling) {
    const op = matcher.getChild('MatchOp')?.firstChild?.name;
    const values = matcher.getChildren('StringLiteral');
    const literal = values.at(-1);
    // A quoted name alone ({"my.metric"}) is a metric name.
    if (op === undefined && matcher.name === 'QuotedLabelMatcher') {
      selective = true;
      continue;
    }
    if (!literal) continue;
    const label = matcher.getChild('LabelName');
    if (name && label && text.slice(label.from, label.to) === '__name__')
      throw new PromqlError(matcher.from, 'names the metric twice: before the braces and as __name__');
    const value = unquote(text.slice(literal.from, literal.to));
    if (op === 'EqlRegex' || op === 'NeqRegex') {
      const regex = compile(value);
      if (!regex.ok)
        throw new PromqlError(
          literal.from,
          `holds a regular expression that does not compile: ${regex.message}`,
        );
      if (op === 'EqlRegex' ? !regex.matchesEmpty : regex.matchesEmpty) selective = true;
    }
    if (op === 'EqlSingle' && value !== '') selective = true;
    if (op === 'Neq' && value === '') selective = true;
  }
  if (!selective)
    throw new PromqlError(
      node.from,
      'selects every series: a selector needs a metric name or a label matcher that does not match the empty value',
    );
}

/**
 * Prometheus's regular expressions are RE2, anchored at both ends. JavaScript's read them alike once RE2's own
 * spellings are translated (named groups `(?P<n>`, leading flags such as `(?i)`); only a pattern neither can read
 * is refused.
 */
function compile(pattern: string): { ok: true; matchesEmpty: boolean } | { ok: false; message: string } {
  const flags = /^\(\?([imsU]+)\)/.exec(pattern);
  const body = (flags ? pattern.slice(flags[0].length) : pattern).replace(/\(\?P</g, '(?<');
  try {
    const regex = new RegExp(`^(?:${body})$`, flags?.[1]?.includes('i') ? 'i' : '');
    return { ok: true, matchesEmpty: regex.test('') };
  } catch (error) {
    return { ok: false, message: (error as Error).message.replace(/^Invalid regular expression: /, '') };
  }
}

/** A range or subquery range of zero (`[0s]`), which Prometheus refuses. */
function checkRange(text: string, node: SyntaxNode): void {
  const range = node.getChild('DurationExpr');
  if (range && /^(?:0+(?:\.0+)?[a-z]+)+$/.test(text.slice(range.from, range.to).replace(/\s/g, '')))
    throw new PromqlError(range.from, 'has a range of zero: a range must be longer than 0s');
}

function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  try {
    return JSON.parse(literal.startsWith("'") ? `"${literal.slice(1, -1).replace(/"/g, '\\"')}"` : literal);
  } catch {
    return literal.slice(1, -1);
  }
}

interface Signature {
  args: PromqlType[];
  /** 0: exactly args; n > 0: the last argument optional and up to n more of its type; -1: any number more. */
  variadic: number;
  returns: PromqlType;
}

const signature = (args: PromqlType[], returns: PromqlType = 'vector', variadic = 0): Signature => ({
  args,
  returns,
  variadic,
});
const ofVector = signature(['vector']);
const ofRange = signature(['matrix']);
const ofOptionalVector = signature(['vector'], 'vector', 1);

/** Prometheus's functions (promql/parser/functions.go); ones the grammar knows but not listed here are unchecked. */
const FUNCTIONS: Record<string, Signature> = {
  ...Object.fromEntries(
    [
      'abs',
      'absent',
      'acos',
      'acosh',
      'asin',
      'asinh',
      'atan',
      'atanh',
      'ceil',
      'cos',
      'cosh',
      'deg',
      'exp',
      'floor',
      'histogram_avg',
      'histogram_count',
      'histogram_stddev',
      'histogram_stdvar',
      'histogram_sum',
      'ln',
      'log10',
      'log2',
      'rad',
      'sgn',
      'sin',
      'sinh',
      'sort',
      'sort_desc',
      'sqrt',
      'tan',
      'tanh',
      'timestamp',
    ].map((name) => [name, ofVector]),
  ),
  ...Object.fromEntries(
    [
      'absent_over_time',
      'avg_over_time',
      'changes',
      'count_over_time',
      'delta',
      'deriv',
      'first_over_time',
      'idelta',
      'increase',
      'irate',
      'last_over_time',
      'mad_over_time',
      'max_over_time',
      'min_over_time',
      'present_over_time',
      'rate',
      'resets',
      'stddev_over_time',
      'stdvar_over_time',
      'sum_over_time',
      'ts_of_first_over_time',
      'ts_of_last_over_time',
      'ts_of_max_over_time',
      'ts_of_min_over_time',
    ].map((name) => [name, ofRange]),
  ),
  ...Object.fromEntries(
    ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'].map(
      (name) => [name, ofOptionalVector],
    ),
  ),
  clamp: signature(['vector', 'scalar', 'scalar']),
  clamp_max: signature(['vector', 'scalar']),
  clamp_min: signature(['vector', 'scalar']),
  double_exponential_smoothing: signature(['matrix', 'scalar', 'scalar']),
  holt_winters: signature(['matrix', 'scalar', 'scalar']),
  histogram_fraction: signature(['scalar', 'scalar', 'vector']),
  histogram_quantile: signature(['scalar', 'vector']),
  label_join: signature(['vector', 'string', 'string', 'string'], 'vector', -1),
  label_replace: signature(['vector', 'string', 'string', 'string', 'string']),
  pi: signature([], 'scalar'),
  predict_linear: signature(['matrix', 'scalar']),
  quantile_over_time: signature(['scalar', 'matrix']),
  round: signature(['vector', 'scalar'], 'vector', 1),
  scalar: signature(['vector'], 'scalar'),
  sort_by_label: signature(['vector', 'string'], 'vector', -1),
  sort_by_label_desc: signature(['vector', 'string'], 'vector', -1),
  time: signature([], 'scalar'),
  vector: signature(['scalar']),
};

function functionType(text: string, node: SyntaxNode): PromqlType {
  const identifier = node.getChild('FunctionIdentifier')!;
  const name = text.slice(identifier.from, identifier.to);
  const args = expressions(node.getChild('FunctionCallBody'));
  const types = args.map((arg) => typeOf(text, arg));
  const known = FUNCTIONS[name];
  if (!known) return 'vector';
  const { args: expected, variadic } = known;
  const min = variadic === 0 ? expected.length : expected.length - 1;
  const max = variadic === 0 ? expected.length : variadic < 0 ? Infinity : min + variadic;
  if (args.length < min || args.length > max) {
    const count = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new PromqlError(
      node.from,
      `calls ${name}() with ${args.length} argument(s), but it takes ${count}`,
    );
  }
  types.forEach((type, i) => {
    const want = expected[Math.min(i, expected.length - 1)]!;
    if (type !== want)
      throw new PromqlError(
        args[i]!.from,
        `passes ${aType(type)} as argument ${i + 1} of ${name}(), which needs ${aType(want)}${
          want === 'matrix' && type === 'vector' ? `: give it a range, e.g. ${name}(x[5m])` : ''
        }`,
      );
  });
  return known.returns;
}

const PARAMETER_AGGREGATIONS: Record<string, PromqlType> = {
  topk: 'scalar',
  bottomk: 'scalar',
  quantile: 'scalar',
  limitk: 'scalar',
  limit_ratio: 'scalar',
  count_values: 'string',
};

function operatorName(node: SyntaxNode): string | undefined {
  const op = node.getChild('AggregateOp');
  return op?.firstChild?.name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

function aggregateType(text: string, node: SyntaxNode): PromqlType {
  const name = operatorName(node) ?? 'aggregation';
  const args = expressions(node.getChild('FunctionCallBody'));
  const parameter = PARAMETER_AGGREGATIONS[name];
  const expected: PromqlType[] = parameter ? [parameter, 'vector'] : ['vector'];
  if (args.length !== expected.length)
    throw new PromqlError(
      node.from,
      `gives ${name} ${args.length} argument(s), but it takes ${expected.length}${parameter ? ` (${aType(parameter)} and an instant vector)` : ' (an instant vector)'}`,
    );
  args.forEach((arg, i) => {
    const type = typeOf(text, arg);
    if (type !== expected[i])
      throw new PromqlError(
        arg.from,
        `gives ${name} ${aType(type)}, where it needs ${aType(expected[i]!)}${
          type === 'matrix' ? `: aggregate a function of the range, e.g. ${name}(rate(x[5m]))` : ''
        }`,
      );
  });
  return 'vector';
}

const COMPARISONS = ['Eql', 'Neq', 'Lte', 'Lss', 'Gte', 'Gtr'];
const SET_OPERATORS = ['And', 'Or', 'Unless'];

function binaryType(text: string, node: SyntaxNode): PromqlType {
  const [left, right] = expressions(node);
  if (!left || !right) throw new PromqlError(node.from, 'is not valid PromQL: an operand is missing');
  const lt = typeOf(text, left);
  const rt = typeOf(text, right);
  for (const [side, type] of [
    [left, lt],
    [right, rt],
  ] as const) {
    if (type !== 'scalar' && type !== 'vector')
      throw new PromqlError(
        side.from,
        `uses ${aType(type)} as an operand, but operators take only scalars and instant vectors${
          type === 'matrix' ? ': put the range in a function such as increase(…)' : ''
        }`,
      );
  }
  const isComparison = COMPARISONS.some((op) => node.getChild(op));
  const isSet = SET_OPERATORS.some((op) => node.getChild(op));
  const bool = node.getChild('BoolModifier');
  if (bool && !isComparison)
    throw new PromqlError(bool.from, 'uses bool with an operator that is not a comparison');
  if (!bool && isComparison && lt === 'scalar' && rt === 'scalar')
    throw new PromqlError(node.from, 'compares two scalars, which needs the bool modifier (e.g. 1 > bool 0)');
  if (isSet && (lt === 'scalar' || rt === 'scalar'))
    throw new PromqlError(
      node.from,
      'uses and/or/unless with a scalar: they work only between instant vectors',
    );
  const matching = node.getChild('MatchingModifierClause');
  if (matching && (lt !== 'vector' || rt !== 'vector'))
    throw new PromqlError(
      matching.from,
      'matches labels (on/ignoring) where one side is a scalar: only two instant vectors match',
    );
  if (matching && isSet && (matching.getChild('GroupLeft') || matching.getChild('GroupRight')))
    throw new PromqlError(
      matching.from,
      'groups (group_left/group_right) in a set operation, which is always many-to-many',
    );
  return lt === 'scalar' && rt === 'scalar' ? 'scalar' : 'vector';
}

/** "a scalar", "an instant vector". */
function aType(type: PromqlType): string {
  const name = typeName(type);
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

function typeName(type: PromqlType): string {
  return type === 'matrix' ? 'range vector' : type === 'vector' ? 'instant vector' : type;
}

const identity = (at: number) => at;

/** The query with every placeholder replaced, and a map from positions in it back to the query's. */
function substitute(query: string, range: string): { text: string; original: (at: number) => number } {
  const spans: { at: number; from: number; to: number }[] = [];
  let text = '';
  let from = 0;
  for (const match of query.matchAll(PLACEHOLDER)) {
    text += query.slice(from, match.index);
    spans.push({ at: text.length, from: match.index, to: match.index + match[0].length });
    text += range;
    from = match.index + match[0].length;
  }
  text += query.slice(from);
  const original = (at: number) => {
    let shift = 0;
    for (const span of spans) {
      if (at < span.at) break;
      if (at < span.at + range.length) return span.from;
      shift = span.to - (span.at + range.length);
    }
    return at + shift;
  };
  return { text, original };
}

/** A refusal; `at` (a position in the query) when the problem has a place, not for the query as a whole. */
function fail(query: string, at: number | undefined, message: string): PromqlCheck {
  return { ok: false, message: at === undefined ? message : `${message} (at ${position(query, at)})` };
}

/** "line 1, column 5", counting from 1 as editors do. */
function position(text: string, at: number): string {
  const before = text.slice(0, at).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}
