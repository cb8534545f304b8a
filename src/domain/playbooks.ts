import { RISK_FACTOR_LABELS, type RiskFactorId } from "./risk";

/**
 * The playbook library: ten playbooks, ids 1-10 in the v1 API's order, with its fields and
 * ours (slug, owner role, duration, expected outcome, the risk factors each addresses). Data lives in code, typed.
 */

export const PLAYBOOK_PRIORITIES = ["High", "Medium", "Low"] as const;
export type PlaybookPriority = (typeof PLAYBOOK_PRIORITIES)[number];

export interface Playbook {
  id: number;
  title: string;
  description: string;
  category: string;
  priority: PlaybookPriority;
  estimated_effort: string;
  /** Readable labels of the risk factors it addresses (the v1 API's field). */
  risk_factors: string[];
  steps: string[];
  slug: string;
  owner_role: string;
  duration_days: number;
  expected_outcome: string;
  /** The ids of the risk factors it addresses, strongest fit first. */
  risk_factor_ids: RiskFactorId[];
  /** Whether a bigger contract makes it more urgent (executive attention, renewal work). */
  arr_sensitive: boolean;
}

type PlaybookDefinition = Omit<Playbook, "risk_factors">;

const DEFINITIONS: PlaybookDefinition[] = [
  {
    id: 1,
    slug: "executive-business-review",
    title: "Executive Business Review (EBR)",
    description:
      "Meet the customer's executive sponsor to review the value delivered against their goals, surface concerns early and agree on the outcomes for the next period.",
    category: "Relationship",
    priority: "High",
    estimated_effort: "1-2 weeks",
    duration_days: 14,
    owner_role: "Customer Success Manager with an executive sponsor",
    expected_outcome: "Executive alignment on goals and a jointly owned success plan",
    risk_factor_ids: ["declining_health", "renewal_risk", "low_nps"],
    arr_sensitive: true,
    steps: [
      "Gather usage, health trend and ROI figures for the review period",
      "Schedule the review with the customer's executive sponsor and decision makers",
      "Present value delivered, open issues and the product roadmap",
      "Agree on three measurable outcomes for the next quarter",
      "Send a written summary with owners and dates within two days",
    ],
  },
  {
    id: 2,
    slug: "feature-adoption-campaign",
    title: "Feature Adoption Campaign",
    description:
      "A targeted campaign that drives the use of the features the account pays for but does not use, through in-app guides, webinars and office hours.",
    category: "Adoption",
    priority: "Medium",
    estimated_effort: "2-4 weeks",
    duration_days: 28,
    owner_role: "Customer Success Manager",
    expected_outcome: "Feature adoption up by 15 percentage points within a month",
    risk_factor_ids: ["low_adoption", "low_engagement"],
    arr_sensitive: false,
    steps: [
      "Identify the unused features that match the customer's use case",
      "Launch in-app guides and a short email series for those features",
      "Run a live webinar with a recorded follow-up",
      "Hold weekly office hours during the campaign",
      "Measure adoption weekly and follow up with teams that lag",
    ],
  },
  {
    id: 3,
    slug: "technical-health-check",
    title: "Technical Health Check",
    description:
      "Review the account's configuration, integrations and open tickets with a solutions engineer to remove the technical causes of friction and support load.",
    category: "Technical",
    priority: "High",
    estimated_effort: "1 week",
    duration_days: 7,
    owner_role: "Solutions Engineer",
    expected_outcome: "Open support tickets halved and root causes documented",
    risk_factor_ids: ["high_support_load", "declining_health"],
    arr_sensitive: false,
    steps: [
      "Cluster the open and recent support tickets by root cause",
      "Audit configuration, permissions and integrations against best practice",
      "Fix or schedule fixes for the top root causes",
      "Review the findings with the customer's technical owner",
      "Re-check ticket volume two weeks later",
    ],
  },
  {
    id: 4,
    slug: "user-training-enablement",
    title: "User Training & Enablement",
    description:
      "Role-based training that gives users the skills and habits to get value from the product on their own, reducing how-to tickets and raising usage.",
    category: "Enablement",
    priority: "Medium",
    estimated_effort: "2-3 weeks",
    duration_days: 21,
    owner_role: "Customer Education Specialist",
    expected_outcome: "Trained users log in more often and open fewer how-to tickets",
    risk_factor_ids: ["low_adoption", "low_login_frequency", "high_support_load"],
    arr_sensitive: false,
    steps: [
      "Map the user roles and the skills each role needs",
      "Schedule role-based training sessions",
      "Share self-serve learning paths and quick-reference guides",
      "Certify power users who can answer their colleagues' questions",
      "Compare logins and how-to tickets before and after training",
    ],
  },
  {
    id: 5,
    slug: "quarterly-success-planning",
    title: "Quarterly Success Planning",
    description:
      "A proactive planning session that turns the customer's business goals for the quarter into milestones, owners and success metrics.",
    category: "Strategic",
    priority: "Medium",
    estimated_effort: "1 week",
    duration_days: 7,
    owner_role: "Customer Success Manager",
    expected_outcome: "A quarterly success plan with measurable milestones and expansion opportunities",
    risk_factor_ids: ["positive_signals", "declining_health"],
    arr_sensitive: false,
    steps: [
      "Review last quarter's outcomes and the health trend with the customer",
      "Capture the customer's business goals for the coming quarter",
      "Translate the goals into milestones, owners and success metrics",
      "Identify expansion opportunities and the stakeholders behind them",
      "Schedule monthly check-ins against the plan",
    ],
  },
  {
    id: 6,
    slug: "champion-user-program",
    title: "Champion User Program",
    description:
      "Recruit and equip internal champions who advocate for the product, drive usage in their teams and give early feedback.",
    category: "Advocacy",
    priority: "Low",
    estimated_effort: "4-6 weeks",
    duration_days: 42,
    owner_role: "Customer Success Manager",
    expected_outcome: "At least three active champions and wider, steadier usage",
    risk_factor_ids: ["positive_signals", "low_engagement", "low_login_frequency"],
    arr_sensitive: false,
    steps: [
      "Identify the most active and influential users",
      "Invite them to the champion program with clear benefits",
      "Give champions early access, training material and a direct line to the product team",
      "Have champions run internal sessions for their teams",
      "Recognise champions and collect case studies and references",
    ],
  },
  {
    id: 7,
    slug: "nps-recovery-plan",
    title: "NPS Recovery Plan",
    description:
      "Close the loop with detractors: understand each complaint, fix what can be fixed quickly and show the customer that their feedback changed something.",
    category: "Relationship",
    priority: "High",
    estimated_effort: "2-3 weeks",
    duration_days: 21,
    owner_role: "Customer Success Manager",
    expected_outcome: "Detractors contacted within a week and NPS back above 20 at the next survey",
    risk_factor_ids: ["low_nps"],
    arr_sensitive: false,
    steps: [
      "Contact every detractor personally within a week",
      "Log each complaint with its root cause",
      "Agree on fixes and timelines with product and support",
      "Report back to the customer on what changed",
      "Re-survey after the fixes land",
    ],
  },
  {
    id: 8,
    slug: "integration-optimization",
    title: "Integration Optimization",
    description:
      "Connect the product to the tools the customer already uses every day, so it becomes part of their workflow instead of a separate destination.",
    category: "Technical",
    priority: "Medium",
    estimated_effort: "2-4 weeks",
    duration_days: 28,
    owner_role: "Solutions Engineer",
    expected_outcome: "Key workflows integrated and daily usage up",
    risk_factor_ids: ["low_login_frequency", "low_engagement", "data_quality"],
    arr_sensitive: false,
    steps: [
      "Map the customer's daily workflows and the tools around them",
      "Identify the missing or underused integrations",
      "Configure the integrations with the customer's technical owner",
      "Automate the recurring data flows and notifications",
      "Measure logins and active users after go-live",
    ],
  },
  {
    id: 9,
    slug: "renewal-risk-mitigation",
    title: "Renewal Risk Mitigation",
    description:
      "A structured save plan for an account whose renewal is in danger: find the blockers, bring in the decision makers and commit to a recovery plan before the renewal date.",
    category: "Retention",
    priority: "High",
    estimated_effort: "2-4 weeks",
    duration_days: 30,
    owner_role: "Account Executive with the Customer Success Manager",
    expected_outcome: "A committed recovery plan and a renewal decision secured",
    risk_factor_ids: ["renewal_risk", "declining_health"],
    arr_sensitive: true,
    steps: [
      "Assess the renewal date, the decision makers and the competitive threats",
      "Identify the blockers to renewal with the customer's stakeholders",
      "Build a recovery plan with executive sponsorship on both sides",
      "Track weekly progress against the plan",
      "Negotiate the renewal terms once the health trend recovers",
    ],
  },
  {
    id: 10,
    slug: "data-quality-improvement",
    title: "Data Quality Improvement",
    description:
      "Restore complete and timely account data (daily metrics, NPS surveys) so health scores and decisions rest on facts.",
    category: "Operations",
    priority: "Low",
    estimated_effort: "1 week",
    duration_days: 7,
    owner_role: "Customer Success Operations",
    expected_outcome: "Daily metrics without gaps and an NPS response every quarter",
    risk_factor_ids: ["data_quality"],
    arr_sensitive: false,
    steps: [
      "List the missing days, missing NPS and late uploads for the account",
      "Fix the data export or upload schedule with the data owner",
      "Schedule the NPS survey for the account's users",
      "Backfill the missing days where the source still has them",
      "Monitor uploads and alert on gaps",
    ],
  },
];

/**
 * The library, ids 1-10, the v1 API's fields first. `risk_factors` is derived from `risk_factor_ids`, so the two
 * never disagree.
 */
export const PLAYBOOKS: readonly Playbook[] = DEFINITIONS.map((definition) => ({
  id: definition.id,
  title: definition.title,
  description: definition.description,
  category: definition.category,
  priority: definition.priority,
  estimated_effort: definition.estimated_effort,
  risk_factors: definition.risk_factor_ids.map((id) => RISK_FACTOR_LABELS[id]),
  steps: definition.steps,
  slug: definition.slug,
  owner_role: definition.owner_role,
  duration_days: definition.duration_days,
  expected_outcome: definition.expected_outcome,
  risk_factor_ids: definition.risk_factor_ids,
  arr_sensitive: definition.arr_sensitive,
}));

export const PLAYBOOK_IDS = PLAYBOOKS.map((playbook) => playbook.id);

export function findPlaybook(id: number): Playbook | undefined {
  return PLAYBOOKS.find((playbook) => playbook.id === id);
}
