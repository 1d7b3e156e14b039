/** The network as data: layer kinds, their defaults, and shape inference. Pure (no tensors):
 * the spec loader validates with it, the model builds from its output. */

export type NormType = 'batch' | 'layer' | 'group';

export type Layer =
  | { type: 'conv'; filters: number; kernel: number; padding: 'valid' | 'same'; bias: boolean }
  | { type: 'dense'; units: number; bias: boolean }
  | { type: 'relu' }
  | { type: 'norm'; kind: NormType; groups: number }
  | { type: 'dropout'; p: number }
  | { type: 'maxPool'; size: number }
  | { type: 'avgPool'; size: number }
  | { type: 'globalAvgPool' }
  | { type: 'flatten' }
  | { type: 'logSoftmax' };
type LayerType = Layer['type'];

/** Fields each kind takes (the schema admits their union; this says which belong where). */
const LAYER_FIELDS: Record<LayerType, string[]> = {
  conv: ['filters', 'kernel', 'padding', 'bias'],
  dense: ['units', 'bias'],
  relu: [],
  norm: ['kind', 'groups'],
  dropout: ['p'],
  maxPool: ['size'],
  avgPool: ['size'],
  globalAvgPool: [],
  flatten: [],
  logSoftmax: [],
};

/** Height, width, channels of one sample. */
export interface Shape { h: number; w: number; c: number }

/** A problem found at layer `index` (field '' = the layer as a whole; index -1 = the list). */
export interface LayerProblem { index: number; field: string; message: string; fix: string }

export interface ModelDefaults { norm?: NormType; groups?: number; firstBlockGroups?: number; dropout: number }

type Raw = Record<string, unknown>;

/** Fills each layer's unstated fields: conv kernel 3, 'valid', no bias; dense with bias; norm of the
 * spec's kind, GroupNorm groups from model.firstBlockGroups (first norm layer) or model.groups;
 * dropout p from model.dropout; pools of size 2. */
export function resolveLayers(raw: Raw[], d: ModelDefaults): { layers: Layer[]; problems: LayerProblem[] } {
  const problems: LayerProblem[] = [];
  let normsSeen = 0;
  const layers = raw.map((l, i): Layer => {
    const type = l.type as LayerType;
    for (const k of Object.keys(l))
      if (k !== 'type' && !LAYER_FIELDS[type].includes(k))
        problems.push({ index: i, field: k, message: `'${k}' does not apply to a ${type} layer`, fix: LAYER_FIELDS[type].length ? `remove it; a ${type} layer takes ${LAYER_FIELDS[type].join(', ')}` : `remove it; a ${type} layer takes no fields` });
    switch (type) {
      case 'conv':
        if (l.filters === undefined) problems.push({ index: i, field: 'filters', message: "a conv layer needs 'filters'", fix: 'add "filters": N (output channels)' });
        return { type, filters: l.filters as number, kernel: (l.kernel as number) ?? 3, padding: (l.padding as 'valid' | 'same') ?? 'valid', bias: (l.bias as boolean) ?? false };
      case 'dense':
        if (l.units === undefined) problems.push({ index: i, field: 'units', message: "a dense layer needs 'units'", fix: 'add "units": N' });
        return { type, units: l.units as number, bias: (l.bias as boolean) ?? true };
      case 'norm': {
        const first = normsSeen++ === 0;
        const kind = (l.kind as NormType) ?? d.norm;
        if (kind === undefined) problems.push({ index: i, field: 'kind', message: 'norm layer without a kind, and the spec sets no /model/norm', fix: 'set /model/norm or this layer\'s "kind": "batch", "layer" or "group"' });
        if (l.groups !== undefined && kind !== 'group') problems.push({ index: i, field: 'groups', message: `'groups' only applies to group norm (this layer is ${kind})`, fix: 'remove groups, or set "kind": "group"' });
        const groups = kind === 'group' ? (l.groups as number) ?? (first ? d.firstBlockGroups ?? d.groups : d.groups) ?? 1 : 1;
        return { type, kind, groups };
      }
      case 'dropout': return { type, p: (l.p as number) ?? d.dropout };
      case 'maxPool': case 'avgPool': return { type, size: (l.size as number) ?? 2 };
      default: return { type } as Layer;
    }
  });
  return { layers, problems };
}

const fmt = (s: Shape) => `${s.h}x${s.w}x${s.c}`;

