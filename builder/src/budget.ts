/** A running count of bytes that calls `exceeded` (which throws) the moment it passes `max`. */
export class ByteBudget {
  private used = 0

  constructor(
    readonly max: number,
    private readonly exceeded: () => never,
  ) {}

  spend(bytes: number): void {
    this.used += bytes
    if (this.used > this.max) this.exceeded()
  }

  get spent(): number {
    return this.used
  }
}
