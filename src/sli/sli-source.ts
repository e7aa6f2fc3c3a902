/**
 * The SLI data layer below the engine: where the events an SLO counts come from. Two sources implement it — the
 * sensor store (`SliRepository`: per-series, per-minute rows the scraper writes, which the engine folds into its
 * in-memory window sums) and PromQL (`PromqlSliSource`: window sums Prometheus or VictoriaMetrics computes). The
 * engine (src/alerts) and the SLO definitions (src/slo) read SLI data only through this folder, never from
 * src/integrations (an ESLint rule keeps it so).
 */

/** Events counted over a range of minutes. */
export interface WindowCounts {
  total: number;
  bad: number;
  minutesWithData: number;
}
