import { COMPONENT_POINTS, roundTo } from "../domain/health";
import type { PlaybookPriority } from "../domain/playbooks";
import type { PortfolioAccount, Recommendation } from "../domain/recommend";
import {
  formatMoney,
  formatSigned,
  RISK_FACTOR_LABELS,
  riskLabels,
  type RiskFactor,
  type RiskFactorId,
  type Severity,
} from "../domain/risk";
import { SEGMENTS, type HealthComponents } from "../domain/types";
import type { AccountInsightInput, InsightProvider, PortfolioInsightInput, PortfolioSnapshot } from "./provider";
import {
  ACCOUNT_INSIGHT_ACTIONS,
  type AccountInsight,
  type PortfolioInsight,
  type RecommendedAction,
} from "./schema";

/**
 * The deterministic provider: no network, the same input always gives the same text. It writes from the computed
 * figures only and ties each of its 3 actions to one of the top recommended playbooks. Every other provider falls
 * back to it.
 */

const COMPONENT_NAMES: Record<keyof HealthComponents, string> = {
  daily_active_users: "daily active users",
  feature_adoption: "feature adoption",
  support_tickets: "support tickets",
  nps: "NPS",
  login_frequency: "login frequency",
};

const SEVERITY_PRIORITY: Record<Severity, PlaybookPriority> = { high: "High", medium: "Medium", low: "Low" };
const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

/** "A", "A and B", "A, B and C". */
function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** "1 account", "3 accounts", "2 healthy accounts". */
function accountCount(count: number, noun = "account"): string {
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}

function points(value: number): string {
  return roundTo(value, 1).toFixed(1);
}

// ── Account ──────────────────────────────────────────────────────────────────────────────────────────────────────

function accountSummary(input: AccountInsightInput): string {
  const { account, risk_factors: factors } = input;
  const who = `${account.account_name} (${account.segment}, ${account.region}, ${formatMoney(account.arr)} ARR)`;
  if (account.health_score === null || account.health_bucket === null) {
    return `${who} has no health score yet: no metrics have been scored for it.`;
  }
  const change = account.trend_30d?.health_score_change;
  const movement = change === undefined ? "" : `, ${formatSigned(change)} points over 30 days`;
  const sentences = [
    `${who} has a health score of ${account.health_score}/100 (${account.health_bucket}) as of ${account.latest_metric_date ?? "its latest upload"}${movement}.`,
  ];
  const risks = riskLabels(factors);
  sentences.push(risks.length > 0 ? `Main risks: ${listOf(risks.slice(0, 3))}.` : "No risk factor is raised.");
  const positive = factors.find((factor) => factor.kind === "positive");
  if (positive) sentences.push(positive.detail);
  return sentences.join(" ");
}

function componentShare(name: keyof HealthComponents, value: number): number {
  return value / COMPONENT_POINTS[name];
}

function healthAnalysis(input: AccountInsightInput): string {
  const { account } = input;
  const components = account.health_components;
  if (!components || account.health_score === null) {
    return "Without metrics there are no health components to analyse; upload daily metrics to score the account.";
  }
  const names = Object.keys(COMPONENT_NAMES) as (keyof HealthComponents)[];
  const listed = names.map((name) => {
    const value = components[name];
    return value === null
      ? `${COMPONENT_NAMES[name]} n/a`
      : `${COMPONENT_NAMES[name]} ${points(value)}/${COMPONENT_POINTS[name]}`;
  });
  const sentences = [`Components: ${listOf(listed)}.`];
  if (components.nps === null) {
    sentences.push("No NPS is available, so the other four components are scaled to 100.");
  }
  const scored = names.flatMap((name) => {
    const value = components[name];
    return value === null ? [] : [{ name, share: componentShare(name, value) }];
  });
  const weakest = [...scored].sort((a, b) => a.share - b.share || names.indexOf(a.name) - names.indexOf(b.name))[0];
  if (weakest) {
    sentences.push(
      `The weakest component is ${COMPONENT_NAMES[weakest.name]}, at ${roundTo(weakest.share * 100, 0)}% of its points.`,
    );
  }
  const trend = account.trend_30d;
  if (trend) {
    const moves = names
      .flatMap((name) => {
        const change = trend.health_components_change[name];
        return change === null || Math.abs(change) < 0.5 ? [] : [{ name, change }];
      })
      .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || names.indexOf(a.name) - names.indexOf(b.name))
      .slice(0, 2)
      .map((move) => `${COMPONENT_NAMES[move.name]} ${formatSigned(move.change)}`);
    const drivers = moves.length > 0 ? `, driven by ${listOf(moves)} points` : "";
    sentences.push(
      `From ${trend.from_date} to ${trend.to_date} the score moved ${formatSigned(trend.health_score_change)} points${drivers}; engagement is ${trend.engagement_trend}.`,
    );
  } else {
    sentences.push("There is not enough history for a 30-day trend yet.");
  }
  return sentences.join(" ");
}

