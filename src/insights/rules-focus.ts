import { formatMoney } from "../domain/format";
import type { PortfolioSnapshot } from "../domain/portfolio";
import type { PortfolioAccount } from "../domain/recommend-portfolio";
import { RISK_FACTOR_LABELS, type RiskFactorId } from "../domain/risk";
import { SEGMENTS } from "../domain/types";
import { accountsArr, atRiskScope, hasFactor, names, trendFinding } from "./rules-findings";
import { accountCount, listOf, signedMoney } from "./rules-text";

/**
 * The focus areas of a portfolio request: what each free-text area refers to (a segment or region of the data, a
 * risk factor, growth, trends), the finding it gets first, and which accounts at risk it puts first.
 */

export type Topic =
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
export function topicOf(area: string, portfolio: PortfolioSnapshot): Topic {
  const key = normalise(area);
  const segment = SEGMENTS.find((name) => normalise(name) === key || normalise(name).replace("-", "") === key);
  if (segment) return { kind: "segment", segment };
  const region = portfolio.by_region.find((group) => normalise(group.region) === key);
  if (region) return { kind: "region", region: region.region };
  return KEYWORD_TOPICS.find(([pattern]) => pattern.test(key))?.[1] ?? { kind: "unknown" };
}

export function focusFinding(area: string, topic: Topic, portfolio: PortfolioSnapshot): string {
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
export function inFocus(account: PortfolioAccount, topics: readonly Topic[]): boolean {
  return topics.some(
    (topic) =>
      (topic.kind === "factor" && hasFactor(account, topic.ids)) ||
      (topic.kind === "segment" && account.segment === topic.segment) ||
      (topic.kind === "region" && account.region === topic.region),
  );
}
