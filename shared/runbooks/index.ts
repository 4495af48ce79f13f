// Runbooks: the parser, the built-ins, moving through a walk's flowchart, and suggestions.
export { builtinRunbooks, builtinSource, BUILTIN_SOURCES } from './builtin/index.js';
export { FINDING_IDS, type FindingId } from './finding-ids.js';
export { findingRunbookStep, type RunbookStepRef } from './finding-steps.js';
export {
  ChoiceError,
  choicesAt,
  labelTitle,
  matchChoice,
  nodeOf,
  pathTo,
  reachable,
  shortLabel,
} from './graph.js';
export { cleanLabel, FlowchartError, isFlowchart, parseFlowchart, type Flowchart } from './mermaid.js';
export { parseAction, parseDuration, parseRunbook, RunbookError, type ParseOptions } from './parse.js';
export * from './schemas.js';
export { suggestChoices, type FindingEvidence } from './suggest.js';
