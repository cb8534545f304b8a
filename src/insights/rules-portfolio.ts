import { formatMoney } from "../domain/format";
import { roundTo } from "../domain/health";
import type { PortfolioInsightInput } from "./provider";
import {
  accountsArr,
  bucketFinding,
  factorFinding,
  factorPrevalence,
  groupFinding,
  names,
  riskLine,
  trendFinding,
} from "./rules-findings";
import { focusFinding, inFocus, topicOf, type Topic } from "./rules-focus";
import { accountCount, listOf, signedMoney } from "./rules-text";
import type { PortfolioInsight } from "./schema";

/**
 * The rule-based portfolio insight: the findings, risks and opportunities of the whole portfolio, those about the
 * request's focus areas first.
 */

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
