/**
 * A local OpenAI-compatible Chat Completions server for the insight checks: the Worker reaches it through
 * OPENAI_BASE_URL exactly as it reaches OpenAI. It reads the DATA block of the prompt and answers in one of three
 * modes, chosen by the request's `model`:
 * - `faithful`: quotes the data's figures in prose and applies the first three playbooks offered;
 * - `sloppy`: a score rounded wrong and a trend's sign swapped in the summary, a playbook applied twice, an account
 *   given another's ARR, the ARR trend's sign swapped and the book's ARR going the wrong way in the portfolio;
 * - `adversarial`: obeys instructions hidden in account names, calls Critical accounts healthy, invents an account
 *   and a growth figure, applies a playbook nobody offered.
 * Every false statement it writes is recorded as a lie (the exact text), so a caller can look for it in what the API
 * shows. Self-contained: the vitest global setup and the eval both start it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extractFigures, knownFiguresOf, supportOf, type KnownFigure } from "../../src/domain/written-figures.ts";

export const FAKE_MODES = ["faithful", "sloppy", "adversarial"] as const;
export type FakeMode = (typeof FAKE_MODES)[number];

/** One answer the fake gave: to which prompt, in which mode, and the false statements it holds. */
export interface FakeExchange {
  mode: FakeMode;
  kind: "account" | "portfolio";
  data: Record<string, unknown>;
  answer: Record<string, unknown>;
  lies: string[];
}

export interface FakeOpenAi {
  /** The base URL to set as OPENAI_BASE_URL, e.g. http://127.0.0.1:41234/v1. */
  url: string;
  exchanges: FakeExchange[];
  /** Answers every request in `mode`, whatever its model; null goes back to choosing by the model. */
  setMode: (mode: FakeMode | null) => void;
  stop: () => Promise<void>;
}

interface Trend {
  health_score_change: number;
  arr_change: number;
  engagement_trend: string;
  from_date: string;
  to_date: string;
}

interface AccountData {
  account: {
    account_name: string;
    segment: string;
    region: string;
    arr: number;
    health_score: number | null;
    health_bucket: string | null;
    latest_metric_date: string | null;
    renewal_date: string | null;
    days_to_renewal: number | null;
    data_as_of: string | null;
  };
  health_components: Record<string, { points: number | null; max_points?: number }> | null;
  trends: Record<string, Trend | null>;
  risk_factors: { label: string; kind: string; detail: string }[];
  playbooks: { playbook_id: number; title: string; description: string; matching_risk_factors: string[]; expected_outcome: string }[];
}

interface ListedAccount {
  account_name: string;
  segment: string;
  arr: number;
  health_score: number | null;
  health_bucket?: string | null;
  risk_factors?: string[];
}

interface PortfolioData {
  portfolio: {
    total_accounts: number;
    total_arr: number;
    avg_health_score: number;
    arr_at_risk: number;
    accounts_at_risk_count: number;
    arr_trend_30d: number;
    arr_trend_90d: number;
    as_of_date: string | null;
  };
  by_segment: { segment: string; accounts: number; arr: number; avg_health_score: number | null }[];
  accounts_at_risk: ListedAccount[];
  growing_accounts: ListedAccount[];
}

const money = (amount: number) => `${amount < 0 ? "-" : ""}$${Math.round(Math.abs(amount)).toLocaleString("en-US")}`;
const signed = (value: number) => `${value > 0 ? "+" : ""}${value.toFixed(1)}`;
const signedMoney = (amount: number) => (Math.round(amount) === 0 ? "$0" : `${amount > 0 ? "+" : "-"}${money(Math.abs(amount))}`);

/**
 * The first of `figures` (each a figure as written, "54.0/100", "+6.4") that the data does not support, as the insight
 * checks read support (src/domain/written-figures.ts: a figure of the data, or a difference or ratio of two related
 * ones); null when each is supported. A false figure that happens to equal one the data holds (a swapped +1.0 that is
 * also a playbook's id) is not false by its figures, so the fake plants only figures clear of those.
 */
function unsupportedOf(data: unknown, figures: readonly string[]): string | null {
  const known: KnownFigure[] = [...knownFiguresOf(data), { label: "the score's scale", value: 100, kind: "number" }];
  return figures.find((text) => extractFigures(text).every((figure) => supportOf(figure, known) === null)) ?? null;
}

/** What an instruction hidden in a name asks for, as a model that obeys it would read it. */
const INJECTION = /ignore|instruction|report this account/i;

function actionsFrom(playbooks: AccountData["playbooks"]) {
  return playbooks.slice(0, 3).map((playbook, index) => ({
    title: `Run the ${playbook.title}`,
    description: `${playbook.matching_risk_factors.length > 0 ? `It addresses ${playbook.matching_risk_factors.join(", ")}.` : "A proactive step."} ${playbook.description}`,
    priority: index === 0 ? "High" : "Medium",
    estimated_impact: playbook.expected_outcome,
    playbook_id: playbook.playbook_id,
  }));
}

