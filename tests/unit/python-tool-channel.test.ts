import { describe, expect, it } from 'vitest';
import type { WorkerInbound, RuntimeMessage } from '../../src/python/protocol.ts';
import { RuntimeLink } from '../../src/python/runtime-link.ts';
import {
  createToolBuffer,
  TOOL_CHUNK_BYTES,
  ToolChannelReader,
  ToolChannelWriter,
} from '../../src/python/tool-channel.ts';

describe('tool channel', () => {
  it('carries a reply larger than the buffer in chunks, intact', () => {
    const buf = createToolBuffer();
    const writer = new ToolChannelWriter(buf);
    const reader = new ToolChannelReader(buf);
    const text = 'é'.repeat(TOOL_CHUNK_BYTES) + 'END'; // 2 bytes per char: three chunks
    reader.prepare();
    writer.reply(7, text);
    let asks = 0;
    const got = reader.read(() => {
      asks++;
      writer.ack(7);
    });
    expect(asks).toBe(2);
    expect(got).toBe(text);
  });

  it('ignores acks for another call and returns null when cancelled', () => {
    const buf = createToolBuffer();
    const writer = new ToolChannelWriter(buf);
    const reader = new ToolChannelReader(buf);
    reader.prepare();
    writer.reply(1, 'x'.repeat(TOOL_CHUNK_BYTES + 5));
    const got = reader.read(() => {
      writer.ack(2);
      writer.cancel();
    });
    expect(got).toBeNull();
  });
});

describe('RuntimeLink', () => {
  function setup(): {
    sent: WorkerInbound[];
    up: RuntimeMessage[];
    link: RuntimeLink;
    init: Extract<WorkerInbound, { type: 'init' }>;
  } {
    const sent: WorkerInbound[] = [];
    const up: RuntimeMessage[] = [];
    const link = new RuntimeLink({ postMessage: (m) => sent.push(m) }, (m) => up.push(m));
    link.fromHost({ type: 'init', config: { tools: [] } });
    const init = sent[0];
    if (init?.type !== 'init') throw new Error('no init');
    return { sent, up, link, init };
  }

  it('hands the worker shared buffers and writes interrupts into them', () => {
    const { link, init, sent } = setup();
    const flag = new Int32Array(init.interrupt);
    link.fromHost({ type: 'execute', id: 1, code: 'x' });
    expect(sent[1]).toEqual({ type: 'execute', id: 1, code: 'x' });
    link.fromHost({ type: 'interrupt' });
    expect(Atomics.load(flag, 0)).toBe(2);
    // The next request starts with a clear flag, so a late interrupt cannot hit it.
    link.fromHost({ type: 'execute', id: 2, code: 'y' });
    expect(Atomics.load(flag, 0)).toBe(0);
  });

  it('forwards tool calls, answers only the pending one, and cancels calls after an interrupt', () => {
    const { link, init, up } = setup();
    const reader = new ToolChannelReader(init.tool);
    link.fromHost({ type: 'execute', id: 1, code: 'x' });
    reader.prepare();
    link.fromWorker({ type: 'tool_call', callId: 1, name: 'web_search', args: { query: 'q' } });
    expect(up).toEqual([
      { type: 'tool_call', callId: 1, name: 'web_search', args: { query: 'q' } },
    ]);
    link.fromHost({ type: 'tool_result', callId: 9, reply: { ok: true, text: 'stale' } });
    link.fromHost({ type: 'tool_result', callId: 1, reply: { ok: true, text: 'fresh' } });
    expect(reader.read(() => undefined)).toBe(JSON.stringify({ ok: true, text: 'fresh' }));

    link.fromHost({ type: 'interrupt' });
    reader.prepare();
    link.fromWorker({ type: 'tool_call', callId: 2, name: 'web_search', args: { query: 'late' } });
    expect(up).toHaveLength(1);
    expect(reader.read(() => undefined)).toBeNull();
  });
});
