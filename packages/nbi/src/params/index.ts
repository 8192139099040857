// Public door of the detectors' parameters: the option definitions of nbi.md and their readers,
// for the detectors here and those of later slices (ftbfg, ftscan, ftth, ftbl).
export * from './detectoroptions.js';
export * from './specparts.js';
export { readDecimal } from './readdecimal.js';
export { readBaselineSettings, type BaselineSettings } from './readenginesettings.js';
export { readOutputSettings, type OutputSettings } from './readoutputsettings.js';
export { readWindowSchedule, intervalOption } from './readwindowschedule.js';
