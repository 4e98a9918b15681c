// Test-only: response bodies in assertions are read as loosely typed JSON; the assertions check their shape.
declare global {
  interface Response {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json(): Promise<any>;
  }
}
export {};
