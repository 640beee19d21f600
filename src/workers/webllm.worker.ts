/// <reference lib="webworker" />
// The model runs here so generation never blocks the page; the main thread talks to it through
// web-llm's WebWorkerMLCEngine (src/engines/webllm-loader.ts).
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (event: MessageEvent) => handler.onmessage(event);
