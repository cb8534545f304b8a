import { raw } from "hono/html";
import type { AccountDetail } from "../contract/accounts";
import type { AccountInsightResponse } from "../contract/insights";
import { accountIdParamsSchema } from "../contract/accounts";
import type { AccountAssessment } from "../domain/recommend";
import { capitalise, formatMoney, formatSigned } from "../domain/format";
import { conditionalRead } from "../lib/conditional-read";
import { ApiError } from "../lib/errors";
import { limitInsights } from "../lib/rate-limit";
import { toAccountInsightResponse } from "../routes/insights/insights.mappers";
import { getAssessedAccount } from "../services/assessment";
import { generateAccountInsight, insightContext } from "../services/insights";
import { healthConfigFingerprint } from "../domain/health";
import type { Context } from "hono";
import { requireSameOrigin, requireViewer, type ConsoleApp, type ConsoleEnv, type Viewer } from "./access";
import { lineChart, scoreHistoryChart, type DatedValue } from "./charts";
import { Layout } from "./layout";
import { eventText } from "./event-text";

/**
 * The account page (/app/accounts/{id}): what GET /accounts/{id} answers (score history with its components and the
 * model changes marked, 90 days of metrics, trends, recent events) with what POST /actions/recommend adds (risk
 * factors, playbooks), from one read of the account; and, on request (a POST, since it may call a paid model), the
 * insight POST /insights/account/{id} answers, with its source and the figures it was written from.
 */

export interface AccountView {
  detail: AccountDetail;
  assessment: AccountAssessment;
  insight: AccountInsightResponse | null;
}

const TONES: Record<string, string> = { Healthy: "healthy", "At-Risk": "at-risk", Critical: "critical" };

/** A component key as words: `daily_active_users` → "Daily active users". */
function componentLabel(key: string): string {
  return capitalise(key.replaceAll("_", " "));
}

/** The component keys of the history, in the order the scores list them (the latest model's first). */
function componentKeys(detail: AccountDetail): string[] {
  const keys = new Set<string>();
  for (const entry of [...detail.health_history].reverse()) for (const key of Object.keys(entry.health_components)) keys.add(key);
  return [...keys];
}

const METRICS: { key: keyof AccountDetail["metrics_history"][number]; label: string; range?: { min: number; max: number }; format?: (value: number) => string }[] = [
  { key: "daily_active_users", label: "Daily active users" },
  { key: "feature_adoption_rate", label: "Feature adoption", range: { min: 0, max: 1 }, format: (value) => `${Math.round(value * 100)}%` },
  { key: "support_tickets_open", label: "Open support tickets" },
  { key: "nps_score", label: "NPS", range: { min: -100, max: 100 } },
  { key: "login_frequency", label: "Login frequency", range: { min: 0, max: 1 }, format: (value) => `${Math.round(value * 100)}%` },
];

function metricSeries(detail: AccountDetail, value: (entry: AccountDetail["metrics_history"][number]) => unknown): DatedValue[] {
  return detail.metrics_history.map((entry) => {
    const raw = value(entry);
    return { date: entry.date, value: typeof raw === "number" ? raw : null };
  });
}

/** The components that moved a trend most, biggest first: "Daily active users −4.0, NPS +1.5". */
function movedBy(change: Record<string, number | null | undefined>): string {
  const moves = Object.entries(change)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number" && entry[1] !== 0)
    .sort((left, right) => Math.abs(right[1]) - Math.abs(left[1]))
    .slice(0, 2);
  return moves.length === 0 ? "nothing" : moves.map(([key, value]) => `${componentLabel(key)} ${formatSigned(value)}`).join(", ");
}