/** Walks the list once: the output shape after every layer, or the problems with the shape at that
 * point. `input` is one image (h x w x 1); the last layer must be logSoftmax over `classes`. */
export function inferShapes(layers: Layer[], input: Shape, classes: number): { shapes: Shape[]; problems: LayerProblem[] } {
  const problems: LayerProblem[] = [];
  const shapes: Shape[] = [];
  let s = input;
  let lastParam = -1;
  const bad = (index: number, field: string, message: string, fix: string) => problems.push({ index, field, message, fix });
  for (let i = 0; i < layers.length && !problems.length; i++) {
    const l = layers[i];
    const at = `input ${fmt(s)}`;
    switch (l.type) {
      case 'conv': {
        const pad = l.padding === 'same' ? l.kernel - 1 : 0;
        const h = s.h + pad - l.kernel + 1;
        const w = s.w + pad - l.kernel + 1;
        if (h < 1 || w < 1) bad(i, 'kernel', `spatial size falls below 1: a ${l.kernel}x${l.kernel} '${l.padding}' conv on ${at} gives ${h}x${w}`, 'use "padding": "same", a smaller kernel, or fewer pooling layers before it');
        s = { h, w, c: l.filters };
        lastParam = i;
        break;
      }
      case 'dense':
        if (s.h !== 1 || s.w !== 1) bad(i, '', `a dense layer needs a 1x1 input, got ${at}`, 'put a flatten or globalAvgPool layer before it');
        s = { h: 1, w: 1, c: l.units };
        lastParam = i;
        break;
      case 'norm':
        if (l.kind === 'group' && s.c % l.groups !== 0)
          bad(i, 'groups', `${l.groups} groups do not divide the ${s.c} channels of /model/layers/${i} (${at})`, `use a divisor of ${s.c}: ${divisors(s.c).join(', ')}`);
        break;
      case 'maxPool': case 'avgPool': {
        const h = Math.floor(s.h / l.size);
        const w = Math.floor(s.w / l.size);
        if (h < 1 || w < 1) bad(i, 'size', `spatial size falls below 1: a ${l.size}x${l.size} ${l.type} on ${at} gives ${h}x${w}`, 'remove this pooling layer or use a smaller size');
        s = { h, w, c: s.c };
        break;
      }
      case 'globalAvgPool': s = { h: 1, w: 1, c: s.c }; break;
      case 'flatten': s = { h: 1, w: 1, c: s.h * s.w * s.c }; break;
      case 'logSoftmax':
        if (i !== layers.length - 1) bad(i, '', 'logSoftmax must be the last layer', 'move it to the end of the list');
        else if (s.h !== 1 || s.w !== 1) bad(i, '', `logSoftmax needs a 1x1 input (one score per class), got ${at}`, 'put globalAvgPool (or flatten and dense) before the classifier');
        else if (s.c !== classes) {
          const p = layers[lastParam];
          bad(lastParam < 0 ? i : lastParam, p?.type === 'conv' ? 'filters' : p?.type === 'dense' ? 'units' : '',
            `the network outputs ${s.c} scores, the dataset has ${classes} classes`, `give the last conv or dense layer ${classes} outputs`);
        }
        break;
      default: break; // relu, dropout: shape unchanged
    }
    shapes.push(s);
  }
  if (!problems.length) {
    if (!layers.some((l) => l.type === 'conv' || l.type === 'dense')) bad(-1, '', 'the network has no conv or dense layer (nothing to train)', 'add at least one conv or dense layer');
    else if (layers[layers.length - 1]?.type !== 'logSoftmax') bad(-1, '', 'the network must end with a logSoftmax layer (the loss is NLL of log-probabilities)', 'append { "type": "logSoftmax" }');
  }
  return { shapes, problems };
}

function divisors(c: number): number[] {
  return Array.from({ length: c }, (_, i) => i + 1).filter((d) => c % d === 0);
}

/** Parameter and buffer names: the k-th conv or dense layer is c{k} (weight; c{k}.bias), a norm
 * layer n{k} after it (n{k}.weight, n{k}.bias), as in the study's PyTorch module. */
export function layerNames(layers: Layer[]): string[] {
  let k = 0;
  const used = new Set<string>();
  return layers.map((l, i) => {
    if (l.type === 'conv' || l.type === 'dense') return `c${++k}`;
    if (l.type !== 'norm') return '';
    const name = k > 0 && !used.has(`n${k}`) ? `n${k}` : `n${k}_${i}`;
    used.add(name);
    return name;
  });
}
