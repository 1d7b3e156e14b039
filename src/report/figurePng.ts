/** SVG -> PNG through resvg with the DejaVu font files only, so the same SVG gives the same bytes anywhere. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg, renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import { FigureError } from './figureError.js';
import { packageDir } from '../util/packages.js';

export const FONT_FAMILY = 'DejaVu Sans';

export interface RenderOptions {
  /** font files to load instead of dejavu-fonts-ttf's DejaVuSans.ttf + DejaVuSans-Bold.ttf */
  fontFiles?: string[];
}

const FONT_FIX = 'run `npm ci` (the dejavu-fonts-ttf package provides ttf/DejaVuSans.ttf and ttf/DejaVuSans-Bold.ttf)';
const PROBE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><text x="4" y="22" font-size="16" font-family="${FONT_FAMILY}">Ag 7</text></svg>`;
const checkedFonts = new Set<string>();

function resolveFontFiles(): string[] {
  let dir: string;
  try {
    dir = join(packageDir('dejavu-fonts-ttf'), 'ttf');
  } catch (cause) {
    throw new FigureError('FIGURE_FONT_MISSING', 'dejavu-fonts-ttf', [{ pointer: '', message: 'the font package is not installed', fix: FONT_FIX }], { cause });
  }
  return [join(dir, 'DejaVuSans.ttf'), join(dir, 'DejaVuSans-Bold.ttf')];
}

/** resvg silently draws no text when a font file is absent or unreadable, so check each file draws glyphs. */
function assertFontFiles(files: string[]): void {
  if (files.length === 0) throw new FigureError('FIGURE_FONT_MISSING', null, [{ pointer: '', message: 'no font files given', fix: FONT_FIX }]);
  for (const file of files) {
    if (checkedFonts.has(file)) continue;
    if (!existsSync(file)) throw new FigureError('FIGURE_FONT_MISSING', file, [{ pointer: '', message: 'font file not found', fix: FONT_FIX }]);
    const drawn = new Resvg(PROBE_SVG, resvgOptions([file])).getBBox();
    if (!drawn) throw new FigureError('FIGURE_FONT_UNUSABLE', file, [{ pointer: '', message: 'resvg draws no text with this font file (not a TrueType font?)', fix: FONT_FIX }]);
    checkedFonts.add(file);
  }
}

export async function renderPng(svg: string, options: RenderOptions = {}): Promise<Buffer> {
  const files = options.fontFiles ?? resolveFontFiles();
  assertFontFiles(files);
  const image = await renderAsync(svg, resvgOptions(files));
  return image.asPng();
}

function resvgOptions(fontFiles: string[]): ResvgRenderOptions {
  return {
    background: 'white',
    fitTo: { mode: 'original' },
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    logLevel: 'off',
  };
}
