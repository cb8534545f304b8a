import { getPortfolioAggregates } from "../db/queries/portfolio";
import { runBatch } from "../db/batch";
import { accountDetailStatements, toAccountDetail } from "../db/queries/account-detail";
import { accountSnapshotOf, bookAsOfQuery, getAccountSnapshot, getPortfolioRiskSnapshots } from "../db/queries/risk-inputs";
import type { AccountDetail } from "../contract/accounts";
import { assessRisk } from "../domain/assess-risk";
import { summarisePortfolio, type PortfolioSnapshot } from "../domain/portfolio";
import { recommendPlaybooks, type AccountAssessment } from "../domain/recommend";
import { prioritiseAccounts, type PortfolioAccount } from "../domain/recommend-portfolio";
import type { AccountSnapshot } from "../domain/risk";
import { parseModelDocument } from "../contract/health-models";
import { activeModelRowQuery, getActiveModelRow, requireActiveModel, type HealthModelRow } from "../db/queries/health-models";
import { segmentComponents, type SegmentComponent } from "../domain/health-model";
import { accountFields, type Segment } from "../domain/types";
import type { Database } from "../lib/types";

/**
 * Loads what the decision routes reason about, from D1, and runs the pure rules on it: an account's risk factors and
 * ranked playbooks (POST /actions/recommend, POST /insights/account/{id}), and the portfolio's figures with its
 * accounts at risk (POST /insights/portfolio).
 */

/**
 * The active model's components as they score a segment, when the active model is a document; null under model 1,
 * whose five components the rules know (its snapshots then stay as they were before models, and so do their insights).
 */
async function activeModelComponents(db: Database): Promise<((segment: Segment) => SegmentComponent[]) | null> {
  return componentsOfModel(await getActiveModelRow(db));
}

function componentsOfModel(row: HealthModelRow): ((segment: Segment) => SegmentComponent[]) | null {
  if (row.document === null) return null;
  const spec = parseModelDocument(row.document);
  return (segment) => segmentComponents(spec, segment);
}

/** The snapshot with the components of the model that scores it (see activeModelComponents). */
function explainedBy(components: ((segment: Segment) => SegmentComponent[]) | null) {
  return (snapshot: AccountSnapshot): AccountSnapshot =>
    components ? { ...snapshot, model_components: components(snapshot.segment) } : snapshot;
}

function assess(account: AccountSnapshot): AccountAssessment {
  const riskFactors = assessRisk(account);
  return { account, risk_factors: riskFactors, recommendations: recommendPlaybooks(account, riskFactors) };
}

/** Null when there is no such account. */
export async function assessAccount(db: Database, id: number): Promise<AccountAssessment | null> {
  const [snapshot, components] = await Promise.all([getAccountSnapshot(db, id), activeModelComponents(db)]);
  return snapshot ? assess(explainedBy(components)(snapshot)) : null;
}

/**
 * An account's detail (GET /accounts/{id}, stale mark against `healthFingerprint`) with its risk factors and
 * playbooks (POST /actions/recommend), in one batch with the book's latest date and the active model: the console's
 * account page. Null when there is no such account.
 */
export async function getAssessedAccount(
  db: Database,
  id: number,
  healthFingerprint: string,
): Promise<{ detail: AccountDetail; assessment: AccountAssessment } | null> {
  const [row, history, events, changes, aliases, asOf, model] = await runBatch(db, [
    ...accountDetailStatements(db, id, healthFingerprint),
    bookAsOfQuery(db),
    activeModelRowQuery(db),
  ]);
  const detail = await toAccountDetail(db, [row, history, events, changes, aliases]);
  if (!detail) return null;
  const components = componentsOfModel(requireActiveModel(model));
  return { detail, assessment: assess(explainedBy(components)(accountSnapshotOf(detail, asOf?.as_of ?? null))) };
}

function toPortfolioAccount(snapshot: AccountSnapshot): PortfolioAccount {
  return { id: snapshot.id, ...accountFields(snapshot), risk_factors: assessRisk(snapshot) };
}

/**
 * The /portfolio/summary figures, the biggest At-Risk and Critical accounts with their risk factors (biggest ARR
 * first), and the biggest Healthy accounts that are growing.
 */
export async function assessPortfolio(db: Database): Promise<PortfolioSnapshot> {
  const [aggregates, snapshots, components] = await Promise.all([
    getPortfolioAggregates(db),
    getPortfolioRiskSnapshots(db),
    activeModelComponents(db),
  ]);
  const figures = summarisePortfolio(aggregates.totals, aggregates.segments, aggregates.regions);
  const accounts = snapshots.map(explainedBy(components)).map(toPortfolioAccount);
  return {
    total_accounts: figures.total_accounts,
    total_arr: figures.total_arr,
    arr_by_bucket: figures.arr_by_bucket,
    risk_breakdown: figures.risk_breakdown,
    avg_health_score: figures.avg_health_score,
    arr_at_risk: figures.arr_at_risk,
    arr_trend_30d: figures.arr_trend_30d,
    arr_trend_90d: figures.arr_trend_90d,
    by_segment: figures.by_segment,
    by_region: figures.by_region,
    trend_counts: figures.trend_counts,
    as_of_date: figures.as_of_date,
    at_risk_accounts: figures.accounts_by_bucket["At-Risk"] + figures.accounts_by_bucket.Critical,
    accounts_at_risk: prioritiseAccounts(accounts),
    growing_accounts: accounts.filter(
      (account) =>
        account.health_bucket === "Healthy" && account.risk_factors.some((factor) => factor.kind === "positive"),
    ),
  };
}
