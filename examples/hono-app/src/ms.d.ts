// ms ships no types (they are in @types/ms); this is the part the app uses.
declare module 'ms' {
  function ms(milliseconds: number, options?: { long?: boolean }): string
  function ms(duration: string): number
  export default ms
}
