import { knownFiguresOf, type KnownFigure } from "../domain/written-figures";
import { changeGoes, phraseMasker, type Direction, type TrendSubject } from "../domain/written-verdicts";
import type { EngagementTrend } from "../domain/types";
import { addPart, emptyReview, failedParts, reviewProse, type AnswerReview } from "./checks";
import { accountPromptData } from "./prompt";
import type { AccountInsightInput } from "./provider";
import type { AccountInsight } from "./schema";

/**
 * The checks of an account insight: its summary and health analysis state only figures of the data, the account's
 * bucket and the directions its trends took; its three actions state only figures of the data and apply three
 * different playbooks among those the account's risk factors call for (the proactive ones for a Healthy account, the
 * general fits of its bucket when too few factors point anywhere: the playbooks the rules choose from).
 */

/**
 * The figures an account insight may state: those of the data its model was given (the prompt's DATA), and the scale
 * every score is on ("76.1/100").
 */
export function accountInsightFigures(input: AccountInsightInput): KnownFigure[] {
  return [...knownFiguresOf(accountPromptData(input)), { label: "the health score's scale", value: 100, kind: "number" }];
}

type AccountSubject = "score" | "ARR" | "engagement";

const ACCOUNT_SUBJECTS: readonly TrendSubject<AccountSubject>[] = [
  { key: "score", pattern: /\b(?:health score|score|health)\b/ },
  { key: "ARR", pattern: /\b(?:ARR|revenue)\b/ },
  { key: "engagement", pattern: /\b(?:engagement|usage)\b/ },
];

const ENGAGEMENT_DIRECTION: Record<EngagementTrend, Direction> = { improving: "up", declining: "down", stable: "flat" };

/** A score change within a point either way reads as stable; an ARR change within 1% of the ARR. */
const FLAT_SCORE_POINTS = 1;
const FLAT_ARR_SHARE = 0.01;

/** Whether any of the account's trends (30, 60 or 90 days) went the way a text says. */
function accountTrendGoes(input: AccountInsightInput) {
  const { account } = input;
  const trends = [account.trend_30d, account.trend_60d, account.trend_90d].filter((trend) => trend !== null);
  return (subject: AccountSubject, direction: Direction): boolean =>
    trends.some((trend) => {
      switch (subject) {
        case "score":
          return changeGoes(trend.health_score_change, direction, FLAT_SCORE_POINTS);
        case "ARR":
          return changeGoes(trend.arr_change, direction, account.arr * FLAT_ARR_SHARE);
        case "engagement":
          return ENGAGEMENT_DIRECTION[trend.engagement_trend] === direction;
      }
    });
}

/** The data's own words an answer may quote: names, labels, details and the playbooks' texts. */
function quotedPhrases(input: AccountInsightInput): string[] {
  const { account } = input;
  return [
    account.account_name,
    account.region,
    account.owner ?? "",
    ...input.risk_factors.flatMap((factor) => [factor.label, factor.detail]),
    ...input.recommendations.flatMap(({ playbook, matching_risk_factors, reason }) => [
      playbook.title,
      playbook.description,
      playbook.expected_outcome,
      reason,
      ...matching_risk_factors,
    ]),
  ];
}

/** The prose of an action: what a user reads of it. */
function actionText(action: AccountInsight["recommended_actions"][number]): string {
  return `${action.title}. ${action.description} ${action.estimated_impact}`;
}

export function reviewAccountAnswer(answer: AccountInsight, input: AccountInsightInput): AnswerReview {
  const known = accountInsightFigures(input);
  const mask = phraseMasker(quotedPhrases(input));
  const verdicts = {
    known,
    mask,
    bucket: input.account.health_bucket,
    trends: { subjects: ACCOUNT_SUBJECTS, goes: accountTrendGoes(input) },
  };
  const review = emptyReview();
  addPart(review, "summary", reviewProse(answer.summary, verdicts));
  addPart(review, "health_analysis", reviewProse(answer.health_analysis, verdicts));
  const offered = input.recommendations.map((recommendation) => recommendation.playbook.id);
  answer.recommended_actions.forEach((action, index) => {
    const problems: string[] = [];
    if (!offered.includes(action.playbook_id)) {
      problems.push(`applies playbook ${action.playbook_id}, which none of the account's risk factors calls for (offered: ${offered.join(", ")})`);
    }
    if (answer.recommended_actions.slice(0, index).some((earlier) => earlier.playbook_id === action.playbook_id)) {
      problems.push(`applies playbook ${action.playbook_id} again`);
    }
    addPart(review, `recommended_actions[${index}]`, reviewProse(actionText(action), { known, mask }), problems);
  });
  return review;
}

/**
 * The answer with each failed part replaced by the rules' version of it: the summary or analysis by the rules' text, a
 * failed action by the first of the rules' actions whose playbook no kept action applies. The risk factors are always
 * the computed labels.
 */
export function repairAccountAnswer(answer: AccountInsight, review: AnswerReview, rules: AccountInsight): AccountInsight {
  const failed = new Set(failedParts(review).map((part) => part.part));
  const isFailed = (index: number) => failed.has(`recommended_actions[${index}]`);
  const keptPlaybooks = answer.recommended_actions.filter((_, index) => !isFailed(index)).map((action) => action.playbook_id);
  const spare = rules.recommended_actions.filter((action) => !keptPlaybooks.includes(action.playbook_id));
  return {
    summary: failed.has("summary") ? rules.summary : answer.summary,
    health_analysis: failed.has("health_analysis") ? rules.health_analysis : answer.health_analysis,
    risk_factors: rules.risk_factors,
    // The kept actions apply distinct playbooks (a repeat fails), so the rules' three distinct ones leave one per failure.
    recommended_actions: answer.recommended_actions.map((action, index) => (isFailed(index) ? spare.shift()! : action)),
  };
}