function actionPriority(recommendation: Recommendation, factors: readonly RiskFactor[]): PlaybookPriority {
  const matched = factors.filter((factor) => recommendation.matching_risk_factor_ids.includes(factor.id));
  const strongest = matched.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0];
  return strongest ? SEVERITY_PRIORITY[strongest.severity] : "Low";
}

function action(recommendation: Recommendation, factors: readonly RiskFactor[]): RecommendedAction {
  const { playbook } = recommendation;
  const matched = factors.filter((factor) => recommendation.matching_risk_factor_ids.includes(factor.id));
  const why = matched.length > 0 ? matched.map((factor) => factor.detail).join(" ") : recommendation.reason;
  const firstStep = playbook.steps[0];
  return {
    title: playbook.title,
    description: `${why} ${playbook.description}${firstStep ? ` First step: ${firstStep}.` : ""}`,
    priority: actionPriority(recommendation, factors),
    estimated_impact: `${playbook.expected_outcome} (${playbook.estimated_effort}; owner: ${playbook.owner_role}).`,
    playbook_id: playbook.id,
  };
}

/** The rule-based account insight; `recommendations` must hold at least 3 playbooks (recommendPlaybooks does). */
export function rulesAccountInsight(input: AccountInsightInput): AccountInsight {
  const top = input.recommendations.slice(0, ACCOUNT_INSIGHT_ACTIONS);
  if (top.length < ACCOUNT_INSIGHT_ACTIONS) {
    throw new Error(`The rules need ${ACCOUNT_INSIGHT_ACTIONS} recommended playbooks, got ${top.length}`);
  }
  return {
    summary: accountSummary(input),
    health_analysis: healthAnalysis(input),
    risk_factors: riskLabels(input.risk_factors),
    recommended_actions: top.map((recommendation) => action(recommendation, input.risk_factors)),
  };
}

// ── Portfolio ────────────────────────────────────────────────────────────────────────────────────────────────────

type Topic =
  | { kind: "risk" }
  | { kind: "growth" }
  | { kind: "trend" }
  | { kind: "factor"; ids: RiskFactorId[] }
  | { kind: "segment"; segment: string }
  | { kind: "region"; region: string }
  | { kind: "unknown" };

const KEYWORD_TOPICS: [RegExp, Topic][] = [
  [/churn|risk|retention|renewal|critical|save/, { kind: "risk" }],
  [/growth|grow|expan|upsell|cross-?sell|opportunit|revenue|arr/, { kind: "growth" }],
  [/trend|momentum|decline|declining/, { kind: "trend" }],
  [/adoption|feature/, { kind: "factor", ids: ["low_adoption"] }],
  [/engagement|usage|active|dau|login/, { kind: "factor", ids: ["low_engagement", "low_login_frequency"] }],
  [/support|ticket/, { kind: "factor", ids: ["high_support_load"] }],
  [/nps|satisfaction|sentiment|detractor/, { kind: "factor", ids: ["low_nps"] }],
  [/data|quality|stale|missing/, { kind: "factor", ids: ["data_quality"] }],
  [/health/, { kind: "factor", ids: ["declining_health"] }],
];

function normalise(text: string): string {
  return text.trim().toLowerCase().replace(/[\s_]+/g, "-");
}