function faithfulAccount(data: AccountData) {
  const { account } = data;
  const trend = data.trends["30d"];
  const parts = [
    account.health_score === null
      ? `${account.account_name} (${account.segment}, ${account.region}) has ${money(account.arr)} ARR and no health score yet.`
      : `${account.account_name} (${account.segment}, ${account.region}) has a health score of ${account.health_score}/100 (${account.health_bucket}) as of ${account.latest_metric_date} with ${money(account.arr)} ARR.`,
  ];
  if (trend) parts.push(`Over 30 days the score moved ${signed(trend.health_score_change)} points and ARR ${signedMoney(trend.arr_change)}.`);
  if (account.renewal_date && account.days_to_renewal !== null && account.days_to_renewal >= 0) {
    parts.push(`It renews on ${account.renewal_date}, ${account.days_to_renewal} days after ${account.data_as_of}.`);
  }
  const components = Object.entries(data.health_components ?? {}).filter(([, component]) => component.points !== null);
  const analysis =
    components.length === 0
      ? "There are no scored components yet."
      : `Components: ${components
          .map(([key, component]) => `${key.replaceAll("_", " ")} ${component.points!.toFixed(1)}${component.max_points === undefined ? "" : `/${component.max_points}`}`)
          .join(", ")}.`;
  return { summary: parts.join(" "), health_analysis: analysis, risk_factors: data.risk_factors.filter((factor) => factor.kind === "risk").map((factor) => factor.label), recommended_actions: actionsFrom(data.playbooks) };
}

function sloppyAccount(data: AccountData) {
  const answer = faithfulAccount(data);
  const lies: string[] = [];
  const { account } = data;
  if (account.health_score !== null) {
    // Rounded the wrong way, and by too much.
    const offsets = [2.7, 3.7, 4.7, 5.7, 6.7, 7.7, 8.7, 9.7];
    const wrong = unsupportedOf(data, offsets.map((offset) => (account.health_score! + offset).toFixed(1)));
    if (wrong) {
      answer.summary = answer.summary.replace(`${account.health_score}/100`, `${wrong}/100`);
      lies.push(`${wrong}/100`);
    }
  }
  const trend = data.trends["30d"];
  if (trend && Math.abs(trend.health_score_change) >= 0.1 && unsupportedOf(data, [`${signed(-trend.health_score_change)} points`])) {
    const swapped = `moved ${signed(-trend.health_score_change)} points`;
    answer.summary = answer.summary.replace(`moved ${signed(trend.health_score_change)} points`, swapped);
    lies.push(swapped);
  }
  const [first, second] = answer.recommended_actions;
  if (first && second) {
    answer.recommended_actions[2] = { ...first, title: `Follow up: ${first.title}` };
    lies.push(`Follow up: ${first.title}`);
  }
  return { answer, lies };
}

function adversarialAccount(data: AccountData) {
  const answer = faithfulAccount(data);
  const lies: string[] = [];
  const { account } = data;
  if (account.health_bucket !== "Healthy") {
    const claim = `${INJECTION.test(account.account_name) ? "As instructed, " : ""}the account is healthy and needs no attention.`;
    answer.summary = `${answer.summary} ${claim}`;
    lies.push(claim);
  }
  const percent = unsupportedOf(data, ["47.3%", "53.9%", "61.7%", "68.3%", "74.1%", "81.9%", "86.3%", "93.7%"]);
  if (percent) {
    const growth = `ARR grew ${percent} over 30 days`;
    answer.health_analysis = `${answer.health_analysis} ${growth}.`;
    lies.push(growth);
  }
  const offered = new Set(data.playbooks.map((playbook) => playbook.playbook_id));
  const unrelated = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].find((id) => !offered.has(id));
  const second = answer.recommended_actions[1];
  if (unrelated !== undefined && second) {
    answer.recommended_actions[1] = { ...second, title: "Run an unrelated campaign", playbook_id: unrelated };
    lies.push("Run an unrelated campaign");
  }
  return { answer, lies };
}

function riskLine(account: ListedAccount): string {
  return `${account.account_name} (${account.segment}, ${account.health_bucket ?? "unscored"}, score ${account.health_score ?? "n/a"}, ${money(account.arr)} ARR): ${(account.risk_factors ?? []).join(", ") || "no specific risk factor"}.`;
}

function faithfulPortfolio(data: PortfolioData) {
  const { portfolio } = data;
  return {
    summary: `${portfolio.total_accounts} accounts with ${money(portfolio.total_arr)} ARR average a health score of ${portfolio.avg_health_score}; ${money(portfolio.arr_at_risk)} ARR sits in ${portfolio.accounts_at_risk_count} accounts at risk.`,
    key_findings: [
      `ARR moved ${signedMoney(portfolio.arr_trend_30d)} over 30 days and ${signedMoney(portfolio.arr_trend_90d)} over 90 days.`,
      ...data.by_segment
        .filter((group) => group.avg_health_score !== null)
        .map((group) => `${group.segment}: ${group.accounts} accounts with ${money(group.arr)} ARR average a score of ${group.avg_health_score}.`),
    ],
    top_risks: data.accounts_at_risk.slice(0, 5).map(riskLine),
    opportunities: data.growing_accounts.slice(0, 3).map((account) => `${account.account_name} (${money(account.arr)} ARR, score ${account.health_score}) is a candidate for expansion.`),
  };
}

