// Resizable ArrayBuffers (ES2024), which Node 20's V8 has and this project's TypeScript library does
// not describe yet: memory that grows and shrinks in place, committed a page at a time.

export interface ResizableBuffer extends ArrayBuffer {
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}

type ResizableConstructor = new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/** A buffer of `byteLength` bytes that may grow to `maxByteLength` (address space reserved, not memory). */
export function resizableBuffer(byteLength: number, maxByteLength: number): ResizableBuffer {
  const buffer = new (ArrayBuffer as unknown as ResizableConstructor)(byteLength, { maxByteLength });
  if (typeof buffer.resize !== 'function') throw new Error('this Node.js has no resizable ArrayBuffers (Node.js 20 or later is needed)');
  return buffer;
}
