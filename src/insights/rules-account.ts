import { formatMoney, formatSigned } from "../domain/format";
import { roundTo } from "../domain/health";
import type { PlaybookPriority } from "../domain/playbooks";
import type { Recommendation } from "../domain/recommend";
import { daysToRenewal } from "../domain/risk-account-rules";
import { explainedComponents, riskLabels, SEVERITY_RANK, type RiskFactor, type Severity } from "../domain/risk";
import type { AccountInsightInput } from "./provider";
import { listOf } from "./rules-text";
import { ACCOUNT_INSIGHT_ACTIONS } from "../contract/insights";
import type { AccountInsight, RecommendedAction } from "./schema";

/**
 * The rule-based account insight: a summary and a health analysis written from the computed figures only, and
 * 3 actions, each applying one of the top recommended playbooks.
 */

/** Model 1's components as the texts name them; another model's are named by their keys. */
const COMPONENT_NAMES: Readonly<Record<string, string>> = {
  daily_active_users: "daily active users",
  feature_adoption: "feature adoption",
  support_tickets: "support tickets",
  nps: "NPS",
  login_frequency: "login frequency",
};

function componentName(key: string): string {
  return COMPONENT_NAMES[key] ?? key.replaceAll("_", " ");
}

const SEVERITY_PRIORITY: Record<Severity, PlaybookPriority> = { high: "High", medium: "Medium", low: "Low" };

function points(value: number): string {
  return roundTo(value, 1).toFixed(1);
}

/** The renewal date on record and how far it is from the data's latest date; null without one. */
function renewalSentence(account: AccountInsightInput["account"]): string | null {
  const days = daysToRenewal(account);
  if (days === null) {
    return account.renewal_date ? `It renews on ${account.renewal_date}.` : null;
  }
  const from = `the data's latest date (${account.as_of})`;
  if (days < 0) {
    return `Its renewal date on record, ${account.renewal_date}, is ${-days} days before ${from}: it needs a newer one.`;
  }
  return `It renews on ${account.renewal_date}, ${days} days after ${from}.`;
}

function accountSummary(input: AccountInsightInput): string {
  const { account, risk_factors: factors } = input;
  const owner = account.owner ? `, owner ${account.owner}` : "";
  const who = `${account.account_name} (${account.segment}, ${account.region}, ${formatMoney(account.arr)} ARR${owner})`;
  const renewal = renewalSentence(account);
  if (account.health_score === null || account.health_bucket === null) {
    return [`${who} has no health score yet: no metrics have been scored for it.`, ...(renewal ? [renewal] : [])].join(" ");
  }
  const change = account.trend_30d?.health_score_change;
  const movement = change === undefined ? "" : `, ${formatSigned(change)} points over 30 days`;
  const sentences = [
    `${who} has a health score of ${account.health_score}/100 (${account.health_bucket}) as of ${account.latest_metric_date ?? "its latest upload"}${movement}.`,
  ];
  if (renewal) sentences.push(renewal);
  const risks = riskLabels(factors);
  sentences.push(risks.length > 0 ? `Main risks: ${listOf(risks.slice(0, 3))}.` : "No risk factor is raised.");
  const positive = factors.find((factor) => factor.kind === "positive");
  if (positive) sentences.push(positive.detail);
  return sentences.join(" ");
}

/** The sentence for the components without data, whose weight the others share. */
function missingComponentsSentence(missing: readonly string[], components: number): string {
  if (missing.length === 1 && missing[0] === "nps" && components === 5) {
    return "No NPS is available, so the other four components are scaled to 100.";
  }
  return `No data for ${listOf(missing.map(componentName))}, so the other components are scaled to 100.`;
}

function healthAnalysis(input: AccountInsightInput): string {
  const { account } = input;
  const components = account.health_components;
  if (!components || account.health_score === null) {
    return "Without metrics there are no health components to analyse; upload daily metrics to score the account.";
  }
  const explained = explainedComponents(account).filter((component) => component.key in components);
  const keys = explained.map((component) => component.key);
  const listed = explained.map(({ key, weight }) => {
    const value = components[key];
    return value === null || value === undefined
      ? `${componentName(key)} n/a`
      : `${componentName(key)} ${points(value)}/${weight}`;
  });
  const sentences = [`Components: ${listOf(listed)}.`];
  const missing = keys.filter((key) => components[key] === null);
  if (missing.length > 0) sentences.push(missingComponentsSentence(missing, keys.length));
  const scored = explained.flatMap(({ key, weight }) => {
    const value = components[key];
    return value === null || value === undefined ? [] : [{ key, share: value / weight }];
  });
  const weakest = [...scored].sort((a, b) => a.share - b.share || keys.indexOf(a.key) - keys.indexOf(b.key))[0];
  if (weakest) {
    sentences.push(
      `The weakest component is ${componentName(weakest.key)}, at ${roundTo(weakest.share * 100, 0)}% of its points.`,
    );
  }
  const trend = account.trend_30d;
  if (trend) {
    const moves = keys
      .flatMap((key) => {
        const change = trend.health_components_change[key];
        return change === null || change === undefined || Math.abs(change) < 0.5 ? [] : [{ key, change }];
      })
      .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || keys.indexOf(a.key) - keys.indexOf(b.key))
      .slice(0, 2)
      .map((move) => `${componentName(move.key)} ${formatSigned(move.change)}`);
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