function InsightPanel(props: { insight: AccountInsightResponse }) {
  const { insight } = props;
  const basis = insight.based_on;
  return (
    <section class="panel wide" aria-labelledby="insight" aria-live="polite">
      <h2 id="insight">AI insight</h2>
      <p>{insight.summary}</p>
      <p>{insight.health_analysis}</p>
      <ol>
        {insight.recommended_actions.map((action) => (
          <li>
            <strong>{action.title}</strong> ({action.priority}): {action.description} <em>{action.estimated_impact}</em>
          </li>
        ))}
      </ol>
      <p class="as-of">
        Source: <strong class="insight-source">{insight.source}</strong>
        {insight.model && ` (${insight.model})`}
        {insight.cached && " · from the cache"}
        {insight.fallback_reason && ` · ${insight.fallback_reason}`} · written {insight.generated_at.slice(0, 16).replace("T", " ")} UTC
      </p>
      {insight.checks && (
        <p class="as-of insight-checks">
          Checked against the data: {insight.checks.figures_checked} figures
          {insight.checks.replaced.length > 0 &&
            `; ${insight.checks.figures_unsupported} unsupported, so the rules wrote ${insight.checks.replaced.join(", ")}`}
        </p>
      )}
      <h3>Based on</h3>
      <dl class="basis">
        <dt>Score</dt>
        <dd>{basis.health_score === null ? "not scored" : `${basis.health_score.toFixed(1)} (${basis.health_bucket})`}</dd>
        <dt>ARR</dt>
        <dd>{formatMoney(basis.arr)}</dd>
        <dt>Latest metrics</dt>
        <dd>{basis.latest_metric_date ?? "none"}</dd>
        <dt>Renewal</dt>
        <dd>{basis.renewal_date ?? "unknown"}</dd>
        <dt>30-day change</dt>
        <dd>{basis.trend_30d ? formatSigned(basis.trend_30d.health_score_change) : "n/a"}</dd>
        <dt>Risk factors</dt>
        <dd>{basis.risk_factors.map((factor) => factor.label).join(", ") || "none"}</dd>
        <dt>Playbooks offered</dt>
        <dd>{basis.playbook_ids.join(", ")}</dd>
      </dl>
    </section>
  );
}

