// Public door of the charts ftstat draws with -g: a stacked chart described as data, drawn once as
// SVG, and written as .svg, .png or .tga.

export { MAX_LAYERS, type ChartLayer, type ChartSize, type StackedChart } from './stackedchart.js';
export { renderChartSvg } from './renderchartsvg.js';
export { durationText } from './durationtext.js';
export { valueAxis, type ValueAxis, type ValueUnit } from './valueaxis.js';
export { timeAxis, type TimeAxis, type TimeTick } from './timeaxis.js';
export { textWidth, fitText } from './textwidth.js';
export { SERIES_COLOURS, OTHER_COLOUR, BACKGROUND } from './palette.js';
export { encodeTga, TGA_HEADER_BYTES } from './encodetga.js';
export { rasterizeSvg, chartFontFiles, type Raster } from './rasterizesvg.js';
export { encodeChart, writeChart, type ChartFormat } from './writechart.js';
