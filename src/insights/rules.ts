import type { AccountInsightInput, InsightProvider, PortfolioInsightInput } from "./provider";
import { rulesAccountInsight } from "./rules-account";
import { rulesPortfolioInsight } from "./rules-portfolio";
import type { AccountInsight, PortfolioInsight } from "./schema";

/**
 * The deterministic provider: no network, the same input always gives the same text. It writes from the computed
 * figures only and ties each of its 3 actions to one of the top recommended playbooks. Every other provider falls
 * back to it.
 */

export class RulesProvider implements InsightProvider {
  readonly source = "rules" as const;
  readonly model = null;

  async accountInsight(input: AccountInsightInput): Promise<AccountInsight> {
    return rulesAccountInsight(input);
  }

  async portfolioInsight(input: PortfolioInsightInput): Promise<PortfolioInsight> {
    return rulesPortfolioInsight(input);
  }
}
