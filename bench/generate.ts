/**
 * Deterministic generator of realistic daily account metrics, written as CSV to a file (streamed, so a 1M-row file costs
 * no memory). Usage:
 *   node bench/generate.ts --accounts 50 --days 90 --seed 42 --out examples/accounts.csv [--end 2026-10-31] [--measures]
 * `--measures` appends three custom-measure columns (MEASURE_COLUMNS, to declare with POST /measures first).
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";

const HEADER =
  "account_name,segment,region,arr,date,daily_active_users,feature_adoption_rate,support_tickets_open,nps_score,login_frequency";

/**
 * The custom measures `--measures` appends, as POST /measures declares them: seats used ÷ seats bought, invoices
 * overdue, and whether the executive sponsor engaged (assessed weekly: other days are empty cells, no value).
 */
export const MEASURE_COLUMNS = [
  { name: "seats_ratio", description: "Seats used ÷ seats bought", min: 0, max: 1.5 },
  { name: "invoices_overdue", description: "Invoices past their due date", min: 0, max: 30 },
  { name: "sponsor_engaged", description: "The executive sponsor engaged this week (1) or not (0)", min: 0, max: 1 },
] as const;
/** Seeds the measures' own random stream, apart from the built-in columns' (see generateCsv). */
const MEASURES_SEED_SALT = 0x5eed_ca5e;
const SPONSOR_CADENCE_DAYS = 7;

const SEGMENTS = [
  { name: "Enterprise", dauBenchmark: 200, arr: [250_000, 1_500_000] },
  { name: "Mid-Market", dauBenchmark: 75, arr: [60_000, 300_000] },
  { name: "SMB", dauBenchmark: 20, arr: [8_000, 60_000] },
] as const;
const REGIONS = ["US", "EU", "APAC", "LATAM"] as const;
const NAME_PARTS = [
  ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell", "Cyberdyne",
   "Wonka", "Pied Piper", "Massive Dynamic", "Oscorp", "Aperture", "Black Mesa", "Gringotts", "Dunder Mifflin", "Monarch"],
  ["Corp", "Inc", "Labs", "Systems", "Analytics", "Logistics", "Health", "Retail", "Cloud", "Foods", "Media", "Energy"],
] as const;

