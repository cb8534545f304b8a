import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { recomputeHealth } from "../../src/scoring/rescore";
import { DEFAULT_HEALTH_CONFIG } from "../../src/domain/health";
import type { AccountDetail } from "../../src/contract/accounts";
import type { HealthEvent } from "../../src/contract/events";
import type { IngestResult } from "../../src/contract/ingest";
import { resetDatabase, testDb } from "../helpers/db";
import { addDays } from "../helpers/factories";
import { allEvents, callWorker, days, EVENTS_START, recordingQueue, uploadDays, type Day } from "../helpers/events";

/**
 * The change feed is edge-triggered: events come from comparing each rescored account's state before and after, in the
 * rescore's own atomic batches, so a rescore that changes nothing writes none, and a failing batch leaves neither the
 * scores nor the events.
 */

const accountEvents = (events: readonly HealthEvent[]) => events.filter((event) => event.account_id !== null);
const ofType = <T extends HealthEvent["type"]>(events: readonly HealthEvent[], type: T) =>
  events.filter((event): event is Extract<HealthEvent, { type: T }> => event.type === type);

async function upload(rows: readonly Day[], extra: Record<string, unknown> = {}): Promise<IngestResult> {
  const response = await uploadDays(rows, extra);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json<IngestResult>();
}

async function accountState(name: string) {
  return env.DB.prepare(
    `SELECT id, health_score, health_bucket, health_change_30d, latest_metric_date,
            (SELECT count(*) FROM health_scores AS h WHERE h.account_id = a.id) AS scores
     FROM accounts AS a WHERE account_name = ?`,
  )
    .bind(name)
    .first<{ id: number; health_score: number; health_bucket: string; health_change_30d: number | null; latest_metric_date: string; scores: number }>();
}

beforeEach(resetDatabase);

