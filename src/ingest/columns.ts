import { contractDate, decimal, metricDate, money, orNull, rate, segment, text, type RuleValue, type ValueRule, type WarningCode } from "./values";

/**
 * The CSV columns, in ONE table: the header names, the aliases matched to them, whether the header must have them, the
 * field of the validated row each fills and the rule its cells follow. Header matching (csv-header.ts), row validation
 * (validate-row.ts), the row type (`MetricRow`) and the OpenAPI description all read this table, so an optional column
 * is one more entry here (plus, to store it, its place in the writer's tuples).
 */

interface ColumnSpec<Name extends string, Field extends string, T> {
  /** The canonical header name. */
  name: Name;
  /** The validated row's field. */
  field: Field;
  /** Whether a header without the column is refused. An optional column's rule must accept an empty cell. */
  required: boolean;
  /** Part of the v1 API's header: the columns examples and messages list (CSV_HEADER_ORDER). */
  original?: boolean;
  /** Other header names matched to the column, compared as `matchKey` (case, spaces, hyphens, underscores ignored). */
  aliases: readonly string[];
  rule: ValueRule<T>;
  /** What the column holds, for the documentation. */
  description: string;
}

/** Keeps each entry's own name, field and value type, so the row type below can be derived from the table. */
function column<const Name extends string, const Field extends string, T>(spec: ColumnSpec<Name, Field, T>): ColumnSpec<Name, Field, T> {
  // Every entry and every rule built by this one literal share one shape, so the validator's loop over the table
  // reads `rule.parse` from one hidden class instead of one per rule.
  const { empty, parse, accepts } = spec.rule;
  return {
    name: spec.name,
    field: spec.field,
    required: spec.required,
    original: spec.original ?? false,
    aliases: spec.aliases,
    rule: { empty, parse, accepts },
    description: spec.description,
  };
}

export const MAX_ACCOUNT_NAME_LENGTH = 200;
export const MAX_REGION_LENGTH = 100;
/** Upper bounds that keep every stored number finite and meaningful (a value past them is a typo or an overflow). */
export const MAX_ARR = 1e12;
export const MAX_DAILY_ACTIVE_USERS = 1e9;
export const MAX_OPEN_TICKETS = 1e6;
export const MAX_OWNER_LENGTH = 200;

export const COLUMNS = [
  column({
    name: "account_name",
    field: "accountName",
    required: true,
    original: true,
    aliases: ["account", "company", "customer", "company_name", "customer_name"],
    rule: text(MAX_ACCOUNT_NAME_LENGTH),
    description: "identifies the account; names are compared after NFC normalisation",
  }),
  column({
    name: "segment",
    field: "segment",
    required: true,
    original: true,
    aliases: ["plan", "tier"],
    rule: segment,
    description: "the account's segment, stored in this spelling",
  }),
  column({
    name: "region",
    field: "region",
    required: true,
    original: true,
    aliases: [],
    rule: text(MAX_REGION_LENGTH),
    description: "the account's region",
  }),
  column({
    name: "arr",
    field: "arr",
    required: true,
    original: true,
    aliases: ["annual_recurring_revenue"],
    rule: money(MAX_ARR),
    description: "annual recurring revenue on that date",
  }),
  column({
    name: "date",
    field: "date",
    required: true,
    original: true,
    aliases: [],
    rule: metricDate(),
    description: "the day the metrics are for",
  }),
  column({
    name: "daily_active_users",
    field: "dailyActiveUsers",
    required: true,
    original: true,
    aliases: ["dau", "active_users"],
    rule: decimal(0, MAX_DAILY_ACTIVE_USERS, { integer: true }),
    description: "users active that day",
  }),
  column({
    name: "feature_adoption_rate",
    field: "featureAdoptionRate",
    required: true,
    original: true,
    aliases: ["adoption", "adoption_rate"],
    rule: rate,
    description: "share of the product's features in use",
  }),
  column({
    name: "support_tickets_open",
    field: "supportTicketsOpen",
    required: true,
    original: true,
    aliases: ["tickets", "open_tickets", "support_tickets"],
    rule: decimal(0, MAX_OPEN_TICKETS, { integer: true }),
    description: "support tickets open that day",
  }),
  column({
    name: "nps_score",
    field: "npsScore",
    required: false,
    original: true,
    aliases: ["nps"],
    rule: orNull(decimal(-100, 100)),
    description: "net promoter score; empty (or a file without the column) stores null",
  }),
  column({
    name: "login_frequency",
    field: "loginFrequency",
    required: true,
    original: true,
    aliases: ["logins", "login_rate"],
    rule: rate,
    description: "share of users who logged in",
  }),
  column({
    name: "renewal_date",
    field: "renewalDate",
    required: false,
    aliases: ["renewal", "renewal_on", "renews_on", "contract_renewal_date"],
    rule: orNull(contractDate),
    description:
      "the contract's renewal date; the account keeps the one of its latest-dated row that has one (an empty cell, " +
      "or a file without the column, keeps it)",
  }),
  column({
    name: "owner",
    field: "owner",
    required: false,
    aliases: ["csm", "account_owner", "customer_success_manager"],
    rule: orNull(text(MAX_OWNER_LENGTH)),
    description:
      "the account's owner (its CSM); the account keeps the one of its latest-dated row that names one (an empty " +
      "cell, or a file without the column, keeps it)",
  }),
] as const;

type Column = (typeof COLUMNS)[number];

export type CsvColumn = Column["name"];

/** The typed values of one data line, one field per column. */
export type ColumnValues = { [C in Column as C["field"]]: RuleValue<C["rule"]> };

/** The v1 API's header, in its order (what examples and messages show). */
export const CSV_HEADER_ORDER: readonly CsvColumn[] = COLUMNS.filter((entry) => entry.original === true).map((entry) => entry.name);

/** Every column, in the table's order: the v1 header, then the optional columns (what an export writes). */
export const ALL_COLUMNS: readonly CsvColumn[] = COLUMNS.map((entry) => entry.name);

export const REQUIRED_COLUMNS: readonly CsvColumn[] = COLUMNS.filter((entry) => entry.required).map((entry) => entry.name);

export const OPTIONAL_COLUMNS: readonly CsvColumn[] = COLUMNS.filter((entry) => !entry.required).map((entry) => entry.name);

for (const entry of COLUMNS) {
  if (!entry.required && entry.rule.empty === null) {
    throw new Error(`The optional CSV column ${entry.name} needs a rule that accepts an empty cell`);
  }
}

/**
 * A declared measure (seats used ÷ seats bought, …) as an upload checks its cells: its name is its header, and its
 * cells are numbers within its range, stored in the metric row's `measures` object.
 */
export interface MeasureRange {
  name: string;
  min: number;
  max: number;
}

/** Something worth knowing about a row that was stored anyway (or about a header). */
export interface RowWarning {
  line: number;
  /** A column of the table, or a declared measure's name. */
  column: string | null;
  code: WarningCode;
  message: string;
}
