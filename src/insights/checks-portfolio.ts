import { extractFigures, knownFiguresOf, type KnownFigure } from "../domain/written-figures";
import { anyOf, bucketClaims, changeGoes, phraseMasker, type Direction, type TrendSubject } from "../domain/written-verdicts";
import type { PortfolioAccount } from "../domain/recommend-portfolio";
import { RISK_FACTOR_LABELS } from "../domain/risk";
import { BUCKETS } from "../domain/types";
import { addPart, emptyReview, failedParts, repairList, reviewProse, type AnswerReview } from "./checks";
import { portfolioPromptData } from "./prompt";
import type { PortfolioInsightInput } from "./provider";
import type { PortfolioInsight } from "./schema";

/**
 * The checks of a portfolio insight: each sentence (the summary, every finding, risk and opportunity) states only
 * figures of the data or of the rules' own analysis of it (which sums, counts and shares it the way the data allows),
 * the direction ARR took, and only accounts of the data, each with its own ARR and bucket.
 */

type PortfolioSubject = "ARR";

/**
 * The book's ARR as the subject of a verb ("ARR grew", "total ARR has fallen"); "accounts are growing ($1.2M ARR)" is
 * about accounts, not the book's trend.
 */
const PORTFOLIO_SUBJECTS: readonly TrendSubject<PortfolioSubject>[] = [
  {
    key: "ARR",
    pattern:
      /\b(?:ARR|revenue)(?=\s+(?:has\s+|have\s+|is\s+|was\s+|also\s+)?(?:rose|risen|rising|grew|grown|growing|gained|climbed|increased|increasing|fell|fallen|falling|dropped|dropping|declined|declining|decreased|decreasing|shrank|slipped|stable|flat|unchanged|steady)\b)/,
  },
];

/** Within 1% of the total ARR, a portfolio's ARR reads as stable. */
const FLAT_ARR_SHARE = 0.01;

/** Words that end a company's name: what an account name looks like when a model invents one. */
const COMPANY_NAME =
  /\b[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,3}\s+(?:Inc|Corp|Corporation|LLC|Ltd|Limited|Co|Company|Group|Holdings|GmbH|AG|SA|Labs|Systems|Technologies|Industries|Partners|Solutions|Enterprises)\b\.?/g;
/** A capitalised name followed by money in brackets, "Globex Holdings ($2.4M ARR)": the way accounts are listed. */
const LISTED_NAME = /\b[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,3}(?=\s+\([^)]*\$)/g;

/** Every figure of the data the model was given and of the rules' analysis of the same data. */
function portfolioInsightFigures(input: PortfolioInsightInput, rules: PortfolioInsight): KnownFigure[] {
  const rulesText = [rules.summary, ...rules.key_findings, ...rules.top_risks, ...rules.opportunities].join(" ");
  return [
    ...knownFiguresOf(portfolioPromptData(input)),
    ...extractFigures(rulesText).map((figure): KnownFigure => ({ label: `the rules' analysis ("${figure.text}")`, value: figure.value, kind: figure.kind })),
    { label: "the health score's scale", value: 100, kind: "number" },
  ];
}

/** The accounts of the data, by name: those at risk and those growing. */
function namedAccounts(input: PortfolioInsightInput): PortfolioAccount[] {
  const { portfolio } = input;
  return [...portfolio.accounts_at_risk, ...(portfolio.growing_accounts ?? [])];
}

function quotedPhrases(input: PortfolioInsightInput, accounts: readonly PortfolioAccount[]): string[] {
  const { portfolio } = input;
  return [
    ...accounts.map((account) => account.account_name),
    ...portfolio.by_segment.map((group) => group.segment),
    ...portfolio.by_region.map((group) => group.region),
    ...Object.values(RISK_FACTOR_LABELS),
    ...input.recommendations.flatMap((recommendation) => [recommendation.playbook.title, ...recommendation.matching_risk_factors]),
    ...input.request.focus_areas,
  ];
}

/** What the names check reads a text with, built once per answer. */
export interface NameReader {
  byName: ReadonlyMap<string, PortfolioAccount>;
  /** Any account's name, as a whole word. */
  names: RegExp | null;
  /** Masks the data's quoted phrases (names, segments, regions, labels, titles). */
  mask: (text: string) => string;
  /** Masks the accounts' names only. */
  maskNames: (text: string) => string;
  /** The phrases of the data in lower case, and the buckets: capitalised words that are not invented names. */
  known: ReadonlySet<string>;
}

