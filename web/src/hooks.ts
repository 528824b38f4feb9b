/** Polling and debouncing, the two ways the screens stay live. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from './api/client.js';

/** Runs `load` now and every `intervalMs` while the component is shown (not while the tab is hidden); `deps` restart it. */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[]): { data?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (document.visibilityState !== 'hidden') {
        try {
          const data = await loadRef.current();
          if (!stopped) setState({ data });
        } catch (error) {
          if (!stopped) setState((previous) => ({ ...previous, error: messageOf(error) }));
        }
      }
      if (!stopped && intervalMs > 0) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...deps, tick, intervalMs]);
  return { ...state, reload: () => setTick((value) => value + 1) };
}

/** `value`, once it has stayed unchanged for `delayMs`. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [JSON.stringify(value), delayMs]);
  return settled;
}
