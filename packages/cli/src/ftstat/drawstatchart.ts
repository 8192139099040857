// ftstat -g: a ranking with slices drawn as the stacked chart and written to the file -g names. Its
// own module so that the chart code (SVG, resvg) is loaded only by runs that draw one.

import { renderChartSvg } from '../chart/renderchartsvg.js';
import { writeChart } from '../chart/writechart.js';
import { RuntimeFailure } from '../common/clierror.js';
import type { StatAnswer } from '../common/statanswer.js';
import type { StatRequest } from './readstatrequest.js';
import { statChart } from './statchart.js';

export async function drawStatChart(answer: StatAnswer, req: StatRequest): Promise<void> {
  const chart = req.chart;
  if (chart === undefined) return;
  if (answer.series === undefined) throw new RuntimeFailure('BAD_ANSWER', 'the server answered the ranking for the chart without its slices');
  await writeChart(chart.file, renderChartSvg(statChart(answer, req), { width: chart.width, height: chart.height }), chart.format);
}
