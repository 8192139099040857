// Public door of the detectors' shared engine: slots and windows on the local clock, Welford
// baselines with a memory cap, the alert rule, training, window checks, the resilient server link.
export { GRANULARITIES, GRANULARITY_NAMES, type Granularity, type GranularityName } from './granularity.js';
export { SlotClock, type SlotShare } from './slotclock.js';
export { addObservation, standardDeviation, NO_MOMENTS, type Moments } from './welford.js';
export { SlotTable, SLOT_ENTRY_BYTES } from './slottable.js';
export { BaselineStore, UNKNOWN, type Expectation, type EvictionNotice, type BaselineStoreOptions } from './baselinestore.js';
export { judge, NO_DEVIATION_K, type AlertRule, type Direction, type Verdict } from './judge.js';
export { windowEnding, liveStart, trainingChunks, type EvalWindow, type LiveStart, type TrainingChunk } from './windowplan.js';
export { STAT_PATH, rankingParams, readRanking, entityKey, keyCells, NO_COUNTS, type RankingSpec, type Ranking, type RankedEntity, type AuxCounts } from './ranking.js';
export { learnHistory, type HistoryLessons, type TrainingResult } from './learnhistory.js';
export { train, trainBaselines, type TrainingRequest, type BaselinesRequest } from './training.js';
export type { BaselineTrack, TrackNaming } from './baselinetrack.js';
export { Baselines, type BaselinesOptions } from './baselines.js';
export { checkWindow } from './checkwindow.js';
export { slotCadence, fixedCadence, MAX_BACKLOG_MS, type WindowCadence, type WindowSpan } from './windowcadence.js';
export { runWindows, type WindowOutcome, type WindowLoopOptions, type WindowLoopReport } from './windowloop.js';
export { runTrainedWindows, type TrainedWindowSteps } from './runtrainedwindows.js';
export { runEngine, type EngineSettings, type EngineParts, type EngineReport } from './runengine.js';
export { isDetectorRunner, type DetectorRunner } from './detectorrunner.js';
export { runFixedWindows, type FixedWindowRunSettings } from './runfixedwindows.js';
export { clockFloor } from './clockfloor.js';
export type { FixedWindow, FixedWindowDetector, WindowSchedule } from './fixedwindowdetector.js';
export { ServerLink, type ServerLinkOptions } from './serverlink.js';
export { SYSTEM_CLOCK, type Clock } from './clock.js';
export { Notices } from './notices.js';
export { Stopped, stopReason } from './stopped.js';
export type { ApiLink } from './apilink.js';
export type { Detector, DetectorContext, Finding, WindowCheck } from './detector.js';
