import { raw } from "hono/html";
import type { BookTrend } from "../contract/book-trend";
import type { HealthEvent } from "../contract/events";
import type { PortfolioSummary } from "../contract/portfolio";
import type { RevenueMovements } from "../contract/revenue";
import { formatCount, formatMoney } from "../domain/format";
import { BUCKETS } from "../domain/types";
import { barChart, stackedColumnChart, type StackedColumn } from "./charts";
import { eventText } from "./event-text";
import { latestEvents } from "../db/queries/events";
import { getPortfolioSummary } from "../services/portfolio";
import { getRevenueMovements } from "../services/revenue";
import { getBookTrend } from "../services/book-trend";
import { conditionalRead } from "../lib/conditional-read";
import { requireViewer, type ConsoleApp, type Viewer } from "./access";
import { Layout } from "./layout";

/** The portfolio page (/app): the summary's and the revenue statement's figures, as the API answers them. */

export interface PortfolioView {
  summary: PortfolioSummary;
  revenue: RevenueMovements;
  trend: BookTrend;
  events: HealthEvent[];
}

/** The trend's weeks as stacked columns of `measure` per bucket, Critical at the bottom. */
function trendColumns(trend: BookTrend, measure: "accounts" | "arr", show: (value: number) => string): StackedColumn[] {
  return trend.points.map((point) => ({
    label: point.date,
    parts: [...BUCKETS].reverse().map((bucket) => ({
      label: bucket,
      tone: BUCKET_TONES[bucket],
      value: point[measure][bucket],
      shown: show(point[measure][bucket]),
    })),
  }));
}

const BUCKET_TONES = { Healthy: "healthy", "At-Risk": "at-risk", Critical: "critical" } as const;

function ratio(value: number | null): string {
  return value === null ? "n/a" : `${(value * 100).toFixed(1)}%`;
}

export function PortfolioPage(props: { viewer: Viewer; view: PortfolioView }) {
  const { summary, revenue, trend, events } = props.view;
  const cards: [string, string][] = [
    ["Accounts", formatCount(summary.total_accounts)],
    ["Total ARR", formatMoney(summary.total_arr)],
    ["ARR at risk", formatMoney(summary.arr_at_risk)],
    ["Average health", summary.avg_health_score.toFixed(1)],
    ["NRR, 90 days", ratio(revenue.nrr)],
    ["GRR, 90 days", ratio(revenue.grr)],
    ["Renewing in 90 days", formatMoney(summary.renewals_next_90_days.arr)],
    ["…of which at risk", formatMoney(summary.renewals_next_90_days.arr_at_risk)],
  ];
  const byBucket = (["Healthy", "At-Risk", "Critical"] as const).map((bucket) => ({
    label: bucket,
    value: summary.arr_by_bucket[bucket],
    shown: formatMoney(summary.arr_by_bucket[bucket]),
    tone: BUCKET_TONES[bucket],
  }));
  const bySegment = summary.by_segment.map((group) => ({ label: group.segment, value: group.arr, shown: formatMoney(group.arr) }));
  return (
    <Layout title="Portfolio" viewer={props.viewer}>
      <h1>Portfolio</h1>
      <p class="as-of">
        {summary.as_of_date ? `Metrics up to ${summary.as_of_date}` : "No metrics yet: upload a CSV (POST /ingest/csv)."}
        {summary.stale_accounts > 0 && ` · ${summary.stale_accounts} accounts are waiting for their rescore`}
      </p>
      <dl class="cards">
        {cards.map(([label, value]) => (
          <div class="card">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <div class="panels">
        <section class="panel" aria-labelledby="by-bucket">
          <h2 id="by-bucket">ARR by health</h2>
          {raw(barChart(byBucket, "ARR by health bucket"))}
        </section>
        <section class="panel" aria-labelledby="by-segment">
          <h2 id="by-segment">ARR by segment</h2>
          {raw(barChart(bySegment, "ARR by segment"))}
        </section>
        <section class="panel wide" aria-labelledby="trend">
          <h2 id="trend">Health over 90 days (a point a week)</h2>
          {raw(stackedColumnChart(trendColumns(trend, "accounts", formatCount), "Accounts by health bucket, a week at a time", formatCount))}
          {raw(stackedColumnChart(trendColumns(trend, "arr", formatMoney), "ARR by health bucket, a week at a time", formatMoney))}
          <ul class="legend" aria-label="Buckets">
            {BUCKETS.map((bucket) => (
              <li>
                <span class={`swatch bar-swatch ${BUCKET_TONES[bucket]}`} aria-hidden="true"></span>
                {bucket}
              </li>
            ))}
          </ul>
        </section>
        <section class="panel" aria-labelledby="lowest">
          <h2 id="lowest">Lowest health</h2>
          {summary.lowest_accounts.length === 0 ? (
            <p class="empty">No scored accounts yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col" class="number">
                    Score
                  </th>
                  <th scope="col">Bucket</th>
                  <th scope="col" class="number">
                    ARR
                  </th>
                </tr>
              </thead>
              <tbody>
                {summary.lowest_accounts.map((account) => (
                  <tr>
                    <td>{account.account_name}</td>
                    <td class="number">{account.health_score.toFixed(1)}</td>
                    <td class={`bucket ${BUCKET_TONES[account.health_bucket]}`}>{account.health_bucket}</td>
                    <td class="number">{formatMoney(account.arr)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section class="panel" aria-labelledby="events">
          <h2 id="events">Latest events</h2>
          {events.length === 0 ? (
            <p class="empty">No events yet.</p>
          ) : (
            <ul>
              {events.map((event) => (
                <li>
                  <time datetime={event.occurred_at}>{event.occurred_at.slice(0, 10)}</time> {eventText(event)}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </Layout>
  );
}

const LATEST_EVENTS = 8;

export function registerPortfolioPage(pages: ConsoleApp) {
  pages.get("/app", requireViewer, conditionalRead, async (c) => {
    const db = c.get("db");
    const [summary, revenue, trend, events] = await Promise.all([
      getPortfolioSummary(db, c.get("config").health),
      getRevenueMovements(db, 90),
      getBookTrend(db),
      latestEvents(db, LATEST_EVENTS),
    ]);
    return c.html(<PortfolioPage viewer={c.get("viewer")} view={{ summary, revenue, trend, events }} />);
  });
}