describe("health events", () => {
  it("Healthy → Critical in one upload: exactly one bucket_changed, with the scores, the date and what moved", async () => {
    await upload(days("Acme", 0, 39, "healthy"));
    const before = await accountState("Acme");
    expect(before?.health_bucket).toBe("Healthy");
    expect(accountEvents(await allEvents())).toEqual([]);

    await upload(days("Acme", 40, 49, "critical"));
    const after = await accountState("Acme");
    expect(after?.health_bucket).toBe("Critical");
    const events = accountEvents(await allEvents());
    const changed = ofType(events, "health.bucket_changed");
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      account_id: after?.id,
      as_of: addDays(EVENTS_START, 49),
      data: {
        account_id: after?.id,
        account_name: "Acme",
        from: "Healthy",
        to: "Critical",
        score_before: before?.health_score,
        score_after: after?.health_score,
        as_of: addDays(EVENTS_START, 49),
      },
    });
    const delta = changed[0]!.data.health_components_change;
    expect(delta.daily_active_users).toBeLessThan(0);
    expect(delta.support_tickets).toBeLessThan(0);
    const sum = Object.values(delta).reduce<number>((total, change) => total + (change ?? 0), 0);
    expect(sum).toBeCloseTo((after?.health_score ?? 0) - (before?.health_score ?? 0), 0);
    // The same rescore saw the 30-day change fall through −10: one score_dropped beside it, nothing else.
    expect(ofType(events, "health.score_dropped")).toHaveLength(1);
    expect(events).toHaveLength(2);
  });

  it("the same file twice: the second upload writes no account event, only its ingest.completed", async () => {
    const rows = days("Acme", 0, 39, "healthy");
    await upload(rows);
    await upload(days("Acme", 40, 49, "critical"));
    const first = await allEvents();
    await upload(days("Acme", 40, 49, "critical"));
    const second = await allEvents();
    const added = second.slice(first.length);
    expect(added.map((event) => event.type)).toEqual(["ingest.completed"]);
    expect(added[0]).toMatchObject({ data: { metrics_created: 0, metrics_updated: 0, events_caused: 0 } });
  });

  it("a back-fill that leaves the current state alone writes no account event, though it writes scores", async () => {
    await upload(days("Acme", 200, 239, "healthy"));
    const before = await accountState("Acme");
    const result = await upload(days("Acme", 0, 29, "critical"));
    expect(result.scores_written).toBeGreaterThan(0);
    const after = await accountState("Acme");
    expect(after).toMatchObject({ health_score: before?.health_score, health_bucket: "Healthy", scores: 70 });
    expect(accountEvents(await allEvents())).toEqual([]);
  });

  it("1,000 new accounts: one ingest.completed and no account event", async () => {
    const rows = Array.from({ length: 1000 }, (_, index) => days(`Account ${String(index).padStart(4, "0")}`, 0, 2, "healthy")).flat();
    const result = await upload(rows);
    expect(result.accounts_rescored).toBe(1000);
    const events = await allEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "ingest.completed",
      account_id: null,
      as_of: addDays(EVENTS_START, 2),
      data: {
        ingest_run_id: result.ingest_run_id,
        rows_total: 3000,
        rows_rejected: 0,
        accounts_created: 1000,
        accounts_updated: 0,
        metrics_created: 3000,
        rescore: "inline",
        rescore_job_id: null,
        events_caused: 0,
      },
    });
  });

  it("ingest.completed counts the events the upload's rescore caused, and says when the rescore was queued", async () => {
    await upload([...days("Acme", 0, 39, "healthy"), ...days("Globex", 0, 39, "healthy")]);
    await upload([...days("Acme", 40, 49, "critical"), ...days("Globex", 40, 49, "critical")]);
    const completed = ofType(await allEvents(), "ingest.completed");
    expect(completed.at(-1)?.data).toMatchObject({ accounts_updated: 2, events_caused: 4, rescore: "inline" });

    const { queue } = recordingQueue();
    await upload([...days("Acme", 50, 50, "critical"), ...days("Globex", 50, 50, "critical")], {
      INGEST_RESCORE_INLINE_MAX_ACCOUNTS: "1",
      RECOMPUTE_QUEUE: queue,
    });
    const queued = ofType(await allEvents(), "ingest.completed").at(-1);
    expect(queued?.data).toMatchObject({ rescore: "queued", rescore_job_id: expect.any(Number), events_caused: null });
  });

  it("score_dropped fires once when the 30-day change falls through −10, not while it lasts; score_recovered when it is back", async () => {
    await upload(days("Acme", 0, 39, "healthy"));
    await upload(days("Acme", 40, 49, "dipped"));
    let state = await accountState("Acme");
    expect(state?.health_bucket).toBe("Healthy");
    expect(state?.health_change_30d).toBeLessThanOrEqual(-10);
    let events = accountEvents(await allEvents());
    expect(events.map((event) => event.type)).toEqual(["health.score_dropped"]);
    expect(events[0]).toMatchObject({
      data: { account_name: "Acme", health_bucket: "Healthy", threshold: -10, health_score_change_30d: state?.health_change_30d },
    });

    // Still dropped ten days later: nothing new.
    await upload(days("Acme", 50, 59, "dipped"));
    expect(accountEvents(await allEvents())).toHaveLength(1);

    // A month at the lower level: the 30-day change is back near 0.
    await upload(days("Acme", 60, 95, "dipped"));
    state = await accountState("Acme");
    expect(state?.health_change_30d).toBeGreaterThan(-10);
    events = accountEvents(await allEvents());
    expect(events.map((event) => event.type)).toEqual(["health.score_dropped", "health.score_recovered"]);
  });

  it("ALERT_SCORE_DROP sets the line", async () => {
    await upload(days("Acme", 0, 39, "healthy"));
    await upload(days("Acme", 40, 49, "dipped"), { ALERT_SCORE_DROP: "20" });
    expect(accountEvents(await allEvents())).toEqual([]);
    const bad = await callWorker("/events", {}, { ALERT_SCORE_DROP: "-5" });
    expect(bad.status).toBe(503);
    expect(await bad.text()).toContain("ALERT_SCORE_DROP");
  });

  it("a recompute that changes nothing writes nothing; one that changes the configuration writes the changes", async () => {
    await upload([...days("Acme", 0, 39, "healthy"), ...days("Globex", 0, 39, "dipped")]);
    const before = await allEvents();
    expect((await callWorker("/health/recompute", { method: "POST" })).status).toBe(200);
    expect(await allEvents()).toEqual(before);

    // A far smaller DAU benchmark changes nothing here (both already earn the full DAU points); a huge one moves both.
    const recompute = await callWorker("/health/recompute", { method: "POST" }, { DAU_BENCHMARK_MID_MARKET: "2000" });
    expect(recompute.status).toBe(200);
    const changed = ofType(await allEvents(), "health.bucket_changed");
    expect(changed.map((event) => [event.data.account_name, event.data.from, event.data.to])).toEqual([
      ["Acme", "Healthy", "At-Risk"],
      ["Globex", "Healthy", "At-Risk"],
    ]);
  });

  it("events and scores are atomic: a chunk whose events insert fails leaves neither its scores nor its events", async () => {
    await upload(days("Acme", 0, 39, "healthy"));
    const before = await accountState("Acme");
    const eventsBefore = await allEvents();
    await env.DB.exec(
      "CREATE TRIGGER fail_account_events BEFORE INSERT ON health_events WHEN NEW.account_id IS NOT NULL " +
        "BEGIN SELECT RAISE(ABORT, 'simulated failure of the events insert'); END",
    );
    try {
      const result = await upload(days("Acme", 40, 49, "critical"));
      expect(result.rescore_error).toContain("simulated failure of the events insert");
      const after = await accountState("Acme");
      expect(after).toMatchObject({ health_score: before?.health_score, health_bucket: "Healthy", scores: 40 });
      expect(accountEvents(await allEvents())).toEqual([]);
      expect((await allEvents()).length).toBe(eventsBefore.length + 1);
    } finally {
      await env.DB.exec("DROP TRIGGER fail_account_events");
    }
    // The next rescore (the cron's) writes both: the scores and the one bucket change.
    // The cron's rescore reads the stale marks the failed rescore left, which the events must not depend on.
    const retried = await recomputeHealth(testDb(), DEFAULT_HEALTH_CONFIG, { scope: "stale", accountIds: [before?.id ?? 0] });
    expect(retried.eventsWritten).toBe(2);
    expect((await accountState("Acme"))?.health_bucket).toBe("Critical");
    expect(ofType(await allEvents(), "health.bucket_changed")).toHaveLength(1);
  });

  it("GET /accounts/{id} shows the account's last 10 events, newest first; GET /events filters by type and account", async () => {
    await upload([...days("Acme", 0, 39, "healthy"), ...days("Globex", 0, 39, "healthy")]);
    let day = 40;
    for (const level of ["critical", "healthy", "critical", "healthy", "critical", "healthy"] as const) {
      await upload(days("Acme", day, day + 9, level));
      day += 10;
    }
    await upload(days("Globex", 40, 49, "critical"));
    const acme = await accountState("Acme");
    const all = await allEvents(`&account_id=${acme?.id}`);
    expect(all.length).toBeGreaterThan(10);
    expect(all.every((event) => event.account_id === acme?.id)).toBe(true);
    const detail = await (await callWorker(`/accounts/${acme?.id}`)).json<AccountDetail>();
    expect(detail.recent_events.map((event) => event.id)).toEqual(all.slice(-10).reverse().map((event) => event.id));

    const changes = await allEvents("&type=health.bucket_changed");
    expect(changes.length).toBe(7);
    expect(changes.every((event) => event.type === "health.bucket_changed")).toBe(true);
    const page = await (await callWorker(`/events?after=${changes[2]?.id}&limit=2&type=health.bucket_changed`)).json<{
      events: HealthEvent[];
      next_after: number;
    }>();
    expect(page.events.map((event) => event.id)).toEqual([changes[3]?.id, changes[4]?.id]);
    expect(page.next_after).toBe(changes[4]?.id);
    const empty = await (await callWorker(`/events?after=${all.at(-1)?.id ?? 0}&account_id=${acme?.id}`)).json<{ next_after: number }>();
    expect(empty).toEqual({ events: [], next_after: all.at(-1)?.id });
    expect((await callWorker("/events?limit=501")).status).toBe(400);
    expect((await callWorker("/events?type=health.exploded")).status).toBe(400);
  });
});
