import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import architecture from "../../docs/architecture.md?raw";
import clients from "../../docs/clients.md?raw";
import development from "../../docs/development.md?raw";
import eventsAndWebhooks from "../../docs/events-and-webhooks.md?raw";
import healthModels from "../../docs/health-models.md?raw";
import importing from "../../docs/importing.md?raw";
import insights from "../../docs/insights.md?raw";
import operations from "../../docs/operations.md?raw";
import consoleGuide from "../../docs/console.md?raw";
import performance from "../../docs/performance.md?raw";
import revenue from "../../docs/revenue.md?raw";
import criticalWeekCsv from "../../examples/acme-goes-critical.csv?raw";
import exampleCsv from "../../examples/accounts.csv?raw";
import crmExportCsv from "../../examples/crm-export.csv?raw";
import seatsCsv from "../../examples/seats.csv?raw";
import readme from "../../README.md?raw";
import { sha256Hex } from "../../src/lib/hash";
import { resetDatabase } from "../helpers/db";
import { fetchWith } from "../helpers/worker";

/*
 * Every curl example of the README and of each guide in docs/, run in its order against the Worker (auth off, as
 * `npm run dev` runs): each answers a 2xx, or the status its comment names (`# answers 400`), and an error example's
 * JSON is the real answer. Each file runs on a fresh database (ids from 1 again), so a guide's examples load the data
 * they need themselves and every file can be followed on its own. So the docs cannot drift from the API.
 */

interface Document {
  path: string;
  text: string;
}

/** The README first, then the guides, in the order of the README's Guides list (operations last: it queues a job). */
const DOCUMENTS: readonly Document[] = [
  { path: "README.md", text: readme },
  { path: "docs/health-models.md", text: healthModels },
  { path: "docs/importing.md", text: importing },
  { path: "docs/events-and-webhooks.md", text: eventsAndWebhooks },
  { path: "docs/revenue.md", text: revenue },
  { path: "docs/insights.md", text: insights },
  { path: "docs/clients.md", text: clients },
  { path: "docs/performance.md", text: performance },
  { path: "docs/development.md", text: development },
  { path: "docs/architecture.md", text: architecture },
  { path: "docs/operations.md", text: operations },
  { path: "docs/console.md", text: consoleGuide },
];

const FILES: Record<string, string> = {
  "examples/accounts.csv": exampleCsv,
  "examples/crm-export.csv": crmExportCsv,
  "examples/acme-goes-critical.csv": criticalWeekCsv,
  "examples/seats.csv": seatsCsv,
};

interface Example {
  command: string;
  expectedStatus: number | null;
  request: Request;
}

/** Shell words of one command line: double- and single-quoted strings, and bare words. */
function words(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? "");
}

function fileAt(reference: string): string {
  const content = FILES[reference.replace(/^@/, "")];
  if (content === undefined) throw new Error(`An example uploads ${reference}, which the test does not know`);
  return content;
}

/** curl's options that the examples use, each followed by its value. */
const OPTIONS_WITH_VALUES = new Set(["-X", "-H", "-F", "--data-binary", "-d"]);

function toRequest(args: readonly string[]): Request {
  let method: string | undefined;
  let url = "";
  const headers = new Headers();
  let body: BodyInit | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (!OPTIONS_WITH_VALUES.has(arg)) {
      if (arg.startsWith("http")) url = arg;
      continue;
    }
    const value = args[++index] ?? "";
    if (arg === "-X") method = value;
    else if (arg === "-H") headers.set(value.slice(0, value.indexOf(":")), value.slice(value.indexOf(":") + 1).trim());
    else if (arg === "-F") {
      // Each -F adds a field to one form, in order: `name=@path` a file, `name=text` a text field.
      const at = value.indexOf("=");
      const [name, content] = [value.slice(0, at), value.slice(at + 1)];
      const form = body instanceof FormData ? body : new FormData();
      if (content.startsWith("@")) {
        form.append(name, new File([fileAt(content)], content.slice(content.lastIndexOf("/") + 1), { type: "text/csv" }));
      } else form.append(name, content);
      body = form;
    } else if (arg === "--data-binary") body = fileAt(value);
    else body = value;
  }
  // curl writes the multipart boundary itself; so does fetch, once the header is left to it.
  if (body instanceof FormData) headers.delete("content-type");
  return new Request(url, { method: method ?? (body === undefined ? "GET" : "POST"), headers, body });
}

