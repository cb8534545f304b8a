import { knownFiguresOf, type KnownFigure } from "../domain/written-figures";
import { accountPromptData } from "./prompt";
import type { AccountInsightInput } from "./provider";

/**
 * The figures an account insight may state: those of the data its model was given (the prompt's DATA), and the scale
 * every score is on ("76.1/100"). The checks between a model and the user read an answer's figures against these.
 */
export function accountInsightFigures(input: AccountInsightInput): KnownFigure[] {
  return [...knownFiguresOf(accountPromptData(input)), { label: "the health score's scale", value: 100, kind: "number" }];
}
