// A text of a chart placed on the image: where its baseline starts, how it is anchored and turned,
// and the box its glyphs cover, so that layouts can be checked for clipping and overlaps before drawing.

import { textWidth } from './textwidth.js';

/** How far DejaVu Sans glyphs reach above the baseline (ascenders, capitals, brackets) and below it (descenders), in em. */
export const TEXT_ASCENT = 0.76;
export const TEXT_DESCENT = 0.24;

/** A rectangle in pixels, left ≤ right, top ≤ bottom. */
export interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** What a text is on the chart, so that tests and readers can find it. */
export type TextRole = 'title' | 'subtitle' | 'legend' | 'total' | 'value tick' | 'value title' | 'time tick' | 'date' | 'caption' | 'empty';

export interface ChartText {
  readonly role: TextRole;
  readonly text: string;
  /** The anchor point on the baseline. */
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly anchor: 'start' | 'middle' | 'end';
  readonly bold: boolean;
  readonly colour: string;
  /** Turned a quarter to the left about (x, y), reading upwards: the value axis's title. */
  readonly vertical: boolean;
  readonly box: Box;
}

export interface TextStyle {
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly bold?: boolean;
  readonly vertical?: boolean;
  readonly colour: string;
}

/** `text` at (x, y) in `size` px, with the box its glyphs cover. */
export function placeText(role: TextRole, text: string, x: number, y: number, size: number, style: TextStyle): ChartText {
  const anchor = style.anchor ?? 'start';
  const bold = style.bold ?? false;
  const vertical = style.vertical ?? false;
  const w = textWidth(text, size, bold);
  // the distance from the anchor to where the text starts, along its direction
  const start = anchor === 'start' ? 0 : anchor === 'middle' ? -w / 2 : -w;
  const box: Box = vertical
    ? { left: x - TEXT_ASCENT * size, right: x + TEXT_DESCENT * size, top: y - start - w, bottom: y - start }
    : { left: x + start, right: x + start + w, top: y - TEXT_ASCENT * size, bottom: y + TEXT_DESCENT * size };
  return { role, text, x, y, size, anchor, bold, colour: style.colour, vertical, box };
}
