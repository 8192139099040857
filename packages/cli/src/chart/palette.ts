// The colours of a chart: one per top row, distinct on screen and in print (Tableau's ten, with a
// darker grey in place of its light one), and a light grey for "other", which sits on top of the stack.

export const SERIES_COLOURS: readonly string[] = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#6b6b6b'];
export const OTHER_COLOUR = '#cfcfcf';
export const BACKGROUND = '#ffffff';
export const TEXT_COLOUR = '#222222';
export const MUTED_TEXT = '#555555';
export const GRID_COLOUR = '#e6e6e6';
export const AXIS_COLOUR = '#444444';