export function nameReader(accounts: readonly PortfolioAccount[], quoted: readonly string[]): NameReader {
  const names = accounts.map((account) => account.account_name);
  const alternatives = anyOf(names, "g");
  return {
    byName: new Map(accounts.map((account) => [account.account_name, account])),
    names: alternatives ? new RegExp(`(?<![\\w])(?:${alternatives.source})(?![\\w])`, "g") : null,
    mask: phraseMasker(quoted),
    maskNames: phraseMasker(names),
    known: new Set([...quoted, ...BUCKETS].map((phrase) => phrase.toLowerCase())),
  };
}

/**
 * What a text gets wrong about accounts: a name that is no account of the data, an account given an ARR that is not
 * its own (the first money after its name, before the next name or the end of the clause), or a bucket it is not in.
 */
export function namesProblems(text: string, reader: NameReader): string[] {
  const problems: string[] = [];
  const mentions = reader.names ? [...text.matchAll(reader.names)] : [];
  mentions.forEach((mention, index) => {
    const account = reader.byName.get(mention[0])!;
    const end = (mention.index ?? 0) + mention[0].length;
    const rest = text.slice(end, mentions[index + 1]?.index ?? text.length);
    const clause = rest.slice(0, rest.search(/:|(?<=[.!?])\s|;|$/));
    const money = extractFigures(clause).find((figure) => figure.kind === "money");
    if (money && Math.abs(money.value - account.arr) > money.tolerance * 1.0001 + 1e-9) {
      problems.push(`gives ${account.account_name} "${money.text}" but its ARR is ${account.arr}`);
    }
    for (const claim of bucketClaims(reader.mask(clause))) {
      if (account.health_bucket === null || !claim.buckets.includes(account.health_bucket)) {
        problems.push(`calls ${account.account_name} "${claim.text}" but it is ${account.health_bucket ?? "not scored"}`);
      }
    }
  });
  const unnamed = reader.maskNames(text);
  const invented = new Set([...unnamed.matchAll(COMPANY_NAME), ...unnamed.matchAll(LISTED_NAME)].map((match) => match[0].trim()));
  for (const name of invented) {
    if (!reader.known.has(name.toLowerCase())) problems.push(`names "${name}", which is not an account of the data`);
  }
  return problems;
}

export function reviewPortfolioAnswer(answer: PortfolioInsight, input: PortfolioInsightInput, rules: PortfolioInsight): AnswerReview {
  const { portfolio } = input;
  const accounts = namedAccounts(input);
  const quoted = quotedPhrases(input, accounts);
  const reader = nameReader(accounts, quoted);
  const arrTrends = [portfolio.arr_trend_30d, portfolio.arr_trend_90d];
  const goes = (_subject: PortfolioSubject, direction: Direction) =>
    arrTrends.some((change) => changeGoes(change, direction, portfolio.total_arr * FLAT_ARR_SHARE));
  const rulesForProse = { known: portfolioInsightFigures(input, rules), mask: reader.mask, trends: { subjects: PORTFOLIO_SUBJECTS, goes } };
  const review = emptyReview();
  const check = (part: string, text: string) => addPart(review, part, reviewProse(text, rulesForProse), namesProblems(text, reader));
  check("summary", answer.summary);
  answer.key_findings.forEach((text, index) => check(`key_findings[${index}]`, text));
  answer.top_risks.forEach((text, index) => check(`top_risks[${index}]`, text));
  answer.opportunities.forEach((text, index) => check(`opportunities[${index}]`, text));
  return review;
}

/** The answer with each failed part replaced by the rules' version of it (a failed item of a list by a rules' item). */
export function repairPortfolioAnswer(answer: PortfolioInsight, review: AnswerReview, rules: PortfolioInsight): PortfolioInsight {
  const failed = new Set(failedParts(review).map((part) => part.part));
  return {
    summary: failed.has("summary") ? rules.summary : answer.summary,
    key_findings: repairList(answer.key_findings, "key_findings", failed, rules.key_findings),
    top_risks: repairList(answer.top_risks, "top_risks", failed, rules.top_risks),
    opportunities: repairList(answer.opportunities, "opportunities", failed, rules.opportunities),
  };
}
