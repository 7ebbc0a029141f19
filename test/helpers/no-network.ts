import { Agent, setGlobalDispatcher, type Dispatcher } from "undici";

// Tests talk to fakes on loopback only: any other host fails loudly instead of reaching the internet.
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

setGlobalDispatcher(
  new Agent().compose((dispatch: Dispatcher["dispatch"]) => (opts, handler) => {
    const host = new URL(String(opts.origin)).hostname;
    if (!LOOPBACK.has(host)) throw new Error(`a test tried to reach ${host}; only 127.0.0.1 is allowed`);
    return dispatch(opts, handler);
  }),
);
