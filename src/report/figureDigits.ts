/** Misclassified digits: a grid of test images captioned "actual A / predicted P", as plain SVG -> PNG. */
import type { ResultPayload } from '../result/types.js';
import { FigureError } from './figureError.js';
import { FONT_FAMILY, renderPng, type RenderOptions } from './figurePng.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const SCALE = 5; // screen pixels per image pixel
const TILE = SIDE * SCALE;
const CELL_W = 190;
const CELL_H = TILE + 40;
const COLUMNS = 5;
const MARGIN = 24;
const HEADER = 84;

export async function renderMisclassifiedFigure(
  result: ResultPayload,
  testImages: Uint8Array,
  count: number,
  options: RenderOptions = {},
): Promise<Buffer> {
  return renderPng(buildMisclassifiedSvg(result, testImages, count), options);
}

/** Pure: the SVG of the first `count` misclassified test images (one rect per non-black pixel, crisp edges). */
export function buildMisclassifiedSvg(result: ResultPayload, testImages: Uint8Array, count: number): string {
  const { misclassified, testSize } = result;
  const samples = misclassified.samples.slice(0, Math.max(0, count));
  for (const s of samples) checkIndex(result, s.index, testImages);
  const columns = Math.max(1, Math.min(COLUMNS, samples.length));
  const rows = Math.ceil(samples.length / columns);
  const width = Math.max(2 * MARGIN + columns * CELL_W, 720);
  const height = HEADER + Math.max(rows, 1) * CELL_H + MARGIN;
  const shown = samples.length < misclassified.count ? `; the first ${samples.length} shown` : '';
  const subtitle = `${misclassified.count} of ${testSize} test images misclassified at epoch ${misclassified.epoch}${shown}`;
  const tiles = samples.map((s, k) => {
    const x = MARGIN + (k % columns) * CELL_W;
    const y = HEADER + Math.floor(k / columns) * CELL_H;
    return tile(testImages, s.index, x + (CELL_W - TILE) / 2, y) +
      `<text x="${x + CELL_W / 2}" y="${y + TILE + 22}" text-anchor="middle" font-size="14" fill="#222222">` +
      `actual ${s.actual} / <tspan fill="#c0392b" font-weight="bold">predicted ${s.predicted}</tspan></text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 18}" font-size="20" font-weight="bold" fill="#000000">${escapeXml(result.title)}: misclassified test digits</text>`,
    `<text x="${MARGIN}" y="${MARGIN + 44}" font-size="14" fill="#444444">${escapeXml(subtitle)}</text>`,
    ...tiles,
    '</svg>',
  ].join('\n');
}

function tile(images: Uint8Array, index: number, x0: number, y0: number): string {
  const rects = [`<rect x="${x0}" y="${y0}" width="${TILE}" height="${TILE}" fill="#000000"/>`];
  const base = index * PIXELS;
  for (let p = 0; p < PIXELS; p++) {
    const v = images[base + p];
    if (v === 0) continue;
    const hex = v.toString(16).padStart(2, '0');
    rects.push(`<rect x="${x0 + (p % SIDE) * SCALE}" y="${y0 + Math.floor(p / SIDE) * SCALE}" width="${SCALE}" height="${SCALE}" fill="#${hex}${hex}${hex}"/>`);
  }
  return `<g shape-rendering="crispEdges">${rects.join('')}</g>`;
}

function checkIndex(result: ResultPayload, index: number, images: Uint8Array): void {
  if (Number.isInteger(index) && index >= 0 && (index + 1) * PIXELS <= images.length) return;
  const have = Math.floor(images.length / PIXELS);
  const issue = {
    pointer: '',
    message: `misclassified figure "${result.name}": sample index ${index} is outside the test images (${have} images of 28x28)`,
    fix: 'pass the raw test-set pixels the result was evaluated on (N*784 bytes, test-set order)',
  };
  throw new FigureError('FIGURE_BAD_INPUT', null, [issue]);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