/** The curl lines of a document's shell blocks, continuation lines joined, each with the status its comment names. */
function curlExamples(text: string): Example[] {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, " ").split("\n"))
    .filter((line) => line.trimStart().startsWith("curl "))
    .map((line) => {
      const [command = "", comment = ""] = line.split(/\s{2,}#\s/);
      const expected = /answers (\d{3})/.exec(comment)?.[1];
      return { command: command.trim(), expectedStatus: expected ? Number(expected) : null, request: toRequest(words(command).slice(1)) };
    });
}

/** The JSON shown right after a `# answers 400:` example, when the document shows one. */
function shownErrorAnswer(text: string): string | undefined {
  return /answers 400:\n```\n\n```json\n([\s\S]*?)```/.exec(text)?.[1];
}

/** An empty database whose AUTOINCREMENT counters start again, as after `npm run db:migrate:local` on a new checkout. */
async function freshDatabase(): Promise<void> {
  await resetDatabase();
  await env.DB.batch([env.DB.prepare("DELETE FROM data_version"), env.DB.prepare("DELETE FROM sqlite_sequence")]);
}

describe("the documents with examples", () => {
  it("are the README and every guide its Guides list links", () => {
    const guides = readme.slice(readme.indexOf("## Guides"));
    const linked = [...new Set([...guides.matchAll(/\]\((docs\/[\w-]+\.md)\)/g)].map((match) => match[1] ?? ""))];
    expect([...linked].sort()).toEqual(DOCUMENTS.slice(1).map((document) => document.path).sort());
  });
});

for (const document of DOCUMENTS) {
  const examples = curlExamples(document.text);
  const isReadme = document.path === "README.md";

  describe(`the curl examples of ${document.path}`, () => {
    beforeAll(freshDatabase);

    it("are found", () => {
      if (isReadme) {
        // The upload, the reads, the recomputes and the insights.
        expect(examples.length).toBeGreaterThanOrEqual(20);
        expect(examples.some((example) => example.command.includes("-F"))).toBe(true);
      }
      // An example that would not parse into a request to the Worker is a typo in the document.
      for (const example of examples) expect(example.request.url, example.command).toMatch(/^http:\/\/localhost:8787\//);
    });

    if (examples.length > 0) {
      it.each(examples.map((example) => [example.command, example] as const))("%s", async (_command, example) => {
        const response = await SELF.fetch(example.request.clone());
        const text = await response.text();
        if (example.expectedStatus !== null) expect(response.status, text).toBe(example.expectedStatus);
        else expect(response.status, text).toBeLessThan(300);
        // A list example shows accounts on the example data.
        if (example.request.method === "GET" && /\/accounts\?/.test(example.request.url) && response.status === 200) {
          expect((JSON.parse(text) as { total: number }).total, example.command).toBeGreaterThan(0);
        }
      });
    }

    const keyed = examples.filter((example) => example.command.includes("$API_KEY"));
    if (isReadme || keyed.length > 0) {
      it("with API keys on, the examples that send the key answer as without keys", async () => {
        const key = "ask_readme_example_key_0123456789";
        const digest = await sha256Hex(key);
        if (isReadme) expect(keyed.length).toBeGreaterThanOrEqual(3);
        for (const example of keyed) {
          const request = toRequest(words(example.command.replaceAll("$API_KEY", key)).slice(1));
          const path = new URL(request.url);
          const response = await fetchWith({ API_KEYS: digest }, `${path.pathname}${path.search}`, {
            method: request.method,
            headers: request.headers,
            body: request.body,
            duplex: "half",
          } as RequestInit);
          expect(response.status, example.command).toBeLessThan(300);
        }
      });
    }

    const shown = shownErrorAnswer(document.text);
    if (isReadme || shown !== undefined) {
      it("show the error answer the API gives", async () => {
        const errorExample = examples.find((example) => example.expectedStatus === 400);
        if (!errorExample) throw new Error(`${document.path} has no error example`);
        if (!shown) throw new Error("the error example's JSON should follow its curl block");
        const actual = (await (await SELF.fetch(errorExample.request.clone())).json()) as Record<string, unknown>;
        const { request_id: _shownId, ...documented } = JSON.parse(shown) as Record<string, unknown>;
        const { request_id: _actualId, ...answered } = actual;
        expect(documented).toEqual(answered);
      });
    }
  });
}
