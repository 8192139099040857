// Public door of the charts ftstat draws with -g: a stacked chart described as data, laid out for a
// pixel size, drawn once as SVG, and written as .svg, .png or .tga.

export { MAX_LAYERS, type ChartLayer, type ChartSize, type StackedChart } from './stackedchart.js';
export { renderChartSvg } from './renderchartsvg.js';
export { chartLayout, type ChartArea, type ChartLayout } from './chartlayout.js';
export { layoutLegend, type ChartSwatch, type LegendLayout, type LegendSpace } from './legendlayout.js';
export { chartEntries, foldEntries, foldedLabel, type ChartEntry } from './chartentries.js';
export { chartFonts, MIN_FONT_PX, type ChartFonts } from './chartfonts.js';
export { placeText, TEXT_ASCENT, TEXT_DESCENT, type Box, type ChartText, type TextRole, type TextStyle } from './charttext.js';
export { durationText } from './durationtext.js';
export { valueAxis, type ValueAxis, type ValueUnit } from './valueaxis.js';
export { timeAxis, type TimeAxis, type TimeTick } from './timeaxis.js';
export { textWidth, fitText } from './textwidth.js';
export { fitLabel } from './fitlabel.js';
export { SERIES_COLOURS, OTHER_COLOUR, BACKGROUND } from './palette.js';
export { encodeTga, TGA_HEADER_BYTES } from './encodetga.js';
export { rasterizeSvg, chartFontFiles, type Raster } from './rasterizesvg.js';
export { encodeChart, writeChart, type ChartFormat } from './writechart.js';