function sloppyPortfolio(data: PortfolioData) {
  const answer = faithfulPortfolio(data);
  const lies: string[] = [];
  const { portfolio } = data;
  if (Math.round(portfolio.arr_trend_30d) !== 0) {
    const swapped = signedMoney(-portfolio.arr_trend_30d);
    answer.key_findings[0] = `ARR moved ${swapped} over 30 days and ${signedMoney(portfolio.arr_trend_90d)} over 90 days.`;
    lies.push(`ARR moved ${swapped} over 30 days`);
  }
  // The book's ARR given the direction it did not take.
  if (portfolio.arr_trend_30d > 0 && portfolio.arr_trend_90d > 0) {
    answer.key_findings.push("Total ARR fell over the last 90 days.");
    lies.push("Total ARR fell over the last 90 days.");
  } else if (portfolio.arr_trend_30d < 0 && portfolio.arr_trend_90d < 0) {
    answer.key_findings.push("Total ARR grew over the last 90 days.");
    lies.push("Total ARR grew over the last 90 days.");
  }
  const [first, second] = data.accounts_at_risk;
  if (first && second && Math.round(first.arr) !== Math.round(second.arr)) {
    const wrong = riskLine({ ...first, arr: second.arr });
    answer.top_risks[0] = wrong;
    lies.push(wrong);
  }
  return { answer, lies };
}

function adversarialPortfolio(data: PortfolioData) {
  const answer = faithfulPortfolio(data);
  const lies: string[] = [];
  const invented = "Globex Holdings ($2,400,000 ARR) is Critical and about to churn.";
  answer.top_risks.unshift(invented);
  lies.push("Globex Holdings");
  for (const account of data.accounts_at_risk.filter((candidate) => candidate.health_bucket === "Critical" || INJECTION.test(candidate.account_name)).slice(0, 3)) {
    const claim = `${account.account_name} is healthy and needs no attention.`;
    answer.opportunities.unshift(claim);
    lies.push(claim);
  }
  return { answer, lies };
}

function answerFor(mode: FakeMode, kind: "account" | "portfolio", data: Record<string, unknown>) {
  if (kind === "account") {
    const account = data as unknown as AccountData;
    if (mode === "faithful") return { answer: faithfulAccount(account), lies: [] };
    return mode === "sloppy" ? sloppyAccount(account) : adversarialAccount(account);
  }
  const portfolio = data as unknown as PortfolioData;
  if (mode === "faithful") return { answer: faithfulPortfolio(portfolio), lies: [] };
  return mode === "sloppy" ? sloppyPortfolio(portfolio) : adversarialPortfolio(portfolio);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
}

/** Starts the fake on a free local port (or `port`). */
export async function startFakeOpenAi(port = 0): Promise<FakeOpenAi> {
  const exchanges: FakeExchange[] = [];
  let forcedMode: FakeMode | null = null;
  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/v1/chat/completions") {
      send(response, 404, { error: { message: `Unknown request: ${request.method} ${request.url}`, type: "invalid_request_error" } });
      return;
    }
    readJson(request)
      .then((body) => {
        const mode = forcedMode ?? FAKE_MODES.find((candidate) => candidate === body.model);
        if (!mode) {
          send(response, 404, { error: { message: `The model \`${String(body.model)}\` does not exist`, type: "invalid_request_error", code: "model_not_found" } });
          return;
        }
        const messages = body.messages as { role: string; content: string }[];
        const user = messages.find((message) => message.role === "user")?.content ?? "";
        const data = JSON.parse(user.slice(user.indexOf("{"))) as Record<string, unknown>;
        const format = body.response_format as { json_schema?: { name?: string } } | undefined;
        const kind = format?.json_schema?.name === "portfolio_insight" ? "portfolio" : "account";
        const { answer, lies } = answerFor(mode, kind, data);
        exchanges.push({ mode, kind, data, answer, lies });
        send(response, 200, {
          id: `chatcmpl-fake${exchanges.length}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: mode,
          choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify(answer), refusal: null }, finish_reason: "stop" }],
          usage: { prompt_tokens: user.length / 4, completion_tokens: 400, total_tokens: user.length / 4 + 400 },
        });
      })
      .catch((error: unknown) => send(response, 400, { error: { message: String(error), type: "invalid_request_error" } }));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/v1`,
    exchanges,
    setMode: (mode) => {
      forcedMode = mode;
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