/** What a free-text focus area refers to: a segment or region of the data first, else a keyword topic. */
function topicOf(area: string, portfolio: PortfolioSnapshot): Topic {
  const key = normalise(area);
  const segment = SEGMENTS.find((name) => normalise(name) === key || normalise(name).replace("-", "") === key);
  if (segment) return { kind: "segment", segment };
  const region = portfolio.by_region.find((group) => normalise(group.region) === key);
  if (region) return { kind: "region", region: region.region };
  return KEYWORD_TOPICS.find(([pattern]) => pattern.test(key))?.[1] ?? { kind: "unknown" };
}

function hasFactor(account: PortfolioAccount, ids: readonly RiskFactorId[]): boolean {
  return account.risk_factors.some((factor) => factor.kind === "risk" && ids.includes(factor.id));
}

function accountsArr(accounts: readonly PortfolioAccount[]): number {
  return accounts.reduce((total, account) => total + account.arr, 0);
}

function names(accounts: readonly PortfolioAccount[], limit = 3): string {
  const listed = accounts.slice(0, limit).map((account) => account.account_name);
  return accounts.length > limit ? `${listed.join(", ")} and ${accounts.length - limit} more` : listOf(listed);
}

function bucketFinding(portfolio: PortfolioSnapshot): string {
  const { risk_breakdown: share, arr_by_bucket: arr } = portfolio;
  return `${share.Critical}% of scored accounts are Critical (${formatMoney(arr.Critical)} ARR), ${share["At-Risk"]}% At-Risk (${formatMoney(arr["At-Risk"])}) and ${share.Healthy}% Healthy (${formatMoney(arr.Healthy)}).`;
}

function trendFinding(portfolio: PortfolioSnapshot): string {
  const counts = portfolio.trend_counts;
  return `Engagement over 30 days: ${accountCount(counts.improving)} improving, ${counts.stable} stable and ${counts.declining} declining (${counts.unknown} without enough history); ARR moved ${signedMoney(portfolio.arr_trend_30d)} over 30 days and ${signedMoney(portfolio.arr_trend_90d)} over 90 days.`;
}

function signedMoney(amount: number): string {
  const rounded = Math.round(amount);
  if (rounded === 0) return "$0";
  return `${rounded > 0 ? "+" : "-"}${formatMoney(Math.abs(rounded))}`;
}

function groupFinding(kind: "segment" | "region", portfolio: PortfolioSnapshot): string | null {
  const groups = (kind === "segment" ? portfolio.by_segment : portfolio.by_region)
    .map((group) => ({ name: "segment" in group ? group.segment : group.region, ...group }))
    .filter((group): group is typeof group & { avg_health_score: number } => group.avg_health_score !== null)
    .sort((a, b) => a.avg_health_score - b.avg_health_score || a.name.localeCompare(b.name));
  const lowest = groups[0];
  const highest = groups.at(-1);
  if (!lowest || !highest || lowest === highest) return null;
  return `By ${kind}, ${lowest.name} has the lowest average health (${lowest.avg_health_score} over ${accountCount(lowest.accounts)}, ${formatMoney(lowest.arr)} ARR) and ${highest.name} the highest (${highest.avg_health_score}).`;
}

/** How many accounts at risk carry each risk factor, most common first (ties in the order of the label list). */
function factorPrevalence(accounts: readonly PortfolioAccount[]) {
  const ids = Object.keys(RISK_FACTOR_LABELS) as RiskFactorId[];
  return ids
    .map((id) => ({ id, accounts: accounts.filter((account) => hasFactor(account, [id])) }))
    .filter((entry) => entry.accounts.length > 0)
    .sort((a, b) => b.accounts.length - a.accounts.length || ids.indexOf(a.id) - ids.indexOf(b.id));
}

/** "the 12 accounts at risk", or "the 50 largest of the 4,000 accounts at risk" when only the biggest were loaded. */
function atRiskScope(portfolio: PortfolioSnapshot): string {
  const loaded = portfolio.accounts_at_risk.length;
  const total = portfolio.at_risk_accounts;
  return loaded < total
    ? `the ${loaded} largest of the ${total.toLocaleString("en-US")} accounts at risk`
    : `the ${loaded} accounts at risk`;
}

function factorFinding(id: RiskFactorId, accounts: readonly PortfolioAccount[], portfolio: PortfolioSnapshot): string {
  return `${RISK_FACTOR_LABELS[id]} affects ${accounts.length} of ${atRiskScope(portfolio)} (${formatMoney(accountsArr(accounts))} ARR): ${names(accounts)}.`;
}

