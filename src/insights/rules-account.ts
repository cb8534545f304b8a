import { formatMoney, formatSigned } from "../domain/format";
import { COMPONENT_POINTS, roundTo } from "../domain/health";
import type { PlaybookPriority } from "../domain/playbooks";
import type { Recommendation } from "../domain/recommend";
import { daysToRenewal } from "../domain/risk-account-rules";
import { riskLabels, SEVERITY_RANK, type RiskFactor, type Severity } from "../domain/risk";
import type { HealthComponents } from "../domain/types";
import type { AccountInsightInput } from "./provider";
import { listOf } from "./rules-text";
import { ACCOUNT_INSIGHT_ACTIONS } from "../contract/insights";
import type { AccountInsight, RecommendedAction } from "./schema";

/**
 * The rule-based account insight: a summary and a health analysis written from the computed figures only, and
 * 3 actions, each applying one of the top recommended playbooks.
 */

const COMPONENT_NAMES: Record<keyof HealthComponents, string> = {
  daily_active_users: "daily active users",
  feature_adoption: "feature adoption",
  support_tickets: "support tickets",
  nps: "NPS",
  login_frequency: "login frequency",
};

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
