/** Defined by build/vite/python-policy.ts from PLAYGROUND_PYTHON_POLICY (python-policy.ts); absent elsewhere. */
declare const __PLAYGROUND_PYTHON_POLICY__: string | undefined;