function focusFinding(area: string, topic: Topic, portfolio: PortfolioSnapshot): string {
  const atRisk = portfolio.accounts_at_risk;
  const label = `Focus "${area.trim()}"`;
  switch (topic.kind) {
    case "risk":
      return `${label}: ${accountCount(portfolio.at_risk_accounts)} ${portfolio.at_risk_accounts === 1 ? "is" : "are"} At-Risk or Critical, carrying ${formatMoney(portfolio.arr_at_risk)} ARR at risk.`;
    case "growth": {
      const growing = portfolio.growing_accounts ?? [];
      return `${label}: ${accountCount(growing.length, "healthy account")} ${growing.length === 1 ? "is" : "are"} growing (${formatMoney(accountsArr(growing))} ARR); ARR moved ${signedMoney(portfolio.arr_trend_90d)} over 90 days.`;
    }
    case "trend":
      return `${label}: ${trendFinding(portfolio)}`;
    case "factor": {
      const affected = atRisk.filter((account) => hasFactor(account, topic.ids));
      const labels = listOf(topic.ids.map((id) => RISK_FACTOR_LABELS[id]));
      return affected.length > 0
        ? `${label}: ${labels} affects ${affected.length} of ${atRiskScope(portfolio)} (${formatMoney(accountsArr(affected))} ARR): ${names(affected)}.`
        : `${label}: none of ${atRiskScope(portfolio)} shows ${labels}.`;
    }
    case "segment": {
      const group = portfolio.by_segment.find((entry) => entry.segment === topic.segment);
      const atRiskHere = atRisk.filter((account) => account.segment === topic.segment);
      return `${label}: ${accountCount(group?.accounts ?? 0, `${topic.segment} account`)} with ${formatMoney(group?.arr ?? 0)} ARR and an average health of ${group?.avg_health_score ?? "n/a"}; ${atRiskHere.length} of them at risk (${formatMoney(accountsArr(atRiskHere))} ARR).`;
    }
    case "region": {
      const group = portfolio.by_region.find((entry) => entry.region === topic.region);
      const atRiskHere = atRisk.filter((account) => account.region === topic.region);
      return `${label}: ${accountCount(group?.accounts ?? 0)} in ${topic.region} with ${formatMoney(group?.arr ?? 0)} ARR and an average health of ${group?.avg_health_score ?? "n/a"}; ${atRiskHere.length} of them at risk (${formatMoney(accountsArr(atRiskHere))} ARR).`;
    }
    case "unknown":
      return `${label}: no figure of the portfolio data speaks to this area.`;
  }
}

/** Whether an account at risk belongs to a focus topic, so the top risks can list those first. */
function inFocus(account: PortfolioAccount, topics: readonly Topic[]): boolean {
  return topics.some(
    (topic) =>
      (topic.kind === "factor" && hasFactor(account, topic.ids)) ||
      (topic.kind === "segment" && account.segment === topic.segment) ||
      (topic.kind === "region" && account.region === topic.region),
  );
}

function riskLine(account: PortfolioAccount): string {
  const labels = riskLabels(account.risk_factors);
  const score = account.health_score === null ? "no score" : `score ${account.health_score}`;
  return `${account.account_name} (${account.segment}, ${account.health_bucket ?? "unscored"}, ${score}, ${formatMoney(account.arr)} ARR): ${labels.length > 0 ? listOf(labels) : "no specific risk factor"}.`;
}

/** The number of accounts at risk the rules name one by one in `top_risks`. */
export const TOP_RISK_ACCOUNTS = 5;

