/**
 * Whether this browser can run the person segmenter (WebGL 2 for MediaPipe's graph, and
 * WebAssembly): checked without loading it, so the buttons show only where they can work.
 * Read once: a WebGL context is not free.
 */
let answer: boolean | undefined;
export function canSegment(): boolean {
  if (answer !== undefined) return answer;
  if (typeof WebAssembly !== 'object' || typeof document === 'undefined') return (answer = false);
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2');
    answer = gl !== null;
    (gl?.getExtension('WEBGL_lose_context') as { loseContext(): void } | null)?.loseContext();
  } catch {
    answer = false;
  }
  return answer;
}
