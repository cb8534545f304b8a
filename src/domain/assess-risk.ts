import { compareRiskFactors, type AccountSnapshot, type RiskFactor } from "./risk";
import { dataQualityRisk, decliningHealthRisk, positiveSignals, renewalRisk } from "./risk-account-rules";
import { adoptionRisk, engagementRisk, loginRisk, npsRisk, recentAverages, supportLoadRisk } from "./risk-usage-rules";

/**
 * Risk factors: computed from an account's current health, components, trends, recent metrics, ARR and
 * data completeness, each with the evidence (metric, value, threshold) that raised it. Pure and deterministic: the
 * same snapshot always gives the same factors in the same order.
 */

/**
 * The account's risk factors, most severe first (ties in the order of RISK_FACTOR_IDS); the positive signal, when
 * present, comes last. An account without metrics has only the data-quality factor.
 */
export function assessRisk(snapshot: AccountSnapshot): RiskFactor[] {
  const metrics = [...snapshot.metrics].sort((a, b) => a.date.localeCompare(b.date));
  const ordered = { ...snapshot, metrics };
  const averages = recentAverages(metrics);
  const found = [
    renewalRisk(ordered),
    decliningHealthRisk(ordered),
    engagementRisk(ordered),
    adoptionRisk(averages),
    supportLoadRisk(averages),
    npsRisk(ordered),
    loginRisk(averages),
    dataQualityRisk(ordered),
    positiveSignals(ordered),
  ].filter((item): item is RiskFactor => item !== null);
  return found.sort(compareRiskFactors);
}