export function AccountPage(props: { viewer: Viewer; view: AccountView }) {
  const { detail, assessment, insight } = props.view;
  const keys = componentKeys(detail);
  const history = detail.health_history;
  const chart = scoreHistoryChart(
    {
      dates: history.map((entry) => entry.date),
      scores: history.map((entry) => entry.health_score),
      layers: keys.map((key, index) => ({
        label: componentLabel(key),
        tone: `c${index}`,
        values: history.map((entry) => entry.health_components[key] ?? null),
      })),
      markers: detail.model_changes.map((change) => ({ date: change.date, label: `health model ${change.from_model} → ${change.to_model}` })),
    },
    `Health score of ${detail.account_name} by day, its components stacked`,
  );
  const measures = [...new Set(detail.metrics_history.flatMap((entry) => Object.keys(entry.measures ?? {})))];
  const trends = [detail.trend_30d, detail.trend_60d, detail.trend_90d];
  return (
    <Layout title={detail.account_name} viewer={props.viewer}>
      <p class="crumbs">
        <a href="/app/accounts">Accounts</a>
      </p>
      <h1>{detail.account_name}</h1>
      <p class="as-of">
        {detail.segment} · {detail.region} · owner {detail.owner ?? "unknown"} · renews {detail.renewal_date ?? "on an unknown date"}
        {detail.aliases.length > 0 && ` · formerly ${detail.aliases.join(", ")}`}
      </p>
      {detail.scores_stale && (
        <p class="notice stale" role="status">
          The scores are behind the metrics: a rescore is queued or due.
        </p>
      )}
      <dl class="cards">
        <div class="card">
          <dt>Health score</dt>
          <dd>{detail.health_score?.toFixed(1) ?? "–"}</dd>
        </div>
        <div class="card">
          <dt>Health</dt>
          <dd class={`bucket ${TONES[detail.health_bucket ?? ""] ?? ""}`}>{detail.health_bucket ?? "Not scored"}</dd>
        </div>
        <div class="card">
          <dt>ARR</dt>
          <dd>{formatMoney(detail.arr)}</dd>
        </div>
        <div class="card">
          <dt>Latest metrics</dt>
          <dd>{detail.latest_metric_date ?? "–"}</dd>
        </div>
      </dl>
      <div class="panels">
        <section class="panel wide" aria-labelledby="history">
          <h2 id="history">Health score, last 90 days</h2>
          {raw(chart)}
          {keys.length > 0 && (
            <ul class="legend" aria-label="Components">
              {keys.map((key, index) => (
                <li>
                  <span class={`swatch c${index}`} aria-hidden="true"></span>
                  {componentLabel(key)}
                </li>
              ))}
              {detail.model_changes.length > 0 && (
                <li>
                  <span class="swatch marker-swatch" aria-hidden="true"></span>
                  Health model changed
                </li>
              )}
            </ul>
          )}
        </section>
        <section class="panel" aria-labelledby="trends">
          <h2 id="trends">Trends</h2>
          <div class="table-scroll" tabindex={0} role="region" aria-label="Trends">
            <table>
              <thead>
                <tr>
                  <th scope="col">Over</th>
                  <th scope="col" class="number">
                    Score
                  </th>
                  <th scope="col" class="number">
                    ARR
                  </th>
                  <th scope="col">Engagement</th>
                  <th scope="col">Moved by</th>
                </tr>
              </thead>
              <tbody>
                {trends.map((trend, index) => (
                  <tr>
                    <th scope="row">{[30, 60, 90][index]} days</th>
                    {trend ? (
                      <>
                        <td class="number">{formatSigned(trend.health_score_change)}</td>
                        <td class="number">{formatMoney(trend.arr_change)}</td>
                        <td>{trend.engagement_trend}</td>
                        <td>{movedBy(trend.health_components_change)}</td>
                      </>
                    ) : (
                      <td colspan={4}>Not enough data</td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section class="panel" aria-labelledby="risks">
          <h2 id="risks">Risk factors</h2>
          {assessment.risk_factors.length === 0 ? (
            <p class="empty">None.</p>
          ) : (
            <ul>
              {assessment.risk_factors.map((factor) => (
                <li>
                  <strong>{factor.label}</strong> ({factor.kind === "positive" ? "positive" : factor.severity}): {factor.detail}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="panel" aria-labelledby="playbooks">
          <h2 id="playbooks">Recommended playbooks</h2>
          <ol>
            {assessment.recommendations.map((recommendation) => (
              <li>
                <strong>{recommendation.playbook.title}</strong> ({Math.round(recommendation.relevance_score * 100)}% fit): {recommendation.reason}
              </li>
            ))}
          </ol>
        </section>
        {insight ? (
          <InsightPanel insight={insight} />
        ) : (
          <section class="panel" aria-labelledby="insight">
            <h2 id="insight">AI insight</h2>
            <form method="post" action={`/app/accounts/${detail.id}/insight`}>
              <p>A summary, an analysis and three actions written from this account's figures.</p>
              <button type="submit" class="primary">
                Ask for the AI insight
              </button>
            </form>
          </section>
        )}
      </div>
      <h2 class="section">Metrics, last 90 days</h2>
      <div class="panels">
        {METRICS.map((metric) => (
          <section class="panel" aria-label={metric.label}>
            <h3>{metric.label}</h3>
            {raw(lineChart(metricSeries(detail, (entry) => entry[metric.key]), `${metric.label} of ${detail.account_name} by day`, metric))}
          </section>
        ))}
        {measures.map((name) => (
          <section class="panel" aria-label={name}>
            <h3>{name}</h3>
            {raw(lineChart(metricSeries(detail, (entry) => entry.measures?.[name]), `${name} of ${detail.account_name} by day`))}
          </section>
        ))}
      </div>
      <section class="panel" aria-labelledby="account-events">
        <h2 id="account-events">Recent events</h2>
        {detail.recent_events.length === 0 ? (
          <p class="empty">No events yet.</p>
        ) : (
          <ul>
            {detail.recent_events.map((event) => (
              <li>
                <time datetime={event.occurred_at}>{event.occurred_at.slice(0, 10)}</time> {eventText(event)}
              </li>
            ))}
          </ul>
        )}
      </section>
    </Layout>
  );
}

/** The account the path names, parsed as GET /accounts/{id} parses it (400 with its words otherwise). */
function accountId(c: Context<ConsoleEnv>): number {
  const parsed = accountIdParamsSchema.safeParse({ id: c.req.param("id") });
  if (!parsed.success) throw new ApiError("validation_error", `Path parameter id: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data.id;
}

async function accountView(c: Context<ConsoleEnv>, id: number): Promise<Omit<AccountView, "insight">> {
  const found = await getAssessedAccount(c.get("db"), id, healthConfigFingerprint(c.get("config").health));
  if (!found) throw new ApiError("not_found", `No account has id ${id}.`);
  return found;
}

export function registerAccountPage(pages: ConsoleApp) {
  pages.get("/app/accounts/:id", requireViewer, conditionalRead, async (c) => {
    const view = await accountView(c, accountId(c));
    return c.html(<AccountPage viewer={c.get("viewer")} view={{ ...view, insight: null }} />);
  });

  // A POST, as the API's: the insight may call a paid model, and the rate limit of insights applies.
  pages.post("/app/accounts/:id/insight", requireViewer, limitInsights, async (c) => {
    requireSameOrigin(c, "Asking for an insight");
    const id = accountId(c);
    const result = await generateAccountInsight(
      insightContext(c.get("db"), c.get("config"), c.env),
      id,
      false,
    );
    if (!result) throw new ApiError("not_found", `No account has id ${id}.`);
    const view = await accountView(c, id);
    return c.html(<AccountPage viewer={c.get("viewer")} view={{ ...view, insight: toAccountInsightResponse(result.assessment, result.outcome) }} />);
  });
}
