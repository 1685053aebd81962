/**
 * The token rule: a token takes the label of a span that covers at least one of its characters
 * (UTF-16 units; spans normally snap to tokens, this only decides the odd partial case). When several
 * spans of one layer cover a token, the longest span wins, and between equally long spans the label that
 * comes first in the project's label order (the smaller label index). A token no span covers is "O" (0).
 */
import type { SpanSet } from "./spans";

/**
 * Writes each token's label index into `out` (length ≥ token count) for one layer; `bestLength` is
 * scratch of the same length. Tokens are given by sorted, disjoint `tokenStart`/`tokenEnd`.
 */
export function labelTokens(
  tokenStart: Int32Array,
  tokenEnd: Int32Array,
  tokens: number,
  spans: SpanSet,
  out: Int32Array,
  bestLength: Int32Array,
): void {
  out.fill(0, 0, tokens);
  bestLength.fill(0, 0, tokens);
  for (let s = 0; s < spans.n; s++) {
    const start = spans.start[s]!;
    const end = spans.end[s]!;
    const label = spans.label[s]!;
    const length = end - start;
    if (length <= 0) continue;
    // first token ending after the span's start
    let lo = 0;
    let hi = tokens;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tokenEnd[mid]! <= start) lo = mid + 1;
      else hi = mid;
    }
    for (let t = lo; t < tokens && tokenStart[t]! < end; t++) {
      const best = bestLength[t]!;
      if (length > best || (length === best && label < out[t]!)) {
        bestLength[t] = length;
        out[t] = label;
      }
    }
  }
}
