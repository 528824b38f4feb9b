/**
 * Whether the signed-in user may change anything (the operators group) or only look (viewers).
 * The API enforces it (each group's role, lib/admin.ts); the screens only leave out what a viewer
 * could not do anyway. Locally there is no sign-in, and everything is shown.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const CanChange = createContext(true);

export function useCanChange(): boolean {
  return useContext(CanChange);
}
