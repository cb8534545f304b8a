import { capitalise } from "./format";
import type { NpsSource } from "./health";
import { configuredModelSpec, segmentComponents, type SegmentComponent } from "./health-model";
import { DEFAULT_HEALTH_CONFIG } from "./health";
import type { AccountSummary, ComponentPoints, DailyMetrics, Trend } from "./types";

/**
 * What a risk factor is: its id, readable label, severity and the evidence that raised it, and the
 * order factors are listed in. The rules that raise them are in risk-usage-rules.ts and risk-account-rules.ts;
 * assess-risk.ts runs them all.
 */

export const RISK_FACTOR_IDS = [
  "renewal_risk",
  "declining_health",
  "low_engagement",
  "low_adoption",
  "high_support_load",
  "low_nps",
  "low_login_frequency",
  "data_quality",
  "positive_signals",
] as const;
export type RiskFactorId = (typeof RISK_FACTOR_IDS)[number];

/** The readable string of each factor: what the v1 API's `risk_factors: [string]` carries. */
export const RISK_FACTOR_LABELS: Record<RiskFactorId, string> = {
  renewal_risk: "Renewal at risk",
  declining_health: "Declining health score",
  low_engagement: "Low user engagement",
  low_adoption: "Low feature adoption",
  high_support_load: "High support ticket volume",
  low_nps: "Low or falling NPS",
  low_login_frequency: "Low login frequency",
  data_quality: "Incomplete or stale data",
  positive_signals: "Healthy and growing",
};

export const SEVERITIES = ["high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Sort key of a severity: the most severe first. */
export const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export interface RiskEvidence {
  /** The metric compared, e.g. `feature_adoption_rate` or `health_score_change_30d`. */
  metric: string;
  value: number | string | null;
  threshold: number | string | null;
}

export interface RiskFactor {
  id: RiskFactorId;
  label: string;
  /** `risk` lowers the outlook; `positive` (healthy and growing) is the opposite, listed so playbooks can build on it. */
  kind: "risk" | "positive";
  severity: Severity;
  /** One sentence quoting the figures. */
  detail: string;
  evidence: RiskEvidence[];
}

/** Everything the risk rules read about one account; plain values built from D1 by the caller. */
export interface AccountSnapshot extends AccountSummary {
  health_components: ComponentPoints | null;
  /**
   * The components of the model that scores the account, as they score its segment; absent under model 1, whose
   * five components the rules know (so its snapshots, and the insights cached for them, are as before models).
   */
  model_components?: readonly SegmentComponent[];
  nps_source: NpsSource | null;
  trend_30d: Trend | null;
  trend_60d: Trend | null;
  trend_90d: Trend | null;
  latest_metric_date: string | null;
  /** The contract's renewal date (YYYY-MM-DD) from the CSV; null when unknown. */
  renewal_date: string | null;
  /** The account's owner (CSM) from the CSV; null when unknown. */
  owner: string | null;
  /** The last 90 days of metrics, ascending by date; may hold a single day, or none for an account never scored. */
  metrics: DailyMetrics[];
  /**
   * The portfolio's latest metric date: staleness and the days to the renewal are measured against it rather than
   * today, so a historical upload does not make every account look stale, and the same data always gives the same
   * factors (on a daily feed it is yesterday or today).
   */
  as_of: string | null;
}

/**
 * The evidence metric of a renewal date within RENEWAL_WINDOW_DAYS of the data's latest date on an account that is not
 * Healthy (the renewal-risk rule raises it; the recommendations rank the renewal playbook first on it).
 */
export const DAYS_TO_RENEWAL_METRIC = "days_to_renewal";

/** Whether the factors hold a renewal risk raised by an imminent renewal date (see DAYS_TO_RENEWAL_METRIC). */
export function hasImminentRenewal(factors: readonly RiskFactor[]): boolean {
  return factors.some(
    (factor) => factor.id === "renewal_risk" && factor.evidence.some((item) => item.metric === DAYS_TO_RENEWAL_METRIC),
  );
}

export function riskFactor(id: RiskFactorId, severity: Severity, detail: string, evidence: RiskEvidence[]): RiskFactor {
  return {
    id,
    label: RISK_FACTOR_LABELS[id],
    kind: id === "positive_signals" ? "positive" : "risk",
    severity,
    detail,
    evidence,
  };
}

function mostSevere(severities: readonly Severity[]): Severity {
  return [...severities].sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b])[0] ?? "low";
}

/** What a rule found for one factor: each finding adds a severity, its evidence and a phrase of the detail sentence. */
export class Findings {
  private readonly severities: Severity[] = [];
  readonly evidence: RiskEvidence[] = [];
  readonly parts: string[] = [];

  add(severity: Severity, evidence: RiskEvidence | readonly RiskEvidence[], part: string): void {
    this.severities.push(severity);
    this.evidence.push(...(Array.isArray(evidence) ? evidence : [evidence]));
    this.parts.push(part);
  }

  /** The factor at the severity of its most severe finding, its phrases as one sentence; null without findings. */
  factor(id: RiskFactorId): RiskFactor | null {
    if (this.severities.length === 0) return null;
    return riskFactor(id, mostSevere(this.severities), capitalise(`${this.parts.join("; ")}.`), this.evidence);
  }
}

/** The order factors are listed in: risks before the positive signal, most severe first, then RISK_FACTOR_IDS order. */
export function compareRiskFactors(a: RiskFactor, b: RiskFactor): number {
  return (
    Number(a.kind === "positive") - Number(b.kind === "positive") ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    RISK_FACTOR_IDS.indexOf(a.id) - RISK_FACTOR_IDS.indexOf(b.id)
  );
}

/** The readable strings of the risks (not the positive signal), as the v1 API's `risk_factors: [string]`. */
export function riskLabels(factors: readonly RiskFactor[]): string[] {
  return factors.filter((item) => item.kind === "risk").map((item) => item.label);
}

/**
 * The components the account's score is made of, for its segment: the snapshot's model's, else model 1's (whose
 * weights and NPS scale do not depend on the configuration; its DAU benchmark does, and no rule reads it).
 */
export function explainedComponents(snapshot: Pick<AccountSnapshot, "model_components" | "segment">): readonly SegmentComponent[] {
  return snapshot.model_components ?? segmentComponents(configuredModelSpec(DEFAULT_HEALTH_CONFIG), snapshot.segment);
}

/** The first component that scores `measure`, with the account's points for it; null when none does or it had no data. */
export function scoredComponent(
  snapshot: Pick<AccountSnapshot, "model_components" | "segment" | "health_components">,
  measure: string,
): { component: SegmentComponent; points: number } | null {
  const component = explainedComponents(snapshot).find((candidate) => candidate.measure === measure);
  const points = component ? snapshot.health_components?.[component.key] : undefined;
  return component && points !== undefined && points !== null ? { component, points } : null;
}
