// Public door of what every opentraq command shares (the query tools here, the detectors in
// packages/nbi): FlowTraq-style parameters, the API client, output helpers and exit codes.
export { EXIT, CliError, UsageError, AuthFailure, ConnectFailure, RuntimeFailure, Interrupted, type ExitCode, type CliErrorCode, type UsageErrorCode, type FailureCode, type AuthFailureCode } from './clierror.js';
export { flagOf, type OptionDef, type OptionKind, type OptionGroup } from './optiondef.js';
export { SHARED_OPTIONS, sharedOptions, CONNECTION_OPTIONS, SELECTION_OPTIONS, DEFAULT_SERVER, DEFAULT_PORT, type SharedOptionName } from './sharedoptions.js';
export { SHARED_RULES, type ToolSpec, type OptionRule, type Example } from './toolspec.js';
export { parseCommandLine } from './parsecommandline.js';
export { ParsedOptions, type GivenOption } from './parsedoptions.js';
export { renderHelp } from './helptext.js';
export { runTool, exitWhenFlushed, type ToolContext, type RunStreams } from './runtool.js';
export { readServerAddress, envValue, type ServerAddress, type Environment } from './serveraddress.js';
export { readLoginPlan, type LoginPlan } from './loginplan.js';
export { readConnection, connect, type ConnectionPlan } from './connection.js';
export { ApiClient, type LoginOptions, type RequestOptions, type HttpMethod } from './apiclient.js';
export { canPrompt, promptHidden, promptPassword, type PromptStreams } from './promptpassword.js';
export { readTimeFrame, epochParam, type RequestedFrame } from './readtimeframe.js';
export { readSelection, filterUsageError, type Selection } from './readselection.js';
export { EXPORT_FORMAT_NAMES, exportFormatFilter } from './exportformat.js';
export { readWholeNumber } from './readwholenumber.js';
export { AUX_COLUMNS, firstSliceColumn, statAnswerProblem, type StatAnswer, type StatCell, type StatSummary } from './statanswer.js';
export { Output, OutputClosed } from './output.js';
export { lineBatches } from './linebatches.js';
export { colourWanted, styleFor, PLAIN_STYLE, type Style } from './style.js';
export { TextTable, type TableColumn } from './texttable.js';
export { formatBytes, formatBits, formatCount, formatPercent } from './humanscale.js';
export { startProgress, type Progress } from './progress.js';
export { didYouMean, nearestNames } from './didyoumean.js';
export { cliVersion } from './version.js';