/** Profiles set where an account's metrics sit: healthy, at-risk or critical, drifting up, flat or down. */
const PROFILES = [
  { level: 0.9, weight: 0.45 },
  { level: 0.6, weight: 0.35 },
  { level: 0.3, weight: 0.2 },
] as const;

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Unique, readable names: first every combination of the parts, then numbered ones. */
function accountName(index: number): string {
  const [firsts, seconds] = NAME_PARTS;
  const combinations = firsts.length * seconds.length;
  const base = `${firsts[index % firsts.length]} ${seconds[Math.floor(index / firsts.length) % seconds.length]}`;
  return index < combinations ? base : `${base} ${Math.floor(index / combinations) + 1}`;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

function isoDate(day: Date): string {
  return day.toISOString().slice(0, 10);
}

export interface GenerateOptions {
  accounts: number;
  days: number;
  seed: number;
  out: string;
  end: string;
  /** Append the MEASURE_COLUMNS. */
  measures?: boolean;
}

/**
 * An account's custom measures, drawn from their own random stream (`random`) so that the built-in columns of a file
 * with measures are byte for byte those of the file without: a side-by-side upload compares like with like. The values
 * follow the account's level of the day: healthy accounts use their seats, pay on time and keep their sponsor.
 */
function measureCells(random: () => number) {
  // Some accounts never export seat counts: a measure missing for part of the book, as in real books.
  const reportsSeats = random() >= 0.15;
  const seatsBought = 0.75 + random() * 0.5; // how generously the account bought seats: ratio = usage ÷ this
  return (level: number, day: number): string => {
    const seats = reportsSeats ? clamp((level * (0.9 + random() * 0.2)) / seatsBought, 0, 1.5).toFixed(2) : "";
    const overdue = String(Math.round(clamp((1 - level) * 4 + (random() - 0.6) * 3, 0, 30)));
    const sponsor = day % SPONSOR_CADENCE_DAYS === 0 ? (random() < level ? "1" : "0") : "";
    return `,${seats},${overdue},${sponsor}`;
  };
}

/** Writes accounts × days rows and resolves with the number of rows and bytes written. */
export async function generateCsv(options: GenerateOptions): Promise<{ rows: number; bytes: number }> {
  const random = mulberry32(options.seed);
  const measuresRandom = mulberry32(options.seed ^ MEASURES_SEED_SALT);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const out = createWriteStream(options.out);
  let bytes = 0;
  const header = options.measures ? `${HEADER},${MEASURE_COLUMNS.map((column) => column.name).join(",")}` : HEADER;
  let buffer = `${header}\n`;
  const flush = async () => {
    bytes += Buffer.byteLength(buffer);
    if (!out.write(buffer)) await once(out, "drain");
    buffer = "";
  };

  const endDate = new Date(`${options.end}T00:00:00Z`);
  let rows = 0;
  for (let index = 0; index < options.accounts; index++) {
    const segment = SEGMENTS[index % SEGMENTS.length]!;
    const region = pick(REGIONS);
    const name = accountName(index);
    let roll = random();
    const profile = PROFILES.find((candidate) => (roll -= candidate.weight) < 0) ?? PROFILES[0];
    const drift = (random() - 0.5) * 0.4; // total change of the level over the period
    let arr = Math.round(segment.arr[0] + random() * (segment.arr[1] - segment.arr[0]));
    // Some accounts never answer NPS surveys; most answer about once a week.
    const npsCadence = random() < 0.1 ? 0 : random() < 0.5 ? 1 : 7;
    let lastNps = Math.round(clamp((profile.level - 0.5) * 160 + (random() - 0.5) * 30, -100, 100));
    const measures = options.measures ? measureCells(measuresRandom) : null;

    for (let day = options.days - 1; day >= 0; day--) {
      const progress = 1 - day / Math.max(1, options.days - 1);
      const level = clamp(profile.level + drift * progress + (random() - 0.5) * 0.08, 0.02, 1);
      const date = new Date(endDate.getTime() - day * 86_400_000);
      const dau = Math.max(0, Math.round(segment.dauBenchmark * level * (0.8 + random() * 0.4)));
      const adoption = clamp(level * (0.85 + random() * 0.2), 0, 1).toFixed(2);
      const tickets = Math.max(0, Math.round((1 - level) * 12 + (random() - 0.5) * 3));
      const login = clamp(level * (0.9 + random() * 0.15), 0, 1).toFixed(2);
      let nps = "";
      if (npsCadence > 0 && day % npsCadence === 0) {
        lastNps = Math.round(clamp(lastNps + (level - 0.5) * 10 + (random() - 0.5) * 10, -100, 100));
        nps = String(lastNps);
      }
      if (random() < 0.01) arr = Math.round(arr * (1 + (level - 0.5) * 0.2)); // renewals, expansions, contractions
      const quotedName = name.includes(",") ? `"${name}"` : name;
      const extra = measures ? measures(level, day) : "";
      buffer += `${quotedName},${segment.name},${region},${arr},${isoDate(date)},${dau},${adoption},${tickets},${nps},${login}${extra}\n`;
      rows++;
      if (buffer.length > 64 * 1024) await flush();
    }
  }
  await flush();
  out.end();
  await once(out, "finish");
  return { rows, bytes };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      accounts: { type: "string", default: "50" },
      days: { type: "string", default: "90" },
      seed: { type: "string", default: "42" },
      out: { type: "string", default: "bench/data/metrics.csv" },
      end: { type: "string", default: "2026-10-31" },
      measures: { type: "boolean", default: false },
    },
  });
  const result = await generateCsv({
    accounts: Number(values.accounts),
    days: Number(values.days),
    seed: Number(values.seed),
    out: values.out,
    end: values.end,
    measures: values.measures,
  });
  console.log(`wrote ${result.rows} rows (${(result.bytes / 1e6).toFixed(1)} MB) to ${values.out}`);
}