export function rulesPortfolioInsight(input: PortfolioInsightInput): PortfolioInsight {
  const { portfolio, request } = input;
  if (portfolio.total_accounts === 0) {
    return {
      summary: "The portfolio has no accounts yet: upload daily metrics to get an analysis.",
      key_findings: ["No accounts have been uploaded."],
      top_risks: [],
      opportunities: [],
    };
  }
  const focus = request.focus_areas.filter((area) => area.trim() !== "");
  const topics = focus.map((area) => topicOf(area, portfolio));
  const atRisk = portfolio.accounts_at_risk;
  const riskShare = portfolio.total_arr > 0 ? roundTo((portfolio.arr_at_risk / portfolio.total_arr) * 100, 1) : 0;

  const summary = [
    `${accountCount(portfolio.total_accounts)} with ${formatMoney(portfolio.total_arr)} ARR and an average health score of ${portfolio.avg_health_score}${portfolio.as_of_date ? ` as of ${portfolio.as_of_date}` : ""}.`,
    `${portfolio.risk_breakdown.Critical}% of scored accounts are Critical and ${portfolio.risk_breakdown["At-Risk"]}% At-Risk, putting ${formatMoney(portfolio.arr_at_risk)} ARR (${riskShare}% of the total) at risk.`,
    `ARR moved ${signedMoney(portfolio.arr_trend_90d)} over 90 days.`,
  ].join(" ");

  const prevalence = factorPrevalence(atRisk);
  const general = [
    bucketFinding(portfolio),
    trendFinding(portfolio),
    groupFinding("segment", portfolio),
    groupFinding("region", portfolio),
    ...prevalence.slice(0, 2).map((entry) => factorFinding(entry.id, entry.accounts, portfolio)),
  ].filter((finding): finding is string => finding !== null);
  const keyFindings = [...focus.map((area, index) => focusFinding(area, topics[index] ?? { kind: "unknown" }, portfolio)), ...general];

  // A stable sort keeps the ARR order within the accounts in focus and within the others.
  const ranked = [...atRisk].sort((a, b) => Number(inFocus(b, topics)) - Number(inFocus(a, topics)));
  const topRisks = ranked.slice(0, TOP_RISK_ACCOUNTS).map(riskLine);
  const declining = portfolio.trend_counts.declining;
  if (declining > 0) topRisks.push(`${accountCount(declining)} ${declining === 1 ? "shows" : "show"} declining engagement over the last 30 days.`);

  // Each opportunity is tagged with its topic, so those in focus come first.
  const opportunities: { topic: Topic["kind"]; text: string }[] = [];
  const growing = portfolio.growing_accounts ?? [];
  if (growing.length > 0) {
    opportunities.push({
      topic: "growth",
      text: `${accountCount(growing.length, "healthy account")} ${growing.length === 1 ? "is" : "are"} growing (${formatMoney(accountsArr(growing))} ARR), led by ${names(growing)}: candidates for expansion and the Champion User Program.`,
    });
  }
  if (portfolio.trend_counts.improving > 0) {
    opportunities.push({
      topic: "trend",
      text: `${accountCount(portfolio.trend_counts.improving)} ${portfolio.trend_counts.improving === 1 ? "shows" : "show"} improving engagement over 30 days: build on it with Quarterly Success Planning.`,
    });
  }
  if (portfolio.arr_at_risk > 0) {
    opportunities.push({
      topic: "risk",
      text: `Bringing the ${accountCount(portfolio.at_risk_accounts)} at risk back to Healthy would protect ${formatMoney(portfolio.arr_at_risk)} ARR (${riskShare}% of the total).`,
    });
  }
  if (request.include_recommendations) {
    for (const recommendation of input.recommendations.slice(0, 3)) {
      opportunities.push({
        topic: "factor",
        text: `${recommendation.playbook.title} addresses ${accountCount(recommendation.accounts)} at risk (${formatMoney(recommendation.arr)} ARR): ${listOf(recommendation.matching_risk_factors.slice(0, 3))}.`,
      });
    }
  }
  const focusKinds = new Set(topics.map((topic) => topic.kind));
  const orderedOpportunities = [...opportunities]
    .sort((a, b) => Number(focusKinds.has(b.topic)) - Number(focusKinds.has(a.topic)))
    .map((opportunity) => opportunity.text);

  return { summary, key_findings: keyFindings, top_risks: topRisks, opportunities: orderedOpportunities };
}

export class RulesProvider implements InsightProvider {
  readonly source = "rules" as const;
  readonly model = null;

  async accountInsight(input: AccountInsightInput): Promise<AccountInsight> {
    return rulesAccountInsight(input);
  }

  async portfolioInsight(input: PortfolioInsightInput): Promise<PortfolioInsight> {
    return rulesPortfolioInsight(input);
  }
}
