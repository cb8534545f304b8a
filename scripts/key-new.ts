// `npm run key:new -- --scope read --name looker`: a new API key for the client, and the API_KEYS entry that accepts
// it (`<scope>:<name>:<SHA-256 digest>`). Only the entry goes into the secret; the key itself is shown once, here.
import { createHash, randomBytes } from "node:crypto";
import { parseArgs } from "node:util";

const SCOPES = ["read", "ingest", "admin"];
const { values } = parseArgs({ options: { scope: { type: "string" }, name: { type: "string" } } });
const scope = values.scope ?? "read";
const name = values.name ?? `key-${randomBytes(3).toString("hex")}`;
if (!SCOPES.includes(scope)) throw new Error(`--scope must be one of ${SCOPES.join(", ")}, not '${scope}'`);
if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new Error("--name: 1-64 letters, digits, '.', '_' or '-'");

const key = `ask_${randomBytes(24).toString("base64url")}`;
const digest = createHash("sha256").update(key).digest("hex");
console.log(`API key (give to the client, shown only now): ${key}`);
console.log(`API_KEYS entry (scope ${scope}, name ${name}):        ${scope}:${name}:${digest}`);
